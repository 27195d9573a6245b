//! A new socket and its options: `socket`, then each `setsockopt` a lab sets before
//! `bind` (the options that change what `bind`, `connect` and `recv` do).

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::narrate::Narrator;
use crate::sentences;
pub use crate::sentences::PortFrom;
use crate::trace::call::{errno_of, Call};
use crate::trace::fds::{kind_of, SocketKind};
use crate::trace::strace;
use socket2::{Domain, Protocol, Socket, Type};
use std::os::fd::AsRawFd;
use std::time::Duration;

/// **Syscall:** `socket(2)` — a new, unconnected endpoint; returns its fd.
/// socket2 always adds `SOCK_CLOEXEC` (the fd is not inherited across `exec`), and so
/// does the narration, because strace shows it.
/// **Packets:** none. **TCP state:** CLOSED.
/// **Errors:** `EAFNOSUPPORT` (no IPv6 here), `EMFILE` (out of fds).
#[doc = crate::man_links!(socket(2))]
#[track_caller]
pub fn socket(
    n: &Narrator,
    domain: Domain,
    ty: Type,
    protocol: Option<Protocol>,
) -> Result<Socket, Failure> {
    let kind = if ty == Type::DGRAM {
        SocketKind::Udp
    } else {
        SocketKind::Tcp
    };
    let call = Call::new(n, "socket", -1, || {
        format!(
            "socket({}, {}, {})",
            strace::domain_name(domain),
            strace::type_name(ty),
            strace::protocol_name(protocol)
        )
    })
    .makes(kind);
    let result = Socket::new(domain, ty, protocol).map_err(|e| errno_of(&e));
    call.finish(
        result,
        |sock| sock.as_raw_fd(),
        |sock| sentences::socket(sock.as_raw_fd()),
    )
}

/// **Syscall:** `setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, [1], 4)`, see `socket(7)`.
/// Lets `bind` succeed while old connections on the port linger in TIME-WAIT, so a
/// restarted server does not wait a minute. It never lets two servers listen at once.
/// **Packets:** none. **TCP state:** unchanged (CLOSED).
#[doc = crate::man_links!(setsockopt(2))]
#[track_caller]
pub fn set_reuseaddr(n: &Narrator, sock: &Socket) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "setsockopt", fd, || {
        format!("setsockopt({fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4)")
    });
    let result = sock.set_reuse_address(true).map_err(|e| errno_of(&e));
    call.finish(result, |_| 0, |_| sentences::reuseaddr(kind_of(fd)))
}

/// **Syscall:** `setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, [0 or 1], 4)`, see `ipv6(7)`.
/// Off means dual stack: an IPv6 socket bound to `::` also accepts IPv4 clients, who
/// then appear as IPv4-mapped addresses (`::ffff:127.0.0.1`). We set it explicitly
/// because the default comes from `/proc/sys/net/ipv6/bindv6only` and varies.
/// **Packets:** none. **TCP state:** unchanged.
#[doc = crate::man_links!(setsockopt(2))]
#[track_caller]
pub fn set_v6only(n: &Narrator, sock: &Socket, only_v6: bool) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "setsockopt", fd, || {
        format!(
            "setsockopt({fd}, SOL_IPV6, IPV6_V6ONLY, [{}], 4)",
            u8::from(only_v6)
        )
    });
    let result = sock.set_only_v6(only_v6).map_err(|e| errno_of(&e));
    call.finish(result, |_| 0, |_| sentences::v6only(only_v6))
}

/// **Syscall:** `setsockopt(fd, SOL_TCP, TCP_NODELAY, [1], 4)`, see `tcp(7)`: turn
/// off Nagle's algorithm, so a small write goes out at once instead of waiting for the
/// ACK of earlier data. Set on a listener, it is inherited by every accepted socket.
/// **Packets:** none. **TCP state:** unchanged.
#[doc = crate::man_links!(setsockopt(2))]
#[track_caller]
pub fn set_nodelay(n: &Narrator, sock: &Socket) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "setsockopt", fd, || {
        format!("setsockopt({fd}, SOL_TCP, TCP_NODELAY, [1], 4)")
    });
    let result = sock.set_tcp_nodelay(true).map_err(|e| errno_of(&e));
    call.finish(result, |_| 0, |_| sentences::nodelay())
}

/// Which timeout [`set_timeout`] sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// `SO_RCVTIMEO`: a blocking receive gives up with `EAGAIN`.
    Receive,
    /// `SO_SNDTIMEO`: a blocking send, and a blocking `connect`, give up.
    Send,
}

/// **Syscall:** `setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO|SO_SNDTIMEO, {tv_sec, tv_usec}, 16)`,
/// see `socket(7)`. strace (6.x, x86_64) names them `SO_RCVTIMEO_OLD`/`SO_SNDTIMEO_OLD`:
/// the 32/64-bit `timeval` flavour glibc uses.
/// **Packets:** none. **TCP state:** unchanged.
#[doc = crate::man_links!(setsockopt(2))]
#[track_caller]
pub fn set_timeout(
    n: &Narrator,
    sock: &Socket,
    which: Timeout,
    after: Duration,
) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let name = match which {
        Timeout::Receive => "SO_RCVTIMEO_OLD",
        Timeout::Send => "SO_SNDTIMEO_OLD",
    };
    let call = Call::new(n, "setsockopt", fd, || {
        // strace 6.1 does not decode this struct timeval {tv_sec, tv_usec}: it prints
        // its 16 bytes, so we do too.
        let mut timeval = Vec::with_capacity(16);
        timeval.extend_from_slice(&(after.as_secs() as i64).to_ne_bytes());
        timeval.extend_from_slice(&i64::from(after.subsec_micros()).to_ne_bytes());
        format!(
            "setsockopt({fd}, SOL_SOCKET, {name}, {}, 16)",
            strace::quoted(&timeval)
        )
    });
    let result = match which {
        Timeout::Receive => sock.set_read_timeout(Some(after)),
        Timeout::Send => sock.set_write_timeout(Some(after)),
    }
    .map_err(|e| errno_of(&e));
    call.finish(
        result,
        |_| 0,
        |_| sentences::timeout(which == Timeout::Receive),
    )
}
