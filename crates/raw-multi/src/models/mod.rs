//! What every server model shares: the options, the listening socket, the 4-tuple
//! announcement, the counters and the closing summary. Each model's own file holds
//! only what makes it that model.

pub mod epoll;
pub mod event_loop;
pub mod fork;
pub mod poll;
pub mod select;
pub mod thread;

use clap::{Args, ValueEnum};
use raw_core::cli::ListenArgs;
use raw_core::echo::Transform;
use raw_core::narrate::{Event, Kind};
use raw_core::resolve::resolve;
use raw_core::signals::stop_on_sigint_sigterm;
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Type};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The five ways to serve many clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// A process per client: accept, then fork; the child serves, the parent accepts.
    Fork,
    /// A thread per client, each blocked in its own recv.
    Thread,
    /// One thread watching every socket with select() (at most FD_SETSIZE = 1024 fds).
    Select,
    /// One thread watching every socket with poll() (no fd ceiling).
    Poll,
    /// One thread with epoll: the kernel keeps the interest list, epoll_wait returns
    /// only the ready sockets.
    Epoll,
}

/// Options of `raw-multi server`.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Which server model to run
    #[arg(long, value_enum, default_value_t = Model::Thread)]
    pub model: Model,
    /// Where to listen: --host, --port, --backlog
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Most clients served at once; the others wait in the backlog [default: 1024,
    /// 256 for fork]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_clients: Option<u32>,
    /// Drop a client that sends nothing for this long (e.g. 30, 1.5, 500ms)
    #[arg(long, value_parser = raw_core::cli::parse_seconds)]
    pub idle_timeout: Option<Duration>,
    /// What to do to the bytes before echoing them: upper (ASCII letters only) or none
    #[arg(long, value_enum, default_value_t = Transform::Upper)]
    pub transform: Transform,
    /// Set TCP_NODELAY on the listener (accepted sockets inherit it), as latency
    /// benchmarks do
    #[arg(long)]
    pub nodelay: bool,
    /// recv() buffer size in bytes
    #[arg(long, default_value_t = 16384, value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
    pub buffer: u32,
}

impl ServerArgs {
    /// The limit on simultaneous clients for this model.
    pub fn max_clients(&self) -> usize {
        let default = if self.model == Model::Fork { 256 } else { 1024 };
        self.max_clients.unwrap_or(default) as usize
    }
}

/// What the server did, for the summary printed when it stops.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Bytes echoed (not counted by the parent in the fork model: each child counts its own).
    pub bytes: AtomicU64,
}

impl Stats {
    /// Adds echoed bytes.
    pub fn echoed(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// Runs `raw-multi server`: the common prelude, then the chosen model's loop.
pub fn run(n: &Narrator, args: &ServerArgs) -> Result<(), Failure> {
    let addr = resolve(&args.listen.host, args.listen.port)?[0];
    raise_fd_limit(n);
    stop_on_sigint_sigterm()?;
    // The event-loop models need a listener that never blocks: one flag in socket().
    let event_loop = matches!(args.model, Model::Select | Model::Poll | Model::Epoll);
    let ty = if event_loop {
        Type::STREAM.nonblocking()
    } else {
        Type::STREAM
    };

    let listener = steps::socket(n, Domain::for_address(addr), ty, Some(Protocol::TCP))?;
    let stats = Arc::new(Stats::default());
    let outcome = (|| -> Result<(), Failure> {
        steps::set_reuseaddr(n, &listener)?;
        if addr.is_ipv6() && addr.ip().is_unspecified() {
            steps::set_v6only(n, &listener, false)?;
        }
        if args.nodelay {
            steps::set_nodelay(n, &listener)?; // inherited by each accepted socket
        }
        steps::bind(n, &listener, addr, true)?;
        let bound = steps::getsockname(n, &listener)?;
        steps::listen(n, &listener, args.listen.backlog)?;
        n.ready(
            bound,
            format!(
                "{} {bound} ({:?}) — {}: raw-multi clients --count 5 --port {}",
                n.t("Listening on", "Escutando em"),
                args.model,
                n.t("try", "experimente"),
                bound.port()
            ),
        );
        raw_core::interfaces::announce_reachable(n, bound, "raw-multi clients");
        match args.model {
            Model::Fork => fork::serve(n, &listener, bound, args, &stats),
            Model::Thread => thread::serve(n, &listener, bound, args, &stats),
            Model::Select => {
                event_loop::serve(n, &listener, bound, args, &stats, &mut select::Select)
            }
            Model::Poll => event_loop::serve(n, &listener, bound, args, &stats, &mut poll::Poll),
            Model::Epoll => {
                let mut epoll = epoll::Epoll::new(n)?;
                event_loop::serve(n, &listener, bound, args, &stats, &mut epoll)
            }
        }
    })();
    let closed = steps::close(n, listener);
    summary(n, args.model, &stats);
    outcome.and(closed)
}

/// The assignment's question, answered per connection: same local port, new peer port.
pub fn announce(n: &Narrator, fd: i32, local: SocketAddr, peer: SocketAddr) {
    n.emit(Event {
        kind: Some(Kind::Note),
        fd: Some(fd),
        local: Some(local.to_string()),
        peer: Some(peer.to_string()),
        text: format!(
            "{} fd {fd}: {local} ↔ {peer}. {}",
            n.t("Connection", "Conexão"),
            n.t(
                "Same local port as the listener; the client's side is a new ephemeral port. The kernel tells connections apart by this 4-tuple.",
                "Mesma porta local do socket de escuta; do lado do cliente, uma porta efêmera nova. O kernel distingue as conexões por esta 4-tupla.",
            )
        ),
        ..Event::default()
    });
}

/// **Syscall:** `prlimit64(0, RLIMIT_NOFILE, {soft = hard}, ...)`, see `getrlimit(2)`:
/// every client is one fd, and the default soft limit (often 1024) is far below what
/// the kernel allows (the hard limit).
fn raise_fd_limit(n: &Narrator) {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
            n.note(format!(
                "{} {soft} → {hard}.",
                n.t("RLIMIT_NOFILE raised to the hard limit (every client is a file descriptor):", "RLIMIT_NOFILE elevado ao limite rígido (cada cliente é um descritor de arquivo):")
            ));
        }
    }
}

/// Printed when the server stops (SIGINT/SIGTERM, or a fatal error).
fn summary(n: &Narrator, model: Model, stats: &Stats) {
    let connections = stats.connections.load(Ordering::Relaxed);
    let bytes = stats.bytes.load(Ordering::Relaxed);
    let bytes = if model == Model::Fork {
        n.t(
            "counted by each child (see their lines)",
            "contados por cada filho (veja as linhas deles)",
        )
        .to_string()
    } else {
        bytes.to_string()
    };
    n.emit(Event {
        kind: Some(Kind::Data),
        text: format!(
            "{}: {connections} {}; {}: {bytes}",
            n.t("Summary", "Resumo"),
            n.t("connections served", "conexões atendidas"),
            n.t("bytes echoed", "bytes ecoados")
        ),
        ..Event::default()
    });
}

/// Sleeps a little after `accept` failed for lack of file descriptors, so the server
/// keeps serving the clients it has instead of spinning on the same error.
pub fn back_off(n: &Narrator, failure: &Failure) {
    n.problem(
        None,
        failure,
        n.t(
            "Backing off 100 ms; the clients already connected are still served.",
            "Esperando 100 ms; os clientes já conectados continuam sendo atendidos.",
        ),
    );
    std::thread::sleep(Duration::from_millis(100));
}

/// `accept` for the blocking models (fork, thread): `Ok(None)` means "call again" after
/// a signal (`EINTR`: the caller's loop checks what it meant) or after backing off for
/// lack of file descriptors; any other failure is returned.
#[track_caller]
pub fn accept_or_retry(
    n: &Narrator,
    listener: &socket2::Socket,
) -> Result<Option<(socket2::Socket, SocketAddr)>, Failure> {
    match steps::accept(n, listener) {
        Ok(accepted) => Ok(Some(accepted)),
        Err(f) if f.errno() == Some(nix::errno::Errno::EINTR) => Ok(None),
        Err(f) if out_of_fds(&f) => {
            back_off(n, &f);
            Ok(None)
        }
        Err(f) => Err(f),
    }
}

/// Whether a failed `accept` means "out of file descriptors".
pub fn out_of_fds(failure: &Failure) -> bool {
    matches!(
        failure.errno(),
        Some(nix::errno::Errno::EMFILE | nix::errno::Errno::ENFILE)
    )
}
