//! The load's connect phase: a crowd of connections opened at once, every handshake
//! bounded by a deadline, and a report of how it went (and why it was slow).

use crate::procstat::overflow_counters;
use crate::{failed, Proto, Result};
use nix::errno::Errno;
use raw_core::{Fact, Failure};
use serde::Serialize;
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// What happened while the load's connections were being made, before any measuring.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Connected {
    /// Connections asked for (`--clients`).
    pub wanted: usize,
    /// Connections whose handshake completed (on our side: the SYN-ACK came back).
    pub established: usize,
    /// Connections the kernel refused or reset, and the first errno seen.
    pub failed: usize,
    /// The errno of the first failed connection (`ECONNREFUSED`, ...).
    pub first_errno: Option<String>,
    /// Connections still in SYN-SENT at the deadline, given up.
    pub timed_out: usize,
    /// How long the whole phase took, in seconds.
    pub seconds: f64,
    /// Connections that took over one second: their SYN went unanswered and was sent
    /// again after the initial retransmission timeout (1 s, RFC 6298).
    pub slow: usize,
    /// Listen-queue overflows the kernel counted meanwhile (`TcpExtListenOverflows` in
    /// `/proc/net/netstat`: a SYN or an ACK dropped because an accept queue was full).
    pub listen_overflows: u64,
    /// TCP segments the kernel retransmitted meanwhile (`TcpRetransSegs`, `/proc/net/snmp`).
    pub retransmitted: u64,
    /// Why no connection at all could be made (then there is nothing to measure).
    #[serde(skip)]
    pub failure: Option<Failure>,
}

/// Opens `clients` connections to `addr` at once, as a crowd of clients would: every
/// `connect` non-blocking, then `poll` for them all until `deadline` has passed. Never
/// hangs: what has not connected by then is given up and counted. When no connection
/// at all was made, the report's `failure` says why (naming the syscall and errno, e.g.
/// `connect(2) ECONNREFUSED`). Fails at once only when `socket(2)` itself fails
/// (`EMFILE`: too many clients for `ulimit -n`).
pub fn connect_all(
    addr: SocketAddr,
    clients: usize,
    deadline: Duration,
) -> Result<(Vec<TcpStream>, Connected)> {
    let (overflows0, retrans0) = overflow_counters();
    let start = Instant::now();
    let mut crowd = Crowd {
        addr,
        report: Connected {
            wanted: clients,
            ..Connected::default()
        },
        done: Vec::with_capacity(clients),
        first_failure: None,
        pending: Vec::new(),
    };
    for _ in 0..clients {
        crowd.connect()?;
    }
    while !crowd.pending.is_empty() && start.elapsed() < deadline {
        crowd.poll_pending(start)?;
    }
    let Crowd {
        mut report,
        done,
        pending,
        first_failure,
        ..
    } = crowd;
    report.timed_out = pending.len();
    report.established = done.len();
    report.seconds = start.elapsed().as_secs_f64();
    let (overflows1, retrans1) = overflow_counters();
    report.listen_overflows = overflows1.saturating_sub(overflows0);
    report.retransmitted = retrans1.saturating_sub(retrans0);
    report.first_errno = first_failure
        .as_ref()
        .and_then(|f| f.errno())
        .map(|e| format!("{e:?}"));
    report.failure = if done.is_empty() {
        Some(match first_failure {
            Some(f) => f,
            None => Failure::sys("connect", Errno::ETIMEDOUT)
                .with(Fact::Addr(addr))
                .with(Fact::TimedOutAfter(deadline.as_secs_f64())),
        })
    } else {
        None
    };
    Ok((done, report))
}

/// The connections of [`connect_all`] while they are being made.
struct Crowd {
    addr: SocketAddr,
    report: Connected,
    /// Connected.
    done: Vec<TcpStream>,
    /// The first connection's failure, if any failed.
    first_failure: Option<Failure>,
    /// Handshakes under way (`connect` said `EINPROGRESS`).
    pending: Vec<Socket>,
}

impl Crowd {
    /// One more client: a non-blocking socket with `TCP_NODELAY`, and its `connect`.
    fn connect(&mut self) -> Result<()> {
        let addr = self.addr;
        let s = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .map_err(failed("socket", addr, Proto::Tcp))?;
        s.set_nonblocking(true)
            .map_err(failed("fcntl", addr, Proto::Tcp))?;
        s.set_tcp_nodelay(true)
            .map_err(failed("setsockopt", addr, Proto::Tcp))?;
        match s.connect(&addr.into()) {
            Ok(()) => self.done.push(s.into()),
            Err(e) if e.raw_os_error() == Some(Errno::EINPROGRESS as i32) => self.pending.push(s),
            Err(e) => self.connect_failed(e),
        }
        Ok(())
    }

    /// Counts a connection that failed, and keeps the first failure.
    fn connect_failed(&mut self, e: io::Error) {
        self.report.failed += 1;
        self.first_failure
            .get_or_insert(failed("connect", self.addr, Proto::Tcp)(e));
    }

    /// Waits at most 100 ms for handshakes to end, and sorts those that did: connected
    /// (slow when it took over a second since `start`) or failed.
    fn poll_pending(&mut self, start: Instant) -> Result<()> {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        use std::os::fd::AsFd;
        let mut fds: Vec<PollFd> = self
            .pending
            .iter()
            .map(|s| PollFd::new(s.as_fd(), PollFlags::POLLOUT))
            .collect();
        match poll(&mut fds, PollTimeout::from(100u16)) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(Failure::sys("poll", e)),
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|p| p.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        drop(fds);
        let took = start.elapsed();
        let pending = std::mem::take(&mut self.pending);
        let mut still = Vec::with_capacity(pending.len());
        for (s, ready) in pending.into_iter().zip(ready) {
            if !ready {
                still.push(s);
                continue;
            }
            // getsockopt(SO_ERROR): how the handshake ended.
            match s.take_error() {
                Ok(None) => {
                    if took > Duration::from_secs(1) {
                        self.report.slow += 1;
                    }
                    self.done.push(s.into());
                }
                Ok(Some(e)) | Err(e) => self.connect_failed(e),
            }
        }
        self.pending = still;
        Ok(())
    }
}
