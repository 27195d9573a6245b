//! The assignment's `echo-server.py`, traced as root: beside the Python program's own
//! lines, the kernel's state changes of its sockets, from the tracepoint
//! `sock:inet_sock_set_state` (SYN-RECEIVED before `accept4`, CLOSE-WAIT on the
//! client's FIN, LAST-ACK at `close`), equal to what the test's own tracefs reader saw
//! for the server's port.

mod common;

use common::*;
use raw_testkit::{narrated_changes, StateReader};

/// `raw-trace --json -- python3 echo-server.py` and a client: the server's sockets'
/// changes, socket by socket and in order, are the independent reader's (local port = the server's port);
/// SYN-RECEIVED comes before the `accept4` line, CLOSE-WAIT before the connection's
/// `close`, LAST-ACK after it.
#[test]
fn echo_server_shows_the_kernels_state_changes() {
    let test = "echo_server_shows_the_kernels_state_changes";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let port = raw_testkit::free_port();
    let Some(reader) = StateReader::start(test, port) else {
        return;
    };
    let dir = tempdir("states");
    let script = on_port(&example("echo-server.py"), port, &dir);
    let child = start(raw_trace(&["--json"], &[&python, &script]));
    assert_eq!(echo(port, b"Hello, world"), b"HELLO, WORLD");
    let out = finish(child);
    assert!(out.status.success(), "{}", show(&out));
    let events = events(&out);
    let server = |c: &raw_testkit::Change| c.sport == port;
    let narrated: Vec<_> = narrated_changes(&events)
        .into_iter()
        .filter(server)
        .collect();
    let seen: Vec<_> = reader.changes().into_iter().filter(server).collect();
    assert_eq!(narrated, seen, "narrated (left), the kernel (right)");
    let at = |what: &dyn Fn(&serde_json::Value) -> bool| {
        events
            .iter()
            .position(what)
            .unwrap_or_else(|| panic!("{}", show(&out)))
    };
    let syn_received = at(&|e| e["kind"] == "transition" && e["to"] == "SYN-RECEIVED");
    let accept = at(&|e| e["syscall"] == "accept4");
    assert!(
        syn_received < accept,
        "SYN-RECEIVED before accept4: {}",
        show(&out)
    );
    let conn = events[accept]["ret"].clone();
    let close_conn = at(&|e| e["syscall"] == "close" && e["fd"] == conn);
    let close_wait = at(&|e| e["kind"] == "transition" && e["to"] == "CLOSE-WAIT");
    let last_ack = at(&|e| e["kind"] == "transition" && e["to"] == "LAST-ACK");
    assert!(
        close_wait < close_conn,
        "CLOSE-WAIT before close: {}",
        show(&out)
    );
    assert!(
        last_ack > close_conn,
        "LAST-ACK after close: {}",
        show(&out)
    );
    let _ = std::fs::remove_dir_all(dir);
}
