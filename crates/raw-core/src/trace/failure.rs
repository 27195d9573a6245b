//! A failure as data: which syscall failed with which errno, and the facts gathered when
//! it happened ([`Fact`]). What it means and what to try is said a layer above, by
//! [`crate::error`], in the user's language.

#![forbid(unsafe_code)]

use crate::trace::text::Text;
use nix::errno::Errno;
use std::net::SocketAddr;

/// Something we learned while a syscall failed, that makes the hint precise.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// The address the call was about.
    Addr(SocketAddr),
    /// `SO_REUSEADDR` was not set on the socket.
    ReuseAddrOff,
    /// These connections on the port sit in TIME-WAIT (from the kernel's table): their
    /// local and remote ends.
    TimeWait(Vec<(SocketAddr, SocketAddr)>),
    /// A listening socket on the port belongs to this process (pid, command).
    HeldBy(u32, String),
    /// The socket is UDP (hints differ: no retransmission, ICMP errors).
    Udp,
    /// The call gave up after this many seconds (`SO_SNDTIMEO`/`SO_RCVTIMEO`).
    TimedOutAfter(f64),
}

/// Why a program stops.
#[derive(Debug, Clone)]
pub enum Failure {
    /// A syscall returned -1.
    Sys {
        /// The syscall, as its man page names it (`bind`, `connect`).
        syscall: &'static str,
        /// The errno it set.
        errno: Errno,
        /// What we know about the circumstances.
        facts: Vec<Fact>,
    },
    /// The host name could not be turned into addresses (`getaddrinfo(3)`, a library
    /// call, not a syscall).
    Resolve {
        /// The name asked for.
        host: String,
        /// The resolver's own words.
        detail: String,
    },
    /// The peer broke the protocol: closed before the whole reply arrived.
    ShortReply {
        /// Bytes received.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// A datagram was larger than the receive buffer: the kernel cut it (`MSG_TRUNC`).
    Truncated {
        /// Bytes we got.
        got: usize,
        /// The datagram's real size.
        real: usize,
    },
    /// `--capture` could not open its packet socket: no `CAP_NET_RAW`.
    NoCapturePrivilege {
        /// What `socket(AF_PACKET, ...)` said (EPERM, usually).
        errno: Errno,
    },
    /// `--capture FILE` could not create the file.
    CaptureFile {
        /// The path asked for.
        path: String,
        /// Why not.
        detail: String,
    },
    /// Bad usage that the argument parser cannot see (exit 2).
    Usage(Text),
    /// A run-time failure that is no single syscall's (a measurement that measured
    /// nothing, a phase that ran out of time): the whole message, already in the
    /// user's language, with its hint and its check.
    Runtime(Text),
    /// Standard output was closed by its reader (`EPIPE`): the program stops quietly.
    OutputClosed,
}

impl Failure {
    /// A failed syscall with no extra facts yet.
    pub fn sys(syscall: &'static str, errno: Errno) -> Failure {
        Failure::Sys {
            syscall,
            errno,
            facts: Vec::new(),
        }
    }

    /// Adds a fact to a syscall failure (other failures are returned unchanged).
    pub fn with(mut self, fact: Fact) -> Failure {
        if let Failure::Sys { facts, .. } = &mut self {
            facts.push(fact);
        }
        self
    }

    /// Names the address the failure was about (the server a client talks to), unless
    /// a step already named one: every hint and `check:` command then shows the real
    /// host and port instead of a placeholder.
    pub fn at(self, addr: SocketAddr) -> Failure {
        match &self {
            Failure::Sys { facts, .. } if facts.iter().any(|f| matches!(f, Fact::Addr(_))) => self,
            _ => self.with(Fact::Addr(addr)),
        }
    }

    /// The errno, when a syscall failed.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Failure::Sys { errno, .. } => Some(*errno),
            _ => None,
        }
    }

    /// The process exit code: 2 for bad usage, 1 for everything that went wrong at run
    /// time.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            _ => 1,
        }
    }
}
