//! The course's Python server and `raw-tcp server` make the same syscalls, in the same
//! order, on the same fds, with the same results — apart from what differs on purpose,
//! each named here and on docs/trace.md:
//!
//! - `raw-tcp` sets `SO_REUSEADDR` before `bind`; the Python script does not (so a
//!   restart while its port sits in TIME-WAIT fails with `EADDRINUSE` for 60 s);
//! - `raw-tcp` asks `getsockname` on the listener after `bind`, to print the port it
//!   got (needed for `--port 0`);
//! - CPython asks `getsockname` on the accepted socket, to check the new fd is a socket
//!   before wrapping it in a Python object;
//! - in the arguments: `IPPROTO_TCP` (raw-tcp names the protocol) vs `IPPROTO_IP` (0:
//!   "the default", which for `SOCK_STREAM` is TCP), and `MSG_NOSIGNAL` on each send
//!   (raw-tcp) vs nothing (Python ignores SIGPIPE for the whole process at start).
//!
//! Both run under raw-trace (which runs strace); raw-tcp is the binary cargo built
//! beside raw-trace (`cargo build -p raw-tcp`, done by any workspace build).

mod common;

use common::*;
use serde_json::Value;
use std::path::PathBuf;

/// `target/debug/raw-tcp`, beside the raw-trace under test.
fn raw_tcp(test: &str) -> Option<PathBuf> {
    let path = std::path::Path::new(BIN).with_file_name("raw-tcp");
    if path.is_file() {
        Some(path)
    } else {
        raw_testkit::skip(
            test,
            "raw-tcp is not built beside raw-trace (cargo build -p raw-tcp, or test the whole workspace)",
        );
        None
    }
}

/// (syscall, fd, return value) of each narrated call: what must agree.
fn shape(events: &[Value]) -> Vec<(String, i64, String)> {
    events
        .iter()
        .filter(|e| e["kind"] == "syscall")
        .map(|e| {
            let call = e["call"].as_str().unwrap_or_default();
            let ret = call.rsplit(" = ").next().unwrap_or_default().to_string();
            (
                e["syscall"].as_str().unwrap_or_default().to_string(),
                e["fd"].as_i64().unwrap_or(-1),
                ret,
            )
        })
        .collect()
}

/// Runs a server under raw-trace, talks to it once as the course's client does, and
/// returns the narrated calls.
fn traced_server(command: &[&dyn AsRef<std::ffi::OsStr>], port: u16) -> Vec<Value> {
    let child = start(raw_trace(&["--json"], command));
    assert_eq!(echo(port, b"Hello, world"), b"HELLO, WORLD");
    let out = finish(child);
    assert!(out.status.success(), "{}", show(&out));
    events(&out)
}

/// The syscall sequence of the assignment's echo-server.py equals raw-tcp server's,
/// once the on-purpose differences listed above are set aside.
#[test]
fn python_server_makes_the_same_syscalls_as_raw_tcp_server() {
    let test = "python_server_makes_the_same_syscalls_as_raw_tcp_server";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let Some(raw_tcp) = raw_tcp(test) else { return };
    let dir = tempdir("same");

    let port = raw_testkit::free_port();
    let script = on_port(&example("echo-server.py"), port, &dir);
    let py = traced_server(&[&python, &script], port);

    let port = raw_testkit::free_port();
    let port_arg = port.to_string();
    let rust = traced_server(&[&raw_tcp, &"-qq", &"server", &"--port", &port_arg], port);

    let py_calls = calls(&py);
    let rust_calls = calls(&rust);
    // On purpose: SO_REUSEADDR, and raw-tcp's getsockname on the listener.
    let reuse = rust_calls
        .iter()
        .position(|c| c.starts_with("setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0"))
        .expect("raw-tcp sets SO_REUSEADDR");
    assert!(!py_calls.iter().any(|c| c.contains("SO_REUSEADDR")));
    let listener_name = rust_calls
        .iter()
        .position(|c| c.starts_with("getsockname(3,"))
        .expect("raw-tcp asks its port");
    // On purpose: CPython checks the accepted fd with getsockname.
    let accepted_name = py_calls
        .iter()
        .position(|c| c.starts_with("getsockname(4,"))
        .expect("CPython checks the new fd");
    let mut rust_shape = shape(&rust);
    let mut set_aside = [reuse, listener_name];
    set_aside.sort_unstable();
    for i in set_aside.into_iter().rev() {
        rust_shape.remove(i);
    }
    let mut py_shape = shape(&py);
    py_shape.remove(accepted_name);
    assert_eq!(
        py_shape, rust_shape,
        "\npython: {py_calls:#?}\nraw-tcp: {rust_calls:#?}"
    );
    // What is left differs only in the arguments named above.
    let same = |c: &String| {
        c.replace("IPPROTO_TCP", "IPPROTO_IP")
            .replace("MSG_NOSIGNAL", "0")
            .replace("[128 => 16]", "[16]")
    };
    let py_rest: Vec<String> = py_calls
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != accepted_name)
        .map(|(_, c)| same(c))
        .filter(|c| !c.contains("htons("))
        .collect();
    let rust_rest: Vec<String> = rust_calls
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != reuse && *i != listener_name)
        .map(|(_, c)| same(c))
        .filter(|c| !c.contains("htons("))
        .collect();
    assert_eq!(py_rest, rust_rest);
    let _ = std::fs::remove_dir_all(dir);
}
