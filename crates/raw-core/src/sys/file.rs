//! `fcntl(F_DUPFD_CLOEXEC)`: a file moved out of the way of the lab's sockets.

#![allow(unsafe_code)]

use nix::errno::Errno;
use std::fs::File;
use std::os::fd::{FromRawFd, IntoRawFd};

/// `fcntl(fd, F_DUPFD_CLOEXEC, lowest)` then `close(fd)`: the same open file on the
/// lowest free descriptor from `lowest` up, so that a file the narration keeps open
/// (the tracepoint's `trace_pipe`) does not take the number the lab's first socket
/// would get (3, as strace and the course's Python scripts show it). When the limit on
/// open files is lower than `lowest`, the file stays where it is.
pub fn move_up(file: File, lowest: i32) -> File {
    let fd = file.into_raw_fd();
    // SAFETY: F_DUPFD_CLOEXEC only reads `fd`, which we own (taken from the File just
    // above), and returns a new descriptor or -1; no memory of ours is touched.
    let high = unsafe { nix::libc::fcntl(fd, nix::libc::F_DUPFD_CLOEXEC, lowest) };
    let keep = match Errno::result(high) {
        Ok(high) => {
            // SAFETY: `fd` is ours and nothing else refers to it any more.
            unsafe { nix::libc::close(fd) };
            high
        }
        Err(_) => fd,
    };
    // SAFETY: `keep` is an open descriptor we own (the new one, or the original), and
    // no other owner exists for it.
    unsafe { File::from_raw_fd(keep) }
}
