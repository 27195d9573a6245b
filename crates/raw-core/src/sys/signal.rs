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
