//! The reuseport model: one epoll loop per core, each on a listening socket of its own,
//! all bound to the same port. `SO_REUSEPORT` lets them share it, and the kernel hands
//! each new connection to one of their accept queues, chosen by a hash of the
//! connection's 4-tuple: no shared queue, no lock, no thread woken for nothing.
//!
//! ```text
//! raw-multi server --model reuseport --workers 2
//! raw-multi clients --count 6                                  # another terminal
//! ss -tlnp 'sport = :65432'                                    # two LISTEN sockets, one port
//! strace -f -e trace=%network,close,epoll_create1,epoll_ctl,epoll_wait,tgkill raw-multi server --model reuseport
//! ```
//!
//! Where it differs from the epoll model:
//! - `setsockopt(SO_REUSEPORT)` before each `bind`; the main thread makes the other
//!   workers' sockets (`socket`, `setsockopt`, `bind`, `listen`) and their epoll
//!   instances (`epoll_create1`) before starting them, so that a shortage of file
//!   descriptors ends the server at its start, never one worker while others serve.
//! - Each worker is the epoll model's loop (`event_loop.rs`) on its own listener, with
//!   its own epoll instance; `--max-clients` limits the sum of their clients (a worker
//!   at the limit looks again every 50 ms, since another one freeing a slot cannot
//!   wake it).
//! - The main thread is worker 1. SIGINT/SIGTERM sent to the process land on it; when
//!   its loop stops, it wakes each other worker with `tgkill` (its `epoll_wait`
//!   returns `EINTR`), then joins them.
//! - The summary says how many connections the kernel gave each worker: the hash
//!   spreads them evenly only on average, and a busy worker gets no fewer for it.

use super::epoll::Epoll;
use super::event_loop;
use super::{ServerArgs, Stats};
use nix::sys::signal::Signal;
use raw_core::steps::{self, workers};
use raw_core::text;
use raw_core::{Failure, Narrator};
use socket2::{Domain, Protocol, Socket, Type};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Clients served now by all the workers: `--max-clients` limits their sum. A worker
/// that finds the limit reached stops watching its listener and looks again every
/// 50 ms (another worker freeing a slot cannot wake it).
static SERVING: AtomicUsize = AtomicUsize::new(0);

/// Makes the other workers' listening sockets, starts them, runs worker 1 here, and
/// stops them all when SIGINT/SIGTERM arrives.
pub fn serve(
    n: &Narrator,
    listener: &Socket,
    addr: SocketAddr,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Stats,
) -> Result<(), Failure> {
    let n = &n.side("main"); // every line says which thread printed it
    let count = args.workers().max(1);
    let (listeners, epolls) = prepare(n, addr, bound, args, count)?;
    let sides: Vec<Narrator> = (2..=count)
        .map(|i| n.side(&format!("worker {i}")))
        .collect();
    let counts: Vec<AtomicU64> = (0..count).map(|_| AtomicU64::new(0)).collect();
    let mut posts = posts(n, &sides, epolls, &counts); // worker 1 first
    let first = posts.remove(0);
    let shared = Shared {
        bound,
        args,
        bytes: stats.bytes,
    };
    let (ended, ends) = mpsc::channel();
    let result = std::thread::scope(|scope| {
        let others = start_others(scope, n, posts, listeners, &shared, &ended);
        let mine = worker(first, listener, &shared); // worker 1 is this thread
        wake_all(n, &others, &ends); // this thread stopped (SIGINT/SIGTERM, or a failure)
        others
            .into_iter()
            .map(|other| other.handle.join().unwrap_or(Ok(())))
            .fold(mine, |all, one| all.and(one))
    });
    report(&counts, stats);
    result
}

/// Each worker's post, worker 1 (this thread, narrating as `main`) first.
fn posts<'a>(
    n: &'a Narrator,
    sides: &'a [Narrator],
    epolls: Vec<Epoll>,
    counts: &'a [AtomicU64],
) -> Vec<Post<'a>> {
    let narrators = std::iter::once(n).chain(sides);
    narrators
        .zip(epolls)
        .zip(counts)
        .map(|((n, epoll), counted)| Post { n, epoll, counted })
        .collect()
}

/// Starts workers 2, 3, ..., each on its own listener; one that cannot be started
/// leaves one listening socket fewer.
fn start_others<'scope, 'env: 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    n: &Narrator,
    posts: Vec<Post<'env>>,
    listeners: Vec<Socket>,
    shared: &'env Shared<'env>,
    ended: &mpsc::Sender<nix::unistd::Pid>,
) -> Vec<Other<'scope>> {
    let mut others = Vec::with_capacity(posts.len());
    for (i, (post, sock)) in posts.into_iter().zip(listeners).enumerate() {
        let name = format!("worker-{}", i + 2);
        match start(scope, name, post, sock, shared, ended.clone()) {
            Ok(other) => others.push(other),
            Err(e) => one_fewer(n, &e),
        }
    }
    others
}

/// What every worker shares: the address, the options, the bytes counter.
struct Shared<'a> {
    bound: SocketAddr,
    args: &'a ServerArgs,
    bytes: &'static AtomicU64,
}

/// What one worker is given: its narrator, its epoll instance, where its count goes.
struct Post<'a> {
    n: &'a Narrator,
    epoll: Epoll,
    counted: &'a AtomicU64,
}

/// A worker thread started: its handle, and its kernel id for `tgkill`.
struct Other<'scope> {
    handle: std::thread::ScopedJoinHandle<'scope, Result<(), Failure>>,
    tid: nix::unistd::Pid,
}

/// Says on `ends` that a worker's thread has ended, however it ended.
struct SaysItEnded(mpsc::Sender<nix::unistd::Pid>);

impl Drop for SaysItEnded {
    fn drop(&mut self) {
        let _ = self.0.send(nix::unistd::gettid());
    }
}

/// Starts a worker thread (`clone`) on its own listener, which it closes at its end.
fn start<'scope, 'env: 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    name: String,
    post: Post<'env>,
    listener: Socket,
    shared: &'env Shared<'env>,
    ends: mpsc::Sender<nix::unistd::Pid>,
) -> std::io::Result<Other<'scope>> {
    let (ids_tx, ids_rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(name)
        .spawn_scoped(scope, move || {
            let _ended = SaysItEnded(ends);
            let _ = ids_tx.send(nix::unistd::gettid());
            let wn = post.n;
            let served = worker(post, &listener, shared);
            served.and(steps::close(wn, listener))
        })?;
    let tid = ids_rx.recv().map_err(std::io::Error::other)?;
    Ok(Other { handle, tid })
}

/// The other workers' listening sockets, and every worker's epoll instance, made here
/// by the main thread before any worker accepts: once one does, its clients may use up
/// the file descriptors (EMFILE), and a worker failing then would close its listener
/// and reset the connections queued on it (seen on a busy machine: a client refused,
/// the server ending with status 1). On a failure, what was made is closed.
fn prepare(
    n: &Narrator,
    addr: SocketAddr,
    bound: SocketAddr,
    args: &ServerArgs,
    count: usize,
) -> Result<(Vec<Socket>, Vec<Epoll>), Failure> {
    let mut listeners = Vec::with_capacity(count - 1);
    let mut epolls = Vec::with_capacity(count);
    let made = (|| {
        for _ in 1..count {
            listeners.push(listen_again(n, addr, bound, args)?);
        }
        for _ in 0..count {
            epolls.push(Epoll::new(n)?);
        }
        Ok(())
    })();
    match made {
        Ok(()) => Ok((listeners, epolls)),
        Err(f) => {
            for sock in listeners {
                let _ = steps::close(n, sock);
            }
            Err(f)
        }
    }
}

/// A worker thread could not be started: one listening socket fewer serves.
fn one_fewer(n: &Narrator, e: &std::io::Error) {
    let errno = nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(0));
    let then = n.say(text!("multi-reuseport-one-worker-fewer-listening-socket"));
    n.problem(None, &Failure::sys("clone", errno), &then);
}

/// Wakes every worker still running with `tgkill(SIGTERM)`, again after 100 ms for
/// those that checked the stop flag just before the signal and sleep on in
/// `epoll_wait` (bounded: 10 s). Each worker's thread says when it has ended.
fn wake_all(n: &Narrator, others: &[Other<'_>], ends: &mpsc::Receiver<nix::unistd::Pid>) {
    let mut running: Vec<&Other<'_>> = others.iter().collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !running.is_empty() && Instant::now() < deadline {
        for other in &running {
            let _ = workers::wake_thread(n, other.tid.as_raw(), Signal::SIGTERM);
        }
        let again = Instant::now() + Duration::from_millis(100);
        while !running.is_empty() {
            let left = again.saturating_duration_since(Instant::now());
            match ends.recv_timeout(left) {
                Ok(tid) => running.retain(|other| other.tid != tid),
                Err(_) => break, // 100 ms: wake those left again
            }
        }
    }
}

/// After the stop: how many connections each worker got, as the kernel spread them.
fn report(counts: &[AtomicU64], stats: &Stats) {
    let per_worker: Vec<(String, u64)> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("worker {}", i + 1), c.load(Ordering::Relaxed)))
        .collect();
    stats
        .connections
        .fetch_add(per_worker.iter().map(|(_, c)| c).sum(), Ordering::Relaxed);
    if let Ok(mut shares) = stats.per_worker.lock() {
        *shares = per_worker;
    }
}

/// One worker: the epoll model's loop on its own listener, counting its connections.
fn worker(post: Post<'_>, listener: &Socket, shared: &Shared<'_>) -> Result<(), Failure> {
    let mine = Stats::sharing(shared.bytes, &SERVING); // --max-clients: every worker's clients
    let served = event_loop::serve(
        post.n,
        listener,
        shared.bound,
        shared.args,
        &mine,
        post.epoll,
    );
    post.counted
        .store(mine.connections.load(Ordering::Relaxed), Ordering::Relaxed);
    served
}

/// Another listening socket on the port the first one got: `socket`, `SO_REUSEADDR`,
/// `SO_REUSEPORT`, `bind`, `listen`, as `listen_and_serve` made the first.
fn listen_again(
    n: &Narrator,
    addr: SocketAddr,
    bound: SocketAddr,
    args: &ServerArgs,
) -> Result<Socket, Failure> {
    let sock = steps::socket(
        n,
        Domain::for_address(bound),
        Type::STREAM.nonblocking(),
        Some(Protocol::TCP),
    )?;
    let made = (|| {
        steps::set_reuseaddr(n, &sock)?;
        workers::set_reuseport(n, &sock)?; // before bind: the port is shared
        if addr.is_ipv6() && addr.ip().is_unspecified() {
            steps::set_v6only(n, &sock, false)?;
        }
        if args.nodelay {
            steps::set_nodelay(n, &sock)?;
        }
        steps::bind(n, &sock, bound, true)?; // the same address and port as worker 1
        steps::listen(n, &sock, args.listen.backlog)
    })();
    match made {
        Ok(()) => Ok(sock),
        Err(f) => {
            let _ = steps::close(n, sock);
            Err(f)
        }
    }
}
