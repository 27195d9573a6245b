//! `raw-bench` never reports a wrong figure, never hangs, never leaks a process and
//! never panics. Each test starts the real binary against real servers on loopback
//! (ours, or Python's `socketserver` as the course writes it) and checks what a user
//! would see.

use raw_testkit::{json_lines, run, tool, DEADLINE};
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod children;
#[allow(unused_imports)]
use children::*;
mod figures;
#[allow(unused_imports)]
use figures::*;

/// Held by every test that starts a server on a port chosen with `free_port` (a port
/// free a moment ago): run side by side, one could bind the port another just chose, and
/// that one would load the wrong server (or none: ECONNREFUSED). `compare` and `costs`
/// start a dozen servers each.
static MANY_PORTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn many_ports() -> std::sync::MutexGuard<'static, ()> {
    MANY_PORTS.lock().unwrap_or_else(|e| e.into_inner())
}

fn bench() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_raw-bench"));
    cmd.env("LANG", "C");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A Python server on a free port, killed when dropped. `script` gets the port as
/// `sys.argv[1]` and any `args` after it.
struct Python(Child, u16);

impl Python {
    fn start(python: &std::path::Path, script: &str, args: &[&str]) -> Python {
        let port = raw_testkit::free_port();
        let child = Command::new(python)
            .args(["-c", script, &port.to_string()])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn python3");
        assert!(
            raw_testkit::wait_for_state(port, "LISTEN"),
            "the Python server never listened on {port}"
        );
        Python(child, port)
    }

    fn target(&self) -> String {
        format!("127.0.0.1:{}", self.1)
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A server that listens with a backlog of 1 and never calls accept: the first
/// connections complete in its queue, every later SYN is dropped.
const NEVER_ACCEPTS: &str = r#"
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
time.sleep(120)
"#;

/// A student loads the course's own Python server (`ThreadingTCPServer`, listen
/// backlog 5) with 16 clients for 1 s: the SYNs that overflow its accept queue are
/// retransmitted after 1 s, so connecting takes about a second. The window must open
/// only after that, count real round trips, and say why connecting was slow.
#[test]
fn load_measures_only_once_every_connection_is_made() {
    let _alone = many_ports();
    let Some(python) = tool(
        "python3",
        "load_measures_only_once_every_connection_is_made",
    ) else {
        return;
    };
    let server = Python::start(&python, bench::PYTHON_THREADED_SERVER, &["5"]);
    let out = run(
        bench()
            .args(["--json", "load", "--target", &server.target()])
            .args(["--clients", "16", "--duration", "1s"]),
        b"",
        DEADLINE,
    );
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let events = json_lines(&out.stdout);
    let summary = events.last().expect("a summary line");
    assert_eq!(summary["connect"]["wanted"], 16);
    assert_eq!(summary["connect"]["established"], 16, "{summary}");
    assert!(
        summary["round_trips"].as_u64().unwrap_or(0) > 100,
        "{summary}"
    );
    let window = summary["window_s"].as_f64().unwrap_or(0.0);
    assert!((0.9..3.0).contains(&window), "window {window} s: {summary}");
    // The same in text: the connect phase is said before the figure.
    let out = run(
        bench().args(["load", "--target", &server.target()]).args([
            "--clients",
            "16",
            "--duration",
            "1s",
        ]),
        b"",
        DEADLINE,
    );
    let said = text(&out.stdout);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let connect = said
        .find("connect: 16 of 16")
        .expect("the connect phase is said");
    let figure = said.find("round trips (").expect("the figure");
    assert!(connect < figure, "{said}");
}

/// Against a server that never accepts, 5200 clients (as many as the fd limit
/// allows) must not hang: the connect phase ends at --connect-timeout, says how many
/// were given up, and since no round trip can complete, the run is an error (exit 1)
/// that says why — never "0 round trips" with exit 0.
#[test]
fn a_full_accept_queue_neither_hangs_nor_reports_zero() {
    let Some(python) = tool(
        "python3",
        "a_full_accept_queue_neither_hangs_nor_reports_zero",
    ) else {
        return;
    };
    let _alone = many_ports();
    let server = Python::start(&python, NEVER_ACCEPTS, &[]);
    let clients = match nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE) {
        Ok((_, hard)) if hard >= 6000 => "5200",
        _ => "500",
    };
    let started = Instant::now();
    let out = run(
        bench()
            .args(["load", "--target", &server.target(), "--clients", clients])
            .args(["--connect-timeout", "2s", "--duration", "1s"]),
        b"",
        DEADLINE,
    );
    let (said, err) = (text(&out.stdout), text(&out.stderr));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1), "stdout: {said}\nstderr: {err}");
    assert!(said.contains("were given up"), "{said}");
    // Either the few that got into the queue were never answered, or (on a loaded
    // machine) not even those completed their handshake: both are said as such.
    assert!(
        err.contains("no round trip completed") || err.contains("connect(2) failed: ETIMEDOUT"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Bad numbers are refused before anything runs: exit 2 with clap's message, never an
/// allocation abort (--size 99999999999) or a "success" that measured nothing.
#[test]
fn bad_numbers_are_usage_errors() {
    for args in [
        &["latency", "--size", "99999999999"][..],
        &["latency", "--size", "0"],
        &["load", "--clients", "0"],
        &["load", "--rate", "0"],
        &["load", "--rate=-5"],
        &["load", "--duration", "0s"],
        &["compare", "--size", "70000"],
    ] {
        let out = run(bench().args(args), b"", DEADLINE);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("invalid value"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// A failure names the syscall that failed: a refused TCP connect is connect(2)
/// ECONNREFUSED with the TCP hint; a datagram over 65507 bytes is sendto(2) EMSGSIZE.
#[test]
fn failures_name_their_syscall() {
    let _alone = many_ports();
    let closed = raw_testkit::free_port();
    let out = run(
        bench().args(["latency", "--target", &format!("127.0.0.1:{closed}")]),
        b"",
        DEADLINE,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("connect(2) failed: ECONNREFUSED"), "{err}");
    assert!(err.contains("SYN with RST"), "the TCP hint: {err}");

    let out = run(
        bench().args([
            "latency",
            "--proto",
            "udp",
            "--size",
            "70000",
            "--duration",
            "1s",
        ]),
        b"",
        DEADLINE,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("sendto(2) failed: EMSGSIZE"), "{err}");
}

/// `raw-bench compare | head -1`: the reader leaves after one line; raw-bench stops
/// quietly (exit 0, no panic, no message).
#[test]
fn a_closed_pipe_ends_quietly() {
    let _alone = many_ports();
    let mut child = bench()
        .args(["compare", "--duration", "1s", "--clients", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("spawn raw-bench");
    let mut first = String::new();
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    reader.read_line(&mut first).expect("first line");
    assert!(first.contains("round trip"), "{first}");
    drop(reader); // what `head -1` does after its line
    let out = raw_testkit::wait_output(child, DEADLINE);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// `--help` offers only what works: no --capture, no --step.
#[test]
fn help_offers_only_what_works() {
    for args in [
        &["--help"][..],
        &["latency", "--help"],
        &["load", "--help"],
        &["compare", "--help"],
    ] {
        let out = run(bench().args(args), b"", DEADLINE);
        let help = text(&out.stdout);
        assert!(out.status.success(), "{args:?}");
        assert!(!help.contains("--capture"), "{args:?}: {help}");
        assert!(!help.contains("--step"), "{args:?}: {help}");
    }
}
