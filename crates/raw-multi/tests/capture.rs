//! `--capture` on a multi-client server: three clients, three distinct client ports,
//! in our ladder and in tshark alike.

use raw_testkit::{can_capture, ladder_packets, run_ok, tool, tshark_packets, Server};
use std::collections::HashSet;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-multi");

#[test]
fn three_clients_three_ports_in_ladder_and_tshark() {
    let Some(tshark) = tool("tshark", "three_clients_three_ports_in_ladder_and_tshark") else {
        return;
    };
    if !can_capture("three_clients_three_ports_in_ladder_and_tshark") {
        return;
    }
    let pcap = std::env::temp_dir().join(format!("raw-multi-{}.pcap", std::process::id()));
    let srv = Server::start(
        Command::new(BIN)
            .arg("--json")
            .arg("--capture")
            .arg(&pcap)
            .args(["server", "--model", "epoll", "--port", "0"]),
    );
    let port = srv.port();
    run_ok(Command::new(BIN).args(["-q", "clients", "--count", "3", "--port", &port.to_string()]));
    let (status, events, _) = srv.terminate();
    assert!(status.success());
    let ours = ladder_packets(&events);
    let theirs = tshark_packets(&tshark, &pcap);
    assert_eq!(ours, theirs, "our ladder and tshark disagree");
    let client_ports = |pkts: &[raw_testkit::WirePacket]| -> HashSet<u16> {
        pkts.iter().filter(|p| p.3 == 0x02).map(|p| p.1).collect()
    };
    assert_eq!(
        client_ports(&theirs).len(),
        3,
        "three SYNs from three ports: {theirs:?}"
    );
    assert_eq!(client_ports(&ours), client_ports(&theirs));
    assert!(theirs.iter().all(|p| p.1 == port || p.2 == port));
}
