//! The steps of the models that spread one server over several workers: `SO_REUSEPORT`
//! (one listening socket per thread, the kernel choosing among them), `tgkill` (waking
//! one thread), and Stevens' `meter` (one page of counters shared with preforked
//! children, UNP §30.6). Each is one syscall, narrated as strace prints it.

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::narrate::Narrator;
use crate::sentences;
use crate::text;
use crate::trace::call::{errno_of, Call};
use nix::sys::signal::Signal;
use socket2::Socket;
use std::os::fd::AsRawFd;
use std::sync::atomic::AtomicU64;

/// **Syscall:** `setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, [1], 4)`, see `socket(7)`.
/// Lets several sockets bind the same address and port, as long as each sets it before
/// `bind` (and all belong to the same user). For TCP listeners the kernel then hands
/// each new connection to one of their accept queues, chosen by a hash of the
/// connection's 4-tuple: no lock, no thundering herd.
/// **Packets:** none. **TCP state:** unchanged (CLOSED).
#[doc = crate::man_links!(setsockopt(2))]
#[track_caller]
pub fn set_reuseport(n: &Narrator, sock: &Socket) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "setsockopt", fd, || {
        format!("setsockopt({fd}, SOL_SOCKET, SO_REUSEPORT, [1], 4)")
    });
    let result = sock.set_reuse_port(true).map_err(|e| errno_of(&e));
    call.finish(result, |_| 0, |_| sentences::reuseport())
}

/// **Syscall:** `tgkill(pid, tid, signal)`, see `tgkill(2)`: sends `signal` to one
/// thread of this process, whose kernel id is `tid`. A thread blocked in `epoll_wait`
/// gets `EINTR`. (Made directly: glibc's `pthread_kill` skips the syscall for a thread
/// that has ended.)
/// **Packets:** none. **Errors:** `ESRCH` (the thread has ended).
#[doc = crate::man_links!(tgkill(2))]
#[track_caller]
pub fn wake_thread(n: &Narrator, tid: i32, signal: Signal) -> Result<(), Failure> {
    let pid = std::process::id();
    let call = Call::new(n, "tgkill", -1, || {
        format!("tgkill({pid}, {tid}, {})", signal.as_str())
    });
    let result = crate::sys::tgkill(pid as i32, tid, signal);
    call.finish(result, |_| 0, |_| sentences::tgkill(tid, signal.as_str()))
}

/// **Syscall:** `mmap(NULL, 8 * count, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)`,
/// see `mmap(2)`: Stevens' `meter(nchildren)`, one counter per preforked child in
/// memory every child forked afterwards shares with this process, so that the parent
/// can say how many connections the kernel gave each child.
/// **Packets:** none. **Errors:** `ENOMEM`.
#[doc = crate::man_links!(mmap(2))]
#[track_caller]
pub fn meter(n: &Narrator, count: usize) -> Result<&'static [AtomicU64], Failure> {
    let len = 8 * count.max(1);
    let call = Call::new(n, "mmap", -1, || {
        format!("mmap(NULL, {len}, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)")
    });
    call.finish(
        crate::sys::shared_counters(count),
        |slots| format!("{:p}", slots.as_ptr()),
        |_| text!("workers-page-shared-with-children-come", count),
    )
}

/// **Syscall:** `prctl(PR_SET_PDEATHSIG, signal)`, see `PR_SET_PDEATHSIG(2const)`: this
/// process gets `signal` when its parent dies, however it dies (even `SIGKILL`, when no
/// `kill` of ours can run). A preforked child that never ends by itself must not outlive
/// the server it belongs to. Then `getppid(2)`: if the parent died before the `prctl`,
/// this process already has another parent, and ends at once (returns `false`).
/// **Packets:** none. **Errors:** `EINVAL` only.
#[doc = crate::man_links!(prctl(2))]
#[track_caller]
pub fn die_with_parent(n: &Narrator, parent: nix::unistd::Pid, signal: Signal) -> bool {
    let call = Call::new(n, "prctl", -1, || {
        format!("prctl(PR_SET_PDEATHSIG, {})", signal.as_str())
    });
    let result = nix::sys::prctl::set_pdeathsig(signal);
    let _ = call.finish(
        result,
        |_| 0,
        |_| {
            text!(
                "workers-when-parent-dies-however-dies",
                signal = signal.as_str()
            )
        },
    );
    nix::unistd::getppid() == parent
}
