//! The classmate's-machine lab over UDP, rehearsed with two network namespaces: the
//! server on 0.0.0.0 in host A answers a client in host B, and its capture holds one
//! datagram each way between the two hosts.

use raw_testkit::{can_capture, ladder_packets, run_ok, tool, tshark_packets, Server, TwoHosts};

const BIN: &str = env!("CARGO_BIN_EXE_raw-udp");

#[test]
fn udp_across_two_hosts() {
    let Some(hosts) = TwoHosts::up("udp_across_two_hosts") else {
        return;
    };
    let Some(tshark) = tool("tshark", "udp_across_two_hosts") else {
        return;
    };
    if !can_capture("udp_across_two_hosts") {
        return;
    }
    let pcap = std::env::temp_dir().join(format!("two-hosts-udp-{}.pcap", std::process::id()));
    let srv = Server::start(
        hosts
            .on_a(BIN)
            .arg("--json")
            .arg("--capture")
            .arg(&pcap)
            .args(["server", "--host", "0.0.0.0", "--port", "0"]),
    );
    let port = srv.port().to_string();
    let out = run_ok(hosts.on_b(BIN).args([
        "-q",
        "client",
        "--host",
        TwoHosts::A,
        "--port",
        &port,
        "--message",
        "Hello, world",
    ]));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Sent: \"Hello, world\"\nReceived: \"HELLO, WORLD\"\n"
    );
    let (status, events, _) = srv.terminate();
    assert!(status.success());
    let ours = ladder_packets(&events);
    assert_eq!(ours, tshark_packets(&tshark, &pcap));
    assert_eq!(ours.len(), 2, "one datagram each way: {ours:?}");
    let first = events
        .iter()
        .find(|e| e["kind"] == "packet")
        .expect("packet");
    assert!(
        first["packet"]["src"]
            .as_str()
            .is_some_and(|s| s.starts_with(TwoHosts::B)),
        "{first}"
    );
}
