//! The epoll model: the kernel keeps the interest list; `epoll_wait` returns only the
//! sockets that are ready.
//!
//! ```text
//! raw-multi server --model epoll
//! raw-multi clients --count 3                                  # another terminal
//! strace -e trace=%network,close,epoll_create1,epoll_ctl,epoll_wait raw-multi server --model epoll
//! ```
//!
//! What makes it epoll: `epoll_create1` makes an interest list inside the kernel, and
//! each change of interest is one `epoll_ctl`: `EPOLL_CTL_ADD` at accept, `MOD` when a
//! connection's output fills up or drains, `DEL` before close. `epoll_wait` hands
//! nothing in and costs in proportion to the *ready* sockets, not to all of them,
//! which is why it scales to many idle clients. Level-triggered (the default): a
//! socket stays reported while it is ready.

use super::event_loop::{Interest, Multiplexer, Open, Ready};
use nix::sys::epoll::{Epoll as KernelEpoll, EpollEvent, EpollFlags};
use raw_core::steps::multiplex::{self, poll_timeout, Ctl};
use raw_core::{steps, Failure, Narrator};
use socket2::Socket;
use std::os::fd::RawFd;
use std::time::Duration;

/// How many ready sockets one `epoll_wait` may return.
const MAX_EVENTS: usize = 256;

/// An epoll instance, and room for what one `epoll_wait` returns.
#[derive(Debug)]
pub struct Epoll {
    epoll: KernelEpoll,
    events: Vec<EpollEvent>,
}

impl Epoll {
    /// **Syscall:** `epoll_create1(EPOLL_CLOEXEC)`: a new, empty interest list in the
    /// kernel, itself an fd.
    pub fn new(n: &Narrator) -> Result<Epoll, Failure> {
        Ok(Epoll {
            epoll: multiplex::epoll_create1(n)?,
            events: vec![EpollEvent::empty(); MAX_EVENTS],
        })
    }
}

impl Multiplexer for Epoll {
    /// **Syscall:** `epoll_ctl(epfd, EPOLL_CTL_ADD, fd, {EPOLLIN, fd})`.
    fn register(&mut self, n: &Narrator, sock: &Socket, interest: Interest) -> Result<(), Failure> {
        multiplex::epoll_ctl(n, &self.epoll, Ctl::Add, sock, events(interest))
    }

    /// **Syscall:** `epoll_ctl(epfd, EPOLL_CTL_MOD, fd, {EPOLLIN|EPOLLOUT, fd})`.
    fn modify(&mut self, n: &Narrator, sock: &Socket, interest: Interest) -> Result<(), Failure> {
        multiplex::epoll_ctl(n, &self.epoll, Ctl::Modify, sock, events(interest))
    }

    /// **Syscall:** `epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL)`.
    fn deregister(&mut self, n: &Narrator, sock: &Socket) -> Result<(), Failure> {
        multiplex::epoll_ctl(n, &self.epoll, Ctl::Delete, sock, EpollFlags::empty())
    }

    /// **Syscall:** `epoll_wait(epfd, events, 256, timeout_ms)`: nothing to hand in,
    /// only the ready sockets come back.
    fn wait(
        &mut self,
        n: &Narrator,
        _open: &Open<'_>,
        timeout: Option<Duration>,
    ) -> Result<Vec<Ready>, Failure> {
        let count = multiplex::epoll_wait(n, &self.epoll, &mut self.events, poll_timeout(timeout))?;
        let ready = self.events[..count].iter().map(|e| Ready {
            fd: e.data() as RawFd,
            readable: e.events().intersects(EpollFlags::EPOLLIN),
            writable: e.events().intersects(EpollFlags::EPOLLOUT),
            error: e
                .events()
                .intersects(EpollFlags::EPOLLERR | EpollFlags::EPOLLHUP),
        });
        Ok(ready.collect())
    }

    /// **Syscall:** `close(epfd)`: the kernel frees the interest list.
    fn close(self, n: &Narrator) -> Result<(), Failure> {
        steps::close(n, self.epoll.0)
    }
}

/// Our interest as epoll's event bits.
fn events(interest: Interest) -> EpollFlags {
    let mut events = EpollFlags::empty();
    if interest.read {
        events |= EpollFlags::EPOLLIN;
    }
    if interest.write {
        events |= EpollFlags::EPOLLOUT;
    }
    events
}
