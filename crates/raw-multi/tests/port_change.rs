//! The assignment's question, "why does the port change at each connection?", answered
//! by the kernel: `clients` gets N distinct ephemeral ports, and `sockets` shows one
//! LISTEN plus N ESTABLISHED sockets, all on the server's port. (Every model's
//! narration against strace: tests/strace.rs.)

use raw_testkit::{json_lines, run_ok, Server, DEADLINE};
use std::collections::HashSet;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-multi");

/// Five clients held open: five different local ports on their side; on the server's
/// side one LISTEN and five ESTABLISHED sockets, all with local port = the server's.
#[test]
fn clients_get_distinct_ports_and_sockets_shows_them() {
    let srv = Server::start_quiet(
        Command::new(BIN).args(["-qq", "server", "--model", "epoll", "--port", "0"]),
    );
    let port = srv.port().to_string();
    let clients = Command::new(BIN)
        .args([
            "--json", "clients", "--count", "5", "--hold", "3", "--port", &port,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("clients");
    assert!(
        wait_until(|| raw_core_like_count(srv.port()) == 5),
        "five connections never showed up"
    );
    let table = run_ok(Command::new(BIN).args(["--json", "sockets", "--port", &port]));
    let rows = json_lines(&table.stdout);
    let ours = |state: &str| {
        rows.iter()
            .filter(|r| {
                r["kind"] == "data"
                    && r["state"] == state
                    && r["local"]
                        .as_str()
                        .is_some_and(|l| l.ends_with(&format!(":{port}")))
            })
            .count()
    };
    assert_eq!(ours("LISTEN"), 1);
    assert_eq!(ours("ESTABLISHED"), 5);
    let server_side = rows
        .iter()
        .find(|r| r["state"] == "LISTEN")
        .expect("listener row");
    assert!(
        server_side["text"]
            .as_str()
            .unwrap_or("")
            .contains("raw-multi"),
        "owner process shown"
    );

    let out = raw_testkit::wait_output(clients, DEADLINE);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = json_lines(&out.stdout);
    let ports: HashSet<String> = events
        .iter()
        .filter(|e| e["kind"] == "data")
        .filter_map(|e| e["local"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ports.len(), 5, "five distinct ephemeral ports: {ports:?}");
    assert!(events
        .iter()
        .filter(|e| e["kind"] == "data")
        .all(|e| e["peer"] == format!("127.0.0.1:{port}")));
    assert!(srv.terminate().0.success());
}

fn raw_core_like_count(port: u16) -> usize {
    // Server-side ESTABLISHED sockets on the port, from the kernel's table.
    std::fs::read_to_string("/proc/net/tcp")
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            cols.len() > 3 && cols[3] == "01" && cols[1].ends_with(&format!(":{port:04X}"))
        })
        .count()
}

fn wait_until(mut check: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + DEADLINE;
    while std::time::Instant::now() < end {
        if check() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}
