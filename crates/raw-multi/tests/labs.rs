//! The multi-client lab is an integration test: N clients, N ephemeral ports, one
//! server port.

use raw_testkit::{json_lines, run_ok};
use std::collections::HashSet;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-multi");

#[test]
fn port_change_lab() {
    run_ok(Command::new(BIN).args(["--lang", "pt-BR", "lab", "port-change"]));
    let events = json_lines(
        &run_ok(Command::new(BIN).args(["--json", "lab", "port-change", "--clients", "4"])).stdout,
    );
    let client_ports: HashSet<String> = events
        .iter()
        .filter(|e| e["syscall"] == "getsockname" && e["role"] == "client")
        .filter_map(|e| e["local"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        client_ports.len(),
        4,
        "four ephemeral ports: {client_ports:?}"
    );
    let server_port = events
        .iter()
        .find(|e| e["syscall"] == "getsockname" && e["role"] == "server")
        .and_then(|e| e["local"].as_str())
        .expect("server port");
    let tuples: Vec<&str> = events
        .iter()
        .filter(|e| e["kind"] == "note" && e["local"].is_string())
        .filter_map(|e| e["local"].as_str())
        .collect();
    assert_eq!(tuples.len(), 4);
    assert!(
        tuples.iter().all(|l| *l == server_port),
        "every connection on the server's port"
    );
    let summary = events
        .iter()
        .filter_map(|e| e["text"].as_str())
        .find(|t| t.starts_with("Seen:"))
        .expect("summary");
    assert!(summary.contains("1 LISTEN + 4 ESTABLISHED"), "{summary}");
}

/// Children that exited are zombies until reaped; after the waitpid loop, none is left.
#[test]
fn zombies_lab() {
    run_ok(Command::new(BIN).args(["--lang", "pt-BR", "lab", "zombies"]));
    let events = json_lines(&run_ok(Command::new(BIN).args(["--json", "lab", "zombies"])).stdout);
    let zombies = events
        .iter()
        .filter(|e| e["text"].as_str().is_some_and(|t| t.contains("<defunct>")))
        .count();
    assert_eq!(zombies, 3, "three zombies before reaping");
    assert_eq!(
        events
            .iter()
            .filter(|e| e["text"]
                .as_str()
                .is_some_and(|t| t.contains("waitpid = Exited")))
            .count(),
        3
    );
    assert!(events.iter().any(|e| e["text"]
        .as_str()
        .is_some_and(|t| t.contains("no children left"))));
}
