//! The prefork model (Stevens, UNP §30.6, `serv02.c`): the parent forks N children
//! before any client arrives; every child blocks in `accept` on the one listening
//! socket they all inherited, serves the client it got, and goes back to `accept`. The
//! parent only waits.
//!
//! ```text
//! raw-multi server --model prefork --workers 3
//! raw-multi clients --count 6                                  # another terminal
//! ps --forest -o pid,stat,wchan:20,cmd -C raw-multi            # three children in inet_csk_accept
//! strace -f -e trace=%network,close,clone,wait4,kill,rt_sigaction,mmap,exit_group raw-multi server --model prefork
//! ```
//!
//! Where it differs from the fork model:
//! - No `fork` per client: the cost of a process is paid once, before the first client.
//!   But only N clients are served at once: the others wait in the accept queue.
//! - N processes sleep in `accept` on the same socket. When a connection arrives, Linux
//!   wakes only one of them, the one that has waited longest (an exclusive wait); the
//!   kernels UNP describes woke them all and all but one went back to sleep: the
//!   *thundering herd*.
//! - N silent clients would hold all N children and lock everyone else out, so a child
//!   drops a client that sends nothing for [`IDLE`] (5 s; `--idle-timeout` changes it):
//!   after `accept` it asks `TCP_INFO` whether the client has sent anything, and one
//!   silent for that long already (waiting in the accept queue) is closed at once, so
//!   the clients queued behind it get a child.
//! - Which child gets a connection is the kernel's choice; the summary shows it,
//!   counted in Stevens' `meter`: one page of counters mapped shared before the forks.
//! - To stop, the parent sends SIGTERM to every child (each gave SIGTERM its default
//!   action back, so it ends wherever it is) and reaps them all. A parent killed with
//!   SIGKILL sends nothing: each child asked the kernel for SIGTERM when its parent dies
//!   (`prctl(PR_SET_PDEATHSIG)`), since it would otherwise accept forever.
//!
//! Safety of `fork`: the parent starts no thread, so each child is a copy of a
//! single-threaded process and may run any code (`process::fork` refuses otherwise).

use super::{accept_or_retry, announce, str_echo, Limit, ServerArgs, Stats};
use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use raw_core::process::{self, Forked, Reaped, Wait};
use raw_core::signals::stop_requested;
use raw_core::text;
use raw_core::{steps, workers, Failure, Narrator};
use socket2::Socket;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Forks the children, then waits until SIGINT/SIGTERM; stops and reaps them.
pub fn serve(
    n: &Narrator,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Stats,
) -> Result<(), Failure> {
    let n = &n.side("parent"); // after fork, every line says which process printed it
    let parent = nix::unistd::getpid();
    let count = args.workers().min(args.max_clients()).max(1);
    // meter(nchildren): a shared counter per child, and one more: how many are busy.
    let meter = workers::meter(n, count + 1)?;
    let mut children: Vec<Pid> = Vec::with_capacity(count);
    let mut result = Ok(());
    let busy = &meter[count];
    for slot in &meter[..count] {
        match process::fork(n) {
            Ok(Forked::Child) => child(n, parent, listener, bound, args, slot, busy, count), // never returns
            Ok(Forked::Parent(pid)) => children.push(pid),
            Err(f) => {
                result = Err(f);
                break;
            }
        }
    }
    let mut alive = children.clone();
    if result.is_ok() {
        result = wait_for_stop(n, &mut alive);
    }
    stop_children(n, &alive);
    let per_child: Vec<(String, u64)> = children
        .iter()
        .zip(meter)
        .map(|(pid, c)| (format!("child {pid}"), c.load(Ordering::Relaxed)))
        .collect();
    stats
        .connections
        .store(per_child.iter().map(|(_, c)| c).sum(), Ordering::Relaxed);
    if let Ok(mut shares) = stats.per_worker.lock() {
        *shares = per_child;
    }
    result
}

/// The parent's whole job: sleep in `wait4` until a signal asks it to stop. A child
/// that ends on its own is reaped and not replaced (nor are Stevens').
fn wait_for_stop(n: &Narrator, alive: &mut Vec<Pid>) -> Result<(), Failure> {
    while !stop_requested() && !alive.is_empty() {
        match process::wait_any(n, Wait::Block) {
            Ok(Reaped::Child(pid, _)) => alive.retain(|&p| p != pid),
            Ok(Reaped::NoneYet) => {}
            Ok(Reaped::NoChildren) => alive.clear(),
            Err(f) if f.errno() == Some(Errno::EINTR) => {} // the loop checks the stop flag
            Err(f) => return Err(f),
        }
    }
    Ok(())
}

/// How long a prefork child waits for a silent client unless `--idle-timeout` says.
pub const IDLE: Duration = Duration::from_secs(5);

/// One child, as `child_main` in UNP's `child02.c`: accept, serve, close, forever. It
/// counts each connection in its slot of the meter, and in `busy` while it serves it:
/// the child that makes all `count` busy says that the limit is reached.
#[allow(clippy::too_many_arguments)] // what the child inherits, named one by one
fn child(
    n: &Narrator,
    parent: Pid,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    slot: &AtomicU64,
    busy: &AtomicU64,
    count: usize,
) -> ! {
    // The capture belongs to the parent: a child writing its own copy would garble it.
    let n = &n
        .side(&format!("child {}", std::process::id()))
        .without_capture();
    let mut since = raw_core::record::calls_made(); // the parent counted everything before fork
    let _ = process::default_action(n, Signal::SIGTERM); // the parent's SIGTERM ends us, wherever we are
    if !workers::die_with_parent(n, parent, Signal::SIGTERM) {
        process::exit(n, 0); // the parent is already gone
    }
    let mut status = 0;
    let mut limit = Limit::default();
    let idle = args.idle_timeout.unwrap_or(IDLE);
    let with_idle = ServerArgs {
        idle_timeout: Some(idle),
        ..args.clone()
    };
    // The limit is the number of children: --max-clients when it set it, else --workers.
    let option = if count == args.max_clients() {
        "--max-clients"
    } else {
        "--workers"
    };
    loop {
        since = args.flush_calls(since); // for raw-bench costs, before a call we may die in
        if stop_requested() {
            break; // SIGINT: Ctrl-C reaches the whole process group
        }
        let (conn, peer) = match accept_or_retry(n, listener) {
            Ok(Some(accepted)) => accepted, // the kernel chose this child
            Ok(None) => continue,           // EINTR, or out of fds: the loop top sees to it
            Err(f) => {
                n.problem(None, &f, &n.say(text!("multi-prefork-this-child-stops")));
                status = 1;
                break;
            }
        };
        slot.fetch_add(1, Ordering::Relaxed);
        let serving = busy.fetch_add(1, Ordering::Relaxed) + 1;
        limit.reached_as(n, serving as usize, count, option);
        announce(n, conn.as_raw_fd(), bound, peer);
        match steps::silent_since_connect(n, &conn) {
            Ok(Some(silent)) if silent >= idle => {
                n.note(n.say(text!(
                    "multi-prefork-silent-since-connected-longer-than",
                    peer
                )));
            }
            _ => {
                str_echo(n, &conn, peer, &with_idle); // the echo loop, until the client leaves
            }
        }
        let _ = steps::close(n, conn);
        let serving = busy.fetch_sub(1, Ordering::Relaxed).saturating_sub(1);
        limit.reached_as(n, serving as usize, count, option);
    }
    args.flush_calls(since);
    process::exit(n, status) // the kernel closes the listener's copy
}

/// Stopping: SIGTERM to every child (its default action ends it at once), then reap
/// them all.
fn stop_children(n: &Narrator, children: &[Pid]) {
    let mut left: Vec<Pid> = children.to_vec();
    for &pid in children {
        let _ = process::kill(n, pid, Signal::SIGTERM);
    }
    while !left.is_empty() {
        match process::wait_any(n, Wait::Block) {
            Ok(Reaped::Child(pid, _)) => left.retain(|&p| p != pid),
            Ok(Reaped::NoneYet) => {}
            Ok(Reaped::NoChildren) => break,
            Err(f) if f.errno() == Some(Errno::EINTR) => {} // another signal: wait again
            Err(_) => break,
        }
    }
}
