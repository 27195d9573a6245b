//! `fork` (refused in a threaded process) and `wait4`.

#![allow(unsafe_code)]

use nix::errno::Errno;

/// How many threads this process has (`/proc/self/task` lists one directory each).
fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(usize::MAX, |d| d.count())
}

/// `fork()`, see `fork(2)`; glibc makes it the `clone(..., SIGCHLD)` syscall, which is
/// what strace shows. Refused with `EDEADLK` unless this process has exactly one
/// thread: a child forked from a threaded process may only call async-signal-safe
/// functions (another thread could hold the allocator's lock), and our children print
/// and allocate. The fork models start no thread, so the check always passes there.
pub fn fork_single_threaded() -> Result<nix::unistd::ForkResult, Errno> {
    if thread_count() != 1 {
        return Err(Errno::EDEADLK);
    }
    // SAFETY: the process has exactly one thread (checked just above, and no thread
    // can appear in between: only this thread could start one), so the child is a
    // whole copy of a single-threaded process and may run any code until it exits.
    unsafe { nix::unistd::fork() }
}

/// `wait4(pid, &status, options, NULL)`, see `wait4(2)`, with a status word of our own
/// so that the narration can print its address when the kernel fills nothing (strace
/// prints `wait4(-1, 0x7ffc..., WNOHANG, NULL) = 0`). nix's `waitpid` makes the same
/// call with a status word we cannot see. Returns the pid (0 under `WNOHANG` when no
/// child has changed state) and the raw status, or the errno; and the address.
pub fn wait4(
    pid: libc::pid_t,
    options: libc::c_int,
) -> (Result<(libc::pid_t, libc::c_int), Errno>, String) {
    let mut status: libc::c_int = 0;
    let status_ptr: *mut libc::c_int = &mut status;
    // SAFETY: `status` is a live, writable c_int for the whole call and the rusage
    // pointer is NULL, so the kernel writes at most one c_int, into `status`.
    let got = unsafe { libc::wait4(pid, status_ptr, options, std::ptr::null_mut()) };
    let shown = format!("{:p}", status_ptr);
    if got < 0 {
        (Err(Errno::last()), shown)
    } else {
        (Ok((got, status)), shown)
    }
}
