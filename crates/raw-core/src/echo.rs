//! The echo loop, written once and used by every TCP server model: receive, transform,
//! send all of it back, until the peer closes.

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::narrate::Narrator;
use crate::steps;
use clap::ValueEnum;
use socket2::Socket;
use std::net::SocketAddr;

/// What the server does to the bytes before sending them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transform {
    /// ASCII letters upper-cased, every other byte unchanged (the assignment's server).
    Upper,
    /// Bytes echoed unchanged (benchmarks, binary data).
    None,
}

impl Transform {
    /// Applies the transform in place. Upper-casing is ASCII-only and byte for byte:
    /// the reply has exactly as many bytes as the request, and a UTF-8 character split
    /// across two reads passes through untouched (its bytes are all >= 0x80).
    pub fn apply(self, data: &mut [u8]) {
        if self == Transform::Upper {
            data.make_ascii_uppercase();
        }
    }
}

/// What one connection moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EchoStats {
    /// Bytes received (and sent back).
    pub bytes: u64,
    /// `recv` calls that returned data.
    pub reads: u64,
}

/// Serves one connection: `recv` → transform → `send_all`, until `recv` returns 0.
///
/// Loops on `recv` because TCP has no message boundaries (a message may arrive in
/// pieces), and `send_all` loops on short writes, so no byte is ever lost.
pub fn echo_stream(
    n: &Narrator,
    conn: &Socket,
    peer: SocketAddr,
    buffer: usize,
    transform: Transform,
) -> Result<EchoStats, Failure> {
    let mut buf = vec![0u8; buffer.max(1)];
    let mut stats = EchoStats::default();
    loop {
        let got = steps::recv(n, conn, &mut buf)?;
        if got == 0 {
            return Ok(stats);
        }
        stats.bytes += got as u64;
        stats.reads += 1;
        let data = &mut buf[..got];
        if n.shows_data() {
            n.data(
                format!("{peer} → {}", crate::trace::strace::readable(data, 200)),
                data,
            );
        }
        transform.apply(data);
        steps::send_all(n, conn, data)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ASCII letters change; UTF-8 bytes (é = C3 A9), split or not, do not.
    #[test]
    fn upper_is_ascii_only_and_same_length() {
        let mut msg = "Hello, world é".as_bytes().to_vec();
        Transform::Upper.apply(&mut msg);
        assert_eq!(msg, "HELLO, WORLD é".as_bytes());
        let mut half = vec![0xC3];
        Transform::Upper.apply(&mut half);
        assert_eq!(half, vec![0xC3]);
        let mut raw = vec![0u8, 255, b'a'];
        Transform::None.apply(&mut raw);
        assert_eq!(raw, vec![0u8, 255, b'a']);
    }
}
