//! Stopping a server cleanly on Ctrl-C (SIGINT) or `kill` (SIGTERM).
//!
//! The handler does only what is async-signal-safe: it stores into two atomics (the
//! flag, and which signal it was).
//! It is installed *without* `SA_RESTART`, so a server blocked in `recvfrom` or
//! `accept` gets `EINTR` back, sees the flag and leaves its loop: it closes its socket
//! and exits 0 instead of being killed mid-call.
//!
//! The classic race remains: a signal that lands between the flag check and the next
//! blocking call is noticed only when that call returns. (`signalfd` or a self-pipe
//! watched with `poll` closes that window; the multi-client lab shows them.)
//!
//! The single-client servers narrate the two `rt_sigaction` calls as strace prints
//! them ([`stop_on_sigint_sigterm_narrated`]), for example
//! ```text
//! rt_sigaction(SIGINT, {sa_handler=0x55d0c3a1e770, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x...}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
//! ```
//! `sa_handler` is the real address of our handler's code. `SA_RESTORER` and
//! `sa_restorer` are added by the C library: its return trampoline (`__restore_rt`, a
//! symbol it does not export). strace prints that address; this program could only
//! read it back with one more `rt_sigaction` call, so the narration writes `0x...`.

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::narrate::Narrator;
use crate::text;
use crate::trace::call::Call;
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

/// The number of the signal that asked us to stop (0: none yet).
static STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);

/// The handler: two stores to atomics, which is async-signal-safe (no print, no
/// allocation, no lock).
extern "C" fn on_stop_signal(signal: libc::c_int) {
    STOP_SIGNAL.store(signal, Ordering::SeqCst);
    STOP.store(true, Ordering::SeqCst);
}

/// The action both signals get: our handler, nothing blocked while it runs, and
/// no `SA_RESTART`, so a blocking call returns `EINTR` instead of being restarted.
fn stop_action() -> SigAction {
    SigAction::new(
        SigHandler::Handler(on_stop_signal),
        SaFlags::empty(), // no SA_RESTART: blocking calls return EINTR
        SigSet::empty(),
    )
}

/// **Syscall:** `rt_sigaction(SIGINT)` and `rt_sigaction(SIGTERM)`, see `sigaction(2)`.
/// After this, either signal interrupts a blocking syscall with `EINTR` and sets the
/// flag that [`stop_requested`] reads. Not narrated (the multi-client servers say it
/// in their own words); the single-client servers use
/// [`stop_on_sigint_sigterm_narrated`].
#[doc = crate::man_links!(sigaction(2))]
pub fn stop_on_sigint_sigterm() -> Result<(), Failure> {
    let action = stop_action();
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        crate::sys::install_flag_handler(signal, &action)
            .map_err(|e| Failure::sys("rt_sigaction", e))?;
    }
    Ok(())
}

/// **Syscall:** `rt_sigaction(SIGINT, &act, &oldact, 8)` then the same for SIGTERM, see
/// `sigaction(2)`, each narrated as strace prints it (the old action included: glibc
/// asks for it). `blocked_in` names the call the server waits in (`accept`,
/// `recvfrom`): that is the call a Ctrl-C interrupts.
/// **Packets:** none. **Errors:** `EINVAL` only (a signal that cannot be caught).
#[doc = crate::man_links!(sigaction(2))]
#[track_caller]
pub fn stop_on_sigint_sigterm_narrated(n: &Narrator, blocked_in: &str) -> Result<(), Failure> {
    let action = stop_action();
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        let old = disposition(signal);
        let call = Call::new(n, "rt_sigaction", -1, || {
            format!(
                "rt_sigaction({}, {}, {old}, 8)",
                signal.as_str(),
                handled_by(handler_address())
            )
        });
        let result = crate::sys::install_flag_handler(signal, &action);
        call.finish(
            result,
            |_| 0,
            |_| {
                if signal == Signal::SIGINT {
                    text!("signals-sigint-ctrl-c-now-runs", blocked_in)
                } else {
                    text!("signals-sigterm-what-kill-sends-by")
                }
            },
        )?;
    }
    Ok(())
}

/// Where [`on_stop_signal`]'s code is: the `sa_handler` value strace prints.
fn handler_address() -> usize {
    on_stop_signal as *const () as usize
}

/// `{sa_handler=0x..., sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x...}`: our
/// action as the kernel receives it from glibc, in strace's notation.
fn handled_by(handler: usize) -> String {
    format!("{{sa_handler={handler:#x}, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x...}}")
}

/// The action `signal` has now, in strace's notation, read from `/proc/self/status`
/// (a file, not a syscall strace's `%network` shows): `SigIgn` and `SigCgt` are bit
/// masks of the ignored and caught signals. `execve` left every signal either ignored
/// (a shell starts background jobs with SIGINT ignored) or at its default action,
/// with no flags, no mask and no restorer; caught means our own handler, installed
/// earlier.
fn disposition(signal: Signal) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let has = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .is_some_and(|mask| mask & (1u64 << (signal as i32 - 1)) != 0)
    };
    if has("SigCgt:") {
        handled_by(handler_address())
    } else if has("SigIgn:") {
        "{sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}".to_string()
    } else {
        "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}".to_string()
    }
}

/// Whether SIGINT or SIGTERM has arrived.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// The signal that asked us to stop (`"SIGINT"`, `"SIGTERM"`), once one has.
pub fn stop_signal() -> Option<&'static str> {
    Signal::try_from(STOP_SIGNAL.load(Ordering::SeqCst))
        .ok()
        .map(Signal::as_str)
}

/// **Syscall:** `rt_sigprocmask(SIG_BLOCK, [INT TERM])` in this thread. A thread spawned
/// while they are blocked inherits the mask, so SIGINT/SIGTERM are always delivered to
/// the main thread (the one blocked in `accept`), never to a worker.
#[doc = crate::man_links!(sigprocmask(2))]
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
#[doc = crate::man_links!(sigprocmask(2))]
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
