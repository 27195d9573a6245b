//! The select model: one thread asks `select()` which of its sockets are ready.
//!
//! ```text
//! raw-multi server --model select
//! raw-multi clients --count 3                                  # another terminal
//! strace -e trace=%network,close,pselect6 raw-multi server --model select   # glibc's select() is pselect6
//! ```
//!
//! What makes it select: the interest list lives in our memory (Stevens' `allset`);
//! registering a socket is a line of our own code, no syscall. Before *every* call it
//! is copied into two bitmaps (`fd_set`s: one bit per fd, read and write interest),
//! because the kernel overwrites them with its answer (Stevens' `rset = allset`). The
//! bitmaps have FD_SETSIZE (1024) bits, so an fd of 1024 or more cannot be watched at
//! all: such a client is refused, said so, and closed, instead of corrupting memory as
//! C code writing past the bitmap would.

use super::event_loop::{Interest, Multiplexer, Open, Ready};
use nix::sys::select::FdSet;
use raw_core::steps::multiplex;
use raw_core::text;
use raw_core::{Failure, Narrator};
use socket2::Socket;
use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

/// Our interest list (`allset`): the kernel keeps nothing between two `select` calls.
#[derive(Debug, Default)]
pub struct Select {
    interest: BTreeMap<RawFd, Interest>,
}

impl Multiplexer for Select {
    /// No syscall: the socket joins our own list.
    fn register(
        &mut self,
        _n: &Narrator,
        sock: &Socket,
        interest: Interest,
    ) -> Result<(), Failure> {
        self.interest.insert(sock.as_raw_fd(), interest);
        Ok(())
    }

    /// No syscall: its entry in our list changes.
    fn modify(&mut self, _n: &Narrator, sock: &Socket, interest: Interest) -> Result<(), Failure> {
        self.interest.insert(sock.as_raw_fd(), interest);
        Ok(())
    }

    /// No syscall: the socket leaves our list.
    fn deregister(&mut self, _n: &Narrator, sock: &Socket) -> Result<(), Failure> {
        self.interest.remove(&sock.as_raw_fd());
        Ok(())
    }

    /// **Syscall:** `pselect6(nfds, &readfds, &writefds, NULL, timeout, NULL)`, with both
    /// bitmaps rebuilt from our list.
    fn wait(
        &mut self,
        n: &Narrator,
        open: &Open<'_>,
        timeout: Option<Duration>,
    ) -> Result<Vec<Ready>, Failure> {
        // Rebuilt on every call: the kernel overwrites both bitmaps with its answer.
        let (mut readfds, mut writefds) = (FdSet::new(), FdSet::new());
        let mut nfds = 0;
        for (&fd, &interest) in &self.interest {
            let Some(sock) = open.fd(fd) else { continue };
            if interest.read {
                readfds.insert(sock);
            }
            if interest.write {
                writefds.insert(sock);
            }
            nfds = fd + 1; // one more than the highest fd: the kernel checks every fd below
        }
        multiplex::select(n, nfds, &mut readfds, &mut writefds, timeout)?;
        let ready = self.interest.keys().filter_map(|&fd| {
            let sock = open.fd(fd)?;
            let (readable, writable) = (readfds.contains(sock), writefds.contains(sock));
            (readable || writable).then_some(Ready {
                fd,
                readable,
                writable,
                error: false,
            })
        });
        Ok(ready.collect())
    }

    fn refuse(&self, n: &Narrator, fd: RawFd) -> Option<String> {
        (fd >= libc::FD_SETSIZE as RawFd)
            .then(|| n.say(text!("multi-select-fd-select-can-only-watch", fd)))
    }
}
