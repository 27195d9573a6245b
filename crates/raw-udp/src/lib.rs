//! # raw-udp: lab 2, the simple UDP echo server and client
//!
//! | file | program | syscalls, in order |
//! |---|---|---|
//! | `server.rs` | `raw-udp server` | socket(SOCK_DGRAM), setsockopt(SO_REUSEADDR), bind, getsockname, recvfrom/sendto… until SIGINT/SIGTERM, close |
//! | `hardening.rs` | (inside `raw-udp server`) | none: the checks between recvfrom and sendto — own address, small-service ports, a token bucket per source |
//! | `client.rs` | `raw-udp client` | socket(SOCK_DGRAM), setsockopt(SO_RCVTIMEO), [connect], sendto, getsockname, recvfrom…, close |
//! | `demo.rs` | `raw-udp demo` | both, interleaved, then the same message over TCP, counted |
//!
//! What is *absent* is the lesson: no `listen`, no `accept`, no handshake, no
//! connection state, and one socket serves every client. The steps live in
//! `raw_core::steps`, shared with the TCP lab.

#![forbid(unsafe_code)]

pub mod client;
pub mod demo;
pub mod hardening;
pub mod lab;
pub mod server;

/// The largest UDP payload over IPv4: 65535 (IP total length) − 20 (IP header) − 8
/// (UDP header).
pub const MAX_PAYLOAD_V4: usize = 65_507;

/// The largest UDP payload over IPv6: 65535 (payload length) − 8 (UDP header); the
/// IPv6 header is not counted in its payload length.
pub const MAX_PAYLOAD_V6: usize = 65_527;
