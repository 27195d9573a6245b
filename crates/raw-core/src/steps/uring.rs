//! The io_uring steps: `io_uring_setup`, `io_uring_register` (a provided-buffer ring),
//! `io_uring_enter`, and the requests and completions that travel through the two
//! queues the process shares with the kernel.
//!
//! With io_uring a program does not call `accept4`, `recvfrom`, `sendto` or `close`:
//! it writes *requests* (submission queue entries, SQEs) into memory the kernel reads,
//! and reads *completions* (CQEs) from memory the kernel writes. Only `io_uring_enter`
//! is a syscall, and one of them may carry a hundred requests and collect a hundred
//! completions. strace therefore sees only `io_uring_setup`, `io_uring_register` and
//! `io_uring_enter`: the narration says each request and each completion as a line of
//! its own, written like the syscall it replaces (`accept4(3, NULL, NULL,
//! SOCK_CLOEXEC)`), marked `sqe` or `cqe` and never counted as a syscall.
//!
//! ```text
//! strace -f -e trace=%network,io_uring_setup,io_uring_enter,io_uring_register raw-multi server --model io-uring
//! ```
//!
//! The unsafe part (a request may point at memory the kernel uses later) is
//! [`crate::sys::Uring`]; this module is the narration around it.

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::narrate::{Event, Kind, Narrator};
use crate::sentences;
use crate::text;
use crate::trace::call::Call;
use crate::trace::strace;
use nix::errno::Errno;
use std::os::fd::RawFd;
use std::time::Duration;

pub use crate::sys::{Cqe, Sqe, Uring};

/// What a request is, kept in the upper half of its `user_data` (the fd in the lower
/// half), so that a completion says what it completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A multishot accept on the listener.
    AcceptMulti = 1,
    /// One accept on the listener.
    Accept = 2,
    /// A multishot recv on a connection.
    RecvMulti = 3,
    /// A send on a connection.
    Send = 4,
    /// A close of a connection.
    Close = 5,
    /// The cancel of the listener's accept.
    CancelAccept = 6,
    /// The cancel of a connection's recv.
    CancelRecv = 7,
}

/// The `user_data` of request `op` on `fd`.
pub fn tag(op: Op, fd: RawFd) -> u64 {
    ((op as u64) << 32) | u64::from(fd as u32)
}

/// The request and fd a `user_data` names.
pub fn untag(user_data: u64) -> Option<(Op, RawFd)> {
    let fd = (user_data & 0xffff_ffff) as u32 as RawFd;
    let op = match user_data >> 32 {
        1 => Op::AcceptMulti,
        2 => Op::Accept,
        3 => Op::RecvMulti,
        4 => Op::Send,
        5 => Op::Close,
        6 => Op::CancelAccept,
        7 => Op::CancelRecv,
        _ => return None,
    };
    Some((op, fd))
}

/// `IORING_CQE_F_MORE`: the request stays armed (multishot), more completions follow.
pub fn more(cqe: &Cqe) -> bool {
    io_uring::cqueue::more(cqe.flags)
}

/// The provided buffer a completion filled, if any.
pub fn buffer(cqe: &Cqe) -> Option<u16> {
    io_uring::cqueue::buffer_select(cqe.flags)
}

/// The setup flags, as strace names them (strace 6.1, older than the last two flags,
/// prints them as `0x3000`).
const SETUP_FLAGS: &str = "IORING_SETUP_CQSIZE|IORING_SETUP_SUBMIT_ALL|IORING_SETUP_SINGLE_ISSUER|IORING_SETUP_DEFER_TASKRUN";

/// **Syscall:** `io_uring_setup(entries, &params)`, see `io_uring_setup(2)`: a new
/// io_uring instance, itself an fd, with a submission queue of `entries` requests and a
/// completion queue of `cq_entries`, both in memory shared with the kernel (the crate
/// maps them with `mmap` right after). `IORING_SETUP_DEFER_TASKRUN`: completions are
/// posted only while this thread waits in `io_uring_enter`, never in the middle of its
/// work.
/// **Packets:** none.
/// **Errors:** `ENOSYS` (a kernel without io_uring, or a seccomp filter such as
/// Docker's), `EPERM` (`sysctl kernel.io_uring_disabled` is 2, or 1 and this user is
/// not in `kernel.io_uring_group`), `EINVAL` (a kernel older than 6.1 refusing a flag),
/// `EMFILE`, `ENOMEM`: each explained by [`unavailable`].
#[doc = crate::man_links!(io_uring_setup(2))]
#[track_caller]
pub fn setup(n: &Narrator, entries: u32, cq_entries: u32) -> Result<Uring, Failure> {
    let call = Call::new(n, "io_uring_setup", -1, || {
        format!("io_uring_setup({entries}, {{flags={SETUP_FLAGS}, sq_thread_cpu=0, sq_thread_idle=0, cq_entries={cq_entries}, ...}})")
    });
    let result = Uring::setup(entries, cq_entries);
    let call = match &result {
        Ok(ring) => {
            let p = ring.params();
            call.on_fd(ring.fd()).filled(|| {
                format!(
                    "io_uring_setup({entries}, {{flags={SETUP_FLAGS}, sq_thread_cpu=0, sq_thread_idle=0, sq_entries={}, cq_entries={}, ...}})",
                    p.sq_entries, p.cq_entries
                )
            })
        }
        Err(_) => call,
    };
    call.stateless()
        .finish(
            result,
            |ring| ring.fd(),
            |ring| {
                let p = ring.params();
                sentences::io_uring_setup(ring.fd(), p.sq_entries, p.cq_entries)
            },
        )
        .map_err(|failure| unavailable(n, failure.errno().unwrap_or(Errno::EIO)))
}

/// Why io_uring cannot be used here, and what to check: the failure `setup` returns.
pub fn unavailable(n: &Narrator, errno: Errno) -> Failure {
    let hint = match errno {
        Errno::ENOSYS => n.say(text!("uring-this-kernel-has-no-io")),
        Errno::EPERM | Errno::EACCES => n.say(text!("uring-io-uring-switched-off-this")),
        Errno::EINVAL => n.say(text!("uring-this-kernel-refused-setup-flag")),
        Errno::ENOMEM => n.say(text!("uring-kernel-could-not-allocate-rings")),
        _ => n.say(text!("uring-io-uring-could-not-be")),
    };
    Failure::Runtime(text!(
        "uring-io-uring-setup-2-failed",
        errno = format!("{:?}", errno),
        errno_text = strace::errno_text(errno),
        hint
    ))
}

/// **Syscall:** `io_uring_register(fd, IORING_REGISTER_PBUF_RING, {ring_addr,
/// ring_entries, bgid=0}, 1)`, see `io_uring_register(2)` (Linux 5.19): a ring of
/// `entries` buffers of `size` bytes the kernel picks from when a multishot recv has
/// data, so no buffer is tied up by a connection that is silent. We hand a buffer back
/// by writing the ring's tail in shared memory: no syscall.
/// **Packets:** none. **Errors:** `EINVAL` (a kernel before 5.19), `ENOMEM`.
#[doc = crate::man_links!(io_uring_register(2))]
#[track_caller]
pub fn register_buf_ring(
    n: &Narrator,
    ring: &mut Uring,
    entries: u16,
    size: u32,
) -> Result<(), Failure> {
    let fd = ring.fd();
    let call = Call::new(n, "io_uring_register", fd, || {
        format!("io_uring_register({fd}, IORING_REGISTER_PBUF_RING, {{ring_addr=..., ring_entries={entries}, bgid=0}}, 1)")
    });
    let result = ring.register_buf_ring(entries, size);
    let call = match result {
        Ok(addr) => call.filled(|| {
            format!("io_uring_register({fd}, IORING_REGISTER_PBUF_RING, {{ring_addr={addr:#x}, ring_entries={entries}, bgid=0}}, 1)")
        }),
        Err(_) => call,
    };
    call.stateless()
        .finish(
            result,
            |_| 0,
            |_| sentences::io_uring_buf_ring(entries, size),
        )
        .map(|_| ())
}

/// A request as the syscall it replaces: `accept4(3, NULL, NULL, SOCK_CLOEXEC)`.
fn asked(sqe: &Sqe, size: u32) -> String {
    match sqe {
        Sqe::Accept { fd, .. } => format!("accept4({fd}, NULL, NULL, SOCK_CLOEXEC)"),
        Sqe::RecvMulti { fd } => format!("recv({fd}, <buffer of group 0>, {size}, 0)"),
        Sqe::Send { fd, data } => format!(
            "sendto({fd}, {}, {}, MSG_NOSIGNAL, NULL, 0)",
            strace::quoted(data),
            data.len()
        ),
        Sqe::Close { fd } => format!("close({fd})"),
        Sqe::Cancel { target } => format!("cancel(user_data={target:#x})"),
    }
}

/// The opcode's name, as `<linux/io_uring.h>` writes it.
fn opcode(sqe: &Sqe) -> &'static str {
    match sqe {
        Sqe::Accept { .. } => "IORING_OP_ACCEPT",
        Sqe::RecvMulti { .. } => "IORING_OP_RECV",
        Sqe::Send { .. } => "IORING_OP_SEND",
        Sqe::Close { .. } => "IORING_OP_CLOSE",
        Sqe::Cancel { .. } => "IORING_OP_ASYNC_CANCEL",
    }
}

/// Queues one request tagged `user_data` (no syscall: a write into the submission
/// queue, which the kernel reads at the next `io_uring_enter`), and says it as a line
/// `sqe: ...`. When the queue is full, first [`enter`]s to hand the kernel what is
/// queued. `size` is the provided buffers' size (shown for a recv).
#[track_caller]
pub fn submit(
    n: &Narrator,
    ring: &mut Uring,
    user_data: u64,
    sqe: Sqe,
    size: u32,
) -> Result<(), Failure> {
    let line = n.verbose().then(|| {
        let multishot = matches!(
            sqe,
            Sqe::Accept {
                multishot: true,
                ..
            } | Sqe::RecvMulti { .. }
        );
        format!(
            "{} {}{}, user_data={user_data:#x}",
            opcode(&sqe),
            asked(&sqe, size),
            if multishot { " multishot" } else { "" }
        )
    });
    let sentence = n.verbose().then(|| sentences::io_uring_sqe(&sqe));
    let mut sqe = sqe;
    loop {
        match ring.push(user_data, sqe) {
            Ok(()) => break,
            Err(back) => {
                if ring.queued() == 0 {
                    // Refused with an empty queue: a second send with this tag in flight.
                    return Err(Failure::sys("io_uring_enter", Errno::EBUSY));
                }
                enter(n, ring, 0, None)?; // the queue is full: hand it over first
                sqe = back;
            }
        }
    }
    if let (Some(line), Some(sentence)) = (line, sentence) {
        say(n, "sqe", line, sentence, None, None);
    }
    Ok(())
}

/// **Syscall:** `io_uring_enter(fd, queued, want, flags, NULL, 128)`, see
/// `io_uring_enter(2)`: the kernel takes every queued request (and runs what it can
/// at once), then, with `want` > 0 (`IORING_ENTER_GETEVENTS`), this thread sleeps until
/// that many completions are posted. `timeout` bounds the sleep
/// (`IORING_ENTER_EXT_ARG`; it ends in `ETIME`, returned here as `Ok` like any
/// wake-up). The one syscall of the io-uring model's loop.
/// **Packets:** whatever the requests cause (a send's data segments).
/// **Errors:** `EINTR` (a signal: strace shows a plain `EINTR`), `EBUSY` (too many
/// completions not yet read).
#[doc = crate::man_links!(io_uring_enter(2))]
#[track_caller]
pub fn enter(
    n: &Narrator,
    ring: &mut Uring,
    want: u32,
    timeout: Option<Duration>,
) -> Result<usize, Failure> {
    let fd = ring.fd();
    let queued = ring.queued();
    let flags = ring.enter_flags(want, timeout.is_some());
    let args = || {
        let flags = if flags.is_empty() {
            "0".to_string()
        } else {
            flags.join("|")
        };
        match timeout {
            None => format!("io_uring_enter({fd}, {queued}, {want}, {flags}, NULL, 128)"),
            Some(t) => format!(
                "io_uring_enter({fd}, {queued}, {want}, {flags}, {{ts={{tv_sec={}, tv_nsec={}}}}}, 24)",
                t.as_secs(),
                t.subsec_nanos()
            ),
        }
    };
    let call = Call::new(n, "io_uring_enter", fd, args)
        .stateless()
        .why(interrupted);
    let result = ring.enter(want, timeout);
    match call.finish(
        result,
        |submitted| *submitted,
        |&submitted| sentences::io_uring_enter(submitted, want),
    ) {
        // The wait's deadline passed: the requests were still handed over.
        Err(failure) if failure.errno() == Some(Errno::ETIME) => Ok(queued),
        other => other,
    }
}

/// Why an `io_uring_enter` failed with `EINTR`.
fn interrupted(errno: Errno) -> Option<crate::catalog::Text> {
    (errno == Errno::EINTR).then(|| text!("multiplex-interrupted-by-signal-loop-checks"))
}

/// Says one completion as a line `cqe: ...`: what was asked (from its `user_data`),
/// what it returned, and its flags. `data` is what a recv brought, for the line.
pub fn completed(n: &Narrator, cqe: &Cqe, asked_as: &Sqe, size: u32, data: Option<&[u8]>) {
    if !n.verbose() {
        return;
    }
    let ret = if cqe.result < 0 {
        let errno = Errno::from_raw(-cqe.result);
        format!("-1 {errno:?} ({})", strace::errno_text(errno))
    } else {
        cqe.result.to_string()
    };
    let mut flags = Vec::new();
    if more(cqe) {
        flags.push("IORING_CQE_F_MORE".to_string());
    }
    if let Some(bid) = buffer(cqe) {
        flags.push(format!("IORING_CQE_F_BUFFER (buffer {bid})"));
    }
    let shown = match (asked_as, data) {
        (Sqe::RecvMulti { fd }, Some(bytes)) => {
            format!("recv({fd}, {}, {size}, 0)", strace::quoted(bytes))
        }
        _ => asked(asked_as, size),
    };
    let line = format!(
        "{} {shown} = {ret}, user_data={:#x}, flags={}",
        opcode(asked_as),
        cqe.user_data,
        if flags.is_empty() {
            "0".to_string()
        } else {
            flags.join("|")
        }
    );
    let sentence = sentences::io_uring_cqe(asked_as, cqe.result, more(cqe));
    let bytes = data.map(<[u8]>::len);
    let fd = match asked_as {
        Sqe::Accept { .. } if cqe.result >= 0 => Some(cqe.result),
        Sqe::Accept { fd, .. }
        | Sqe::RecvMulti { fd }
        | Sqe::Send { fd, .. }
        | Sqe::Close { fd } => Some(*fd),
        Sqe::Cancel { .. } => None,
    };
    say(n, "cqe", line, sentence, fd, bytes);
}

/// One `sqe` or `cqe` line: a note carrying the request as `call`, never a syscall event
/// (the counters and strace comparisons count only syscalls).
fn say(
    n: &Narrator,
    which: &str,
    line: String,
    sentence: crate::catalog::Text,
    fd: Option<RawFd>,
    bytes: Option<usize>,
) {
    n.emit(Event {
        kind: Some(Kind::Note),
        fd,
        bytes,
        text: format!("{which}: {line} — {}", sentence.render(n.lang)),
        text_other: n
            .bilingual
            .then(|| format!("{which}: {line} — {}", sentence.render(n.lang.other()))),
        call: Some(format!("{which}: {line}")),
        ..Event::default()
    });
}

/// **Syscall:** `getpeername(fd, &addr, &len)`, see `getpeername(2)`: who is on the
/// other end of a connection. A multishot accept fills in no address (one request
/// serves many connections, so it has nowhere to write them), so the io-uring model
/// asks for each one: one syscall per connection, none per message.
/// **Packets:** none. **TCP state:** unchanged.
/// **Errors:** `ENOTCONN` (the client already reset the connection).
#[doc = crate::man_links!(getpeername(2))]
#[track_caller]
pub fn getpeername(n: &Narrator, fd: RawFd) -> Result<std::net::SocketAddr, Failure> {
    use nix::sys::socket::SockaddrStorage;
    let call = Call::new(n, "getpeername", fd, || {
        format!("getpeername({fd}, ..., [128])")
    });
    let result = nix::sys::socket::getpeername::<SockaddrStorage>(fd).and_then(|a| {
        if let Some(v4) = a.as_sockaddr_in() {
            Ok(std::net::SocketAddr::V4((*v4).into()))
        } else if let Some(v6) = a.as_sockaddr_in6() {
            Ok(std::net::SocketAddr::V6((*v6).into()))
        } else {
            Err(Errno::EAFNOSUPPORT) // not an IP socket: never ours
        }
    });
    let call = match result {
        Ok(peer) => call
            .filled(|| {
                format!(
                    "getpeername({fd}, {}, {})",
                    strace::sockaddr(&peer),
                    strace::inout_len(128, strace::sockaddr_len(&peer))
                )
            })
            .with(|e| e.peer = Some(peer.to_string())),
        Err(_) => call,
    };
    call.stateless()
        .finish(result, |_| 0, |peer| sentences::getpeername(*peer))
}

/// Forgets a connection closed by an `IORING_OP_CLOSE` completion (its fd number may come
/// back for the next connection).
pub fn closed(fd: RawFd) {
    crate::trace::fds::forget(fd);
}

/// Records a connection made by an accept completion (a TCP socket of ours).
pub fn accepted(fd: RawFd) {
    crate::trace::fds::made(fd, crate::trace::fds::SocketKind::Tcp);
}

/// **Syscall:** `close(ring_fd)`, see `close(2)`: the io_uring instance goes, and with it
/// every request still armed (the multishot accept, each connection's recv): the kernel
/// cancels them. The queues' memory is unmapped first (`munmap`, not narrated).
/// **Packets:** none.
#[doc = crate::man_links!(close(2))]
#[track_caller]
pub fn close(n: &Narrator, ring: Uring) -> Result<(), Failure> {
    let fd = ring.fd();
    let call = Call::new(n, "close", fd, || format!("close({fd})"));
    drop(ring); // munmap of the queues, then close(fd)
    call.stateless()
        .finish(Ok(()), |_| 0, |_| sentences::io_uring_close())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tag names its request and fd, and only tags name anything.
    #[test]
    fn tags_round_trip() {
        for op in [
            Op::AcceptMulti,
            Op::Accept,
            Op::RecvMulti,
            Op::Send,
            Op::Close,
            Op::CancelAccept,
            Op::CancelRecv,
        ] {
            assert_eq!(untag(tag(op, 1023)), Some((op, 1023)));
        }
        assert_eq!(untag(42), None);
    }

    /// The unavailable error names the errno, the sysctl and the way out, in both
    /// languages.
    #[test]
    fn unavailable_is_explained() {
        for lang in [crate::Lang::En, crate::Lang::PtBr] {
            let n = Narrator::new(lang, crate::Mode::Silent, "server");
            for errno in [Errno::ENOSYS, Errno::EPERM, Errno::EINVAL] {
                let text = unavailable(&n, errno).explain(lang);
                assert!(text.starts_with("io_uring_setup(2) "), "{text}");
                assert!(text.contains(&format!("{errno:?}")), "{text}");
                assert!(text.contains("kernel.io_uring_disabled"), "{text}");
                assert!(
                    text.contains("--model epoll") || errno == Errno::ENOSYS,
                    "{text}"
                );
            }
        }
    }
}
