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
//!
//! Three promises, each tested in `tests/cli.rs`:
//! - **No wrong figure.** A failure names the syscall that failed (`connect(2)
//!   ECONNREFUSED`, `sendto(2) EMSGSIZE`); the load's measuring window opens only once
//!   every connection is made, and how long that took (and why) is reported beside it.
//! - **No hang.** The connect phase has a deadline; every wait is bounded.
//! - **No leak.** Every child (our server, sockperf, python3, iperf3) is started with
//!   [`raw_core::sys::die_with_parent`] and killed when its guard is dropped.

#![forbid(unsafe_code)]

use clap::ValueEnum;
use hdrhistogram::Histogram;
use nix::errno::Errno;
use raw_core::echo::Transform;
use raw_core::text;
use raw_core::{Fact, Failure, Lang, Mode, Narrator};
use raw_multi::models::Model;
use serde::Serialize;
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use std::time::{Duration, Instant};

/// What the benchmark functions return: a failure that names its syscall.
pub type Result<T> = std::result::Result<T, Failure>;

/// Turns an `io::Error` from `syscall` into a [`Failure`] that names it, with the
/// address (for the hint's check command) and, for UDP, the fact that it was UDP.
pub fn failed(
    syscall: &'static str,
    addr: SocketAddr,
    proto: Proto,
) -> impl Fn(io::Error) -> Failure {
    move |e: io::Error| {
        let errno = match e.raw_os_error() {
            Some(raw) => Errno::from_raw(raw),
            None if e.kind() == io::ErrorKind::WouldBlock => Errno::EAGAIN,
            None => Errno::EIO,
        };
        let f = Failure::sys(syscall, errno).with(Fact::Addr(addr));
        if proto == Proto::Udp {
            f.with(Fact::Udp)
        } else {
            f
        }
    }
}

/// A child process killed (and reaped) when this guard is dropped, on every exit path.
#[derive(Debug)]
pub struct Guard(Child);

impl Guard {
    /// Starts `cmd` so that it dies with this process, even if this one is killed.
    pub fn spawn(cmd: &mut Command) -> io::Result<Guard> {
        raw_core::sys::die_with_parent(cmd).spawn().map(Guard)
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Guard {
    /// Sends `signal` (again every 500 ms: one that lands just before a blocking call is
    /// seen only at the next one) and waits at most `limit` for the child to exit; `None`
    /// if it did not (it is killed when the guard is dropped).
    pub fn stop(
        &mut self,
        signal: nix::sys::signal::Signal,
        limit: Duration,
    ) -> Option<std::process::ExitStatus> {
        let pid = nix::unistd::Pid::from_raw(self.0.id() as i32);
        let end = Instant::now() + limit;
        let mut resend = Instant::now();
        while Instant::now() < end {
            if Instant::now() >= resend {
                let _ = nix::sys::signal::kill(pid, signal);
                resend = Instant::now() + Duration::from_millis(500);
            }
            if let Ok(Some(status)) = self.0.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_failed(e: io::Error) -> Failure {
    Failure::sys(
        "execve",
        Errno::from_raw(e.raw_os_error().unwrap_or(Errno::ENOENT as i32)),
    )
}

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
    /// A tokio echo server (the reference async runtime; bench only, never a lab).
    Tokio,
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
    /// The child; killed when dropped.
    pub child: Guard,
    /// Where it listens.
    pub addr: SocketAddr,
}

/// A port that was free a moment ago.
pub fn free_port(proto: Proto) -> Result<u16> {
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let port = match proto {
        Proto::Tcp => std::net::TcpListener::bind(any).and_then(|l| l.local_addr()),
        Proto::Udp => UdpSocket::bind(any).and_then(|s| s.local_addr()),
    };
    port.map(|a| a.port()).map_err(failed("bind", any, proto))
}

/// How `raw-bench serve` runs a server, beyond its kind.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// reuseport's threads, prefork's children (`--workers`).
    pub workers: Option<u32>,
    /// Where to write the report (syscalls our steps made) when the server stops.
    pub report: Option<std::path::PathBuf>,
}

/// Starts one of our servers (`exe serve ...`) and waits, at most 10 s, until the
/// kernel lists its socket.
pub fn start(exe: &Path, kind: ServerKind) -> Result<Running> {
    start_with(exe, kind, &ServeOptions::default())
}

/// [`start`] with `--workers` and `--report`.
pub fn start_with(exe: &Path, kind: ServerKind, options: &ServeOptions) -> Result<Running> {
    let port = free_port(kind.proto())?;
    let mut cmd = Command::new(exe);
    cmd.arg("serve").arg("--port").arg(port.to_string());
    match kind {
        ServerKind::Tcp => cmd.args(["--kind", "tcp"]),
        ServerKind::Udp => cmd.args(["--kind", "udp"]),
        ServerKind::Multi(model) => cmd.args(["--kind", "multi", "--model", model.name()]),
        ServerKind::Tokio => cmd.args(["--kind", "tokio"]),
    };
    if let Some(workers) = options.workers {
        cmd.arg("--workers").arg(workers.to_string());
    }
    if let Some(report) = &options.report {
        cmd.arg("--report").arg(report);
    }
    let child = Guard::spawn(
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(spawn_failed)?;
    let running = Running {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    };
    wait_listening(kind.proto(), port)?;
    Ok(running)
}

/// The model's name on the command line.
pub fn model_name(model: Model) -> &'static str {
    model.name()
}

/// Every model, in the lab's order.
pub const MODELS: [Model; 8] = raw_multi::models::MODELS;

fn wait_listening(proto: Proto, port: u16) -> Result<()> {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        let up = match proto {
            Proto::Tcp => raw_core::trace::kernel_table::on_port(port)
                .iter()
                .any(|s| s.state.name() == "LISTEN"),
            Proto::Udp => raw_core::trace::kernel_table::udp_sockets()
                .iter()
                .any(|s| s.local.port() == port),
        };
        if up {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(Failure::Runtime(text!("bench-no-server-listening", port)))
}

/// How many clients the multi-client server started by `raw-bench serve` takes at once.
pub const SERVE_MAX_CLIENTS: u32 = 4096;

/// The body of `raw-bench serve`: runs one of the labs' servers in this process,
/// silently, echoing bytes unchanged, with `TCP_NODELAY`, until SIGINT/SIGTERM (the
/// labs' servers stop cleanly on either) or until killed.
pub fn serve(kind: ServerKind, port: u16) -> Result<()> {
    serve_with(kind, port, &ServeOptions::default())
}

/// What `raw-bench serve --report FILE` writes when its server stops: the syscalls the
/// server's steps made (counted by a `CallCounter` view), its forked children's included.
#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize)]
pub struct Report {
    /// Syscalls made by the steps of the server process and of its children.
    pub calls: u64,
    /// Of which, by the forked children (fork and prefork models).
    pub children_calls: u64,
}

/// [`serve`] with `--workers` and `--report`.
pub fn serve_with(kind: ServerKind, port: u16, options: &ServeOptions) -> Result<()> {
    let n = Narrator::new(Lang::En, Mode::Silent, "server");
    let host = "127.0.0.1".to_string();
    // --report: a view that counts every syscall the steps make, into a page shared
    // with the forked children (the fork and prefork models), so theirs add up too.
    let counted = match &options.report {
        Some(_) => Some(raw_core::sys::shared_counters(2).map_err(|e| Failure::sys("mmap", e))?),
        None => None,
    };
    let n = match counted {
        Some(page) => n.also(raw_core::views::CallCounter {
            all: &page[0],
            children: &page[1],
        }),
        None => n,
    };
    match kind {
        ServerKind::Tcp => raw_tcp::server::run(
            &n,
            &raw_tcp::server::ServerArgs {
                listen: raw_core::cli::ListenArgs::at(&host, port, 1024),
                no_reuseaddr: false,
                forever: true,
                transform: Transform::None,
                buffer: 65536,
                nodelay: true,
            },
        ),
        ServerKind::Udp => raw_udp::server::run(
            &n,
            &raw_udp::server::ServerArgs {
                host,
                port,
                transform: Transform::None,
                buffer: 65535,
                rate_limit: 0, // a benchmark measures the echo, not the limiter
            },
        ),
        ServerKind::Multi(model) => raw_multi::models::run(
            &n,
            &raw_multi::models::ServerArgs {
                model,
                listen: raw_core::cli::ListenArgs::at(&host, port, 1024),
                max_clients: Some(SERVE_MAX_CLIENTS),
                idle_timeout: None,
                transform: Transform::None,
                buffer: 65536,
                nodelay: true,
                workers: options.workers,
            },
        ),
        ServerKind::Tokio => tokio_echo(port),
    }?;
    if let (Some(path), Some(page)) = (&options.report, counted) {
        let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        let report = Report {
            calls: load(&page[0]),
            children_calls: load(&page[1]),
        };
        let text = serde_json::to_string(&report).unwrap_or_default();
        std::fs::write(path, text).map_err(|e| {
            Failure::sys(
                "write",
                Errno::from_raw(e.raw_os_error().unwrap_or(Errno::EIO as i32)),
            )
        })?;
    }
    Ok(())
}

/// The reference: an echo server on tokio's multi-threaded runtime (one worker thread
/// per core), a task per connection reading into a 64 KiB buffer and writing it all
/// back, with `TCP_NODELAY`. What a Rust service would usually be; it runs until killed.
pub fn tokio_echo(port: u16) -> Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let io_failed = |syscall: &'static str| {
        move |e: io::Error| {
            Failure::sys(
                syscall,
                Errno::from_raw(e.raw_os_error().unwrap_or(Errno::EIO as i32)),
            )
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .build()
        .map_err(io_failed("epoll_create1"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(io_failed("bind"))?;
        loop {
            let (mut sock, _) = listener.accept().await.map_err(io_failed("accept"))?;
            let _ = sock.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                loop {
                    let got = match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(got) => got,
                    };
                    if sock.write_all(&buf[..got]).await.is_err() {
                        return;
                    }
                }
            });
        }
    })
}

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

/// Round-trip latencies (nanoseconds) and how many round trips per second.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Latency histogram, in nanoseconds.
    pub hist: Histogram<u64>,
    /// Round trips completed.
    pub count: u64,
    /// Round trips lost (UDP timeouts) or failed.
    pub errors: u64,
    /// Wall time of the measurement (the window only, never the connect phase).
    pub elapsed: Duration,
    /// Connections that completed no round trip in the window (load only).
    pub silent_clients: usize,
    /// Requests sent (load only): the round trips completed plus those still in flight
    /// when the window closed, which the server echoes all the same.
    pub requests: u64,
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
    /// The measuring window, in seconds.
    pub window_s: f64,
    /// Connections that completed no round trip in the window (load only).
    pub silent_clients: usize,
}

impl Measured {
    fn new() -> Measured {
        Measured {
            hist: new_hist(),
            count: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            silent_clients: 0,
            requests: 0,
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
            window_s: self.elapsed.as_secs_f64(),
            silent_clients: self.silent_clients,
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
) -> Result<Measured> {
    let mut client = Client::connect(proto, addr)?;
    // A server that never answers ends the run within its --duration, not 10 s later.
    client.reply_timeout(duration.clamp(Duration::from_millis(100), Duration::from_secs(10)))?;
    let out = vec![b'x'; size];
    let mut back = vec![0u8; size.max(1)];
    // Warm up: let caches, the scheduler and TCP settle (bounded: at most 1 s).
    let warm = Instant::now();
    for _ in 0..200 {
        client.roundtrip(&out, &mut back)?;
        if warm.elapsed() > Duration::from_secs(1) {
            break;
        }
    }
    let mut m = Measured::new();
    let start = Instant::now();
    let mut next_tick = start;
    while start.elapsed() < duration {
        let t0 = Instant::now();
        match client.roundtrip(&out, &mut back)? {
            Trip::Done => {
                let _ = m.hist.record(t0.elapsed().as_nanos().max(1) as u64);
                m.count += 1;
            }
            Trip::Lost => m.errors += 1,
        }
        if t0 >= next_tick {
            tick(start.elapsed().as_secs_f64() / duration.as_secs_f64());
            next_tick = t0 + Duration::from_millis(100);
        }
    }
    m.elapsed = start.elapsed();
    Ok(m)
}

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

/// Reads one counter of `/proc/net/snmp` or `/proc/net/netstat` (a header line of
/// names and a line of values per group, as `nstat` reads them). 0 when absent.
pub fn kernel_counter(file: &str, group: &str, name: &str) -> u64 {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(&format!("{group}:")))
        .collect();
    rows.chunks(2)
        .filter_map(|pair| match pair {
            [names, values] => names
                .split_whitespace()
                .zip(values.split_whitespace())
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| v.parse().ok()),
            _ => None,
        })
        .next()
        .unwrap_or(0)
}

fn overflow_counters() -> (u64, u64) {
    (
        kernel_counter("/proc/net/netstat", "TcpExt", "ListenOverflows"),
        kernel_counter("/proc/net/snmp", "Tcp", "RetransSegs"),
    )
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
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let (overflows0, retrans0) = overflow_counters();
    let start = Instant::now();
    let mut report = Connected {
        wanted: clients,
        ..Connected::default()
    };
    let mut done: Vec<TcpStream> = Vec::with_capacity(clients);
    let mut first_failure: Option<Failure> = None;
    let mut pending: Vec<Socket> = Vec::new();
    let connect_failed = failed("connect", addr, Proto::Tcp);
    for _ in 0..clients {
        let s = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .map_err(failed("socket", addr, Proto::Tcp))?;
        s.set_nonblocking(true)
            .map_err(failed("fcntl", addr, Proto::Tcp))?;
        s.set_tcp_nodelay(true)
            .map_err(failed("setsockopt", addr, Proto::Tcp))?;
        match s.connect(&addr.into()) {
            Ok(()) => done.push(s.into()),
            Err(e) if e.raw_os_error() == Some(Errno::EINPROGRESS as i32) => pending.push(s),
            Err(e) => {
                report.failed += 1;
                first_failure.get_or_insert(connect_failed(e));
            }
        }
    }
    while !pending.is_empty() && start.elapsed() < deadline {
        let mut fds: Vec<PollFd> = pending
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
                        report.slow += 1;
                    }
                    done.push(s.into());
                }
                Ok(Some(e)) | Err(e) => {
                    report.failed += 1;
                    first_failure.get_or_insert(connect_failed(e));
                }
            }
        }
        pending = still;
    }
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

/// Many already-connected clients at once for `duration`, driven by one thread with
/// `poll` (so the load generator costs one core at most and the server gets the
/// other). The window opens when this is called, after [`connect_all`]: connecting is
/// never counted as measuring. Closed loop (each client sends its next request when
/// the reply arrives) unless `rate` is given: then an open loop at that total rate,
/// where each request has a scheduled send time and its latency counts from that
/// time, so a server that falls behind shows it (no coordinated omission).
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
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    struct Conn {
        stream: TcpStream,
        scheduled: Instant,
        waiting: bool,
        sent: usize,
        got: usize,
        done: u64,
    }
    let clients = streams.len().max(1);
    let period = rate.map(|r| Duration::from_secs_f64(clients as f64 / r.max(1e-9)));
    let begin = Instant::now();
    let mut conns: Vec<Conn> = streams
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
    let send_failed = failed("sendto", addr, Proto::Tcp);
    let recv_failed = failed("recvfrom", addr, Proto::Tcp);
    let out = vec![b'x'; size];
    let mut back = vec![0u8; size.clamp(1, 1 << 20)];
    let mut m = Measured::new();
    let end = begin + duration;
    // Writes what the send buffer takes now; the rest when poll says POLLOUT.
    let push = |c: &mut Conn| -> Result<()> {
        while c.sent < out.len() {
            match (&c.stream).write(&out[c.sent..]) {
                Ok(n) => c.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(send_failed(e)),
            }
        }
        Ok(())
    };
    while Instant::now() < end {
        let now = Instant::now();
        for c in conns
            .iter_mut()
            .filter(|c| !c.waiting && c.scheduled <= now)
        {
            if period.is_none() {
                c.scheduled = now;
            }
            c.waiting = true;
            m.requests += 1;
            c.sent = 0;
            c.got = 0;
            push(c)?;
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
            .map(|&i| {
                let c = &conns[i];
                let mut flags = PollFlags::POLLIN;
                if c.sent < size {
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
        drop(fds);
        for i in ready {
            let c = &mut conns[i];
            push(c)?;
            loop {
                let room = back.len().min(size - c.got);
                if room == 0 {
                    break;
                }
                match (&c.stream).read(&mut back[..room]) {
                    Ok(0) => {
                        return Err(Failure::ShortReply {
                            got: c.got,
                            expected: size,
                        })
                    }
                    Ok(n) => c.got += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(recv_failed(e)),
                }
            }
            if c.got == size {
                let _ = m
                    .hist
                    .record(c.scheduled.elapsed().as_nanos().max(1) as u64);
                m.count += 1;
                c.done += 1;
                c.waiting = false;
                if let Some(p) = period {
                    c.scheduled += p;
                }
            }
        }
    }
    m.elapsed = begin.elapsed();
    at_close();
    m.silent_clients = conns.iter().filter(|c| c.done == 0).count();
    say_goodbye(conns.into_iter().map(|c| c.stream).collect());
    Ok(m)
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

/// Whether `program --version` runs (is it installed?).
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// sockperf's own ping-pong (its server and its client) on a free port: the full
/// round trip's median and 99th percentile in microseconds (`--full-rtt`; without it
/// sockperf prints half the round trip). `None` when sockperf is not installed.
pub fn sockperf(proto: Proto, size: usize, duration: Duration) -> Result<Option<(f64, f64)>> {
    if !installed("sockperf") {
        return Ok(None);
    }
    let port = free_port(proto)?;
    let port_arg = port.to_string();
    let flag: &[&str] = if proto == Proto::Tcp { &["--tcp"] } else { &[] };
    let _server = Guard::spawn(
        Command::new("sockperf")
            .arg("server")
            .args(flag)
            .args(["-i", "127.0.0.1", "-p", &port_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(spawn_failed)?;
    wait_listening(proto, port)?;
    let secs = duration.as_secs().max(1).to_string();
    let out = raw_core::sys::die_with_parent(
        Command::new("sockperf")
            .arg("ping-pong")
            .args(flag)
            .args(["-i", "127.0.0.1", "-p", &port_arg, "-t", &secs])
            .args(["-m", &size.max(14).to_string(), "--full-rtt"]),
    )
    .stdin(Stdio::null())
    .output()
    .map_err(spawn_failed)?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let pct = |p: &str| {
        text.lines()
            .find(|l| l.contains(&format!("percentile {p} =")))
            .and_then(|l| l.rsplit('=').next()?.trim().parse::<f64>().ok())
    };
    Ok(pct("50.000").zip(pct("99.000")))
}

/// The assignment-style Python echo server: `socketserver.ThreadingTCPServer`, one
/// thread per client. `backlog` is its `request_queue_size`, the `listen()` backlog
/// (Python's default is 5).
pub const PYTHON_THREADED_SERVER: &str = r#"
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
socketserver.ThreadingTCPServer.request_queue_size = int(sys.argv[2])  # listen() backlog
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
"#;

/// A Python threaded echo server in the assignment's style (`socketserver`, one thread
/// per client) with a listen backlog of 1024, for comparison. `None` without python3.
pub fn python_threaded_server() -> Result<Option<Running>> {
    if !installed("python3") {
        return Ok(None);
    }
    let port = free_port(Proto::Tcp)?;
    let child = Guard::spawn(
        Command::new("python3")
            .args(["-c", PYTHON_THREADED_SERVER, &port.to_string(), "1024"])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(spawn_failed)?;
    wait_listening(Proto::Tcp, port)?;
    Ok(Some(Running {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    }))
}

/// iperf3's one-way TCP rate over loopback for `duration` (bytes/s), as the reference
/// for bulk echo. `None` when iperf3 is not installed.
pub fn iperf3(duration: Duration) -> Result<Option<f64>> {
    if !installed("iperf3") {
        return Ok(None);
    }
    let port = free_port(Proto::Tcp)?;
    let port_arg = port.to_string();
    let _server = Guard::spawn(
        Command::new("iperf3")
            .args(["-s", "-1", "-B", "127.0.0.1", "-p", &port_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(spawn_failed)?;
    wait_listening(Proto::Tcp, port)?;
    let secs = duration.as_secs().max(1).to_string();
    let out = raw_core::sys::die_with_parent(Command::new("iperf3").args([
        "-c",
        "127.0.0.1",
        "-p",
        &port_arg,
        "-t",
        &secs,
        "-J",
    ]))
    .stdin(Stdio::null())
    .output()
    .map_err(spawn_failed)?;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    Ok(report["end"]["sum_received"]["bits_per_second"]
        .as_f64()
        .map(|bits| bits / 8.0))
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

/// CPU time and context switches of a set of threads, read from `/proc`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Time spent running on a CPU, in nanoseconds (`/proc/PID/task/TID/schedstat`, the
    /// scheduler's own clock, not the 10 ms ticks of `stat`).
    pub cpu_ns: u64,
    /// Voluntary plus involuntary context switches (`/proc/PID/task/TID/status`).
    pub switches: u64,
}

impl Usage {
    /// What was used between `before` and `self`.
    pub fn since(self, before: Usage) -> Usage {
        Usage {
            cpu_ns: self.cpu_ns.saturating_sub(before.cpu_ns),
            switches: self.switches.saturating_sub(before.switches),
        }
    }
}

/// One thread's usage, from its `/proc/.../task/TID` directory.
fn task_usage(task: &Path) -> Usage {
    let cpu_ns = std::fs::read_to_string(task.join("schedstat"))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let status = std::fs::read_to_string(task.join("status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    Usage {
        cpu_ns,
        switches: field("voluntary_ctxt_switches:") + field("nonvoluntary_ctxt_switches:"),
    }
}

/// The usage of process `pid`, all its threads and all its descendants' (the fork and
/// prefork models' children, found through `/proc/PID/task/TID/children`), now. A
/// thread or process that has already ended is not counted: sample while the load
/// holds its connections open.
pub fn usage_of_tree(pid: u32) -> Usage {
    let mut total = Usage::default();
    let mut todo = vec![pid];
    let mut seen = std::collections::HashSet::new();
    while let Some(p) = todo.pop() {
        if !seen.insert(p) {
            continue;
        }
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let u = task_usage(&task.path());
            total.cpu_ns += u.cpu_ns;
            total.switches += u.switches;
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            todo.extend(
                children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
    }
    total
}

/// The usage of the calling thread (the load generator's).
pub fn usage_of_this_thread() -> Usage {
    task_usage(Path::new("/proc/thread-self"))
}

/// A server in `raw-bench costs`: one of our models, or a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// `raw-multi`'s model, run by `raw-bench serve` with a report of its syscalls.
    Ours(Model),
    /// The tokio echo server (`raw-bench serve --kind tokio`).
    Tokio,
    /// The assignment-style Python threaded server ([`PYTHON_THREADED_SERVER`]).
    Python,
}

impl Subject {
    /// Every subject, ours first, in the lab's order.
    pub fn all() -> Vec<Subject> {
        let mut all: Vec<Subject> = MODELS.iter().map(|&m| Subject::Ours(m)).collect();
        all.extend([Subject::Tokio, Subject::Python]);
        all
    }

    /// Its name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Subject::Ours(model) => model.name(),
            Subject::Tokio => "tokio",
            Subject::Python => "python threads",
        }
    }
}

/// One cell of the cost table: a server under `clients` closed-loop connections.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Cell {
    /// Round trips completed per second in the window.
    pub per_second: f64,
    /// Syscalls our steps made per round trip, over the server's whole run (connecting
    /// and closing included), divided by the requests it echoed; `None` for references.
    pub syscalls_per_rt: Option<f64>,
    /// Context switches of the server's threads and processes per round trip (window).
    pub switches_per_rt: f64,
    /// CPU time of the server's threads and processes per round trip, µs (window).
    pub cpu_us_per_rt: f64,
    /// The load generator's own CPU use in the window, as a share of one core: near 1.0,
    /// the generator, not the server, set the pace.
    pub generator_cpu: f64,
    /// Connections that completed no round trip in the window.
    pub silent_clients: usize,
    /// Round trips completed in the window.
    pub round_trips: u64,
    /// CPU used meanwhile by everything else on the machine (all CPUs' busy time in
    /// `/proc/stat`, less the server's and the generator's), as a share of one core: on
    /// a shared machine, what competed with the measurement.
    pub others_cpu: f64,
}

/// Measures one cell: starts the server (ours with `--report`; prefork with as many
/// children as clients, so that every client is served), connects every client,
/// samples the server's usage, loads it for `duration`, samples again, then stops it
/// with SIGTERM and reads its report.
pub fn cost_cell(
    exe: &Path,
    subject: Subject,
    clients: usize,
    size: usize,
    duration: Duration,
    connect_timeout: Duration,
) -> Result<Cell> {
    let report = std::env::temp_dir().join(format!(
        "raw-bench-costs-{}-{}-{clients}.json",
        std::process::id(),
        subject.name().replace(' ', "-")
    ));
    let _ = std::fs::remove_file(&report);
    let mut server = start_subject(exe, subject, clients, &report)?;
    let pid = server.child.id();
    let (streams, connected) = connect_all(server.addr, clients, connect_timeout)?;
    if let Some(failure) = connected.failure {
        return Err(failure);
    }
    // No core is set aside for either side: on this project's 2-vCPU machine, pinning
    // the generator and the server to cores of their own cut every figure to about a
    // third (each then sat idle two thirds of the time: every round trip had to wake a
    // thread on the other vCPU).
    let (server0, gen0, busy0) = (
        usage_of_tree(pid),
        usage_of_this_thread(),
        machine_busy_ns(),
    );
    let (m, (server1, gen1, busy1)) = load_with_usage(server.addr, streams, size, duration, pid)?;
    let (used, generator) = (server1.since(server0), gen1.since(gen0));
    let others = busy1
        .saturating_sub(busy0)
        .saturating_sub(used.cpu_ns)
        .saturating_sub(generator.cpu_ns);
    let syscalls_per_rt = match subject {
        Subject::Ours(_) => {
            // SIGTERM: the server stops cleanly and writes its report.
            server
                .child
                .stop(nix::sys::signal::Signal::SIGTERM, Duration::from_secs(10));
            let text = std::fs::read_to_string(&report).unwrap_or_default();
            let _ = std::fs::remove_file(&report);
            let r: Report = serde_json::from_str(&text).map_err(|_| {
                Failure::Runtime(text!(
                    "bench-no-report",
                    model = subject.name(),
                    exe = exe.display()
                ))
            })?;
            Some(r.calls as f64 / m.requests.max(1) as f64)
        }
        _ => None,
    };
    drop(server);
    let rts = m.count.max(1) as f64;
    Ok(Cell {
        per_second: m.count as f64 / m.elapsed.as_secs_f64().max(1e-9),
        syscalls_per_rt,
        switches_per_rt: used.switches as f64 / rts,
        cpu_us_per_rt: used.cpu_ns as f64 / 1000.0 / rts,
        generator_cpu: generator.cpu_ns as f64 / 1e9 / m.elapsed.as_secs_f64().max(1e-9),
        silent_clients: m.silent_clients,
        round_trips: m.count,
        others_cpu: others as f64 / 1e9 / m.elapsed.as_secs_f64().max(1e-9),
    })
}

/// How long all CPUs together have been busy (not idle, not waiting for I/O), in
/// nanoseconds: the first line of `/proc/stat`, in clock ticks (`USER_HZ`, 100 a second).
pub fn machine_busy_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    total.saturating_sub(idle) * 10_000_000
}

/// Starts `subject`: ours with `--report` (prefork with as many children as clients),
/// tokio, or the Python server.
fn start_subject(exe: &Path, subject: Subject, clients: usize, report: &Path) -> Result<Running> {
    match subject {
        Subject::Ours(model) => {
            let workers = (model == Model::Prefork).then_some(clients as u32);
            start_with(
                exe,
                ServerKind::Multi(model),
                &ServeOptions {
                    workers,
                    report: Some(report.to_path_buf()),
                },
            )
        }
        Subject::Tokio => start(exe, ServerKind::Tokio),
        Subject::Python => {
            python_threaded_server()?.ok_or_else(|| Failure::Runtime(text!("bench-no-python")))
        }
    }
}

/// [`load`], with the server's usage and the generator's sampled the moment the
/// window closes (before the goodbyes, while every thread still lives).
fn load_with_usage(
    addr: SocketAddr,
    streams: Vec<TcpStream>,
    size: usize,
    duration: Duration,
    pid: u32,
) -> Result<(Measured, (Usage, Usage, u64))> {
    let sampled = std::cell::Cell::new((Usage::default(), Usage::default(), 0));
    let m = load_then(addr, streams, size, duration, None, || {
        sampled.set((
            usage_of_tree(pid),
            usage_of_this_thread(),
            machine_busy_ns(),
        ))
    })?;
    Ok((m, sampled.get()))
}

/// The median of `values` (0 for none).
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}
