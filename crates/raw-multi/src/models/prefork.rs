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

use super::children::{self, Children};
use super::{accept_or_retry, announce, str_echo, Limit, ServerArgs, Stats};
use nix::unistd::Pid;
use raw_core::steps::process::{self, Forked};
use raw_core::steps::signals::stop_requested;
use raw_core::steps::{self, workers};
use raw_core::text;
use raw_core::{Failure, Narrator};
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
    let parent = nix::unistd::getpid(); // each child asks to die with this process
    let post = Post::new(n, bound, args)?; // meter(nchildren): the page the children count in
    let (mut children, mut forked, mut result) = (Children::default(), Vec::new(), Ok(()));
    for slot in 0..post.count {
        match process::fork(n) {
            Ok(Forked::Child) => child(n, parent, listener, &post, slot), // never returns
            Ok(Forked::Parent(pid)) => {
                children.add(pid);
                forked.push(pid);
            }
            Err(f) => {
                result = Err(f);
                break;
            }
        }
    }
    if result.is_ok() {
        result = children.wait_for_stop(n); // wait4 until a signal asks us to stop
    }
    children.stop(n);
    post.report(&forked, stats);
    result
}

/// One child, as `child_main` in UNP's `child02.c`: accept, serve, close, forever.
fn child(n: &Narrator, parent: Pid, listener: &Socket, post: &Post, slot: usize) -> ! {
    let n = &children::named(n); // "child 4242", without the parent's capture
    children::end_with_parent(n, parent); // SIGTERM: default action, and sent if the parent dies
    let mut limit = Limit::default();
    while !stop_requested() {
        let (conn, peer) = match accept_or_retry(n, listener) {
            Ok(Some(accepted)) => accepted, // the kernel chose this child
            Ok(None) => continue,           // EINTR, or out of fds: the loop top sees to it
            Err(f) => process::exit(n, post.stops(n, &f)),
        };
        post.web_child(n, &conn, peer, slot, &mut limit); // process the request
        let _ = steps::close(n, conn); // the client gets FIN
        post.done(n, &mut limit);
    }
    process::exit(n, 0) // SIGINT (Ctrl-C reaches the whole group); the kernel closes the listener's copy
}

/// How long a prefork child waits for a silent client unless `--idle-timeout` says.
pub const IDLE: Duration = Duration::from_secs(5);

/// What every child inherits: the settings, and Stevens' `meter` (one page of counters
/// mapped shared before the forks: one per child, and one more, how many are busy).
#[derive(Debug)]
struct Post {
    bound: SocketAddr,
    args: ServerArgs,
    meter: &'static [AtomicU64],
    count: usize,
    /// The option that set the limit: `--max-clients` when it did, else `--workers`.
    option: &'static str,
}

impl Post {
    fn new(n: &Narrator, bound: SocketAddr, args: &ServerArgs) -> Result<Post, Failure> {
        let count = args.workers().min(args.max_clients()).max(1);
        let option = match count == args.max_clients() {
            true => "--max-clients",
            false => "--workers",
        };
        let args = ServerArgs {
            idle_timeout: Some(args.idle_timeout.unwrap_or(IDLE)),
            ..args.clone()
        };
        let meter = workers::meter(n, count + 1)?;
        Ok(Post {
            bound,
            args,
            meter,
            count,
            option,
        })
    }

    /// Serves one client (UNP's `web_child`), counted in the child's slot and among the
    /// busy ones while it lasts. A client silent since it connected for longer than
    /// the idle timeout (waiting in the accept queue) is closed at once, so the clients
    /// queued behind it get a child.
    fn web_child(
        &self,
        n: &Narrator,
        conn: &Socket,
        peer: SocketAddr,
        slot: usize,
        limit: &mut Limit,
    ) {
        self.meter[slot].fetch_add(1, Ordering::Relaxed);
        let serving = self.meter[self.count].fetch_add(1, Ordering::Relaxed) + 1;
        limit.reached_as(n, serving as usize, self.count, self.option);
        announce(n, conn.as_raw_fd(), self.bound, peer);
        let idle = self.args.idle_timeout.unwrap_or(IDLE);
        match steps::silent_since_connect(n, conn) {
            Ok(Some(silent)) if silent >= idle => n.note(n.say(text!(
                "multi-prefork-silent-since-connected-longer-than",
                peer
            ))),
            _ => {
                str_echo(n, conn, peer, &self.args); // the echo loop, until the client leaves
            }
        }
    }

    /// The client is gone: one child less is busy.
    fn done(&self, n: &Narrator, limit: &mut Limit) {
        let serving = self.meter[self.count]
            .fetch_sub(1, Ordering::Relaxed)
            .saturating_sub(1);
        limit.reached_as(n, serving as usize, self.count, self.option);
    }

    /// `accept` failed for good: this child says so and stops (exit status 1).
    fn stops(&self, n: &Narrator, failure: &Failure) -> i32 {
        n.problem(
            None,
            failure,
            &n.say(text!("multi-prefork-this-child-stops")),
        );
        1
    }

    /// After the stop: how many connections each child got, as the kernel spread them.
    fn report(&self, forked: &[Pid], stats: &Stats) {
        let per_child: Vec<(String, u64)> = forked
            .iter()
            .zip(self.meter)
            .map(|(pid, c)| (format!("child {pid}"), c.load(Ordering::Relaxed)))
            .collect();
        stats
            .connections
            .store(per_child.iter().map(|(_, c)| c).sum(), Ordering::Relaxed);
        if let Ok(mut shares) = stats.per_worker.lock() {
            *shares = per_child;
        }
    }
}
