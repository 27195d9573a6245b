//! The fork model (Stevens, UNP §5, `tcpserv04.c`): the parent accepts; for each client
//! it `fork`s. The child closes the listening socket, serves, exits; the parent closes
//! the connected socket and goes back to `accept`.
//!
//! ```text
//! raw-multi server --model fork
//! raw-multi clients --count 3                                  # another terminal
//! strace -f -e trace=%network,close,clone,wait4,kill,rt_sigaction,exit_group raw-multi server --model fork
//! ps --forest -o pid,stat,cmd -C raw-multi                     # one child per client, no zombies
//! ```
//!
//! Where it differs from the other models:
//! - After `fork` both processes hold both sockets; each closes the copy it does not
//!   need, or the connection would never end (the parent's copy would keep it open).
//! - A child that exits stays a zombie until the parent reaps it with `wait4`. SIGCHLD
//!   sets a flag and interrupts `accept` (`EINTR`); the parent then reaps in a
//!   `waitpid(-1, WNOHANG)` loop, because several exits may share one signal.
//! - Parent and children share no memory after `fork`: the children add up the bytes
//!   they echo in one page mapped shared before the first `fork`.
//! - To stop, the parent sends SIGTERM to every child and reaps them all. Each child
//!   has given SIGTERM its default action back: the handler it inherited only sets a
//!   flag, which a child about to block in `recv` would notice too late. A parent
//!   killed with SIGKILL sends nothing: each child asked the kernel for SIGTERM when
//!   its parent dies (`prctl(PR_SET_PDEATHSIG)`), or it would serve on, adopted by init.
//!
//! Safety of `fork`: this model never starts a thread, so the child is a copy of a
//! single-threaded process and may run any code (`process::fork` refuses otherwise).

use super::children::{self, Children};
use super::{accept_or_retry, announce, str_echo, Limit, ServerArgs, Stats};
use nix::unistd::Pid;
use raw_core::steps::process::{self, Forked};
use raw_core::steps::signals::stop_requested;
use raw_core::text;
use raw_core::{steps, Failure, Narrator};
use socket2::Socket;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;

/// Accepts clients and forks a child for each, until SIGINT/SIGTERM.
pub fn serve(
    n: &Narrator,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Stats,
) -> Result<(), Failure> {
    let n = &n.side("parent"); // after fork, every line says which process printed it
    let parent = nix::unistd::getpid(); // each child asks to die with this process
    process::flag_on_sigchld(n)?; // Signal(SIGCHLD, sig_chld): a child's end interrupts accept
    let mut children = Children::default();
    let mut limit = Limit::default();
    let result = loop {
        if process::take_sigchld() {
            children.reap(n); // waitpid(-1, WNOHANG) until no child has ended
        }
        if stop_requested() {
            break Ok(());
        }
        if limit.reached(n, children.len(), args.max_clients()) {
            children.wait_for_one(n); // the others wait in the backlog meanwhile
            continue;
        }
        let (conn, peer) = match accept_or_retry(n, listener) {
            Ok(Some(accepted)) => accepted,
            Ok(None) => continue, // EINTR (SIGCHLD, a stop) or out of fds: the loop top sees to it
            Err(f) => break Err(f),
        };
        stats.connections.fetch_add(1, Ordering::Relaxed);
        announce(n, conn.as_raw_fd(), bound, peer);
        if let Err(f) = fork_for(n, parent, listener, conn, peer, args, &mut children) {
            break Err(f);
        }
    };
    children.stop(n);
    result
}

/// `if ((childpid = Fork()) == 0) { ... }  Close(connfd);`: the child serves this client
/// and exits; the parent keeps its pid and closes its own copy of the connection.
fn fork_for(
    n: &Narrator,
    parent: Pid,
    listener: &Socket,
    conn: Socket,
    peer: SocketAddr,
    args: &ServerArgs,
    children: &mut Children,
) -> Result<(), Failure> {
    match process::fork(n) {
        Ok(Forked::Child) => child(n, parent, listener, conn, peer, args), // never returns
        Ok(Forked::Parent(pid)) => {
            children.add(pid);
            steps::close(n, conn) // parent closes connected socket (its copy: nothing is sent)
        }
        Err(f) => {
            let then = n.say(text!("multi-fork-this-client-dropped"));
            n.problem(Some(peer), &f, &then);
            steps::close(n, conn) // no child to serve it: the client gets FIN
        }
    }
}

/// The child, as in `tcpserv04.c`: `Close(listenfd); str_echo(connfd); exit(0);`,
/// after taking its name and making sure it ends with its parent.
fn child(
    n: &Narrator,
    parent: Pid,
    listener: &Socket,
    conn: Socket,
    peer: SocketAddr,
    args: &ServerArgs,
) -> ! {
    let n = &children::named(n); // "child 4242", without the parent's capture
    let _ = steps::close(n, listener.as_raw_fd()); // child closes listening socket (its copy)
    children::end_with_parent(n, parent); // SIGTERM: default action, and sent if the parent dies
    let status = str_echo(n, &conn, peer, args); // process the request
    process::exit(n, status) // child terminates: the kernel closes connfd (FIN)
}
