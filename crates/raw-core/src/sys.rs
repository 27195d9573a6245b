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

/// `mmap(NULL, 8 * count, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)`, see
/// `mmap(2)`: `count` 64-bit counters in memory that every child forked afterwards shares
/// with this process: Stevens' `meter()` (UNP §30.6), one slot per preforked child.
/// Never unmapped, like [`shared_counter`].
pub fn shared_counters(count: usize) -> Result<&'static [std::sync::atomic::AtomicU64], Errno> {
    let len = 8 * count.max(1);
    // SAFETY: an anonymous mapping chosen by the kernel (address NULL, fd -1): it touches
    // no memory this program already uses.
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if page == libc::MAP_FAILED {
        return Err(Errno::last());
    }
    // SAFETY: the mapping is page-aligned, zero-filled, `len` bytes long (room for
    // `count` u64s), writable and never unmapped; AtomicU64 has the size and alignment of
    // u64, and atomics on a MAP_SHARED page are coherent between the processes sharing it.
    Ok(unsafe {
        std::slice::from_raw_parts(page.cast::<std::sync::atomic::AtomicU64>(), count.max(1))
    })
}

/// An anonymous private mapping of `len` bytes (page-aligned, zero-filled), never
/// unmapped: the io_uring buffer ring and its buffers, which the kernel may write until
/// the ring is gone.
fn mmap_private(len: usize) -> Result<*mut u8, Errno> {
    // SAFETY: an anonymous mapping chosen by the kernel: it touches no memory in use.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        Err(Errno::last())
    } else {
        Ok(p.cast())
    }
}

/// One entry of an io_uring provided-buffer ring, as the kernel reads it
/// (`struct io_uring_buf` in `<linux/io_uring.h>`). The `resv` field of entry 0 is the
/// ring's tail, which only we write.
#[repr(C)]
struct IoUringBuf {
    addr: u64,
    len: u32,
    bid: u16,
    resv: u16,
}

/// A provided-buffer ring: `entries` buffers of `size` bytes the kernel picks from
/// when a multishot `recv` has data, and the ring through which we hand them back.
#[derive(Debug)]
struct BufRing {
    ring: *mut IoUringBuf,
    mem: *mut u8,
    entries: u16,
    size: u32,
    tail: u16,
    /// Which buffers the kernel has handed to us (a completion named them) and we have
    /// not given back: only those may be read.
    ours: Vec<bool>,
}

impl BufRing {
    /// Puts buffer `bid` at the ring's tail and publishes the new tail, so the kernel may
    /// fill it again.
    fn give_back(&mut self, bid: u16) {
        let mask = self.entries - 1;
        let slot = usize::from(self.tail & mask);
        let addr = self.mem as u64 + u64::from(bid) * u64::from(self.size);
        // SAFETY: `slot` < `entries`, so the entry lies inside the ring's mapping. The
        // kernel reads only the entries between its head and the published tail; this one
        // is past the tail until the store below publishes it. Writing the fields one by
        // one (never `resv`, entry 0's tail) leaves the tail the kernel may read untouched.
        unsafe {
            let entry = self.ring.add(slot);
            std::ptr::addr_of_mut!((*entry).addr).write(addr);
            std::ptr::addr_of_mut!((*entry).len).write(self.size);
            std::ptr::addr_of_mut!((*entry).bid).write(bid);
        }
        self.tail = self.tail.wrapping_add(1);
        // SAFETY: entry 0's `resv` is the tail, a u16 at a 2-aligned address inside the
        // mapping; the kernel reads it with acquire semantics, so a release store makes the
        // entry written above visible first (io_uring_buf_ring_advance in liburing).
        unsafe {
            let tail =
                std::ptr::addr_of_mut!((*self.ring).resv).cast::<std::sync::atomic::AtomicU16>();
            (*tail).store(self.tail, std::sync::atomic::Ordering::Release);
        }
        if let Some(owned) = self.ours.get_mut(usize::from(bid)) {
            *owned = false;
        }
    }
}

/// One completion queue entry: which request (`user_data`), its result (a syscall's
/// return value, or `-errno`), and its flags (`IORING_CQE_F_MORE`, the buffer id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cqe {
    /// The tag we gave the request.
    pub user_data: u64,
    /// What the operation returned: bytes, a new fd, 0, or `-errno`.
    pub result: i32,
    /// `IORING_CQE_F_*` bits; the buffer id in the upper 16 bits.
    pub flags: u32,
}

/// A request for the submission queue, described without pointers: [`Uring::push`] makes
/// the pointers itself from memory it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sqe {
    /// `accept4(fd, NULL, NULL, SOCK_CLOEXEC)` as an operation; `multishot`: one request
    /// that completes once per connection (`IORING_ACCEPT_MULTISHOT`, Linux 5.19).
    Accept {
        /// The listening socket.
        fd: RawFd,
        /// Keep accepting after each completion.
        multishot: bool,
    },
    /// A multishot `recv` on `fd` (Linux 6.0): each time data arrives, the kernel picks a
    /// buffer of the ring registered with [`Uring::register_buf_ring`] and posts one
    /// completion naming it.
    RecvMulti {
        /// The connected socket.
        fd: RawFd,
    },
    /// `sendto(fd, data, len, MSG_NOSIGNAL, NULL, 0)` as an operation; the ring keeps
    /// `data` until its completion.
    Send {
        /// The connected socket.
        fd: RawFd,
        /// The bytes to send.
        data: Vec<u8>,
    },
    /// `close(fd)` as an operation.
    Close {
        /// The fd to close.
        fd: RawFd,
    },
    /// Cancel the request tagged `target` (`IORING_OP_ASYNC_CANCEL`).
    Cancel {
        /// The `user_data` of the request to cancel.
        target: u64,
    },
}

/// An io_uring instance: the submission and completion queues this process shares with
/// the kernel (mapped by the `io-uring` crate), the buffer ring, and the bytes of the
/// sends in flight. Only this type pushes submissions, because a submission may point
/// at memory the kernel uses later: it points only at memory this type owns and never
/// frees (see `Drop`).
pub struct Uring {
    ring: io_uring::IoUring,
    /// The bytes of each send in flight, by `user_data`, until its completion.
    outbox: std::collections::HashMap<u64, Vec<u8>>,
    bufs: Option<BufRing>,
}

impl std::fmt::Debug for Uring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uring")
            .field("fd", &self.fd())
            .field("sends_in_flight", &self.outbox.len())
            .finish()
    }
}

/// What `io_uring_setup` answered, for the narration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UringParams {
    /// Submission queue entries.
    pub sq_entries: u32,
    /// Completion queue entries.
    pub cq_entries: u32,
}

fn errno_of_io(e: &std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(Errno::EIO as i32))
}

impl Uring {
    /// `io_uring_setup(entries, &params)`, see `io_uring_setup(2)`, with a completion
    /// queue of `cq_entries`, `IORING_SETUP_SUBMIT_ALL`, `IORING_SETUP_SINGLE_ISSUER` and
    /// `IORING_SETUP_DEFER_TASKRUN` (Linux 6.1: completions are posted only while this
    /// thread waits in `io_uring_enter`). Then the crate maps the two queues (`mmap`).
    pub fn setup(entries: u32, cq_entries: u32) -> Result<Uring, Errno> {
        let ring = io_uring::IoUring::builder()
            .setup_cqsize(cq_entries)
            .setup_submit_all()
            .setup_single_issuer()
            .setup_defer_taskrun()
            .build(entries)
            .map_err(|e| errno_of_io(&e))?;
        Ok(Uring {
            ring,
            outbox: std::collections::HashMap::new(),
            bufs: None,
        })
    }

    /// The ring's fd.
    pub fn fd(&self) -> RawFd {
        use std::os::fd::AsRawFd;
        self.ring.as_raw_fd()
    }

    /// The queue sizes the kernel gave.
    pub fn params(&self) -> UringParams {
        UringParams {
            sq_entries: self.ring.params().sq_entries(),
            cq_entries: self.ring.params().cq_entries(),
        }
    }

    /// `io_uring_register(fd, IORING_REGISTER_PBUF_RING, {ring_addr, ring_entries, bgid},
    /// 1)`, see `io_uring_register(2)` (Linux 5.19): maps a ring of `entries` (a power of
    /// two) and `entries` buffers of `size` bytes, registers the ring as buffer group
    /// `bgid` 0 and hands every buffer to the kernel. Returns the ring's address.
    pub fn register_buf_ring(&mut self, entries: u16, size: u32) -> Result<u64, Errno> {
        if !entries.is_power_of_two() || size == 0 || self.bufs.is_some() {
            return Err(Errno::EINVAL);
        }
        let ring = mmap_private(usize::from(entries) * std::mem::size_of::<IoUringBuf>())?;
        let mem = mmap_private(usize::from(entries) * size as usize)?;
        // SAFETY: `ring` is a page-aligned, zeroed mapping of `entries` entries that is
        // never unmapped (see Drop), so it stays valid as long as the kernel may use it.
        unsafe {
            self.ring
                .submitter()
                .register_buf_ring_with_flags(ring as u64, entries, 0, 0)
        }
        .map_err(|e| errno_of_io(&e))?;
        let mut bufs = BufRing {
            ring: ring.cast(),
            mem,
            entries,
            size,
            tail: 0,
            ours: vec![false; usize::from(entries)],
        };
        for bid in 0..entries {
            bufs.give_back(bid);
        }
        self.bufs = Some(bufs);
        Ok(ring as u64)
    }

    /// How many submissions wait in the queue for the next `io_uring_enter`.
    pub fn queued(&mut self) -> usize {
        self.ring.submission().len()
    }

    /// Queues one request tagged `user_data`. `Err` gives it back when the submission
    /// queue is full (call [`Uring::enter`] first), when a send tagged `user_data` is
    /// still in flight, or for a multishot recv before any buffer ring is registered.
    pub fn push(&mut self, user_data: u64, sqe: Sqe) -> Result<(), Sqe> {
        use io_uring::{opcode, types::Fd};
        if self.ring.submission().is_full() {
            return Err(sqe);
        }
        let send_fd = match &sqe {
            Sqe::Send { fd, .. } => *fd,
            _ => -1,
        };
        let entry = match sqe {
            Sqe::Accept {
                fd,
                multishot: true,
            } => opcode::AcceptMulti::new(Fd(fd))
                .flags(libc::SOCK_CLOEXEC)
                .build(),
            Sqe::Accept {
                fd,
                multishot: false,
            } => opcode::Accept::new(Fd(fd), std::ptr::null_mut(), std::ptr::null_mut())
                .flags(libc::SOCK_CLOEXEC)
                .build(),
            Sqe::RecvMulti { fd } if self.bufs.is_some() => {
                opcode::RecvMulti::new(Fd(fd), 0).build()
            }
            Sqe::RecvMulti { .. } => return Err(sqe),
            Sqe::Send { fd, data } => {
                if self.outbox.contains_key(&user_data) {
                    return Err(Sqe::Send { fd, data });
                }
                let kept = self.outbox.entry(user_data).or_insert(data);
                opcode::Send::new(Fd(fd), kept.as_ptr(), kept.len() as u32)
                    .flags(libc::MSG_NOSIGNAL)
                    .build()
            }
            Sqe::Close { fd } => opcode::Close::new(Fd(fd)).build(),
            Sqe::Cancel { target } => opcode::AsyncCancel::new(target).build(),
        }
        .user_data(user_data);
        // SAFETY: the entry points at no memory (accept with NULL address, recv into the
        // registered buffer ring, close, cancel) or, for a send, at the bytes kept in
        // `outbox` under this `user_data` until `sent` takes them after the completion
        // (a second send with the same tag is refused above, so they are never replaced).
        // A Vec's bytes do not move when the map grows, and `outbox` is never freed while
        // the ring may run (Drop leaks it). The queue had room (checked above).
        let pushed = unsafe { self.ring.submission().push(&entry) };
        // Unreachable in practice (room was checked), but never leave bytes behind.
        pushed.map_err(|_| match self.outbox.remove(&user_data) {
            Some(data) => Sqe::Send { fd: send_fd, data },
            None => Sqe::Cancel { target: user_data },
        })
    }

    /// The flags the next [`Uring::enter`] passes, as strace names them, for `want`
    /// completions and an optional timeout.
    pub fn enter_flags(&mut self, want: u32, timeout: bool) -> Vec<&'static str> {
        let sq = self.ring.submission();
        let mut flags = Vec::new();
        if want > 0 || sq.cq_overflow() || sq.taskrun() {
            flags.push("IORING_ENTER_GETEVENTS");
        }
        if timeout {
            flags.push("IORING_ENTER_EXT_ARG");
        }
        flags
    }

    /// `io_uring_enter(fd, queued, want, flags, NULL or &arg, size)`, see
    /// `io_uring_enter(2)`: submits every queued request and, when `want` > 0, sleeps
    /// until that many completions are there, `timeout` passes (`ETIME`) or a signal
    /// arrives (`EINTR`). Returns how many requests were submitted.
    pub fn enter(
        &mut self,
        want: u32,
        timeout: Option<std::time::Duration>,
    ) -> Result<usize, Errno> {
        let submitter = self.ring.submitter();
        let result = match timeout {
            None => submitter.submit_and_wait(want as usize),
            Some(t) => {
                let ts = io_uring::types::Timespec::from(t);
                let args = io_uring::types::SubmitArgs::new().timespec(&ts);
                submitter.submit_with_args(want as usize, &args)
            }
        };
        result.map_err(|e| errno_of_io(&e))
    }

    /// Takes every completion the kernel has posted. A completion that names a buffer
    /// makes that buffer ours to read until [`Uring::give_back`].
    pub fn completions(&mut self) -> Vec<Cqe> {
        let got: Vec<Cqe> = self
            .ring
            .completion()
            .map(|c| Cqe {
                user_data: c.user_data(),
                result: c.result(),
                flags: c.flags(),
            })
            .collect();
        if let Some(bufs) = self.bufs.as_mut() {
            for c in &got {
                if let Some(bid) = io_uring::cqueue::buffer_select(c.flags) {
                    if let Some(owned) = bufs.ours.get_mut(usize::from(bid)) {
                        *owned = true;
                    }
                }
            }
        }
        got
    }

    /// The first `len` bytes of buffer `bid`, which a completion handed to us (empty if
    /// it did not, or `len` is too long).
    pub fn received(&self, bid: u16, len: usize) -> &[u8] {
        let Some(bufs) = self.bufs.as_ref() else {
            return &[];
        };
        if !bufs.ours.get(usize::from(bid)).copied().unwrap_or(false) || len > bufs.size as usize {
            return &[];
        }
        // SAFETY: `bid` < `entries` and `len` <= `size`, so the bytes lie inside the
        // buffers' mapping. A completion handed this buffer to us (`ours`), so the kernel
        // does not touch it until `give_back`, which needs `&mut self` and so ends this
        // borrow first.
        unsafe {
            std::slice::from_raw_parts(bufs.mem.add(usize::from(bid) * bufs.size as usize), len)
        }
    }

    /// Gives buffer `bid` back to the kernel (no syscall: one store to the ring's tail).
    pub fn give_back(&mut self, bid: u16) {
        if let Some(bufs) = self.bufs.as_mut() {
            if bufs.ours.get(usize::from(bid)).copied().unwrap_or(false) {
                bufs.give_back(bid);
            }
        }
    }

    /// The bytes of the send tagged `user_data`, once its completion arrived.
    pub fn sent(&mut self, user_data: u64) -> Option<Vec<u8>> {
        self.outbox.remove(&user_data)
    }
}

impl Drop for Uring {
    /// The crate unmaps the queues and closes the ring's fd; after `close` the kernel
    /// cancels what is still in flight on its own time, so the memory a request may
    /// point at (the bytes of sends in flight, the buffer ring and its buffers) is left
    /// allocated on purpose: a server makes one ring, and the memory goes with the
    /// process.
    fn drop(&mut self) {
        std::mem::forget(std::mem::take(&mut self.outbox));
    }
}

/// The audit architecture seccomp reports for this build's syscalls
/// (`AUDIT_ARCH_X86_64`, `AUDIT_ARCH_AARCH64` in `<linux/audit.h>`).
#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

/// Makes `cmd`'s program find `io_uring_setup(2)` refused with `errno`, as a container
/// whose seccomp profile blocks io_uring does (Docker's default profile answers
/// `EPERM`): how the tests show what the io-uring model says when io_uring is not there,
/// without switching it off for the whole machine (`sysctl kernel.io_uring_disabled`).
///
/// **Syscall:** in the child, between `fork` and `execve`:
/// `prctl(PR_SET_NO_NEW_PRIVS, 1)` (required to install a filter without privilege),
/// then `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)`, see `seccomp(2)`: a classic
/// BPF program the kernel runs at every syscall of that process and its children.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub fn refuse_io_uring_setup(cmd: &mut Command, errno: Errno) -> &mut Command {
    let stmt = |code: u32, k: u32| libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let jump = |k: u32, jt: u8, jf: u8| libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    };
    let load = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    // struct seccomp_data { int nr; __u32 arch; ... }: nr at offset 0, arch at 4.
    let mut program = vec![
        stmt(load, 4),                               // 0: A = arch
        jump(AUDIT_ARCH, 0, 3),                      // 1: another ABI: allow
        stmt(load, 0),                               // 2: A = syscall number
        jump(libc::SYS_io_uring_setup as u32, 0, 1), // 3: io_uring_setup?
        stmt(
            libc::BPF_RET,
            libc::SECCOMP_RET_ERRNO | (errno as u32 & 0xffff),
        ), // 4: refuse
        stmt(libc::BPF_RET, libc::SECCOMP_RET_ALLOW), // 5: anything else: allow
    ];
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_mut_ptr(),
    };
    // The closure owns the program (allocated here, before fork) and the header
    // pointing at it; the child only reads them.
    struct Filter(#[allow(dead_code)] Vec<libc::sock_filter>, libc::sock_fprog);
    // SAFETY: the program is plain data, only read (in the child, after fork), and the
    // pointer in `sock_fprog` points into the Vec the closure owns alongside it.
    unsafe impl Send for Filter {}
    unsafe impl Sync for Filter {}
    impl Filter {
        fn header(&self) -> *const libc::sock_fprog {
            &self.1
        }
    }
    let filter = Filter(program, prog);
    // SAFETY: the closure runs in the forked child before `execve`, where only
    // async-signal-safe work is allowed: two prctl syscalls, no allocation, no lock. The
    // program it points at lives in the closure, which outlives the call.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
                || libc::prctl(
                    libc::PR_SET_SECCOMP,
                    libc::SECCOMP_MODE_FILTER,
                    filter.header(),
                ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}
