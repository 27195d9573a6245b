//! The assignment's question, "why does the port change at each connection?", answered
//! by the kernel: `clients` gets N distinct ephemeral ports, and `sockets` shows one
//! LISTEN plus N ESTABLISHED sockets, all on the server's port. And the event-loop
//! models' socket syscalls match strace, call for call.

use raw_testkit::{
    json_lines, narrated_network_calls, run, run_ok, strace_socket_calls, tool, Server, DEADLINE,
};
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

/// select, poll and epoll run in one thread, so strace's lines are never split between
/// threads: their narrated socket calls must equal strace's, in order.
#[test]
fn event_loop_narration_matches_strace() {
    let Some(strace) = tool("strace", "event_loop_narration_matches_strace") else {
        return;
    };
    for (model, calls) in [
        ("select", "pselect6"),
        ("poll", "poll"),
        ("epoll", "epoll_create1,epoll_ctl,epoll_wait"),
    ] {
        let dir = std::env::temp_dir().join(format!("raw-multi-{model}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let trace = dir.join("server.strace");
        let srv = Server::start(
            Command::new(&strace)
                .args([
                    "-f",
                    "-qq",
                    "-e",
                    "signal=none",
                    "-e",
                    &format!("trace=%network,close,{calls}"),
                    "-o",
                ])
                .arg(&trace)
                .args([BIN, "--json", "server", "--model", model, "--port", "0"]),
        );
        for _ in 0..2 {
            let out = run(
                Command::new(BIN).args([
                    "-q",
                    "clients",
                    "--count",
                    "2",
                    "--port",
                    &srv.port().to_string(),
                ]),
                b"",
                DEADLINE,
            );
            assert!(out.status.success());
        }
        let (status, events, _) = srv.terminate();
        assert!(status.success(), "{model}");
        let also: Vec<&str> = calls.split(',').collect();
        let narrated = narrated_network_calls(&events, &also);
        let traced: Vec<String> =
            strace_socket_calls(&std::fs::read_to_string(&trace).expect("trace"))
                .into_iter()
                .map(|c| c.call)
                // Rust's runtime checks at start-up that fds 0-2 are open: not our call.
                .filter(|c| !c.starts_with("poll([{fd=0, events=0}"))
                .collect();
        assert!(
            narrated.iter().any(|c| c.starts_with("accept4(")),
            "{model}: no accept narrated"
        );
        raw_testkit::assert_same_calls(model, &narrated, &traced);
    }
}
