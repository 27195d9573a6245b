//! The UDP labs are integration tests: each runs, in both languages, and shows its lesson.

use raw_testkit::{json_lines, run_ok};
use serde_json::Value;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-udp");

fn lab(name: &str) -> Vec<Value> {
    run_ok(Command::new(BIN).args(["--lang", "pt-BR", "lab", name]));
    json_lines(&run_ok(Command::new(BIN).args(["--json", "lab", name])).stdout)
}

/// Two datagrams are two receives; a 12-byte datagram read into 5 bytes reports 12.
#[test]
fn boundaries_lab() {
    let events = lab("boundaries");
    let received: Vec<&str> = events
        .iter()
        .filter(|e| e["syscall"] == "recvfrom" && e["role"] == "server")
        .filter_map(|e| e["call"].as_str())
        .collect();
    assert!(
        received[0].starts_with("recvfrom(")
            && received[0].contains("\"one\"")
            && received[0].ends_with("= 3"),
        "{received:?}"
    );
    assert!(
        received[1].contains("\"two\"") && received[1].ends_with("= 3"),
        "{received:?}"
    );
    assert!(
        received[2].contains("\"Hello\", 5, MSG_TRUNC") && received[2].ends_with("= 12"),
        "{received:?}"
    );
}

/// No server: the connected socket hears ECONNREFUSED, the unconnected one EAGAIN.
#[test]
fn refused_lab() {
    let events = lab("refused");
    let failed = |role: &str| {
        events
            .iter()
            .find(|e| e["syscall"] == "recvfrom" && e["role"] == role)
            .and_then(|e| e["errno"].as_str())
            .map(str::to_string)
    };
    assert_eq!(failed("connected").as_deref(), Some("ECONNREFUSED"));
    assert_eq!(failed("unconnected").as_deref(), Some("EAGAIN"));
}

/// A new user types `raw-udp lab --help`: every lab is named in the summary line and
/// listed with a description.
#[test]
fn lab_help_lists_and_describes_every_lab() {
    let help = String::from_utf8_lossy(&run_ok(Command::new(BIN).args(["lab", "--help"])).stdout)
        .into_owned();
    let listed: Vec<(String, String)> = help
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or("")
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let name = words.next()?.to_string();
            Some((name, words.collect::<Vec<_>>().join(" ")))
        })
        .filter(|(name, _)| name != "help")
        .collect();
    assert_eq!(
        listed.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["boundaries", "refused"],
        "{help}"
    );
    let summary = help.split("\n\n").next().unwrap_or("").replace('\n', " ");
    for (name, about) in &listed {
        assert!(
            summary.contains(name.as_str()),
            "{name} missing from {summary:?}"
        );
        assert!(about.len() > 20, "{name} has no description: {help}");
    }
}
