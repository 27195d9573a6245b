//! What every server model shares: the options, the listening socket, the 4-tuple
//! announcement, the counters and the closing summary. Each model's own file holds
//! only what makes it that model.

pub mod children;
pub mod epoll;
pub mod event_loop;
pub mod fork;
pub mod io_uring;
pub mod poll;
pub mod prefork;
pub mod reuseport;
pub mod select;
pub mod slots;
pub mod thread;

use epoll::Epoll;
use poll::Poll;
use raw_core::text;
use select::Select;

use clap::{Args, ValueEnum};
use nix::errno::Errno;
use raw_core::cli::ListenArgs;
use raw_core::echo::{echo_stream, Transform};
use raw_core::narrate::{Event, Kind};
use raw_core::resolve::resolve;
use raw_core::steps::process;
use raw_core::steps::signals::stop_on_sigint_sigterm_narrated;
use raw_core::steps::PortFrom;
use raw_core::steps::{self, Timeout};
use raw_core::views::Sink;
use raw_core::{Failure, Mode, Narrator};
use socket2::{Domain, Protocol, Socket, Type};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The eight ways to serve many clients.
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
    /// One thread with io_uring: accept, recv, send and close are requests in a queue
    /// shared with the kernel; io_uring_enter is the only syscall left.
    #[value(name = "io-uring")]
    IoUring,
    /// One epoll thread per core, each with its own listening socket on the same port
    /// (SO_REUSEPORT): the kernel spreads the connections among them.
    Reuseport,
    /// Stevens' preforked server: N children forked before any client, all blocked in
    /// accept on the one listening socket.
    Prefork,
}

/// Every model, in the lab's order: `--model` takes these names.
pub const MODELS: [Model; 8] = [
    Model::Fork,
    Model::Thread,
    Model::Select,
    Model::Poll,
    Model::Epoll,
    Model::IoUring,
    Model::Reuseport,
    Model::Prefork,
];

impl Model {
    /// The model's name, as `--model` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Model::Fork => "fork",
            Model::Thread => "thread",
            Model::Select => "select",
            Model::Poll => "poll",
            Model::Epoll => "epoll",
            Model::IoUring => "io-uring",
            Model::Reuseport => "reuseport",
            Model::Prefork => "prefork",
        }
    }

    /// The call the server waits in, which a Ctrl-C interrupts.
    pub fn blocks_in(self) -> &'static str {
        match self {
            Model::Fork | Model::Thread => "accept",
            Model::Select => "select",
            Model::Poll => "poll",
            Model::Epoll | Model::Reuseport => "epoll_wait",
            Model::IoUring => "io_uring_enter",
            Model::Prefork => "wait4",
        }
    }
}

/// The prefork model's children when `--workers` is not given.
pub const PREFORK_CHILDREN: usize = 16;

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
    /// Drop a client that sends nothing for this long (e.g. 30, 1.5, 500ms) [default: no
    /// limit; 5 s for prefork, whose N children N silent clients would otherwise hold]
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
    /// reuseport: worker threads [default: the number of cores]; prefork: children, the
    /// most clients served at once [default: 16]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub workers: Option<u32>,
}

impl ServerArgs {
    /// The limit on simultaneous clients for this model.
    pub fn max_clients(&self) -> usize {
        let default = if self.model == Model::Fork { 256 } else { 1024 };
        self.max_clients.unwrap_or(default) as usize
    }

    /// The reuseport model's threads (`--workers`, or one per core) and the prefork
    /// model's children (`--workers`, or 16: each serves one client at a time, so they
    /// are as many clients as are served at once).
    pub fn workers(&self) -> usize {
        match (self.workers, self.model) {
            (Some(w), _) => w as usize,
            (None, Model::Prefork) => PREFORK_CHILDREN,
            (None, _) => std::thread::available_parallelism().map_or(2, usize::from),
        }
    }
}

/// What the server did, for the summary printed when it stops.
#[derive(Debug)]
pub struct Stats {
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Bytes received and echoed, added up by the [`Echoed`] view from the data lines.
    pub bytes: &'static AtomicU64,
    /// Connections per worker (reuseport's threads, prefork's children), as the kernel
    /// spread them: said after the summary.
    pub per_worker: std::sync::Mutex<Vec<(String, u64)>>,
    /// Clients served now by all the event loops that share `--max-clients` (reuseport's
    /// workers); `None`: each loop counts its own.
    pub serving: Option<&'static std::sync::atomic::AtomicUsize>,
}

impl Stats {
    /// One event loop's counters among several (reuseport's workers): the bytes it adds
    /// to a shared sum, and the clients it serves counted with the others' for
    /// `--max-clients`.
    pub fn sharing(
        bytes: &'static AtomicU64,
        serving: &'static std::sync::atomic::AtomicUsize,
    ) -> Stats {
        Stats {
            connections: AtomicU64::new(0),
            bytes,
            per_worker: std::sync::Mutex::new(Vec::new()),
            serving: Some(serving),
        }
    }
}

/// The byte counter of the models that run in one process (thread, select, poll,
/// epoll); the fork model's lives in a page its children share ([`process::shared_counter`]).
static ECHOED_HERE: AtomicU64 = AtomicU64::new(0);

/// A view that adds up the bytes of every data line (each `recv` that returned data,
/// in every model), so the summary's figure is the sum of what the data lines said,
/// however the connection ended: a client that resets after sending counts too.
/// (`-qq` shows neither data lines nor the summary.)
#[derive(Debug, Clone, Copy)]
pub struct Echoed(pub &'static AtomicU64);

impl Sink for Echoed {
    fn wants(&self, kind: Kind) -> bool {
        kind == Kind::Data
    }

    fn event(&self, event: &Event) {
        if event.kind == Some(Kind::Data) {
            if let Some(bytes) = event.bytes {
                self.0.fetch_add(bytes as u64, Ordering::Relaxed);
            }
        }
    }
}

/// Runs `raw-multi server`: the common prelude, then the chosen model's loop.
pub fn run(n: &Narrator, args: &ServerArgs) -> Result<(), Failure> {
    let addr = resolve(&args.listen.host, args.listen.port)?[0];
    raise_fd_limit(n);
    // Ctrl-C or kill: the call the server waits in returns EINTR, and it stops cleanly.
    stop_on_sigint_sigterm_narrated(n, args.model.blocks_in())?;
    // Where the bytes echoed are added up: after fork, parent and children share no
    // memory but a page mapped to be shared.
    let bytes = match args.model {
        Model::Fork | Model::Prefork => process::shared_counter(n)?,
        _ => &ECHOED_HERE,
    };
    let stats = Stats {
        connections: AtomicU64::new(0),
        bytes,
        per_worker: std::sync::Mutex::new(Vec::new()),
        serving: None,
    };
    // A view that adds up the bytes of every data line, for the summary (which `-qq`
    // does not show: there, no data line is even made).
    let n = &match n.mode {
        Mode::Silent => n.clone(),
        _ => n.also(Echoed(bytes)),
    };
    // The event-loop models need a listener that never blocks: one flag in socket().
    let ty = match args.model {
        Model::Select | Model::Poll | Model::Epoll | Model::Reuseport => Type::STREAM.nonblocking(),
        Model::Fork | Model::Thread | Model::IoUring | Model::Prefork => Type::STREAM,
    };
    let listener = steps::socket(n, Domain::for_address(addr), ty, Some(Protocol::TCP))?;
    let served = listen_and_serve(n, &listener, addr, args, &stats);
    let closed = steps::close(n, listener); // however serving ended
    summary(n, &stats);
    served?;
    closed
}

/// setsockopt, bind, listen, then the chosen model's loop until SIGINT/SIGTERM.
fn listen_and_serve(
    n: &Narrator,
    listener: &Socket,
    addr: SocketAddr,
    args: &ServerArgs,
    stats: &Stats,
) -> Result<(), Failure> {
    steps::set_reuseaddr(n, listener)?;
    if args.model == Model::Reuseport {
        raw_core::steps::workers::set_reuseport(n, listener)?; // before bind: others may share the port
    }
    if addr.is_ipv6() && addr.ip().is_unspecified() {
        steps::set_v6only(n, listener, false)?;
    }
    if args.nodelay {
        steps::set_nodelay(n, listener)?; // inherited by each accepted socket
    }
    steps::bind(n, listener, addr, true)?;
    let bound = steps::getsockname(n, listener, PortFrom::Bind(addr.port()))?;
    steps::listen(n, listener, args.listen.backlog)?;
    n.ready(
        bound,
        n.say(text!(
            "multi-listening-model-try-raw-multi",
            bound,
            name = args.model.name(),
            port = bound.port()
        )),
    );
    raw_core::interfaces::announce_reachable(n, bound, "raw-multi clients");
    match args.model {
        Model::Fork => fork::serve(n, listener, bound, args, stats),
        Model::Thread => thread::serve(n, listener, bound, args, stats),
        Model::Select => event_loop::serve(n, listener, bound, args, stats, Select::default()),
        Model::Poll => event_loop::serve(n, listener, bound, args, stats, Poll::default()),
        Model::Epoll => event_loop::serve(n, listener, bound, args, stats, Epoll::new(n)?),
        Model::IoUring => io_uring::serve(n, listener, bound, args, stats),
        Model::Reuseport => reuseport::serve(n, listener, addr, bound, args, stats),
        Model::Prefork => prefork::serve(n, listener, bound, args, stats),
    }
}

/// The assignment's question, answered per connection: same local port, new peer port.
pub fn announce(n: &Narrator, fd: i32, local: SocketAddr, peer: SocketAddr) {
    n.emit(Event {
        kind: Some(Kind::Note),
        fd: Some(fd),
        local: Some(local.to_string()),
        peer: Some(peer.to_string()),
        text: n.say(text!(
            "multi-connection-fd-same-local-port",
            fd,
            local,
            peer
        )),
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
            n.note(n.say(text!("multi-rlimit-nofile-raised-hard-limit", soft, hard)));
        }
    }
}

/// Printed when the server stops (SIGINT/SIGTERM, or a fatal error), in every model
/// the same line: connections served, bytes echoed.
fn summary(n: &Narrator, stats: &Stats) {
    let connections = stats.connections.load(Ordering::Relaxed);
    let bytes = stats.bytes.load(Ordering::Relaxed);
    n.emit(Event {
        kind: Some(Kind::Data),
        text: n.say(text!("multi-summary", connections, bytes)),
        ..Event::default()
    });
    let per_worker = stats
        .per_worker
        .lock()
        .map(|w| w.clone())
        .unwrap_or_default();
    if !per_worker.is_empty() {
        let shares: Vec<String> = per_worker
            .iter()
            .map(|(who, count)| format!("{who}: {count}"))
            .collect();
        n.note(n.say(text!(
            "multi-connections-each-worker-got-from",
            shares = shares.join(", ")
        )));
    }
}

/// Says that `--max-clients` is reached, when it happens: as a note, or with `-q` and
/// `-qq` (which show no notes) as a warning on stderr. At most once a second, so a
/// busy server that keeps reaching it does not flood its output.
#[derive(Debug, Default)]
pub struct Limit {
    /// Whether the server was at the limit when last checked.
    full: bool,
    /// When it was last said.
    said: Option<Instant>,
}

impl Limit {
    /// Whether `serving` clients reach `max`; says so on reaching it.
    pub fn reached(&mut self, n: &Narrator, serving: usize, max: usize) -> bool {
        self.reached_as(n, serving, max, "--max-clients")
    }

    /// [`Limit::reached`] for a limit set by another option (`--workers`: the prefork
    /// model's children each serve one client).
    pub fn reached_as(&mut self, n: &Narrator, serving: usize, max: usize, option: &str) -> bool {
        let full = serving >= max;
        let recently = self
            .said
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1));
        if full && !self.full && !recently {
            self.said = Some(Instant::now());
            let text = text!("multi-reached-clients-are-being-served", option, max);
            if n.verbose() {
                n.note(n.say(text));
            } else {
                n.problem(None, &Failure::Runtime(text), "");
            }
        }
        self.full = full;
        full
    }
}

/// Stevens' `str_echo(connfd)` for the blocking models (the fork model's child, the
/// thread model's worker): the echo loop of lab 1 (`raw_core::echo`) for one client,
/// until it leaves, then what happened. Returns the status a forked child exits with:
/// 0, or 1 when the connection failed.
pub fn str_echo(n: &Narrator, conn: &Socket, peer: SocketAddr, args: &ServerArgs) -> i32 {
    let mut ended = Ok(());
    if let Some(idle) = args.idle_timeout {
        ended = steps::set_timeout(n, conn, Timeout::Receive, idle); // a silent client: recv gives EAGAIN
    }
    if ended.is_ok() {
        ended = echo_stream(n, conn, peer, args.buffer as usize, args.transform).map(|_| ());
    }
    match ended {
        Ok(()) => 0,
        Err(f) if f.errno() == Some(Errno::EAGAIN) => {
            n.note(n.say(text!("multi-event-loop-idle-too-long-idle-timeout", peer)));
            0
        }
        Err(f) if f.errno() == Some(Errno::EINTR) => 0, // SIGTERM: the server is stopping
        Err(f) => {
            n.problem(
                Some(peer),
                &f,
                &n.say(text!("multi-event-loop-only-this-connection-ends")),
            );
            1
        }
    }
}

/// Sleeps a little after `accept` failed for lack of file descriptors, so the server
/// keeps serving the clients it has instead of spinning on the same error.
pub fn back_off(n: &Narrator, failure: &Failure) {
    n.problem(
        None,
        failure,
        &n.say(text!("multi-backing-off-100-ms-clients")),
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
