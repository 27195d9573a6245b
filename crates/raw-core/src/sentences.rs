//! What each syscall means: one message of the catalog per meaning
//! (`catalog/*/syscalls.ftl`). The steps ([`crate::steps`]) say them after their own
//! calls; `raw-trace` says the same ones after the calls of any program it traces (the
//! course's Python scripts, a student's C server).
//!
//! Each function takes what the call's strace line shows (fds, addresses, counts,
//! the data) and nothing else, and returns a [`Text`] in no language yet, so the two
//! uses cannot drift apart and every view renders it in the language it shows.

#![forbid(unsafe_code)]

use crate::catalog::Text;
use crate::text;
use crate::trace::fds::SocketKind;
use crate::trace::strace;
use std::net::SocketAddr;

/// `yes` / `no`, as the catalog's selectors spell a condition.
fn yes(condition: bool) -> &'static str {
    if condition {
        "yes"
    } else {
        "no"
    }
}

/// `socket(2)` returned `fd`.
pub fn socket(fd: i32) -> Text {
    text!("sys-socket", fd)
}

/// `setsockopt(SO_REUSEADDR, 1)` on a socket of `kind`.
pub fn reuseaddr(kind: Option<SocketKind>) -> Text {
    if kind == Some(SocketKind::Udp) {
        text!("sys-reuseaddr-udp")
    } else {
        text!("sys-reuseaddr-tcp")
    }
}

/// `setsockopt(IPV6_V6ONLY, only_v6)`.
pub fn v6only(only_v6: bool) -> Text {
    if only_v6 {
        text!("sys-v6only-on")
    } else {
        text!("sys-v6only-off")
    }
}

/// `setsockopt(TCP_NODELAY, 1)`.
pub fn nodelay() -> Text {
    text!("sys-nodelay")
}

/// `setsockopt(SO_RCVTIMEO)` (`receive`) or `setsockopt(SO_SNDTIMEO)`.
pub fn timeout(receive: bool) -> Text {
    if receive {
        text!("sys-rcvtimeo")
    } else {
        text!("sys-sndtimeo")
    }
}

/// `bind(2)` to `addr` succeeded.
pub fn bind(addr: SocketAddr) -> Text {
    if addr.port() == 0 {
        return text!("sys-bind-port-zero", ip = addr.ip());
    }
    text!("sys-bind", addr)
}

/// How a socket got the local port that `getsockname` reports: what its sentence says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortFrom {
    /// `bind` asked for this port (0: "any free port", and the kernel chose).
    Bind(u16),
    /// No `bind`: the kernel chose the address and a port at `connect` (an implicit bind).
    Connect,
    /// No `bind`: the kernel chose a port at the first `sendto` (an implicit bind).
    FirstSend,
    /// An accepted connection: it shares the listener's port.
    Accept,
}

/// `getsockname(2)` said `addr`, a port that came `from` there.
pub fn getsockname(addr: SocketAddr, from: Option<PortFrom>) -> Text {
    let port = addr.port();
    let from = match from {
        Some(PortFrom::Bind(0)) if port != 0 => "bind-zero",
        Some(PortFrom::Connect) => "connect",
        Some(PortFrom::FirstSend) => "first-send",
        Some(PortFrom::Accept) => "accept",
        _ => "other",
    };
    let wildcard = yes(addr.ip().is_unspecified() && port != 0);
    text!("sys-getsockname", addr, from, port, wildcard)
}

/// `listen(2)` with `backlog`.
pub fn listen(backlog: i32) -> Text {
    text!("sys-listen", backlog)
}

/// `accept4(2)` on `listener` returned `fd` for `peer`.
pub fn accept(listener: i32, fd: i32, peer: SocketAddr) -> Text {
    let mapped = yes(peer.ip().to_canonical() != peer.ip());
    text!("sys-accept", peer, fd, listener, mapped)
}

/// `connect(2)` to `addr` succeeded on a socket of `kind`.
pub fn connect(addr: SocketAddr, kind: Option<SocketKind>) -> Text {
    if kind == Some(SocketKind::Udp) {
        text!("sys-connect-udp", addr)
    } else {
        text!("sys-connect-tcp", addr)
    }
}

/// A stream `send` (strace: `sendto(fd, buf, len, flags, NULL, 0)`) took `count` of
/// `offered` bytes.
pub fn send(count: usize, offered: usize) -> Text {
    if count < offered {
        text!("sys-send-short", count, offered)
    } else {
        text!("sys-send", count)
    }
}

/// A stream `recv` (strace: `recvfrom(fd, buf, len, flags, NULL, NULL)`) returned
/// `data` (empty: end of stream).
pub fn recv(data: &[u8]) -> Text {
    if data.is_empty() {
        text!("sys-recv-eof")
    } else {
        text!(
            "sys-recv",
            count = data.len(),
            data = strace::readable(data, 80)
        )
    }
}

/// `shutdown(fd, SHUT_WR)`.
pub fn shutdown_write() -> Text {
    text!("sys-shutdown-write")
}

/// `shutdown(fd, SHUT_RDWR)` on a socket another thread is blocked on.
pub fn shutdown_both() -> Text {
    text!("sys-shutdown-both-wakes")
}

/// `close(2)` of a listening socket.
pub fn close_listener() -> Text {
    text!("sys-close-listener")
}

/// `close` of a copy `fork` made: only this process's descriptor goes.
pub fn close_copy() -> Text {
    text!("process-only-this-process-s-copy")
}

/// `close(2)` of a socket of `kind` (`None`: not a socket we know).
pub fn close(kind: Option<SocketKind>) -> Text {
    match kind {
        Some(SocketKind::Tcp) => text!("sys-close-tcp"),
        Some(SocketKind::Udp) => text!("sys-close-udp"),
        None => text!("sys-close"),
    }
}

/// A datagram `recvfrom` copied `data` (of a datagram of `real_len` bytes, into a
/// buffer of `offered`) from `from`.
pub fn datagram_in(data: &[u8], real_len: usize, offered: usize, from: SocketAddr) -> Text {
    if real_len > data.len() {
        text!("sys-datagram-in-truncated", real = real_len, offered)
    } else {
        let data_text = strace::readable(data, 80);
        text!(
            "sys-datagram-in",
            count = data.len(),
            from,
            data = data_text
        )
    }
}

/// A datagram `sendto` of `count` bytes, to `to` (or the connected peer).
pub fn datagram_out(count: usize, to: Option<SocketAddr>) -> Text {
    let to = to.map(|a| a.to_string()).unwrap_or_else(|| "none".into());
    text!("sys-datagram-out", count, to)
}

/// Why an errno is expected on a call, when it is: the sentence after "Failed: ...".
pub fn expected_failure(syscall: &str, errno: nix::errno::Errno) -> Option<Text> {
    use nix::errno::Errno;
    Some(match (syscall, errno) {
        ("accept4" | "accept", Errno::ECONNABORTED) => text!("sys-accept-aborted"),
        ("accept4" | "accept", Errno::EAGAIN) => text!("sys-accept-would-block"),
        ("accept4" | "accept", Errno::EINTR) => text!("sys-accept-interrupted"),
        ("sendto" | "send" | "write", Errno::EAGAIN) => text!("sys-send-would-block"),
        ("sendto" | "send" | "write", Errno::EPIPE) => text!("sys-send-epipe"),
        ("wait4" | "waitpid", Errno::ECHILD) => text!("sys-wait-no-child"),
        ("recvfrom" | "recv" | "read", Errno::EINTR) => text!("sys-recv-interrupted"),
        _ => return None,
    })
}

/// The sentence of a failed call: "Failed: ERRNO (text).", then why: the reason this
/// errno is expected here, or else the caller's `why`, when there is one.
pub fn failed(syscall: &str, errno: nix::errno::Errno, why: Option<Text>) -> Text {
    let name = format!("{errno:?}");
    let text = strace::errno_text(errno);
    match expected_failure(syscall, errno).or(why) {
        Some(why) => text!("sys-failed-expected", errno = name, text, why),
        None => text!("sys-failed", errno = name, text),
    }
}

// ---------------------------------------------------------------------------------
// Calls the labs make differently or never make, met by `raw-trace` in the programs
// it traces (the course's Python scripts, a student's C server). Same rule: each
// function takes only what the call's strace line shows.
// ---------------------------------------------------------------------------------

/// A stream `recv`/`read` returned `count` bytes, of which strace's line shows only
/// the first ones (`shown`: strace cuts buffers at 32 bytes unless run with `-s`).
pub fn recv_shown(count: usize, shown: &[u8]) -> Text {
    let data = strace::readable(shown, 80);
    text!("sys-recv-shown", count, shown = shown.len(), data)
}

/// A datagram `recvfrom`/`recvmsg`/`read` returned `count` bytes (strace shows
/// `shown`, maybe only their beginning), from `from` when the line names the sender.
pub fn datagram_in_seen(count: usize, shown: &[u8], from: Option<SocketAddr>) -> Text {
    let cut = yes(count > shown.len());
    let from = from.map(|a| a.to_string()).unwrap_or_else(|| "none".into());
    let data = strace::readable(shown, 80);
    text!("sys-datagram-in-seen", count, from, data, cut)
}

/// `accept(2)`/`accept4(2)` on `listener` returned `fd`, the client's address not
/// asked for (`accept(3, NULL, NULL)`) nor found in the kernel's table.
pub fn accepted_unnamed(listener: i32, fd: i32) -> Text {
    text!("sys-accept-unnamed", fd, listener)
}

/// `socket(2)` returned `fd`, a socket of `family`, not an IP one.
pub fn socket_not_ip(fd: i32, family: &str) -> Text {
    text!("sys-socket-not-ip", fd, family)
}

/// A call on a socket of another family than IP (`AF_UNIX`, `AF_NETLINK`, ...).
pub fn not_ip(family: &str) -> Text {
    text!("sys-not-ip", family)
}

/// `setsockopt(2)` of an option the labs do not explain one by one (`option` as
/// strace names it: `SO_KEEPALIVE`, `SO_RCVBUF`...).
pub fn setsockopt_other(option: &str) -> Text {
    text!("sys-setsockopt-other", option)
}

/// `getsockopt(2)` of `option` (`SO_ERROR` has its own sentence: [`so_error`]).
pub fn getsockopt(option: &str) -> Text {
    text!("sys-getsockopt", option)
}

/// `getsockopt(SO_ERROR)` read `value`: how a non-blocking `connect` ended.
pub fn so_error(value: i64) -> Text {
    text!("sys-so-error", value)
}

/// `getpeername(2)` said `addr`.
pub fn getpeername(addr: SocketAddr) -> Text {
    text!("sys-getpeername", addr)
}

/// `shutdown(fd, SHUT_RD)`.
pub fn shutdown_read() -> Text {
    text!("sys-shutdown-read")
}

/// `shutdown(fd, SHUT_RDWR)` (when no other thread is known to be blocked on it).
pub fn shutdown_rdwr() -> Text {
    text!("sys-shutdown-both")
}

/// `connect(2)` on a non-blocking socket returned `EINPROGRESS` (Python's
/// `settimeout` makes its sockets non-blocking underneath).
pub fn connect_in_progress() -> Text {
    text!("sys-connect-in-progress")
}

/// `recv`/`read` on a non-blocking socket returned `EAGAIN`.
pub fn nothing_to_read() -> Text {
    text!("sys-nothing-to-read")
}

/// `poll`/`select`/`epoll_wait` (`syscall`), given `watched` fds, returned `ready` (0:
/// the timeout ran out).
pub fn waited(syscall: &str, ready: i64, watched: usize) -> Text {
    text!("sys-waited", syscall, ready, watched)
}

/// `clone`/`fork`/`vfork` made a new process, `child`.
pub fn forked(child: u32) -> Text {
    text!("sys-forked", child)
}

/// `clone`/`clone3` with `CLONE_THREAD` made a new thread, `tid`.
pub fn thread_created(tid: u32) -> Text {
    text!("sys-thread-created", tid)
}

/// How a reaped child ended, as `wait4`'s status says (strace: `[{WIFEXITED(s) &&
/// WEXITSTATUS(s) == 0}]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// `exit(code)`.
    Exited(i32),
    /// Killed by this signal (its name, `SIGTERM`).
    Signaled(String),
    /// Stopped, continued, or a status strace did not show.
    Other,
}

/// `wait4`/`waitid` returned `child`, which ended as `how`.
pub fn reaped(child: u32, how: &Ended) -> Text {
    let (how, code, signal) = match how {
        Ended::Exited(code) => ("exited", *code, String::new()),
        Ended::Signaled(signal) => ("signaled", 0, signal.clone()),
        Ended::Other => ("other", 0, String::new()),
    };
    text!("sys-reaped", child, how, code, signal)
}

/// `wait4(..., WNOHANG)` returned 0.
pub fn nothing_reaped() -> Text {
    text!("sys-nothing-reaped")
}

/// strace printed `= ?`: the process ended while inside the call.
pub fn ended_inside() -> Text {
    text!("sys-ended-inside")
}

/// `io_uring_setup` returned `fd`, with queues of `sq` requests and `cq` completions.
pub fn io_uring_setup(fd: i32, sq: u32, cq: u32) -> Text {
    text!("sys-uring-setup", fd, sq, cq)
}

/// `io_uring_register(IORING_REGISTER_PBUF_RING)` registered `entries` buffers of `size`.
pub fn io_uring_buf_ring(entries: u16, size: u32) -> Text {
    text!("sys-uring-buf-ring", entries, size)
}

/// `io_uring_enter` handed the kernel `submitted` requests and waited for `want`
/// completions.
pub fn io_uring_enter(submitted: usize, want: u32) -> Text {
    text!("sys-uring-enter", submitted, want)
}

/// `close` of an io_uring's fd.
pub fn io_uring_close() -> Text {
    text!("sys-uring-close")
}

/// `setsockopt(SO_REUSEPORT, 1)`.
pub fn reuseport() -> Text {
    text!("sys-reuseport")
}

/// `tgkill(pid, tid, signal)` sent `signal` to one thread.
pub fn tgkill(tid: i32, signal: &str) -> Text {
    text!("sys-tgkill", signal, tid)
}

/// `getsockopt(TCP_INFO)` on a just-accepted connection: `silent` is how long its client
/// has sent nothing since the handshake, `None` when it has sent something.
pub fn silent_since_connect(silent: Option<std::time::Duration>) -> Text {
    let ms = silent.map(|d| d.as_millis() as u64).unwrap_or(0);
    text!(
        "sys-silent-since-connect",
        silent = yes(silent.is_some()),
        ms
    )
}
