//! What users found wrong in what raw-multi says, each checked against the real binary
//! in both languages where there is text: the `--max-clients` notice, `-q` printing the
//! same lines in every model, the summary counting the bytes of reset connections,
//! whole JSON lines from many forked children, no Rust debug text anywhere, figures
//! with the decimal comma, and a help that names every lab. Every wait is bounded.

use raw_testkit::{pseudo_random, run, run_ok, DEADLINE};
use serde_json::Value;
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_raw-multi");
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

/// A server started with any output options, its stdout and stderr read line by line
/// as they come (bytes that are not UTF-8 are kept, lossily, so they show up).
struct Running {
    child: Child,
    addr: SocketAddr,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    /// The lines of stdout and stderr read while looking for the address.
    early: (Vec<String>, Vec<String>),
}

fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            let text = String::from_utf8_lossy(&line)
                .trim_end_matches('\n')
                .to_string();
            if tx.send(text).is_err() {
                break;
            }
            line.clear();
        }
    });
    rx
}

impl Running {
    /// Starts `raw-multi ARGS server --port 0 SERVER_ARGS` and waits (bounded) for the
    /// line that says where it listens, on stdout or stderr.
    fn start(args: &[&str], server_args: &[&str]) -> Running {
        let mut child = Command::new(BIN)
            .args(args)
            .args(["server", "--port", "0"])
            .args(server_args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("spawn server");
        let stdout = lines_of(child.stdout.take().expect("stdout"));
        let stderr = lines_of(child.stderr.take().expect("stderr"));
        let end = Instant::now() + DEADLINE;
        let mut early = (Vec::new(), Vec::new());
        let mut addr = None;
        let listening = |line: &str| {
            (line.contains("Listening on ") || line.contains("Escutando em "))
                .then(|| {
                    line.split([' ', '"'])
                        .find_map(|w| w.parse::<SocketAddr>().ok())
                })
                .flatten()
        };
        while addr.is_none() && Instant::now() < end {
            for line in stdout.try_iter() {
                addr = addr.or_else(|| listening(&line));
                early.0.push(line);
            }
            for line in stderr.try_iter() {
                addr = addr.or_else(|| listening(&line));
                early.1.push(line);
            }
            thread::sleep(Duration::from_millis(10));
        }
        if let Some(addr) = addr {
            return Running {
                child,
                addr,
                stdout,
                stderr,
                early,
            };
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server never said where it listens: {early:#?}");
    }

    /// Waits (bounded) for a line of stdout or stderr containing `needle`.
    fn wait_for(&self, needle: &str) -> Option<String> {
        let end = Instant::now() + DEADLINE;
        while Instant::now() < end {
            for rx in [&self.stdout, &self.stderr] {
                while let Ok(line) = rx.try_recv() {
                    if line.contains(needle) {
                        return Some(line);
                    }
                }
            }
            thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// SIGTERM (resent every 500 ms: one landing just before a blocking call is seen
    /// only at the next one), then the exit status and the rest of stdout and stderr.
    fn stop(mut self) -> (ExitStatus, Vec<String>, Vec<String>) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let mut status = None;
        for _ in 0..20 {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let end = Instant::now() + Duration::from_millis(500);
            while Instant::now() < end && status.is_none() {
                status = self.child.try_wait().ok().flatten();
                thread::sleep(Duration::from_millis(10));
            }
            if status.is_some() {
                break;
            }
        }
        let status = status.unwrap_or_else(|| {
            let _ = self.child.kill();
            self.child.wait().expect("wait")
        });
        let drain = |rx: &Receiver<String>| {
            let mut lines = Vec::new();
            while let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
                lines.push(line);
            }
            lines
        };
        let (mut stdout, mut stderr) = self.early.clone();
        stdout.extend(drain(&self.stdout));
        stderr.extend(drain(&self.stderr));
        (status, stdout, stderr)
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(DEADLINE)).expect("timeout");
    s
}

/// Sends `data`, reads the echo back (on another thread, so no buffer fills).
fn echo(addr: SocketAddr, data: Vec<u8>) -> Vec<u8> {
    let mut stream = connect(addr);
    let mut writer = stream.try_clone().expect("clone");
    let sender = thread::spawn(move || {
        writer.write_all(&data).expect("write");
        writer.shutdown(Shutdown::Write).expect("shutdown");
    });
    let mut back = Vec::new();
    stream.read_to_end(&mut back).expect("read echo");
    sender.join().expect("sender");
    back
}

/// `127.0.0.1:41022 → "Hello"` → `127.0.0.1:PORT → "Hello"`: ports differ per run.
fn without_ports(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..at + 10]);
        rest = rest[at + 10..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push_str("PORT");
    }
    out.push_str(rest);
    out
}

/// A student sets `--max-clients 2` and connects three clients: the server says the
/// limit is reached when it happens, in every model: a note in English with `--json`,
/// a warning on stderr in Portuguese with `-q` (which shows no notes). The third
/// client is served once one of the first two leaves.
#[test]
fn max_clients_reached_is_said_when_it_happens() {
    for model in MODELS {
        for (args, needle) in [
            (
                vec!["--json"],
                "--max-clients 2 reached: 2 clients are being served",
            ),
            (
                vec!["-q", "--lang", "pt-BR"],
                "aviso: --max-clients 2 atingido: 2 clientes em atendimento",
            ),
        ] {
            let srv = Running::start(&args, &["--model", model, "--max-clients", "2"]);
            let mut first = connect(srv.addr);
            let mut second = connect(srv.addr);
            for s in [&mut first, &mut second] {
                s.write_all(b"hi").expect("write");
                let mut reply = [0u8; 2];
                s.read_exact(&mut reply).expect("served");
            }
            let mut third = connect(srv.addr);
            third.write_all(b"me too").expect("write");
            let said = srv.wait_for(needle);
            assert!(said.is_some(), "{model} {args:?}: never said {needle:?}");
            if args[0] == "--json" {
                let event: Value = serde_json::from_str(&said.unwrap_or_default()).expect("JSON");
                assert_eq!(event["kind"], "note", "{model}: {event}");
            }
            drop(first);
            let mut reply = [0u8; 6];
            third
                .read_exact(&mut reply)
                .unwrap_or_else(|e| panic!("{model}: the third client was never served: {e}"));
            assert_eq!(&reply, b"ME TOO");
            drop((second, third));
            let (status, _, stderr) = srv.stop();
            assert!(status.success(), "{model}: {status:?} {stderr:?}");
        }
    }
}

/// `-q` ("only the data") prints the same lines in all eight models: one data line per
/// message received, then the summary; the address goes to stderr.
#[test]
fn quiet_prints_the_same_lines_in_every_model() {
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    for model in MODELS {
        let srv = Running::start(&["-q"], &["--model", model]);
        let port = srv.addr.port().to_string();
        run_ok(Command::new(BIN).args(["-q", "clients", "--count", "2", "--port", &port]));
        let (status, stdout, stderr) = srv.stop();
        assert!(status.success(), "{model}: {status:?}");
        assert!(
            stderr.iter().any(|l| l.starts_with("Listening on")),
            "{model}: {stderr:?}"
        );
        let mut lines: Vec<String> = stdout.iter().map(|l| without_ports(l)).collect();
        lines.sort();
        seen.push((model.to_string(), lines));
    }
    let expected = vec![
        "127.0.0.1:PORT → \"Hello, world\"".to_string(),
        "127.0.0.1:PORT → \"Hello, world\"".to_string(),
        "Summary: 2 connections served; 24 bytes echoed.".to_string(),
    ];
    for (model, lines) in seen {
        assert_eq!(lines, expected, "{model}: -q printed other lines");
    }
}

/// Ten clients each send 1000 bytes, read their echo, then reset the connection
/// (SO_LINGER 0): every model's summary counts the 10 000 bytes, the thread model's
/// too (it used to count 0 for a connection that ended in an error); in Portuguese,
/// with the words in the plural.
#[test]
fn reset_connections_count_in_every_summary() {
    for model in MODELS {
        let srv = Running::start(&["--json", "--lang", "pt-BR"], &["--model", model]);
        for i in 0..10u64 {
            let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("socket");
            s.connect(&srv.addr.into()).expect("connect");
            s.set_read_timeout(Some(DEADLINE)).expect("timeout");
            let data = pseudo_random(1000, 50 + i).to_ascii_uppercase();
            let mut stream = TcpStream::from(s);
            stream.write_all(&data).expect("write");
            let mut back = vec![0u8; 1000];
            stream.read_exact(&mut back).expect("echo");
            Socket::from(stream)
                .set_linger(Some(Duration::ZERO))
                .expect("linger 0"); // dropped: RST
        }
        let (status, stdout, _) = srv.stop();
        assert!(status.success(), "{model}: {status:?}");
        let summary = stdout
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|e| e["text"].as_str().map(str::to_string))
            .find(|t| t.starts_with("Resumo:"))
            .unwrap_or_else(|| panic!("{model}: no summary in {stdout:#?}"));
        assert_eq!(
            summary, "Resumo: 10 conexões atendidas; 10000 bytes ecoados.",
            "{model}"
        );
    }
}

/// One client, said in the singular, in both languages.
#[test]
fn one_connection_is_said_in_the_singular() {
    for (lang, expected) in [
        ("en", "Summary: 1 connection served; 5 bytes echoed."),
        ("pt-BR", "Resumo: 1 conexão atendida; 5 bytes ecoados."),
    ] {
        let srv = Running::start(&["-q", "--lang", lang], &["--model", "epoll"]);
        assert_eq!(echo(srv.addr, b"hello".to_vec()), b"HELLO");
        let (status, stdout, _) = srv.stop();
        assert!(status.success());
        assert_eq!(
            stdout.last().map(String::as_str),
            Some(expected),
            "{stdout:?}"
        );
    }
}

/// Every model with `--json` under load: 30 clients at once, each sending 3 KB of
/// binary data, while the processes (fork, prefork) or threads (thread, reuseport)
/// share one stdout. Every line is one whole JSON object (each event is one write(2) of
/// at most 4 KB, which a pipe never splits), and the summary counts every byte.
#[test]
fn json_lines_stay_whole_under_load() {
    for model in MODELS {
        let srv = Running::start(&["--json"], &["--model", model, "--transform", "none"]);
        let addr = srv.addr;
        let clients: Vec<_> = (0..30u64)
            .map(|i| {
                thread::spawn(move || {
                    let data = pseudo_random(3 * 1024, 300 + i);
                    echo(addr, data.clone()) == data
                })
            })
            .collect();
        let served = clients
            .into_iter()
            .filter_map(|c| c.join().ok())
            .filter(|&ok| ok)
            .count();
        assert_eq!(served, 30, "{model}: every client got its bytes back");
        let (status, stdout, _) = srv.stop();
        assert!(status.success(), "{model}: {status:?}");
        let broken: Vec<&String> = stdout
            .iter()
            .filter(|l| serde_json::from_str::<Value>(l).is_err())
            .collect();
        assert!(
            broken.is_empty(),
            "{model}: {} of {} stdout lines are not JSON, e.g. {:?}",
            broken.len(),
            stdout.len(),
            broken.first()
        );
        if model == "fork" {
            let from_children = stdout
                .iter()
                .filter(|l| l.contains(r#""role":"child "#))
                .count();
            assert!(
                from_children > 30,
                "the children narrated: {from_children} lines"
            );
        }
        assert!(
            stdout
                .iter()
                .any(|l| l.contains("Summary: 30 connections served; 92160 bytes echoed.")),
            "{model}: the summary counts every byte"
        );
    }
}

/// What Rust's `{:?}` would print, which no output may contain.
const DEBUG_MARKERS: [&str; 19] = [
    "Pid(",
    "Exited(",
    "Signaled(",
    "StillAlive",
    "Some(",
    "None",
    "Ok(",
    "Err(",
    "(Fork)",
    "(Thread)",
    "(Select)",
    "(Poll)",
    "(Epoll)",
    "(IoUring)",
    "(Reuseport)",
    "(Prefork)",
    "Errno",
    "Sys {",
    "Duration",
];

fn assert_no_debug_text(what: &str, lines: &[String]) {
    for line in lines {
        for marker in DEBUG_MARKERS {
            assert!(
                !line.contains(marker),
                "{what}: Rust debug text {marker:?} in {line}"
            );
        }
    }
}

/// No output of any model or lab, in text or JSON, in either language, shows Rust's
/// debug notation (`Exited(Pid(893), 0)`, `(Fork)`): only strace's notation and
/// sentences.
#[test]
fn no_rust_debug_text_in_any_output() {
    for model in MODELS {
        for args in [vec![], vec!["--json"], vec!["--lang", "pt-BR"]] {
            let srv = Running::start(&args, &["--model", model, "--max-clients", "1"]);
            let port = srv.addr.port().to_string();
            let clients = run(
                Command::new(BIN).args([
                    "--json", "clients", "--count", "1", "--hold", "0.2", "--port", &port,
                ]),
                b"",
                DEADLINE,
            );
            assert!(clients.status.success());
            let held = connect(srv.addr);
            let mut waiting = connect(srv.addr); // beyond --max-clients 1
            waiting.write_all(b"x").expect("write");
            drop(held);
            let (status, stdout, stderr) = srv.stop();
            assert!(status.success(), "{model} {args:?}");
            let what = format!("server --model {model} {args:?}");
            assert_no_debug_text(&what, &stdout);
            assert_no_debug_text(&what, &stderr);
            let client_lines: Vec<String> = String::from_utf8_lossy(&clients.stdout)
                .lines()
                .map(str::to_string)
                .collect();
            assert_no_debug_text("clients", &client_lines);
        }
    }
    for lab in ["zombies", "port-change"] {
        for args in [vec!["--json"], vec!["--lang", "pt-BR"], vec![]] {
            let out = run_ok(Command::new(BIN).args(&args).args(["lab", lab]));
            let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .chain(String::from_utf8_lossy(&out.stderr).lines())
                .map(str::to_string)
                .collect();
            assert_no_debug_text(&format!("lab {lab} {args:?}"), &lines);
        }
    }
}

/// `clients --hold 0.5` says the time as each language writes it: `0.50 s`, `0,50 s`.
#[test]
fn figures_use_the_decimal_comma_in_portuguese() {
    let srv = Running::start(&["-qq"], &["--model", "epoll"]);
    let port = srv.addr.port().to_string();
    for (lang, expected) in [
        ("en", "Holding the connections open for 0.50 s…"),
        ("pt-BR", "Mantendo as conexões abertas por 0,50 s…"),
    ] {
        let out = run_ok(Command::new(BIN).args([
            "--lang", lang, "clients", "--count", "1", "--hold", "0.5", "--port", &port,
        ]));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(expected), "{lang}: {text}");
    }
    assert!(srv.stop().0.success());
}

/// `raw-multi --help` names every lab, and `raw-multi lab --help` lists and describes
/// each one.
#[test]
fn help_names_every_lab() {
    let top = run_ok(Command::new(BIN).arg("--help"));
    let top = String::from_utf8_lossy(&top.stdout);
    let lab_line = top
        .lines()
        .find(|l| l.trim_start().starts_with("lab "))
        .unwrap_or_else(|| panic!("no lab line in {top}"));
    for lab in ["zombies", "port-change"] {
        assert!(lab_line.contains(lab), "raw-multi --help: {lab_line}");
    }
    let labs = run_ok(Command::new(BIN).args(["lab", "--help"]));
    let labs = String::from_utf8_lossy(&labs.stdout);
    for (lab, words) in [("zombies", "zombies"), ("port-change", "ephemeral port")] {
        let line = labs
            .lines()
            .find(|l| l.trim_start().starts_with(lab))
            .unwrap_or_else(|| panic!("raw-multi lab --help does not list {lab}: {labs}"));
        assert!(line.contains(words), "{lab}: {line}");
    }
}
