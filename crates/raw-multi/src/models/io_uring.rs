//! The io-uring model: one thread, and no accept, recv, send or close syscall at all.
//! Each of them is a *request* written into a queue the kernel reads, and each result a
//! *completion* the kernel writes into another; the one syscall left is
//! `io_uring_enter`, which hands over every queued request and sleeps until a
//! completion is there.
//!
//! ```text
//! raw-multi server --model io-uring
//! raw-multi clients --count 3                                  # another terminal
//! strace -e trace=%network,io_uring_setup,io_uring_register,io_uring_enter raw-multi server --model io-uring
//! ```
//!
//! strace shows `io_uring_setup`, one `io_uring_register` and a stream of
//! `io_uring_enter`: the accepts, recvs, sends and closes happen inside those, so the
//! narration says each request (`sqe: ...`) and each completion (`cqe: ...`) as a line
//! written like the syscall it replaces.
//!
//! What makes it io_uring:
//! - One *multishot* accept: a single request that completes once per connection. It
//!   takes every connection waiting in the queue at once, so within `--backlog` of
//!   `--max-clients` the server asks for one connection at a time instead.
//! - One *multishot* recv per connection, reading into a *provided-buffer ring*: the
//!   kernel picks a buffer only when data arrives, so a silent client ties up none.
//!   Copying the bytes out and giving the buffer back is a store to shared memory.
//! - One send in flight per connection at a time, so replies never overtake each other;
//!   what arrives meanwhile waits in `out`, and a client whose replies pile up
//!   (`HIGH_WATER`) has its recv cancelled until they drain, as the event loop does.
//! - Close is a request too. To stop, the ring is closed (the kernel cancels every armed
//!   request), then the connections still open are closed with `close(2)`.

use super::event_loop::HIGH_WATER;
use super::{announce, Limit, ServerArgs, Stats};
use nix::errno::Errno;
use raw_core::steps::signals::stop_requested;
use raw_core::steps::uring::{self, Cqe, Op, Sqe, Uring};
use raw_core::text;
use raw_core::trace::strace;
use raw_core::{steps, Failure, Narrator};
use socket2::Socket;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Requests the submission queue holds between two `io_uring_enter`s.
const ENTRIES: u32 = 256;
/// Completions the kernel may post before we read them (more are kept in the kernel).
const CQ_ENTRIES: u32 = 4096;
/// Buffers in the provided-buffer ring (a power of two).
const BUFFERS: u16 = 256;

/// One client of the ring.
#[derive(Debug)]
struct Conn {
    peer: SocketAddr,
    /// Echoed bytes waiting for the send in flight to finish.
    out: Vec<u8>,
    /// A send is in flight.
    sending: bool,
    /// The multishot recv is armed.
    receiving: bool,
    /// A cancel of the recv is in flight.
    cancelling: bool,
    /// The client sent FIN.
    eof: bool,
    /// Close this connection once nothing is in flight (a failure, or idle too long).
    dropping: bool,
    /// Its close request is queued.
    closing: bool,
    last_heard: Instant,
}

/// How the listener is being accepted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepting {
    /// No accept request armed.
    No,
    /// One multishot accept armed.
    Multishot,
    /// One single accept armed.
    Single,
}

/// The server's state between two completions.
struct Server<'a> {
    n: &'a Narrator,
    ring: Uring,
    listener: RawFd,
    bound: SocketAddr,
    args: &'a ServerArgs,
    stats: &'a Stats,
    conns: BTreeMap<RawFd, Conn>,
    accepting: Accepting,
    accept_cancelling: bool,
    paused_until: Option<Instant>,
    limit: Limit,
}

/// Sets up the ring and its buffers, then serves until SIGINT/SIGTERM.
pub fn serve(
    n: &Narrator,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Stats,
) -> Result<(), Failure> {
    let ring = uring::setup(n, ENTRIES, CQ_ENTRIES)?; // io_uring_setup: the two queues
    let mut server = Server {
        n,
        ring,
        listener: listener.as_raw_fd(),
        bound,
        args,
        stats,
        conns: BTreeMap::new(),
        accepting: Accepting::No,
        accept_cancelling: false,
        paused_until: None,
        limit: Limit::default(),
    };
    let served = uring::register_buf_ring(n, &mut server.ring, BUFFERS, args.buffer) // the buffers
        .and_then(|()| server.run());
    server.stop().and(served)
}

impl Server<'_> {
    /// The loop: arm what is needed, one `io_uring_enter`, then every completion.
    fn run(&mut self) -> Result<(), Failure> {
        loop {
            if stop_requested() {
                return Ok(());
            }
            self.adjust_accept()?;
            let timeout = self.next_timeout();
            match uring::enter(self.n, &mut self.ring, 1, timeout) {
                Ok(_) => {}
                Err(f) if f.errno() == Some(Errno::EINTR) => continue, // the loop top checks the stop flag
                Err(f) => return Err(f),
            }
            for cqe in self.ring.completions() {
                self.complete(cqe)?;
            }
            if let Some(idle) = self.args.idle_timeout {
                self.drop_idle(idle)?;
            }
        }
    }

    /// Arms an accept while there is room under `--max-clients` (multishot while a
    /// whole backlog would still fit, one at a time after that), and cancels the
    /// multishot accept once it would not.
    fn adjust_accept(&mut self) -> Result<(), Failure> {
        let max = self.args.max_clients();
        self.limit.reached(self.n, self.conns.len(), max);
        let room = max.saturating_sub(self.conns.len());
        let backlog = self.args.listen.backlog.max(1) as usize;
        let paused = self.paused_until.is_some_and(|t| Instant::now() < t);
        if !paused {
            self.paused_until = None;
        }
        match self.accepting {
            Accepting::No if room > 0 && !paused => {
                let multishot = room > backlog;
                let op = if multishot {
                    Op::AcceptMulti
                } else {
                    Op::Accept
                };
                let sqe = Sqe::Accept {
                    fd: self.listener,
                    multishot,
                };
                self.submit(uring::tag(op, self.listener), sqe)?;
                self.accepting = if multishot {
                    Accepting::Multishot
                } else {
                    Accepting::Single
                };
            }
            Accepting::Multishot if room <= backlog && !self.accept_cancelling => {
                let target = uring::tag(Op::AcceptMulti, self.listener);
                self.submit(
                    uring::tag(Op::CancelAccept, self.listener),
                    Sqe::Cancel { target },
                )?;
                self.accept_cancelling = true;
            }
            _ => {}
        }
        Ok(())
    }

    /// Until the next idle deadline or the end of an accept back-off; `None`: forever.
    fn next_timeout(&self) -> Option<Duration> {
        let idle = self.args.idle_timeout.and_then(|idle| {
            self.conns
                .values()
                .filter(|c| !c.dropping)
                .map(|c| c.last_heard + idle)
                .min()
        });
        [idle, self.paused_until]
            .into_iter()
            .flatten()
            .min()
            .map(|t| t.saturating_duration_since(Instant::now()))
    }

    fn submit(&mut self, user_data: u64, sqe: Sqe) -> Result<(), Failure> {
        uring::submit(self.n, &mut self.ring, user_data, sqe, self.args.buffer)
    }

    /// One completion: what it completes is in its `user_data`.
    fn complete(&mut self, cqe: Cqe) -> Result<(), Failure> {
        let Some((op, fd)) = uring::untag(cqe.user_data) else {
            return Ok(());
        };
        match op {
            Op::AcceptMulti | Op::Accept => self.accepted(op, &cqe),
            Op::RecvMulti => self.received(fd, &cqe),
            Op::Send => self.sent(fd, &cqe),
            Op::Close => {
                uring::completed(self.n, &cqe, &Sqe::Close { fd }, self.args.buffer, None);
                self.conns.remove(&fd);
                uring::closed(fd); // the fd number is free for the next connection
                Ok(())
            }
            Op::CancelAccept | Op::CancelRecv => {
                let target = match op {
                    Op::CancelAccept => uring::tag(Op::AcceptMulti, fd),
                    _ => uring::tag(Op::RecvMulti, fd),
                };
                uring::completed(
                    self.n,
                    &cqe,
                    &Sqe::Cancel { target },
                    self.args.buffer,
                    None,
                );
                Ok(())
            }
        }
    }

    /// A connection accepted (or the accept request ended).
    fn accepted(&mut self, op: Op, cqe: &Cqe) -> Result<(), Failure> {
        let asked = Sqe::Accept {
            fd: self.listener,
            multishot: op == Op::AcceptMulti,
        };
        uring::completed(self.n, cqe, &asked, self.args.buffer, None);
        if !uring::more(cqe) {
            self.accepting = Accepting::No; // the request is over: armed again next turn
            if op == Op::AcceptMulti {
                self.accept_cancelling = false;
            }
        }
        if cqe.result < 0 {
            let errno = Errno::from_raw(-cqe.result);
            let failure = Failure::sys("accept", errno);
            match errno {
                Errno::ECANCELED => {} // we cancelled it (near --max-clients)
                Errno::EMFILE | Errno::ENFILE => {
                    self.n.problem(
                        None,
                        &failure,
                        &self
                            .n
                            .say(text!("multi-io-uring-not-accepting-100-ms-clients")),
                    );
                    self.paused_until = Some(Instant::now() + Duration::from_millis(100));
                }
                _ => self.n.problem(
                    None,
                    &failure,
                    &self.n.say(text!("multi-event-loop-server-goes-accepting")),
                ),
            }
            return Ok(());
        }
        let fd = cqe.result;
        uring::accepted(fd);
        // A multishot accept brings no address: ask for it, one syscall per connection.
        let peer =
            uring::getpeername(self.n, fd).unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        self.stats.connections.fetch_add(1, Ordering::Relaxed);
        announce(self.n, fd, self.bound, peer);
        self.conns.insert(
            fd,
            Conn {
                peer,
                out: Vec::new(),
                sending: false,
                receiving: false,
                cancelling: false,
                eof: false,
                dropping: false,
                closing: false,
                last_heard: Instant::now(),
            },
        );
        self.settle(fd)
    }

    /// Data (or FIN, or an error) on a connection.
    fn received(&mut self, fd: RawFd, cqe: &Cqe) -> Result<(), Failure> {
        let asked = Sqe::RecvMulti { fd };
        let Some(conn) = self.conns.get_mut(&fd) else {
            if let Some(bid) = uring::buffer(cqe) {
                self.ring.give_back(bid);
            }
            return Ok(());
        };
        if !uring::more(cqe) {
            conn.receiving = false; // the multishot recv is over
            conn.cancelling = false;
        }
        match (cqe.result, uring::buffer(cqe)) {
            (got, Some(bid)) if got > 0 => {
                let data = self.ring.received(bid, got as usize);
                uring::completed(self.n, cqe, &asked, self.args.buffer, Some(data));
                if self.n.shows_data() {
                    self.n.data(
                        format!("{} → {}", conn.peer, strace::quoted_limit(data, 200)),
                        data,
                    );
                }
                let start = conn.out.len();
                conn.out.extend_from_slice(data);
                self.args.transform.apply(&mut conn.out[start..]);
                self.ring.give_back(bid); // the buffer is the kernel's again
                conn.last_heard = Instant::now();
            }
            (0, _) => {
                uring::completed(self.n, cqe, &asked, self.args.buffer, None);
                conn.eof = true;
            }
            (result, _) => {
                uring::completed(self.n, cqe, &asked, self.args.buffer, None);
                let errno = Errno::from_raw(-result);
                match errno {
                    // Out of ring buffers, or our own cancel: recv is armed again in settle.
                    Errno::ENOBUFS | Errno::ECANCELED => {}
                    _ => {
                        self.n.problem(
                            Some(conn.peer),
                            &Failure::sys("recv", errno),
                            &self
                                .n
                                .say(text!("multi-event-loop-only-this-connection-ends")),
                        );
                        conn.dropping = true;
                    }
                }
            }
        }
        self.send_out(fd)?;
        self.settle(fd)
    }

    /// A send finished: the rest, if it was short, goes first in the next one.
    fn sent(&mut self, fd: RawFd, cqe: &Cqe) -> Result<(), Failure> {
        let asked = Sqe::Send {
            fd,
            data: self.ring.sent(cqe.user_data).unwrap_or_default(),
        };
        uring::completed(self.n, cqe, &asked, self.args.buffer, None);
        let Sqe::Send { data, .. } = asked else {
            return Ok(());
        };
        let Some(conn) = self.conns.get_mut(&fd) else {
            return Ok(());
        };
        conn.sending = false;
        if cqe.result < 0 {
            let errno = Errno::from_raw(-cqe.result);
            self.n.problem(
                Some(conn.peer),
                &Failure::sys("sendto", errno),
                &self
                    .n
                    .say(text!("multi-event-loop-only-this-connection-ends")),
            );
            conn.dropping = true;
            conn.out.clear();
        } else if (cqe.result as usize) < data.len() {
            let mut rest = data[cqe.result as usize..].to_vec();
            rest.extend_from_slice(&conn.out);
            conn.out = rest; // a short send: the rest goes first
        }
        self.send_out(fd)?;
        self.settle(fd)
    }

    /// Queues a send of everything waiting, unless one is in flight (one at a time, so
    /// replies never overtake each other).
    fn send_out(&mut self, fd: RawFd) -> Result<(), Failure> {
        let Some(conn) = self.conns.get_mut(&fd) else {
            return Ok(());
        };
        if conn.sending || conn.out.is_empty() || conn.dropping {
            return Ok(());
        }
        let data = std::mem::take(&mut conn.out);
        conn.sending = true;
        self.submit(uring::tag(Op::Send, fd), Sqe::Send { fd, data })
    }

    /// After any completion: close the connection once it is finished and nothing is in
    /// flight; otherwise keep its recv armed, unless its replies pile up.
    fn settle(&mut self, fd: RawFd) -> Result<(), Failure> {
        let Some(conn) = self.conns.get_mut(&fd) else {
            return Ok(());
        };
        if conn.closing {
            return Ok(());
        }
        let finished = conn.eof && !conn.sending && conn.out.is_empty();
        if conn.dropping || finished {
            if conn.receiving {
                if !conn.cancelling {
                    conn.cancelling = true;
                    let target = uring::tag(Op::RecvMulti, fd);
                    return self.submit(uring::tag(Op::CancelRecv, fd), Sqe::Cancel { target });
                }
                return Ok(()); // its last completion comes first
            }
            if conn.sending {
                return Ok(()); // the send in flight completes (or fails) first
            }
            conn.closing = true;
            return self.submit(uring::tag(Op::Close, fd), Sqe::Close { fd });
        }
        let pending = conn.out.len();
        if conn.receiving && pending >= HIGH_WATER && !conn.cancelling {
            // Replies pile up: stop reading this client until they drain.
            conn.cancelling = true;
            let target = uring::tag(Op::RecvMulti, fd);
            return self.submit(uring::tag(Op::CancelRecv, fd), Sqe::Cancel { target });
        }
        if !conn.receiving && !conn.eof && pending < HIGH_WATER {
            conn.receiving = true;
            return self.submit(uring::tag(Op::RecvMulti, fd), Sqe::RecvMulti { fd });
        }
        Ok(())
    }

    /// Drops the clients that sent nothing for `idle` (`--idle-timeout`).
    fn drop_idle(&mut self, idle: Duration) -> Result<(), Failure> {
        let now = Instant::now();
        let silent: Vec<(RawFd, SocketAddr)> = self
            .conns
            .iter()
            .filter(|(_, c)| !c.dropping && now.duration_since(c.last_heard) >= idle)
            .map(|(&fd, c)| (fd, c.peer))
            .collect();
        for (fd, peer) in silent {
            self.n.note(
                self.n
                    .say(text!("multi-event-loop-idle-too-long-idle-timeout", peer)),
            );
            if let Some(conn) = self.conns.get_mut(&fd) {
                conn.dropping = true;
            }
            self.settle(fd)?;
        }
        Ok(())
    }

    /// Stopping: the requests still queued go to the kernel (closes among them), the
    /// ring is closed (every armed request cancelled), then the connections still open
    /// are closed with `close(2)`.
    fn stop(self) -> Result<(), Failure> {
        let Server {
            n, mut ring, conns, ..
        } = self;
        let mut result = Ok(());
        if ring.queued() > 0 {
            result = uring::enter(n, &mut ring, 0, None).map(|_| ());
        }
        let closed = uring::close(n, ring);
        for (fd, conn) in conns {
            if !conn.closing {
                let _ = steps::close(n, fd);
            }
        }
        result.and(closed)
    }
}
