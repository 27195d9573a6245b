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
        &["datagrama de 12 bytes", "só comporta 5", "MSG_TRUNC"],
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
/// saying UDP does not retransmit. The hint and the commands to run name the real
/// server address and port (never a `PORT` to fill in), and Portuguese writes 0,3 s.
#[test]
fn no_reply_times_out_and_explains() {
    let port = free_udp_port().to_string();
    let server = format!("127.0.0.1:{port}");
    let en_hint = format!("no reply from {server} within 0.3 s");
    let pt_hint = format!("nenhuma resposta de {server} em 0,3 s");
    let en_server = format!("Check that a UDP server runs on {server}");
    let pt_server = format!("Confira se há um servidor UDP rodando em {server}");
    let ss = format!("ss -uanp 'sport = :{port}'");
    let tshark = format!("tshark -i any -f 'udp port {port}'");
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
            &en_hint,
            "UDP does not retransmit",
            &en_server,
            &format!("check: {ss} (on the server's machine); {tshark}"),
        ],
        &[
            "recvfrom(2) falhou: EAGAIN",
            &pt_hint,
            "O UDP não retransmite",
            &pt_server,
            &format!("verifique: {ss} (na máquina do servidor); {tshark}"),
        ],
    );
    for lang in ["en", "pt-BR"] {
        let out = run(
            Command::new(BIN).args([
                "--lang",
                lang,
                "client",
                "--timeout",
                "0.3",
                "--message",
                "x",
                "--port",
                &port,
            ]),
            b"",
            DEADLINE,
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("PORT"), "a placeholder: {err}");
    }
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
        &[
            "recvfrom(2) failed: ECONNREFUSED",
            "ICMP",
            "--connect",
            &format!("came back from 127.0.0.1:{port}"),
            &format!("check: ss -uanp 'sport = :{port}'"),
        ],
        &[
            "recvfrom(2) falhou: ECONNREFUSED",
            "ICMP",
            "--connect",
            &format!("de 127.0.0.1:{port}"),
            &format!("verifique: ss -uanp 'sport = :{port}'"),
        ],
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

/// One datagram from 10.9.9.9:4242 (forged with a raw socket) reaches the server in a
/// network namespace of this test's own, where only `lo` exists and no route leads to
/// 10.9.9.9. A teaching script, in a shell, inside the namespace: `ip link set lo up`,
/// the server in the background, the forged datagram, then `kill -TERM`.
const NO_ROUTE_BACK: &str = r#"
ip link set lo up || exit 90
"$BIN" "$@" server --port 40000 2> err &
pid=$!
for i in $(seq 200); do grep -q 40000 err 2>/dev/null && break; sleep 0.05; done
"$PYTHON" -c '
import socket, struct
payload = b"hi"
udp = struct.pack("!HHHH", 4242, 40000, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
                 socket.inet_aton("10.9.9.9"), socket.inet_aton("127.0.0.1"))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip + udp, ("127.0.0.1", 0))
' || exit 91
for i in $(seq 200); do grep -q 4242 err 2>/dev/null && break; sleep 0.05; done
for i in $(seq 20); do kill -TERM $pid 2>/dev/null || break; sleep 0.25; done
wait $pid
echo "exit=$?"
cat err
"#;

/// The server's reply to one client cannot be sent (no route back to a forged source):
/// a warning that names the client, the errno, the hint and what happens next, on
/// stderr — with -q and even -qq, in both languages — and the server goes on (it exits
/// 0 on SIGTERM afterwards). Needs root (a network namespace, a raw socket).
#[test]
fn a_reply_that_cannot_be_sent_is_never_hidden() {
    let test = "a_reply_that_cannot_be_sent_is_never_hidden";
    if !raw_testkit::is_root() {
        raw_testkit::skip(test, "a network namespace and a raw socket need root");
        return;
    }
    let (Some(unshare), Some(python), Some(_)) = (
        raw_testkit::tool("unshare", test),
        raw_testkit::tool("python3", test),
        raw_testkit::tool("ip", test),
    ) else {
        return;
    };
    for (lang, quiet, pieces) in [
        (
            "en",
            "-qq",
            [
                "warning: 10.9.9.9:4242: sendto(2) failed: ENETUNREACH (Network is unreachable)",
                "hint: there is no route to 10.9.9.9:4242",
                "check: ip route get 10.9.9.9",
                "— Only this reply is lost; the server goes on.",
            ],
        ),
        (
            "pt-BR",
            "-q",
            [
                "aviso: 10.9.9.9:4242: sendto(2) falhou: ENETUNREACH (Network is unreachable)",
                "dica: não há rota até 10.9.9.9:4242",
                "verifique: ip route get 10.9.9.9",
                "— Só esta resposta se perde; o servidor continua.",
            ],
        ),
    ] {
        let dir =
            std::env::temp_dir().join(format!("raw-udp-noroute-{}-{lang}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let out = run(
            Command::new(&unshare)
                .args(["-n", "sh", "-c", NO_ROUTE_BACK, "sh", "--lang", lang, quiet])
                .env("BIN", BIN)
                .env("PYTHON", &python)
                .current_dir(&dir),
            b"",
            DEADLINE,
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("exit=0"),
            "{lang}: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for piece in pieces {
            assert!(
                text.contains(piece),
                "{lang} {quiet}: missing {piece:?} in {text}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
