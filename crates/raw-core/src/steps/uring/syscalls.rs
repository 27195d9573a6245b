//! The three io_uring syscalls, each one step: `io_uring_setup` (the two queues),
//! `io_uring_register` (a ring of provided buffers), `io_uring_enter` (submit the
//! requests, wait for completions), and the ring's `close`.

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::narrate::Narrator;
use crate::sentences;
use crate::text;
use crate::trace::call::Call;
use crate::trace::strace;
use nix::errno::Errno;
use std::time::Duration;

use crate::sys::{Sqe, Uring};

use super::entries::{asked, opcode, say, sqe_sentence};

/// The setup flags, as strace names them (strace 6.1, older than the last two flags,
/// prints them as `0x3000`).
pub(super) const SETUP_FLAGS: &str = "IORING_SETUP_CQSIZE|IORING_SETUP_SUBMIT_ALL|IORING_SETUP_SINGLE_ISSUER|IORING_SETUP_DEFER_TASKRUN";

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
pub(super) fn setup(n: &Narrator, entries: u32, cq_entries: u32) -> Result<Uring, Failure> {
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
pub(super) fn register_buf_ring(
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

/// Queues one request tagged `user_data` (no syscall: a write into the submission
/// queue, which the kernel reads at the next `io_uring_enter`), and says it as a line
/// `sqe: ...`. When the queue is full, first [`enter`]s to hand the kernel what is
/// queued. `size` is the provided buffers' size (shown for a recv).
#[track_caller]
pub(super) fn submit(
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
pub(super) fn enter(
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
pub(super) fn interrupted(errno: Errno) -> Option<crate::catalog::Text> {
    (errno == Errno::EINTR).then(|| text!("multiplex-interrupted-by-signal-loop-checks"))
}

/// **Syscall:** `close(ring_fd)`, see `close(2)`: the io_uring instance goes, and with it
/// every request still armed (the multishot accept, each connection's recv): the kernel
/// cancels them. The queues' memory is unmapped first (`munmap`, not narrated).
/// **Packets:** none.
#[doc = crate::man_links!(close(2))]
#[track_caller]
pub(super) fn close_ring(n: &Narrator, ring: Uring) -> Result<(), Failure> {
    let fd = ring.fd();
    let call = Call::new(n, "close", fd, || format!("close({fd})"));
    drop(ring); // munmap of the queues, then close(fd)
    call.stateless()
        .finish(Ok(()), |_| 0, |_| sentences::io_uring_close())
}
