//! The fork model (Stevens, UNP §5): the parent accepts; for each client it `fork`s.
//! The child closes the listening socket and serves; the parent closes the connected
//! socket and goes back to `accept`.
//!
//! ```text
//! raw-multi server --model fork
//! strace -f -e trace=%network,process raw-multi server --model fork
//! ps --forest -o pid,stat,cmd -C raw-multi        # one child per client, no zombies
//! ```
//!
//! Where it differs from the other models:
//! - After `fork` both processes hold both sockets; each closes the one it does not
//!   need, or the connection would never end (the parent's copy keeps it open).
//! - A child that exits stays a zombie until the parent `waitpid`s it. SIGCHLD sets a
//!   flag and interrupts `accept` (`EINTR`); the parent then reaps in a
//!   `waitpid(-1, WNOHANG)` loop, because several exits may share one signal.
//! - The parent counts connections; each child counts its own bytes and says so.
//! - To stop, the parent sends SIGTERM to every child and reaps them all.
//!
//! Safety of `fork`: this model never starts a thread, so the child is a copy of a
//! single-threaded process and may run any code (no lock can be held by a thread that
//! does not exist in the child).

use super::{accept_or_retry, announce, ServerArgs, Stats};
use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use raw_core::echo::echo_stream;
use raw_core::narrate::Event;
use raw_core::signals::{flag_on_sigchld, stop_requested, take_sigchld};
use raw_core::steps::{self, Timeout};
use raw_core::{Failure, Narrator};
use socket2::Socket;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Accepts clients and forks a child for each, until SIGINT/SIGTERM.
pub fn serve(
    n: &Narrator,
    listener: &Socket,
    bound: SocketAddr,
    args: &ServerArgs,
    stats: &Arc<Stats>,
) -> Result<(), Failure> {
    flag_on_sigchld()?;
    let n = &n.side("parent"); // after fork, every line says which process printed it
    n.note(n.t(
        "rt_sigaction(SIGCHLD): a child's exit interrupts accept (EINTR) so the parent reaps it at once.",
        "rt_sigaction(SIGCHLD): a saída de um filho interrompe o accept (EINTR) para o pai recolhê-lo na hora.",
    ));
    let mut children: HashSet<Pid> = HashSet::new();
    let result = loop {
        if take_sigchld() {
            reap(n, &mut children, false);
        }
        if stop_requested() {
            break Ok(());
        }
        if children.len() >= args.max_clients() {
            reap(n, &mut children, true); // wait for one child to end; others wait in the backlog
            continue;
        }
        let (conn, peer) = match accept_or_retry(n, listener) {
            Ok(Some(accepted)) => accepted,
            Ok(None) => continue, // None: SIGCHLD, a stop, or out of fds; the loop top handles each
            Err(f) => break Err(f),
        };
        stats.connections.fetch_add(1, Ordering::Relaxed);
        announce(n, conn.as_raw_fd(), bound, peer);

        // SAFETY: this process is single-threaded (the fork model never starts a
        // thread), so the child may run any code until it exits.
        #[allow(unsafe_code)]
        let forked = unsafe { fork() };
        match forked {
            Ok(ForkResult::Child) => child(n, listener, conn, peer, args),
            Ok(ForkResult::Parent { child }) => {
                narrate_fork(n, child);
                children.insert(child);
                steps::close(n, conn)?; // the child has its own copy; ours would keep the connection open
            }
            Err(errno) => {
                // glibc's fork() is the clone syscall (EAGAIN: too many processes).
                n.problem(
                    Some(peer),
                    &Failure::sys("clone", errno),
                    n.t("This client is dropped.", "Este cliente é descartado."),
                );
                steps::close(n, conn)?;
            }
        }
    };
    stop_children(n, &mut children);
    result
}

/// The child: close the listener, serve this one client, exit. Never returns.
fn child(n: &Narrator, listener: &Socket, conn: Socket, peer: SocketAddr, args: &ServerArgs) -> ! {
    let pid = std::process::id();
    // The capture belongs to the parent: a child reading the same packet socket and
    // writing its own copy of the file would garble both.
    let n = &n.side(&format!("child {pid}")).without_capture();
    let mut outcome = Ok(());
    // The listener's fd is a copy here; closing it (not with steps::close, which takes
    // ownership of the parent's socket value) leaves the parent's listener untouched.
    let lfd = listener.as_raw_fd();
    let closed = nix::unistd::close(lfd);
    n.syscall(
        "close",
        format!(
            "close({lfd}) = {}",
            raw_core::strace::ret(closed.map(|_| 0))
        ),
        Event {
            fd: Some(lfd),
            text: n
                .t(
                    "Child: the listening socket is the parent's business; closing our copy.",
                    "Filho: o socket de escuta é assunto do pai; fechando nossa cópia.",
                )
                .to_string(),
            ..Event::default()
        },
    );
    if let Some(idle) = args.idle_timeout {
        outcome = steps::set_timeout(n, &conn, Timeout::Receive, idle);
    }
    let served =
        outcome.and_then(|_| echo_stream(n, &conn, peer, args.buffer as usize, args.transform));
    let code = match &served {
        Ok(echo) => {
            n.note(format!(
                "{} {pid}: {peer}, {} bytes.",
                n.t("Child", "Filho"),
                echo.bytes
            ));
            0
        }
        Err(f) if f.errno() == Some(Errno::EAGAIN) => {
            n.note(format!(
                "{peer}: {}",
                n.t(
                    "idle too long (--idle-timeout): dropping this client.",
                    "ocioso demais (--idle-timeout): desconectando este cliente."
                )
            ));
            0
        }
        Err(f) if f.errno() == Some(Errno::EINTR) => 0, // the parent asked us to stop
        Err(f) => {
            n.problem(
                Some(peer),
                f,
                n.t("Only this connection ends.", "Só esta conexão termina."),
            );
            1
        }
    };
    let _ = steps::close(n, conn);
    std::process::exit(code)
}

/// Narrates the parent's side of `fork`. glibc's `fork()` is the `clone` syscall.
fn narrate_fork(n: &Narrator, child: Pid) {
    n.syscall(
        "clone",
        format!("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, ...) = {child}"),
        Event {
            text: format!(
                "{} {child} {}",
                n.t("fork(): child", "fork(): filho"),
                n.t("serves this client with a copy of both sockets; the parent goes back to accept.", "atende este cliente com uma cópia dos dois sockets; o pai volta ao accept.")
            ),
            ..Event::default()
        },
    );
}

/// **Syscall:** `wait4(-1, &status, WNOHANG, NULL)` in a loop, see `waitpid(2)`: collect
/// every child that has exited (several may share one SIGCHLD). With `block`, first
/// wait for one child to exit.
fn reap(n: &Narrator, children: &mut HashSet<Pid>, block: bool) {
    let mut flags = if block {
        None
    } else {
        Some(WaitPidFlag::WNOHANG)
    };
    loop {
        match waitpid(None, flags) {
            Ok(WaitStatus::StillAlive) => return,
            Ok(status) => {
                if let Some(pid) = status.pid() {
                    children.remove(&pid);
                    n.note(format!(
                        "waitpid: {} {pid} {} ({status:?}).",
                        n.t("child", "filho"),
                        n.t("reaped, no zombie left", "recolhido, nenhum zumbi")
                    ));
                }
                flags = Some(WaitPidFlag::WNOHANG); // then collect any others without blocking
            }
            Err(Errno::EINTR) if !stop_requested() => continue,
            Err(_) => return, // ECHILD: none left; EINTR while stopping: the caller goes on
        }
    }
}

/// Stopping: SIGTERM to every child, then reap them all.
fn stop_children(n: &Narrator, children: &mut HashSet<Pid>) {
    for &pid in children.iter() {
        let _ = kill(pid, Signal::SIGTERM);
    }
    if !children.is_empty() {
        n.note(format!(
            "{} {}",
            children.len(),
            n.t(
                "children sent SIGTERM; reaping them.",
                "filhos receberam SIGTERM; recolhendo-os."
            )
        ));
    }
    while !children.is_empty() {
        match waitpid(None, None) {
            Ok(status) => {
                if let Some(pid) = status.pid() {
                    children.remove(&pid);
                }
            }
            Err(Errno::EINTR) => continue,
            Err(_) => break, // ECHILD: all gone
        }
    }
}
