//! The socket steps: `socket`, `setsockopt`, `bind`, `listen`, `accept4`, `connect`,
//! `sendto`, `recvfrom`, `shutdown`, `close`; each one syscall, narrated.

#![forbid(unsafe_code)]

use crate::error::{Fact, Failure};
use crate::narrate::Narrator;
use crate::sentences;
pub use crate::sentences::PortFrom;
use crate::text;
use crate::trace::call::{errno_of, Call};
use crate::trace::fds::{closing, kind_of, Closing, SocketKind};
use crate::trace::strace;
use nix::errno::Errno;
use nix::sys::socket::MsgFlags;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsRawFd, IntoRawFd, RawFd};
use std::time::Duration;

/// `EINTR` that asks nothing of us: a signal arrived before the call moved any byte,
/// and it was not SIGINT/SIGTERM (which ask the program to stop): make the call again.
fn only_interrupted(errno: Errno) -> bool {
    errno == Errno::EINTR && !crate::steps::signals::stop_requested()
}

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

/// **Syscall:** `shutdown(fd, SHUT_WR)`, see `shutdown(2)` — "I will send no more":
/// the kernel sends FIN but the socket stays open, so we can still read the reply and
/// the peer's own FIN.
/// **Packets:** FIN →, ← ACK. **TCP state:** ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2
/// (or CLOSE-WAIT → LAST-ACK when the peer closed first).
#[doc = crate::man_links!(shutdown(2))]
#[track_caller]
pub fn shutdown_write(n: &Narrator, sock: &Socket) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "shutdown", fd, || format!("shutdown({fd}, SHUT_WR)"));
    let result = sock.shutdown(Shutdown::Write).map_err(|e| errno_of(&e));
    call.finish(result, |_| 0, |_| sentences::shutdown_write())
}

/// **Syscall:** `shutdown(fd, SHUT_RDWR)`, see `shutdown(2)`, on a connection another
/// thread is serving: its blocked `recv` returns 0 at once, so it ends cleanly. Used to
/// stop a threaded server. **Packets:** FIN →. **TCP state:** FIN-WAIT-1.
#[doc = crate::man_links!(shutdown(2))]
#[track_caller]
pub fn shutdown_fd(n: &Narrator, fd: RawFd) -> Result<(), Failure> {
    let call = Call::new(n, "shutdown", fd, || format!("shutdown({fd}, SHUT_RDWR)"));
    let result = nix::sys::socket::shutdown(fd, nix::sys::socket::Shutdown::Both);
    // No state read here: another thread owns this socket and may close it any moment.
    call.stateless()
        .finish(result, |_| 0, |_| sentences::shutdown_both())
}

/// **Syscall:** `getsockopt(fd, SOL_TCP, TCP_INFO, ...)`, see `tcp(7)`: only look at the
/// socket's TCP state, as a step of its own (e.g. to see FIN-WAIT-1 become FIN-WAIT-2
/// once the peer's ACK arrived). **Packets:** none. **TCP state:** unchanged.
#[doc = crate::man_links!(getsockopt(2))]
#[track_caller]
pub fn tcp_state(n: &Narrator, sock: &Socket) -> Option<crate::trace::tcp_state::TcpState> {
    let fd = sock.as_raw_fd();
    let probe = crate::trace::tcp_state::probe(fd);
    let state = probe.state;
    n.look(fd, probe, &n.say(text!("steps-looking-at-state-again")));
    state
}

/// **Syscall:** `close(2)` — release the fd. For a connected TCP socket the kernel
/// sends FIN (if not sent yet) and finishes the goodbye on its own, even after our fd is
/// gone: the side that closes first ends in TIME-WAIT. A socket lives while any process
/// holds a descriptor for it, so closing a copy that `fork` made (the fork server's
/// parent closing the connected socket, its child closing the listener) sends nothing:
/// the other process goes on using it. Takes a socket, or any fd this code owns (an
/// epoll instance).
/// **Packets:** FIN → (unless already sent, or a copy). **TCP state:** the fd is gone; in
/// the kernel the connection moves on to FIN-WAIT, LAST-ACK or TIME-WAIT.
#[doc = crate::man_links!(close(2))]
#[track_caller]
pub fn close(n: &Narrator, fd: impl IntoRawFd) -> Result<(), Failure> {
    let fd = fd.into_raw_fd();
    let what = closing(fd);
    let call = Call::new(n, "close", fd, || format!("close({fd})")).closes();
    let result = nix::unistd::close(fd);
    call.finish(
        result,
        |_| 0,
        |_| match what {
            Closing::Listener => sentences::close_listener(),
            Closing::Copy => sentences::close_copy(),
            Closing::Socket(kind) => sentences::close(Some(kind)),
            Closing::Other => sentences::close(None),
        },
    )
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
