//! The one-thread, non-blocking event loop shared by the select, poll and epoll models.
//! They differ only in *how they ask the kernel which sockets are ready* (the
//! [`Multiplexer`] each implements in its own file); everything else is here, once.
//!
//! Rules a non-blocking server must keep, and where this file keeps them:
//! - Never block: every socket is non-blocking; `EAGAIN` means "not now", never an error.
//! - Never lose bytes: what `send` could not take stays in the connection's output
//!   buffer (`Conn::out`) and goes when the socket is writable again.
//! - A slow reader never blocks the others, and never makes us buffer without limit:
//!   we stop reading from a client whose replies pile up (`HIGH_WATER`) until it drains.
//! - One client's failure (`ECONNRESET`, `EPIPE`) closes only that client.

use super::{announce, ServerArgs, Stats};
use nix::errno::Errno;
use raw_core::echo::Transform;
use raw_core::signals::stop_requested;
use raw_core::{steps, Failure, Narrator};
use socket2::Socket;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Stop reading from a client while this many echoed bytes wait to be sent to it.
pub const HIGH_WATER: usize = 256 * 1024;

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
}

impl Conn {
    /// Whether to watch this socket for reading: not after EOF, not while its replies
    /// pile up.
    pub fn wants_read(&self) -> bool {
        !self.eof && self.pending() < HIGH_WATER
    }

    /// Whether to watch this socket for writing: only while replies wait.
    pub fn wants_write(&self) -> bool {
        self.pending() > 0
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

/// How a model asks the kernel which sockets are ready: the only part of the event
/// loop that differs between select, poll and epoll.
pub trait Multiplexer {
    /// Blocks until some socket is ready or `timeout` passes (narrated as the syscall
    /// it makes). The listener is watched only while `accepting`.
    fn wait(
        &mut self,
        n: &Narrator,
        listener: &Socket,
        accepting: bool,
        conns: &BTreeMap<RawFd, Conn>,
        timeout: Option<Duration>,
    ) -> Result<Vec<Ready>, Failure>;

    /// Called before a client's socket is closed (epoll removes it from its list).
    fn forget(&mut self, _n: &Narrator, _sock: &Socket) {}

    /// Why this model cannot take a connection on `fd`, if it cannot (select's
    /// FD_SETSIZE ceiling).
    fn refuse(&self, _n: &Narrator, _fd: RawFd) -> Option<String> {
        None
    }
}

/// The event loop: wait for readiness, accept, read, echo, write; until SIGINT/SIGTERM.
pub fn serve(
    n: &Narrator,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Arc<Stats>,
    mux: &mut dyn Multiplexer,
) -> Result<(), Failure> {
    let mut conns: BTreeMap<RawFd, Conn> = BTreeMap::new();
    let mut buf = vec![0u8; args.buffer as usize];
    let mut accept_paused_until: Option<Instant> = None;
    let lfd = listener.as_raw_fd();
    let result = loop {
        if stop_requested() {
            break Ok(());
        }
        let now = Instant::now();
        let accepting =
            conns.len() < args.max_clients() && accept_paused_until.is_none_or(|t| now >= t);
        let timeout = next_timeout(&conns, args.idle_timeout, accept_paused_until, now);
        let ready = match mux.wait(n, listener, accepting, &conns, timeout) {
            Ok(ready) => ready,
            Err(f) if f.errno() == Some(Errno::EINTR) => continue, // the loop top checks the stop flag
            Err(f) => break Err(f),
        };
        for event in ready {
            if event.fd == lfd {
                accept_paused_until = accept_all(n, listener, bound, args, stats, mux, &mut conns);
                continue;
            }
            let Some(conn) = conns.get_mut(&event.fd) else {
                continue;
            };
            let outcome = service(n, conn, &event, &mut buf, args.transform, stats);
            match outcome {
                Ok(true) => {}
                Ok(false) => close(n, mux, &mut conns, event.fd),
                Err(f) => {
                    n.problem(
                        Some(conn.peer),
                        &f,
                        n.t("Only this connection ends.", "Só esta conexão termina."),
                    );
                    close(n, mux, &mut conns, event.fd);
                }
            }
        }
        if let Some(idle) = args.idle_timeout {
            let now = Instant::now();
            let silent: Vec<RawFd> = conns
                .iter()
                .filter(|(_, c)| now.duration_since(c.last_heard) >= idle)
                .map(|(&fd, _)| fd)
                .collect();
            for fd in silent {
                if let Some(c) = conns.get(&fd) {
                    n.note(format!(
                        "{}: {}",
                        c.peer,
                        n.t(
                            "idle too long (--idle-timeout): dropping this client.",
                            "ocioso demais (--idle-timeout): desconectando este cliente."
                        )
                    ));
                }
                close(n, mux, &mut conns, fd);
            }
        }
    };
    let fds: Vec<RawFd> = conns.keys().copied().collect();
    for fd in fds {
        close(n, mux, &mut conns, fd);
    }
    result
}

/// Takes every finished connection from the queue (until `EAGAIN`). Returns a time
/// until which to stop accepting, after running out of file descriptors.
fn accept_all(
    n: &Narrator,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Arc<Stats>,
    mux: &mut dyn Multiplexer,
    conns: &mut BTreeMap<RawFd, Conn>,
) -> Option<Instant> {
    while conns.len() < args.max_clients() {
        match steps::accept_nonblocking(n, listener) {
            Ok((sock, peer)) => {
                let fd = sock.as_raw_fd();
                if let Some(why) = mux.refuse(n, fd) {
                    n.note(why);
                    let _ = steps::close(n, sock);
                    continue;
                }
                stats.connections.fetch_add(1, Ordering::Relaxed);
                announce(n, fd, bound, peer);
                conns.insert(
                    fd,
                    Conn {
                        sock,
                        peer,
                        out: Vec::new(),
                        sent: 0,
                        eof: false,
                        last_heard: Instant::now(),
                    },
                );
            }
            Err(f) if f.errno() == Some(Errno::EAGAIN) => return None, // the queue is empty
            Err(f) if super::out_of_fds(&f) => {
                n.problem(
                    None,
                    &f,
                    n.t("Not watching the listener for 100 ms; the clients already connected are still served.", "Deixando de vigiar o socket de escuta por 100 ms; os clientes já conectados continuam sendo atendidos."),
                );
                return Some(Instant::now() + Duration::from_millis(100));
            }
            Err(f) => {
                // ECONNABORTED, EPROTO, ENOBUFS...: this one connection is lost.
                n.problem(
                    None,
                    &f,
                    n.t(
                        "The server goes on accepting.",
                        "O servidor continua aceitando conexões.",
                    ),
                );
                return None;
            }
        }
    }
    None
}

/// Serves one ready client: read what is there, queue the echo, send what we can.
/// Returns whether the connection stays open.
fn service(
    n: &Narrator,
    conn: &mut Conn,
    event: &Ready,
    buf: &mut [u8],
    transform: Transform,
    stats: &Stats,
) -> Result<bool, Failure> {
    if event.readable || event.error {
        while conn.wants_read() {
            match steps::recv(n, &conn.sock, buf) {
                Ok(0) => conn.eof = true,
                Ok(got) => {
                    conn.last_heard = Instant::now();
                    let data = &mut buf[..got];
                    transform.apply(data);
                    conn.out.extend_from_slice(data);
                    stats.echoed(got as u64);
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
    while conn.wants_write() {
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
    Ok(!(conn.eof && conn.out.is_empty()))
}

fn close(n: &Narrator, mux: &mut dyn Multiplexer, conns: &mut BTreeMap<RawFd, Conn>, fd: RawFd) {
    if let Some(conn) = conns.remove(&fd) {
        mux.forget(n, &conn.sock);
        let _ = steps::close(n, conn.sock);
    }
}

/// How long the multiplexer may sleep: until the next idle deadline or the end of an
/// accept back-off; forever when neither applies.
fn next_timeout(
    conns: &BTreeMap<RawFd, Conn>,
    idle: Option<Duration>,
    paused_until: Option<Instant>,
    now: Instant,
) -> Option<Duration> {
    let idle_deadline = idle.and_then(|idle| conns.values().map(|c| c.last_heard + idle).min());
    [idle_deadline, paused_until]
        .into_iter()
        .flatten()
        .min()
        .map(|deadline| deadline.saturating_duration_since(now))
}
