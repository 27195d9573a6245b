//! The packets on the wire, as tshark and as our ladder see them.

#![forbid(unsafe_code)]

use crate::*;
use serde_json::Value;
use std::process::Command;

/// One packet as both our ladder and tshark can describe it:
/// (protocol, source port, destination port, TCP flag bits, payload length).
pub type WirePacket = (String, u16, u16, u8, usize);

/// The packets of a pcap file, read by tshark.
pub fn tshark_packets(tshark: &std::path::Path, pcap: &std::path::Path) -> Vec<WirePacket> {
    let out = run_ok(Command::new(tshark).arg("-r").arg(pcap).args([
        "-T",
        "fields",
        "-E",
        "separator=,",
        "-e",
        "tcp.srcport",
        "-e",
        "tcp.dstport",
        "-e",
        "tcp.flags",
        "-e",
        "tcp.len",
        "-e",
        "udp.srcport",
        "-e",
        "udp.dstport",
        "-e",
        "udp.length",
    ]));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let num = |i: usize| f.get(i).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
            if f.first().is_some_and(|v| !v.is_empty()) {
                let flags = f
                    .get(2)
                    .and_then(|v| {
                        u8::from_str_radix(v.trim_start_matches("0x").trim_start_matches("00"), 16)
                            .ok()
                    })
                    .unwrap_or(0);
                (
                    "TCP".to_string(),
                    num(0) as u16,
                    num(1) as u16,
                    flags,
                    num(3),
                )
            } else {
                (
                    "UDP".to_string(),
                    num(4) as u16,
                    num(5) as u16,
                    0,
                    num(6).saturating_sub(8),
                )
            }
        })
        .collect()
}

/// The packets our ladder printed, from `--json` events.
pub fn ladder_packets(events: &[Value]) -> Vec<WirePacket> {
    let port = |addr: &Value| {
        addr.as_str()
            .and_then(|a| a.rsplit(':').next()?.parse::<u16>().ok())
            .unwrap_or(0)
    };
    events
        .iter()
        .filter(|e| e["kind"] == "packet")
        .map(|e| {
            let p = &e["packet"];
            (
                p["proto"].as_str().unwrap_or("").to_string(),
                port(&p["src"]),
                port(&p["dst"]),
                p["flag_bits"].as_u64().unwrap_or(0) as u8,
                p["len"].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect()
}
