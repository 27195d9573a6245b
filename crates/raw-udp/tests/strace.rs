//! Narration is honest for UDP too: every narrated call equals strace's line for it,
//! in order, including the demo's TCP comparison run and the server's `rt_sigaction`
//! for SIGINT and SIGTERM.

use raw_testkit::{
    narrated_calls, run_ok, strace_socket_calls, tool, without_restorer, Server, DEADLINE,
};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-udp");

/// `strace -f -e trace=%network,close,rt_sigaction -o out raw-udp`.
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

fn compare(events: &[serde_json::Value], trace: &Path) {
    let narrated: Vec<String> = narrated_calls(events)
        .iter()
        .map(|c| without_restorer(c))
        .collect();
    // The Rust runtime's own rt_sigaction calls (SIGPIPE, SIGSEGV, SIGBUS) are not ours.
    let traced: Vec<String> = strace_socket_calls(&std::fs::read_to_string(trace).expect("trace"))
        .into_iter()
        .filter(|c| {
            c.name != "rt_sigaction"
                || c.call.starts_with("rt_sigaction(SIGINT,")
                || c.call.starts_with("rt_sigaction(SIGTERM,")
        })
        .map(|c| without_restorer(&c.call))
        .collect();
    raw_testkit::assert_same_calls("raw-udp", &narrated, &traced);
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("raw-udp-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The demo (UDP, then the same message over TCP) matches strace call for call.
#[test]
fn demo_narration_matches_strace() {
    let Some(strace) = tool("strace", "demo_narration_matches_strace") else {
        return;
    };
    let trace = tempdir("demo").join("demo.strace");
    let out = run_ok(strace_cmd(&strace, &trace).args(["--json", "demo"]));
    compare(&raw_testkit::json_lines(&out.stdout), &trace);
}

/// Server and client traced separately, including the server's exit on SIGTERM and a
/// client whose reply is cut (MSG_TRUNC) and one that times out.
#[test]
fn server_and_client_narration_match_strace() {
    let Some(strace) = tool("strace", "server_and_client_narration_match_strace") else {
        return;
    };
    let dir = tempdir("pair");
    let srv_trace = dir.join("server.strace");
    let srv =
        Server::start(strace_cmd(&strace, &srv_trace).args(["--json", "server", "--port", "0"]));
    let port = srv.port().to_string();
    for (i, extra) in [
        vec!["--message", "Hello, world"],
        vec!["--connect", "--message", "hi"],
    ]
    .iter()
    .enumerate()
    {
        let trace = dir.join(format!("client{i}.strace"));
        let out = run_ok(
            strace_cmd(&strace, &trace)
                .args(["--json", "client", "--port", &port])
                .args(extra),
        );
        compare(&raw_testkit::json_lines(&out.stdout), &trace);
    }
    let trace = dir.join("cut.strace");
    let out = raw_testkit::run(
        strace_cmd(&strace, &trace).args([
            "--json",
            "client",
            "--buffer",
            "3",
            "--message",
            "Hello",
            "--port",
            &port,
        ]),
        b"",
        DEADLINE,
    );
    assert_eq!(out.status.code(), Some(1));
    compare(&raw_testkit::json_lines(&out.stdout), &trace);
    let (status, events, _) = srv.terminate();
    assert!(status.success());
    let narrated = narrated_calls(&events);
    assert!(
        narrated[0].starts_with("rt_sigaction(SIGINT, {sa_handler=0x")
            && narrated[1].starts_with("rt_sigaction(SIGTERM, {sa_handler=0x"),
        "{narrated:?}"
    );
    compare(&events, &srv_trace);

    let trace = dir.join("timeout.strace");
    let silent = raw_testkit::free_udp_port().to_string();
    let out = raw_testkit::run(
        strace_cmd(&strace, &trace).args([
            "--json",
            "client",
            "--timeout",
            "0.2",
            "--message",
            "x",
            "--port",
            &silent,
        ]),
        b"",
        DEADLINE,
    );
    assert_eq!(out.status.code(), Some(1));
    compare(&raw_testkit::json_lines(&out.stdout), &trace);
}
