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

use raw_core::capture::{flag_name, Decoder, PacketInfo};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

mod frames;
mod mutate;
use frames::*;
use mutate::*;

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
