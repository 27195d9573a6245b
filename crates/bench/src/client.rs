//! One client connection, TCP or UDP: its round trips, and a bulk stream through the echo.

use crate::{failed, Proto, Result};
use raw_core::text;
use raw_core::Failure;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// A connected TCP client with `TCP_NODELAY`.
pub fn tcp_client(addr: SocketAddr) -> Result<TcpStream> {
    let s = TcpStream::connect(addr).map_err(failed("connect", addr, Proto::Tcp))?;
    s.set_nodelay(true)
        .map_err(failed("setsockopt", addr, Proto::Tcp))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(failed("setsockopt", addr, Proto::Tcp))?;
    Ok(s)
}

/// A connected UDP client (replies from anyone else are filtered by the kernel).
pub fn udp_client(addr: SocketAddr) -> Result<UdpSocket> {
    let local: SocketAddr = if addr.is_ipv4() {
        ([127, 0, 0, 1], 0).into()
    } else {
        (std::net::Ipv6Addr::LOCALHOST, 0).into()
    };
    let s = UdpSocket::bind(local).map_err(failed("bind", local, Proto::Udp))?;
    s.connect(addr)
        .map_err(failed("connect", addr, Proto::Udp))?;
    s.set_read_timeout(Some(Duration::from_secs(1)))
        .map_err(failed("setsockopt", addr, Proto::Udp))?;
    Ok(s)
}

/// One client connection of either protocol.
#[derive(Debug)]
pub enum Client {
    /// A TCP stream.
    Tcp(TcpStream, SocketAddr),
    /// A connected UDP socket.
    Udp(UdpSocket, SocketAddr),
}

/// How one round trip ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trip {
    /// The whole reply came back.
    Done,
    /// UDP: no reply within the timeout (a lost datagram, counted, not fatal).
    Lost,
}

impl Client {
    /// Connects to `addr`.
    pub fn connect(proto: Proto, addr: SocketAddr) -> Result<Client> {
        Ok(match proto {
            Proto::Tcp => Client::Tcp(tcp_client(addr)?, addr),
            Proto::Udp => Client::Udp(udp_client(addr)?, addr),
        })
    }

    /// How long a TCP round trip may wait for its reply before it fails (`SO_RCVTIMEO`;
    /// 10 s unless set). UDP keeps its 1 s, after which a datagram counts as lost.
    pub fn reply_timeout(&self, wait: Duration) -> Result<()> {
        match self {
            Client::Tcp(s, addr) => {
                s.set_read_timeout(Some(wait))
                    .map_err(failed("setsockopt", *addr, Proto::Tcp))
            }
            Client::Udp(..) => Ok(()),
        }
    }

    /// One round trip: send `out`, receive as many bytes into `back`.
    pub fn roundtrip(&mut self, out: &[u8], back: &mut [u8]) -> Result<Trip> {
        match self {
            Client::Tcp(s, addr) => {
                s.write_all(out)
                    .map_err(failed("sendto", *addr, Proto::Tcp))?;
                let mut got = 0;
                while got < out.len() {
                    match s.read(&mut back[got..out.len()]) {
                        Ok(0) => {
                            return Err(Failure::ShortReply {
                                got,
                                expected: out.len(),
                            })
                        }
                        Ok(n) => got += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {} // EINTR: again
                        Err(e) => return Err(failed("recvfrom", *addr, Proto::Tcp)(e)),
                    }
                }
                Ok(Trip::Done)
            }
            Client::Udp(s, addr) => {
                s.send(out).map_err(failed("sendto", *addr, Proto::Udp))?;
                match s.recv(back) {
                    Ok(got) if got == out.len() => Ok(Trip::Done),
                    Ok(got) => Err(Failure::ShortReply {
                        got,
                        expected: out.len(),
                    }),
                    // SO_RCVTIMEO ran out: the datagram (or its echo) was lost.
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) =>
                    {
                        Ok(Trip::Lost)
                    }
                    Err(e) => Err(failed("recvfrom", *addr, Proto::Udp)(e)),
                }
            }
        }
    }
}

/// One TCP connection streaming `write_size` writes through the echo for `duration`,
/// reading everything back on another thread: bytes echoed per second.
pub fn bulk(addr: SocketAddr, write_size: usize, duration: Duration) -> Result<f64> {
    let mut writer = tcp_client(addr)?;
    let mut reader = writer
        .try_clone()
        .map_err(failed("fcntl", addr, Proto::Tcp))?;
    let chunk = vec![b'x'; write_size];
    let start = Instant::now();
    let sent = std::thread::scope(|scope| -> Result<u64> {
        let counter = scope.spawn(move || -> Result<u64> {
            let mut buf = vec![0u8; 1 << 20];
            let mut total = 0u64;
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => return Ok(total),
                    Ok(n) => total += n as u64,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(failed("recvfrom", addr, Proto::Tcp)(e)),
                }
            }
        });
        let mut sent = 0u64;
        while start.elapsed() < duration {
            writer
                .write_all(&chunk)
                .map_err(failed("sendto", addr, Proto::Tcp))?;
            sent += write_size as u64;
        }
        writer
            .shutdown(std::net::Shutdown::Write)
            .map_err(failed("shutdown", addr, Proto::Tcp))?;
        let echoed = counter
            .join()
            .unwrap_or_else(|_| Err(Failure::Runtime(text!("bench-reader-panicked"))))?;
        Ok(sent.min(echoed))
    })?;
    Ok(sent as f64 / start.elapsed().as_secs_f64())
}
