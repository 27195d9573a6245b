//! The events every view receives: one per syscall, state look, note, datum, packet,
//! warning or error, in the order they happened.
//!
//! This module knows nothing of how events are shown: the views (text, JSON, the
//! ladder, the timeline, counters) are in [`crate::views`], and the capture produces
//! packet events without knowing who prints them.

#![forbid(unsafe_code)]

use crate::trace::tcp_state::TcpState;
use serde::Serialize;

/// How many bytes of data an event carries (as strace quotes them); `bytes` has the
/// whole count.
pub const DATA_PREVIEW: usize = 256;

/// One captured packet, as the JSON output carries it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PacketInfo {
    /// Frame number in the pcap file (1-based, as Wireshark numbers them).
    pub no: u64,
    /// `TCP` or `UDP`.
    pub proto: &'static str,
    /// Source address and port.
    pub src: String,
    /// Destination address and port.
    pub dst: String,
    /// TCP flags as the ladder names them (`SYN`, `SYN-ACK`, `PSH-ACK`, `FIN-ACK`...);
    /// empty for UDP.
    pub flags: String,
    /// The TCP flag bits (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20).
    pub flag_bits: u8,
    /// Relative sequence number (0 at the SYN), TCP only.
    pub seq: Option<u32>,
    /// Relative acknowledgement number, TCP only, when ACK is set.
    pub ack: Option<u32>,
    /// Payload bytes (TCP segment data, or UDP datagram data).
    pub len: usize,
    /// Kernel timestamp, seconds since the Unix epoch.
    pub time: f64,
}

/// What kind of line an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A syscall the lab's code made (socket, bind, ...).
    Syscall,
    /// A syscall made only to look (`getsockopt(TCP_INFO)`), shown so strace and the
    /// narration stay line-for-line equal.
    Probe,
    /// A fact read without a syscall of the network class (e.g. `/proc/net/tcp`).
    Note,
    /// Application data (what the server received, the reply the client got).
    Data,
    /// The reason the program stops with an error.
    Error,
    /// A syscall failed and the program goes on without it (an `accept` out of file
    /// descriptors, one client's reset): shown in every mode, `-qq` included.
    Warning,
    /// A packet seen on the wire by `--capture`.
    Packet,
    /// `--step`: the syscall about to be made; the program waits for Enter.
    Step,
    /// A TCP socket changed state, as the kernel's tracepoint (`source: tracepoint`) or
    /// two looks after our calls (`source: probe`) tell.
    Transition,
    /// The kernel sent a segment again (a retransmission).
    Retransmit,
    /// An RST was sent or arrived.
    Reset,
    /// A server is listening: its address (always printed, even with `--quiet`, on
    /// stderr then, so scripts and tests can find a `--port 0` server).
    Ready,
}

/// One narrated event. `None` fields are left out of the JSON.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Event {
    /// Which program's side this is: `server`, `client`, `child 893`, `thread 3`...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<std::sync::Arc<str>>,
    /// The kind of event.
    pub kind: Option<Kind>,
    /// The syscall's name as strace names it (`accept4`, `recvfrom`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syscall: Option<&'static str>,
    /// The whole call as strace prints it, ` = ` and return value included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// The return value (`-1` on failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ret: Option<i64>,
    /// The errno name on failure (`EADDRINUSE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errno: Option<String>,
    /// The file descriptor the call acted on (or created).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<i32>,
    /// The TCP state after the call, as the kernel reported it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<TcpState>,
    /// The local address of the socket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// The peer's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// Bytes moved by the call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<usize>,
    /// The data itself, quoted as strace quotes it: the first
    /// [`DATA_PREVIEW`] bytes (`bytes` has the count), so that every event stays one
    /// short line that many processes can write without mixing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// The plain-language sentence, in the chosen language.
    pub text: String,
    /// The same sentence in the other language, when a view asks for both (the
    /// replay page's English/Portuguese toggle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_other: Option<String>,
    /// A transition: the state left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<TcpState>,
    /// A transition: the state entered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<TcpState>,
    /// A transition, retransmission or reset: the peer's address (`local` is ours).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// A transition: what made the kernel change the state (`syscall`, `packet`,
    /// `timer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<&'static str>,
    /// When the kernel made the change, seconds since the Unix epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t: Option<f64>,
    /// The same moment on `CLOCK_MONOTONIC` (a call's start, a transition), to order a
    /// call and the kernel's changes on one clock: the wall clock may be slewed.
    #[serde(skip)]
    pub mono: Option<f64>,
    /// A captured packet (`--capture`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packet: Option<PacketInfo>,
    /// Where in the source the call was made: `crates/raw-tcp/src/server.rs:57`; for a
    /// transition, who told it: `tracepoint` (the kernel) or `probe` (our looks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The state came from the kernel's table (`/proc/net/tcp`), the fd being closed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub from_table: bool,
    /// A packet made by the syscall just before it (drained right after that call
    /// returned, and of a kind that call sends: `capture::made_by`), rather than sent by
    /// the kernel on its own (the peer's answer, an ACK of received data, a timer).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub caused: bool,
}

/// `crates/raw-tcp/src/server.rs:57` -> `server.rs:57`, for the text output.
pub fn short_source(source: &str) -> &str {
    source.rsplit('/').next().unwrap_or(source)
}
