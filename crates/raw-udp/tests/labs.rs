//! The UDP labs are integration tests: each runs, in both languages, and shows its lesson.

use raw_testkit::{listed_commands, Lab};

fn lab() -> Lab {
    Lab::udp(env!("CARGO_BIN_EXE_raw-udp"))
}

/// Two datagrams are two receives; a 12-byte datagram read into 5 bytes reports 12.
#[test]
fn boundaries_lab() {
    let events = lab().run_lab("boundaries");
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
    let events = lab().run_lab("refused");
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
    let help = lab().run_ok(&["lab", "--help"]).text();
    let listed = listed_commands(&help);
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
