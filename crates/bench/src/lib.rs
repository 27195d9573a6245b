//! # bench: what the echo paths cost
//!
//! The servers under test are the labs' own code, run as separate processes through
//! the hidden `raw-bench serve` subcommand (which calls `raw_tcp::server::run`,
//! `raw_udp::server::run` or `raw_multi::models::run`, silently, with `TCP_NODELAY`).
//! A separate process keeps the fork model safe (no fork from a multi-threaded
//! benchmark) and measures the server as it runs in production. The load is driven
//! with plain std sockets, as fast as they go.
//!
//! Used by `benches/echo.rs` (criterion) and by the `raw-bench` CLI (latency
//! percentiles, load, and the comparison with sockperf).

#![forbid(unsafe_code)]

use clap::ValueEnum;
use hdrhistogram::Histogram;
use raw_core::echo::Transform;
use raw_core::{Lang, Mode, Narrator};
use raw_multi::models::Model;
use serde::Serialize;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// TCP or UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    /// TCP ping-pong on one connection.
    Tcp,
    /// UDP ping-pong, one datagram each way.
    Udp,
}

/// Which of our servers to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// `raw-tcp server --forever` (iterative: one client at a time).
    Tcp,
    /// `raw-udp server`.
    Udp,
    /// `raw-multi server --model M`.
    Multi(Model),
}

impl ServerKind {
    /// The protocol this server speaks.
    pub fn proto(self) -> Proto {
        if self == ServerKind::Udp {
            Proto::Udp
        } else {
            Proto::Tcp
        }
    }
}

/// A server running in a child process; killed when dropped.
#[derive(Debug)]
pub struct Running {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago.
pub fn free_port(proto: Proto) -> io::Result<u16> {
    Ok(match proto {
        Proto::Tcp => std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port(),
        Proto::Udp => UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port(),
    })
}

/// Starts one of our servers (`exe serve ...`) and waits, at most 10 s, until the
/// kernel lists its socket.
pub fn start(exe: &Path, kind: ServerKind) -> io::Result<Running> {
    let port = free_port(kind.proto())?;
    let mut cmd = Command::new(exe);
    cmd.arg("serve").arg("--port").arg(port.to_string());
    match kind {
        ServerKind::Tcp => cmd.args(["--kind", "tcp"]),
        ServerKind::Udp => cmd.args(["--kind", "udp"]),
        ServerKind::Multi(model) => cmd.args(["--kind", "multi", "--model", model_name(model)]),
    };
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let running = Running {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    };
    wait_listening(kind.proto(), port)?;
    Ok(running)
}

/// The model's name on the command line.
pub fn model_name(model: Model) -> &'static str {
    match model {
        Model::Fork => "fork",
        Model::Thread => "thread",
        Model::Select => "select",
        Model::Poll => "poll",
        Model::Epoll => "epoll",
    }
}

/// All five models, in the lab's order.
pub const MODELS: [Model; 5] = [
    Model::Fork,
    Model::Thread,
    Model::Select,
    Model::Poll,
    Model::Epoll,
];

fn wait_listening(proto: Proto, port: u16) -> io::Result<()> {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        let up = match proto {
            Proto::Tcp => raw_core::kernel_table::on_port(port)
                .iter()
                .any(|s| s.state.name() == "LISTEN"),
            Proto::Udp => raw_core::kernel_table::udp_sockets()
                .iter()
                .any(|s| s.local.port() == port),
        };
        if up {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(io::Error::new(
        io::ErrorKind::TimedOut,
        format!("no server on port {port} after 10 s"),
    ))
}

/// The body of `raw-bench serve`: runs one of the labs' servers in this process,
/// silently, echoing bytes unchanged, with `TCP_NODELAY`, until killed.
pub fn serve(kind: ServerKind, port: u16) -> Result<(), raw_core::Failure> {
    let n = Narrator::new(Lang::En, Mode::Silent, "server");
    let host = "127.0.0.1".to_string();
    match kind {
        ServerKind::Tcp => raw_tcp::server::run(
            &n,
            &raw_tcp::server::ServerArgs {
                host,
                port,
                backlog: 1024,
                no_reuseaddr: false,
                forever: true,
                transform: Transform::None,
                buffer: 65536,
                nodelay: true,
            },
        ),
        ServerKind::Udp => raw_udp::server::run(
            &n.udp(),
            &raw_udp::server::ServerArgs {
                host,
                port,
                transform: Transform::None,
                buffer: 65535,
                rate_limit: 0,
            },
        ),
        ServerKind::Multi(model) => raw_multi::models::run(
            &n,
            &raw_multi::models::ServerArgs {
                model,
                host,
                port,
                backlog: 1024,
                max_clients: Some(4096),
                idle_timeout: None,
                transform: Transform::None,
                buffer: 65536,
                nodelay: true,
            },
        ),
    }
}

/// A connected TCP client with `TCP_NODELAY`.
pub fn tcp_client(addr: SocketAddr) -> io::Result<TcpStream> {
    let s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    Ok(s)
}

/// A connected UDP client (replies from anyone else are filtered by the kernel).
pub fn udp_client(addr: SocketAddr) -> io::Result<UdpSocket> {
    let s = UdpSocket::bind("127.0.0.1:0")?;
    s.connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(1)))?;
    Ok(s)
}

/// One client connection of either protocol.
#[derive(Debug)]
pub enum Client {
    /// A TCP stream.
    Tcp(TcpStream),
    /// A connected UDP socket.
    Udp(UdpSocket),
}

impl Client {
    /// Connects to `addr`.
    pub fn connect(proto: Proto, addr: SocketAddr) -> io::Result<Client> {
        Ok(match proto {
            Proto::Tcp => Client::Tcp(tcp_client(addr)?),
            Proto::Udp => Client::Udp(udp_client(addr)?),
        })
    }

    /// One round trip: send `out`, receive as many bytes into `back`.
    pub fn roundtrip(&mut self, out: &[u8], back: &mut [u8]) -> io::Result<()> {
        match self {
            Client::Tcp(s) => {
                s.write_all(out)?;
                s.read_exact(&mut back[..out.len()])
            }
            Client::Udp(s) => {
                s.send(out)?;
                let got = s.recv(back)?;
                if got == out.len() {
                    Ok(())
                } else {
                    Err(io::Error::new(io::ErrorKind::InvalidData, "short datagram"))
                }
            }
        }
    }
}

/// Round-trip latencies (nanoseconds) and how many round trips per second.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Latency histogram, in nanoseconds.
    pub hist: Histogram<u64>,
    /// Round trips completed.
    pub count: u64,
    /// Round trips lost (UDP timeouts) or failed.
    pub errors: u64,
    /// Wall time of the measurement.
    pub elapsed: Duration,
}

/// Percentiles as `raw-bench` prints them.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Round trips completed.
    pub round_trips: u64,
    /// Round trips lost or failed.
    pub errors: u64,
    /// Round trips per second.
    pub per_second: f64,
    /// Median, in microseconds.
    pub p50_us: f64,
    /// 90th percentile, µs.
    pub p90_us: f64,
    /// 99th percentile, µs.
    pub p99_us: f64,
    /// 99.9th percentile, µs.
    pub p999_us: f64,
    /// Slowest, µs.
    pub max_us: f64,
}

impl Measured {
    fn new() -> Measured {
        Measured {
            hist: new_hist(),
            count: 0,
            errors: 0,
            elapsed: Duration::ZERO,
        }
    }

    /// The percentiles.
    pub fn summary(&self) -> Summary {
        let us = |q: f64| self.hist.value_at_quantile(q) as f64 / 1000.0;
        Summary {
            round_trips: self.count,
            errors: self.errors,
            per_second: self.count as f64 / self.elapsed.as_secs_f64().max(1e-9),
            p50_us: us(0.5),
            p90_us: us(0.9),
            p99_us: us(0.99),
            p999_us: us(0.999),
            max_us: self.hist.max() as f64 / 1000.0,
        }
    }
}

fn new_hist() -> Histogram<u64> {
    // 1 ns .. 60 s, 3 significant digits.
    Histogram::new_with_bounds(1, 60_000_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!("3 digits is valid")))
}

/// Ping-pong on one connection for `duration`: the latency of each round trip.
/// `tick` is called about every 100 ms with the fraction done (for a progress bar).
pub fn latency(
    proto: Proto,
    addr: SocketAddr,
    size: usize,
    duration: Duration,
    mut tick: impl FnMut(f64),
) -> io::Result<Measured> {
    let mut client = Client::connect(proto, addr)?;
    let out = vec![b'x'; size];
    let mut back = vec![0u8; size.max(1)];
    // Warm up: let caches, the scheduler and TCP settle.
    for _ in 0..200 {
        client.roundtrip(&out, &mut back)?;
    }
    let mut m = Measured::new();
    let start = Instant::now();
    let mut next_tick = start;
    while start.elapsed() < duration {
        let t0 = Instant::now();
        match client.roundtrip(&out, &mut back) {
            Ok(()) => {
                let _ = m.hist.record(t0.elapsed().as_nanos().max(1) as u64);
                m.count += 1;
            }
            Err(e)
                if proto == Proto::Udp
                    && matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
            {
                m.errors += 1
            }
            Err(e) => return Err(e),
        }
        if t0 >= next_tick {
            tick(start.elapsed().as_secs_f64() / duration.as_secs_f64());
            next_tick = t0 + Duration::from_millis(100);
        }
    }
    m.elapsed = start.elapsed();
    Ok(m)
}

/// Many clients at once for `duration`, driven by one thread with `poll` (so the load
/// generator costs one core at most and the server gets the other). Closed loop (each
/// client sends its next request when the reply arrives) unless `rate` is given: then
/// an open loop at that total rate, where each request has a scheduled send time and
/// its latency counts from that time, so a server that falls behind shows it (no
/// coordinated omission).
pub fn load(
    addr: SocketAddr,
    clients: usize,
    size: usize,
    duration: Duration,
    rate: Option<f64>,
) -> io::Result<Measured> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    struct Conn {
        stream: TcpStream,
        scheduled: Instant,
        waiting: bool,
        got: usize,
    }
    let period = rate.map(|r| Duration::from_secs_f64(clients as f64 / r.max(1e-9)));
    let begin = Instant::now() + Duration::from_millis(20);
    let mut conns: Vec<Conn> = (0..clients)
        .map(|i| -> io::Result<Conn> {
            let stream = tcp_client(addr)?;
            stream.set_nonblocking(true)?;
            // Open loop: spread the clients' schedules evenly over one period.
            let offset = period
                .map(|p| p.mul_f64(i as f64 / clients as f64))
                .unwrap_or_default();
            Ok(Conn {
                stream,
                scheduled: begin + offset,
                waiting: false,
                got: 0,
            })
        })
        .collect::<io::Result<_>>()?;
    let out = vec![b'x'; size];
    let mut back = vec![0u8; size.max(1)];
    let mut m = Measured::new();
    let end = begin + duration;
    while Instant::now() < end {
        let now = Instant::now();
        for c in conns
            .iter_mut()
            .filter(|c| !c.waiting && c.scheduled <= now)
        {
            if period.is_none() {
                c.scheduled = now;
            }
            (&c.stream).write_all(&out)?; // small: the send buffer takes it at once
            c.waiting = true;
            c.got = 0;
        }
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
            .map(|&i| PollFd::new(conns[i].stream.as_fd(), PollFlags::POLLIN))
            .collect();
        let ms =
            PollTimeout::try_from(wait.as_millis().min(10) as u32).unwrap_or(PollTimeout::ZERO);
        match poll(&mut fds, ms) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(io::Error::from_raw_os_error(e as i32)),
        }
        let ready: Vec<usize> = fds
            .iter()
            .zip(&waiting)
            .filter(|(p, _)| p.revents().is_some_and(|r| !r.is_empty()))
            .map(|(_, &i)| i)
            .collect();
        drop(fds);
        for i in ready {
            let c = &mut conns[i];
            match (&c.stream).read(&mut back[c.got..size]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "server closed",
                    ))
                }
                Ok(n) => c.got += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
            if c.got == size {
                let _ = m
                    .hist
                    .record(c.scheduled.elapsed().as_nanos().max(1) as u64);
                m.count += 1;
                c.waiting = false;
                if let Some(p) = period {
                    c.scheduled += p;
                }
            }
        }
    }
    m.elapsed = duration;
    Ok(m)
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

/// sockperf's own ping-pong (its server and its client) on a free port: the full
/// round trip's median and 99th percentile in microseconds (`--full-rtt`; without it
/// sockperf prints half the round trip). `None` when sockperf is not installed.
pub fn sockperf(proto: Proto, size: usize, duration: Duration) -> io::Result<Option<(f64, f64)>> {
    if Command::new("sockperf")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        return Ok(None);
    }
    let port = free_port(proto)?.to_string();
    let flag = if proto == Proto::Tcp {
        vec!["--tcp"]
    } else {
        vec![]
    };
    let mut server = Command::new("sockperf")
        .arg("server")
        .args(&flag)
        .args(["-i", "127.0.0.1", "-p", &port])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    wait_listening(proto, port.parse().unwrap_or(0))?;
    let secs = duration.as_secs().max(1).to_string();
    let out = Command::new("sockperf")
        .arg("ping-pong")
        .args(&flag)
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            &secs,
            "-m",
            &size.max(14).to_string(),
            "--full-rtt",
        ])
        .output();
    let _ = server.kill();
    let _ = server.wait();
    let text = String::from_utf8_lossy(&out?.stdout).into_owned();
    let pct = |p: &str| {
        text.lines()
            .find(|l| l.contains(&format!("percentile {p} =")))
            .and_then(|l| l.rsplit('=').next()?.trim().parse::<f64>().ok())
    };
    Ok(pct("50.000").zip(pct("99.000")))
}

/// A Python threaded echo server in the assignment's style (`socketserver`, one thread
/// per client), for comparison. `None` without python3.
pub fn python_threaded_server() -> io::Result<Option<(Child, SocketAddr)>> {
    let script = r#"
import socket, socketserver, sys
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            data = self.request.recv(65536)
            if not data:
                break
            self.request.sendall(data)
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer.request_queue_size = 1024  # listen() backlog (default 5)
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
"#;
    let port = free_port(Proto::Tcp)?;
    let child = match Command::new("python3")
        .args(["-c", script, &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => return Ok(None),
    };
    wait_listening(Proto::Tcp, port)?;
    Ok(Some((child, SocketAddr::from(([127, 0, 0, 1], port)))))
}

/// iperf3's one-way TCP rate over loopback for `duration` (bytes/s), as the reference
/// for bulk echo. `None` when iperf3 is not installed.
pub fn iperf3(duration: Duration) -> io::Result<Option<f64>> {
    if Command::new("iperf3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        return Ok(None);
    }
    let port = free_port(Proto::Tcp)?.to_string();
    let mut server = Command::new("iperf3")
        .args(["-s", "-1", "-B", "127.0.0.1", "-p", &port])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    wait_listening(Proto::Tcp, port.parse().unwrap_or(0))?;
    let secs = duration.as_secs().max(1).to_string();
    let out = Command::new("iperf3")
        .args(["-c", "127.0.0.1", "-p", &port, "-t", &secs, "-J"])
        .output();
    let _ = server.kill();
    let _ = server.wait();
    let report: serde_json::Value = serde_json::from_slice(&out?.stdout).unwrap_or_default();
    Ok(report["end"]["sum_received"]["bits_per_second"]
        .as_f64()
        .map(|bits| bits / 8.0))
}

/// One TCP connection streaming `write_size` writes through the echo for `duration`,
/// reading everything back on another thread: bytes echoed per second.
pub fn bulk(addr: SocketAddr, write_size: usize, duration: Duration) -> io::Result<f64> {
    let mut writer = tcp_client(addr)?;
    let mut reader = writer.try_clone()?;
    let chunk = vec![b'x'; write_size];
    let start = Instant::now();
    let sent = std::thread::scope(|scope| -> io::Result<u64> {
        let counter = scope.spawn(move || -> io::Result<u64> {
            let mut buf = vec![0u8; 1 << 20];
            let mut total = 0u64;
            loop {
                match reader.read(&mut buf)? {
                    0 => return Ok(total),
                    n => total += n as u64,
                }
            }
        });
        let mut sent = 0u64;
        while start.elapsed() < duration {
            writer.write_all(&chunk)?;
            sent += write_size as u64;
        }
        writer.shutdown(std::net::Shutdown::Write)?;
        let echoed = counter
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("reader panicked")))?;
        Ok(sent.min(echoed))
    })?;
    Ok(sent as f64 / start.elapsed().as_secs_f64())
}
