//! The labs are integration tests: each runs, in both languages, and shows its lesson.

use raw_testkit::{json_lines, run_ok};
use serde_json::Value;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-tcp");

fn lab(name: &str) -> Vec<Value> {
    run_ok(Command::new(BIN).args(["--lang", "pt-BR", "lab", name])); // runs in Portuguese too
    json_lines(&run_ok(Command::new(BIN).args(["--json", "lab", name])).stdout)
}

fn calls<'a>(events: &'a [Value], syscall: &str) -> Vec<&'a str> {
    events
        .iter()
        .filter(|e| e["syscall"] == syscall && e["kind"] == "syscall")
        .filter_map(|e| e["call"].as_str())
        .collect()
}

/// A restart without SO_REUSEADDR fails with EADDRINUSE while TIME-WAIT holds the port;
/// with SO_REUSEADDR the same port binds.
#[test]
fn time_wait_lab() {
    let events = lab("time-wait");
    let binds = calls(&events, "bind");
    assert_eq!(binds.len(), 3, "{binds:?}");
    assert!(
        binds[1].ends_with("= -1 EADDRINUSE (Address already in use)"),
        "{}",
        binds[1]
    );
    assert!(binds[2].ends_with("= 0"), "{}", binds[2]);
    let port = |call: &str| {
        call.split("htons(")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .map(str::to_string)
    };
    assert_eq!(
        port(binds[1]),
        port(binds[2]),
        "the same port, refused then bound"
    );
    assert!(events
        .iter()
        .any(|e| e["state"] == "TIME-WAIT" && e["kind"] == "note"));
}

/// One send of 8 KiB, read with a 1 KiB buffer: eight recvs of 1024 bytes.
#[test]
fn partial_lab() {
    let events = lab("partial");
    assert_eq!(calls(&events, "sendto").len(), 1, "one send");
    let reads: Vec<&str> = calls(&events, "recvfrom")
        .into_iter()
        .filter(|c| c.ends_with("= 1024"))
        .collect();
    assert_eq!(reads.len(), 8, "eight full reads");
}

/// listen(fd, 1) with four clients: two finish the handshake (the accept queue holds
/// backlog + 1), two stay in SYN-SENT; all four are accepted in the end.
#[test]
fn backlog_lab() {
    let events = lab("backlog");
    let states = |s: &str| {
        events
            .iter()
            .filter(|e| e["kind"] == "note" && e["state"] == s)
            .count()
    };
    assert_eq!(states("ESTABLISHED"), 2, "two in the accept queue");
    assert_eq!(states("SYN-SENT"), 2, "two left waiting");
    let accepted = calls(&events, "accept4")
        .into_iter()
        .filter(|c| !c.contains("= -1"))
        .count();
    assert_eq!(accepted, 4);
}

/// The Nagle lab runs both ways; only the second client sets TCP_NODELAY.
#[test]
fn nagle_lab() {
    let events = lab("nagle");
    let nodelay: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["call"]
                .as_str()
                .is_some_and(|c| c.contains("TCP_NODELAY"))
        })
        .collect();
    assert_eq!(nodelay.len(), 1, "TCP_NODELAY set once");
    assert_eq!(nodelay[0]["role"], "client, TCP_NODELAY");
    assert_eq!(
        calls(&events, "sendto").len(),
        2 * 6 * 3,
        "6 rounds of 2 writes + 1 reply, twice"
    );
    assert!(events
        .iter()
        .any(|e| e["text"].as_str().is_some_and(|t| t.starts_with("Seen:"))));
}

/// "localhost": the first address tried (::1) fails, the next (127.0.0.1) connects.
#[test]
fn localhost_lab() {
    let events = lab("localhost");
    let connects = calls(&events, "connect");
    assert!(connects.len() >= 2, "{connects:?}");
    assert!(
        connects[0].contains("AF_INET6") && connects[0].contains("= -1 "),
        "{}",
        connects[0]
    );
    assert!(
        connects
            .last()
            .is_some_and(|c| c.contains("127.0.0.1") && c.ends_with("= 0")),
        "{connects:?}"
    );
}
