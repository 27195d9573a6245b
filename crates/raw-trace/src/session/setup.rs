//! A socket made, named and set up: `socket`, `socketpair`, `bind`, `listen`,
//! `getsockname`/`getpeername`, `setsockopt`/`getsockopt`.

#![forbid(unsafe_code)]

use super::tell::{family_sentence, unsuccessful, Told};
use super::{Say, Session};
use crate::line::Call;
use crate::notation::{self, Addr};
use crate::procfs;
use crate::sockets::{self, Sock};
use raw_core::sentences::{self as say, PortFrom};
use raw_core::trace::kernel_table;
use raw_core::trace::tcp_state::TcpState;

impl Session<'_> {
    /// `socket`: a new entry in the fd table, and what kind of socket it is.
    pub(super) fn on_socket(&mut self, pid: u32, call: &Call) -> Option<Told> {
        let Some(fd) = call.value().filter(|_| call.ok()) else {
            return Some(Told::new(None, unsuccessful("socket", call)));
        };
        let fd = i32::try_from(fd).ok()?;
        let family = call.arg(0).to_string();
        let kind = sockets::kind_of(&family, call.arg(1));
        let sock = self.new_sock(family.clone(), kind, procfs::fd_inode(pid, fd));
        self.sockets.insert(pid, fd, sock.clone());
        let say: Say = if kind.is_some() {
            say::socket(fd)
        } else {
            say::socket_not_ip(fd, &family)
        };
        Some(Told::new(Some(fd), say).state_if(Some(&sock), fd))
    }

    /// `socketpair`: two connected ends, not IP (said as such).
    pub(super) fn on_socketpair(&mut self, pid: u32, call: &Call) -> Option<Told> {
        let family = call.arg(0).to_string();
        if call.ok() {
            // `socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0`: two connected ends.
            let fds = notation::fd_set(&call.arg(3).replace(',', " "));
            for fd in fds {
                let kind = sockets::kind_of(&family, call.arg(1));
                let sock = self.new_sock(family.clone(), kind, procfs::fd_inode(pid, fd));
                self.sockets.insert(pid, fd, sock);
            }
        }
        Some(Told::new(None, family_sentence(&family)))
    }

    /// `bind`: the socket's local address, and the port watched.
    pub(super) fn on_bind(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
        let fd = fd?;
        let sock = self.sockets.resolve(pid, fd);
        let addr = notation::sockaddr(call.arg(1));
        if !call.ok() {
            self.bind_in_use(pid, call, addr.as_ref(), sock.as_ref());
            return Some(
                Told::new(Some(fd), unsuccessful("bind", call)).state_if(sock.as_ref(), fd),
            );
        }
        let mut told = match addr {
            Some(Addr::Ip(a)) => {
                if let Some(s) = self.sockets.get_mut(pid, fd) {
                    s.local = Some(a);
                    s.port_from = Some(PortFrom::Bind(a.port()));
                }
                if a.port() != 0 {
                    let tcp = sock.as_ref().and_then(|s| s.kind)
                        == Some(raw_core::trace::fds::SocketKind::Tcp);
                    self.n.about_to("bind", a, true, tcp);
                }
                let mut t = Told::new(Some(fd), say::bind(a));
                t.local = Some(a);
                t
            }
            Some(Addr::Other(family)) => Told::new(Some(fd), family_sentence(&family)),
            None => return None,
        };
        told = told.state_if(sock.as_ref(), fd);
        Some(told)
    }

    /// A failed `bind`: when it is `EADDRINUSE` on a TCP socket, what held the port
    /// then goes to the lints (`no-reuseaddr`).
    fn bind_in_use(&mut self, pid: u32, call: &Call, addr: Option<&Addr>, sock: Option<&Sock>) {
        if let (Some("EADDRINUSE"), Some(Addr::Ip(a)), Some(s)) = (call.errno(), addr, sock) {
            if s.is_tcp() {
                let rows = kernel_table::on_port(a.port());
                let listener = rows.iter().any(|r| r.state == TcpState::Listen);
                let lingering = rows
                    .iter()
                    .filter(|r| r.state == TcpState::TimeWait)
                    .map(|r| (r.local, r.remote))
                    .collect();
                let line = format!("[pid {pid}] {}", call.text);
                self.lints
                    .bind_in_use(pid, &line, a.port(), s.reuseaddr, listener, lingering);
            }
        }
    }

    /// `listen`: the socket becomes a listener, with its backlog.
    pub(super) fn on_listen(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
        let fd = fd?;
        let sock = self.sockets.resolve(pid, fd);
        if !call.ok() {
            return Some(
                Told::new(Some(fd), unsuccessful("listen", call)).state_if(sock.as_ref(), fd),
            );
        }
        if let Some(s) = self.sockets.get_mut(pid, fd) {
            s.listening = true;
            if s.inode.is_none() {
                s.inode = procfs::fd_inode(pid, fd);
            }
        }
        let backlog = notation::int(call.arg(1))
            .and_then(|b| i32::try_from(b).ok())
            .unwrap_or(0);
        Some(Told::new(Some(fd), say::listen(backlog)).state_if(sock.as_ref(), fd))
    }

    /// `getsockname`/`getpeername`: the address the kernel gave.
    pub(super) fn on_name(
        &mut self,
        pid: u32,
        fd: Option<i32>,
        name: &'static str,
        call: &Call,
    ) -> Option<Told> {
        let fd = fd?;
        let sock = self.sockets.resolve(pid, fd);
        if !call.ok() {
            return Some(Told::new(Some(fd), unsuccessful(name, call)));
        }
        let addr = notation::sockaddr(call.arg(1));
        let Some(a) = addr.as_ref().and_then(Addr::ip) else {
            return match addr {
                Some(Addr::Other(family)) => Some(Told::new(Some(fd), family_sentence(&family))),
                _ => None,
            };
        };
        let mut told = if name == "getsockname" {
            let unconnected = sock.as_ref().is_some_and(|s| s.peer.is_none());
            let from = sock.as_ref().and_then(|s| s.port_from);
            if let Some(s) = self.sockets.get_mut(pid, fd) {
                s.local = Some(a);
            }
            if unconnected && a.port() != 0 {
                self.n.watch(a.port()); // a server bound to port 0 learns its port here
            }
            let mut t = Told::new(Some(fd), say::getsockname(a, from));
            t.local = Some(a);
            t
        } else {
            let mut t = Told::new(Some(fd), say::getpeername(a));
            t.peer = Some(a);
            t
        };
        told.fd = Some(fd);
        Some(told)
    }

    /// `setsockopt`/`getsockopt`: the option, said by name.
    pub(super) fn on_option(
        &mut self,
        pid: u32,
        fd: Option<i32>,
        name: &'static str,
        call: &Call,
    ) -> Option<Told> {
        let fd = fd?;
        let sock = self.sockets.resolve(pid, fd);
        if !call.ok() {
            return Some(Told::new(Some(fd), unsuccessful(name, call)));
        }
        let option = call.arg(2).to_string();
        let value = notation::bracketed(call.arg(3));
        let kind = sock.as_ref().and_then(|s| s.kind);
        let say: Say = match (name, option.as_str(), value) {
            ("setsockopt", "SO_REUSEADDR", Some(1)) => {
                if let Some(s) = self.sockets.get_mut(pid, fd) {
                    s.reuseaddr = true;
                }
                say::reuseaddr(kind)
            }
            ("setsockopt", "IPV6_V6ONLY", Some(v)) => say::v6only(v == 1),
            ("setsockopt", "TCP_NODELAY", Some(1)) => say::nodelay(),
            ("setsockopt", o, _) if o.starts_with("SO_RCVTIMEO") => say::timeout(true),
            ("setsockopt", o, _) if o.starts_with("SO_SNDTIMEO") => say::timeout(false),
            ("setsockopt", _, _) => say::setsockopt_other(&option),
            (_, "SO_ERROR", Some(v)) => say::so_error(v),
            _ => say::getsockopt(&option),
        };
        Some(Told::new(Some(fd), say).state_if(sock.as_ref(), fd))
    }
}
