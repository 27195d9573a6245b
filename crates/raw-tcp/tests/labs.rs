//! The labs are integration tests: each runs, in both languages, and shows its lesson.

use raw_testkit::{listed_commands, Events, Lab};
use serde_json::Value;

fn lab() -> Lab {
    Lab::tcp(env!("CARGO_BIN_EXE_raw-tcp"))
}

/// Both orders, for real. Client first (lab 1): the TIME-WAIT row is on the client's
/// port, and the server's restart binds even without SO_REUSEADDR. Server first: the
/// TIME-WAIT row is on the server's port, a restart without SO_REUSEADDR fails with
/// EADDRINUSE, and with SO_REUSEADDR the same port binds.
#[test]
fn time_wait_lab() {
    let events = lab().run_lab("time-wait");
    let binds = events.calls_of("bind");
    assert_eq!(binds.len(), 5, "{binds:?}");
    let port = |call: &str| {
        call.split("htons(")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .map(str::to_string)
            .unwrap_or_default()
    };
    // Part 1: listener on port 0, then the restart on its port: bound, no SO_REUSEADDR.
    let first_server = events
        .iter()
        .find(|e| e["syscall"] == "getsockname" && e["role"] == "server")
        .and_then(|e| e["local"].as_str())
        .and_then(|l| l.rsplit(':').next())
        .expect("part 1's port")
        .to_string();
    assert_eq!(port(binds[1]), first_server);
    assert!(
        binds[1].ends_with("= 0"),
        "client closed first: {}",
        binds[1]
    );
    let time_wait: Vec<String> = events
        .iter()
        .filter(|e| e["state"] == "TIME-WAIT" && e["kind"] == "note")
        .filter_map(|e| e["text"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        time_wait.len(),
        2,
        "one TIME-WAIT row per part: {time_wait:?}"
    );
    assert!(
        !time_wait[0].contains(&format!("127.0.0.1:{first_server} →")),
        "part 1: the client's port holds TIME-WAIT, not the server's: {}",
        time_wait[0]
    );
    // Part 2: refused, then bound, on the same port, whose row is in TIME-WAIT.
    assert!(
        binds[3].ends_with("= -1 EADDRINUSE (Address already in use)"),
        "{}",
        binds[3]
    );
    assert!(binds[4].ends_with("= 0"), "{}", binds[4]);
    assert_eq!(
        port(binds[3]),
        port(binds[4]),
        "the same port, refused then bound"
    );
    assert!(
        time_wait[1].contains(&format!("127.0.0.1:{} →", port(binds[3]))),
        "part 2: the server's port holds TIME-WAIT: {}",
        time_wait[1]
    );
}

/// One send of 8 KiB, read with a 1 KiB buffer: eight recvs of 1024 bytes.
#[test]
fn partial_lab() {
    let events = lab().run_lab("partial");
    assert_eq!(events.calls_of("sendto").len(), 1, "one send");
    let reads: Vec<&str> = events
        .calls_of("recvfrom")
        .into_iter()
        .filter(|c| c.ends_with("= 1024"))
        .collect();
    assert_eq!(reads.len(), 8, "eight full reads");
}

/// listen(fd, 1) with four clients: two finish the handshake (the accept queue holds
/// backlog + 1), two stay in SYN-SENT; all four are accepted in the end.
#[test]
fn backlog_lab() {
    let events = lab().run_lab("backlog");
    let states = |s: &str| {
        events
            .iter()
            .filter(|e| e["kind"] == "note" && e["state"] == s)
            .count()
    };
    assert_eq!(states("ESTABLISHED"), 2, "two in the accept queue");
    assert_eq!(states("SYN-SENT"), 2, "two left waiting");
    let accepted = events
        .calls_of("accept4")
        .into_iter()
        .filter(|c| !c.contains("= -1"))
        .count();
    assert_eq!(accepted, 4);
}

/// The Nagle lab runs both ways; only the second client sets TCP_NODELAY.
#[test]
fn nagle_lab() {
    let events = lab().run_lab("nagle");
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
        events.calls_of("sendto").len(),
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
    let events = lab().run_lab("localhost");
    let connects = events.calls_of("connect");
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

/// A new user types `raw-tcp lab --help` (and `raw-tcp --help`): every lab is named in
/// the summary line and listed with a description, none forgotten.
#[test]
fn lab_help_lists_and_describes_every_lab() {
    let labs = [
        "time-wait",
        "partial",
        "backlog",
        "nagle",
        "localhost",
        "states",
    ];
    let help = lab().run_ok(&["lab", "--help"]).text();
    let listed = listed_commands(&help);
    assert_eq!(
        listed.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        labs,
        "{help}"
    );
    let summary: String = help.split("\n\n").next().unwrap_or("").replace('\n', " ");
    for (name, about) in &listed {
        assert!(
            summary.contains(name.as_str()),
            "{name} missing from {summary:?}"
        );
        assert!(about.len() > 20, "{name} has no description: {help}");
        let one = lab().run_ok(&["lab", name, "--help"]);
        assert!(!one.stdout.is_empty());
    }
    let top = lab()
        .run_ok(&["--help"])
        .text()
        .replace('\n', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for name in labs {
        assert!(top.contains(name), "raw-tcp --help omits {name}: {top}");
    }
}

/// The time-wait lab runs without SO_REUSEADDR on purpose and says so; its hint
/// names the TIME-WAIT connection by its two ends and never claims the student typed
/// `--no-reuseaddr` (nobody did), in either language.
#[test]
fn time_wait_lab_says_what_it_did() {
    for (lang, on_purpose, hint) in [
        (
            "en",
            "first WITHOUT SO_REUSEADDR (this lab leaves it off on purpose",
            "hint: this socket did not set SO_REUSEADDR, and 1 connection on port",
        ),
        (
            "pt-BR",
            "primeiro SEM SO_REUSEADDR (este laboratório o deixa desligado de propósito",
            "dica: este socket não ativou o SO_REUSEADDR, e 1 conexão na porta",
        ),
    ] {
        let text = lab().lang(lang).run_ok(&["lab", "time-wait"]).text();
        assert!(!text.contains("--no-reuseaddr"), "{lang}: {text}");
        assert!(text.contains(on_purpose), "{lang}: {text}");
        let line = text
            .lines()
            .find(|l| l.contains(hint))
            .unwrap_or_else(|| panic!("{lang}: no hint {hint:?} in {text}"));
        assert!(line.contains(" ↔ 127.0.0.1:"), "the 4-tuple: {line}");
        assert!(line.contains("TIME-WAIT"), "{line}");
    }
}
