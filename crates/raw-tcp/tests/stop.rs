//! Stopping the server: a student presses Ctrl-C (SIGINT) or runs `kill` (SIGTERM).
//! The server must not die mid-call: the blocked `accept` (or `recv`) returns EINTR,
//! the server closes its sockets with narrated `close` calls, says which signal
//! stopped it, and exits 0 — in English and in Portuguese. And `--forever` says at
//! start that it is iterative: the next client waits in the accept queue (Recv-Q of
//! the LISTEN socket in `ss -ltn`), and raw-multi serves several at once.

use raw_testkit::{run, sleeps_in, tool, Events, Lab, Server, DEADLINE};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

fn lab() -> Lab {
    Lab::tcp(env!("CARGO_BIN_EXE_raw-tcp"))
}

fn closes(events: &[Value]) -> usize {
    events
        .iter()
        .filter(|e| e["kind"] == "syscall" && e["syscall"] == "close")
        .filter(|e| e["call"].as_str().is_some_and(|c| c.ends_with("= 0")))
        .count()
}

/// The sentence that says which signal stopped the server, in each language.
fn stop_sentence(lang: &str, signal: &str, served: usize) -> String {
    match (lang, served) {
        ("en", 1) => format!("{signal} received: the server stops after serving 1 client"),
        ("en", k) => format!("{signal} received: the server stops after serving {k} clients"),
        (_, 0) => format!("{signal} recebido: o servidor para sem ter atendido nenhum cliente"),
        (_, 1) => format!("{signal} recebido: o servidor para depois de atender 1 cliente"),
        (_, k) => format!("{signal} recebido: o servidor para depois de atender {k} clientes"),
    }
}

/// A server waiting in accept gets Ctrl-C (then, in another run, `kill`): the accept is
/// interrupted (strace's `? ERESTARTSYS`), the listener is closed, the server says
/// which signal it got, and exits 0 — in both languages.
#[test]
fn a_signal_stops_the_waiting_server_cleanly() {
    for signal in ["INT", "TERM"] {
        for lang in ["en", "pt-BR"] {
            let srv = lab().lang(lang).server(&["--port", "0"]);
            let installed: Vec<&str> = srv
                .early
                .iter()
                .filter(|e| e["syscall"] == "rt_sigaction")
                .filter_map(|e| e["call"].as_str())
                .collect();
            assert_eq!(installed.len(), 2, "{installed:?}");
            assert!(installed[0].starts_with("rt_sigaction(SIGINT, {sa_handler=0x"));
            assert!(installed[1].starts_with("rt_sigaction(SIGTERM, {sa_handler=0x"));
            assert!(installed.iter().all(|c| c.contains(
                "sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x...}, {sa_handler=SIG_"
            ) && c.ends_with(", 8) = 0")));

            // Signal it once it waits in accept (a signal that lands before the loop
            // starts stops it too, without any accept: the loop checks the flag first).
            let waiting = sleeps_in(srv.pid(), "accept");
            let (status, events, stderr) = srv.stop(signal);
            assert!(status.success(), "SIG{signal} {lang}: {status:?} {stderr}");
            assert!(
                stderr.is_empty(),
                "a clean stop says nothing on stderr: {stderr}"
            );
            let interrupted = events.iter().find(|e| e["syscall"] == "accept4");
            if waiting {
                let accept = interrupted.expect("accept4 narrated");
                assert_eq!(accept["errno"], "EINTR");
                assert_eq!(
                    accept["call"].as_str().and_then(|c| c.split(" = ").nth(1)),
                    Some("? ERESTARTSYS (To be restarted if SA_RESTART is set)")
                );
            } else if let Some(accept) = interrupted {
                assert_eq!(accept["errno"], "EINTR");
            }
            assert_eq!(closes(&events), 1, "the listener is closed");
            // The kernel's LISTEN -> CLOSED (as root) is said after the close that made it.
            let last = events
                .iter()
                .rev()
                .find(|e| e["kind"] != "transition")
                .expect("events");
            assert_eq!(last["syscall"], "close", "close comes last: {last}");
            let said = stop_sentence(lang, &format!("SIG{signal}"), 0);
            assert!(
                events.texts().iter().any(|t| t.starts_with(&said)),
                "missing {said:?} in {:#?}",
                events.texts()
            );
        }
    }
}

/// Ctrl-C while a client is connected: the blocked recv is interrupted, the server
/// closes the connection and the listener (two narrated closes), and exits 0.
#[test]
fn a_signal_stops_the_server_mid_conversation() {
    for lang in ["en", "pt-BR"] {
        let srv = lab().lang(lang).server(&["--port", "0"]);
        let mut conn = TcpStream::connect(srv.addr).expect("connect");
        conn.set_read_timeout(Some(DEADLINE)).expect("timeout");
        conn.write_all(b"hi").expect("write");
        let mut reply = [0u8; 2];
        conn.read_exact(&mut reply).expect("read");
        assert_eq!(&reply, b"HI");
        let (status, events, stderr) = srv.stop("INT");
        assert!(status.success(), "{lang}: {status:?} {stderr}");
        assert_eq!(closes(&events), 2, "connection and listener closed");
        let said = stop_sentence(lang, "SIGINT", 0);
        assert!(events.texts().iter().any(|t| t.starts_with(&said)));
        // The client sees the server's FIN: end of stream, not a reset.
        let mut rest = Vec::new();
        assert!(conn.read_to_end(&mut rest).is_ok());
    }
}

/// `--forever` says at start that it serves one client at a time, where the next one
/// waits, and where to look for a concurrent server; then shows it: while one client
/// is connected, a second one's handshake completes and it waits in the accept queue
/// (Recv-Q 1 on the LISTEN socket in `ss -ltn`); once the first leaves, the second is
/// served. SIGTERM then stops it with exit 0 and "after serving 2 clients".
#[test]
fn forever_is_iterative_and_says_so() {
    for lang in ["en", "pt-BR"] {
        let srv = lab().lang(lang).server(&["--port", "0", "--forever"]);
        let port = srv.port();
        let mut served = 0;
        if lang == "en" && show_the_queue(&srv) {
            served = 2;
        }
        let (status, events, stderr) = srv.stop("TERM");
        assert!(status.success(), "{status:?} {stderr}");
        let said = events.texts().join("\n");
        let expected = match lang {
            "en" => [
                "An iterative server (--forever): one client at a time.".to_string(),
                "waits in the accept queue".to_string(),
                format!("Recv-Q of the LISTEN socket in ss -ltn 'sport = :{port}'"),
                "raw-multi".to_string(),
                stop_sentence(lang, "SIGTERM", served),
            ],
            _ => [
                "Um servidor iterativo (--forever): um cliente de cada vez.".to_string(),
                "espera na fila de accept".to_string(),
                format!("Recv-Q do socket LISTEN em ss -ltn 'sport = :{port}'"),
                "raw-multi".to_string(),
                stop_sentence(lang, "SIGTERM", served),
            ],
        };
        for piece in &expected {
            assert!(said.contains(piece.as_str()), "missing {piece:?} in {said}");
        }
    }
}

/// One client served, a second one queued (Recv-Q 1), then served once the first
/// leaves. Returns false (after a loud skip) when `ss` is missing.
fn show_the_queue(srv: &Server) -> bool {
    let Some(ss) = tool("ss", "forever_is_iterative_and_says_so") else {
        return false;
    };
    let mut first = TcpStream::connect(srv.addr).expect("first");
    first.set_read_timeout(Some(DEADLINE)).expect("timeout");
    first.write_all(b"one").expect("write");
    let mut reply = [0u8; 3];
    first.read_exact(&mut reply).expect("read");
    assert_eq!(&reply, b"ONE");

    let mut second = TcpStream::connect(srv.addr).expect("second: the kernel completes it");
    second.set_read_timeout(Some(DEADLINE)).expect("timeout");
    second.write_all(b"two").expect("write");
    let filter = format!("sport = :{}", srv.port());
    let deadline = Instant::now() + DEADLINE;
    let queued = loop {
        let out = run(Command::new(&ss).args(["-ltnH", &filter]), b"", DEADLINE);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        // State  Recv-Q  Send-Q  Local  Peer
        let recv_q = text
            .split_whitespace()
            .nth(1)
            .and_then(|q| q.parse::<u32>().ok());
        if recv_q == Some(1) || Instant::now() > deadline {
            break recv_q;
        }
        thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(
        queued,
        Some(1),
        "the second client waits in the accept queue"
    );

    drop(first); // the server sees end of stream, closes, and accepts the next
    second
        .read_exact(&mut reply)
        .expect("the second is served now");
    assert_eq!(&reply, b"TWO");
    drop(second);
    // Wait (bounded) until the server saw the second leave: back in accept, nothing queued.
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline
        && raw_core::trace::kernel_table::on_port(srv.port())
            .iter()
            .any(|s| s.state.name() == "ESTABLISHED" || s.state.name() == "CLOSE-WAIT")
    {
        thread::sleep(Duration::from_millis(20));
    }
    true
}
