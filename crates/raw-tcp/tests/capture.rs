//! `--capture`: the packets the program shows are the packets on the wire. Our ladder
//! and tshark, reading the pcap file we wrote, must list the same packets: count,
//! order, ports, flags and lengths.

use raw_testkit::{can_capture, run_ok, tool, Lab};
use std::process::Command;

fn lab() -> Lab {
    Lab::tcp(env!("CARGO_BIN_EXE_raw-tcp"))
}
const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const FIN: u8 = 0x01;

/// The demo's capture holds exactly one SYN, one SYN-ACK, the data both ways and the
/// FIN exchange, on the demo's ports; the ladder lists exactly what tshark reads.
#[test]
fn demo_capture_matches_tshark() {
    let Some(tshark) = tool("tshark", "demo_capture_matches_tshark") else {
        return;
    };
    if !can_capture("demo_capture_matches_tshark") {
        return;
    }
    let pcap = lab().scratch("capture").join("demo.pcap");
    let (events, theirs) = lab().captured(&tshark, &pcap, &["demo"]);

    let count = |bits: u8| theirs.iter().filter(|p| p.3 == bits).count();
    assert_eq!(count(SYN), 1, "one SYN: {theirs:?}");
    assert_eq!(count(SYN | ACK), 1, "one SYN-ACK: {theirs:?}");
    let server_port = theirs[0].2;
    let data: Vec<_> = theirs.iter().filter(|p| p.4 == 12).collect();
    assert_eq!(data.len(), 2, "'Hello, world' out and 'HELLO, WORLD' back");
    assert_eq!(data[0].2, server_port, "the request goes to the server");
    assert_eq!(data[1].1, server_port, "the reply comes from it");
    let fins: Vec<_> = theirs.iter().filter(|p| p.3 & FIN != 0).collect();
    assert_eq!(fins.len(), 2, "one FIN each way: {theirs:?}");
    assert_eq!(fins[0].2, server_port, "the client closes first");
    assert!(
        theirs
            .iter()
            .all(|p| p.1 == server_port || p.2 == server_port),
        "only the demo's port"
    );

    // Each packet comes right after the syscall that caused it: the SYN after connect,
    // with only the state changes the kernel made meanwhile (as root: CLOSED to
    // SYN-SENT before the SYN leaves) between them.
    let connect = events
        .iter()
        .position(|e| e["syscall"] == "connect")
        .expect("connect");
    let first_packet = events
        .iter()
        .position(|e| e["kind"] == "packet")
        .expect("packets");
    assert!(first_packet > connect, "SYN after connect()");
    assert!(
        events[connect + 1..first_packet]
            .iter()
            .all(|e| e["kind"] == "transition"),
        "SYN right after connect(): {:?}",
        &events[connect + 1..first_packet]
    );
}

/// Without CAP_NET_RAW the program stops before opening any socket of the lab, says
/// why and how to fix it, and exits 1.
#[test]
fn capture_without_privilege_is_explained() {
    if !raw_testkit::is_root() {
        // As a normal user, the plain command already lacks the privilege.
        let out = lab().run(&["--capture", "/tmp/x.pcap", "demo"], b"");
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("CAP_NET_RAW"));
        return;
    }
    let Some(setpriv) = tool("setpriv", "capture_without_privilege_is_explained") else {
        return;
    };
    for (lang, pieces) in [
        (
            "en",
            [
                "socket(2) failed: EPERM",
                "CAP_NET_RAW",
                "sudo",
                "setcap cap_net_raw+ep",
            ],
        ),
        (
            "pt-BR",
            [
                "socket(2) falhou: EPERM",
                "CAP_NET_RAW",
                "sudo",
                "Nenhum socket",
            ],
        ),
    ] {
        let out = lab()
            .under(|bin| {
                let mut cmd = Command::new(&setpriv);
                cmd.args(["--bounding-set=-net_raw", "--inh-caps=-net_raw", bin]);
                cmd
            })
            .lang(lang)
            .run(&["--capture", "/tmp/never.pcap", "demo"], b"");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        for piece in pieces {
            assert!(err.contains(piece), "missing {piece:?}: {err}");
        }
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("socket(AF_INET"),
            "a lab socket was opened first"
        );
    }
}

/// With a `.pcapng` file each packet carries a comment naming the syscall and source
/// line that made it (Wireshark shows it as a packet comment); the line is real. A
/// packet the kernel sent on its own (the SYN-ACK, an ACK of data) says so instead.
#[test]
fn pcapng_comments_name_the_syscall_and_line() {
    let Some(tshark) = tool("tshark", "pcapng_comments_name_the_syscall_and_line") else {
        return;
    };
    if !can_capture("pcapng_comments_name_the_syscall_and_line") {
        return;
    }
    let pcap = lab().scratch("pcapng").join("demo.pcapng");
    lab().captured(&tshark, &pcap, &["demo"]);
    let comments = run_ok(Command::new(&tshark).arg("-r").arg(&pcap).args([
        "-T",
        "fields",
        "-e",
        "frame.comment",
    ]));
    let comments: Vec<String> = String::from_utf8_lossy(&comments.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert!(
        comments[0].starts_with("SYN <- connect() demo.rs:"),
        "{comments:?}"
    );
    let line: usize = comments[0]
        .rsplit(':')
        .next()
        .and_then(|l| l.parse().ok())
        .expect("line number");
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../raw-core/src/demo.rs"
    ))
    .expect("demo.rs");
    assert!(
        source
            .lines()
            .nth(line - 1)
            .is_some_and(|l| l.contains("steps::connect(")),
        "demo.rs:{line} is not the connect call"
    );
    assert!(
        comments
            .iter()
            .any(|c| c.starts_with("FIN-ACK <- shutdown()")),
        "{comments:?}"
    );
    // A comment names only the call that made its packet: the listening side's SYN-ACK
    // and every ACK of received data say the kernel sent them on its own.
    assert!(
        comments[1].starts_with("SYN-ACK <- the listening side's kernel"),
        "{comments:?}"
    );
    for c in comments.iter().skip(3) {
        if c.starts_with("ACK <- ") {
            assert!(
                c.contains("no syscall") || c.contains("timer"),
                "an ACK pinned on a syscall: {c} in {comments:?}"
            );
        }
    }
    assert!(
        !comments.iter().any(|c| c.starts_with("ACK <- sendto()")),
        "{comments:?}"
    );
}
