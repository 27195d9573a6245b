//! The socket calls socket2 and nix cannot make for us as strace shows them.

#![allow(unsafe_code)]

use nix::errno::Errno;
use socket2::{SockAddr, Socket};
use std::net::SocketAddr;
use std::os::fd::RawFd;

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
        return Err((Errno::last(), format!("{:p}", storage_ptr)));
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
            "{:p}, {}, MSG_TRUNC, {:p}",
            buf.as_ptr(),
            buf.len(),
            storage_ptr
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
