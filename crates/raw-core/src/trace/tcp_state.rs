//! TCP states as the kernel reports them, named as RFC 793 and `ss` name them.
//!
//! Two ways to ask the kernel, both used by the narration:
//! - [`probe`]: `getsockopt(fd, SOL_TCP, TCP_INFO)` on a socket we still hold. This is a
//!   real syscall, so the narration prints it (strace shows it too).
//! - [`crate::trace::kernel_table`]: the kernel's table of all TCP sockets (`/proc/net/tcp`),
//!   which still lists a connection after its fd is closed, e.g. in TIME-WAIT.

#![forbid(unsafe_code)]

use crate::trace::strace;
use nix::errno::Errno;
use serde::Serialize;
use std::os::fd::RawFd;

/// A TCP state, numbered as in the kernel's `include/net/tcp_states.h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TcpState {
    /// 1: the handshake is done; data flows both ways.
    #[serde(rename = "ESTABLISHED")]
    Established,
    /// 2: our SYN is out, waiting for the SYN-ACK (client, inside `connect`).
    #[serde(rename = "SYN-SENT")]
    SynSent,
    /// 3: a SYN arrived and our SYN-ACK is out (server side of the handshake).
    #[serde(rename = "SYN-RECEIVED")]
    SynReceived,
    /// 4: we sent FIN (close or shutdown); waiting for its ACK.
    #[serde(rename = "FIN-WAIT-1")]
    FinWait1,
    /// 5: our FIN was acknowledged; waiting for the peer's FIN.
    #[serde(rename = "FIN-WAIT-2")]
    FinWait2,
    /// 6: both FINs exchanged; the side that closed first waits 2*MSL (60 s on Linux).
    #[serde(rename = "TIME-WAIT")]
    TimeWait,
    /// 7: no connection (a new socket, or one whose connection is over).
    #[serde(rename = "CLOSED")]
    Closed,
    /// 8: the peer sent FIN (`recv` returned 0); we may still send, then should close.
    #[serde(rename = "CLOSE-WAIT")]
    CloseWait,
    /// 9: we closed after the peer did; waiting for the ACK of our FIN.
    #[serde(rename = "LAST-ACK")]
    LastAck,
    /// 10: a listening socket: the kernel completes handshakes on its behalf.
    #[serde(rename = "LISTEN")]
    Listen,
    /// 11: both sides sent FIN at the same time.
    #[serde(rename = "CLOSING")]
    Closing,
    /// 12: a half-open connection request waiting in the SYN queue of a listener.
    #[serde(rename = "NEW-SYN-RECV")]
    NewSynRecv,
}

impl TcpState {
    /// The state for the kernel's number (the first byte of `struct tcp_info`, or the
    /// `st` column of `/proc/net/tcp`).
    pub fn from_kernel(n: u8) -> Option<TcpState> {
        Some(match n {
            1 => TcpState::Established,
            2 => TcpState::SynSent,
            3 => TcpState::SynReceived,
            4 => TcpState::FinWait1,
            5 => TcpState::FinWait2,
            6 => TcpState::TimeWait,
            7 => TcpState::Closed,
            8 => TcpState::CloseWait,
            9 => TcpState::LastAck,
            10 => TcpState::Listen,
            11 => TcpState::Closing,
            12 => TcpState::NewSynRecv,
            _ => return None,
        })
    }

    /// The name RFC 793, `ss` and Wireshark's expert info use.
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Established => "ESTABLISHED",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynReceived => "SYN-RECEIVED",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::TimeWait => "TIME-WAIT",
            TcpState::Closed => "CLOSED",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::LastAck => "LAST-ACK",
            TcpState::Listen => "LISTEN",
            TcpState::Closing => "CLOSING",
            TcpState::NewSynRecv => "NEW-SYN-RECV",
        }
    }
}

impl std::fmt::Display for TcpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What one `getsockopt(TCP_INFO)` call returned, and how strace prints it.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The state byte (`tcpi_state`), decoded.
    pub state: Option<TcpState>,
    /// The call as strace renders it, return value included.
    pub call: String,
    /// How long ago data last arrived (`tcpi_last_data_recv`; for a connection that
    /// never received any, since its handshake).
    pub last_data_recv: Option<std::time::Duration>,
    /// Bytes received so far (`tcpi_bytes_received`).
    pub bytes_received: Option<u64>,
    /// Why the call failed, when it did.
    pub errno: Option<Errno>,
}

/// Where two fields sit in `struct tcp_info` (`linux/tcp.h`): `tcpi_last_data_recv`
/// (u32, milliseconds) and `tcpi_bytes_received` (u64).
const LAST_DATA_RECV_AT: usize = 52;
const BYTES_RECEIVED_AT: usize = 128;

/// How many bytes of `struct tcp_info` we offer the kernel; it fills what it has.
const TCP_INFO_OFFER: usize = 256;

/// **Syscall:** `getsockopt(fd, SOL_TCP, TCP_INFO, &info, &len)`, see `tcp(7)`.
/// **Packets:** none. **State:** unchanged; this only reads `tcpi_state`.
///
/// socket2 and nix offer no `TCP_INFO` getter: the call is [`crate::sys::getsockopt_tcp_info`].
#[doc = crate::man_links!(getsockopt(2))]
pub fn probe(fd: RawFd) -> Probe {
    let mut info = [0u8; TCP_INFO_OFFER];
    let (rc, len) = crate::sys::getsockopt_tcp_info(fd, &mut info);
    if rc == 0 {
        let used = (len as usize).min(TCP_INFO_OFFER);
        let field = |at: usize, out: &mut [u8]| {
            (used >= at + out.len()).then(|| out.copy_from_slice(&info[at..at + out.len()]))
        };
        let (mut ms, mut bytes) = ([0u8; 4], [0u8; 8]);
        let last_data_recv = field(LAST_DATA_RECV_AT, &mut ms)
            .map(|()| std::time::Duration::from_millis(u32::from_ne_bytes(ms).into()));
        let bytes_received =
            field(BYTES_RECEIVED_AT, &mut bytes).map(|()| u64::from_ne_bytes(bytes));
        Probe {
            state: TcpState::from_kernel(info[0]),
            last_data_recv,
            bytes_received,
            errno: None,
            call: format!(
                "getsockopt({fd}, SOL_TCP, TCP_INFO, {}, {}) = 0",
                strace::quoted(&info[..used]),
                strace::inout_len(TCP_INFO_OFFER as u32, len)
            ),
        }
    } else {
        let errno = Errno::last();
        Probe {
            state: None,
            last_data_recv: None,
            bytes_received: None,
            errno: Some(errno),
            call: format!(
                "getsockopt({fd}, SOL_TCP, TCP_INFO, {}, [{TCP_INFO_OFFER}]) = {}",
                strace::pointer(info.as_ptr()),
                strace::failed(errno)
            ),
        }
    }
}
