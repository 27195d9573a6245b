//! An address and a peer: `bind` (and the port it got, `getsockname`), `listen`, the
//! handshake's two ends (`accept4`, `connect`).

#![forbid(unsafe_code)]

use crate::error::{Fact, Failure};
use crate::narrate::Narrator;
use crate::sentences;
pub use crate::sentences::PortFrom;
use crate::trace::call::{errno_of, Call};
use crate::trace::fds::{kind_of, SocketKind};
use crate::trace::strace;
use nix::errno::Errno;
use socket2::{SockAddr, Socket};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

/// **Syscall:** `bind(2)` — give the socket its local address and port.
/// Port 0 asks the kernel to pick a free (ephemeral) port; [`getsockname`] reads it back.
/// **Packets:** none. **TCP state:** CLOSED (bound, but not listening yet).
/// **Errors:** `EADDRINUSE` (port taken: a running server, or TIME-WAIT without
/// SO_REUSEADDR), `EACCES` (port < 1024 without privilege), `EADDRNOTAVAIL` (not one of
/// this machine's addresses).
#[doc = crate::man_links!(bind(2))]
#[track_caller]
pub fn bind(n: &Narrator, sock: &Socket, addr: SocketAddr, reuseaddr: bool) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "bind", fd, || {
        format!(
            "bind({fd}, {}, {})",
            strace::sockaddr(&addr),
            strace::sockaddr_len(&addr)
        )
    })
    .local(addr);
    let result = sock.bind(&SockAddr::from(addr)).map_err(|e| errno_of(&e));
    call.finish(result, |_| 0, |_| sentences::bind(addr))
        .map_err(|failure| match reuseaddr {
            true => failure.with(Fact::Addr(addr)),
            false => failure.with(Fact::Addr(addr)).with(Fact::ReuseAddrOff),
        })
}

/// **Syscall:** `getsockopt(fd, SOL_TCP, TCP_INFO, ...)`, see `tcp(7)`: has the client
/// on this just-accepted connection sent nothing yet, and for how long? `None` when it
/// has sent something (`tcpi_bytes_received` > 0: it waits unread); else the time since
/// the handshake (`tcpi_last_data_recv`), which counts its wait in the accept queue.
/// **Packets:** none. **TCP state:** unchanged.
#[doc = crate::man_links!(getsockopt(2))]
#[track_caller]
pub fn silent_since_connect(n: &Narrator, sock: &Socket) -> Result<Option<Duration>, Failure> {
    let fd = sock.as_raw_fd();
    let probe = crate::trace::tcp_state::probe(fd);
    let call = Call::new(n, "getsockopt", fd, || {
        format!("getsockopt({fd}, SOL_TCP, TCP_INFO, ..., [256])")
    });
    let text = probe.call.strip_suffix(" = 0").unwrap_or(&probe.call);
    let result = match probe.errno {
        Some(errno) => Err(errno),
        None => match (probe.bytes_received, probe.last_data_recv) {
            (Some(0), Some(since)) => Ok(Some(since)),
            _ => Ok(None),
        },
    };
    let call = match result {
        Ok(_) => call.filled(|| text.to_string()),
        Err(_) => call,
    };
    call.stateless().finish(
        result,
        |_| 0,
        |silent| sentences::silent_since_connect(*silent),
    )
}

/// **Syscall:** `getsockname(2)` — which local address and port does this socket have?
/// After `bind(port 0)`, `connect` or a first `sendto`, this is how we learn the port the
/// kernel chose; `from` says which of those gave it (the sentence names it).
/// socket2 offers a `sockaddr_storage` (128 bytes), hence strace's `[128 => 16]`.
/// **Packets:** none. **TCP state:** unchanged (so no state is read after it).
#[doc = crate::man_links!(getsockname(2))]
#[track_caller]
pub fn getsockname(n: &Narrator, sock: &Socket, from: PortFrom) -> Result<SocketAddr, Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "getsockname", fd, || {
        format!("getsockname({fd}, 0x0, [128])")
    });
    let result = sock.local_addr().map_err(|e| errno_of(&e)).and_then(|a| {
        a.as_socket().ok_or(Errno::EAFNOSUPPORT) // not an IP socket: never ours
    });
    let call = match result {
        Ok(addr) => call
            .filled(|| {
                format!(
                    "getsockname({fd}, {}, {})",
                    strace::sockaddr(&addr),
                    strace::inout_len(128, strace::sockaddr_len(&addr))
                )
            })
            .with(|e| e.local = Some(addr.to_string())),
        Err(_) => call,
    };
    call.stateless().finish(
        result,
        |_| 0,
        |addr| sentences::getsockname(*addr, Some(from)),
    )
}

/// **Syscall:** `listen(2)` — turn the socket into a passive (listening) socket.
/// From now on the kernel itself answers SYNs and completes handshakes, queueing up to
/// `backlog` finished connections for `accept` (see `/proc/sys/net/core/somaxconn`).
/// **Packets:** none. **TCP state:** CLOSED → LISTEN.
#[doc = crate::man_links!(listen(2))]
#[track_caller]
pub fn listen(n: &Narrator, sock: &Socket, backlog: i32) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "listen", fd, || format!("listen({fd}, {backlog})")).listens();
    let result = sock.listen(backlog).map_err(|e| errno_of(&e));
    call.finish(result, |_| 0, |_| sentences::listen(backlog))
}

/// **Syscall:** `accept4(fd, &addr, &len, SOCK_CLOEXEC)`, see `accept(2)` — take the
/// next finished connection from the listener's queue (blocking until there is one).
/// Returns a *new* socket for that one client; the listening socket stays in LISTEN.
/// **Packets:** none: the SYN, SYN-ACK, ACK handshake already happened in the kernel.
/// **TCP state:** the new socket is ESTABLISHED.
/// **Errors:** `ECONNABORTED` (the client gave up while queued) is harmless: narrated,
/// and `accept` is called again. `EINTR` (a signal arrived) is returned to the caller,
/// which knows what the signal means (stop, or reap a child). `EMFILE`/`ENFILE`: out of
/// file descriptors.
#[doc = crate::man_links!(accept(2))]
#[track_caller]
pub fn accept(n: &Narrator, listener: &Socket) -> Result<(Socket, SocketAddr), Failure> {
    accept_with(n, listener, false)
}

/// Like [`accept`], for event loops: `accept4(fd, ..., SOCK_CLOEXEC|SOCK_NONBLOCK)` on a
/// non-blocking listener. The new socket is non-blocking too, in the same syscall; an
/// empty queue is `EAGAIN` ("nothing more to accept now"), returned to the caller.
#[track_caller]
pub fn accept_nonblocking(
    n: &Narrator,
    listener: &Socket,
) -> Result<(Socket, SocketAddr), Failure> {
    accept_with(n, listener, true)
}

#[track_caller]
fn accept_with(
    n: &Narrator,
    listener: &Socket,
    nonblocking: bool,
) -> Result<(Socket, SocketAddr), Failure> {
    let fd = listener.as_raw_fd();
    let (flags, names) = if nonblocking {
        (
            libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            "SOCK_CLOEXEC|SOCK_NONBLOCK",
        )
    } else {
        (libc::SOCK_CLOEXEC, "SOCK_CLOEXEC")
    };
    loop {
        let call = Call::new(n, "accept4", fd, || format!("accept4({fd}, ..., {names})"))
            .makes(SocketKind::Tcp);
        let result = crate::sys::accept4(fd, flags).map(|(conn, addr)| {
            let peer = addr.as_socket();
            (
                conn,
                peer.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0))),
            )
        });
        let call = match &result {
            Ok((_, peer)) => call
                .filled(|| {
                    format!(
                        "accept4({fd}, {}, {}, {names})",
                        strace::sockaddr(peer),
                        strace::inout_len(128, strace::sockaddr_len(peer))
                    )
                })
                .with(|e| e.peer = Some(peer.to_string())),
            Err((_, storage)) => {
                call.filled(|| format!("accept4({fd}, {storage}, [128], {names})"))
            }
        };
        let accepted = call.finish(
            result.map_err(|(errno, _)| errno),
            |(conn, _)| conn.as_raw_fd(),
            |(conn, peer)| sentences::accept(fd, conn.as_raw_fd(), *peer),
        );
        match accepted {
            // The client gave up while queued: harmless, accept the next one.
            Err(failure) if failure.errno() == Some(Errno::ECONNABORTED) => continue,
            other => return other,
        }
    }
}

/// **Syscall:** `connect(2)` — for TCP, the three-way handshake: the kernel sends SYN,
/// receives SYN-ACK, sends ACK, and only then does `connect` return.
/// The kernel also picks our local (ephemeral) port here, if we did not `bind`.
/// For UDP no packet leaves: the kernel only records the default destination.
/// **Packets:** SYN →, ← SYN-ACK, ACK →. **TCP state:** CLOSED → SYN-SENT → ESTABLISHED.
/// **Errors:** `ECONNREFUSED` (the answer was RST: no one listens there),
/// `ENETUNREACH`/`EHOSTUNREACH` (no route), `ETIMEDOUT` (no answer at all).
#[doc = crate::man_links!(connect(2))]
#[track_caller]
pub fn connect(n: &Narrator, sock: &Socket, addr: SocketAddr) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "connect", fd, || {
        format!(
            "connect({fd}, {}, {})",
            strace::sockaddr(&addr),
            strace::sockaddr_len(&addr)
        )
    })
    .peer(addr);
    let result = sock
        .connect(&SockAddr::from(addr))
        .map_err(|e| errno_of(&e));
    call.finish(result, |_| 0, |_| sentences::connect(addr, kind_of(fd)))
        .map_err(|failure| failure.with(Fact::Addr(addr)))
}
