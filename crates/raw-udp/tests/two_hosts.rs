//! The classmate's-machine lab over UDP, rehearsed with two network namespaces: the
//! server on 0.0.0.0 in host A answers a client in host B, and its capture holds one
//! datagram each way between the two hosts.

use raw_testkit::{can_capture, ladder_packets, tool, tshark_packets, Lab, TwoHosts};

fn lab() -> Lab {
    Lab::udp(env!("CARGO_BIN_EXE_raw-udp"))
}

/// The server on 0.0.0.0 in host A answers the client in host B; its capture, as
/// tshark reads it too, holds one datagram each way, the first from host B.
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
    let pcap = lab().scratch("two-hosts").join("server.pcap");
    let srv = lab()
        .under(|bin| hosts.on_a(bin))
        .capture(&pcap)
        .server(&["--host", "0.0.0.0", "--port", "0"]);
    let port = srv.port().to_string();
    let out = lab().under(|bin| hosts.on_b(bin)).with(&["-q"]).run_ok(&[
        "client",
        "--host",
        TwoHosts::A,
        "--port",
        &port,
        "--message",
        "Hello, world",
    ]);
    assert_eq!(
        out.text(),
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
