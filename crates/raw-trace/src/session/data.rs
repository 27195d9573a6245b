//! The bytes: `send`/`sendto`/`sendmsg`/`write`/`writev` and
//! `recv`/`recvfrom`/`recvmsg`/`read`/`readv`, on stream and datagram sockets.

#![forbid(unsafe_code)]

use super::tell::{family_sentence, unsuccessful, Told};
use super::{Say, Session};
use crate::line::Call;
use crate::notation;
use crate::sockets::Sock;
use raw_core::sentences::{self as say, PortFrom};
use std::net::SocketAddr;

/// What a read got, as strace's line shows it.
struct Got {
    /// The bytes returned.
    count: usize,
    /// The bytes strace shows (cut short when it says `...`).
    data: Vec<u8>,
    /// The buffer offered (`count` when strace does not show it).
    offered: usize,
    /// The sender, when the call names it.
    from: Option<SocketAddr>,
    /// Whether the program asked for `MSG_TRUNC` in the call's flags.
    asked_trunc: bool,
    /// Whether the kernel said `MSG_TRUNC` in `msg_flags`.
    told_trunc: bool,
    /// Whether strace shows every byte returned.
    whole: bool,
}

impl Got {
    /// Reads `call`'s line: `recvmsg` and `readv` name it all in their message
    /// (`msg_iov`, `msg_name`, `msg_flags`), the others in their arguments.
    fn of(name: &str, call: &Call) -> Got {
        let count = usize::try_from(call.value().unwrap_or(0)).unwrap_or(0);
        let message = matches!(name, "recvmsg" | "readv");
        let (data, offered, from, asked_trunc, told_trunc) = if message {
            let msg = call.arg(1);
            (
                notation::iov_data(msg),
                notation::iov_total(msg),
                notation::field(msg, "msg_name=")
                    .and_then(notation::sockaddr)
                    .and_then(|a| a.ip()),
                call.arg(2).contains("MSG_TRUNC"),
                notation::field(msg, "msg_flags=").is_some_and(|f| f.contains("MSG_TRUNC")),
            )
        } else {
            (
                notation::quoted(call.arg(1)),
                notation::int(call.arg(2)).and_then(|v| usize::try_from(v).ok()),
                notation::sockaddr(call.arg(4)).and_then(|a| a.ip()),
                call.arg(3).contains("MSG_TRUNC"),
                false,
            )
        };
        let (data, cut) = data.unwrap_or_default();
        let offered = offered.unwrap_or(count);
        let whole = !cut && data.len() == count;
        Got {
            count,
            data,
            offered,
            from,
            asked_trunc,
            told_trunc,
            whole,
        }
    }
}

impl Session<'_> {
    /// A send (`sendto`, `write`...): how many bytes the kernel took, and where to.
    pub(super) fn on_send(
        &mut self,
        pid: u32,
        fd: Option<i32>,
        name: &'static str,
        call: &Call,
    ) -> Option<Told> {
        let fd = fd?;
        let plain_io = matches!(name, "write" | "writev");
        let sock = self.socket(pid, fd, plain_io);
        let Some(sock) = sock else {
            return if plain_io {
                None
            } else {
                Some(Told::new(Some(fd), unsuccessful(name, call)))
            };
        };
        if !call.ok() {
            return Some(Told::new(Some(fd), unsuccessful(name, call)).state_if(Some(&sock), fd));
        }
        let count = usize::try_from(call.value().unwrap_or(0)).unwrap_or(0);
        let (offered, to) = offered_to(name, call);
        let offered = offered.unwrap_or(count);
        let say: Say = if sock.is_tcp() {
            let line = format!("[pid {pid}] {}", call.text);
            self.lints
                .stream_send(name, sock.id, pid, fd, &line, count, offered);
            say::send(count, offered)
        } else if sock.is_udp() {
            self.datagram_sent(pid, fd, &sock, to, count)
        } else {
            family_sentence(&sock.family)
        };
        let mut told = Told::new(Some(fd), say).state_if(Some(&sock), fd);
        told.bytes = Some(count);
        Some(told)
    }

    /// A datagram sent to `to` (or the socket's peer): its port watched, the kernel's
    /// implicit bind noted.
    fn datagram_sent(
        &mut self,
        pid: u32,
        fd: i32,
        sock: &Sock,
        to: Option<SocketAddr>,
        count: usize,
    ) -> Say {
        let to = to.or(sock.peer);
        if let Some(a) = to {
            self.n.watch(a.port());
        }
        if let Some(s) = self.sockets.get_mut(pid, fd) {
            s.port_from.get_or_insert(PortFrom::FirstSend); // no bind before: implicit
        }
        say::datagram_out(count, to)
    }

    /// A read (`recvfrom`, `read`...): what came, and from whom.
    pub(super) fn on_recv(
        &mut self,
        pid: u32,
        fd: Option<i32>,
        name: &'static str,
        call: &Call,
    ) -> Option<Told> {
        let fd = fd?;
        let plain_io = matches!(name, "read" | "readv");
        let Some(sock) = self.socket(pid, fd, plain_io) else {
            return if plain_io {
                None
            } else {
                Some(Told::new(Some(fd), unsuccessful(name, call)))
            };
        };
        if !call.ok() {
            let say = if call.errno() == Some("EAGAIN") {
                say::nothing_to_read()
            } else {
                unsuccessful(name, call)
            };
            return Some(Told::new(Some(fd), say).state_if(Some(&sock), fd));
        }
        let got = Got::of(name, call);
        let count = got.count;
        let line = format!("[pid {pid}] {}", call.text);
        let say: Say = if sock.is_tcp() {
            self.lints.stream_read(name, sock.id, pid, fd, &line, count);
            if got.whole {
                say::recv(&got.data)
            } else {
                say::recv_shown(count, &got.data)
            }
        } else if sock.is_udp() {
            self.datagram_received(pid, fd, &sock, &line, &got)
        } else {
            family_sentence(&sock.family)
        };
        let mut told = Told::new(Some(fd), say).state_if(Some(&sock), fd);
        told.bytes = Some(count);
        Some(told)
    }

    /// A datagram read: a cut one goes to the lints (`udp-truncated`); the sentence
    /// names its sender (the call's, or the socket's peer).
    fn datagram_received(&mut self, pid: u32, fd: i32, sock: &Sock, line: &str, got: &Got) -> Say {
        let Got {
            count,
            ref data,
            offered,
            from,
            asked_trunc,
            told_trunc,
            whole,
        } = *got;
        // With MSG_TRUNC asked, the kernel returns the datagram's real size.
        let truncated = told_trunc || (asked_trunc && count > offered);
        if asked_trunc {
            if count > offered {
                self.lints
                    .datagram(sock.id, pid, fd, line, count, offered, true);
            }
        } else {
            self.lints
                .datagram(sock.id, pid, fd, line, count, offered, told_trunc);
        }
        let from = from.or(sock.peer);
        match from {
            Some(f) if truncated || whole => {
                say::datagram_in(data, count.max(data.len()), offered, f)
            }
            _ => say::datagram_in_seen(count, data, from),
        }
    }
}

/// The bytes a send offered and where it sent them, from strace's line: `sendmsg` and
/// `writev` name them in their message (`msg_iov`, `msg_name`), the others in their
/// arguments.
fn offered_to(name: &str, call: &Call) -> (Option<usize>, Option<SocketAddr>) {
    match name {
        "sendmsg" | "writev" => (
            notation::iov_total(call.arg(1)),
            notation::field(call.arg(1), "msg_name=")
                .and_then(notation::sockaddr)
                .and_then(|a| a.ip()),
        ),
        _ => (
            notation::int(call.arg(2)).and_then(|v| usize::try_from(v).ok()),
            notation::sockaddr(call.arg(4)).and_then(|a| a.ip()),
        ),
    }
}
