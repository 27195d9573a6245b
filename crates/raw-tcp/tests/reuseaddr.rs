//! The SO_REUSEADDR lesson: kill a server that has live connections and restart it on
//! the same port at once. The old connections sit in TIME-WAIT; with SO_REUSEADDR (the
//! default) the new server binds anyway, with `--no-reuseaddr` it gets EADDRINUSE and
//! the message says exactly why.

use raw_testkit::{run, wait_for_state, Server, DEADLINE};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-tcp");

/// A student restarts the server right after killing it.
#[test]
fn restart_after_kill_needs_so_reuseaddr() {
    let mut old =
        Server::start(Command::new(BIN).args(["--json", "server", "--forever", "--port", "0"]));
    let port = old.port();
    let mut live = TcpStream::connect(old.addr).expect("connect");
    live.write_all(b"hi").expect("write");
    let mut reply = [0u8; 2];
    live.read_exact(&mut reply).expect("read");
    assert_eq!(&reply, b"HI");

    // Kill the server with the connection open: its kernel sends FIN; the client then
    // closes too, and the server's side of the connection ends in TIME-WAIT.
    old.kill();
    drop(live);
    assert!(
        wait_for_state(port, "TIME-WAIT"),
        "no TIME-WAIT on port {port}"
    );

    for (lang, pieces) in [
        (
            "en",
            [
                "bind(2) failed: EADDRINUSE",
                "did not set SO_REUSEADDR",
                "TIME-WAIT",
            ],
        ),
        (
            "pt-BR",
            [
                "bind(2) falhou: EADDRINUSE",
                "não ativou o SO_REUSEADDR",
                "TIME-WAIT",
            ],
        ),
    ] {
        let out = run(
            Command::new(BIN).args([
                "--lang",
                lang,
                "server",
                "--no-reuseaddr",
                "--port",
                &port.to_string(),
            ]),
            b"",
            DEADLINE,
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        for piece in pieces {
            assert!(err.contains(piece), "missing {piece:?}: {err}");
        }
    }

    // The default sets SO_REUSEADDR: the same port binds at once.
    let mut again =
        Server::start(Command::new(BIN).args(["--json", "server", "--port", &port.to_string()]));
    assert_eq!(again.port(), port);
    assert!(again.early.iter().any(|e| e["syscall"] == "setsockopt"
        && e["call"]
            .as_str()
            .is_some_and(|c| c.contains("SO_REUSEADDR"))));
    again.kill();
}
