//! `--capture` for UDP: exactly one request and one reply datagram per message, and
//! our ladder lists what tshark reads.

use raw_testkit::{can_capture, tool, Lab};

fn lab() -> Lab {
    Lab::udp(env!("CARGO_BIN_EXE_raw-udp"))
}

/// The demo's capture holds one request and one reply datagram, both of the message's
/// 12 bytes, the reply from the port the request went to; the ladder lists exactly what
/// tshark reads.
#[test]
fn demo_capture_has_one_datagram_each_way() {
    let Some(tshark) = tool("tshark", "demo_capture_has_one_datagram_each_way") else {
        return;
    };
    if !can_capture("demo_capture_has_one_datagram_each_way") {
        return;
    }
    let pcap = lab().scratch("capture").join("demo.pcap");
    let (_, theirs) = lab().captured(&tshark, &pcap, &["demo"]);
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
