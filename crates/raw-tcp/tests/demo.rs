//! `raw-tcp demo`, the README's first command: both sides interleaved, each socket's
//! TCP state as the kernel reports it, and source lines that point at the real code.

use raw_testkit::{json_lines, run_ok};
use serde_json::Value;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-tcp");

fn demo(args: &[&str]) -> Vec<Value> {
    let out = run_ok(Command::new(BIN).args(["--json", "demo"]).args(args));
    json_lines(&out.stdout)
}

/// The states a lecturer expects, in order, each read from the kernel: the listener
/// CLOSED → LISTEN; both ends ESTABLISHED; after the client's FIN, FIN-WAIT-2 on the
/// client and CLOSE-WAIT on the server; TIME-WAIT on the client, which closed first.
#[test]
fn demo_walks_through_the_tcp_states() {
    let events = demo(&[]);
    let states: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["state"].is_string())
        .map(|e| {
            (
                e["role"].as_str().unwrap_or("").to_string(),
                e["state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let seq = |role: &str| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for (r, s) in &states {
            if r == role && v.last() != Some(s) {
                v.push(s.clone());
            }
        }
        v
    };
    let server = seq("server");
    let client = seq("client");
    let pos = |v: &Vec<String>, s: &str| {
        v.iter()
            .position(|x| x == s)
            .unwrap_or_else(|| panic!("{s} missing in {v:?}"))
    };
    assert!(
        pos(&server, "CLOSED") < pos(&server, "LISTEN"),
        "{server:?}"
    );
    assert!(
        pos(&server, "ESTABLISHED") < pos(&server, "CLOSE-WAIT"),
        "{server:?}"
    );
    assert!(
        pos(&client, "ESTABLISHED") < pos(&client, "FIN-WAIT-2"),
        "{client:?}"
    );
    assert!(
        pos(&client, "FIN-WAIT-2") < pos(&client, "TIME-WAIT"),
        "{client:?}"
    );
    let tw = events
        .iter()
        .find(|e| e["state"] == "TIME-WAIT")
        .expect("TIME-WAIT note");
    assert_eq!(
        tw["kind"], "note",
        "TIME-WAIT comes from the kernel table, after close"
    );
    assert_eq!(tw["role"], "client");
}

/// Every narrated source line is real: the line named in `source` holds the call to the
/// step that made that syscall.
#[test]
fn narrated_source_lines_point_at_the_calls() {
    let events = demo(&[]);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut checked = 0;
    for e in events.iter().filter(|e| e["kind"] == "syscall") {
        let source = e["source"].as_str().expect("source");
        let (file, line) = source.rsplit_once(':').expect("file:line");
        let text =
            std::fs::read_to_string(root.join(file)).unwrap_or_else(|_| panic!("read {file}"));
        let line_text = text
            .lines()
            .nth(line.parse::<usize>().expect("line") - 1)
            .expect("line exists");
        let step = match e["syscall"].as_str().expect("syscall") {
            "socket" => "steps::socket(",
            "setsockopt" => "steps::set_",
            "bind" => "steps::bind(",
            "getsockname" => "steps::getsockname(",
            "listen" => "steps::listen(",
            "accept4" => "steps::accept(",
            "connect" => "steps::connect(",
            "sendto" => "steps::send_all(",
            "recvfrom" => "steps::recv(",
            "shutdown" => "steps::shutdown_write(",
            "close" => "steps::close(",
            other => panic!("unexpected syscall {other}"),
        };
        assert!(
            line_text.contains(step),
            "{source} is `{}`, expected {step}",
            line_text.trim()
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} syscalls narrated");
}

/// The demo runs over IPv6 too, and in Portuguese.
#[test]
fn demo_runs_over_ipv6_in_portuguese() {
    if !raw_testkit::has_ipv6() {
        raw_testkit::skip("demo_runs_over_ipv6_in_portuguese", "no IPv6 loopback here");
        return;
    }
    let events = demo(&["--host", "::1", "--lang", "pt-BR"]);
    assert!(events
        .iter()
        .any(|e| e["text"].as_str().is_some_and(|t| t.contains("Vinculado"))));
    assert!(events
        .iter()
        .any(|e| e["kind"] == "data" && e["data"] == "\"HELLO, WORLD\""));
}

/// The text of the first `syscall` event of `name` by `role`.
fn said(events: &[Value], role: &str, name: &str) -> String {
    events
        .iter()
        .find(|e| e["kind"] == "syscall" && e["role"] == role && e["syscall"] == name)
        .and_then(|e| e["text"].as_str())
        .unwrap_or_else(|| panic!("no {role} {name} event"))
        .to_string()
}

/// The demo binds port 0: the narration says that port 0 asks the kernel to choose, and
/// `getsockname` names the port it chose (never "the socket now owns 127.0.0.1:0"). The
/// client never binds: its port came from `connect`, an implicit bind.
#[test]
fn port_zero_and_the_implicit_bind_are_told_as_they_are() {
    for lang in ["en", "pt-BR"] {
        let events = demo(&["--lang", lang]);
        let bind = said(&events, "server", "bind");
        assert!(!bind.contains(":0."), "{lang}: {bind}");
        assert!(
            bind.contains("port 0 asks the kernel") || bind.contains("porta 0 pede ao kernel"),
            "{lang}: {bind}"
        );
        let port = events
            .iter()
            .find(|e| e["role"] == "server" && e["syscall"] == "getsockname")
            .and_then(|e| e["local"].as_str())
            .and_then(|l| l.rsplit(':').next())
            .expect("the server's getsockname names its address")
            .to_string();
        assert_ne!(port, "0");
        let name = said(&events, "server", "getsockname");
        assert!(name.contains(&format!(" {port}, ")), "{lang}: {name}");
        let client = said(&events, "client", "getsockname");
        assert!(
            client.contains("implicit bind") || client.contains("bind implícito"),
            "{lang}: {client}"
        );
        assert!(
            !client.contains("bind gave") && !client.contains("bind deu"),
            "{lang}: {client}"
        );
    }
}
