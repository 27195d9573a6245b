//! A connection opened and closed: `accept`, `connect`, `shutdown`, `close`.

#![forbid(unsafe_code)]

use super::tell::{family_sentence, unsuccessful, After, Told};
use super::{Say, Session};
use crate::line::Call;
use crate::notation::{self, Addr};
use crate::procfs;
use crate::sockets::{self, Sock};
use raw_core::sentences::{self as say, PortFrom};
use std::net::SocketAddr;

impl Session<'_> {
    /// `accept`/`accept4`: a new socket for the client, and who the client is.
    pub(super) fn on_accept(
        &mut self,
        pid: u32,
        fd: Option<i32>,
        name: &'static str,
        call: &Call,
    ) -> Option<Told> {
        let listener_fd = fd?;
        let listener = self.sockets.resolve(pid, listener_fd);
        let Some(new_fd) = call
            .value()
            .filter(|_| call.ok())
            .and_then(|v| i32::try_from(v).ok())
        else {
            return Some(Told::new(Some(listener_fd), unsuccessful(name, call)));
        };
        let sock = self.accepted(pid, new_fd, call, listener.as_ref());
        let peer = sock.peer;
        self.sockets.insert(pid, new_fd, sock.clone());
        let say: Say = match peer {
            Some(p) => say::accept(listener_fd, new_fd, p),
            None => say::accepted_unnamed(listener_fd, new_fd),
        };
        let mut told = Told::new(Some(new_fd), say).state_if(Some(&sock), new_fd);
        told.peer = peer;
        Some(told)
    }

    /// The socket `accept` made on `new_fd`: its addresses from strace's line or the
    /// kernel's table, its family and kind from the listener's.
    fn accepted(&mut self, pid: u32, new_fd: i32, call: &Call, listener: Option<&Sock>) -> Sock {
        let inode = procfs::fd_inode(pid, new_fd);
        let row = inode.and_then(|i| {
            sockets::tcp_rows(crate::diag::LIVE)
                .into_iter()
                .find(|s| s.inode == i)
        });
        let peer = notation::sockaddr(call.arg(1))
            .and_then(|a| a.ip())
            .or_else(|| row.as_ref().map(|r| r.remote));
        let family = listener
            .map(|l| l.family.clone())
            .unwrap_or_else(|| "AF_INET".to_string());
        let kind = listener
            .and_then(|l| l.kind)
            .or(Some(raw_core::trace::fds::SocketKind::Tcp));
        Sock {
            local: row
                .as_ref()
                .map(|r| r.local)
                .or(listener.and_then(|l| l.local)),
            peer,
            accepted: listener.map(|l| (l.id, format!("[pid {pid}] {}", call.text))),
            port_from: Some(PortFrom::Accept),
            ..self.new_sock(family, kind, inode)
        }
    }

    /// `connect`: the peer, the kernel's implicit bind, or why it failed.
    pub(super) fn on_connect(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
        let fd = fd?;
        let sock = self.sockets.resolve(pid, fd);
        let addr = notation::sockaddr(call.arg(1));
        let Some(a) = addr.as_ref().and_then(Addr::ip) else {
            let say = match (&addr, call.ok()) {
                (Some(Addr::Other(family)), _) => family_sentence(family),
                (_, false) => unsuccessful("connect", call),
                _ => return None,
            };
            return Some(Told::new(Some(fd), say));
        };
        let kind = sock.as_ref().and_then(|s| s.kind);
        let errno = call.errno();
        if call.ok() || errno == Some("EINPROGRESS") {
            if let Some(s) = self.sockets.get_mut(pid, fd) {
                s.peer = Some(a);
                s.port_from.get_or_insert(PortFrom::Connect); // no bind before: implicit
            }
            let tcp = kind == Some(raw_core::trace::fds::SocketKind::Tcp);
            self.n.about_to("connect", a, false, tcp);
        }
        if errno == Some("ECONNREFUSED") && a.ip() == std::net::Ipv6Addr::LOCALHOST {
            self.refused_v6(pid, call, a);
        }
        let say: Say = if call.ok() {
            say::connect(a, kind)
        } else if errno == Some("EINPROGRESS") {
            say::connect_in_progress()
        } else {
            unsuccessful("connect", call)
        };
        let mut told = Told::new(Some(fd), say).state_if(sock.as_ref(), fd);
        told.peer = Some(a);
        Some(told)
    }

    /// A `connect` to `[::1]:P` refused: an IPv4 server listening on port P goes to
    /// the lints (`localhost-ipv6`).
    fn refused_v6(&mut self, pid: u32, call: &Call, a: SocketAddr) {
        let v4 = sockets::tcp_rows(crate::diag::LISTEN)
            .into_iter()
            .find(|r| r.local.is_ipv4() && r.local.port() == a.port());
        let line = format!("[pid {pid}] {}", call.text);
        self.lints
            .refused_v6(pid, &line, a.port(), v4.map(|r| r.local));
    }

    /// `shutdown`: which direction ends.
    pub(super) fn on_shutdown(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
        let fd = fd?;
        let sock = self.sockets.resolve(pid, fd);
        if !call.ok() {
            return Some(Told::new(Some(fd), unsuccessful("shutdown", call)));
        }
        let say: Say = match call.arg(1) {
            "SHUT_WR" => say::shutdown_write(),
            "SHUT_RD" => say::shutdown_read(),
            _ => say::shutdown_rdwr(),
        };
        Some(Told::new(Some(fd), say).state_if(sock.as_ref(), fd))
    }

    /// `close`: the fd leaves the table; a TCP connection's state after it.
    pub(super) fn on_close(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
        let fd = fd?;
        let sock = self.sockets.remove(pid, fd)?;
        if !call.ok() {
            return Some(Told::new(Some(fd), unsuccessful("close", call)));
        }
        let kind = sock.kind;
        let say: Say = if sock.listening {
            say::close_listener()
        } else {
            say::close(kind)
        };
        let mut told = Told::new(Some(fd), say);
        if let (true, Some(local), Some(peer)) = (sock.is_tcp(), sock.local, sock.peer) {
            told.after = Some(After::Closed(local, peer));
        }
        Some(told)
    }
}
