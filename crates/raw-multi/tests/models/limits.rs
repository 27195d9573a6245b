//! Limits that hold: `--max-clients`, running out of file descriptors without
//! spinning, select's FD_SETSIZE, io_uring refused by the kernel.

use super::*;
use raw_testkit::{run, Server, DEADLINE};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

/// `--max-clients 64` with 300 simultaneous connects: never more than 64 clients
/// served at once (children, threads, or connected sockets, per model); everyone is
/// served in the end.
#[test]
fn max_clients_is_never_exceeded() {
    for model in MODELS {
        let srv = server(model, &["--max-clients", "64", "--backlog", "512"]);
        let (addr, pid) = (srv.addr, srv.pid());
        let clients: Vec<_> = (0..300)
            .map(|_| {
                thread::Builder::new()
                    .stack_size(128 * 1024)
                    .spawn(move || {
                        let mut s = connect(addr);
                        s.write_all(b"hi").expect("write");
                        let mut r = [0u8; 2];
                        s.read_exact(&mut r).expect("served");
                        thread::sleep(Duration::from_millis(20));
                        r == *b"HI"
                    })
                    .expect("spawn")
            })
            .collect();
        let mut peak = 0;
        while clients.iter().any(|c| !c.is_finished()) {
            // fork: the children. thread and the event loops: the connected sockets the
            // server holds (minus the listener). /proc's thread count is not used: the
            // kernel wakes a joining thread before it removes the exiting one, so a
            // finished, joined thread can still be counted for a moment.
            let live = match model {
                "fork" | "prefork" => children(pid).0.len(),
                _ => socket_fds(pid).saturating_sub(listeners(model)),
            };
            peak = peak.max(live);
            thread::sleep(Duration::from_millis(5));
        }
        let served = clients
            .into_iter()
            .filter_map(|c| c.join().ok())
            .filter(|&ok| ok)
            .count();
        assert_eq!(served, 300, "{model}: every client served in the end");
        assert!(
            peak <= 64,
            "{model}: {peak} clients served at once with --max-clients 64"
        );
        assert!(peak > 0, "{model}: sampling saw nothing");
        let (status, _, stderr) = srv.terminate();
        assert!(status.success(), "{model}: {status:?} {stderr}");
    }
}

/// With only 64 file descriptors and 200 clients holding connections, the server runs
/// out of fds, backs off instead of spinning, keeps serving, and serves a new client
/// soon after the others let go.
#[test]
fn fd_exhaustion_backs_off_and_recovers() {
    let Some(prlimit) = raw_testkit::tool("prlimit", "fd_exhaustion_backs_off_and_recovers") else {
        return;
    };
    for model in MODELS {
        let srv = Server::start_quiet(
            Command::new(&prlimit)
                .args(["--nofile=64:64", BIN, "-qq", "server"])
                .args(model_args(model))
                .args(["--port", "0", "--backlog", "512"]),
        );
        let pid = srv.pid();
        let mut held = Vec::new();
        for i in 0..200 {
            match TcpStream::connect(srv.addr) {
                Ok(s) => held.push(s),
                Err(e) => {
                    let (status, _, stderr) = srv.terminate();
                    panic!("{model}: client {i} of 200: {e}\nserver: {status:?}\n{stderr}");
                }
            }
        }
        thread::sleep(Duration::from_millis(300)); // let it hit EMFILE
        let before = cpu_ticks(pid);
        thread::sleep(Duration::from_secs(1));
        let used = cpu_ticks(pid) - before;
        assert!(
            used < 30,
            "{model}: {used} ticks of CPU in 1 s while out of fds: spinning"
        );
        drop(held);
        let mut fresh = match TcpStream::connect(srv.addr) {
            Ok(s) => s,
            Err(e) => {
                let (status, _, stderr) = srv.terminate();
                panic!("{model}: a new client after the others let go: {e}\nserver: {status:?}\n{stderr}");
            }
        };
        fresh.set_read_timeout(Some(DEADLINE)).expect("timeout");
        fresh.write_all(b"back").expect("write");
        let mut reply = [0u8; 4];
        fresh
            .read_exact(&mut reply)
            .expect("served after the others let go");
        assert_eq!(&reply, b"BACK", "{model}");
        assert!(srv.terminate().0.success(), "{model}");
    }
}

/// select() cannot watch an fd of 1024 or more: with more than 1020 clients the server
/// refuses the extra ones cleanly (closes them, says why) and keeps serving.
#[test]
fn select_refuses_fds_beyond_fd_setsize() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
    if hard < 2200 || setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_err() {
        raw_testkit::skip(
            "select_refuses_fds_beyond_fd_setsize",
            "the fd limit here is too low to open 1100 connections",
        );
        return;
    }
    let srv = Server::start(Command::new(BIN).args([
        "--json",
        "server",
        "--model",
        "select",
        "--port",
        "0",
        "--backlog",
        "2048",
    ]));
    let held: Vec<TcpStream> = (0..1100).map(|_| connect(srv.addr)).collect();
    // The server takes fds 4.. for clients: those from 1024 on are refused and closed.
    let mut refused = 0;
    for mut s in held.into_iter().rev().take(60) {
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut byte = [0u8; 1];
        if matches!(s.read(&mut byte), Ok(0)) {
            refused += 1;
        }
    }
    assert!(refused > 0, "no client beyond FD_SETSIZE was refused");
    // The other 1040 clients left as the loop ended; until the server has closed
    // their sockets, a new client still gets an fd of 1024 or more and is refused
    // like them (rightly), so a new client is tried until the server has caught up.
    let end = Instant::now() + DEADLINE;
    let served = loop {
        let mut after = connect(srv.addr);
        let mut reply = [0u8; 2];
        let echoed = after
            .write_all(b"up")
            .and_then(|_| after.read_exact(&mut reply))
            .map(|_| reply);
        match echoed {
            Ok(reply) => break Some(reply),
            Err(_) if Instant::now() < end => thread::sleep(Duration::from_millis(100)),
            Err(_) => break None,
        }
    };
    assert_eq!(served, Some(*b"UP"), "still serving");
    let (status, events, _) = srv.terminate();
    assert!(status.success());
    assert!(
        events
            .iter()
            .any(|e| e["text"].as_str().is_some_and(|t| t.contains("FD_SETSIZE"))),
        "the refusal is explained"
    );
}

/// A server started under `prlimit --nofile=LIMIT`, with its stdout collected and its
/// stderr read line by line as it comes (a `-qq` server's only output).
struct Limited {
    child: std::process::Child,
    addr: SocketAddr,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Limited {
    fn start(prlimit: &std::path::Path, limit: u32, args: &[&str]) -> Limited {
        use std::io::BufRead;
        let mut child = Command::new(prlimit)
            .arg(format!("--nofile={limit}:{limit}"))
            .arg(BIN)
            .args(args)
            .args(["--port", "0", "--backlog", "512"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn server");
        let pipe = child.stderr.take().expect("stderr");
        let (tx, stderr) = std::sync::mpsc::channel();
        thread::spawn(move || {
            for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let first = stderr
            .recv_timeout(DEADLINE)
            .expect("the address on stderr");
        let addr = first
            .split_whitespace()
            .find_map(|word| word.parse::<SocketAddr>().ok())
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        Limited {
            child,
            addr,
            stderr,
        }
    }

    /// Waits (bounded) for a line of stderr that contains `needle`; returns every line
    /// read meanwhile, that one last.
    fn stderr_until(&self, needle: &str) -> Vec<String> {
        let end = Instant::now() + DEADLINE;
        let mut seen = Vec::new();
        while let Ok(line) = self
            .stderr
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            let found = line.contains(needle);
            seen.push(line);
            if found {
                break;
            }
        }
        seen
    }

    /// SIGTERM (resent every 500 ms, as a signal landing just before a blocking call
    /// is seen only at the next one), then the exit status and all of stdout.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        use nix::sys::signal::{kill, Signal};
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        for _ in 0..20 {
            let _ = kill(pid, Signal::SIGTERM);
            thread::sleep(Duration::from_millis(500));
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
        }
        let out = raw_testkit::wait_output(self.child, DEADLINE);
        (
            out.status,
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

/// A tester runs `raw-multi server -qq` ("print nothing but errors") with only 32 file
/// descriptors and connects 60 clients: `accept` fails with EMFILE, the server backs
/// off and goes on, and stderr says so, errno named, in the language asked for; stdout
/// stays empty. (Not the fork model: its parent closes each connection right after
/// `fork`, so it never holds enough fds to run out; nor prefork, whose children hold one
/// connection each.)
#[test]
fn qq_still_reports_emfile_on_stderr() {
    let Some(prlimit) = raw_testkit::tool("prlimit", "qq_still_reports_emfile_on_stderr") else {
        return;
    };
    for (model, lang, warning) in [
        ("thread", "en", "warning:"),
        ("select", "pt-BR", "aviso:"),
        ("poll", "en", "warning:"),
        ("epoll", "pt-BR", "aviso:"),
        ("io-uring", "en", "warning:"),
        ("reuseport", "pt-BR", "aviso:"),
    ] {
        let mut args = vec!["-qq", "--lang", lang, "server"];
        let model_args = model_args(model);
        args.extend(model_args.iter().map(String::as_str));
        let srv = Limited::start(&prlimit, 32, &args);
        let held: Vec<TcpStream> = (0..60).map(|_| connect(srv.addr)).collect();
        let lines = srv.stderr_until("EMFILE");
        let line = lines.last().cloned().unwrap_or_default();
        assert!(
            line.contains("EMFILE") && line.contains("accept(2)"),
            "{model}: no EMFILE on stderr with -qq; stderr was: {lines:#?}"
        );
        assert!(
            line.starts_with(warning) || line.contains(&format!("] {warning}")),
            "{model}: {line}"
        );
        drop(held);
        let mut fresh = TcpStream::connect(srv.addr)
            .unwrap_or_else(|e| panic!("{model}: a new client after the others let go: {e}"));
        fresh.set_read_timeout(Some(DEADLINE)).expect("timeout");
        fresh.write_all(b"back").expect("write");
        let mut reply = [0u8; 4];
        fresh
            .read_exact(&mut reply)
            .expect("served after the others let go");
        let (status, stdout) = srv.stop();
        assert!(status.success(), "{model}: {status:?}");
        assert_eq!(stdout, "", "{model}: -qq printed on stdout");
    }
}

/// The same failure with `--json`: a `warning` event carrying the errno, on stdout,
/// which holds nothing but JSON.
#[test]
fn json_reports_emfile_as_a_warning_event() {
    let Some(prlimit) = raw_testkit::tool("prlimit", "json_reports_emfile_as_a_warning_event")
    else {
        return;
    };
    let srv = Server::start(Command::new(&prlimit).args([
        "--nofile=32:32",
        BIN,
        "--json",
        "server",
        "--model",
        "epoll",
        "--port",
        "0",
        "--backlog",
        "512",
    ]));
    let held: Vec<TcpStream> = (0..60).map(|_| connect(srv.addr)).collect();
    thread::sleep(Duration::from_millis(300)); // let it hit EMFILE
    drop(held);
    let (status, events, _) = srv.terminate();
    assert!(status.success(), "{status:?}");
    let warning = events
        .iter()
        .find(|e| e["kind"] == "warning")
        .unwrap_or_else(|| panic!("no warning event in {} events", events.len()));
    assert_eq!(warning["errno"], "EMFILE", "{warning}");
    assert!(
        warning["text"]
            .as_str()
            .is_some_and(|t| t.contains("accept(2)")),
        "{warning}"
    );
}

/// A student runs the io-uring model where io_uring is refused: in a container whose
/// seccomp profile blocks it (Docker's default answers EPERM), on a kernel without it
/// (ENOSYS). The server stops at once with exit 1 and says why, in their language:
/// `io_uring_setup(2) failed: EPERM ...`, a hint naming the sysctl
/// `kernel.io_uring_disabled` and another model, and what to check. (The refusal is a
/// seccomp filter on the server alone; the machine's io_uring stays on for the others.)
#[test]
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn io_uring_unavailable_is_explained() {
    use nix::errno::Errno;
    for (errno, lang, failed) in [
        (Errno::EPERM, "en", "io_uring_setup(2) failed: EPERM"),
        (Errno::ENOSYS, "pt-BR", "io_uring_setup(2) falhou: ENOSYS"),
    ] {
        let mut cmd = Command::new(BIN);
        cmd.args([
            "--lang", lang, "server", "--model", "io-uring", "--port", "0",
        ]);
        raw_core::sys::refuse_io_uring_setup(&mut cmd, errno);
        let out = run(&mut cmd, b"", DEADLINE);
        let err = String::from_utf8_lossy(&out.stderr);
        let said = String::from_utf8_lossy(&out.stdout);
        eprintln!("{err}");
        assert_eq!(out.status.code(), Some(1), "{errno:?}: {err}");
        assert!(err.contains(failed), "{err}");
        assert!(err.contains("sysctl kernel.io_uring_disabled"), "{err}");
        if errno == Errno::EPERM {
            assert!(
                err.contains("--model epoll"),
                "another model is offered: {err}"
            );
        }
        assert!(!err.contains("panicked"), "{err}");
        // The narration shows the refused call as strace would: `= -1 EPERM (...)`.
        assert!(
            said.contains(&format!("= -1 {errno:?}")) && said.contains("io_uring_setup("),
            "{said}"
        );
    }
}
