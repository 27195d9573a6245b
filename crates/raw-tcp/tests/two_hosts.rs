//! The classmate's-machine lab, rehearsed on one machine: a server on 0.0.0.0 in one
//! network namespace, the client in another, joined by a veth pair. The server lists
//! the address to give the classmate, the echo works across the "network", and the
//! server's own capture sees the handshake come from the other host.

use raw_testkit::{Events, Lab, TwoHosts, DEADLINE};

fn lab() -> Lab {
    Lab::tcp(env!("CARGO_BIN_EXE_raw-tcp"))
}

/// The server on 0.0.0.0 in host A names the command to give the classmate; the client
/// in host B gets `HELLO, WORLD`; the server's capture, as tshark reads it too, sees
/// the SYN come from host B.
#[test]
fn tcp_across_two_hosts() {
    let Some(two) = lab().two_hosts("tcp_across_two_hosts") else {
        return;
    };
    let srv = two.server();
    let port = srv.port().to_string();
    let out = two.client(&srv, &[]);
    assert_eq!(out.text(), "Received \"HELLO, WORLD\"\n");
    let (status, events, _) = srv.finish(DEADLINE);
    assert!(status.success());
    let told = events.iter().filter_map(|e| e["text"].as_str()).any(|t| {
        t.contains(&format!(
            "raw-tcp client --host {} --port {port}",
            TwoHosts::A
        ))
    });
    assert!(
        told,
        "the server names the address and command to give the classmate"
    );
    let accepted = events.call("accept4");
    assert!(
        accepted["peer"]
            .as_str()
            .is_some_and(|p| p.starts_with(&format!("{}:", TwoHosts::B))),
        "{accepted}"
    );

    two.packets(&events);
    let syn = events
        .iter()
        .find(|e| e["kind"] == "packet")
        .expect("packets");
    assert!(
        syn["packet"]["src"]
            .as_str()
            .is_some_and(|s| s.starts_with(TwoHosts::B)),
        "the SYN comes from host B: {syn}"
    );
    assert_eq!(syn["packet"]["flags"], "SYN");
}
