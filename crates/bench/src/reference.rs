//! The reference programs our figures are put beside: sockperf, iperf3 and the
//! assignment-style Python threaded server.

use crate::server::{spawn_failed, wait_listening};
use crate::{free_port, Guard, Proto, Result, Running};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Whether `program --version` runs (is it installed?).
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// sockperf's own ping-pong (its server and its client) on a free port: the full
/// round trip's median and 99th percentile in microseconds (`--full-rtt`; without it
/// sockperf prints half the round trip). `None` when sockperf is not installed.
pub fn sockperf(proto: Proto, size: usize, duration: Duration) -> Result<Option<(f64, f64)>> {
    if !installed("sockperf") {
        return Ok(None);
    }
    let port = free_port(proto)?;
    let port_arg = port.to_string();
    let flag: &[&str] = if proto == Proto::Tcp { &["--tcp"] } else { &[] };
    let _server = Guard::spawn(
        Command::new("sockperf")
            .arg("server")
            .args(flag)
            .args(["-i", "127.0.0.1", "-p", &port_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(spawn_failed)?;
    wait_listening(proto, port)?;
    let secs = duration.as_secs().max(1).to_string();
    let out = raw_core::sys::die_with_parent(
        Command::new("sockperf")
            .arg("ping-pong")
            .args(flag)
            .args(["-i", "127.0.0.1", "-p", &port_arg, "-t", &secs])
            .args(["-m", &size.max(14).to_string(), "--full-rtt"]),
    )
    .stdin(Stdio::null())
    .output()
    .map_err(spawn_failed)?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let pct = |p: &str| {
        text.lines()
            .find(|l| l.contains(&format!("percentile {p} =")))
            .and_then(|l| l.rsplit('=').next()?.trim().parse::<f64>().ok())
    };
    Ok(pct("50.000").zip(pct("99.000")))
}

/// The assignment-style Python echo server: `socketserver.ThreadingTCPServer`, one
/// thread per client. `backlog` is its `request_queue_size`, the `listen()` backlog
/// (Python's default is 5).
pub const PYTHON_THREADED_SERVER: &str = r#"
import socket, socketserver, sys
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            data = self.request.recv(65536)
            if not data:
                break
            self.request.sendall(data)
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer.request_queue_size = int(sys.argv[2])  # listen() backlog
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
"#;

/// A Python threaded echo server in the assignment's style (`socketserver`, one thread
/// per client) with a listen backlog of 1024, for comparison. `None` without python3.
pub fn python_threaded_server() -> Result<Option<Running>> {
    if !installed("python3") {
        return Ok(None);
    }
    let port = free_port(Proto::Tcp)?;
    let child = Guard::spawn(
        Command::new("python3")
            .args(["-c", PYTHON_THREADED_SERVER, &port.to_string(), "1024"])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(spawn_failed)?;
    wait_listening(Proto::Tcp, port)?;
    Ok(Some(Running {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    }))
}

/// iperf3's one-way TCP rate over loopback for `duration` (bytes/s), as the reference
/// for bulk echo. `None` when iperf3 is not installed.
pub fn iperf3(duration: Duration) -> Result<Option<f64>> {
    if !installed("iperf3") {
        return Ok(None);
    }
    let port = free_port(Proto::Tcp)?;
    let port_arg = port.to_string();
    let _server = Guard::spawn(
        Command::new("iperf3")
            .args(["-s", "-1", "-B", "127.0.0.1", "-p", &port_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(spawn_failed)?;
    wait_listening(Proto::Tcp, port)?;
    let secs = duration.as_secs().max(1).to_string();
    let out = raw_core::sys::die_with_parent(Command::new("iperf3").args([
        "-c",
        "127.0.0.1",
        "-p",
        &port_arg,
        "-t",
        &secs,
        "-J",
    ]))
    .stdin(Stdio::null())
    .output()
    .map_err(spawn_failed)?;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    Ok(report["end"]["sum_received"]["bits_per_second"]
        .as_f64()
        .map(|bits| bits / 8.0))
}
