//! The io_uring instance: `io_uring_setup`, its two queues mapped in shared memory, the
//! provided-buffer ring, `io_uring_enter`.

#![allow(unsafe_code)]

use super::memory::mmap_private;
use nix::errno::Errno;
use std::os::fd::RawFd;

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
