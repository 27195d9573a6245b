//! Narration is honest: what the programs print about syscalls is what `strace` shows,
//! call for call, in the same order, with the same arguments and return values.
//! (Only the calls on sockets are compared: `%network` plus `close` of a socket fd,
//! and the server's `rt_sigaction` for SIGINT and SIGTERM.)

use raw_testkit::{tool, Events, Lab, DEADLINE};

fn lab() -> Lab {
    Lab::tcp(env!("CARGO_BIN_EXE_raw-tcp"))
}

/// The demo, traced: every narrated line (socket ... close, and each state probe)
/// equals strace's line for the same call, in the same order.
#[test]
fn demo_narration_matches_strace() {
    let Some(strace) = tool("strace", "demo_narration_matches_strace") else {
        return;
    };
    lab().traced(&strace, &["demo"]);
}

/// The server and the client, each traced in its own process, talking to each other;
/// the server's two `rt_sigaction` lines included, handler address and old action as
/// strace decodes them.
#[test]
fn server_and_client_narration_match_strace() {
    let Some(strace) = tool("strace", "server_and_client_narration_match_strace") else {
        return;
    };
    let dir = lab().scratch("pair");
    let (strace_srv, strace_cli) = (dir.join("server.strace"), dir.join("client.strace"));
    let srv = lab().strace(&strace, &strace_srv).server(&["--port", "0"]);
    let out = lab()
        .strace(&strace, &strace_cli)
        .json()
        .client(srv.port(), &["--timeout", "5"]);
    out.assert_ok();
    lab().assert_narration_is_strace(&out.events(), &strace_cli);
    let (status, events, _) = srv.finish(DEADLINE);
    assert!(status.success());
    let narrated = events.calls();
    assert!(
        narrated[0].starts_with("rt_sigaction(SIGINT, {sa_handler=0x")
            && narrated[1].starts_with("rt_sigaction(SIGTERM, {sa_handler=0x"),
        "{narrated:?}"
    );
    lab().assert_narration_is_strace(&events, &strace_srv);
}

/// Ctrl-C on a waiting server: the interrupted accept (strace's `? ERESTARTSYS`), the
/// close of the listener and both `rt_sigaction` lines match strace.
#[test]
fn stopped_server_matches_strace() {
    let Some(strace) = tool("strace", "stopped_server_matches_strace") else {
        return;
    };
    let trace = lab().scratch("stopped").join("server.strace");
    let srv = lab().strace(&strace, &trace).server(&["--port", "0"]);
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
    let narrated = events.calls();
    assert!(
        narrated.iter().any(|c| c.starts_with("accept4(")
            && c.ends_with("= ? ERESTARTSYS (To be restarted if SA_RESTART is set)")),
        "{narrated:?}"
    );
    lab().assert_narration_is_strace(&events, &trace);
}

/// A failing call is narrated as strace shows it too: `= -1 ECONNREFUSED (...)`.
#[test]
fn failed_calls_match_strace() {
    let Some(strace) = tool("strace", "failed_calls_match_strace") else {
        return;
    };
    let trace = lab().scratch("refused").join("refused.strace");
    let out = lab()
        .strace(&strace, &trace)
        .json()
        .client(raw_testkit::free_port(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let events = out.events();
    assert!(events
        .calls()
        .iter()
        .any(|c| c.ends_with("= -1 ECONNREFUSED (Connection refused)")));
    lab().assert_narration_is_strace(&events, &trace);
}

/// On a failure the socket is still closed by a narrated `close`, so the narration
/// and strace agree on error paths too: a bind that fails (EADDRINUSE) and a client
/// whose server resets the connection (ECONNRESET).
#[test]
fn failure_paths_match_strace() {
    let Some(strace) = tool("strace", "failure_paths_match_strace") else {
        return;
    };
    let dir = lab().scratch("failures");
    let holder = lab().server(&["--port", "0"]);
    let port = holder.port().to_string();
    let trace = dir.join("inuse.strace");
    let out = lab()
        .strace(&strace, &trace)
        .json()
        .run(&["server", "--port", &port], b"");
    assert_eq!(out.status.code(), Some(1));
    let events = out.events();
    assert!(events.calls().iter().any(|c| c.contains("EADDRINUSE")));
    lab().assert_narration_is_strace(&events, &trace);
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
    let out = lab().strace(&strace, &trace).json().client(port, &[]);
    let _ = reset.kill();
    let _ = reset.wait();
    assert_eq!(out.status.code(), Some(1));
    let events = out.events();
    assert!(events.calls().iter().any(|c| c.contains("ECONNRESET")));
    lab().assert_narration_is_strace(&events, &trace);
}
