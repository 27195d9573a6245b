//! The calls that need `unsafe`, kept in one room so a reader can audit them at once.
//!
//! Each function is one call that socket2 and nix cannot make safely for us, with a
//! `SAFETY:` note on why it is sound. Everything else in raw-sockets says
//! `#![forbid(unsafe_code)]`.

#![allow(unsafe_code)] // this module is where raw-sockets' unsafe lives, and only here

use crate::strace;
use nix::errno::Errno;
use socket2::{SockAddr, Socket};
use std::net::SocketAddr;
use std::os::fd::RawFd;
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

/// The raw `accept4(2)` call, with a `sockaddr_storage` of our own so that, when it
/// fails, the narration can print the same pointer strace prints. socket2's `accept`
/// makes the same call with a buffer we cannot see.
pub fn accept4(fd: RawFd, flags: libc::c_int) -> Result<(Socket, SockAddr), (Errno, String)> {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut storage = socket2::SockAddrStorage::zeroed();
    let mut len = storage.size_of();
    let storage_ptr: *mut socket2::SockAddrStorage = &mut storage;
    // SAFETY: `storage` is a zeroed sockaddr_storage of `len` bytes and `len` a valid
    // socklen_t; the kernel writes at most `len` bytes of address and updates `len`.
    let new_fd = unsafe { libc::accept4(fd, storage_ptr.cast(), &mut len, flags) };
    if new_fd < 0 {
        return Err((Errno::last(), strace::pointer(storage_ptr)));
    }
    // SAFETY: accept4 returned a new, open fd that nothing else owns; the kernel
    // initialised `len` bytes of `storage` with the peer's address.
    let (owned, addr) = unsafe { (OwnedFd::from_raw_fd(new_fd), SockAddr::new(storage, len)) };
    Ok((Socket::from(owned), addr))
}

/// The raw `recvfrom(2)` call with `MSG_TRUNC`. nix's `recvfrom` takes no flags and
/// socket2's wants uninitialised memory, so this one call goes through libc. On
/// failure it returns the two pointers strace prints (buffer, address storage).
pub fn recvfrom_trunc(fd: RawFd, buf: &mut [u8]) -> Result<(usize, SocketAddr), (Errno, String)> {
    let mut storage = socket2::SockAddrStorage::zeroed();
    let mut len = storage.size_of();
    let storage_ptr: *mut socket2::SockAddrStorage = &mut storage;
    // SAFETY: `buf` is valid and writable for `buf.len()` bytes, `storage` is a zeroed
    // sockaddr_storage of `len` bytes, and `len` is a valid socklen_t: the kernel writes
    // at most that much into each and updates `len`. Nothing is kept beyond the call.
    let got = unsafe {
        libc::recvfrom(
            fd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_TRUNC,
            storage_ptr.cast(),
            &mut len,
        )
    };
    if got < 0 {
        let pointers = format!(
            "{}, {}, MSG_TRUNC, {}",
            strace::pointer(buf.as_ptr()),
            buf.len(),
            strace::pointer(storage_ptr)
        );
        return Err((Errno::last(), pointers));
    }
    // SAFETY: the kernel initialised `len` bytes of `storage` with a socket address.
    let addr = unsafe { SockAddr::new(storage, len) };
    Ok((
        got as usize,
        addr.as_socket()
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0))),
    ))
}

/// `getsockopt(fd, SOL_TCP, TCP_INFO, info, &len)`, see `tcp(7)`: the kernel fills at
/// most `info.len()` bytes of `struct tcp_info`. Returns the call's result (0 or -1,
/// errno left in `errno`) and the length the kernel wrote back. socket2 and nix offer
/// no getter for it.
pub fn getsockopt_tcp_info(fd: RawFd, info: &mut [u8]) -> (i32, libc::socklen_t) {
    let mut len = info.len() as libc::socklen_t;
    // SAFETY: `info` is a live, writable buffer of `len` bytes and `len` is a valid
    // socklen_t; the kernel writes at most `len` bytes into `info` and stores the number
    // it wrote back into `len`. Neither outlives this call.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_TCP,
            libc::TCP_INFO,
            info.as_mut_ptr().cast::<libc::c_void>(),
            &mut len,
        )
    };
    (rc, len)
}

/// `rt_sigaction(signal, action)`, see `sigaction(2)`, for the handlers of
/// [`crate::signals`]: each only stores `true` into a static atomic flag.
pub fn install_flag_handler(
    signal: nix::sys::signal::Signal,
    action: &nix::sys::signal::SigAction,
) -> Result<(), nix::errno::Errno> {
    // SAFETY: every handler passed here (see signals.rs) only stores to a static
    // AtomicBool, which is async-signal-safe; it replaces the default action for a
    // signal no other code in this process handles.
    unsafe { nix::sys::signal::sigaction(signal, action) }.map(|_| ())
}

/// `setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog)`, see `socket(7)`
/// and `filter.txt` in the kernel docs: attaches a classic BPF program (the capture's
/// port filter). nix has no wrapper for it.
pub fn attach_filter(fd: RawFd, mut insns: Vec<libc::sock_filter>) -> Result<(), Errno> {
    let prog = libc::sock_fprog {
        len: insns.len() as u16,
        filter: insns.as_mut_ptr(),
    };
    // SAFETY: `prog` points at `insns`, a live array of `len` instructions, for the
    // whole call; the kernel copies the program and keeps no pointer to it.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            (&prog as *const libc::sock_fprog).cast(),
            std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

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
    let shown = strace::pointer(status_ptr);
    if got < 0 {
        (Err(Errno::last()), shown)
    } else {
        (Ok((got, status)), shown)
    }
}

/// `mmap(NULL, 8, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)`, see `mmap(2)`:
/// one 64-bit counter in a page that every child forked afterwards shares with this
/// process (after `fork`, nothing else is shared). Never unmapped: it lives as long
/// as the process. nix's `mmap_anonymous` is behind a feature we do not enable.
pub fn shared_counter() -> Result<&'static std::sync::atomic::AtomicU64, Errno> {
    // SAFETY: an anonymous mapping chosen by the kernel (address NULL, fd -1): it
    // touches no memory this program already uses.
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            8,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if page == libc::MAP_FAILED {
        return Err(Errno::last());
    }
    // SAFETY: the mapping is page-aligned (so aligned for a u64), zero-filled (a
    // counter at 0), writable, and never unmapped, so a `'static` reference stays valid.
    // AtomicU64 has the size and alignment of u64, and atomic operations on a
    // MAP_SHARED page are coherent between the processes that share it.
    Ok(unsafe { &*page.cast::<std::sync::atomic::AtomicU64>() })
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
