//! The one-thread, non-blocking event loop shared by the select, poll and epoll models.
//! They differ only in how they keep the interest list and ask the kernel which
//! sockets are ready: the [`Multiplexer`] each implements in its own file, in mio's
//! vocabulary. Everything else is here, once:
//!
//! - `register` a socket when it is accepted (watched for reading);
//! - `modify` it when its output fills (watch for writing too) or drains (stop);
//! - `deregister` it before it is closed;
//! - `wait` until something is ready.
//!
//! For epoll each of these is one `epoll_ctl` (the kernel keeps the list); select and
//! poll keep the list in our memory and hand all of it to the kernel at every `wait`.
//!
//! Rules a non-blocking server must keep, and where this file keeps them:
//! - Never block: every socket is non-blocking; `EAGAIN` means "not now", never an error.
//! - Never lose bytes: what `send` could not take stays in the connection's output
//!   buffer (`Conn::out`) and goes when the socket is writable again.
//! - A slow reader never blocks the others, and never makes us buffer without limit:
//!   we stop reading from a client whose replies pile up (`HIGH_WATER`) until it drains.
//! - One client's failure (`ECONNRESET`, `EPIPE`) closes only that client.

use super::slots::{give_back_slot, serving, take_slot};
use super::{announce, Limit, ServerArgs, Stats};
use nix::errno::Errno;
use raw_core::echo::Transform;
use raw_core::steps::signals::stop_requested;
use raw_core::text;
use raw_core::trace::strace;
use raw_core::{steps, Failure, Narrator};
use socket2::Socket;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Stop reading from a client while this many echoed bytes wait to be sent to it.
pub const HIGH_WATER: usize = 256 * 1024;

/// What a socket is watched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interest {
    /// Tell us when it can be read without blocking (data, EOF, a new connection).
    pub read: bool,
    /// Tell us when some bytes can be sent without blocking.
    pub write: bool,
}

impl Interest {
    /// Reading only: a new connection, or a listener.
    pub const READ: Interest = Interest {
        read: true,
        write: false,
    };
}

/// One client of the event loop.
#[derive(Debug)]
pub struct Conn {
    /// The connected, non-blocking socket.
    pub sock: Socket,
    /// The client's address.
    pub peer: SocketAddr,
    /// Echoed bytes not yet accepted by `send`.
    pub out: Vec<u8>,
    /// How much of `out` has been sent already.
    pub sent: usize,
    /// The client sent FIN (`recv` returned 0): finish sending, then close.
    pub eof: bool,
    /// Last time the client sent something (for `--idle-timeout`).
    pub last_heard: Instant,
    /// What the multiplexer watches it for now.
    pub watched: Interest,
}

impl Conn {
    /// What to watch this connection for: reading, unless it sent FIN or its replies
    /// pile up; writing, only while replies wait.
    pub fn interest(&self) -> Interest {
        Interest {
            read: !self.eof && self.pending() < HIGH_WATER,
            write: self.pending() > 0,
        }
    }

    /// Whether it is done: FIN received and every reply sent.
    fn finished(&self) -> bool {
        self.eof && self.pending() == 0
    }

    fn pending(&self) -> usize {
        self.out.len() - self.sent
    }
}

/// What a multiplexer reports for one fd.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ready {
    /// The fd.
    pub fd: RawFd,
    /// Data (or EOF, or a new connection on the listener) can be read without blocking.
    pub readable: bool,
    /// Some bytes can be sent without blocking.
    pub writable: bool,
    /// An error or hang-up was reported.
    pub error: bool,
}

/// The sockets open now, so that select and poll can lend the kernel each fd of their
/// list for the length of one call.
#[derive(Debug, Clone, Copy)]
pub struct Open<'a> {
    listener: &'a Socket,
    conns: &'a BTreeMap<RawFd, Conn>,
}

impl<'a> Open<'a> {
    /// The open socket with this fd, if any.
    pub fn fd(&self, fd: RawFd) -> Option<BorrowedFd<'a>> {
        if fd == self.listener.as_raw_fd() {
            return Some(self.listener.as_fd());
        }
        self.conns.get(&fd).map(|c| c.sock.as_fd())
    }
}

/// How a model keeps its interest list and asks the kernel what is ready: the only part
/// of the event loop that differs between select, poll and epoll.
pub trait Multiplexer {
    /// Start watching `sock` for `interest` (at accept; the listener when accepting).
    fn register(&mut self, n: &Narrator, sock: &Socket, interest: Interest) -> Result<(), Failure>;

    /// Watch `sock` for something else (its output filled up or drained).
    fn modify(&mut self, n: &Narrator, sock: &Socket, interest: Interest) -> Result<(), Failure>;

    /// Stop watching `sock` (before it is closed; the listener when not accepting).
    fn deregister(&mut self, n: &Narrator, sock: &Socket) -> Result<(), Failure>;

    /// Sleeps until a watched socket is ready or `timeout` passes (forever: `None`).
    fn wait(
        &mut self,
        n: &Narrator,
        open: &Open<'_>,
        timeout: Option<Duration>,
    ) -> Result<Vec<Ready>, Failure>;

    /// Why this model cannot watch `fd`, if it cannot (select's FD_SETSIZE ceiling).
    fn refuse(&self, _n: &Narrator, _fd: RawFd) -> Option<String> {
        None
    }

    /// Gives back what the model holds in the kernel (epoll: its fd). Called once, at
    /// the end.
    fn close(self, _n: &Narrator) -> Result<(), Failure>
    where
        Self: Sized,
    {
        Ok(())
    }
}

/// The event loop: wait for readiness, accept, read, echo, write; until SIGINT/SIGTERM.
pub fn serve<M: Multiplexer>(
    n: &Narrator,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Stats,
    mut mux: M,
) -> Result<(), Failure> {
    let (mut conns, mut buf) = (BTreeMap::new(), vec![0u8; args.buffer as usize]);
    let mut accept_paused_until: Option<Instant> = None;
    let (mut listening, mut limit) = (false, Limit::default()); // listening: the listener is registered
    let lfd = listener.as_raw_fd();
    let result = loop {
        if stop_requested() {
            break Ok(());
        }
        let full = limit.reached(n, serving(stats, &conns), args.max_clients());
        let accepting = !full && accept_paused_until.is_none_or(|t| Instant::now() >= t);
        if let Err(f) = watch_listener(n, &mut mux, listener, accepting, &mut listening) {
            break Err(f);
        }
        let wake = wake_up(full, stats, accept_paused_until);
        let timeout = next_timeout(&conns, args.idle_timeout, wake);
        let open = Open {
            listener,
            conns: &conns,
        };
        let ready = match mux.wait(n, &open, timeout) {
            Ok(ready) => ready,
            Err(f) if f.errno() == Some(Errno::EINTR) => continue, // the loop top checks the stop flag
            Err(f) => break Err(f),
        };
        for event in ready {
            if event.fd == lfd {
                accept_paused_until =
                    accept_all(n, listener, bound, args, stats, &mut mux, &mut conns);
            } else {
                serve_one(n, &mut mux, &mut conns, &event, &mut buf, args, stats);
            }
        }
        if let Some(idle) = args.idle_timeout {
            drop_idle(n, &mut mux, &mut conns, idle, stats);
        }
    };
    result.and(shut(n, mux, conns, listener, listening, stats))
}

/// When to wake up besides the sockets: the end of an accept back-off, or, when other
/// threads hold the slots (reuseport) and the limit is reached, in 50 ms to look
/// again (a thread that frees a slot cannot wake this one).
fn wake_up(full: bool, stats: &Stats, paused_until: Option<Instant>) -> Option<Instant> {
    let recheck =
        (full && stats.serving.is_some()).then(|| Instant::now() + Duration::from_millis(50));
    [paused_until, recheck].into_iter().flatten().min()
}

/// Watches the listener only while we may accept: at `--max-clients`, or out of fds,
/// new clients wait in the backlog and do not wake us.
fn watch_listener<M: Multiplexer>(
    n: &Narrator,
    mux: &mut M,
    listener: &Socket,
    accepting: bool,
    listening: &mut bool,
) -> Result<(), Failure> {
    if accepting == *listening {
        return Ok(());
    }
    if accepting {
        mux.register(n, listener, Interest::READ)?;
    } else {
        mux.deregister(n, listener)?;
    }
    *listening = accepting;
    Ok(())
}

/// One connection is ready: serve what it can take; close it when it is over (FIN
/// received and every reply sent) or failed.
fn serve_one<M: Multiplexer>(
    n: &Narrator,
    mux: &mut M,
    conns: &mut BTreeMap<RawFd, Conn>,
    event: &Ready,
    buf: &mut [u8],
    args: &ServerArgs,
    stats: &Stats,
) {
    let Some(conn) = conns.get_mut(&event.fd) else {
        return;
    };
    let peer = conn.peer;
    match serve_ready(n, mux, conn, event, buf, args.transform) {
        Ok(true) => {} // still open, watched for what it needs
        Ok(false) => close(n, mux, conns, event.fd, stats), // FIN received, every reply sent
        Err(f) => {
            let then = n.say(text!("multi-event-loop-only-this-connection-ends"));
            n.problem(Some(peer), &f, &then);
            close(n, mux, conns, event.fd, stats);
        }
    }
}

/// Stopping: every connection closed, the listener no longer watched (the caller closes
/// it), the multiplexer closed.
fn shut<M: Multiplexer>(
    n: &Narrator,
    mut mux: M,
    mut conns: BTreeMap<RawFd, Conn>,
    listener: &Socket,
    listening: bool,
    stats: &Stats,
) -> Result<(), Failure> {
    let fds: Vec<RawFd> = conns.keys().copied().collect();
    for fd in fds {
        close(n, &mut mux, &mut conns, fd, stats);
    }
    if listening {
        let _ = mux.deregister(n, listener);
    }
    mux.close(n)
}

/// Takes every finished connection from the queue (until `EAGAIN`), registering each
/// for reading. Returns a time until which to stop accepting, after running out of
/// file descriptors.
fn accept_all<M: Multiplexer>(
    n: &Narrator,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Stats,
    mux: &mut M,
    conns: &mut BTreeMap<RawFd, Conn>,
) -> Option<Instant> {
    while take_slot(stats, conns, args.max_clients()) {
        match steps::accept_nonblocking(n, listener) {
            Ok((sock, peer)) => {
                let fd = sock.as_raw_fd();
                if let Some(why) = mux.refuse(n, fd) {
                    n.note(why);
                    let _ = steps::close(n, sock);
                    give_back_slot(stats);
                    continue;
                }
                stats.connections.fetch_add(1, Ordering::Relaxed);
                announce(n, fd, bound, peer);
                if let Err(f) = mux.register(n, &sock, Interest::READ) {
                    n.problem(
                        Some(peer),
                        &f,
                        &n.say(text!("multi-event-loop-only-this-connection-ends")),
                    );
                    let _ = steps::close(n, sock);
                    give_back_slot(stats);
                    continue;
                }
                let conn = Conn {
                    sock,
                    peer,
                    out: Vec::new(),
                    sent: 0,
                    eof: false,
                    last_heard: Instant::now(),
                    watched: Interest::READ,
                };
                conns.insert(fd, conn);
            }
            Err(f) if f.errno() == Some(Errno::EAGAIN) => {
                give_back_slot(stats);
                return None; // the queue is empty
            }
            Err(f) if super::out_of_fds(&f) => {
                give_back_slot(stats);
                n.problem(
                    None,
                    &f,
                    &n.say(text!("multi-event-loop-not-watching-listener-100-ms")),
                );
                return Some(Instant::now() + Duration::from_millis(100));
            }
            Err(f) => {
                give_back_slot(stats);
                // ECONNABORTED, EPROTO, ENOBUFS...: this one connection is lost.
                n.problem(
                    None,
                    &f,
                    &n.say(text!("multi-event-loop-server-goes-accepting")),
                );
                return None;
            }
        }
    }
    None
}

/// One ready client: read and echo what we can, then watch it for what it needs now.
/// Returns whether it stays open.
fn serve_ready<M: Multiplexer>(
    n: &Narrator,
    mux: &mut M,
    conn: &mut Conn,
    event: &Ready,
    buf: &mut [u8],
    transform: Transform,
) -> Result<bool, Failure> {
    service(n, conn, event, buf, transform)?;
    if conn.finished() {
        return Ok(false);
    }
    let wanted = conn.interest();
    if wanted != conn.watched {
        mux.modify(n, &conn.sock, wanted)?; // its output filled up, or drained
        conn.watched = wanted;
    }
    Ok(true)
}

/// Reads what is there, queues the echo, sends what the kernel takes.
fn service(
    n: &Narrator,
    conn: &mut Conn,
    event: &Ready,
    buf: &mut [u8],
    transform: Transform,
) -> Result<(), Failure> {
    if event.readable || event.error {
        while conn.interest().read {
            match steps::recv(n, &conn.sock, buf) {
                Ok(0) => conn.eof = true,
                Ok(got) => {
                    conn.last_heard = Instant::now();
                    let data = &mut buf[..got];
                    if n.shows_data() {
                        n.data(
                            format!("{} → {}", conn.peer, strace::quoted_limit(data, 200)),
                            data,
                        );
                    }
                    transform.apply(data);
                    conn.out.extend_from_slice(data);
                    if got < buf.len() {
                        // A short read drained the socket: no need for one more recv
                        // just to hear EAGAIN. Level-triggered readiness reports it
                        // again if more has arrived meanwhile.
                        break;
                    }
                }
                Err(f) if f.errno() == Some(Errno::EAGAIN) => break, // nothing more for now
                Err(f) => return Err(f),
            }
        }
    }
    while conn.interest().write {
        match steps::send_some(n, &conn.sock, &conn.out[conn.sent..]) {
            Ok(sent) => conn.sent += sent,
            Err(f) if f.errno() == Some(Errno::EAGAIN) => break, // the rest waits in conn.out
            Err(f) => return Err(f),
        }
    }
    if conn.sent == conn.out.len() {
        conn.out.clear();
        conn.sent = 0;
    }
    Ok(())
}

/// Drops the clients that sent nothing for `idle` (`--idle-timeout`).
fn drop_idle<M: Multiplexer>(
    n: &Narrator,
    mux: &mut M,
    conns: &mut BTreeMap<RawFd, Conn>,
    idle: Duration,
    stats: &Stats,
) {
    let now = Instant::now();
    let silent: Vec<(RawFd, SocketAddr)> = conns
        .iter()
        .filter(|(_, c)| now.duration_since(c.last_heard) >= idle)
        .map(|(&fd, c)| (fd, c.peer))
        .collect();
    for (fd, peer) in silent {
        n.note(n.say(text!("multi-event-loop-idle-too-long-idle-timeout", peer)));
        close(n, mux, conns, fd, stats);
    }
}

/// Deregisters a client, then closes it (mio's order: the interest list never names a
/// closed fd, whose number the next `accept` may reuse).
fn close<M: Multiplexer>(
    n: &Narrator,
    mux: &mut M,
    conns: &mut BTreeMap<RawFd, Conn>,
    fd: RawFd,
    stats: &Stats,
) {
    if let Some(conn) = conns.remove(&fd) {
        let _ = mux.deregister(n, &conn.sock);
        let _ = steps::close(n, conn.sock);
        give_back_slot(stats);
    }
}

/// How long the multiplexer may sleep: until the next idle deadline or the end of an
/// accept back-off; forever when neither applies.
fn next_timeout(
    conns: &BTreeMap<RawFd, Conn>,
    idle: Option<Duration>,
    paused_until: Option<Instant>,
) -> Option<Duration> {
    let idle_deadline = idle.and_then(|idle| conns.values().map(|c| c.last_heard + idle).min());
    [idle_deadline, paused_until]
        .into_iter()
        .flatten()
        .min()
        .map(|deadline| deadline.saturating_duration_since(Instant::now()))
}
