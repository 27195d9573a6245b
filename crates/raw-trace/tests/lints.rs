//! The mistakes: each small program in `tests/programs/` makes one classic mistake,
//! and raw-trace names it exactly once, with the strace line that proves it; the clean
//! programs beside them (the same program done right) are never flagged.

mod common;

use common::*;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

/// `raw-trace --json -- python3 tests/programs/NAME ARGS`.
fn trace_python(test: &str, name: &str, args: &[&str]) -> Option<Output> {
    let python = python(test)?;
    let script = program(name);
    let mut command: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&python, &script];
    for a in args {
        command.push(a);
    }
    Some(run(raw_trace(&["--json"], &command)))
}

/// The mistakes found, asserting the run itself went as the program meant.
fn found(out: &Output) -> Vec<String> {
    let events = events(out);
    assert!(
        !calls(&events).is_empty(),
        "nothing was narrated:\n{}",
        show(out)
    );
    mistakes(&events)
}

/// Exactly `id`, once, and its proof names the call that shows it.
fn flagged_once(out: &Output, id: &str, proof_call: &str) {
    let events = events(out);
    let found = found(out);
    assert_eq!(found, vec![id.to_string()], "{}", show(out));
    let warning = events
        .iter()
        .find(|e| e["kind"] == "warning")
        .expect("warning");
    let call = warning["call"].as_str().unwrap_or_default();
    assert!(
        call.starts_with(proof_call),
        "the proof of {id} is {call:?}, not a {proof_call} line"
    );
    // The proof is one of the lines raw-trace printed for the run.
    assert!(
        calls(&events).iter().any(|c| c == call),
        "proof {call:?} is not a narrated line"
    );
}

fn clean(out: &Output) {
    assert_eq!(found(out), Vec::<String>::new(), "{}", show(out));
}

/// Leaves a TIME-WAIT connection on a free port, on the side that bound it (the
/// server closed first), and returns the port.
fn time_wait_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    drop(server); // the server's FIN first: its side goes to TIME-WAIT
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut rest = Vec::new();
    let _ = client.read_to_end(&mut rest);
    drop(client);
    drop(listener);
    assert!(raw_testkit::wait_for_state(port, "TIME-WAIT"));
    port
}

/// A server restarted while its port sits in TIME-WAIT, without SO_REUSEADDR: bind
/// fails with EADDRINUSE, the program exits 1 (raw-trace passes that on), and the
/// mistake is named with the failing bind line. The same restart with SO_REUSEADDR
/// binds and is clean.
#[test]
fn no_reuseaddr_is_flagged_and_reuseaddr_is_clean() {
    let test = "no_reuseaddr_is_flagged_and_reuseaddr_is_clean";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let port = time_wait_port().to_string();
    let Some(out) = trace_python(test, "no_reuseaddr.py", &[&port]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    flagged_once(&out, "no-reuseaddr", "bind(");
    let warning = events(&out)
        .into_iter()
        .find(|e| e["kind"] == "warning")
        .expect("warning");
    assert!(warning["call"]
        .as_str()
        .is_some_and(|c| c.ends_with("= -1 EADDRINUSE (Address already in use)")));
    assert!(warning["text"]
        .as_str()
        .is_some_and(|t| t.contains("TIME-WAIT") && t.contains("SO_REUSEADDR")));
    let Some(out) = trace_python(test, "reuseaddr_restart.py", &[&port]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    clean(&out);
}

/// The echo loop without `if not data: break` spins on recv = 0; the right loop
/// (the course's server, traced in narration.rs) is not flagged.
#[test]
fn eof_ignored_is_flagged_once() {
    let test = "eof_ignored_is_flagged_once";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(out) = trace_python(test, "eof_spin.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    flagged_once(&out, "eof-ignored", "recvfrom(");
}

/// One non-blocking send (or write) that the kernel takes only part of, the rest never
/// sent, is flagged; sendall's several short sends that end with everything sent are not.
#[test]
fn short_send_is_flagged_and_sendall_is_clean() {
    let test = "short_send_is_flagged_and_sendall_is_clean";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(out) = trace_python(test, "short_send.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    flagged_once(&out, "short-send", "sendto(");
    // The same with write(2), as a C program would make it.
    let Some(out) = trace_python(test, "short_write.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    flagged_once(&out, "short-send", "write(");
    let Some(out) = trace_python(test, "sendall_nonblocking.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    clean(&out);
    assert!(
        calls(&events(&out))
            .iter()
            .filter(|c| c.starts_with("sendto("))
            .count()
            > 1,
        "sendall needed several sends here"
    );
}

/// A child never reaped is a zombie, proved by its fork line and its exit line; a
/// forking server's unreaped children make one finding; a child the parent waits for
/// makes none.
#[test]
fn zombie_is_flagged_and_reaped_child_is_clean() {
    let test = "zombie_is_flagged_and_reaped_child_is_clean";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(out) = trace_python(test, "zombie.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    flagged_once(&out, "zombie", "clone(");
    // A forking server that never reaps its two children: one finding naming both.
    let Some(out) = trace_python(test, "fork_server_no_wait.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    flagged_once(&out, "zombie", "clone(");
    let text = events(&out)
        .into_iter()
        .find(|e| e["kind"] == "warning")
        .and_then(|e| e["text"].as_str().map(str::to_string))
        .unwrap_or_default();
    assert!(text.contains("made 2 children"), "{text}");
    let Some(out) = trace_python(test, "fork_reaps.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    clean(&out);
    assert!(calls(&events(&out)).iter().any(|c| c.starts_with("wait4(")));
}

/// `::1` refused while the server listens on IPv4 only: flagged once, with the
/// refused connect, whether the program then succeeds on 127.0.0.1 or gives up.
#[test]
fn localhost_ipv6_is_flagged_once() {
    let test = "localhost_ipv6_is_flagged_once";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    if !raw_testkit::has_ipv6() {
        raw_testkit::skip(test, "this machine has no IPv6 loopback (::1)");
        return;
    }
    let Some(out) = trace_python(test, "localhost_v6.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    flagged_once(&out, "localhost-ipv6", "connect(");
    // A client that tries ::1 only fails: exit 1, the same mistake named.
    let Some(out) = trace_python(test, "localhost_v6_only.py", &[]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    flagged_once(&out, "localhost-ipv6", "connect(");
}

/// A 100-byte datagram into a 16-byte buffer is flagged (a full buffer, or MSG_TRUNC's
/// real size); into 65535 bytes it is not.
#[test]
fn udp_truncation_is_flagged_and_big_buffer_is_clean() {
    let test = "udp_truncation_is_flagged_and_big_buffer_is_clean";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(out) = trace_python(test, "udp_truncate.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    flagged_once(&out, "udp-truncated", "recvfrom(");
    // With MSG_TRUNC the kernel says the real size (100 > 16): a proved cut.
    let Some(out) = trace_python(test, "udp_msg_trunc.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    flagged_once(&out, "udp-truncated", "recvfrom(");
    assert!(calls(&events(&out))
        .iter()
        .any(|c| c.contains(", 16, MSG_TRUNC, ") && c.ends_with(" = 100")));
    let Some(out) = trace_python(test, "udp_big_buffer.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    clean(&out);
}

/// An iterative server blocked on one idle client while another waits in the accept
/// queue is flagged, with the accept that took the idle client and the read it sat in.
#[test]
fn blocked_accept_is_flagged_once() {
    let test = "blocked_accept_is_flagged_once";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(out) = trace_python(test, "blocking_server.py", &[]) else {
        return;
    };
    assert!(out.status.success(), "{}", show(&out));
    flagged_once(&out, "blocked-accept", "accept4(");
}

/// Compiles `tests/programs/echo_server.c` with `cc` (and `defines`) into `dir`.
fn compile(test: &str, dir: &Path, name: &str, defines: &[&str]) -> Option<std::path::PathBuf> {
    let cc = raw_testkit::tool("cc", test)?;
    let exe = dir.join(name);
    let out = raw_testkit::run(
        Command::new(cc)
            .args(defines)
            .arg("-o")
            .arg(&exe)
            .arg(program("echo_server.c")),
        b"",
        LIMIT,
    );
    assert!(
        out.status.success(),
        "cc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(exe)
}

/// The C echo server (accept without the 4, read and write on the socket): narrated
/// call by call with states, and clean. Built with -DSPIN_ON_EOF, the classic C
/// mistake (`if (n < 0)`, forgetting 0) is flagged once, with read lines as proof.
#[test]
fn c_echo_server_is_narrated_and_its_spin_flagged() {
    let test = "c_echo_server_is_narrated_and_its_spin_flagged";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let dir = tempdir("c");
    let Some(good) = compile(test, &dir, "echo_server", &[]) else {
        return;
    };
    let Some(spin) = compile(test, &dir, "echo_server_spin", &["-DSPIN_ON_EOF"]) else {
        return;
    };
    for (exe, mistake) in [(good, None), (spin, Some("eof-ignored"))] {
        let port = raw_testkit::free_port();
        let port_arg = port.to_string();
        let child = start(raw_trace(&["--json"], &[&exe, &port_arg]));
        assert_eq!(echo(port, b"hello, c"), b"HELLO, C");
        let out = finish(child);
        assert!(out.status.success(), "{}", show(&out));
        let events = events(&out);
        let calls = calls(&events);
        assert!(
            calls
                .iter()
                .any(|c| c.starts_with("accept(3, {sa_family=AF_INET")),
            "{calls:#?}"
        );
        assert!(calls.contains(&r#"read(4, "hello, c", 1024) = 8"#.to_string()));
        assert!(calls.contains(&r#"write(4, "HELLO, C", 8) = 8"#.to_string()));
        let read = events
            .iter()
            .find(|e| e["call"] == r#"read(4, "hello, c", 1024) = 8"#)
            .expect("read event");
        assert_eq!(read["text"], "Received 8 bytes: \"hello, c\"");
        match mistake {
            None => clean(&out),
            Some(id) => flagged_once(&out, id, "read("),
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The text view lists the mistake with its proof and fix, in Portuguese too.
#[test]
fn mistakes_read_in_both_languages() {
    let test = "mistakes_read_in_both_languages";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let script = program("udp_truncate.py");
    let out = run(raw_trace(&["--lang", "pt-BR", "-q"], &[&python, &script]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Erros que este rastreamento mostra: 1"),
        "{text}"
    );
    assert!(
        text.contains("1. [udp-truncated] o recvfrom no fd UDP"),
        "{text}"
    );
    assert!(text.contains("   prova:    [pid "), "{text}");
    assert!(
        text.contains("   correção: dê ao recvfrom um buffer"),
        "{text}"
    );
    let out = run(raw_trace(&["-q"], &[&python, &script]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1. [udp-truncated] recvfrom on UDP fd"),
        "{text}"
    );
    assert!(text.contains("   fix:   give recvfrom a buffer"), "{text}");
    let _ = std::io::stdout().flush();
}
