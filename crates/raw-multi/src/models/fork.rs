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

use super::{accept_or_retry, announce, str_echo, Limit, ServerArgs, Stats};
use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use raw_core::process::{self, Forked, Reaped, Wait};
use raw_core::signals::stop_requested;
use raw_core::text;
use raw_core::{steps, workers, Failure, Narrator};
use socket2::Socket;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, IntoRawFd};
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
    let mut children: HashSet<Pid> = HashSet::new();
    let mut limit = Limit::default();
    let result = loop {
        if process::take_sigchld() {
            reap(n, &mut children); // waitpid(-1, WNOHANG) until no child has ended
        }
        if stop_requested() {
            break Ok(());
        }
        if limit.reached(n, children.len(), args.max_clients()) {
            wait_for_one(n, &mut children); // the others wait in the backlog meanwhile
            continue;
        }
        let (conn, peer) = match accept_or_retry(n, listener) {
            Ok(Some(accepted)) => accepted,
            Ok(None) => continue, // EINTR (SIGCHLD, a stop) or out of fds: the loop top sees to it
            Err(f) => break Err(f),
        };
        stats.connections.fetch_add(1, Ordering::Relaxed);
        announce(n, conn.as_raw_fd(), bound, peer);
        let closed = match process::fork(n) {
            Ok(Forked::Child) => child(n, parent, listener, conn, peer, args), // never returns
            Ok(Forked::Parent(pid)) => {
                children.insert(pid);
                process::close_copy(n, conn.into_raw_fd()) // parent closes connected socket
            }
            Err(f) => {
                n.problem(
                    Some(peer),
                    &f,
                    &n.say(text!("multi-fork-this-client-dropped")),
                );
                steps::close(n, conn) // no child to serve it: the client gets FIN
            }
        };
        if let Err(f) = closed {
            break Err(f);
        }
    };
    stop_children(n, &mut children);
    result
}

/// The child, as in `tcpserv04.c`: `Close(listenfd); str_echo(connfd); exit(0);`,
/// plus SIGTERM's default action back, so that the parent's stop always ends it, and
/// SIGTERM asked for when the parent dies (`PR_SET_PDEATHSIG`): a parent killed with
/// SIGKILL sends nothing, and its children would serve on, adopted by init.
fn child(
    n: &Narrator,
    parent: Pid,
    listener: &Socket,
    conn: Socket,
    peer: SocketAddr,
    args: &ServerArgs,
) -> ! {
    // The capture belongs to the parent: a child reading the same packet socket and
    // writing its own copy of the file would garble both.
    let n = &n
        .side(&format!("child {}", std::process::id()))
        .without_capture();
    let since = raw_core::record::calls_made(); // the parent counted everything before fork
    let _ = process::close_copy(n, listener.as_raw_fd()); // child closes listening socket
    let _ = process::default_action(n, Signal::SIGTERM); // the parent's SIGTERM ends us, wherever we are
    if !workers::die_with_parent(n, parent, Signal::SIGTERM) {
        process::exit(n, 0); // the parent is already gone: the kernel closes connfd
    }
    let status = str_echo(n, &conn, peer, args); // process the request
    args.flush_calls(since); // for raw-bench costs: this child's syscalls, before exit
    process::exit(n, status) // child terminates: the kernel closes connfd (FIN)
}

/// Stevens' `sig_chld` loop, `while ((pid = waitpid(-1, &stat, WNOHANG)) > 0)`: reaps
/// every child that has ended, since several ends may share one SIGCHLD.
fn reap(n: &Narrator, children: &mut HashSet<Pid>) {
    while let Ok(Reaped::Child(pid, _)) = process::wait_any(n, Wait::NoHang) {
        children.remove(&pid);
    }
}

/// At `--max-clients`: sleeps in `wait4` until one child ends.
fn wait_for_one(n: &Narrator, children: &mut HashSet<Pid>) {
    if let Ok(Reaped::Child(pid, _)) = process::wait_any(n, Wait::Block) {
        children.remove(&pid);
    }
}

/// Stopping: SIGTERM to every child (its default action ends it at once), then reap
/// them all.
fn stop_children(n: &Narrator, children: &mut HashSet<Pid>) {
    for &pid in children.iter() {
        let _ = process::kill(n, pid, Signal::SIGTERM);
    }
    while !children.is_empty() {
        match process::wait_any(n, Wait::Block) {
            Ok(Reaped::Child(pid, _)) => {
                children.remove(&pid);
            }
            Ok(_) => break,                                        // none left
            Err(f) if f.errno() == Some(Errno::EINTR) => continue, // another SIGTERM: wait again
            Err(_) => break,
        }
    }
}
