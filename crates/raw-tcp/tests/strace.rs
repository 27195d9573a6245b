//! Narration is honest: what the programs print about syscalls is what `strace` shows,
//! call for call, in the same order, with the same arguments and return values.
//! (Only the calls on sockets are compared: `%network` plus `close` of a socket fd,
//! and the server's `rt_sigaction` for SIGINT and SIGTERM.)

use raw_testkit::{
    narrated_calls, run, run_ok, strace_socket_calls, tool, without_restorer, Server, DEADLINE,
};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-tcp");

/// `strace -f -e trace=%network,close,rt_sigaction -o out raw-tcp`.
fn strace_cmd(strace: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(strace);
    cmd.args([
        "-f",
        "-qq",
        "-e",
        "signal=none",
        "-e",
        "trace=%network,close,rt_sigaction",
        "-o",
    ])
    .arg(out)
    .arg(BIN);
    cmd
}

fn compare(narrated: Vec<String>, traced: &str) {
    // The Rust runtime's own rt_sigaction calls (SIGPIPE, SIGSEGV, SIGBUS) are not ours.
    let traced: Vec<String> = strace_socket_calls(traced)
        .into_iter()
        .filter(|c| {
            c.name != "rt_sigaction"
                || c.call.starts_with("rt_sigaction(SIGINT,")
                || c.call.starts_with("rt_sigaction(SIGTERM,")
        })
        .map(|c| without_restorer(&c.call))
        .collect();
    let narrated: Vec<String> = narrated.iter().map(|c| without_restorer(c)).collect();
    raw_testkit::assert_same_calls("raw-tcp", &narrated, &traced);
}

/// The demo, traced: every narrated line (socket ... close, and each state probe)
/// equals strace's line for the same call, in the same order.
#[test]
fn demo_narration_matches_strace() {
    let Some(strace) = tool("strace", "demo_narration_matches_strace") else {
        return;
    };
    let dir = tempdir("demo");
    let trace = dir.join("demo.strace");
    let out = run_ok(strace_cmd(&strace, &trace).args(["--json", "demo"]));
    let events = raw_testkit::json_lines(&out.stdout);
    compare(
        narrated_calls(&events),
        &std::fs::read_to_string(&trace).expect("trace"),
    );
}

/// The server and the client, each traced in its own process, talking to each other;
/// the server's two `rt_sigaction` lines included, handler address and old action as
/// strace decodes them.
#[test]
fn server_and_client_narration_match_strace() {
    let Some(strace) = tool("strace", "server_and_client_narration_match_strace") else {
        return;
    };
    let dir = tempdir("pair");
    let (strace_srv, strace_cli) = (dir.join("server.strace"), dir.join("client.strace"));
    let srv =
        Server::start(strace_cmd(&strace, &strace_srv).args(["--json", "server", "--port", "0"]));
    let out = run(
        strace_cmd(&strace, &strace_cli).args([
            "--json",
            "client",
            "--timeout",
            "5",
            "--port",
            &srv.port().to_string(),
        ]),
        b"",
        DEADLINE,
    );
    assert!(
        out.status.success(),
        "client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    compare(
        narrated_calls(&raw_testkit::json_lines(&out.stdout)),
        &std::fs::read_to_string(&strace_cli).expect("client trace"),
    );
    let (status, events, _) = srv.finish(DEADLINE);
    assert!(status.success());
    let narrated = narrated_calls(&events);
    assert!(
        narrated[0].starts_with("rt_sigaction(SIGINT, {sa_handler=0x")
            && narrated[1].starts_with("rt_sigaction(SIGTERM, {sa_handler=0x"),
        "{narrated:?}"
    );
    compare(
        narrated,
        &std::fs::read_to_string(&strace_srv).expect("server trace"),
    );
}

/// Ctrl-C on a waiting server: the interrupted accept (strace's `? ERESTARTSYS`), the
/// close of the listener and both `rt_sigaction` lines match strace.
#[test]
fn stopped_server_matches_strace() {
    let Some(strace) = tool("strace", "stopped_server_matches_strace") else {
        return;
    };
    let trace = tempdir("stopped").join("server.strace");
    let srv = Server::start(strace_cmd(&strace, &trace).args(["--json", "server", "--port", "0"]));
    // The traced server is strace's child: signal it once it waits in accept
    // (/proc/PID/wchan), so that the accept is what the signal interrupts.
    let pid = srv.pid();
    let server = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .and_then(|c| c.parse::<u32>().ok())
        .expect("strace's child");
    raw_testkit::sleeps_in(server, "accept");
    let (status, events, stderr) = srv.terminate();
    assert!(status.success(), "{status:?}: {stderr}");
    let narrated = narrated_calls(&events);
    assert!(
        narrated.iter().any(|c| c.starts_with("accept4(")
            && c.ends_with("= ? ERESTARTSYS (To be restarted if SA_RESTART is set)")),
        "{narrated:?}"
    );
    compare(narrated, &std::fs::read_to_string(&trace).expect("trace"));
}

/// A failing call is narrated as strace shows it too: `= -1 ECONNREFUSED (...)`.
#[test]
fn failed_calls_match_strace() {
    let Some(strace) = tool("strace", "failed_calls_match_strace") else {
        return;
    };
    let dir = tempdir("refused");
    let trace = dir.join("refused.strace");
    let port = raw_testkit::free_port().to_string();
    let out = run(
        strace_cmd(&strace, &trace).args(["--json", "client", "--port", &port]),
        b"",
        DEADLINE,
    );
    assert_eq!(out.status.code(), Some(1));
    let events = raw_testkit::json_lines(&out.stdout);
    let narrated = narrated_calls(&events);
    assert!(narrated
        .iter()
        .any(|c| c.ends_with("= -1 ECONNREFUSED (Connection refused)")));
    compare(narrated, &std::fs::read_to_string(&trace).expect("trace"));
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("raw-tcp-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// On a failure the socket is still closed by a narrated `close`, so the narration
/// and strace agree on error paths too: a bind that fails (EADDRINUSE) and a client
/// whose server resets the connection (ECONNRESET).
#[test]
fn failure_paths_match_strace() {
    let Some(strace) = tool("strace", "failure_paths_match_strace") else {
        return;
    };
    let dir = tempdir("failures");
    let holder = Server::start(Command::new(BIN).args(["--json", "server", "--port", "0"]));
    let port = holder.port().to_string();
    let trace = dir.join("inuse.strace");
    let out = run(
        strace_cmd(&strace, &trace).args(["--json", "server", "--port", &port]),
        b"",
        DEADLINE,
    );
    assert_eq!(out.status.code(), Some(1));
    let events = raw_testkit::json_lines(&out.stdout);
    assert!(narrated_calls(&events)
        .iter()
        .any(|c| c.contains("EADDRINUSE")));
    compare(
        narrated_calls(&events),
        &std::fs::read_to_string(&trace).expect("trace"),
    );
    drop(holder);

    let Some(python) = tool("python3", "failure_paths_match_strace") else {
        return;
    };
    let script = r#"
import socket, struct
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
print(l.getsockname()[1], flush=True)
c, _ = l.accept(); c.recv(100)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
"#;
    let (mut reset, port) = raw_testkit::python_peer(&python, script);
    let trace = dir.join("reset.strace");
    let out = run(
        strace_cmd(&strace, &trace).args(["--json", "client", "--port", &port.to_string()]),
        b"",
        DEADLINE,
    );
    let _ = reset.kill();
    let _ = reset.wait();
    assert_eq!(out.status.code(), Some(1));
    let events = raw_testkit::json_lines(&out.stdout);
    assert!(narrated_calls(&events)
        .iter()
        .any(|c| c.contains("ECONNRESET")));
    compare(
        narrated_calls(&events),
        &std::fs::read_to_string(&trace).expect("trace"),
    );
}
