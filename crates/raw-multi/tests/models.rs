//! Lab 3 against the real binary, for every server model: many clients at once, no
//! byte lost, no zombie, one client's failure never hurting the others, limits that
//! hold, and running out of file descriptors without spinning. Every loop is bounded.

use raw_testkit::{pseudo_random, run, Server, DEADLINE};
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_raw-multi");
/// Every model `raw-multi server --model` takes ([`every_model_is_tested`] checks the
/// list against `--help`).
const MODELS: [&str; 8] = [
    "fork",
    "thread",
    "select",
    "poll",
    "epoll",
    "io-uring",
    "reuseport",
    "prefork",
];

/// The reuseport model's threads in these tests (its default is one per core).
const REUSEPORT_WORKERS: usize = 2;

/// What every test passes for `model`: reuseport with a fixed number of workers (each
/// is a listening socket the fd counts must subtract).
fn model_args(model: &str) -> Vec<String> {
    let mut args = vec!["--model".to_string(), model.to_string()];
    if model == "reuseport" {
        args.extend(["--workers".to_string(), REUSEPORT_WORKERS.to_string()]);
    }
    args
}

/// Listening sockets a server of `model` holds.
fn listeners(model: &str) -> usize {
    if model == "reuseport" {
        REUSEPORT_WORKERS
    } else {
        1
    }
}

/// One `#[test]` per model, in a module named after the check: `per_model!(check:
/// fork = "fork", ...)` makes `check::fork()` calling `check("fork")`.
macro_rules! per_model {
    ($check:ident: $($test:ident = $model:literal),+ $(,)?) => {
        mod $check {
            $(
                #[test]
                fn $test() {
                    super::$check($model);
                }
            )+
        }
    };
}

/// A silent (`-qq`) server of `model`, on a free port.
fn server(model: &str, extra: &[&str]) -> Server {
    Server::start_quiet(
        Command::new(BIN)
            .args(["-qq", "server", "--port", "0"])
            .args(model_args(model))
            .args(extra),
    )
}

/// The models the list above names are those `raw-multi server --help` offers: a new
/// model is tested everywhere the list is used.
#[test]
fn every_model_is_tested() {
    let help = run(Command::new(BIN).args(["server", "--help"]), b"", DEADLINE);
    let help = String::from_utf8_lossy(&help.stdout);
    // The --model section lists "- fork:      A process per client ...", one per model.
    let section = help
        .split("--model <MODEL>")
        .nth(1)
        .and_then(|rest| rest.split("[default:").next())
        .unwrap_or_default();
    let offered: Vec<&str> = section
        .lines()
        .map(str::trim_start)
        .filter_map(|l| l.strip_prefix("- "))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(offered, MODELS, "{help}");
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(DEADLINE)).expect("timeout");
    s
}

/// Sends `data` while reading the echo on another thread; returns what came back.
fn echo_concurrently(addr: SocketAddr, data: Vec<u8>) -> Vec<u8> {
    let mut stream = connect(addr);
    let mut writer = stream.try_clone().expect("clone");
    let sender = thread::spawn(move || {
        for chunk in data.chunks(16 * 1024) {
            writer.write_all(chunk).expect("write");
        }
        writer.shutdown(Shutdown::Write).expect("shutdown");
    });
    let mut back = Vec::new();
    stream.read_to_end(&mut back).expect("read echo");
    sender.join().expect("sender");
    back
}

/// 200 clients at once, each sending 256 KiB of its own random bytes: every byte
/// comes back, in order, to the client that sent it.
fn two_hundred_clients(model: &str) {
    let srv = server(model, &["--transform", "none"]);
    let addr = srv.addr;
    let clients: Vec<_> = (0..200u64)
        .map(|i| {
            thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn(move || {
                    let data = pseudo_random(256 * 1024, 1000 + i);
                    echo_concurrently(addr, data.clone()) == data
                })
                .expect("spawn client")
        })
        .collect();
    let ok = clients
        .into_iter()
        .map(|c| c.join().unwrap_or(false))
        .filter(|&ok| ok)
        .count();
    assert_eq!(
        ok, 200,
        "{model}: {ok} of 200 clients got their bytes back intact"
    );
    let (status, _, _) = srv.terminate();
    assert!(status.success(), "{model}: exit after SIGTERM {status:?}");
}

per_model!(two_hundred_clients:
    fork = "fork",
    thread = "thread",
    select = "select",
    poll = "poll",
    epoll = "epoll",
    io_uring = "io-uring",
    reuseport = "reuseport",
    prefork = "prefork",
);

/// The pids of a process's children, and how many of them are zombies.
fn children(pid: u32) -> (Vec<u32>, usize) {
    let kids: Vec<u32> = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect();
    let zombies = kids
        .iter()
        .filter(|k| {
            std::fs::read_to_string(format!("/proc/{k}/stat"))
                .map(|s| {
                    s.rsplit(')')
                        .next()
                        .unwrap_or("")
                        .trim_start()
                        .starts_with('Z')
                })
                .unwrap_or(false)
        })
        .count();
    (kids, zombies)
}

/// Polls `check` every 20 ms until it holds or `limit` passes.
fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if check() {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    check()
}

/// The fork server reaps every child: after 500 connections there is no zombie, and
/// after SIGTERM no child is left.
#[test]
fn fork_leaves_no_zombies_and_no_children() {
    let srv = server("fork", &[]);
    for i in 0..500 {
        let mut s = connect(srv.addr);
        s.write_all(b"z").expect("write");
        let mut one = [0u8; 1];
        s.read_exact(&mut one)
            .unwrap_or_else(|e| panic!("connection {i}: {e}"));
        assert_eq!(&one, b"Z");
    }
    let pid = srv.pid();
    assert!(
        eventually(DEADLINE, || children(pid).0.is_empty()),
        "children left: {:?}",
        children(pid)
    );
    assert_eq!(children(pid).1, 0, "zombies");

    let held: Vec<TcpStream> = (0..5).map(|_| connect(srv.addr)).collect();
    assert!(
        eventually(DEADLINE, || children(pid).0.len() == 5),
        "5 children serving"
    );
    let kids = children(pid).0;
    let (status, _, _) = srv.terminate();
    assert!(status.success(), "{status:?}");
    for kid in kids {
        assert!(
            !std::path::Path::new(&format!("/proc/{kid}")).exists() || children(kid).1 == 0,
            "child {kid} left behind"
        );
        let state = std::fs::read_to_string(format!("/proc/{kid}/stat")).unwrap_or_default();
        assert!(state.is_empty(), "child {kid} still exists: {state}");
    }
    drop(held);
}

/// Whether process `pid` is gone (or only a zombie its new parent has yet to reap).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X"),
    }
}

/// A student stops the server with Ctrl-C (SIGINT to the whole process group, as the
/// terminal sends it) or with `kill` (SIGTERM to the server alone), while a client is
/// still connected: every model exits 0, the client reads its end of stream (or a
/// reset), and no process of the server's is left (the fork model's children and the
/// prefork model's were stopped and reaped). Each signal is sent again every 500 ms, as
/// one landing just before a blocking call is seen only at the next one; all bounded.
fn stops_cleanly(model: &str) {
    use nix::sys::signal::{kill, killpg, Signal};
    use nix::unistd::Pid;
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        let mut srv = server(model, &[]);
        let pid = srv.pid();
        let mut held = connect(srv.addr);
        held.write_all(b"x").expect("write");
        let mut one = [0u8; 1];
        held.read_exact(&mut one).expect("echo");
        let family = children(pid).0;
        if model == "fork" || model == "prefork" {
            assert!(!family.is_empty(), "{model}: no child to stop");
        }
        let child = srv.child.as_mut().expect("child"); // reaped when `srv` is dropped
        let end = Instant::now() + Duration::from_secs(10);
        let status = loop {
            let target = Pid::from_raw(pid as i32);
            let _ = match signal {
                Signal::SIGINT => killpg(target, signal), // Ctrl-C: the whole group
                _ => kill(target, signal),
            };
            let again = Instant::now() + Duration::from_millis(500);
            let mut status = None;
            while status.is_none() && Instant::now() < again {
                status = child.try_wait().ok().flatten();
                thread::sleep(Duration::from_millis(10));
            }
            if let Some(status) = status {
                break status;
            }
            if Instant::now() > end {
                panic!("{model}: still running 10 s after {signal:?}"); // dropping srv kills it
            }
        };
        assert!(status.success(), "{model}: {signal:?} gave {status:?}");
        let mut byte = [0u8; 1];
        match held.read(&mut byte) {
            Ok(0) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            other => panic!("{model}: the held client read {other:?} after {signal:?}"),
        }
        assert!(
            eventually(Duration::from_secs(5), || family.iter().all(|&k| gone(k))),
            "{model}: children {family:?} outlived the server after {signal:?}"
        );
    }
}

per_model!(stops_cleanly:
    fork = "fork",
    thread = "thread",
    select = "select",
    poll = "poll",
    epoll = "epoll",
    io_uring = "io-uring",
    reuseport = "reuseport",
    prefork = "prefork",
);

/// 50 idle clients do not delay a new client's echo, and `--idle-timeout` drops them.
fn idle_clients(model: &str) {
    let srv = server(model, &["--idle-timeout", "1"]);
    let idle: Vec<TcpStream> = (0..50).map(|_| connect(srv.addr)).collect();
    let mut fresh = connect(srv.addr);
    fresh.write_all(b"still served").expect("write");
    let mut reply = [0u8; 12];
    fresh
        .read_exact(&mut reply)
        .expect("a new client is answered while 50 sit idle");
    assert_eq!(&reply, b"STILL SERVED");
    for mut s in idle {
        let mut byte = [0u8; 1];
        // The server closes a silent client: we read end-of-stream (0), not a timeout.
        match s.read(&mut byte) {
            Ok(0) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            other => panic!("{model}: idle client not dropped: {other:?}"),
        }
    }
    assert!(srv.terminate().0.success());
}

// Not fork and prefork, whose each idle client holds a whole process (prefork's 16 are
// all held by 50 idle clients: a new one waits for --idle-timeout, as UNP §30.6 says),
// nor select, as before.
per_model!(idle_clients:
    thread = "thread",
    poll = "poll",
    epoll = "epoll",
    io_uring = "io-uring",
    reuseport = "reuseport",
);

/// 200 clients that reset their connection (SO_LINGER 0) while 50 others echo: the
/// server stays up and the well-behaved clients see no error.
#[test]
fn resets_never_hurt_other_clients() {
    for model in MODELS {
        let srv = server(model, &[]);
        let addr = srv.addr;
        let good: Vec<_> = (0..50u64)
            .map(|i| {
                thread::spawn(move || {
                    let data = pseudo_random(64 * 1024, 7 + i);
                    let upper: Vec<u8> = data.to_ascii_uppercase();
                    echo_concurrently(addr, data) == upper
                })
            })
            .collect();
        for _ in 0..200 {
            let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("socket");
            s.connect(&addr.into()).expect("connect");
            let _ = s.send(b"about to vanish");
            s.set_linger(Some(Duration::ZERO)).expect("linger 0");
            drop(s); // RST
        }
        let ok = good
            .into_iter()
            .filter_map(|g| g.join().ok())
            .filter(|&ok| ok)
            .count();
        assert_eq!(ok, 50, "{model}: well-behaved clients hurt");
        let mut after = connect(addr);
        after.write_all(b"ok?").expect("write");
        let mut reply = [0u8; 3];
        after.read_exact(&mut reply).expect("server still up");
        assert_eq!(&reply, b"OK?", "{model}");
        assert!(srv.terminate().0.success(), "{model}");
    }
}

/// Connections a server process holds (sockets in /proc/PID/fd), for event loops.
fn socket_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

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

/// CPU time (user + system, in clock ticks) a process has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the command name: state is field 3, utime 14, stime 15 (1-based).
    fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
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

/// Bad usage exits 2; --help teaches.
#[test]
fn usage() {
    let out = run(
        Command::new(BIN).args(["server", "--model", "magic"]),
        b"",
        DEADLINE,
    );
    assert_eq!(out.status.code(), Some(2));
    let help = run(Command::new(BIN).arg("--help"), b"", DEADLINE);
    assert!(String::from_utf8_lossy(&help.stdout).contains("why does the port change"));
}

/// A client that sends 4 MiB without reading fills its buffers; the event-loop server
/// stops reading from it (its replies pile up) but keeps serving everyone else, and
/// once it reads, every byte comes back: buffered, never lost.
#[test]
fn a_slow_reader_never_blocks_the_others() {
    for model in ["select", "poll", "epoll", "io-uring", "reuseport"] {
        let srv = server(model, &["--transform", "none"]);
        let addr = srv.addr;
        let data = pseudo_random(4 << 20, 99);
        let mut slow = connect(addr);
        let mut writer = slow.try_clone().expect("clone");
        let sent = data.clone();
        // Writes until the kernel's buffers on both sides are full, then blocks.
        let pusher = thread::spawn(move || {
            writer.write_all(&sent).expect("write");
            writer.shutdown(Shutdown::Write).expect("shutdown");
        });
        thread::sleep(Duration::from_millis(300));
        for i in 0..10 {
            let mut other = connect(addr);
            other.write_all(b"are you there?").expect("write");
            let mut reply = [0u8; 14];
            other.read_exact(&mut reply).unwrap_or_else(|e| {
                panic!("{model}: client {i} blocked behind a slow reader: {e}")
            });
            assert_eq!(&reply, b"are you there?");
        }
        let mut back = Vec::new();
        slow.read_to_end(&mut back).expect("read");
        pusher.join().expect("pusher");
        assert!(
            back == data,
            "{model}: the slow reader lost bytes ({} of {})",
            back.len(),
            data.len()
        );
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
    let mut after = connect(srv.addr);
    after.write_all(b"up").expect("write");
    let mut reply = [0u8; 2];
    after.read_exact(&mut reply).expect("still serving");
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

/// The prefork server killed with SIGKILL (no handler runs, no `kill` of its own is
/// sent): its children, which would otherwise accept forever, end too, within 5 s
/// (each asked for SIGTERM when its parent dies).
#[test]
fn prefork_children_die_with_a_killed_parent() {
    children_die_with_a_killed_parent("prefork", &["--workers", "3"], 3);
}

/// The fork model too: five connected clients, five children serving them; SIGKILL to
/// the parent, and within 5 s no child is left (each asked for SIGTERM when its parent
/// dies), and each client sees its connection end.
#[test]
fn fork_children_die_with_a_killed_parent() {
    let srv = server("fork", &[]);
    let clients: Vec<TcpStream> = (0..5).map(|_| connect(srv.addr)).collect();
    children_killed_with(srv, 5);
    for mut c in clients {
        c.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut buf = [0u8; 1];
        let ended = matches!(c.read(&mut buf), Ok(0) | Err(_));
        assert!(ended, "a client's connection outlived its server");
    }
}

fn children_die_with_a_killed_parent(model: &str, extra: &[&str], count: usize) {
    children_killed_with(server(model, extra), count);
}

/// Waits for `count` children of `srv`, SIGKILLs the parent alone, and checks that no
/// child is left 5 s later.
fn children_killed_with(srv: Server, count: usize) {
    let pid = srv.pid();
    assert!(
        eventually(DEADLINE, || children(pid).0.len() == count),
        "{count} children: {:?}",
        children(pid)
    );
    let kids = children(pid).0;
    // SIGKILL to the parent alone (not to its process group, which would end the
    // children too and hide the point).
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill");
    assert!(
        eventually(Duration::from_secs(5), || kids.iter().all(|&k| gone(k))),
        "children {kids:?} outlived their killed parent"
    );
    drop(srv);
}

/// prefork with its default 16 children and 50 silent clients connected: a new client
/// that sends is still served (each child drops a client silent for 5 s, and at once one
/// that waited that long in the accept queue), the silent ones see their connection end,
/// and the drop is narrated.
#[test]
fn prefork_serves_a_new_client_while_fifty_idle_ones_are_connected() {
    let srv = Server::start(
        Command::new(BIN).args(["--json", "server", "--port", "0", "--model", "prefork"]),
    );
    let idle: Vec<TcpStream> = (0..50).map(|_| connect(srv.addr)).collect();
    let mut fresh = connect(srv.addr);
    fresh
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    fresh.write_all(b"hello").expect("write");
    let mut reply = [0u8; 5];
    fresh
        .read_exact(&mut reply)
        .expect("a new client served while 50 idle ones are connected");
    assert_eq!(&reply, b"HELLO");
    for mut c in idle {
        c.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut buf = [0u8; 1];
        assert!(
            matches!(c.read(&mut buf), Ok(0) | Err(_)),
            "an idle client was never dropped"
        );
    }
    drop(fresh);
    let (status, events, _) = srv.terminate();
    assert!(status.success());
    let said = |needle: &str| {
        events
            .iter()
            .any(|e| e["text"].as_str().is_some_and(|t| t.contains(needle)))
    };
    assert!(
        said("idle too long (--idle-timeout)"),
        "the 5 s drop is narrated"
    );
    assert!(
        said("silent since it connected"),
        "the queue drop is narrated"
    );
}
