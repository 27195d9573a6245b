//! Stopping a server cleanly on Ctrl-C (SIGINT) or `kill` (SIGTERM).
//!
//! The handler does only what is async-signal-safe: it stores `true` in an atomic flag.
//! It is installed *without* `SA_RESTART`, so a server blocked in `recvfrom` or
//! `accept` gets `EINTR` back, sees the flag and leaves its loop: it closes its socket
//! and exits 0 instead of being killed mid-call.
//!
//! The classic race remains: a signal that lands between the flag check and the next
//! blocking call is noticed only when that call returns. (`signalfd` or a self-pipe
//! watched with `poll` closes that window; the multi-client lab shows them.)

#![forbid(unsafe_code)]

use crate::error::Failure;
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop_signal(_signal: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// **Syscall:** `rt_sigaction(SIGINT)` and `rt_sigaction(SIGTERM)`, see `sigaction(2)`.
/// After this, either signal interrupts a blocking syscall with `EINTR` and sets the
/// flag that [`stop_requested`] reads.
pub fn stop_on_sigint_sigterm() -> Result<(), Failure> {
    let action = SigAction::new(
        SigHandler::Handler(on_stop_signal),
        SaFlags::empty(), // no SA_RESTART: blocking calls return EINTR
        SigSet::empty(),
    );
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        crate::sys::install_flag_handler(signal, &action)
            .map_err(|e| Failure::sys("rt_sigaction", e))?;
    }
    Ok(())
}

/// Whether SIGINT or SIGTERM has arrived.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

static CHILD_EXITED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigchld(_signal: libc::c_int) {
    CHILD_EXITED.store(true, Ordering::SeqCst);
}

/// **Syscall:** `rt_sigaction(SIGCHLD)`: a child's exit sets a flag and interrupts the
/// parent's blocking `accept` with `EINTR`, so it can reap the child at once.
pub fn flag_on_sigchld() -> Result<(), Failure> {
    let action = SigAction::new(
        SigHandler::Handler(on_sigchld),
        SaFlags::SA_NOCLDSTOP, // only exits, not stops; no SA_RESTART: accept returns EINTR
        SigSet::empty(),
    );
    crate::sys::install_flag_handler(Signal::SIGCHLD, &action)
        .map_err(|e| Failure::sys("rt_sigaction", e))?;
    Ok(())
}

/// Whether a SIGCHLD arrived since the last call (and clears the flag). Signals do not
/// queue: one flag may stand for several exited children, so reap in a loop.
pub fn take_sigchld() -> bool {
    CHILD_EXITED.swap(false, Ordering::SeqCst)
}

/// **Syscall:** `rt_sigprocmask(SIG_BLOCK, [INT TERM])` in this thread. A thread spawned
/// while they are blocked inherits the mask, so SIGINT/SIGTERM are always delivered to
/// the main thread (the one blocked in `accept`), never to a worker.
pub fn block_stop_signals() {
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    let _ = nix::sys::signal::pthread_sigmask(
        nix::sys::signal::SigmaskHow::SIG_BLOCK,
        Some(&set),
        None,
    );
}

/// **Syscall:** `rt_sigprocmask(SIG_UNBLOCK, [INT TERM])` in this thread.
pub fn unblock_stop_signals() {
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    let _ = nix::sys::signal::pthread_sigmask(
        nix::sys::signal::SigmaskHow::SIG_UNBLOCK,
        Some(&set),
        None,
    );
}
