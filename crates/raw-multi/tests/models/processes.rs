//! The processes and threads a model starts: no zombie, a clean stop, children that
//! die with a killed parent, a prefork child free for a new client.

use super::*;
use raw_testkit::{Server, DEADLINE};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

/// The fork server reaps every child: after 500 connections there is no zombie, and
/// after SIGTERM no child is left.
#[test]
fn fork_leaves_no_zombies_and_no_children() {
    let srv = server("fork", &[]);
    for i in 0..500 {
        let mut s = connect(srv.addr);
        s.write_all(b"z").expect("write");
        let mut one = [0u8; 1];
        s.read_exact(&mut one)
            .unwrap_or_else(|e| panic!("connection {i}: {e}"));
        assert_eq!(&one, b"Z");
    }
    let pid = srv.pid();
    assert!(
        eventually(DEADLINE, || children(pid).0.is_empty()),
        "children left: {:?}",
        children(pid)
    );
    assert_eq!(children(pid).1, 0, "zombies");

    let held: Vec<TcpStream> = (0..5).map(|_| connect(srv.addr)).collect();
    assert!(
        eventually(DEADLINE, || children(pid).0.len() == 5),
        "5 children serving"
    );
    let kids = children(pid).0;
    let (status, _, _) = srv.terminate();
    assert!(status.success(), "{status:?}");
    for kid in kids {
        assert!(
            !std::path::Path::new(&format!("/proc/{kid}")).exists() || children(kid).1 == 0,
            "child {kid} left behind"
        );
        let state = std::fs::read_to_string(format!("/proc/{kid}/stat")).unwrap_or_default();
        assert!(state.is_empty(), "child {kid} still exists: {state}");
    }
    drop(held);
}

/// A student stops the server with Ctrl-C (SIGINT to the whole process group, as the
/// terminal sends it) or with `kill` (SIGTERM to the server alone), while a client is
/// still connected: every model exits 0, the client reads its end of stream (or a
/// reset), and no process of the server's is left (the fork model's children and the
/// prefork model's were stopped and reaped). Each signal is sent again every 500 ms, as
/// one landing just before a blocking call is seen only at the next one; all bounded.
fn stops_cleanly(model: &str) {
    use nix::sys::signal::{kill, killpg, Signal};
    use nix::unistd::Pid;
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        let mut srv = server(model, &[]);
        let pid = srv.pid();
        let mut held = connect(srv.addr);
        held.write_all(b"x").expect("write");
        let mut one = [0u8; 1];
        held.read_exact(&mut one).expect("echo");
        let family = children(pid).0;
        if model == "fork" || model == "prefork" {
            assert!(!family.is_empty(), "{model}: no child to stop");
        }
        let child = srv.child.as_mut().expect("child"); // reaped when `srv` is dropped
        let end = Instant::now() + Duration::from_secs(10);
        let status = loop {
            let target = Pid::from_raw(pid as i32);
            let _ = match signal {
                Signal::SIGINT => killpg(target, signal), // Ctrl-C: the whole group
                _ => kill(target, signal),
            };
            let again = Instant::now() + Duration::from_millis(500);
            let mut status = None;
            while status.is_none() && Instant::now() < again {
                status = child.try_wait().ok().flatten();
                thread::sleep(Duration::from_millis(10));
            }
            if let Some(status) = status {
                break status;
            }
            if Instant::now() > end {
                panic!("{model}: still running 10 s after {signal:?}"); // dropping srv kills it
            }
        };
        assert!(status.success(), "{model}: {signal:?} gave {status:?}");
        let mut byte = [0u8; 1];
        match held.read(&mut byte) {
            Ok(0) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            other => panic!("{model}: the held client read {other:?} after {signal:?}"),
        }
        assert!(
            eventually(Duration::from_secs(5), || family.iter().all(|&k| gone(k))),
            "{model}: children {family:?} outlived the server after {signal:?}"
        );
    }
}

per_model!(stops_cleanly:
    fork = "fork",
    thread = "thread",
    select = "select",
    poll = "poll",
    epoll = "epoll",
    io_uring = "io-uring",
    reuseport = "reuseport",
    prefork = "prefork",
);

/// The prefork server killed with SIGKILL (no handler runs, no `kill` of its own is
/// sent): its children, which would otherwise accept forever, end too, within 5 s
/// (each asked for SIGTERM when its parent dies).
#[test]
fn prefork_children_die_with_a_killed_parent() {
    children_die_with_a_killed_parent("prefork", &["--workers", "3"], 3);
}

/// The fork model too: five connected clients, five children serving them; SIGKILL to
/// the parent, and within 5 s no child is left (each asked for SIGTERM when its parent
/// dies), and each client sees its connection end.
#[test]
fn fork_children_die_with_a_killed_parent() {
    let srv = server("fork", &[]);
    let clients: Vec<TcpStream> = (0..5).map(|_| connect(srv.addr)).collect();
    children_killed_with(srv, 5);
    for mut c in clients {
        c.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut buf = [0u8; 1];
        let ended = matches!(c.read(&mut buf), Ok(0) | Err(_));
        assert!(ended, "a client's connection outlived its server");
    }
}

fn children_die_with_a_killed_parent(model: &str, extra: &[&str], count: usize) {
    children_killed_with(server(model, extra), count);
}

/// Waits for `count` children of `srv`, SIGKILLs the parent alone, and checks that no
/// child is left 5 s later.
fn children_killed_with(srv: Server, count: usize) {
    let pid = srv.pid();
    assert!(
        eventually(DEADLINE, || children(pid).0.len() == count),
        "{count} children: {:?}",
        children(pid)
    );
    let kids = children(pid).0;
    // SIGKILL to the parent alone (not to its process group, which would end the
    // children too and hide the point).
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill");
    assert!(
        eventually(Duration::from_secs(5), || kids.iter().all(|&k| gone(k))),
        "children {kids:?} outlived their killed parent"
    );
    drop(srv);
}

/// prefork with its default 16 children and 50 silent clients connected: a new client
/// that sends is still served (each child drops a client silent for 5 s, and at once one
/// that waited that long in the accept queue), the silent ones see their connection end,
/// and the drop is narrated.
#[test]
fn prefork_serves_a_new_client_while_fifty_idle_ones_are_connected() {
    let srv = Server::start(
        Command::new(BIN).args(["--json", "server", "--port", "0", "--model", "prefork"]),
    );
    let idle: Vec<TcpStream> = (0..50).map(|_| connect(srv.addr)).collect();
    let mut fresh = connect(srv.addr);
    fresh
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    fresh.write_all(b"hello").expect("write");
    let mut reply = [0u8; 5];
    fresh
        .read_exact(&mut reply)
        .expect("a new client served while 50 idle ones are connected");
    assert_eq!(&reply, b"HELLO");
    for mut c in idle {
        c.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut buf = [0u8; 1];
        assert!(
            matches!(c.read(&mut buf), Ok(0) | Err(_)),
            "an idle client was never dropped"
        );
    }
    drop(fresh);
    let (status, events, _) = srv.terminate();
    assert!(status.success());
    let said = |needle: &str| {
        events
            .iter()
            .any(|e| e["text"].as_str().is_some_and(|t| t.contains(needle)))
    };
    assert!(
        said("idle too long (--idle-timeout)"),
        "the 5 s drop is narrated"
    );
    assert!(
        said("silent since it connected"),
        "the queue drop is narrated"
    );
}
