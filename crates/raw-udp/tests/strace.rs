//! Narration is honest for UDP too: every narrated call equals strace's line for it,
//! in order, including the demo's TCP comparison run and the server's `rt_sigaction`
//! for SIGINT and SIGTERM.

use raw_testkit::{tool, Events, Lab};

fn lab() -> Lab {
    Lab::udp(env!("CARGO_BIN_EXE_raw-udp"))
}

/// The demo (UDP, then the same message over TCP) matches strace call for call.
#[test]
fn demo_narration_matches_strace() {
    let Some(strace) = tool("strace", "demo_narration_matches_strace") else {
        return;
    };
    lab().traced(&strace, &["demo"]);
}

/// Server and client traced separately, including the server's exit on SIGTERM and a
/// client whose reply is cut (MSG_TRUNC) and one that times out.
#[test]
fn server_and_client_narration_match_strace() {
    let Some(strace) = tool("strace", "server_and_client_narration_match_strace") else {
        return;
    };
    let dir = lab().scratch("pair");
    let srv_trace = dir.join("server.strace");
    let srv = lab().strace(&strace, &srv_trace).server(&["--port", "0"]);
    for (i, extra) in [
        vec!["--message", "Hello, world"],
        vec!["--connect", "--message", "hi"],
    ]
    .iter()
    .enumerate()
    {
        let trace = dir.join(format!("client{i}.strace"));
        let out = lab()
            .strace(&strace, &trace)
            .json()
            .client(srv.port(), extra);
        out.assert_ok();
        lab().assert_narration_is_strace(&out.events(), &trace);
    }
    let trace = dir.join("cut.strace");
    let out = lab()
        .strace(&strace, &trace)
        .json()
        .client(srv.port(), &["--buffer", "3", "--message", "Hello"]);
    assert_eq!(out.status.code(), Some(1));
    lab().assert_narration_is_strace(&out.events(), &trace);
    let (status, events, _) = srv.terminate();
    assert!(status.success());
    let narrated = events.calls();
    assert!(
        narrated[0].starts_with("rt_sigaction(SIGINT, {sa_handler=0x")
            && narrated[1].starts_with("rt_sigaction(SIGTERM, {sa_handler=0x"),
        "{narrated:?}"
    );
    lab().assert_narration_is_strace(&events, &srv_trace);

    let trace = dir.join("timeout.strace");
    let out = lab().strace(&strace, &trace).json().client(
        raw_testkit::free_udp_port(),
        &["--timeout", "0.2", "--message", "x"],
    );
    assert_eq!(out.status.code(), Some(1));
    lab().assert_narration_is_strace(&out.events(), &trace);
}
