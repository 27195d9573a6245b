//! The classmate's-machine lab over UDP, rehearsed with two network namespaces: the
//! server on 0.0.0.0 in host A answers a client in host B, and its capture holds one
//! datagram each way between the two hosts.

use raw_testkit::{Lab, TwoHosts};

fn lab() -> Lab {
    Lab::udp(env!("CARGO_BIN_EXE_raw-udp"))
}

/// The server on 0.0.0.0 in host A answers the client in host B; its capture, as
/// tshark reads it too, holds one datagram each way, the first from host B.
#[test]
fn udp_across_two_hosts() {
    let Some(two) = lab().two_hosts("udp_across_two_hosts") else {
        return;
    };
    let srv = two.server();
    let out = two.client(&srv, &["--message", "Hello, world"]);
    assert_eq!(
        out.text(),
        "Sent: \"Hello, world\"\nReceived: \"HELLO, WORLD\"\n"
    );
    let (status, events, _) = srv.terminate();
    assert!(status.success());
    let ours = two.packets(&events);
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
