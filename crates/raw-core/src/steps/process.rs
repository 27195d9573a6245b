//! The process steps of the fork server and the zombies lab: `fork`, `wait4`, `kill`,
//! the SIGCHLD handler, `exit`, the `close` of a descriptor a child shares with its
//! parent, and the one page of memory they share. Each is one syscall, narrated as
//! strace prints it (`strace -f -e trace=clone,wait4,kill,rt_sigaction,exit_group`).
//!
//! Where strace prints an address the program would need one more syscall to learn
//! (glibc's `sa_restorer`, the `child_tidptr` glibc passes to `clone`), the narration
//! writes `0x...`, as [`crate::steps::signals`] does.

#![forbid(unsafe_code)]

use crate::catalog::Text;
use crate::error::Failure;
use crate::narrate::Narrator;
use crate::sentences::Ended;
use crate::sys;
use crate::text;
use crate::trace::call::Call;
use nix::errno::Errno;
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::sys::wait::WaitStatus;
use nix::unistd::{ForkResult, Pid};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What `fork` returned in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forked {
    /// We are the child (fork returned 0 here).
    Child,
    /// We are the parent; this is the child's pid.
    Parent(Pid),
}

/// **Syscall:** `fork()`, see `fork(2)`; glibc makes it the
/// `clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, ...)`
/// syscall, which is what strace shows. The kernel copies this process: memory, and
/// every open fd (both processes then hold each socket). Narrated in the parent only,
/// as strace shows it, with the child's pid as the return value.
/// **Packets:** none. **TCP state:** unchanged (the sockets are shared, not copied).
/// **Errors:** `EAGAIN` (too many processes: `ulimit -u`, `pid_max`), `ENOMEM`.
/// Refused with `EDEADLK`, before any syscall, when this process has more than one
/// thread (see [`sys::fork_single_threaded`]).
#[doc = crate::man_links!(fork(2))]
#[track_caller]
pub fn fork(n: &Narrator) -> Result<Forked, Failure> {
    let call = Call::new(n, "clone", -1, || {
        "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x...)".to_string()
    })
    .forks()
    .why(|errno| (errno == Errno::EAGAIN).then(|| text!("process-too-many-processes-this-user")));
    let child = match sys::fork_single_threaded() {
        Ok(ForkResult::Child) => {
            call.in_child();
            return Ok(Forked::Child);
        }
        Ok(ForkResult::Parent { child }) => Ok(child),
        // The check refused before calling clone: there is no syscall to narrate.
        Err(Errno::EDEADLK) => return Err(Failure::sys("fork", Errno::EDEADLK)),
        Err(errno) => Err(errno),
    };
    call.finish(
        child,
        |child| *child,
        |child| crate::sentences::forked(child.as_raw() as u32),
    )
    .map(Forked::Parent)
}

/// What one `wait4` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaped {
    /// A child ended and is reaped: its pid and how it ended.
    Child(Pid, WaitStatus),
    /// Children remain but none has ended (`WNOHANG` returned 0).
    NoneYet,
    /// No children at all (`ECHILD`).
    NoChildren,
}

/// Whether [`wait_any`] may block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// `WNOHANG`: return 0 at once when no child has ended.
    NoHang,
    /// `0`: sleep until a child ends.
    Block,
}

/// **Syscall:** `wait4(-1, &status, WNOHANG or 0, NULL)` (glibc's `waitpid(-1, ...)`),
/// see `wait4(2)`: collect one child that has ended, so the kernel can free its entry
/// in the process table (until then it is a zombie, `<defunct>` in `ps`). Signals do
/// not queue, so one SIGCHLD may stand for several children: call it in a loop until
/// it returns [`Reaped::NoneYet`] or [`Reaped::NoChildren`].
/// **Packets:** none.
/// **Errors:** `ECHILD` (no children left: not a failure, [`Reaped::NoChildren`]),
/// `EINTR` (a signal arrived while blocked: strace shows `ERESTARTSYS`).
#[doc = crate::man_links!(wait4(2))]
#[track_caller]
pub fn wait_any(n: &Narrator, how: Wait) -> Result<Reaped, Failure> {
    let (options, option_name) = match how {
        Wait::NoHang => (libc::WNOHANG, "WNOHANG"),
        Wait::Block => (0, "0"),
    };
    let call = Call::new(n, "wait4", -1, || {
        format!("wait4(-1, ..., {option_name}, NULL)")
    });
    let (result, status_ptr) = sys::wait4(-1, options);
    let result = result.map(|(pid, status)| match pid {
        0 => Reaped::NoneYet,
        pid => {
            let pid = Pid::from_raw(pid);
            Reaped::Child(
                pid,
                WaitStatus::from_raw(pid, status).unwrap_or(WaitStatus::StillAlive),
            )
        }
    });
    let call = match result {
        Ok(Reaped::Child(_, status)) => {
            call.filled(|| format!("wait4(-1, [{}], {option_name}, NULL)", status_text(status)))
        }
        _ => call.filled(|| format!("wait4(-1, {status_ptr}, {option_name}, NULL)")),
    };
    let reaped = call
        .stateless()
        .why(|errno| {
            (errno == Errno::EINTR).then(|| text!("process-interrupted-by-signal-before-any"))
        })
        .finish(
            result,
            |reaped| match reaped {
                Reaped::Child(pid, _) => pid.as_raw(),
                _ => 0,
            },
            |reaped| match *reaped {
                Reaped::Child(pid, status) => reaped_sentence(pid, status),
                _ => crate::sentences::nothing_reaped(),
            },
        );
    match reaped {
        Err(failure) if failure.errno() == Some(Errno::ECHILD) => Ok(Reaped::NoChildren),
        other => other,
    }
}

/// A wait status as strace decodes it: `{WIFEXITED(s) && WEXITSTATUS(s) == 0}`.
fn status_text(status: WaitStatus) -> String {
    match status {
        WaitStatus::Exited(_, code) => format!("{{WIFEXITED(s) && WEXITSTATUS(s) == {code}}}"),
        WaitStatus::Signaled(_, signal, core) => format!(
            "{{WIFSIGNALED(s) && WTERMSIG(s) == {}{}}}",
            signal.as_str(),
            if core { " && WCOREDUMP(s)" } else { "" }
        ),
        WaitStatus::Stopped(_, signal) => {
            format!("{{WIFSTOPPED(s) && WSTOPSIG(s) == {}}}", signal.as_str())
        }
        WaitStatus::Continued(_) => "{WIFCONTINUED(s)}".to_string(),
        _ => "{?}".to_string(),
    }
}

/// "Child 893 exited with status 0 and is reaped: ..."
fn reaped_sentence(pid: Pid, status: WaitStatus) -> Text {
    let how = match status {
        WaitStatus::Exited(_, code) => Ended::Exited(code),
        WaitStatus::Signaled(_, signal, _) => Ended::Signaled(signal.as_str().to_string()),
        _ => Ended::Other,
    };
    crate::sentences::reaped(pid.as_raw() as u32, &how)
}

/// **Syscall:** `kill(pid, signal)`, see `kill(2)`: send `signal` to one process.
/// SIGTERM is the polite way to ask a process to stop: a handler, if it installed one,
/// runs (and a blocked call returns `EINTR`); otherwise the default action ends it.
/// **Packets:** none. **Errors:** `ESRCH` (no such process), `EPERM`.
#[doc = crate::man_links!(kill(2))]
#[track_caller]
pub fn kill(n: &Narrator, pid: Pid, signal: Signal) -> Result<(), Failure> {
    let call = Call::new(n, "kill", -1, || {
        format!("kill({pid}, {})", signal.as_str())
    });
    let result = nix::sys::signal::kill(pid, signal);
    call.finish(
        result,
        |_| 0,
        |_| {
            if signal == Signal::SIGTERM {
                text!("process-sigterm-sent-polite-way-ask", pid)
            } else {
                text!("process-signal-sent", signal = signal.as_str(), pid)
            }
        },
    )
}

/// Set by the SIGCHLD handler, cleared by [`take_sigchld`].
static CHILD_ENDED: AtomicBool = AtomicBool::new(false);

/// The SIGCHLD handler: one store to an atomic, which is async-signal-safe (no print,
/// no allocation, no lock).
extern "C" fn on_sigchld(_signal: libc::c_int) {
    CHILD_ENDED.store(true, Ordering::SeqCst);
}

/// Our action for SIGCHLD as the kernel receives it from glibc, in strace's notation.
fn sigchld_action() -> String {
    format!(
        "{{sa_handler={:#x}, sa_mask=[], sa_flags=SA_RESTORER|SA_NOCLDSTOP, sa_restorer=0x...}}",
        on_sigchld as *const () as usize
    )
}

/// **Syscall:** `rt_sigaction(SIGCHLD, &act, &oldact, 8)` (glibc's `sigaction`), see
/// `sigaction(2)`: Stevens' `Signal(SIGCHLD, sig_chld)`. From now on a child's end
/// runs our handler, which only sets the flag [`take_sigchld`] reads. `SA_NOCLDSTOP`:
/// not when a child merely stops. No `SA_RESTART`: a parent blocked in `accept`
/// gets `EINTR` and can reap at once.
/// **Packets:** none. **Errors:** `EINVAL` only.
#[doc = crate::man_links!(sigaction(2))]
#[track_caller]
pub fn flag_on_sigchld(n: &Narrator) -> Result<(), Failure> {
    let old = disposition(Signal::SIGCHLD, sigchld_action);
    let call = Call::new(n, "rt_sigaction", -1, || {
        format!("rt_sigaction(SIGCHLD, {}, {old}, 8)", sigchld_action())
    });
    let action = SigAction::new(
        SigHandler::Handler(on_sigchld),
        SaFlags::SA_NOCLDSTOP, // only ends, not stops; no SA_RESTART: accept returns EINTR
        SigSet::empty(),
    );
    let result = sys::install_flag_handler(Signal::SIGCHLD, &action);
    call.finish(
        result,
        |_| 0,
        |_| text!("process-sigchld-child-ended-now-runs"),
    )
}

/// Whether a SIGCHLD arrived since the last call (and clears the flag). One flag may
/// stand for several children: reap with [`wait_any`] in a loop.
pub fn take_sigchld() -> bool {
    CHILD_ENDED.swap(false, Ordering::SeqCst)
}

/// **Syscall:** `rt_sigaction(signal, {SIG_DFL}, &oldact, 8)`, see `sigaction(2)`:
/// `signal` gets its default action back. The fork server's child does it for SIGTERM:
/// the handler it inherited from the parent only sets a flag, and a SIGTERM that lands
/// just before a blocking `recv` would be noticed only when that call returns, which
/// may be never. With the default action the parent's `kill(pid, SIGTERM)` ends the
/// child wherever it is, as in Stevens' servers.
/// **Packets:** none. **Errors:** `EINVAL` only.
#[doc = crate::man_links!(sigaction(2))]
#[track_caller]
pub fn default_action(n: &Narrator, signal: Signal) -> Result<(), Failure> {
    let name = signal.as_str();
    let dfl = "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x...}";
    let call = Call::new(n, "rt_sigaction", -1, || {
        format!("rt_sigaction({name}, {dfl}, ..., 8)")
    });
    let result = sys::default_action(signal);
    let call = match &result {
        Ok(old) => call.filled(|| format!("rt_sigaction({name}, {dfl}, {}, 8)", action_text(old))),
        Err(_) => call,
    };
    call.stateless()
        .finish(
            result,
            |_| 0,
            |_| text!("process-gets-default-action-back-end", name),
        )
        .map(|_| ())
}

/// An action as strace prints it. One with a handler was installed through glibc,
/// which adds `SA_RESTORER` and its trampoline (written `0x...`); the default and
/// ignore actions a process starts with carry no flags.
fn action_text(action: &SigAction) -> String {
    let mask: Vec<&str> = action
        .mask()
        .iter()
        .map(|s| s.as_str().trim_start_matches("SIG"))
        .collect();
    let mask = mask.join(" ");
    let f = action.flags();
    let flags = crate::trace::strace::flags(&[
        (true, "SA_RESTORER"),
        (f.contains(SaFlags::SA_ONSTACK), "SA_ONSTACK"),
        (f.contains(SaFlags::SA_RESTART), "SA_RESTART"),
        (f.contains(SaFlags::SA_NODEFER), "SA_NODEFER"),
        (f.contains(SaFlags::SA_RESETHAND), "SA_RESETHAND"),
        (f.contains(SaFlags::SA_SIGINFO), "SA_SIGINFO"),
        (f.contains(SaFlags::SA_NOCLDSTOP), "SA_NOCLDSTOP"),
        (f.contains(SaFlags::SA_NOCLDWAIT), "SA_NOCLDWAIT"),
    ]);
    let handler = match action.handler() {
        SigHandler::SigDfl => {
            return format!("{{sa_handler=SIG_DFL, sa_mask=[{mask}], sa_flags=0}}")
        }
        SigHandler::SigIgn => {
            return format!("{{sa_handler=SIG_IGN, sa_mask=[{mask}], sa_flags=0}}")
        }
        SigHandler::Handler(f) => f as *const () as usize,
        SigHandler::SigAction(f) => f as *const () as usize,
    };
    format!("{{sa_handler={handler:#x}, sa_mask=[{mask}], sa_flags={flags}, sa_restorer=0x...}}")
}

/// The action `signal` has now, in strace's notation, read from `/proc/self/status`
/// (a file, no signal syscall): its `SigIgn` and `SigCgt` masks say which signals are
/// ignored and which caught. Caught means by us (`ours` renders our action); otherwise
/// the action is the default or ignored, with no flags, no mask and no restorer.
fn disposition(signal: Signal, ours: fn() -> String) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let has = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .is_some_and(|mask| mask & (1u64 << (signal as i32 - 1)) != 0)
    };
    if has("SigCgt:") {
        ours()
    } else if has("SigIgn:") {
        "{sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}".to_string()
    } else {
        "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}".to_string()
    }
}

/// **Syscall:** `exit_group(code)` (what `exit(3)` ends with), see `exit_group(2)`;
/// never returns, and strace prints its result as `?`. The kernel closes every fd the
/// process still holds (a connected socket among them sends its FIN) and sends the
/// parent SIGCHLD; the process stays a zombie until the parent's `wait4`.
/// Narrated before the call, since nothing comes after it.
#[doc = crate::man_links!(exit_group(2))]
#[track_caller]
pub fn exit(n: &Narrator, code: i32) -> ! {
    let call = Call::new(n, "exit_group", -1, || format!("exit_group({code})"));
    call.never_returns(|| text!("process-process-ends-with-status-kernel", code));
    std::process::exit(code)
}

/// **Syscall:** `mmap(NULL, 8, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)`,
/// see `mmap(2)`: a counter in one page of memory that every child forked afterwards
/// shares with this process. After `fork`, parent and child share nothing else: this is
/// where the fork server's children add up the bytes they echo.
/// **Packets:** none. **Errors:** `ENOMEM`.
#[doc = crate::man_links!(mmap(2))]
#[track_caller]
pub fn shared_counter(n: &Narrator) -> Result<&'static AtomicU64, Failure> {
    let args = "mmap(NULL, 8, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)";
    let call = Call::new(n, "mmap", -1, || args.to_string());
    call.finish(
        sys::shared_counter(),
        |counter| format!("{:p}", *counter),
        |_| text!("process-one-page-memory-shared-with"),
    )
}

/// **Syscall:** `unshare(CLONE_NEWNET)`, see `unshare(2)`: this process leaves the
/// machine's network namespace for a new one of its own: its own interfaces (only `lo`,
/// down until `ip link set lo up`), routes, sockets, ports and firewall rules. Nothing
/// done in it is seen from the rest of the machine, and it ends with the process. Needs
/// `CAP_SYS_ADMIN` (root). Only this thread moves: call it before starting any.
/// **Packets:** none. **Errors:** `EPERM` (not root).
#[doc = crate::man_links!(unshare(2))]
#[track_caller]
pub fn unshare_network(n: &Narrator) -> Result<(), Failure> {
    let call = Call::new(n, "unshare", -1, || "unshare(CLONE_NEWNET)".to_string()).stateless();
    let result = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET);
    call.finish(
        result,
        |_| 0,
        |_| text!("process-network-namespace-of-its-own"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wait statuses read as strace decodes them.
    #[test]
    fn statuses_like_strace() {
        let pid = Pid::from_raw(7);
        assert_eq!(
            status_text(WaitStatus::Exited(pid, 0)),
            "{WIFEXITED(s) && WEXITSTATUS(s) == 0}"
        );
        assert_eq!(
            status_text(WaitStatus::Signaled(pid, Signal::SIGTERM, false)),
            "{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}"
        );
        assert_eq!(
            status_text(WaitStatus::Signaled(pid, Signal::SIGSEGV, true)),
            "{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}"
        );
    }
}
