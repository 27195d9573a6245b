//! The epoll model: the kernel keeps the interest list; `epoll_wait` returns only the
//! sockets that are ready.
//!
//! ```text
//! raw-multi server --model epoll
//! strace -e trace=%network,epoll_create1,epoll_ctl,epoll_wait raw-multi server --model epoll
//! ```
//!
//! What makes it epoll: `epoll_create1` makes an interest list inside the kernel;
//! `epoll_ctl(ADD/MOD/DEL)` changes it only when our interest changes (a reply starts
//! waiting, a client leaves); `epoll_wait` then costs in proportion to the *ready*
//! sockets, not to all of them, which is why it scales to many idle clients.
//! Level-triggered (the default): a socket stays reported while it is ready.

use super::event_loop::{Conn, Multiplexer, Ready};
use super::poll::poll_timeout;
use nix::sys::epoll::{Epoll as KernelEpoll, EpollCreateFlags, EpollEvent, EpollFlags};
use raw_core::narrate::Event;
use raw_core::{strace, Failure, Narrator};
use socket2::Socket;
use std::collections::{BTreeMap, HashMap};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

/// How many ready sockets one `epoll_wait` may return.
const MAX_EVENTS: usize = 256;

/// An epoll instance and what we registered in it.
#[derive(Debug)]
pub struct Epoll {
    epoll: KernelEpoll,
    registered: HashMap<RawFd, EpollFlags>,
}

impl Epoll {
    /// **Syscall:** `epoll_create1(EPOLL_CLOEXEC)`, see `epoll_create(2)`: a new, empty
    /// interest list in the kernel, itself an fd.
    pub fn new(n: &Narrator) -> Result<Epoll, Failure> {
        match KernelEpoll::new(EpollCreateFlags::EPOLL_CLOEXEC) {
            Ok(epoll) => {
                let fd = epoll.0.as_raw_fd();
                n.syscall("epoll_create1", format!("epoll_create1(EPOLL_CLOEXEC) = {fd}"), Event {
                    fd: Some(fd),
                    text: n.t("A new epoll instance: the kernel will keep our interest list.", "Uma nova instância epoll: o kernel guardará nossa lista de interesse.").to_string(),
                    ..Event::default()
                });
                Ok(Epoll {
                    epoll,
                    registered: HashMap::new(),
                })
            }
            Err(errno) => {
                n.syscall(
                    "epoll_create1",
                    format!("epoll_create1(EPOLL_CLOEXEC) = {}", strace::failed(errno)),
                    Event::default(),
                );
                Err(Failure::sys("epoll_create1", errno))
            }
        }
    }

    /// **Syscall:** `epoll_ctl(epfd, op, fd, {events, data})`, see `epoll_ctl(2)`, only
    /// when the interest in `fd` changed.
    fn update(
        &mut self,
        n: &Narrator,
        sock: &Socket,
        want: Option<EpollFlags>,
    ) -> Result<(), Failure> {
        let fd = sock.as_raw_fd();
        let have = self.registered.get(&fd).copied();
        if have == want {
            return Ok(());
        }
        let epfd = self.epoll.0.as_raw_fd();
        let (op, result) = match (have, want) {
            (None, Some(events)) => (
                "EPOLL_CTL_ADD",
                self.epoll.add(sock, EpollEvent::new(events, fd as u64)),
            ),
            (Some(_), Some(events)) => (
                "EPOLL_CTL_MOD",
                self.epoll
                    .modify(sock, &mut EpollEvent::new(events, fd as u64)),
            ),
            (Some(_), None) => ("EPOLL_CTL_DEL", self.epoll.delete(sock)),
            (None, None) => return Ok(()),
        };
        let event = match want {
            Some(events) => format!("{{events={}, data={{u32={fd}, u64={fd}}}}}", flags(events)),
            None => "NULL".to_string(),
        };
        n.syscall(
            "epoll_ctl",
            format!(
                "epoll_ctl({epfd}, {op}, {fd}, {event}) = {}",
                strace::ret(result.map(|_| 0))
            ),
            Event {
                fd: Some(fd),
                text: n
                    .t(
                        "The kernel's interest list changes only when our interest does.",
                        "A lista de interesse do kernel só muda quando o nosso interesse muda.",
                    )
                    .to_string(),
                ..Event::default()
            },
        );
        match want {
            Some(events) => self.registered.insert(fd, events),
            None => self.registered.remove(&fd),
        };
        result.map_err(|errno| Failure::sys("epoll_ctl", errno))
    }
}

impl Multiplexer for Epoll {
    /// **Syscall:** `epoll_wait(epfd, events, maxevents, timeout_ms)`, see `epoll_wait(2)`.
    fn wait(
        &mut self,
        n: &Narrator,
        listener: &Socket,
        accepting: bool,
        conns: &BTreeMap<RawFd, Conn>,
        timeout: Option<Duration>,
    ) -> Result<Vec<Ready>, Failure> {
        // The listener: in the list while we accept, out of it while paused.
        self.update(n, listener, accepting.then_some(EpollFlags::EPOLLIN))?;
        for conn in conns.values() {
            let mut events = EpollFlags::empty();
            if conn.wants_read() {
                events |= EpollFlags::EPOLLIN;
            }
            if conn.wants_write() {
                events |= EpollFlags::EPOLLOUT;
            }
            self.update(n, &conn.sock, Some(events))?;
        }
        let mut events = [EpollEvent::empty(); MAX_EVENTS];
        let ms = poll_timeout(timeout);
        let epfd = self.epoll.0.as_raw_fd();
        match self.epoll.wait(&mut events, ms) {
            Ok(count) => {
                let got = &events[..count];
                let shown: Vec<String> = got
                    .iter()
                    .map(|e| {
                        format!(
                            "{{events={}, data={{u32={}, u64={}}}}}",
                            flags(e.events()),
                            e.data(),
                            e.data()
                        )
                    })
                    .collect();
                n.syscall("epoll_wait", format!("epoll_wait({epfd}, [{}], {MAX_EVENTS}, {}) = {count}", shown.join(", "), i32::from(ms)), Event {
                    text: format!("{count} {}", n.t("ready: epoll_wait returns only the ready sockets, however many are idle.", "prontos: o epoll_wait devolve só os sockets prontos, por mais ociosos que haja.")),
                    ..Event::default()
                });
                Ok(got
                    .iter()
                    .map(|e| Ready {
                        fd: e.data() as RawFd,
                        readable: e.events().intersects(EpollFlags::EPOLLIN),
                        writable: e.events().intersects(EpollFlags::EPOLLOUT),
                        error: e
                            .events()
                            .intersects(EpollFlags::EPOLLERR | EpollFlags::EPOLLHUP),
                    })
                    .collect())
            }
            Err(errno) => {
                n.syscall(
                    "epoll_wait",
                    format!(
                        "epoll_wait({epfd}, {}, {MAX_EVENTS}, {}) = {}",
                        strace::pointer(events.as_ptr()),
                        i32::from(ms),
                        strace::failed_in("epoll_wait", errno)
                    ),
                    Event::default(),
                );
                Err(Failure::sys("epoll_wait", errno))
            }
        }
    }

    fn forget(&mut self, n: &Narrator, sock: &Socket) {
        let _ = self.update(n, sock, None);
    }
}

/// `EPOLLIN|EPOLLOUT`, as strace prints epoll events (`0` for none).
fn flags(f: EpollFlags) -> String {
    strace::flags(&[
        (f.contains(EpollFlags::EPOLLIN), "EPOLLIN"),
        (f.contains(EpollFlags::EPOLLPRI), "EPOLLPRI"),
        (f.contains(EpollFlags::EPOLLOUT), "EPOLLOUT"),
        (f.contains(EpollFlags::EPOLLERR), "EPOLLERR"),
        (f.contains(EpollFlags::EPOLLHUP), "EPOLLHUP"),
        (f.contains(EpollFlags::EPOLLRDHUP), "EPOLLRDHUP"),
    ])
}
