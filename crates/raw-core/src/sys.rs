//! The calls that need `unsafe`, kept in one room so a reader can audit them at once.
//!
//! Today this holds the one the benchmark tool needs: a child process that dies with
//! its parent. (The socket calls that still use `unsafe` elsewhere in raw-core move
//! here as the engine is rebuilt around one event stream.)

use std::os::unix::process::CommandExt;
use std::process::Command;

/// Makes `cmd`'s child receive `SIGKILL` when this process dies, whatever kills it
/// (SIGTERM, SIGKILL, a panic): a benchmark that is stopped must not leave its echo
/// server or its sockperf peers running.
///
/// **Syscall:** in the child, between `fork` and `execve`:
/// `prctl(PR_SET_PDEATHSIG, SIGKILL)`, see `PR_SET_PDEATHSIG(2const)` and `prctl(2)`;
/// then `getppid(2)`: if the parent already died before the `prctl`, the child has been
/// adopted by another process and kills itself at once.
///
/// The signal is tied to the *thread* that forked: spawn from a thread that lives as
/// long as the child should (the benchmark spawns from its main thread).
pub fn die_with_parent(cmd: &mut Command) -> &mut Command {
    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs in the forked child before `execve`, where only
    // async-signal-safe work is allowed. It makes three plain syscalls (prctl, getppid,
    // kill through `raise`), allocates nothing, takes no lock and touches no state shared
    // with other threads of the parent; `parent` is a copied integer.
    #[allow(unsafe_code)]
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                .map_err(|e| std::io::Error::from_raw_os_error(e as i32))?;
            if nix::unistd::getppid() != parent {
                let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
            }
            Ok(())
        })
    }
}
