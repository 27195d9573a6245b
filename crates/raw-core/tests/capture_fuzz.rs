//! `--capture` runs as root and decodes whatever reaches the lab's port: anyone on the
//! network can send it a truncated frame, a length field that lies, an IPv4 header length
//! of 0, an IPv6 extension-header chain, or plain noise. This test feeds the capture's
//! own decoder and ladder formatter ([`Decoder::ladder`], the code `Capture::drain`
//! runs on every frame) 100 000 frames built to hurt, and checks that it never panics
//! (debug builds also panic on arithmetic overflow) and that good frames still decode
//! to the right ports and flags.
//!
//! ```text
//! cargo test -p raw-core --test capture_fuzz -- --nocapture        # seed and timing
//! RAW_FUZZ_SEED=0x1234 cargo test -p raw-core --test capture_fuzz   # another run
//! RAW_FUZZ_FRAMES=2000000 cargo test --release -p raw-core --test capture_fuzz
//! ```
//!
//! The frames come from a seeded xorshift generator, so a failure is replayed exactly
//! by running again with the seed it prints.

use etherparse::PacketBuilder;
use raw_core::capture::{flag_name, Decoder, PacketInfo};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// The lab's port, as the ladder sees it.
const PORT: u16 = 65432;
/// The client's ephemeral port in the frames built here.
const CLIENT: u16 = 50123;
/// The seed used unless `RAW_FUZZ_SEED` names another.
const DEFAULT_SEED: u64 = 0x5EED_0FC0_FFEE;
/// Frames fed unless `RAW_FUZZ_FRAMES` asks for another number.
const DEFAULT_FRAMES: usize = 100_000;

/// xorshift64* (Vigna, 2016): small, fast, and the same sequence on every machine.
/// The state is a `Cell` so one draw can be nested in another
/// (`rng.pick(&[0, rng.byte()])`).
struct Rng(Cell<u64>);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(Cell::new(seed.max(1))) // xorshift's state must never be 0
    }

    fn next(&self) -> u64 {
        let mut x = self.0.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&self) -> u8 {
        self.next() as u8
    }

    fn u16(&self) -> u16 {
        self.next() as u16
    }

    /// One of `choices`.
    fn pick<T: Copy>(&self, choices: &[T]) -> T {
        choices[self.below(choices.len())]
    }

    fn bytes(&self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.byte()).collect()
    }
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// What a well-formed frame must decode to.
#[derive(Debug, Clone)]
struct Expected {
    proto: &'static str,
    src_port: u16,
    dst_port: u16,
    flag_bits: u8,
    payload: usize,
}

/// A frame built here, with where its headers start, so mutations can aim at fields.
#[derive(Debug, Clone)]
struct Base {
    name: &'static str,
    frame: Vec<u8>,
    /// Offset of the IP header (after Ethernet and any VLAN tag).
    ip: usize,
    /// Offset of the TCP or UDP header.
    l4: usize,
    v6: bool,
    tcp: bool,
    expected: Expected,
}

/// MSS 1460, SACK permitted, timestamps, NOP, window scale 7: what Linux puts in a SYN.
const SYN_OPTIONS: [u8; 20] = [
    2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0, 1, 3, 3, 7,
];

fn build(
    step: impl FnOnce(&mut Vec<u8>, &[u8]) -> Result<(), etherparse::err::packet::BuildWriteError>,
    payload: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    step(&mut out, payload).expect("build frame");
    out
}

/// Valid frames: TCP and UDP over IPv4 and IPv6, in both directions, one with a VLAN tag.
fn bases() -> Vec<Base> {
    let mac = ([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
    let v4 = || PacketBuilder::ethernet2(mac.0, mac.1).ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64);
    let (a6, b6) = (
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
    );
    let v6 = || PacketBuilder::ethernet2(mac.0, mac.1).ipv6(a6, b6, 64);
    let tcp = |name, frame, v6: bool, src_port, dst_port, flag_bits, payload| Base {
        name,
        frame,
        ip: 14,
        l4: if v6 { 54 } else { 34 },
        v6,
        tcp: true,
        expected: Expected {
            proto: "TCP",
            src_port,
            dst_port,
            flag_bits,
            payload,
        },
    };
    let udp = |name, frame, v6: bool, src_port, dst_port, payload| Base {
        name,
        frame,
        ip: 14,
        l4: if v6 { 54 } else { 34 },
        v6,
        tcp: false,
        expected: Expected {
            proto: "UDP",
            src_port,
            dst_port,
            flag_bits: 0,
            payload,
        },
    };
    let hello = b"hello, server\n";
    let syn = v4()
        .tcp(CLIENT, PORT, 1000, 65495)
        .syn()
        .options_raw(&SYN_OPTIONS)
        .expect("options");
    let mut all = vec![
        tcp(
            "IPv4 TCP SYN with options",
            build(|o, p| syn.write(o, p), b""),
            false,
            CLIENT,
            PORT,
            0x02,
            0,
        ),
        tcp(
            "IPv4 TCP PSH-ACK with data",
            build(
                |o, p| v4().tcp(CLIENT, PORT, 1001, 512).psh().ack(7).write(o, p),
                hello,
            ),
            false,
            CLIENT,
            PORT,
            0x18,
            hello.len(),
        ),
        tcp(
            "IPv4 TCP every flag, from the server",
            build(
                |o, p| {
                    v4().tcp(PORT, CLIENT, 9, 512)
                        .fin()
                        .syn()
                        .rst()
                        .psh()
                        .ack(1)
                        .urg(3)
                        .write(o, p)
                },
                b"x",
            ),
            false,
            PORT,
            CLIENT,
            0x3f,
            1,
        ),
        udp(
            "IPv4 UDP",
            build(|o, p| v4().udp(CLIENT, PORT).write(o, p), hello),
            false,
            CLIENT,
            PORT,
            hello.len(),
        ),
        tcp(
            "IPv6 TCP FIN-ACK",
            build(
                |o, p| v6().tcp(PORT, CLIENT, 77, 512).fin().ack(5).write(o, p),
                b"",
            ),
            true,
            PORT,
            CLIENT,
            0x11,
            0,
        ),
        tcp(
            "IPv6 TCP SYN with options",
            build(
                |o, p| {
                    v6().tcp(CLIENT, PORT, 1, 65535)
                        .syn()
                        .options_raw(&SYN_OPTIONS)
                        .expect("options")
                        .write(o, p)
                },
                b"",
            ),
            true,
            CLIENT,
            PORT,
            0x02,
            0,
        ),
        udp(
            "IPv6 UDP",
            build(|o, p| v6().udp(PORT, CLIENT).write(o, p), hello),
            true,
            PORT,
            CLIENT,
            hello.len(),
        ),
    ];
    let vlan = etherparse::VlanId::try_new(42).expect("vlan id");
    let mut tagged = udp(
        "IPv4 UDP in a VLAN",
        build(
            |o, p| {
                PacketBuilder::ethernet2(mac.0, mac.1)
                    .single_vlan(vlan)
                    .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 1)
                    .udp(CLIENT, PORT)
                    .write(o, p)
            },
            b"",
        ),
        false,
        CLIENT,
        PORT,
        0,
    );
    tagged.ip = 18;
    tagged.l4 = 38;
    all.push(tagged);
    all
}

/// Writes a big-endian u16 at `at`, if the frame is that long.
fn put16(frame: &mut [u8], at: usize, value: u16) {
    if let Some(b) = frame.get_mut(at..at + 2) {
        b.copy_from_slice(&value.to_be_bytes());
    }
}

fn put8(frame: &mut [u8], at: usize, value: u8) {
    if let Some(b) = frame.get_mut(at) {
        *b = value;
    }
}

/// Sets the high (`high`) or low nibble of the byte at `at`.
fn put_nibble(frame: &mut [u8], at: usize, high: bool, value: u8) {
    if let Some(b) = frame.get_mut(at) {
        *b = if high {
            (*b & 0x0f) | (value << 4)
        } else {
            (*b & 0xf0) | (value & 0x0f)
        };
    }
}

/// Lengths that break parsers: zero, one short, exact, one long, the maximum.
fn extreme_len(rng: &Rng, exact: usize) -> u16 {
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
const PROTOCOLS: [u8; 20] = [
    0, 1, 4, 6, 17, 41, 43, 44, 47, 50, 51, 58, 59, 60, 135, 139, 140, 253, 254, 255,
];

/// Ethertypes: IPv4, IPv6, ARP, VLAN tags (802.1Q, QinQ), MPLS, and odd values.
const ETHERTYPES: [u16; 10] = [
    0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x9100, 0x8847, 0x0000, 0x05dc, 0xffff,
];

/// TCP options that lie: lengths of 0, 1 and 255, unknown kinds, options cut short.
fn hostile_options(rng: &Rng, room: usize) -> Vec<u8> {
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
fn mutate(rng: &Rng, base: &Base, frame: &mut Vec<u8>) {
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
fn noise(rng: &Rng) -> Vec<u8> {
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

/// The capture's decoder, fed one frame after another as `Capture::drain` feeds it,
/// with a tally.
struct Fuzz {
    decoder: Decoder,
    seed: u64,
    fed: u64,
    decoded: u64,
}

impl Fuzz {
    /// Runs the decoder on one frame; a panic becomes a message that replays it.
    fn feed(&mut self, frame: &[u8], port: u16, what: &str) -> Option<(PacketInfo, String)> {
        self.fed += 1;
        let (no, seed) = (self.fed, self.seed);
        let stamp = Duration::new(1_700_000_000, 123_456_789);
        let decoder = &mut self.decoder;
        let outcome = catch_unwind(AssertUnwindSafe(|| decoder.ladder(no, frame, stamp, port)));
        let Ok(decoded) = outcome else {
            panic!(
                "the decoder panicked on frame {no} ({what}), seed {seed:#x} (RAW_FUZZ_SEED={seed:#x} replays it):\n{}",
                hex(frame)
            )
        };
        if let Some((info, line)) = &decoded {
            self.decoded += 1;
            sane(info, line, frame, what);
        }
        decoded
    }
}

/// What every decoded frame must satisfy, however mangled.
fn sane(info: &PacketInfo, line: &str, frame: &[u8], what: &str) {
    assert!(
        info.proto == "TCP" || info.proto == "UDP",
        "{what}: proto {:?}",
        info.proto
    );
    assert!(
        info.len <= frame.len(),
        "{what}: payload longer than the frame"
    );
    assert_eq!(info.flags, flag_name(info.flag_bits), "{what}");
    if info.proto == "UDP" {
        assert_eq!(
            (info.flag_bits, info.seq, info.ack),
            (0, None, None),
            "{what}"
        );
    } else {
        assert!(info.seq.is_some(), "{what}: TCP without seq");
    }
    assert!(
        line.starts_with(&format!("#{:<3} ", info.no)),
        "{what}: {line}"
    );
}

fn hex(frame: &[u8]) -> String {
    frame
        .chunks(16)
        .map(|row| {
            row.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn port_of(addr: &str) -> Option<u16> {
    addr.rsplit(':').next()?.parse().ok()
}

/// Checks a frame that is still whole and valid against what it was built to say.
fn assert_decodes_as(base: &Base, decoded: Option<(PacketInfo, String)>) {
    let (info, line) = decoded.unwrap_or_else(|| panic!("{}: did not decode", base.name));
    let e = &base.expected;
    assert_eq!(info.proto, e.proto, "{}", base.name);
    assert_eq!(port_of(&info.src), Some(e.src_port), "{}", base.name);
    assert_eq!(port_of(&info.dst), Some(e.dst_port), "{}", base.name);
    assert_eq!(info.flag_bits, e.flag_bits, "{}", base.name);
    assert_eq!(info.len, e.payload, "{}", base.name);
    // The ladder puts the lab's port on the right; the arrow points at whoever receives.
    let arrow = if e.dst_port == PORT { "▶" } else { "◀" };
    assert!(line.contains(arrow), "{}: {line}", base.name);
    assert!(line.contains(&PORT.to_string()), "{}: {line}", base.name);
    if e.proto == "TCP" {
        assert!(line.contains(&info.flags), "{}: {line}", base.name);
    }
}

/// A student (or anyone on the network) sends the lab's port every malformed frame
/// there is: the capture prints what it can read, drops the rest, and never panics;
/// the frames that are still valid still decode to the right ports and flags.
#[test]
fn capture_decoder_survives_hostile_frames() {
    let seed = env_number("RAW_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let wanted = env_number("RAW_FUZZ_FRAMES").map_or(DEFAULT_FRAMES, |n| n as usize);
    let rng = Rng::new(seed);
    let mut fuzz = Fuzz {
        decoder: Decoder::new(),
        seed,
        fed: 0,
        decoded: 0,
    };
    let bases = bases();
    let started = Instant::now();

    // 1. Every valid frame decodes to what it was built to say.
    for base in &bases {
        let d = fuzz.feed(&base.frame, PORT, base.name);
        assert_decodes_as(base, d);
    }

    // 2. Every valid frame cut at every length: a prefix may decode (never to other
    //    ports), and mostly does not.
    for base in &bases {
        for len in 0..base.frame.len() {
            let what = format!("{} cut to {len} bytes", base.name);
            let d = fuzz.feed(&base.frame[..len], PORT, &what);
            if let Some((info, _)) = &d {
                assert_eq!(port_of(&info.src), Some(base.expected.src_port), "{what}");
                assert_eq!(port_of(&info.dst), Some(base.expected.dst_port), "{what}");
            }
        }
    }

    // 3. Each length field set to every small value and to a spread of large ones;
    //    each header-length and version nibble to all 16 values; the protocol / next
    //    header byte to all 256.
    let lengths: Vec<u16> = (0..=128u16)
        .chain((129..=0xffff).step_by(97))
        .chain([0xffff])
        .collect();
    for base in &bases {
        let mut length_fields = vec![if base.v6 {
            ("IPv6 payload length", base.ip + 4)
        } else {
            ("IPv4 total length", base.ip + 2)
        }];
        if !base.tcp {
            length_fields.push(("UDP length", base.l4 + 4));
        }
        for (field, at) in length_fields {
            for &value in &lengths {
                let mut frame = base.frame.clone();
                put16(&mut frame, at, value);
                fuzz.feed(&frame, PORT, &format!("{}, {field} = {value}", base.name));
            }
        }
        let mut nibbles = vec![("IP version", base.ip, true)];
        if !base.v6 {
            nibbles.push(("IPv4 header length", base.ip, false));
        }
        if base.tcp {
            nibbles.push(("TCP data offset", base.l4 + 12, true));
        }
        for (field, at, high) in nibbles {
            for value in 0..16u8 {
                let mut frame = base.frame.clone();
                put_nibble(&mut frame, at, high, value);
                fuzz.feed(&frame, PORT, &format!("{}, {field} = {value}", base.name));
            }
        }
        let protocol_at = base.ip + if base.v6 { 6 } else { 9 };
        for protocol in 0..=255u8 {
            let mut frame = base.frame.clone();
            put8(&mut frame, protocol_at, protocol);
            fuzz.feed(&frame, PORT, &format!("{}, protocol {protocol}", base.name));
        }
    }

    // 4. Random mutations of valid frames (1 to 4 at once), and pure noise, until
    //    `wanted` frames have been fed.
    while (fuzz.fed as usize) < wanted {
        let (frame, what) = if rng.below(5) == 0 {
            (noise(&rng), "noise")
        } else {
            let base = &bases[rng.below(bases.len())];
            let mut frame = base.frame.clone();
            for _ in 0..1 + rng.below(4) {
                mutate(&rng, base, &mut frame);
            }
            (frame, base.name)
        };
        // Usually the lab's port; sometimes the client's (the arrows flip), or none (0).
        let port = rng.pick(&[PORT, PORT, PORT, CLIENT, 0]);
        fuzz.feed(&frame, port, what);
    }

    // 5. After all that, the decoder still reads good frames right.
    for base in &bases {
        let d = fuzz.feed(&base.frame, PORT, base.name);
        assert_decodes_as(base, d);
    }
    eprintln!(
        "capture_fuzz: seed {seed:#x}: {} frames fed, {} decoded, in {:.2?}",
        fuzz.fed,
        fuzz.decoded,
        started.elapsed()
    );
    assert!(fuzz.fed as usize >= wanted);
}
