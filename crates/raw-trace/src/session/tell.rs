//! One call told: what to say about it ([`Told`]), the event every view gets (strace's
//! line and the sentence), and the socket's TCP state after it, from the kernel's table.

#![forbid(unsafe_code)]

use super::{Say, Session};
use crate::line::Call;
use crate::procfs;
use crate::sockets::{self, Seen, Sock};
use nix::errno::Errno;
use raw_core::sentences as say;
use raw_core::text;
use raw_core::trace::event::Event;
use raw_core::trace::tcp_state::TcpState;
use raw_core::{Lang, Mode};
use std::net::SocketAddr;

/// Whose state to show after a call.
pub(super) enum After {
    /// The socket behind this fd, looked up by inode.
    Fd(i32),
    /// A closed connection, looked up by its addresses.
    Closed(SocketAddr, SocketAddr),
}

/// What to say about one call.
pub(super) struct Told {
    pub(super) fd: Option<i32>,
    pub(super) say: Say,
    pub(super) local: Option<SocketAddr>,
    pub(super) peer: Option<SocketAddr>,
    pub(super) bytes: Option<usize>,
    pub(super) after: Option<After>,
}

impl Told {
    /// A sentence about `fd`, with nothing else to show yet.
    pub(super) fn new(fd: Option<i32>, say: Say) -> Told {
        Told {
            fd,
            say,
            local: None,
            peer: None,
            bytes: None,
            after: None,
        }
    }

    /// Show the TCP state of `fd` after the call, when `sock` is a TCP socket.
    pub(super) fn state_if(mut self, sock: Option<&Sock>, fd: i32) -> Told {
        if sock.is_some_and(Sock::is_tcp) {
            self.after = Some(After::Fd(fd));
        }
        self
    }
}

/// The errno a name stands for (`EADDRINUSE`); strace's restart codes are an `EINTR`
/// for the program.
fn errno_named(name: &str) -> Option<Errno> {
    if name.starts_with("ERESTART") {
        return Some(Errno::EINTR);
    }
    (1..200)
        .map(Errno::from_raw)
        .find(|e| format!("{e:?}") == name)
}

/// The sentence of a call that did not return a value: failed (`-1 ERRNO`),
/// interrupted (`? ERESTARTSYS`), or never returned (`?`).
pub(super) fn unsuccessful(name: &'static str, call: &Call) -> Say {
    match call.errno().and_then(errno_named) {
        Some(errno) => say::failed(name, errno, None),
        None => say::ended_inside(),
    }
}

/// The sentence for a socket of a family that is not IP.
pub(super) fn family_sentence(family: &str) -> Say {
    let family = family.to_string();
    say::not_ip(&family)
}

impl Session<'_> {
    /// Prints one call: the strace line, its sentence, the state after it.
    pub(super) fn tell(&mut self, pid: u32, name: &'static str, call: &Call, told: Told) {
        self.spoke.insert(pid);
        let (side, under) = self.side(pid);
        if !side.verbose() {
            return;
        }
        let label = self.label(pid);
        let lang = side.lang;
        let text = told.say.render(lang);
        let text_other = side.bilingual.then(|| told.say.render(lang.other()));
        let (state, state_line) = match told.after {
            Some(After::Fd(fd)) => self.state_after(pid, fd),
            Some(After::Closed(local, peer)) => closed_state(lang, local, peer),
            None => (None, None),
        };
        side.syscall(
            name,
            Some(call.text.clone()),
            Event {
                fd: told.fd,
                ret: call.value(),
                errno: call.errno().map(str::to_string),
                state,
                local: told.local.map(|a| a.to_string()),
                peer: told.peer.map(|a| a.to_string()),
                bytes: told.bytes,
                text,
                text_other,
                source: Some(label),
                ..Event::default()
            },
        );
        if let Some(line) = state_line {
            // Under the call, indented like its sentence: `[pid 4242] ` and two spaces.
            let indent = if side.mode == Mode::Text {
                " ".repeat(format!("[pid {pid}] ").len() + 2)
            } else {
                String::new()
            };
            under.note_state(told.fd, format!("{indent}{line}"), state);
        }
    }

    /// The state of `pid`'s socket `fd` right now, from the kernel's table; nothing
    /// when the fd no longer names that socket (the program closed it before we
    /// looked: a `read` or `write`, which strace does not hold).
    fn state_after(&mut self, pid: u32, fd: i32) -> (Option<TcpState>, Option<String>) {
        let lang = self.n.lang;
        let Some(sock) = self.sockets.get_mut(pid, fd) else {
            return (None, None);
        };
        let Some(inode) = procfs::fd_inode(pid, fd) else {
            return (None, None);
        };
        if sock.inode.is_some_and(|known| known != inode) {
            return (None, None);
        }
        sock.inode = Some(inode);
        let state = lang.say(text!("trace-session-tcp-state"));
        match sockets::look_up(inode) {
            Seen::Listed {
                state: s,
                local,
                remote,
            } => {
                sock.local = Some(local);
                if remote.port() != 0 {
                    sock.peer = Some(remote);
                }
                (
                    Some(s),
                    Some(lang.say(text!(
                        "trace-session-kernel-s-socket-table-socket",
                        state,
                        s,
                        inode
                    ))),
                )
            }
            Seen::Unlisted => (
                Some(TcpState::Closed),
                Some(lang.say(text!("trace-session-closed-kernel-s-socket-table", state))),
            ),
        }
    }
}

/// The state of a connection whose fd was just closed, by its addresses.
fn closed_state(
    lang: Lang,
    local: SocketAddr,
    peer: SocketAddr,
) -> (Option<TcpState>, Option<String>) {
    let state = lang.say(text!("trace-session-tcp-state"));
    match sockets::connection(local, peer) {
        Some(s) => (
            Some(s),
            Some(lang.say(text!(
                "trace-session-fd-closed-kernel-s-socket",
                state,
                s,
                local,
                peer
            ))),
        ),
        None => (
            Some(TcpState::Closed),
            Some(lang.say(text!(
                "trace-session-closed-fd-closed-kernel-s",
                state,
                local,
                peer
            ))),
        ),
    }
}
