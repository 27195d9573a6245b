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
//!
//! The shape is liburing's `examples/echo-server.c`: one line arms a request
//! (`ring.accept`, `ring.recv`, `ring.send`), and the loop is "submit and wait, then a
//! switch on what each completion completes".

use super::event_loop::HIGH_WATER;
use super::{announce, Limit, ServerArgs, Stats};
use nix::errno::Errno;
use raw_core::steps::signals::stop_requested;
use raw_core::steps::uring::{self, Completion, Op, Ring};
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

/// Where a connection's multishot recv stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// No recv armed (not yet, paused while replies pile up, or over).
    Off,
    /// The multishot recv is armed.
    Armed,
    /// Its cancel is in flight; its last completion comes first.
    Cancelling,
}

/// Where a connection's one send stands (one at a time, so replies never overtake
/// each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writing {
    /// No send in flight.
    Idle,
    /// A send is in flight.
    InFlight,
}

/// How far a connection is from its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Serving.
    Open,
    /// The client sent FIN: close once the replies are out.
    PeerClosed,
    /// A failure, or idle too long: close once nothing is in flight.
    Dropping,
    /// Its close request is queued.
    Closing,
}

/// One client of the ring.
#[derive(Debug)]
struct Conn {
    peer: SocketAddr,
    /// Echoed bytes waiting for the send in flight to finish.
    out: Vec<u8>,
    reading: Reading,
    writing: Writing,
    ending: Ending,
    last_heard: Instant,
}

/// How the listener is being accepted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepting {
    /// No accept request armed.
    Idle,
    /// One multishot accept armed.
    Multishot,
    /// One single accept armed.
    Single,
    /// The multishot accept's cancel is in flight.
    Cancelling,
}

/// The server's state between two completions.
struct Server<'a> {
    n: &'a Narrator,
    listener: RawFd,
    bound: SocketAddr,
    args: &'a ServerArgs,
    stats: &'a Stats,
    conns: BTreeMap<RawFd, Conn>,
    accepting: Accepting,
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
    let mut ring = Ring::setup(n, ENTRIES, CQ_ENTRIES)?; // io_uring_setup: the two queues
    let mut server = Server {
        n,
        listener: listener.as_raw_fd(),
        bound,
        args,
        stats,
        conns: BTreeMap::new(),
        accepting: Accepting::Idle,
        paused_until: None,
        limit: Limit::default(),
    };
    let served = ring
        .provide_buffers(n, BUFFERS, args.buffer) // io_uring_register: the buffers
        .and_then(|()| server.run(&mut ring));
    server.stop(ring).and(served)
}

impl Server<'_> {
    /// The event loop: arm the accept, submit and wait, then a switch on what each
    /// completion completes.
    fn run(&mut self, ring: &mut Ring) -> Result<(), Failure> {
        while !stop_requested() {
            self.arm_accept(ring)?; // while there is room under --max-clients
            let done = match ring.wait(self.n, self.next_timeout()) {
                Ok(done) => done,
                Err(f) if f.errno() == Some(Errno::EINTR) => continue, // the loop checks the stop flag
                Err(f) => return Err(f),
            };
            for posted in done {
                let Some(c) = ring.complete(self.n, posted) else {
                    continue; // not one of our requests
                };
                match c.op {
                    Op::Accept => self.accepted(ring, &c)?,
                    Op::Recv => self.received(ring, &c)?,
                    Op::Send => self.sent(ring, &c)?,
                    Op::Close => drop(self.conns.remove(&c.fd)),
                    Op::Cancel => {} // what it cancelled completes on its own
                }
            }
            if let Some(idle) = self.args.idle_timeout {
                self.drop_idle(ring, idle)?;
            }
        }
        Ok(())
    }

    /// Arms an accept while there is room under `--max-clients` (multishot while a
    /// whole backlog would still fit, one at a time after that), and cancels the
    /// multishot accept once it would not.
    fn arm_accept(&mut self, ring: &mut Ring) -> Result<(), Failure> {
        let max = self.args.max_clients();
        self.limit.reached(self.n, self.conns.len(), max);
        let room = max.saturating_sub(self.conns.len());
        let backlog = self.args.listen.backlog.max(1) as usize;
        if self.paused_until.is_some_and(|t| Instant::now() >= t) {
            self.paused_until = None; // the back-off after EMFILE is over
        }
        match self.accepting {
            Accepting::Idle if room > 0 && self.paused_until.is_none() => {
                let multishot = room > backlog;
                self.accepting = if multishot {
                    Accepting::Multishot
                } else {
                    Accepting::Single
                };
                ring.accept(self.n, self.listener, multishot)
            }
            Accepting::Multishot if room <= backlog => {
                self.accepting = Accepting::Cancelling;
                ring.cancel_accept(self.n, self.listener)
            }
            _ => Ok(()),
        }
    }

    /// Until the next idle deadline or the end of an accept back-off; `None`: forever.
    fn next_timeout(&self) -> Option<Duration> {
        let idle = self.args.idle_timeout.and_then(|idle| {
            self.conns
                .values()
                .filter(|c| matches!(c.ending, Ending::Open | Ending::PeerClosed))
                .map(|c| c.last_heard + idle)
                .min()
        });
        [idle, self.paused_until]
            .into_iter()
            .flatten()
            .min()
            .map(|t| t.saturating_duration_since(Instant::now()))
    }

    /// A connection accepted (or the accept request ended, or failed).
    fn accepted(&mut self, ring: &mut Ring, c: &Completion) -> Result<(), Failure> {
        if !c.more {
            self.accepting = Accepting::Idle; // the request is over: armed again next turn
        }
        if let Some(errno) = c.errno() {
            self.accept_failed(errno);
            return Ok(());
        }
        let fd = c.result;
        // A multishot accept brings no address: ask for it, one syscall per connection.
        let peer =
            uring::getpeername(self.n, fd).unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        self.stats.connections.fetch_add(1, Ordering::Relaxed);
        announce(self.n, fd, self.bound, peer);
        let conn = Conn {
            peer,
            out: Vec::new(),
            reading: Reading::Off,
            writing: Writing::Idle,
            ending: Ending::Open,
            last_heard: Instant::now(),
        };
        self.conns.insert(fd, conn);
        self.settle(ring, fd) // arms its recv
    }

    /// What a failed accept means: our own cancel, out of fds (a pause), or a warning.
    fn accept_failed(&mut self, errno: Errno) {
        let failure = Failure::sys("accept", errno);
        match errno {
            Errno::ECANCELED => {} // we cancelled it (near --max-clients)
            Errno::EMFILE | Errno::ENFILE => {
                let then = self
                    .n
                    .say(text!("multi-io-uring-not-accepting-100-ms-clients"));
                self.n.problem(None, &failure, &then);
                self.paused_until = Some(Instant::now() + Duration::from_millis(100));
            }
            _ => {
                let then = self.n.say(text!("multi-event-loop-server-goes-accepting"));
                self.n.problem(None, &failure, &then);
            }
        }
    }

    /// Data (or FIN, or an error) on a connection.
    fn received(&mut self, ring: &mut Ring, c: &Completion) -> Result<(), Failure> {
        let n = self.n;
        let Some(conn) = self.conns.get_mut(&c.fd) else {
            return Ok(());
        };
        if !c.more {
            conn.reading = Reading::Off; // the multishot recv is over
        }
        match c.errno() {
            None if c.result > 0 => {
                if n.shows_data() {
                    let shown = strace::quoted_limit(&c.data, 200);
                    n.data(format!("{} → {shown}", conn.peer), &c.data);
                }
                let start = conn.out.len();
                conn.out.extend_from_slice(&c.data);
                self.args.transform.apply(&mut conn.out[start..]);
                conn.last_heard = Instant::now();
            }
            None if conn.ending == Ending::Open => conn.ending = Ending::PeerClosed, // 0: FIN
            None => {}
            // Out of ring buffers, or our own cancel: recv is armed again in settle.
            Some(Errno::ENOBUFS | Errno::ECANCELED) => {}
            Some(errno) => {
                let then = n.say(text!("multi-event-loop-only-this-connection-ends"));
                n.problem(Some(conn.peer), &Failure::sys("recv", errno), &then);
                conn.ending = Ending::Dropping;
            }
        }
        self.send_out(ring, c.fd)?;
        self.settle(ring, c.fd)
    }

    /// A send finished: the rest, if it was short, goes first in the next one.
    fn sent(&mut self, ring: &mut Ring, c: &Completion) -> Result<(), Failure> {
        let n = self.n;
        let Some(conn) = self.conns.get_mut(&c.fd) else {
            return Ok(());
        };
        conn.writing = Writing::Idle;
        if let Some(errno) = c.errno() {
            let then = n.say(text!("multi-event-loop-only-this-connection-ends"));
            n.problem(Some(conn.peer), &Failure::sys("sendto", errno), &then);
            conn.ending = Ending::Dropping;
            conn.out.clear();
        } else if (c.result as usize) < c.data.len() {
            let mut rest = c.data[c.result as usize..].to_vec();
            rest.extend_from_slice(&conn.out);
            conn.out = rest; // a short send: the rest goes first
        }
        self.send_out(ring, c.fd)?;
        self.settle(ring, c.fd)
    }

    /// Queues a send of everything waiting, unless one is in flight.
    fn send_out(&mut self, ring: &mut Ring, fd: RawFd) -> Result<(), Failure> {
        let Some(conn) = self.conns.get_mut(&fd) else {
            return Ok(());
        };
        if conn.writing == Writing::InFlight
            || conn.out.is_empty()
            || conn.ending == Ending::Dropping
        {
            return Ok(());
        }
        conn.writing = Writing::InFlight;
        ring.send(self.n, fd, std::mem::take(&mut conn.out))
    }

    /// After any completion: close the connection once it is finished and nothing is in
    /// flight; otherwise keep its recv armed, unless its replies pile up.
    fn settle(&mut self, ring: &mut Ring, fd: RawFd) -> Result<(), Failure> {
        let n = self.n;
        let Some(conn) = self.conns.get_mut(&fd) else {
            return Ok(());
        };
        let finished = conn.ending == Ending::Dropping
            || (conn.ending == Ending::PeerClosed
                && conn.writing == Writing::Idle
                && conn.out.is_empty());
        let piling = conn.out.len() >= HIGH_WATER;
        match (conn.ending, conn.reading) {
            (Ending::Closing, _) => Ok(()),
            (_, Reading::Armed) if finished || piling => {
                conn.reading = Reading::Cancelling; // stop reading this client
                ring.cancel_recv(n, fd)
            }
            (_, Reading::Off) if finished && conn.writing == Writing::Idle => {
                conn.ending = Ending::Closing;
                ring.close(n, fd)
            }
            (Ending::Open, Reading::Off) if !piling => {
                conn.reading = Reading::Armed;
                ring.recv(n, fd)
            }
            _ => Ok(()), // a completion in flight comes first
        }
    }

    /// Drops the clients that sent nothing for `idle` (`--idle-timeout`).
    fn drop_idle(&mut self, ring: &mut Ring, idle: Duration) -> Result<(), Failure> {
        let now = Instant::now();
        let silent: Vec<(RawFd, SocketAddr)> = self
            .conns
            .iter()
            .filter(|(_, c)| matches!(c.ending, Ending::Open | Ending::PeerClosed))
            .filter(|(_, c)| now.duration_since(c.last_heard) >= idle)
            .map(|(&fd, c)| (fd, c.peer))
            .collect();
        for (fd, peer) in silent {
            self.n.note(
                self.n
                    .say(text!("multi-event-loop-idle-too-long-idle-timeout", peer)),
            );
            if let Some(conn) = self.conns.get_mut(&fd) {
                conn.ending = Ending::Dropping;
            }
            self.settle(ring, fd)?;
        }
        Ok(())
    }

    /// Stopping: the requests still queued go to the kernel (closes among them), the
    /// ring is closed (every armed request cancelled), then the connections still open
    /// are closed with `close(2)`.
    fn stop(self, mut ring: Ring) -> Result<(), Failure> {
        let flushed = ring.flush(self.n);
        let closed = ring.close_ring(self.n);
        for (fd, conn) in self.conns {
            if conn.ending != Ending::Closing {
                let _ = steps::close(self.n, fd);
            }
        }
        flushed.and(closed)
    }
}
