//! The readiness steps of the one-thread servers: `pselect6` (glibc's `select`),
//! `poll`, and epoll's three calls (`epoll_create1`, `epoll_ctl`, `epoll_wait`), each
//! one syscall narrated as strace prints it.
//!
//! What a lecture contrasts: `select` and `poll` hand the kernel the whole interest
//! list on every call (the caller rebuilds it each time), while epoll keeps the list
//! in the kernel, changed by `epoll_ctl` only when the interest changes, and
//! `epoll_wait` returns only what is ready.

#![forbid(unsafe_code)]

use crate::catalog::Text;
use crate::error::Failure;
use crate::narrate::Narrator;
use crate::text;
use crate::trace::call::Call;
use crate::trace::strace;
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::select::FdSet;
use nix::sys::time::{TimeVal, TimeValLike};
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::Duration;

/// A timeout in whole milliseconds, rounded up (so we never wake just before a
/// deadline); `None` waits forever (`-1`).
pub fn poll_timeout(timeout: Option<Duration>) -> PollTimeout {
    match timeout {
        None => PollTimeout::NONE,
        Some(d) => {
            let ms = d.as_micros().div_ceil(1000).min(i32::MAX as u128) as u32;
            PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
        }
    }
}

/// **Syscall:** `epoll_create1(EPOLL_CLOEXEC)`, see `epoll_create(2)`: a new, empty
/// interest list kept by the kernel, itself an fd (close it when done).
/// **Packets:** none. **Errors:** `EMFILE`, `ENOMEM`.
#[doc = crate::man_links!(epoll_create(2))]
#[track_caller]
pub fn epoll_create1(n: &Narrator) -> Result<Epoll, Failure> {
    let call = Call::new(n, "epoll_create1", -1, || {
        "epoll_create1(EPOLL_CLOEXEC)".to_string()
    });
    let result = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC);
    let call = match &result {
        Ok(epoll) => call.on_fd(epoll.0.as_raw_fd()),
        Err(_) => call,
    };
    call.finish(
        result,
        |epoll| epoll.0.as_raw_fd(),
        |_| text!("multiplex-new-epoll-instance-from-now"),
    )
}

/// What `epoll_ctl` does to the interest list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctl {
    /// `EPOLL_CTL_ADD`: a new fd joins the list.
    Add,
    /// `EPOLL_CTL_MOD`: the events wanted for an fd change.
    Modify,
    /// `EPOLL_CTL_DEL`: the fd leaves the list.
    Delete,
}

/// **Syscall:** `epoll_ctl(epfd, op, fd, {events, data})`, see `epoll_ctl(2)`: change
/// the interest list the kernel keeps. The data word carries the fd, so `epoll_wait`
/// can say which socket is ready. `events` is ignored for [`Ctl::Delete`] (strace
/// shows `NULL`).
/// **Packets:** none. **Errors:** `EEXIST` (added twice), `ENOENT` (not in the list),
/// `EPERM` (a regular file: epoll watches sockets, pipes, terminals).
#[doc = crate::man_links!(epoll_ctl(2))]
#[track_caller]
pub fn epoll_ctl(
    n: &Narrator,
    epoll: &Epoll,
    op: Ctl,
    target: impl AsFd,
    events: EpollFlags,
) -> Result<(), Failure> {
    let epfd = epoll.0.as_raw_fd();
    let fd = target.as_fd().as_raw_fd();
    let op_name = match op {
        Ctl::Add => "EPOLL_CTL_ADD",
        Ctl::Modify => "EPOLL_CTL_MOD",
        Ctl::Delete => "EPOLL_CTL_DEL",
    };
    let call = Call::new(n, "epoll_ctl", fd, || {
        let event = match op {
            Ctl::Delete => "NULL".to_string(),
            _ => format!(
                "{{events={}, data={{u32={fd}, u64={fd}}}}}",
                epoll_flags(events)
            ),
        };
        format!("epoll_ctl({epfd}, {op_name}, {fd}, {event})")
    });
    let result = match op {
        Ctl::Add => epoll.add(&target, EpollEvent::new(events, fd as u64)),
        Ctl::Modify => epoll.modify(&target, &mut EpollEvent::new(events, fd as u64)),
        Ctl::Delete => epoll.delete(&target),
    };
    // No state read: the call changes epoll's list, not the socket.
    call.stateless()
        .finish(result, |_| 0, |_| ctl_sentence(op, fd, events))
}

/// What one `epoll_ctl` changed, for a person.
fn ctl_sentence(op: Ctl, fd: RawFd, events: EpollFlags) -> Text {
    let wanted = epoll_flags(events);
    match op {
        Ctl::Add => text!("multiplex-fd-joins-interest-list-kernel", fd, wanted),
        Ctl::Modify if events.contains(EpollFlags::EPOLLOUT) => {
            text!("multiplex-fd-replies-wait-be-sent", fd, wanted)
        }
        Ctl::Modify => text!("multiplex-fd-everything-was-sent-no", fd, wanted),
        Ctl::Delete => text!("multiplex-fd-leaves-kernel-s-interest", fd),
    }
}

/// **Syscall:** `epoll_wait(epfd, events, maxevents, timeout_ms)`, see `epoll_wait(2)`:
/// sleep until something in the interest list is ready, then return only the ready
/// ones, however many others are idle. `-1` waits forever.
/// **Packets:** none. **Errors:** `EINTR` (a signal arrived: strace shows a plain
/// `EINTR`, epoll_wait is never restarted).
#[doc = crate::man_links!(epoll_wait(2))]
#[track_caller]
pub fn epoll_wait(
    n: &Narrator,
    epoll: &Epoll,
    events: &mut [EpollEvent],
    timeout: PollTimeout,
) -> Result<usize, Failure> {
    let epfd = epoll.0.as_raw_fd();
    let max = events.len();
    let ms = i32::from(timeout);
    let call = Call::new(n, "epoll_wait", epfd, || {
        format!(
            "epoll_wait({epfd}, {}, {max}, {ms})",
            strace::pointer(events.as_ptr())
        )
    });
    let result = epoll.wait(events, timeout);
    let call = match result {
        Ok(count) => {
            let got = &events[..count];
            call.filled(|| {
                let shown: Vec<String> = got
                    .iter()
                    .map(|e| {
                        format!(
                            "{{events={}, data={{u32={}, u64={}}}}}",
                            epoll_flags(e.events()),
                            e.data() as u32,
                            e.data()
                        )
                    })
                    .collect();
                format!("epoll_wait({epfd}, [{}], {max}, {ms})", shown.join(", "))
            })
        }
        Err(_) => call,
    };
    call.stateless().why(interrupted).finish(
        result,
        |count| *count,
        |&count| crate::sentences::waited("epoll_wait", count as i64, max),
    )
}

/// `EPOLLIN|EPOLLOUT`, as strace prints epoll events (`0` for none).
pub fn epoll_flags(f: EpollFlags) -> String {
    strace::flags(&[
        (f.contains(EpollFlags::EPOLLIN), "EPOLLIN"),
        (f.contains(EpollFlags::EPOLLPRI), "EPOLLPRI"),
        (f.contains(EpollFlags::EPOLLOUT), "EPOLLOUT"),
        (f.contains(EpollFlags::EPOLLERR), "EPOLLERR"),
        (f.contains(EpollFlags::EPOLLHUP), "EPOLLHUP"),
        (f.contains(EpollFlags::EPOLLRDHUP), "EPOLLRDHUP"),
    ])
}

/// **Syscall:** `poll(fds, nfds, timeout_ms)`, see `poll(2)`: the whole array of
/// `{fd, events}` crosses into the kernel, which checks every entry and answers in
/// each one's `revents`. No FD_SETSIZE ceiling, but the cost grows with the number of
/// entries, ready or not.
/// **Packets:** none. **Errors:** `EINTR` (strace shows `ERESTART_RESTARTBLOCK`),
/// `EINVAL` (more entries than `RLIMIT_NOFILE`).
#[doc = crate::man_links!(poll(2))]
#[track_caller]
pub fn poll(n: &Narrator, fds: &mut [PollFd], timeout: PollTimeout) -> Result<usize, Failure> {
    let ms = i32::from(timeout);
    let entries = fds.len();
    // Rendered before the call: the kernel answers in the same array.
    let call = Call::new(n, "poll", -1, || {
        let shown: Vec<String> = fds
            .iter()
            .map(|p| {
                format!(
                    "{{fd={}, events={}}}",
                    p.as_fd().as_raw_fd(),
                    poll_flags(p.events())
                )
            })
            .collect();
        format!("poll([{}], {entries}, {ms})", shown.join(", "))
    });
    let result = nix::poll::poll(fds, timeout);
    let count = *result.as_ref().unwrap_or(&0);
    // strace's `= 1 ([{fd=4, revents=POLLIN}])`, rendered only when shown.
    let returned = Lazy(|| {
        let answered: Vec<String> = fds
            .iter()
            .filter_map(|p| {
                let revents = p.revents().unwrap_or(PollFlags::empty());
                (!revents.is_empty()).then(|| {
                    format!(
                        "{{fd={}, revents={}}}",
                        p.as_fd().as_raw_fd(),
                        poll_flags(revents)
                    )
                })
            })
            .collect();
        match count {
            0 => "0 (Timeout)".to_string(),
            _ => format!("{count} ([{}])", answered.join(", ")),
        }
    });
    call.stateless()
        .why(interrupted)
        .finish(
            result,
            |_| &returned,
            |&count| crate::sentences::waited("poll", count as i64, entries),
        )
        .map(|count| count as usize)
}

/// `POLLIN|POLLOUT`, as strace prints poll flags (`0` for none).
pub fn poll_flags(f: PollFlags) -> String {
    strace::flags(&[
        (f.contains(PollFlags::POLLIN), "POLLIN"),
        (f.contains(PollFlags::POLLPRI), "POLLPRI"),
        (f.contains(PollFlags::POLLOUT), "POLLOUT"),
        (f.contains(PollFlags::POLLERR), "POLLERR"),
        (f.contains(PollFlags::POLLHUP), "POLLHUP"),
        (f.contains(PollFlags::POLLNVAL), "POLLNVAL"),
    ])
}

/// **Syscall:** `select(nfds, &readfds, &writefds, NULL, timeout)`, see `select(2)`;
/// glibc makes it the `pselect6` syscall (the timeval becomes a timespec, the sixth
/// argument, a signal mask, is NULL), which is what strace shows. Both bitmaps cross
/// into the kernel, which checks every fd below `nfds` and overwrites the bitmaps
/// with the answer: the caller must rebuild them before every call. An fd of
/// FD_SETSIZE (1024) or more cannot be in a bitmap at all.
/// **Packets:** none. **Errors:** `EINTR` (strace shows `ERESTARTNOHAND`), `EBADF`.
#[doc = crate::man_links!(select(2))]
#[track_caller]
pub fn select<'fd>(
    n: &Narrator,
    nfds: RawFd,
    readfds: &mut FdSet<'fd>,
    writefds: &mut FdSet<'fd>,
    timeout: Option<Duration>,
) -> Result<usize, Failure> {
    let mut tv = timeout.map(|d| TimeVal::microseconds(d.as_micros().min(i64::MAX as u128) as i64));
    let shown_time =
        |t: &TimeVal| format!("{{tv_sec={}, tv_nsec={}}}", t.tv_sec(), t.tv_usec() * 1000);
    // Rendered before the call: the kernel overwrites both bitmaps with its answer.
    let call = Call::new(n, "pselect6", -1, || {
        format!(
            "pselect6({nfds}, {}, {}, NULL, {}, NULL)",
            fd_list(readfds, nfds),
            fd_list(writefds, nfds),
            tv.as_ref().map_or("NULL".to_string(), shown_time)
        )
    });
    let result = nix::sys::select::select(nfds, &mut *readfds, &mut *writefds, None, tv.as_mut());
    let count = *result.as_ref().unwrap_or(&0);
    // strace's `= 1 (in [4], left {...})`, rendered only when shown.
    let returned = Lazy(|| {
        if count == 0 {
            return "0 (Timeout)".to_string();
        }
        let mut parts = Vec::new();
        let (r, w) = (fd_list(readfds, nfds), fd_list(writefds, nfds));
        if r != "[]" {
            parts.push(format!("in {r}"));
        }
        if w != "[]" {
            parts.push(format!("out {w}"));
        }
        if let Some(t) = &tv {
            // The time left as glibc hands it back, to the microsecond (strace
            // may show nanosecond digits beyond it).
            parts.push(format!("left {}", shown_time(t)));
        }
        format!("{count} ({})", parts.join(", "))
    });
    call.stateless()
        .why(interrupted)
        .finish(
            result,
            |_| &returned,
            |&count| crate::sentences::waited("pselect6", count as i64, nfds as usize),
        )
        .map(|count| count as usize)
}

/// `[3 5 7]`, as strace prints an fd_set.
fn fd_list(set: &FdSet, nfds: RawFd) -> String {
    if nfds <= 0 {
        return "[]".to_string();
    }
    let fds: Vec<String> = set
        .fds(Some(nfds - 1))
        .map(|fd| fd.as_raw_fd().to_string())
        .collect();
    format!("[{}]", fds.join(" "))
}

/// Why a wait failed with `EINTR`: a signal, after which the caller's loop looks at
/// what it meant.
fn interrupted(errno: nix::errno::Errno) -> Option<Text> {
    (errno == nix::errno::Errno::EINTR)
        .then(|| text!("multiplex-interrupted-by-signal-loop-checks"))
}

/// A return value rendered only if someone reads it: the narration's `= 1 (...)`
/// costs nothing when quiet.
struct Lazy<F>(F);

impl<F: Fn() -> String> std::fmt::Display for Lazy<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&(self.0)())
    }
}
