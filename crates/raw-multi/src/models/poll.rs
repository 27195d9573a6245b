//! The poll model: one thread asks `poll()` which of its sockets are ready.
//!
//! ```text
//! raw-multi server --model poll
//! raw-multi clients --count 3                                  # another terminal
//! strace -e trace=%network,close,poll raw-multi server --model poll
//! ```
//!
//! What makes it poll: the interest list lives in our memory, one `{fd, events}` per
//! socket (Stevens' `client[]` array): registering a socket is a line of our own code,
//! no syscall. On *every* call the whole list is rebuilt into an array of
//! `struct pollfd` that crosses into the kernel, which checks every entry and answers
//! in each one's `revents`. No FD_SETSIZE ceiling, but the cost grows with the number
//! of clients, ready or not.

use super::event_loop::{Interest, Multiplexer, Open, Ready};
use nix::poll::{PollFd, PollFlags};
use raw_core::steps::multiplex::{self, poll_timeout};
use raw_core::{Failure, Narrator};
use socket2::Socket;
use std::collections::BTreeMap;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::Duration;

/// Our interest list: the kernel keeps nothing between two `poll` calls.
#[derive(Debug, Default)]
pub struct Poll {
    interest: BTreeMap<RawFd, Interest>,
}

impl Multiplexer for Poll {
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

    /// **Syscall:** `poll(fds, nfds, timeout_ms)`, with the array rebuilt from our list.
    fn wait(
        &mut self,
        n: &Narrator,
        open: &Open<'_>,
        timeout: Option<Duration>,
    ) -> Result<Vec<Ready>, Failure> {
        // Rebuilt on every call: the whole list crosses into the kernel each time.
        let mut fds: Vec<PollFd> = Vec::with_capacity(self.interest.len());
        for (&fd, &interest) in &self.interest {
            if let Some(sock) = open.fd(fd) {
                fds.push(PollFd::new(sock, flags(interest)));
            }
        }
        multiplex::poll(n, &mut fds, poll_timeout(timeout))?;
        let ready = fds.iter().filter_map(|p| {
            let revents = p.revents().filter(|r| !r.is_empty())?;
            Some(Ready {
                fd: p.as_fd().as_raw_fd(),
                readable: revents.intersects(PollFlags::POLLIN),
                writable: revents.intersects(PollFlags::POLLOUT),
                error: revents
                    .intersects(PollFlags::POLLERR | PollFlags::POLLHUP | PollFlags::POLLNVAL),
            })
        });
        Ok(ready.collect())
    }
}

/// Our interest as poll's `events` bits.
fn flags(interest: Interest) -> PollFlags {
    let mut events = PollFlags::empty();
    if interest.read {
        events |= PollFlags::POLLIN;
    }
    if interest.write {
        events |= PollFlags::POLLOUT;
    }
    events
}
