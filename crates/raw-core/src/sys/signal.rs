//! `rt_sigaction`: the flag handlers, and a signal's default action back.

#![allow(unsafe_code)]

use nix::errno::Errno;

/// `rt_sigaction(signal, action)`, see `sigaction(2)`, for the handlers of
/// [`crate::steps::signals`]: each only stores `true` into a static atomic flag.
pub fn install_flag_handler(
    signal: nix::sys::signal::Signal,
    action: &nix::sys::signal::SigAction,
) -> Result<(), nix::errno::Errno> {
    // SAFETY: every handler passed here (see signals.rs) only stores to a static
    // AtomicBool, which is async-signal-safe; it replaces the default action for a
    // signal no other code in this process handles.
    unsafe { nix::sys::signal::sigaction(signal, action) }.map(|_| ())
}

/// `rt_sigaction(signal, {SIG_DFL}, &oldact)`, see `sigaction(2)`: gives `signal` back
/// its default action (for SIGTERM: end the process) and returns the action it had.
pub fn default_action(
    signal: nix::sys::signal::Signal,
) -> Result<nix::sys::signal::SigAction, Errno> {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet};
    let action = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    // SAFETY: SIG_DFL runs none of our code in signal context: the kernel applies the
    // default action itself.
    unsafe { nix::sys::signal::sigaction(signal, &action) }
}

/// `tgkill(tgid, tid, signal)`, see `tgkill(2)`: `signal` to one thread of a process,
/// by its kernel ids. Made directly, not through glibc's `pthread_kill`: that one
/// returns ESRCH without any syscall for a thread it knows has ended, and the narration
/// would show a `tgkill` strace never saw.
pub fn tgkill(tgid: i32, tid: i32, signal: nix::sys::signal::Signal) -> Result<(), Errno> {
    // SAFETY: tgkill takes three integers and reads or writes no memory of ours; a tid
    // that has ended gives ESRCH, one reused by another of our threads gets a signal
    // whose handler only sets the stop flag.
    let ret = unsafe {
        nix::libc::syscall(
            nix::libc::SYS_tgkill,
            nix::libc::c_long::from(tgid),
            nix::libc::c_long::from(tid),
            nix::libc::c_long::from(signal as i32),
        )
    };
    Errno::result(ret).map(drop)
}
