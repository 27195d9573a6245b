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

/// Children that exited are zombies until reaped; the parent's `clone` and `wait4`
/// calls are narrated as strace prints them, the reaping loop ends with `ECHILD`, and
/// afterwards no zombie is left.
#[test]
fn zombies_lab() {
    let pt = run_ok(Command::new(BIN).args(["--lang", "pt-BR", "lab", "zombies"]));
    let pt = String::from_utf8_lossy(&pt.stdout);
    assert!(pt.contains("<defunct> (um zumbi)"), "{pt}");
    assert!(
        pt.contains("3 zumbis antes de recolher; nenhum depois."),
        "{pt}"
    );
    let events = json_lines(&run_ok(Command::new(BIN).args(["--json", "lab", "zombies"])).stdout);
    let zombies = events
        .iter()
        .filter(|e| e["text"].as_str().is_some_and(|t| t.contains("<defunct>")))
        .count();
    assert_eq!(zombies, 3, "three zombies before reaping");
    let calls = |name: &str| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["kind"] == "syscall" && e["syscall"] == name && e["role"] == "parent")
            .filter_map(|e| e["call"].as_str().map(str::to_string))
            .collect()
    };
    let clones = calls("clone");
    assert_eq!(clones.len(), 3, "{clones:?}");
    assert!(clones.iter().all(|c| c.starts_with(
        "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x...) = "
    )));
    let waits = calls("wait4");
    assert_eq!(waits.len(), 4, "three children, then ECHILD: {waits:#?}");
    for wait in &waits[..3] {
        assert!(
            wait.starts_with(
                "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], WNOHANG, NULL) = "
            ),
            "{wait}"
        );
    }
    assert!(
        waits[3].ends_with(", WNOHANG, NULL) = -1 ECHILD (No child processes)"),
        "{}",
        waits[3]
    );
    let exits = events
        .iter()
        .filter(|e| e["syscall"] == "exit_group")
        .count();
    assert_eq!(exits, 3, "each child narrates its exit_group(0)");
    assert!(events.iter().any(|e| e["text"]
        .as_str()
        .is_some_and(|t| t.contains("no children left"))));
}
