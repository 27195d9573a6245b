//! `mmap`: pages shared with the forked children, and private pages for the rings.

#![allow(unsafe_code)]

use nix::errno::Errno;

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
pub(super) fn mmap_private(len: usize) -> Result<*mut u8, Errno> {
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
