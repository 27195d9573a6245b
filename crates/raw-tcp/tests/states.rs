//! The TCP states as the kernel changes them: with root, every program reads the
//! tracepoint `sock:inet_sock_set_state` through a tracefs instance of its own, and
//! narrates each change with its cause. The changes it narrates are the ones an
//! independent reader (the test's own instance) sees for the same port, SYN-RECEIVED
//! and LAST-ACK among them; no instance is left behind, also after SIGTERM or SIGKILL;
//! and without root the program still runs, says why it cannot see them, and reports
//! the changes its own looks saw (`"source":"probe"`).

use raw_testkit::{
    free_port, is_root, narrated_changes, program_instance, skip, Change, Lab, StateReader,
};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

fn lab() -> Lab {
    Lab::tcp(env!("CARGO_BIN_EXE_raw-tcp"))
}

/// Changes grouped by socket (its two ports), each socket's in order.
fn by_socket(changes: Vec<Change>) -> BTreeMap<(u16, u16), Vec<(String, String)>> {
    let mut sockets: BTreeMap<(u16, u16), Vec<(String, String)>> = BTreeMap::new();
    for c in changes {
        sockets
            .entry((c.sport, c.dport))
            .or_default()
            .push((c.from, c.to));
    }
    sockets
}

/// Waits until `pid`'s instance is gone (bounded).
fn instance_gone(pid: u32) -> bool {
    let end = Instant::now() + Duration::from_secs(5);
    while program_instance(pid).is_some() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    program_instance(pid).is_none()
}

/// Lab 1's server and client on one port: the transitions the two programs narrate
/// (from the tracepoint) are, socket by socket and in order, the ones the test's own
/// tracefs reader saw on that port; the server's side shows SYN-RECEIVED, CLOSE-WAIT
/// and LAST-ACK, each with a cause; neither program leaves its instance behind.
#[test]
fn transitions_equal_an_independent_tracepoint_reader() {
    let port = free_port();
    let Some(reader) =
        StateReader::start("transitions_equal_an_independent_tracepoint_reader", port)
    else {
        return;
    };
    let server = lab().server(&["--port", &port.to_string()]);
    let server_pid = server.pid();
    let client = lab().json().client(port, &[]).assert_ok().events();
    let (status, server_events, stderr) = server.terminate();
    assert!(status.success(), "server: {stderr}");
    let mut narrated = narrated_changes(&server_events);
    narrated.extend(narrated_changes(&client));
    let seen = reader.changes();
    assert!(!seen.is_empty(), "the reader saw nothing on port {port}");
    assert_eq!(
        by_socket(narrated),
        by_socket(seen),
        "narrated (left) and the kernel (right) differ"
    );
    let server_side: Vec<String> = server_events
        .iter()
        .filter(|e| e["kind"] == "transition")
        .map(|e| {
            format!(
                "{} {}",
                e["to"].as_str().unwrap_or(""),
                e["cause"].as_str().unwrap_or("?")
            )
        })
        .collect();
    for wanted in [
        "SYN-RECEIVED packet",
        "CLOSE-WAIT packet",
        "LAST-ACK syscall",
        "LISTEN syscall",
    ] {
        assert!(
            server_side.iter().any(|s| s == wanted),
            "no {wanted} in {server_side:?}"
        );
    }
    assert!(
        instance_gone(server_pid),
        "the server left its tracefs instance"
    );
}

/// A server stopped with SIGTERM removes its instance; one killed with SIGKILL cannot,
/// and the next program run removes it (its pid is gone).
#[test]
fn no_instance_is_left_behind() {
    if !is_root() {
        skip("no_instance_is_left_behind", "tracefs needs root");
        return;
    }
    let server = lab().server(&["--port", "0"]);
    let pid = server.pid();
    assert!(
        program_instance(pid).is_some(),
        "a server as root makes its instance"
    );
    let (status, _, stderr) = server.terminate();
    assert!(status.success(), "{stderr}");
    assert!(instance_gone(pid), "SIGTERM: the instance stayed");

    let mut server = lab().server(&["--port", "0"]);
    let pid = server.pid();
    server.kill(); // SIGKILL: no cleanup
    let end = Instant::now() + Duration::from_secs(5);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        program_instance(pid).is_some(),
        "a killed server cannot remove its instance"
    );
    lab().json().run_ok(&["demo"]);
    assert!(
        instance_gone(pid),
        "the next run did not remove the killed run's instance"
    );
}

/// As an unprivileged user (`setpriv` to nobody) the demo still runs (exit 0), says
/// once that the kernel's own changes need root, and its JSON reports the changes its
/// own looks saw, each with `"source":"probe"` and none from the tracepoint.
#[test]
fn without_root_the_states_come_from_our_looks() {
    if !is_root() {
        skip(
            "without_root_the_states_come_from_our_looks",
            "setpriv to another user needs root",
        );
        return;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(lab().bin())
        .args(["--json", "demo"])
        .output()
        .expect("setpriv");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = raw_testkit::json_lines(&out.stdout);
    let needs_root = events
        .iter()
        .filter(|e| e["text"].as_str().is_some_and(|t| t.contains("need root")))
        .count();
    assert_eq!(needs_root, 1, "{text}");
    let transitions: Vec<_> = events
        .iter()
        .filter(|e| e["kind"] == "transition")
        .collect();
    assert!(
        !transitions.is_empty(),
        "no transition from the looks: {text}"
    );
    assert!(transitions.iter().all(|e| e["source"] == "probe"), "{text}");
    assert!(
        transitions
            .iter()
            .any(|e| e["from"] == "ESTABLISHED" && e["to"] == "CLOSE-WAIT"),
        "{text}"
    );
}

/// `raw-tcp --json lab states` as root reaches all eleven states of RFC 793, each told
/// by the kernel: ten by its tracepoint (CLOSING among them, in the lab's own network
/// namespace) and TIME-WAIT by its table; the namespace and its nftables rule are the
/// lab's own, so the machine's ruleset has no trace of them afterwards.
#[test]
fn the_states_lab_reaches_all_eleven() {
    if !is_root() {
        skip(
            "the_states_lab_reaches_all_eleven",
            "CLOSING needs root (a network namespace)",
        );
        return;
    }
    let events = lab().json().run_ok(&["lab", "states"]).events();
    let mut seen = std::collections::BTreeSet::new();
    for e in &events {
        if e["kind"] == "transition" && e["source"] == "tracepoint" {
            seen.extend([e["from"].as_str(), e["to"].as_str()].into_iter().flatten());
        }
        if e["kind"] == "note" && e["state"] == "TIME-WAIT" {
            seen.insert("TIME-WAIT");
        }
    }
    let eleven = [
        "CLOSED",
        "LISTEN",
        "SYN-SENT",
        "SYN-RECEIVED",
        "ESTABLISHED",
        "FIN-WAIT-1",
        "FIN-WAIT-2",
        "CLOSING",
        "TIME-WAIT",
        "CLOSE-WAIT",
        "LAST-ACK",
    ];
    let missing: Vec<_> = eleven.iter().filter(|s| !seen.contains(*s)).collect();
    assert!(
        missing.is_empty(),
        "not reached: {missing:?}; seen {seen:?}"
    );
    let ruleset = Command::new("nft")
        .args(["list", "tables"])
        .output()
        .expect("nft");
    assert!(
        !String::from_utf8_lossy(&ruleset.stdout).contains("raw_sockets_states"),
        "the lab's table is in the machine's ruleset"
    );
}

/// As root, the demo's `--svg` draws each socket's state as a band along its lifeline,
/// from the kernel's transitions: every state the connection passes, SYN-RECEIVED and
/// LAST-ACK among them, and the client's TIME-WAIT from the kernel's table.
#[test]
fn the_picture_draws_the_kernels_states_as_bands() {
    if !is_root() {
        skip(
            "the_picture_draws_the_kernels_states_as_bands",
            "the tracepoint needs root",
        );
        return;
    }
    let svg = lab().scratch("bands").join("demo.svg");
    let path = svg.display().to_string();
    lab().run_ok(&["demo", "--svg", &path]);
    let picture = std::fs::read_to_string(&svg).expect("the picture");
    for state in [
        "LISTEN",
        "SYN-SENT",
        "SYN-RECEIVED",
        "ESTABLISHED",
        "FIN-WAIT-1",
        "FIN-WAIT-2",
        "CLOSE-WAIT",
        "LAST-ACK",
        "TIME-WAIT",
    ] {
        assert!(
            picture.contains(&format!(r#"class="band" data-state="{state}"#)),
            "no {state} band in {path}"
        );
    }
}
