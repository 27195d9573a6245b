//! Ports and socket states, as the kernel lists them (`ss`, a tool no one here wrote).

#![forbid(unsafe_code)]

use crate::*;
use std::thread;
use std::time::{Duration, Instant};

/// A port that was free a moment ago (bind port 0, read it back, release it), for
/// tools such as socat that cannot report the port they bound.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local_addr").port()
}

/// Waits (bounded by [`DEADLINE`]) until the kernel lists a socket whose local port is
/// `port` in `state` (RFC 793 names as the labs print them: `LISTEN`, `TIME-WAIT`...);
/// returns whether it did. Asks `ss` (iproute2), a tool no one here wrote, so the
/// tests do not read the kernel's table through the code they test.
pub fn wait_for_state(port: u16, state: &str) -> bool {
    let filter = match state {
        "LISTEN" => "listening".to_string(),
        "SYN-RECEIVED" => "syn-recv".to_string(),
        other => other.to_ascii_lowercase(),
    };
    let sport = format!("sport = :{port}");
    wait_for_ss(&["-Htan", "state", &filter, &sport])
}

/// Waits (bounded by [`DEADLINE`]) until a UDP socket is bound to `port` (`ss -Huan`).
pub fn wait_for_udp(port: u16) -> bool {
    let sport = format!("sport = :{port}");
    wait_for_ss(&["-Huan", &sport])
}

/// Runs `ss ARGS` every 20 ms until it lists a socket, or [`DEADLINE`] passes.
fn wait_for_ss(args: &[&str]) -> bool {
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        let listed = std::process::Command::new("ss")
            .args(args)
            .output()
            .is_ok_and(|out| out.status.success() && !out.stdout.trim_ascii().is_empty());
        if listed {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A UDP port that was free a moment ago.
pub fn free_udp_port() -> u16 {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind udp 127.0.0.1:0");
    s.local_addr().expect("local_addr").port()
}
