//! The thread model: the main thread accepts; each client gets a thread of its own,
//! blocked in its own `recv`, running the same echo loop as lab 1 (`str_echo`).
//!
//! ```text
//! raw-multi server --model thread
//! raw-multi clients --count 3                                  # another terminal
//! strace -f -e trace=%network,close raw-multi server --model thread   # -f: follow the threads
//! ```
//!
//! Where it differs from the other models:
//! - `std::thread::Builder` with an explicit, modest stack (256 KiB instead of 8 MiB of
//!   address space): thousands of idle clients cost thousands of stacks.
//! - SIGINT/SIGTERM are blocked in the workers (they inherit the mask from the spawning
//!   thread), so the signal always interrupts the main thread's `accept`.
//! - At `--max-clients` the main thread stops accepting until a worker ends; new clients
//!   wait in the kernel's backlog meanwhile.
//! - To stop, the main thread `shutdown`s every live connection: each worker's `recv`
//!   returns 0, it closes its socket and ends; then the main thread joins them.

use super::{accept_or_retry, announce, str_echo, Limit, ServerArgs, Stats};
use nix::errno::Errno;
use raw_core::steps;
use raw_core::steps::signals::{block_stop_signals, stop_requested, unblock_stop_signals};
use raw_core::text;
use raw_core::{Failure, Narrator};
use socket2::Socket;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Each worker's stack: plenty for the echo loop, and 32 times less than the default.
const STACK_SIZE: usize = 256 * 1024;

/// The live connections (worker id → fd), so the main thread can wake them to stop;
/// the condition variable is signalled when a worker ends.
type Live = Arc<(Mutex<HashMap<u64, RawFd>>, Condvar)>;

/// Accepts clients and gives each its own thread until SIGINT/SIGTERM.
pub fn serve(
    n: &Narrator,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Stats,
) -> Result<(), Failure> {
    let n = &n.side("main"); // every line says which thread printed it
    let live: Live = Arc::new((Mutex::new(HashMap::new()), Condvar::new()));
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    let mut next_id: u64 = 0;
    let mut limit = Limit::default();
    let result = loop {
        wait_for_slot(n, &live, &mut workers, args.max_clients(), &mut limit);
        if stop_requested() {
            break Ok(());
        }
        let (conn, peer) = match accept_or_retry(n, listener) {
            Ok(Some(accepted)) => accepted,
            Ok(None) => continue, // None: a stop, or out of fds; the loop top handles each
            Err(f) => break Err(f),
        };
        stats.connections.fetch_add(1, Ordering::Relaxed);
        announce(n, conn.as_raw_fd(), bound, peer);
        next_id += 1;
        if let Some(handle) = start_worker(n, conn, peer, next_id, args, &live) {
            workers.push(handle);
        }
    };
    wake_and_join(n, &live, workers);
    result
}

/// Starts the thread that serves one client (`pthread_create`, as `clone3`), with
/// SIGINT/SIGTERM blocked so that only the main thread sees them. On a failure (EAGAIN:
/// too many threads; or no memory for the stack) the worker's closure was dropped, and
/// the socket it owned with it: that closed the client's connection. Its entry is
/// forgotten, so stopping never shuts down whatever socket reuses the fd number.
fn start_worker(
    n: &Narrator,
    conn: Socket,
    peer: SocketAddr,
    id: u64,
    args: &ServerArgs,
    live: &Live,
) -> Option<JoinHandle<()>> {
    if let Ok(mut map) = live.0.lock() {
        map.insert(id, conn.as_raw_fd());
    }
    block_stop_signals(); // the new thread inherits this mask
    let spawned = spawn_worker(n, conn, peer, id, args, live);
    unblock_stop_signals();
    match spawned {
        Ok(handle) => Some(handle),
        Err(e) => {
            no_thread(n, peer, id, live, &e);
            None
        }
    }
}

/// `clone` failed: the client is not served, and its connection is closed when `conn`
/// is dropped.
fn no_thread(n: &Narrator, peer: SocketAddr, id: u64, live: &Live, e: &std::io::Error) {
    if let Ok(mut map) = live.0.lock() {
        map.remove(&id);
    }
    let errno = e
        .raw_os_error()
        .map_or(Errno::UnknownErrno, Errno::from_raw);
    let then = n.say(text!("multi-thread-no-thread-this-client-connection"));
    n.problem(Some(peer), &Failure::sys("clone", errno), &then);
}

/// One client's thread: the echo loop, then close. Its failure ends only this client.
fn spawn_worker(
    n: &Narrator,
    conn: Socket,
    peer: SocketAddr,
    id: u64,
    args: &ServerArgs,
    live: &Live,
) -> std::io::Result<JoinHandle<()>> {
    let (n, live, args) = (n.side(&format!("thread {id}")), live.clone(), args.clone());
    std::thread::Builder::new()
        .name(format!("client-{id}"))
        .stack_size(STACK_SIZE)
        .spawn(move || {
            str_echo(&n, &conn, peer, &args); // the echo loop, until the client leaves
                                              // Leave the live set before close, so the main thread never shuts down a
                                              // reused fd number.
            let (map, ended) = &*live;
            if let Ok(mut map) = map.lock() {
                map.remove(&id);
                let _ = steps::close(&n, conn);
            }
            ended.notify_all();
        })
}

/// Blocks the accept loop while `max` threads exist (their clients wait in the
/// backlog), and says so when it starts. Finished threads are joined first: `join`
/// returns only once the thread is really gone, so there are never more than `max`
/// worker threads, even for a moment. Wakes every 10 ms at most, to notice a stop
/// request.
fn wait_for_slot(
    n: &Narrator,
    live: &Live,
    workers: &mut Vec<JoinHandle<()>>,
    max: usize,
    limit: &mut Limit,
) {
    loop {
        let (finished, running): (Vec<_>, Vec<_>) =
            workers.drain(..).partition(|w| w.is_finished());
        *workers = running;
        for worker in finished {
            let _ = worker.join();
        }
        if !limit.reached(n, workers.len(), max) || stop_requested() {
            return;
        }
        let (map, ended) = &**live;
        if let Ok(guard) = map.lock() {
            let _ = ended.wait_timeout(guard, Duration::from_millis(10));
        }
    }
}

/// Stopping: wake every worker by shutting its connection down (its `recv` returns
/// 0), then wait for all of them.
fn wake_and_join(n: &Narrator, live: &Live, workers: Vec<JoinHandle<()>>) {
    if let Ok(map) = live.0.lock() {
        for &fd in map.values() {
            let _ = steps::shutdown_fd(n, fd);
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
}
