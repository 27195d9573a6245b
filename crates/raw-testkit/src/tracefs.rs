//! The kernel's TCP state changes, read by the test itself: a tracefs instance of the
//! test's own (`rs-test-PID-N`, never one of the programs'), the tracepoint
//! `sock:inet_sock_set_state` filtered to one port, and its `trace` read back at the
//! end. What a program narrates is compared with this reader, written here from the
//! kernel's format file, not from the program's code.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where tracefs is mounted.
const TRACEFS: &str = "/sys/kernel/tracing";

/// One state change, as the kernel printed it, with RFC 793's names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// The socket's local port (`sport`; 0 before `connect` picks one).
    pub sport: u16,
    /// The peer's port (`dport`; 0 for a listener).
    pub dport: u16,
    /// The state left (`SYN-RECEIVED`).
    pub from: String,
    /// The state entered.
    pub to: String,
}

/// A tracefs instance of the test's own, removed when dropped.
#[derive(Debug)]
pub struct StateReader {
    dir: PathBuf,
}

/// The kernel's `TCP_SYN_RECV` as RFC 793 (and `ss`'s long form) writes it.
fn rfc_name(kernel: &str) -> String {
    match kernel {
        "TCP_ESTABLISHED" => "ESTABLISHED",
        "TCP_SYN_SENT" => "SYN-SENT",
        "TCP_SYN_RECV" => "SYN-RECEIVED",
        "TCP_FIN_WAIT1" => "FIN-WAIT-1",
        "TCP_FIN_WAIT2" => "FIN-WAIT-2",
        "TCP_TIME_WAIT" => "TIME-WAIT",
        "TCP_CLOSE" => "CLOSED",
        "TCP_CLOSE_WAIT" => "CLOSE-WAIT",
        "TCP_LAST_ACK" => "LAST-ACK",
        "TCP_LISTEN" => "LISTEN",
        "TCP_CLOSING" => "CLOSING",
        "TCP_NEW_SYN_RECV" => "NEW-SYN-RECV",
        other => other,
    }
    .to_string()
}

impl StateReader {
    /// Starts reading the state changes of the TCP sockets on `port` (either end).
    /// `None` when tracefs cannot be written (not root): the test is skipped loudly, or
    /// fails under `RAW_REQUIRE_TOOLS=1`.
    pub fn start(test: &str, port: u16) -> Option<StateReader> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let root = Path::new(TRACEFS);
        if !root.join("instances").exists() {
            let _ = std::process::Command::new("mount")
                .args(["-t", "tracefs", "nodev", TRACEFS])
                .status();
        }
        let dir = root.join("instances").join(format!(
            "rs-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        if std::fs::create_dir(&dir).is_err() {
            crate::skip(test, "tracefs cannot be written here (root is needed)");
            return None;
        }
        let reader = StateReader { dir };
        let event = reader.dir.join("events/sock/inet_sock_set_state");
        let set = |file: &Path, value: &str| std::fs::write(file, value).is_ok();
        let ok = set(
            &event.join("filter"),
            &format!("protocol == 6 && (sport == {port} || dport == {port})"),
        ) && set(&event.join("enable"), "1")
            && set(&reader.dir.join("tracing_on"), "1");
        assert!(ok, "could not set up {}", reader.dir.display());
        Some(reader)
    }

    /// Every change so far, in the kernel's order.
    pub fn changes(&self) -> Vec<Change> {
        let text = std::fs::read_to_string(self.dir.join("trace")).unwrap_or_default();
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let fields = l.split_once("inet_sock_set_state: ")?.1;
                let get = |key: &str| {
                    fields
                        .split_whitespace()
                        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                };
                Some(Change {
                    sport: get("sport")?.parse().ok()?,
                    dport: get("dport")?.parse().ok()?,
                    from: rfc_name(get("oldstate")?),
                    to: rfc_name(get("newstate")?),
                })
            })
            .collect()
    }
}

impl Drop for StateReader {
    fn drop(&mut self) {
        let _ = std::fs::write(self.dir.join("tracing_on"), "0");
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// The tracefs instance a program with this pid makes (`raw-sockets-PID`), if it is
/// there.
pub fn program_instance(pid: u32) -> Option<PathBuf> {
    let dir = Path::new(TRACEFS)
        .join("instances")
        .join(format!("raw-sockets-{pid}"));
    dir.exists().then_some(dir)
}

/// The transitions a program narrated (`"kind":"transition"` events from the
/// tracepoint), as changes: its sockets' ports, from, to.
pub fn narrated_changes(events: &[serde_json::Value]) -> Vec<Change> {
    let port =
        |v: &serde_json::Value| -> Option<u16> { v.as_str()?.rsplit(':').next()?.parse().ok() };
    events
        .iter()
        .filter(|e| e["kind"] == "transition" && e["source"] == "tracepoint")
        .filter_map(|e| {
            Some(Change {
                sport: port(&e["local"])?,
                dport: port(&e["remote"])?,
                from: e["from"].as_str()?.to_string(),
                to: e["to"].as_str()?.to_string(),
            })
        })
        .collect()
}
