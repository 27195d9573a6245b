//! A packet as one line of the ladder diagram: `client:port → server:port  SYN ...`.

#![forbid(unsafe_code)]

use crate::trace::event::PacketInfo;
use crate::trace::strace;

/// `SYN`, `SYN-ACK`, `ACK`, `PSH-ACK`, `FIN-ACK`, `RST`, `RST-ACK`...
pub fn flag_name(bits: u8) -> String {
    let mut names = Vec::new();
    for (bit, name) in [
        (0x02, "SYN"),
        (0x01, "FIN"),
        (0x04, "RST"),
        (0x08, "PSH"),
        (0x20, "URG"),
        (0x10, "ACK"),
    ] {
        if bits & bit != 0 {
            names.push(name);
        }
    }
    names.join("-")
}

/// One line of the ladder: the client on the left, the side with the lab's port on
/// the right, an arrow for the direction.
pub fn ladder_line(p: &PacketInfo, port: u16, payload: &[u8]) -> String {
    let to_right = p.dst.rsplit(':').next() == Some(&port.to_string());
    let (left, right) = if to_right {
        (&p.src, &p.dst)
    } else {
        (&p.dst, &p.src)
    };
    let label = if p.proto == "UDP" {
        format!("UDP {} bytes", p.len)
    } else if p.len > 0 {
        format!("{} {} bytes", p.flags, p.len)
    } else {
        p.flags.clone()
    };
    let arrow = if to_right {
        format!(
            "── {label} {}▶",
            "─".repeat(24usize.saturating_sub(label.chars().count()))
        )
    } else {
        format!(
            "◀{} {label} ──",
            "─".repeat(24usize.saturating_sub(label.chars().count()))
        )
    };
    let mut detail = String::new();
    if let Some(seq) = p.seq {
        detail.push_str(&format!("seq={seq}"));
    }
    if let Some(ack) = p.ack {
        detail.push_str(&format!(" ack={ack}"));
    }
    if !payload.is_empty() {
        detail.push_str(&format!(" {}", strace::quoted_limit(payload, 24)));
    }
    format!(
        "#{:<3} {left:>21} {arrow} {right:<21} {}",
        p.no,
        detail.trim()
    )
}
