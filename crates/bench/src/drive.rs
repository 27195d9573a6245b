//! The load generator: connections already made, driven by one thread with `poll`,
//! then closed politely.

use crate::{failed, Measured, Proto, Result};
use nix::errno::Errno;
use raw_core::Failure;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Many already-connected clients at once for `duration`, driven by one thread with
/// `poll` (so the load generator costs one core at most and the server gets the
/// other). The window opens when this is called, after
/// [`connect_all`](crate::connect_all): connecting is never counted as measuring.
/// Closed loop (each client sends its next request when the reply arrives) unless
/// `rate` is given: then an open loop at that total rate, where each request has a
/// scheduled send time and its latency counts from that time, so a server that falls
/// behind shows it (no coordinated omission).
pub fn load(
    addr: SocketAddr,
    streams: Vec<TcpStream>,
    size: usize,
    duration: Duration,
    rate: Option<f64>,
) -> Result<Measured> {
    load_then(addr, streams, size, duration, rate, || {})
}

/// [`load`], calling `at_close` the moment the window closes, before the connections
/// say goodbye (`raw-bench costs` samples the server's threads there, while they live).
pub fn load_then(
    addr: SocketAddr,
    streams: Vec<TcpStream>,
    size: usize,
    duration: Duration,
    rate: Option<f64>,
    at_close: impl FnOnce(),
) -> Result<Measured> {
    let mut load = Load::new(addr, streams, size, rate);
    let end = load.begin + duration;
    while Instant::now() < end {
        load.send_due()?;
        for i in load.poll_ready()? {
            load.advance(i)?;
        }
    }
    let mut m = load.m;
    m.elapsed = load.begin.elapsed();
    at_close();
    m.silent_clients = load.conns.iter().filter(|c| c.done == 0).count();
    say_goodbye(load.conns.into_iter().map(|c| c.stream).collect());
    Ok(m)
}

/// One connection of the load, and where its request stands.
struct Conn {
    stream: TcpStream,
    scheduled: Instant,
    waiting: bool,
    sent: usize,
    got: usize,
    done: u64,
}

impl Conn {
    /// Writes what the send buffer takes now; the rest when poll says POLLOUT.
    fn push(&mut self, out: &[u8], addr: SocketAddr) -> Result<()> {
        while self.sent < out.len() {
            match (&self.stream).write(&out[self.sent..]) {
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(failed("sendto", addr, Proto::Tcp)(e)),
            }
        }
        Ok(())
    }
}

/// A load under way: its connections, the request they send, and what was measured.
struct Load {
    addr: SocketAddr,
    conns: Vec<Conn>,
    /// Open loop: the time between two requests of one client (closed loop: `None`).
    period: Option<Duration>,
    size: usize,
    out: Vec<u8>,
    back: Vec<u8>,
    m: Measured,
    /// When the window opened.
    begin: Instant,
}

impl Load {
    /// The window opens now.
    fn new(addr: SocketAddr, streams: Vec<TcpStream>, size: usize, rate: Option<f64>) -> Load {
        let clients = streams.len().max(1);
        let period = rate.map(|r| Duration::from_secs_f64(clients as f64 / r.max(1e-9)));
        let begin = Instant::now();
        let conns: Vec<Conn> = streams
            .into_iter()
            .enumerate()
            .map(|(i, stream)| {
                // Open loop: spread the clients' schedules evenly over one period.
                let offset = period
                    .map(|p| p.mul_f64(i as f64 / clients as f64))
                    .unwrap_or_default();
                Conn {
                    stream,
                    scheduled: begin + offset,
                    waiting: false,
                    sent: 0,
                    got: 0,
                    done: 0,
                }
            })
            .collect();
        Load {
            addr,
            conns,
            period,
            size,
            out: vec![b'x'; size],
            back: vec![0u8; size.clamp(1, 1 << 20)],
            m: Measured::new(),
            begin,
        }
    }

    /// Sends the next request of every client that is due: at once in a closed loop, at
    /// its scheduled time in an open one.
    fn send_due(&mut self) -> Result<()> {
        let now = Instant::now();
        for c in self
            .conns
            .iter_mut()
            .filter(|c| !c.waiting && c.scheduled <= now)
        {
            if self.period.is_none() {
                c.scheduled = now;
            }
            c.waiting = true;
            self.m.requests += 1;
            c.sent = 0;
            c.got = 0;
            c.push(&self.out, self.addr)?;
        }
        Ok(())
    }

    /// Waits (at most 10 ms, less when a send is due sooner) until some waiting clients
    /// can write or read: their indexes.
    fn poll_ready(&self) -> Result<Vec<usize>> {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        use std::os::fd::AsFd;
        let conns = &self.conns;
        let next_send = conns
            .iter()
            .filter(|c| !c.waiting)
            .map(|c| c.scheduled)
            .min();
        let wait = next_send.map_or(Duration::from_millis(10), |t| {
            t.saturating_duration_since(Instant::now())
        });
        let waiting: Vec<usize> = (0..conns.len()).filter(|&i| conns[i].waiting).collect();
        let mut fds: Vec<PollFd> = waiting
            .iter()
            .map(|&i| {
                let c = &conns[i];
                let mut flags = PollFlags::POLLIN;
                if c.sent < self.size {
                    flags |= PollFlags::POLLOUT;
                }
                PollFd::new(c.stream.as_fd(), flags)
            })
            .collect();
        let ms =
            PollTimeout::try_from(wait.as_millis().min(10) as u32).unwrap_or(PollTimeout::ZERO);
        match poll(&mut fds, ms) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(Failure::sys("poll", e)),
        }
        let ready: Vec<usize> = fds
            .iter()
            .zip(&waiting)
            .filter(|(p, _)| p.revents().is_some_and(|r| !r.is_empty()))
            .map(|(_, &i)| i)
            .collect();
        Ok(ready)
    }

    /// Client `i` is ready: sends what is left of its request, reads what came back,
    /// and records the round trip once the whole reply is in.
    fn advance(&mut self, i: usize) -> Result<()> {
        let size = self.size;
        let c = &mut self.conns[i];
        c.push(&self.out, self.addr)?;
        loop {
            let room = self.back.len().min(size - c.got);
            if room == 0 {
                break;
            }
            match (&c.stream).read(&mut self.back[..room]) {
                Ok(0) => {
                    return Err(Failure::ShortReply {
                        got: c.got,
                        expected: size,
                    })
                }
                Ok(n) => c.got += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(failed("recvfrom", self.addr, Proto::Tcp)(e)),
            }
        }
        if c.got == size {
            let _ = self
                .m
                .hist
                .record(c.scheduled.elapsed().as_nanos().max(1) as u64);
            self.m.count += 1;
            c.done += 1;
            c.waiting = false;
            if let Some(p) = self.period {
                c.scheduled += p;
            }
        }
        Ok(())
    }
}

/// Ends the connections politely, so the server sees an end of stream instead of a
/// reset: `shutdown(SHUT_WR)` on each (our FIN), then read what is still in flight
/// until the server's FIN, for at most 500 ms in all; the sockets are closed when
/// dropped.
fn say_goodbye(streams: Vec<TcpStream>) {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let mut open: Vec<TcpStream> = streams
        .into_iter()
        .filter(|s| s.shutdown(std::net::Shutdown::Write).is_ok())
        .collect();
    let deadline = Instant::now() + Duration::from_millis(500);
    let mut sink = [0u8; 65536];
    while !open.is_empty() && Instant::now() < deadline {
        let mut fds: Vec<PollFd> = open
            .iter()
            .map(|s| PollFd::new(s.as_fd(), PollFlags::POLLIN))
            .collect();
        if poll(&mut fds, PollTimeout::from(50u16)).is_err() {
            break;
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|p| p.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        drop(fds);
        let mut still = Vec::with_capacity(open.len());
        for (s, ready) in open.into_iter().zip(ready) {
            let finished = ready
                && loop {
                    match (&s).read(&mut sink) {
                        Ok(0) => break true, // the server's FIN
                        Ok(_) => continue,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break false,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(_) => break true,
                    }
                };
            if !finished {
                still.push(s);
            }
        }
        open = still;
    }
}

/// `total` round trips of `size` bytes spread over already-connected streams, all in
/// flight at once, driven by one thread with `poll` (the criterion `multi` group's
/// driver: it leaves the other core to the server). Returns the time taken.
pub fn pingpong_many(streams: &mut [TcpStream], size: usize, total: u64) -> io::Result<Duration> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    for s in streams.iter() {
        s.set_nonblocking(true)?;
    }
    let out = vec![b'x'; size];
    let mut back = vec![0u8; size.max(1)];
    let mut got = vec![0usize; streams.len()];
    let start = Instant::now();
    let (mut sent, mut done) = (0u64, 0u64);
    for s in streams.iter() {
        if sent < total {
            (&*s).write_all(&out)?;
            sent += 1;
        }
    }
    while done < total {
        let mut fds: Vec<PollFd> = streams
            .iter()
            .map(|s| PollFd::new(s.as_fd(), PollFlags::POLLIN))
            .collect();
        match poll(&mut fds, PollTimeout::from(1000u16)) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(io::Error::from_raw_os_error(e as i32)),
        }
        let ready: Vec<usize> = fds
            .iter()
            .enumerate()
            .filter(|(_, p)| p.revents().is_some_and(|r| !r.is_empty()))
            .map(|(i, _)| i)
            .collect();
        drop(fds);
        for i in ready {
            match (&streams[i]).read(&mut back[..size - got[i]]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "server closed",
                    ))
                }
                Ok(n) => got[i] += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
            if got[i] == size {
                got[i] = 0;
                done += 1;
                if sent < total {
                    (&streams[i]).write_all(&out)?;
                    sent += 1;
                }
            }
        }
    }
    for s in streams.iter() {
        s.set_nonblocking(false)?;
    }
    Ok(start.elapsed())
}
