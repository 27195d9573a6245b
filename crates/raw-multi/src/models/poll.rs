//! The poll model: one thread asks `poll()` which of its sockets are ready.
//!
//! ```text
//! raw-multi server --model poll
//! strace -e trace=%network,poll raw-multi server --model poll
//! ```
//!
//! What makes it poll: the interest is an array of `{fd, events}` records, as long as
//! the number of sockets, with no FD_SETSIZE ceiling; the kernel answers in each
//! record's `revents`. Like select, the whole array crosses into the kernel on every
//! call, and the kernel checks every entry: the cost grows with the number of clients,
//! ready or not.

use super::event_loop::{Conn, Multiplexer, Ready};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use raw_core::narrate::Event;
use raw_core::{strace, Failure, Narrator};
use socket2::Socket;
use std::collections::BTreeMap;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::Duration;

/// `poll` keeps no state between calls: the array is rebuilt each time.
#[derive(Debug, Default)]
pub struct Poll;

impl Multiplexer for Poll {
    /// **Syscall:** `poll(fds, nfds, timeout_ms)`, see `poll(2)`.
    fn wait(
        &mut self,
        n: &Narrator,
        listener: &Socket,
        accepting: bool,
        conns: &BTreeMap<RawFd, Conn>,
        timeout: Option<Duration>,
    ) -> Result<Vec<Ready>, Failure> {
        let mut fds: Vec<PollFd> = Vec::with_capacity(conns.len() + 1);
        let mut order: Vec<RawFd> = Vec::with_capacity(conns.len() + 1);
        if let Some(l) = accepting.then_some(listener) {
            fds.push(PollFd::new(l.as_fd(), PollFlags::POLLIN));
            order.push(l.as_raw_fd());
        }
        for (&fd, conn) in conns {
            let mut events = PollFlags::empty();
            if conn.wants_read() {
                events |= PollFlags::POLLIN;
            }
            if conn.wants_write() {
                events |= PollFlags::POLLOUT;
            }
            fds.push(PollFd::new(conn.sock.as_fd(), events));
            order.push(fd);
        }
        let ms = poll_timeout(timeout);
        let shown: Vec<String> = fds
            .iter()
            .zip(&order)
            .map(|(p, fd)| format!("{{fd={fd}, events={}}}", flags(p.events())))
            .collect();
        let args = format!(
            "poll([{}], {}, {})",
            shown.join(", "),
            fds.len(),
            i32::from(ms)
        );
        match poll(&mut fds, ms) {
            Ok(count) => {
                let mut ready = Vec::new();
                let mut answered = Vec::new();
                for (p, &fd) in fds.iter().zip(&order) {
                    let revents = p.revents().unwrap_or(PollFlags::empty());
                    if revents.is_empty() {
                        continue;
                    }
                    answered.push(format!("{{fd={fd}, revents={}}}", flags(revents)));
                    ready.push(Ready {
                        fd,
                        readable: revents.intersects(PollFlags::POLLIN),
                        writable: revents.intersects(PollFlags::POLLOUT),
                        error: revents.intersects(
                            PollFlags::POLLERR | PollFlags::POLLHUP | PollFlags::POLLNVAL,
                        ),
                    });
                }
                let detail = if count == 0 {
                    "Timeout".to_string()
                } else {
                    format!("[{}]", answered.join(", "))
                };
                n.syscall(
                    "poll",
                    format!("{args} = {count} ({detail})"),
                    Event {
                        text: format!(
                            "{} {} {}; {count} {}",
                            n.t(
                                "poll: the kernel checked all",
                                "poll: o kernel verificou todas as"
                            ),
                            fds.len(),
                            n.t("entries", "entradas"),
                            n.t("ready.", "prontas.")
                        ),
                        ..Event::default()
                    },
                );
                Ok(ready)
            }
            Err(errno) => {
                n.syscall(
                    "poll",
                    format!("{args} = {}", strace::failed_in("poll", errno)),
                    Event::default(),
                );
                Err(Failure::sys("poll", errno))
            }
        }
    }
}

/// A timeout in whole milliseconds, rounded up (so we never wake just before a deadline).
pub fn poll_timeout(timeout: Option<Duration>) -> PollTimeout {
    match timeout {
        None => PollTimeout::NONE,
        Some(d) => {
            let ms = d.as_micros().div_ceil(1000).min(i32::MAX as u128) as u32;
            PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
        }
    }
}

/// `POLLIN|POLLOUT`, as strace prints poll flags (`0` for none).
fn flags(f: PollFlags) -> String {
    strace::flags(&[
        (f.contains(PollFlags::POLLIN), "POLLIN"),
        (f.contains(PollFlags::POLLPRI), "POLLPRI"),
        (f.contains(PollFlags::POLLOUT), "POLLOUT"),
        (f.contains(PollFlags::POLLERR), "POLLERR"),
        (f.contains(PollFlags::POLLHUP), "POLLHUP"),
        (f.contains(PollFlags::POLLNVAL), "POLLNVAL"),
    ])
}
