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

use crate::sys::{Cqe, Sqe, Uring};

/// What a request asks for, as the model's event loop switches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `accept4` on the listener (multishot or single).
    Accept,
    /// A multishot `recv` on a connection.
    Recv,
    /// A `sendto` on a connection.
    Send,
    /// A `close` of a connection.
    Close,
    /// The cancel of an armed request.
    Cancel,
}

/// What a request is, kept in the upper half of its `user_data` (the fd in the lower
/// half), so that a completion says what it completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    AcceptMulti = 1,
    Accept = 2,
    RecvMulti = 3,
    Send = 4,
    Close = 5,
    CancelAccept = 6,
    CancelRecv = 7,
}

/// The `user_data` of request `tag` on `fd`.
fn tag(tag: Tag, fd: RawFd) -> u64 {
    ((tag as u64) << 32) | u64::from(fd as u32)
}

/// The request and fd a `user_data` names.
fn untag(user_data: u64) -> Option<(Tag, RawFd)> {
    let fd = (user_data & 0xffff_ffff) as u32 as RawFd;
    let tag = match user_data >> 32 {
        1 => Tag::AcceptMulti,
        2 => Tag::Accept,
        3 => Tag::RecvMulti,
        4 => Tag::Send,
        5 => Tag::Close,
        6 => Tag::CancelAccept,
        7 => Tag::CancelRecv,
        _ => return None,
    };
    Some((tag, fd))
}

/// A completion the kernel posted, not read yet.
#[derive(Debug)]
pub struct Posted(Cqe);

/// One completion, said and handed to the model: which request it completes, on which
/// fd, what it returned (bytes, the new fd, 0, or `-errno`), whether the request stays
/// armed (`IORING_CQE_F_MORE`), and the bytes a recv brought or a send took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What the request asked for.
    pub op: Op,
    /// The fd it acted on (the listener for an accept).
    pub fd: RawFd,
    /// What it returned: bytes, a new fd, 0, or `-errno`.
    pub result: i32,
    /// The request stays armed: more completions follow (multishot).
    pub more: bool,
    /// The bytes a recv brought, or the bytes a send was given.
    pub data: Vec<u8>,
}

impl Completion {
    /// The errno, when the request failed.
    pub fn errno(&self) -> Option<Errno> {
        (self.result < 0).then(|| Errno::from_raw(-self.result))
    }
}

/// `IORING_CQE_F_MORE`: the request stays armed (multishot), more completions follow.
fn more(cqe: &Cqe) -> bool {
    io_uring::cqueue::more(cqe.flags)
}

/// The provided buffer a completion filled, if any.
fn buffer(cqe: &Cqe) -> Option<u16> {
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
fn setup(n: &Narrator, entries: u32, cq_entries: u32) -> Result<Uring, Failure> {
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
fn register_buf_ring(
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
fn submit(
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
    let sentence = n.verbose().then(|| sqe_sentence(&sqe));
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
fn enter(
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
fn completed(n: &Narrator, cqe: &Cqe, asked_as: &Sqe, size: u32, data: Option<&[u8]>) {
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
    let sentence = cqe_sentence(asked_as, cqe.result, more(cqe));
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

/// **Syscall:** `close(ring_fd)`, see `close(2)`: the io_uring instance goes, and with it
/// every request still armed (the multishot accept, each connection's recv): the kernel
/// cancels them. The queues' memory is unmapped first (`munmap`, not narrated).
/// **Packets:** none.
#[doc = crate::man_links!(close(2))]
#[track_caller]
fn close_ring(n: &Narrator, ring: Uring) -> Result<(), Failure> {
    let fd = ring.fd();
    let call = Call::new(n, "close", fd, || format!("close({fd})"));
    drop(ring); // munmap of the queues, then close(fd)
    call.stateless()
        .finish(Ok(()), |_| 0, |_| sentences::io_uring_close())
}

/// An io_uring instance as the io-uring model uses it, in liburing's shape: each
/// request is one call that gets a submission entry, fills it in and tags it
/// (`add_accept`, `add_recv`, `add_send` in liburing's `examples/echo-server.c`), and
/// [`Ring::wait`] is `io_uring_submit_and_wait` followed by the completions, each said
/// as it is read. The ring keeps the fd table: a connection an accept completion brings
/// is a TCP socket of ours, one a close completion ends is forgotten.
pub struct Ring {
    uring: Uring,
    /// The provided buffers' size (shown in a recv's line).
    size: u32,
}

impl std::fmt::Debug for Ring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ring")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Ring {
    /// `io_uring_setup`: a new instance and its two queues, in memory shared with the
    /// kernel (the step and its errors are documented on `setup` in this file).
    #[track_caller]
    pub fn setup(n: &Narrator, entries: u32, cq_entries: u32) -> Result<Ring, Failure> {
        Ok(Ring {
            uring: setup(n, entries, cq_entries)?,
            size: 0,
        })
    }

    /// `io_uring_register(IORING_REGISTER_PBUF_RING)`: `count` buffers of `size` bytes
    /// the kernel fills as data arrives (the step: `register_buf_ring` in this file).
    #[track_caller]
    pub fn provide_buffers(&mut self, n: &Narrator, count: u16, size: u32) -> Result<(), Failure> {
        register_buf_ring(n, &mut self.uring, count, size)?;
        self.size = size;
        Ok(())
    }

    /// Queues an accept on `listener`: `multishot`, one request that completes once per
    /// connection until it is cancelled; else one connection.
    #[track_caller]
    pub fn accept(
        &mut self,
        n: &Narrator,
        listener: RawFd,
        multishot: bool,
    ) -> Result<(), Failure> {
        let t = if multishot {
            Tag::AcceptMulti
        } else {
            Tag::Accept
        };
        let sqe = Sqe::Accept {
            fd: listener,
            multishot,
        };
        submit(n, &mut self.uring, tag(t, listener), sqe, self.size)
    }

    /// Queues a multishot recv on `fd`: a completion each time data arrives, in a buffer
    /// the kernel picks from the provided ring.
    #[track_caller]
    pub fn recv(&mut self, n: &Narrator, fd: RawFd) -> Result<(), Failure> {
        submit(
            n,
            &mut self.uring,
            tag(Tag::RecvMulti, fd),
            Sqe::RecvMulti { fd },
            self.size,
        )
    }

    /// Queues a send of `data` on `fd` (the ring keeps the bytes until it completes).
    #[track_caller]
    pub fn send(&mut self, n: &Narrator, fd: RawFd, data: Vec<u8>) -> Result<(), Failure> {
        submit(
            n,
            &mut self.uring,
            tag(Tag::Send, fd),
            Sqe::Send { fd, data },
            self.size,
        )
    }

    /// Queues a close of `fd`.
    #[track_caller]
    pub fn close(&mut self, n: &Narrator, fd: RawFd) -> Result<(), Failure> {
        submit(
            n,
            &mut self.uring,
            tag(Tag::Close, fd),
            Sqe::Close { fd },
            self.size,
        )
    }

    /// Queues the cancel of the multishot accept armed on `listener`.
    #[track_caller]
    pub fn cancel_accept(&mut self, n: &Narrator, listener: RawFd) -> Result<(), Failure> {
        let target = tag(Tag::AcceptMulti, listener);
        submit(
            n,
            &mut self.uring,
            tag(Tag::CancelAccept, listener),
            Sqe::Cancel { target },
            self.size,
        )
    }

    /// Queues the cancel of the recv armed on `fd`.
    #[track_caller]
    pub fn cancel_recv(&mut self, n: &Narrator, fd: RawFd) -> Result<(), Failure> {
        let target = tag(Tag::RecvMulti, fd);
        submit(
            n,
            &mut self.uring,
            tag(Tag::CancelRecv, fd),
            Sqe::Cancel { target },
            self.size,
        )
    }

    /// `io_uring_submit_and_wait(ring, 1)`: one `io_uring_enter` that hands over every
    /// queued request and sleeps until a completion is posted (or `timeout` passes).
    /// Returns the completions posted, each to be read with [`Ring::complete`].
    #[track_caller]
    pub fn wait(
        &mut self,
        n: &Narrator,
        timeout: Option<Duration>,
    ) -> Result<Vec<Posted>, Failure> {
        enter(n, &mut self.uring, 1, timeout)?;
        Ok(self.uring.completions().into_iter().map(Posted).collect())
    }

    /// Hands the kernel what is still queued, without waiting (when stopping).
    #[track_caller]
    pub fn flush(&mut self, n: &Narrator) -> Result<(), Failure> {
        if self.uring.queued() > 0 {
            enter(n, &mut self.uring, 0, None)?;
        }
        Ok(())
    }

    /// `close(ring_fd)`: the instance goes, and every request still armed with it.
    #[track_caller]
    pub fn close_ring(self, n: &Narrator) -> Result<(), Failure> {
        close_ring(n, self.uring)
    }

    /// Reads one completion (`io_uring_for_each_cqe`): says it as a `cqe:` line, keeps
    /// the fd table, copies a recv's bytes out and gives its buffer back to the kernel.
    pub fn complete(&mut self, n: &Narrator, posted: Posted) -> Option<Completion> {
        let cqe = &posted.0;
        let (t, fd) = untag(cqe.user_data)?;
        let (op, asked) = match t {
            Tag::AcceptMulti | Tag::Accept => {
                let multishot = t == Tag::AcceptMulti;
                (Op::Accept, Sqe::Accept { fd, multishot })
            }
            Tag::RecvMulti => (Op::Recv, Sqe::RecvMulti { fd }),
            Tag::Send => {
                let data = self.uring.sent(cqe.user_data).unwrap_or_default();
                (Op::Send, Sqe::Send { fd, data })
            }
            Tag::Close => (Op::Close, Sqe::Close { fd }),
            Tag::CancelAccept => (
                Op::Cancel,
                Sqe::Cancel {
                    target: tag(Tag::AcceptMulti, fd),
                },
            ),
            Tag::CancelRecv => (
                Op::Cancel,
                Sqe::Cancel {
                    target: tag(Tag::RecvMulti, fd),
                },
            ),
        };
        let data = match (&asked, buffer(cqe)) {
            (Sqe::RecvMulti { .. }, Some(bid)) => {
                let got = self
                    .uring
                    .received(bid, cqe.result.max(0) as usize)
                    .to_vec();
                self.uring.give_back(bid); // the buffer is the kernel's again
                got
            }
            (Sqe::Send { data, .. }, _) => data.clone(),
            _ => Vec::new(),
        };
        let shown = (op == Op::Recv && !data.is_empty()).then_some(data.as_slice());
        completed(n, cqe, &asked, self.size, shown);
        match op {
            Op::Accept if cqe.result >= 0 => {
                crate::trace::fds::made(cqe.result, crate::trace::fds::SocketKind::Tcp)
            }
            Op::Close => crate::trace::fds::forget(fd), // the number is free for the next connection
            _ => {}
        }
        Some(Completion {
            op,
            fd,
            result: cqe.result,
            more: more(cqe),
            data,
        })
    }
}

/// A request written into the submission queue (not a syscall).
fn sqe_sentence(sqe: &Sqe) -> crate::catalog::Text {
    match sqe {
        Sqe::Accept {
            multishot: true, ..
        } => text!("sys-sqe-accept-multishot"),
        Sqe::Accept { .. } => text!("sys-sqe-accept"),
        Sqe::RecvMulti { .. } => text!("sys-sqe-recv-multishot"),
        Sqe::Send { .. } => text!("sys-sqe-send"),
        Sqe::Close { .. } => text!("sys-sqe-close"),
        Sqe::Cancel { .. } => text!("sys-sqe-cancel"),
    }
}

/// A completion of `asked` with `result` (`-errno` on failure); `more`: still armed.
fn cqe_sentence(asked: &Sqe, result: i32, more: bool) -> crate::catalog::Text {
    let more = if more { "yes" } else { "no" };
    if result < 0 {
        let errno = Errno::from_raw(-result);
        let text = strace::errno_text(errno);
        return text!("sys-cqe-failed", errno = format!("{errno:?}"), text, more);
    }
    match (asked, result) {
        (Sqe::Accept { fd, .. }, new) => text!("sys-cqe-accept", fd, new, more),
        (Sqe::RecvMulti { .. }, 0) => text!("sys-cqe-recv-eof"),
        (Sqe::RecvMulti { .. }, count) => text!("sys-cqe-recv", count, more),
        (Sqe::Send { data, .. }, count) if (count as usize) < data.len() => {
            text!("sys-cqe-send-short", count, offered = data.len())
        }
        (Sqe::Send { .. }, count) => text!("sys-cqe-send", count),
        (Sqe::Close { .. }, _) => text!("sys-cqe-close"),
        (Sqe::Cancel { .. }, _) => text!("sys-cqe-cancel"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tag names its request and fd, and only tags name anything.
    #[test]
    fn tags_round_trip() {
        for t in [
            Tag::AcceptMulti,
            Tag::Accept,
            Tag::RecvMulti,
            Tag::Send,
            Tag::Close,
            Tag::CancelAccept,
            Tag::CancelRecv,
        ] {
            assert_eq!(untag(tag(t, 1023)), Some((t, 1023)));
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
