//! The bytes: `sendto` and `recvfrom` on a connected TCP socket (a byte stream, so a
//! send may take several calls), and on a UDP socket (one datagram a call, with its
//! address).

#![forbid(unsafe_code)]

use crate::error::{Fact, Failure};
use crate::narrate::Narrator;
use crate::sentences;
pub use crate::sentences::PortFrom;
use crate::trace::call::{errno_of, Call};
use crate::trace::strace;
use nix::sys::socket::MsgFlags;
use socket2::{SockAddr, Socket};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use super::only_interrupted;

/// **Syscall:** `sendto(fd, buf, len, MSG_NOSIGNAL, NULL, 0)` (glibc's `send(2)`),
/// repeated until every byte is accepted: a stream socket may take fewer bytes than
/// offered (a short write), and the rest must be sent again.
/// `MSG_NOSIGNAL`: if the peer is gone we get `EPIPE` back instead of being killed by
/// SIGPIPE.
/// **Packets:** one or more data segments (PSH, ACK) →, ACKs ←.
/// **TCP state:** unchanged (ESTABLISHED or CLOSE-WAIT).
#[doc = crate::man_links!(send(2))]
#[track_caller]
pub fn send_all(n: &Narrator, sock: &Socket, data: &[u8]) -> Result<(), Failure> {
    let mut sent = 0;
    // An empty message is still one send (of 0 bytes), as the program asked for.
    loop {
        sent += send_some(n, sock, &data[sent..])?;
        if sent >= data.len() {
            return Ok(());
        }
    }
}

/// **Syscall:** one `sendto(fd, buf, len, MSG_NOSIGNAL, NULL, 0)`: returns how many bytes
/// the kernel took, which may be fewer than offered (a short write). On a non-blocking
/// socket a full send buffer is `EAGAIN`: the caller keeps the rest and waits until
/// the socket is writable. `EINTR` is retried unless a stop was requested.
/// **Packets:** data segments →. **TCP state:** unchanged.
#[doc = crate::man_links!(send(2))]
#[track_caller]
pub fn send_some(n: &Narrator, sock: &Socket, data: &[u8]) -> Result<usize, Failure> {
    let fd = sock.as_raw_fd();
    loop {
        let call = Call::new(n, "sendto", fd, || {
            format!(
                "sendto({fd}, {}, {}, MSG_NOSIGNAL, NULL, 0)",
                strace::quoted(data),
                data.len()
            )
        });
        let result = nix::sys::socket::send(fd, data, MsgFlags::MSG_NOSIGNAL);
        let call = match result {
            Ok(count) => call.with(|e| e.bytes = Some(count)),
            Err(_) => call,
        };
        match call.finish(
            result,
            |count| *count,
            |count| sentences::send(*count, data.len()),
        ) {
            Err(failure) if failure.errno().is_some_and(only_interrupted) => continue, // nothing was sent yet: send again
            other => return other,
        }
    }
}

/// **Syscall:** `recvfrom(fd, buf, len, 0, NULL, NULL)` (glibc's `recv(2)`) — wait for
/// data and copy up to `len` bytes of it. TCP is a byte stream: one `send` may arrive as
/// several `recv`s and several sends as one. Returns 0 when the peer closed its side
/// (its FIN arrived): end of stream.
/// **Packets:** none sent by the call itself (the kernel ACKs data as it arrives).
/// **TCP state:** ESTABLISHED; CLOSE-WAIT once it returned 0.
#[doc = crate::man_links!(recv(2))]
#[track_caller]
pub fn recv(n: &Narrator, sock: &Socket, buf: &mut [u8]) -> Result<usize, Failure> {
    let fd = sock.as_raw_fd();
    let offered = buf.len();
    loop {
        let call = Call::new(n, "recvfrom", fd, || {
            format!(
                "recvfrom({fd}, {}, {offered}, 0, NULL, NULL)",
                strace::pointer(buf.as_ptr())
            )
        });
        let result = nix::sys::socket::recv(fd, buf, MsgFlags::empty());
        let got = &buf[..*result.as_ref().unwrap_or(&0)];
        let call = match result {
            Ok(count) => call
                .filled(|| {
                    format!(
                        "recvfrom({fd}, {}, {offered}, 0, NULL, NULL)",
                        strace::quoted(got)
                    )
                })
                .with(|e| e.bytes = Some(count)),
            Err(_) => call,
        };
        match call.finish(result, |count| *count, |_| sentences::recv(got)) {
            Err(failure) if failure.errno().is_some_and(only_interrupted) => continue, // nothing was read: wait again
            other => return other,
        }
    }
}

/// One datagram received by [`recvfrom`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram {
    /// Bytes copied into the buffer.
    pub len: usize,
    /// The datagram's real size (larger than `len` when it was cut).
    pub real_len: usize,
    /// Who sent it.
    pub from: SocketAddr,
}

impl Datagram {
    /// Whether the kernel cut it to fit the buffer.
    pub fn truncated(&self) -> bool {
        self.real_len > self.len
    }
}

/// **Syscall:** `recvfrom(fd, buf, len, MSG_TRUNC, &from, &fromlen)`, see `recv(2)` —
/// wait for one whole datagram and learn who sent it. Each call returns exactly one
/// datagram (message boundaries are kept); one larger than `buf` is cut, and
/// `MSG_TRUNC` makes the kernel return its real size so we can tell.
/// **Packets:** none (it reads what already arrived). **State:** UDP has none.
/// **Errors:** `EAGAIN` (the `SO_RCVTIMEO` timeout passed), `ECONNREFUSED` (on a
/// connected socket: an ICMP port-unreachable answered our last datagram), `EINTR`.
#[doc = crate::man_links!(recv(2))]
#[track_caller]
pub fn recvfrom(n: &Narrator, sock: &Socket, buf: &mut [u8]) -> Result<Datagram, Failure> {
    let fd = sock.as_raw_fd();
    let offered = buf.len();
    let call = Call::new(n, "recvfrom", fd, || {
        format!("recvfrom({fd}, ..., {offered}, MSG_TRUNC, ...)")
    });
    let result = crate::sys::recvfrom_trunc(fd, buf).map(|(real_len, from)| Datagram {
        len: real_len.min(offered),
        real_len,
        from,
    });
    let got = &buf[..result.as_ref().map_or(0, |d| d.len)];
    let call = match &result {
        Ok(d) => call
            .filled(|| {
                format!(
                    "recvfrom({fd}, {}, {offered}, MSG_TRUNC, {}, {})",
                    strace::quoted(got),
                    strace::sockaddr(&d.from),
                    strace::inout_len(128, strace::sockaddr_len(&d.from))
                )
            })
            .with(|e| {
                e.peer = Some(d.from.to_string());
                e.bytes = Some(d.len);
            }),
        Err((_, pointers)) => call.filled(|| format!("recvfrom({fd}, {pointers}, [128])")),
    };
    call.finish(
        result.map_err(|(errno, _)| errno),
        |d| d.real_len,
        |d| sentences::datagram_in(got, d.real_len, offered, d.from),
    )
    .map_err(|failure| failure.with(Fact::Udp))
}

/// **Syscall:** `sendto(fd, buf, len, 0, &to, tolen)`, see `send(2)` — one datagram to
/// `to`, or, when `to` is `None` (a connected socket), to the connected peer
/// (`sendto(..., NULL, 0)`). The whole datagram goes or nothing does: there are no
/// short writes for UDP.
/// **Packets:** one UDP datagram (or IP fragments, above the MTU). **State:** none.
/// **Errors:** `EMSGSIZE` (over 65507 bytes on IPv4), `ECONNREFUSED` (connected socket:
/// an earlier datagram got an ICMP port-unreachable).
#[doc = crate::man_links!(send(2))]
#[track_caller]
pub fn sendto(
    n: &Narrator,
    sock: &Socket,
    data: &[u8],
    to: Option<SocketAddr>,
) -> Result<usize, Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "sendto", fd, || {
        let dest = match to {
            Some(addr) => format!(
                "{}, {}",
                strace::sockaddr(&addr),
                strace::sockaddr_len(&addr)
            ),
            None => "NULL, 0".to_string(),
        };
        format!(
            "sendto({fd}, {}, {}, 0, {dest})",
            strace::quoted(data),
            data.len()
        )
    });
    let call = match to {
        Some(addr) => call.peer(addr),
        None => call,
    };
    let result = match to {
        Some(addr) => sock
            .send_to(data, &SockAddr::from(addr))
            .map_err(|e| errno_of(&e)),
        None => nix::sys::socket::send(fd, data, MsgFlags::empty()),
    };
    call.finish(
        result,
        |count| *count,
        |count| sentences::datagram_out(*count, to),
    )
    .map_err(|failure| {
        let failure = failure.with(Fact::Udp);
        match to {
            Some(addr) => failure.with(Fact::Addr(addr)),
            None => failure,
        }
    })
}
