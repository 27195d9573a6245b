//! `--capture` for UDP: exactly one request and one reply datagram per message, and
//! our ladder lists what tshark reads.

use raw_testkit::{can_capture, json_lines, ladder_packets, run_ok, tool, tshark_packets};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-udp");

#[test]
fn demo_capture_has_one_datagram_each_way() {
    let Some(tshark) = tool("tshark", "demo_capture_has_one_datagram_each_way") else {
        return;
    };
    if !can_capture("demo_capture_has_one_datagram_each_way") {
        return;
    }
    let pcap = std::env::temp_dir().join(format!("raw-udp-demo-{}.pcap", std::process::id()));
    let out = run_ok(
        Command::new(BIN)
            .arg("--json")
            .arg("--capture")
            .arg(&pcap)
            .arg("demo"),
    );
    let ours = ladder_packets(&json_lines(&out.stdout));
    let theirs = tshark_packets(&tshark, &pcap);
    assert_eq!(ours, theirs, "our ladder and tshark disagree");
    assert_eq!(theirs.len(), 2, "one request, one reply: {theirs:?}");
    assert!(
        theirs.iter().all(|p| p.0 == "UDP" && p.4 == 12),
        "{theirs:?}"
    );
    assert_eq!(
        theirs[0].2, theirs[1].1,
        "the reply comes from the port the request went to"
    );
}
