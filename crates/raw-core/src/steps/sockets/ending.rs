//! The end of a connection: `shutdown` (a FIN, while reading on), `close` (the fd,
//! and the connection when it was the last copy), and the state probe a narrated TCP
//! step ends with (`getsockopt(TCP_INFO)`).

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::narrate::Narrator;
use crate::sentences;
pub use crate::sentences::PortFrom;
use crate::text;
use crate::trace::call::{errno_of, Call};
use crate::trace::fds::{closing, Closing};
use socket2::Socket;
use std::net::Shutdown;
use std::os::fd::{AsRawFd, IntoRawFd, RawFd};

/// **Syscall:** `shutdown(fd, SHUT_WR)`, see `shutdown(2)` — "I will send no more":
/// the kernel sends FIN but the socket stays open, so we can still read the reply and
/// the peer's own FIN.
/// **Packets:** FIN →, ← ACK. **TCP state:** ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2
/// (or CLOSE-WAIT → LAST-ACK when the peer closed first).
#[doc = crate::man_links!(shutdown(2))]
#[track_caller]
pub fn shutdown_write(n: &Narrator, sock: &Socket) -> Result<(), Failure> {
    let fd = sock.as_raw_fd();
    let call = Call::new(n, "shutdown", fd, || format!("shutdown({fd}, SHUT_WR)"));
    let result = sock.shutdown(Shutdown::Write).map_err(|e| errno_of(&e));
    call.finish(result, |_| 0, |_| sentences::shutdown_write())
}

/// **Syscall:** `shutdown(fd, SHUT_RDWR)`, see `shutdown(2)`, on a connection another
/// thread is serving: its blocked `recv` returns 0 at once, so it ends cleanly. Used to
/// stop a threaded server. **Packets:** FIN →. **TCP state:** FIN-WAIT-1.
#[doc = crate::man_links!(shutdown(2))]
#[track_caller]
pub fn shutdown_fd(n: &Narrator, fd: RawFd) -> Result<(), Failure> {
    let call = Call::new(n, "shutdown", fd, || format!("shutdown({fd}, SHUT_RDWR)"));
    let result = nix::sys::socket::shutdown(fd, nix::sys::socket::Shutdown::Both);
    // No state read here: another thread owns this socket and may close it any moment.
    call.stateless()
        .finish(result, |_| 0, |_| sentences::shutdown_both())
}

/// **Syscall:** `getsockopt(fd, SOL_TCP, TCP_INFO, ...)`, see `tcp(7)`: only look at the
/// socket's TCP state, as a step of its own (e.g. to see FIN-WAIT-1 become FIN-WAIT-2
/// once the peer's ACK arrived). **Packets:** none. **TCP state:** unchanged.
#[doc = crate::man_links!(getsockopt(2))]
#[track_caller]
pub fn tcp_state(n: &Narrator, sock: &Socket) -> Option<crate::trace::tcp_state::TcpState> {
    let fd = sock.as_raw_fd();
    let probe = crate::trace::tcp_state::probe(fd);
    let state = probe.state;
    n.look(fd, probe, &n.say(text!("steps-looking-at-state-again")));
    state
}

/// **Syscall:** `close(2)` — release the fd. For a connected TCP socket the kernel
/// sends FIN (if not sent yet) and finishes the goodbye on its own, even after our fd is
/// gone: the side that closes first ends in TIME-WAIT. A socket lives while any process
/// holds a descriptor for it, so closing a copy that `fork` made (the fork server's
/// parent closing the connected socket, its child closing the listener) sends nothing:
/// the other process goes on using it. Takes a socket, or any fd this code owns (an
/// epoll instance).
/// **Packets:** FIN → (unless already sent, or a copy). **TCP state:** the fd is gone; in
/// the kernel the connection moves on to FIN-WAIT, LAST-ACK or TIME-WAIT.
#[doc = crate::man_links!(close(2))]
#[track_caller]
pub fn close(n: &Narrator, fd: impl IntoRawFd) -> Result<(), Failure> {
    let fd = fd.into_raw_fd();
    let what = closing(fd);
    let call = Call::new(n, "close", fd, || format!("close({fd})")).closes();
    let result = nix::unistd::close(fd);
    call.finish(
        result,
        |_| 0,
        |_| match what {
            Closing::Listener => sentences::close_listener(),
            Closing::Copy => sentences::close_copy(),
            Closing::Socket(kind) => sentences::close(Some(kind)),
            Closing::Other => sentences::close(None),
        },
    )
}
