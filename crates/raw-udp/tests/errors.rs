//! UDP's failures, provoked for real: truncation, EMSGSIZE, no reply (UDP does not
//! retransmit) and, on a connected socket, ECONNREFUSED from an ICMP error. Each ends
//! with exit 1 and a message in English and in Portuguese.

use raw_testkit::{free_udp_port, run, Server, DEADLINE};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-udp");

fn both_langs(args: &[&str], en: &[&str], pt: &[&str]) {
    for (lang, pieces) in [("en", en), ("pt-BR", pt)] {
        let out = run(
            Command::new(BIN).args(["--lang", lang]).args(args),
            b"",
            DEADLINE,
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        for piece in pieces {
            assert!(err.contains(piece), "missing {piece:?} in: {err}");
        }
    }
}

/// A reply bigger than the client's buffer is cut by the kernel; the client says so
/// instead of printing a cut message as if it were whole.
#[test]
fn truncated_reply_is_detected() {
    let srv = Server::start(Command::new(BIN).args(["--json", "server", "--port", "0"]));
    let port = srv.port().to_string();
    both_langs(
        &[
            "client",
            "--buffer",
            "5",
            "--message",
            "Hello, world",
            "--port",
            &port,
        ],
        &["12-byte datagram", "holds 5", "MSG_TRUNC"],
        &["datagrama de 12 bytes", "só tem 5", "MSG_TRUNC"],
    );
    assert!(srv.terminate().0.success());
}

/// One byte over the IPv4 maximum (65,507) is EMSGSIZE, explained; the maximum itself
/// goes through.
#[test]
fn oversized_datagram_is_emsgsize() {
    let srv = Server::start(Command::new(BIN).args(["--json", "server", "--port", "0", "--quiet"]));
    let port = srv.port().to_string();
    let too_big = "x".repeat(raw_udp::MAX_PAYLOAD_V4 + 1);
    both_langs(
        &["client", "--message", &too_big, "--port", &port],
        &["sendto(2) failed: EMSGSIZE (Message too long)", "65507"],
        &["sendto(2) falhou: EMSGSIZE", "65507"],
    );
    let max = "x".repeat(raw_udp::MAX_PAYLOAD_V4);
    let out = run(
        Command::new(BIN).args(["client", "--quiet", "--message", &max, "--port", &port]),
        b"",
        DEADLINE,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = srv.terminate();
}

/// No server: an unconnected client hears nothing and gives up after --timeout,
/// saying UDP does not retransmit.
#[test]
fn no_reply_times_out_and_explains() {
    let port = free_udp_port().to_string();
    both_langs(
        &[
            "client",
            "--timeout",
            "0.3",
            "--message",
            "anyone?",
            "--port",
            &port,
        ],
        &[
            "recvfrom(2) failed: EAGAIN",
            "no reply within 0.3 s",
            "UDP does not retransmit",
            "check: ss -uanp 'sport = :",
        ],
        &[
            "recvfrom(2) falhou: EAGAIN",
            "nenhuma resposta em 0.3 s",
            "O UDP não retransmite",
            "verifique: ss -uanp",
        ],
    );
}

/// The same with `--connect`: the kernel delivers the ICMP port-unreachable to the
/// connected socket as ECONNREFUSED, at once.
#[test]
fn connected_udp_sees_econnrefused() {
    let port = free_udp_port().to_string();
    both_langs(
        &[
            "client",
            "--connect",
            "--timeout",
            "5",
            "--message",
            "anyone?",
            "--port",
            &port,
        ],
        &["recvfrom(2) failed: ECONNREFUSED", "ICMP", "--connect"],
        &["recvfrom(2) falhou: ECONNREFUSED", "ICMP", "--connect"],
    );
}

/// Bad usage exits 2; --help teaches.
#[test]
fn bad_usage_exits_2_and_help_teaches() {
    for args in [
        vec!["client", "--timeout", "-1"],
        vec!["server", "--buffer", "0"],
        vec!["--lang", "fr", "demo"],
    ] {
        let out = run(Command::new(BIN).args(&args), b"", DEADLINE);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let help = run(Command::new(BIN).arg("--help"), b"", DEADLINE);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.status.success() && text.contains("no listen, no accept"),
        "{text}"
    );
}
