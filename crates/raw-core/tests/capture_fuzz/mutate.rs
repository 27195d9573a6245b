//! How a good frame is made to hurt: lengths that lie, hostile options, wrong
//! protocols and ethertypes, cut and noisy frames.

use super::*;

/// Writes a big-endian u16 at `at`, if the frame is that long.
pub(crate) fn put16(frame: &mut [u8], at: usize, value: u16) {
    if let Some(b) = frame.get_mut(at..at + 2) {
        b.copy_from_slice(&value.to_be_bytes());
    }
}

pub(crate) fn put8(frame: &mut [u8], at: usize, value: u8) {
    if let Some(b) = frame.get_mut(at) {
        *b = value;
    }
}

/// Sets the high (`high`) or low nibble of the byte at `at`.
pub(crate) fn put_nibble(frame: &mut [u8], at: usize, high: bool, value: u8) {
    if let Some(b) = frame.get_mut(at) {
        *b = if high {
            (*b & 0x0f) | (value << 4)
        } else {
            (*b & 0xf0) | (value & 0x0f)
        };
    }
}

/// Lengths that break parsers: zero, one short, exact, one long, the maximum.
pub(crate) fn extreme_len(rng: &Rng, exact: usize) -> u16 {
    let exact = exact.min(0xffff) as u16;
    rng.pick(&[
        0,
        1,
        7,
        8,
        19,
        20,
        39,
        40,
        exact.saturating_sub(1),
        exact,
        exact.saturating_add(1),
        0x7fff,
        0xfffe,
        0xffff,
        rng.u16(),
    ])
}

/// Protocol numbers and next headers a decoder must not trip on: TCP, UDP, ICMP,
/// IP-in-IP, IPv6-in-IPv4, every IPv6 extension header (hop-by-hop, routing, fragment,
/// destination options, AH, ESP, mobility, HIP, shim6), no-next-header, and noise.
pub(crate) const PROTOCOLS: [u8; 20] = [
    0, 1, 4, 6, 17, 41, 43, 44, 47, 50, 51, 58, 59, 60, 135, 139, 140, 253, 254, 255,
];

/// Ethertypes: IPv4, IPv6, ARP, VLAN tags (802.1Q, QinQ), MPLS, and odd values.
pub(crate) const ETHERTYPES: [u16; 10] = [
    0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x9100, 0x8847, 0x0000, 0x05dc, 0xffff,
];

/// TCP options that lie: lengths of 0, 1 and 255, unknown kinds, options cut short.
pub(crate) fn hostile_options(rng: &Rng, room: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < room {
        let kind = rng.pick(&[0, 1, 2, 3, 4, 5, 8, 28, 30, 34, 254, 255, rng.byte()]);
        out.push(kind);
        let len = rng.pick(&[0, 1, 2, 3, 4, 10, 18, 34, 40, 255, rng.byte()]);
        out.push(len);
        let body = rng.below(12);
        out.extend(rng.bytes(body));
    }
    out.truncate(room);
    out
}

/// One mutation of a frame, aimed at a field of `base` or at random bytes.
pub(crate) fn mutate(rng: &Rng, base: &Base, frame: &mut Vec<u8>) {
    let (ip, l4) = (base.ip, base.l4);
    match rng.below(20) {
        0 => {
            if !frame.is_empty() {
                let at = rng.below(frame.len());
                frame[at] ^= 1 << rng.below(8);
            }
        }
        1 => {
            if !frame.is_empty() {
                let at = rng.below(frame.len());
                frame[at] = rng.pick(&[0x00, 0xff, 0x80, 0x7f, 0x0f, 0xf0, rng.byte()]);
            }
        }
        2 => {
            let keep = rng.below(frame.len() + 1);
            frame.truncate(keep);
        }
        3 => {
            let more = rng.pick(&[1, 2, 4, 20, 60, 1500, rng.below(64)]);
            let noise = rng.bytes(more);
            frame.extend(noise);
        }
        4 => {
            let at = rng.below(frame.len() + 1);
            let noise = rng.bytes(1 + rng.below(8));
            frame.splice(at..at, noise);
        }
        5 => {
            if !frame.is_empty() {
                let from = rng.below(frame.len());
                let to = (from + 1 + rng.below(16)).min(frame.len());
                frame.drain(from..to);
            }
        }
        6 => {
            let ethertype = rng.pick(&ETHERTYPES);
            put16(frame, 12, ethertype);
            if ip == 18 {
                put16(frame, 16, rng.pick(&ETHERTYPES));
            }
        }
        // IP version nibble: 4 and 6 swapped, or nonsense.
        7 => put_nibble(frame, ip, true, rng.pick(&[0, 4, 5, 6, 15, rng.byte()])),
        8 => {
            let after_ip = frame.len().saturating_sub(ip);
            if base.v6 {
                let payload = extreme_len(rng, after_ip.saturating_sub(40));
                put16(frame, ip + 4, payload);
            } else {
                let total = extreme_len(rng, after_ip);
                put16(frame, ip + 2, total);
            }
        }
        9 => {
            if base.v6 {
                put8(frame, ip + 6, rng.pick(&PROTOCOLS));
            } else {
                put8(frame, ip + 9, rng.pick(&PROTOCOLS));
            }
        }
        // IPv4 header length: 0 to 15 words (0..60 bytes), most of them lies.
        10 if !base.v6 => put_nibble(frame, ip, false, rng.below(16) as u8),
        // IPv4 flags and fragment offset: more fragments, a later fragment, DF, reserved.
        11 if !base.v6 => put16(
            frame,
            ip + 6,
            rng.pick(&[0x2000, 0x0001, 0x1fff, 0x4000, 0x8000, 0x3fff, rng.u16()]),
        ),
        // An IPv6 extension header chain in place of the transport header.
        10 | 11 => {
            put8(frame, ip + 6, rng.pick(&[0, 43, 44, 60, 51, 135]));
            if let Some(ext) = frame.get_mut(l4..) {
                let len = ext.len().min(16);
                for b in &mut ext[..len] {
                    *b = rng.byte();
                }
                if let Some(next) = ext.first_mut() {
                    *next = rng.pick(&PROTOCOLS);
                }
                if let Some(words) = ext.get_mut(1) {
                    *words = rng.pick(&[0, 1, 2, 255, rng.byte()]);
                }
            }
        }
        // TCP data offset: 0 to 15 words, shorter than the header or past the frame.
        12 if base.tcp => put_nibble(frame, l4 + 12, true, rng.below(16) as u8),
        13 if base.tcp => put8(frame, l4 + 13, rng.byte()),
        14 if base.tcp => {
            let offset_words = frame.get(l4 + 12).map_or(5, |b| usize::from(b >> 4));
            let room = offset_words.saturating_sub(5) * 4;
            let options = hostile_options(rng, room.max(4));
            let at = l4 + 20;
            if frame.len() >= at + options.len() {
                frame[at..at + options.len()].copy_from_slice(&options);
            } else {
                frame.truncate(at.min(frame.len()));
                frame.extend(options);
            }
        }
        12..=14 => {
            let udp_len = extreme_len(rng, frame.len().saturating_sub(l4));
            put16(frame, l4 + 4, udp_len);
        }
        // Ports at their extremes (0 is not a valid port on the wire, but arrives).
        15 => put16(
            frame,
            l4 + rng.pick(&[0, 2]),
            rng.pick(&[0, 1, PORT, 0xffff]),
        ),
        // TCP sequence / acknowledgement numbers at the wrap-around.
        16 => put16(
            frame,
            l4 + rng.pick(&[4, 6, 8, 10]),
            rng.pick(&[0, 0xffff, 0x8000]),
        ),
        // A copy of one header over another (IPv4 over IPv6 and so on).
        17 => {
            if frame.len() > 2 {
                let len = 1 + rng.below(frame.len() / 2);
                let from = rng.below(frame.len() - len + 1);
                let to = rng.below(frame.len() - len + 1);
                frame.copy_within(from..from + len, to);
            }
        }
        // Cut right at a header boundary, or one byte either side of it.
        18 => {
            let at = rng.pick(&[0, 13, 14, 15, ip + 19, ip + 20, ip + 39, ip + 40, l4 + 7])
                + rng.below(3);
            frame.truncate(at.min(frame.len()));
        }
        _ => {
            let len = frame.len();
            if len > 0 {
                let from = rng.below(len);
                let noise = rng.bytes(len - from);
                frame[from..].copy_from_slice(&noise);
            }
        }
    }
}

/// A frame of pure noise: random length, sometimes with a plausible Ethernet and IP
/// start so the noise gets past the first checks.
pub(crate) fn noise(rng: &Rng) -> Vec<u8> {
    let len = rng.pick(&[
        0,
        1,
        13,
        14,
        15,
        33,
        34,
        54,
        60,
        64,
        128,
        1514,
        rng.below(1600),
    ]);
    let mut frame = rng.bytes(len);
    if rng.below(2) == 0 {
        put16(&mut frame, 12, rng.pick(&[0x0800, 0x86dd, 0x8100]));
        if rng.below(2) == 0 {
            put_nibble(&mut frame, 14, true, rng.pick(&[4, 6]));
        }
    }
    frame
}
