//! The servers under test: ours started as child processes (`raw-bench serve`), what
//! that hidden subcommand runs, the tokio reference, and the guard that kills them.

use crate::{failed, Proto, Result};
use nix::errno::Errno;
use raw_core::echo::Transform;
use raw_core::text;
use raw_core::{Failure, Lang, Mode, Narrator};
use raw_multi::models::Model;
use serde::Serialize;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

pub(crate) fn spawn_failed(e: io::Error) -> Failure {
    Failure::sys(
        "execve",
        Errno::from_raw(e.raw_os_error().unwrap_or(Errno::ENOENT as i32)),
    )
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

pub(crate) fn wait_listening(proto: Proto, port: u16) -> Result<()> {
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
    run_server(&n, kind, port, options.workers)?;
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

/// Runs the lab's server of `kind` on 127.0.0.1:`port`, echoing bytes unchanged, with
/// `TCP_NODELAY`, until it stops.
fn run_server(n: &Narrator, kind: ServerKind, port: u16, workers: Option<u32>) -> Result<()> {
    let host = "127.0.0.1".to_string();
    match kind {
        ServerKind::Tcp => raw_tcp::server::run(
            n,
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
            n,
            &raw_udp::server::ServerArgs {
                host,
                port,
                transform: Transform::None,
                buffer: 65535,
                rate_limit: 0, // a benchmark measures the echo, not the limiter
            },
        ),
        ServerKind::Multi(model) => raw_multi::models::run(
            n,
            &raw_multi::models::ServerArgs {
                model,
                listen: raw_core::cli::ListenArgs::at(&host, port, 1024),
                max_clients: Some(SERVE_MAX_CLIENTS),
                idle_timeout: None,
                transform: Transform::None,
                buffer: 65536,
                nodelay: true,
                workers,
            },
        ),
        ServerKind::Tokio => tokio_echo(port),
    }
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
