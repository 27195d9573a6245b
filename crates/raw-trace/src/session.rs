//! One traced run: each line strace writes becomes, in order, the same three things a
//! lab prints for its own calls — the strace line, the sentence from
//! [`raw_core::sentences`], the TCP state after the call — and an observation for the
//! lints.
//!
//! The state comes from the kernel's table, through the socket's inode
//! (`/proc/PID/fd/N` → `socket:[inode]` → its row in `/proc/net/tcp`), read while
//! strace holds the program for a moment after the call (see [`crate::tracer`]).
//! After `close`, when no fd names the socket any more, the connection is looked up
//! by its two addresses (TIME-WAIT has no inode).

#![forbid(unsafe_code)]

use crate::line::{Call, Joiner, Traced};
use crate::lints::{Finding, Lints};
use crate::notation::{self, Addr};
use crate::procfs;
use crate::sockets::{self, Registry, Seen, Sock};
use nix::errno::Errno;
use raw_core::sentences::{self as say, PortFrom};
use raw_core::text;
use raw_core::trace::event::Event;
use raw_core::trace::kernel_table;
use raw_core::trace::tcp_state::TcpState;
use raw_core::Text;
use raw_core::{Lang, Mode, Narrator};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Instant;

/// The syscalls raw-trace narrates (strace names them), and the `'static` names the
/// events carry.
pub const NARRATED: &[&str] = &[
    "socket",
    "socketpair",
    "bind",
    "listen",
    "accept",
    "accept4",
    "connect",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
    "sendto",
    "send",
    "sendmsg",
    "recvfrom",
    "recv",
    "recvmsg",
    "shutdown",
    "read",
    "write",
    "readv",
    "writev",
    "close",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_wait",
    "epoll_pwait",
    "clone",
    "clone3",
    "fork",
    "vfork",
    "wait4",
    "waitid",
];

/// A sentence of the catalog, rendered in whichever language is asked (twice for the
/// replay's toggle).
type Say = Text;

/// Whose state to show after a call.
enum After {
    /// The socket behind this fd, looked up by inode.
    Fd(i32),
    /// A closed connection, looked up by its addresses.
    Closed(SocketAddr, SocketAddr),
}

/// What to say about one call.
struct Told {
    fd: Option<i32>,
    say: Say,
    local: Option<SocketAddr>,
    peer: Option<SocketAddr>,
    bytes: Option<usize>,
    after: Option<After>,
}

impl Told {
    fn new(fd: Option<i32>, say: Say) -> Told {
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
    fn state_if(mut self, sock: Option<&Sock>, fd: i32) -> Told {
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
/// How a reaped child ended, from the status strace shows (`[{WIFEXITED(s) &&
/// WEXITSTATUS(s) == 0}]`, `[{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}]`).
fn ended(status: &str) -> say::Ended {
    let after = |key: &str| {
        status.split_once(key).map(|(_, rest)| {
            rest.trim_start_matches([' ', '='])
                .split(['}', ' ', ']'])
                .next()
                .unwrap_or("")
                .to_string()
        })
    };
    if let Some(code) = after("WEXITSTATUS(s)").and_then(|c| c.parse().ok()) {
        say::Ended::Exited(code)
    } else if let Some(signal) = after("WTERMSIG(s)") {
        say::Ended::Signaled(signal)
    } else {
        say::Ended::Other
    }
}

fn unsuccessful(name: &'static str, call: &Call) -> Say {
    match call.errno().and_then(errno_named) {
        Some(errno) => say::failed(name, errno, None),
        None => say::ended_inside(),
    }
}

/// The socket calls of a run, told as they come.
pub struct Session<'n> {
    n: &'n Narrator,
    joiner: Joiner,
    sockets: Registry,
    lints: Lints,
    sides: HashMap<u32, (Narrator, Narrator)>,
    labels: HashMap<u32, String>,
    parents: HashMap<u32, u32>,
    live: BTreeSet<u32>,
    spoke: HashSet<u32>,
    /// Lines read from strace so far.
    pub lines: usize,
}

impl<'n> Session<'n> {
    /// A session narrated by `n` (its language, mode, views and capture).
    pub fn new(n: &'n Narrator) -> Session<'n> {
        Session {
            n,
            joiner: Joiner::new(),
            sockets: Registry::new(),
            lints: Lints::new(),
            sides: HashMap::new(),
            labels: HashMap::new(),
            parents: HashMap::new(),
            live: BTreeSet::new(),
            spoke: HashSet::new(),
            lines: 0,
        }
    }

    /// The pids seen running (processes and threads that have not exited).
    pub fn live(&self) -> Vec<u32> {
        self.live.iter().copied().collect()
    }

    /// Reads one line of strace's output.
    pub fn feed(&mut self, raw: &str) {
        self.lines += 1;
        match self.joiner.feed(raw) {
            Some(Traced::Call { pid, call }) => self.on_call(pid, call),
            Some(Traced::Signal { pid, text, .. }) => {
                self.live.insert(pid);
                if self.sockets.has_ip_sockets(pid) {
                    self.side(pid).0.note(text);
                }
            }
            Some(Traced::Exit { pid, text }) => {
                self.live.remove(&pid);
                let ignores = self
                    .parents
                    .get(&pid)
                    .is_some_and(|p| procfs::ignores_sigchld(*p));
                self.lints.exited(pid, &text, Instant::now(), ignores);
                if self.spoke.contains(&pid) {
                    self.side(pid).0.note(text);
                }
            }
            None => {}
        }
    }

    /// The narrators of `pid`: one that prints `[pid N]` before its lines, one that
    /// does not (for the state line under a call).
    fn side(&mut self, pid: u32) -> (Narrator, Narrator) {
        if let Some(s) = self.sides.get(&pid) {
            return s.clone();
        }
        let side = self.n.side(&format!("pid {pid}"));
        let mut under = side.clone();
        under.show_role = false;
        self.sides.insert(pid, (side.clone(), under.clone()));
        (side, under)
    }

    /// The name at the end of `pid`'s lines (`echo-server.py`), read once.
    fn label(&mut self, pid: u32) -> String {
        self.labels
            .entry(pid)
            .or_insert_with(|| procfs::label(pid).unwrap_or_else(|| format!("pid {pid}")))
            .clone()
    }

    fn on_call(&mut self, pid: u32, call: Call) {
        self.live.insert(pid);
        self.sockets.table(pid); // first sight: which fd table it uses
        let Some(name) = NARRATED.iter().find(|n| **n == call.name).copied() else {
            return;
        };
        let fd = notation::int(call.arg(0)).and_then(|v| i32::try_from(v).ok());
        if let Some(fd) = fd {
            self.lints
                .returned(pid, fd, &format!("[pid {pid}] {}", call.text));
        }
        let told = match name {
            "socket" => self.on_socket(pid, &call),
            "socketpair" => self.on_socketpair(pid, &call),
            "bind" => self.on_bind(pid, fd, &call),
            "listen" => self.on_listen(pid, fd, &call),
            "accept" | "accept4" => self.on_accept(pid, fd, name, &call),
            "connect" => self.on_connect(pid, fd, &call),
            "getsockname" | "getpeername" => self.on_name(pid, fd, name, &call),
            "setsockopt" | "getsockopt" => self.on_option(pid, fd, name, &call),
            "sendto" | "send" | "sendmsg" | "write" | "writev" => {
                self.on_send(pid, fd, name, &call)
            }
            "recvfrom" | "recv" | "recvmsg" | "read" | "readv" => {
                self.on_recv(pid, fd, name, &call)
            }
            "shutdown" => self.on_shutdown(pid, fd, &call),
            "close" => self.on_close(pid, fd, &call),
            "clone" | "clone3" | "fork" | "vfork" => self.on_clone(pid, &call),
            "wait4" | "waitid" => self.on_wait(pid, name, &call),
            _ => self.on_wait_ready(pid, name, &call),
        };
        if let Some(told) = told {
            self.tell(pid, name, &call, told);
        }
    }

    /// Prints one call: the strace line, its sentence, the state after it.
    fn tell(&mut self, pid: u32, name: &'static str, call: &Call, told: Told) {
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

    /// The socket behind `fd`. For `read`/`write` (`plain_io`) only a socket the
    /// trace already showed: strace does not hold the program after those calls, so
    /// by the time raw-trace looks at `/proc/PID/fd`, the number may name another
    /// file (Python reads its libraries on fd 3 just before its socket gets fd 3).
    fn socket(&mut self, pid: u32, fd: i32, plain_io: bool) -> Option<Sock> {
        if plain_io {
            self.sockets.get(pid, fd).cloned()
        } else {
            self.sockets.resolve(pid, fd)
        }
    }

    fn on_socket(&mut self, pid: u32, call: &Call) -> Option<Told> {
        let Some(fd) = call.value().filter(|_| call.ok()) else {
            return Some(Told::new(None, unsuccessful("socket", call)));
        };
        let fd = i32::try_from(fd).ok()?;
        let family = call.arg(0).to_string();
        let kind = sockets::kind_of(&family, call.arg(1));
        let sock = Sock {
            id: self.sockets.new_id(),
            family: family.clone(),
            kind,
            inode: procfs::fd_inode(pid, fd),
            local: None,
            peer: None,
            listening: false,
            reuseaddr: false,
            accepted: None,
            port_from: None,
        };
        self.sockets.insert(pid, fd, sock.clone());
        let say: Say = if kind.is_some() {
            say::socket(fd)
        } else {
            say::socket_not_ip(fd, &family)
        };
        Some(Told::new(Some(fd), say).state_if(Some(&sock), fd))
    }

    fn on_socketpair(&mut self, pid: u32, call: &Call) -> Option<Told> {
        let family = call.arg(0).to_string();
        if call.ok() {
            // `socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0`: two connected ends.
            let fds = notation::fd_set(&call.arg(3).replace(',', " "));
            for fd in fds {
                let sock = Sock {
                    id: self.sockets.new_id(),
                    family: family.clone(),
                    kind: sockets::kind_of(&family, call.arg(1)),
                    inode: procfs::fd_inode(pid, fd),
                    local: None,
                    peer: None,
                    listening: false,
                    reuseaddr: false,
                    accepted: None,
                    port_from: None,
                };
                self.sockets.insert(pid, fd, sock);
            }
        }
        Some(Told::new(None, family_sentence(&family)))
    }

    fn on_bind(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
        let fd = fd?;
        let sock = self.sockets.resolve(pid, fd);
        let addr = notation::sockaddr(call.arg(1));
        if !call.ok() {
            if let (Some("EADDRINUSE"), Some(Addr::Ip(a)), Some(s)) =
                (call.errno(), &addr, sock.as_ref())
            {
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
                    self.n.watch(a.port());
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

    fn on_listen(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
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

    fn on_accept(
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
        let inode = procfs::fd_inode(pid, new_fd);
        let row = inode.and_then(|i| {
            sockets::tcp_rows(crate::diag::LIVE)
                .into_iter()
                .find(|s| s.inode == i)
        });
        let peer = notation::sockaddr(call.arg(1))
            .and_then(|a| a.ip())
            .or_else(|| row.as_ref().map(|r| r.remote));
        let sock = Sock {
            id: self.sockets.new_id(),
            family: listener
                .as_ref()
                .map(|l| l.family.clone())
                .unwrap_or_else(|| "AF_INET".to_string()),
            kind: listener
                .as_ref()
                .and_then(|l| l.kind)
                .or(Some(raw_core::trace::fds::SocketKind::Tcp)),
            inode,
            local: row
                .as_ref()
                .map(|r| r.local)
                .or(listener.as_ref().and_then(|l| l.local)),
            peer,
            listening: false,
            reuseaddr: false,
            accepted: listener
                .as_ref()
                .map(|l| (l.id, format!("[pid {pid}] {}", call.text))),
            port_from: Some(PortFrom::Accept),
        };
        self.sockets.insert(pid, new_fd, sock.clone());
        let say: Say = match peer {
            Some(p) => say::accept(listener_fd, new_fd, p),
            None => say::accepted_unnamed(listener_fd, new_fd),
        };
        let mut told = Told::new(Some(new_fd), say).state_if(Some(&sock), new_fd);
        told.peer = peer;
        Some(told)
    }

    fn on_connect(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
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
            self.n.watch(a.port());
        }
        if errno == Some("ECONNREFUSED") && a.ip() == std::net::Ipv6Addr::LOCALHOST {
            let v4 = sockets::tcp_rows(crate::diag::LISTEN)
                .into_iter()
                .find(|r| r.local.is_ipv4() && r.local.port() == a.port());
            let line = format!("[pid {pid}] {}", call.text);
            self.lints
                .refused_v6(pid, &line, a.port(), v4.map(|r| r.local));
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

    fn on_name(
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

    fn on_option(
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

    fn on_send(
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
        let (offered, to) = match name {
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
        };
        let offered = offered.unwrap_or(count);
        let say: Say = if sock.is_tcp() {
            let line = format!("[pid {pid}] {}", call.text);
            self.lints
                .stream_send(name, sock.id, pid, fd, &line, count, offered);
            say::send(count, offered)
        } else if sock.is_udp() {
            let to = to.or(sock.peer);
            if let Some(a) = to {
                self.n.watch(a.port());
            }
            if let Some(s) = self.sockets.get_mut(pid, fd) {
                s.port_from.get_or_insert(PortFrom::FirstSend); // no bind before: implicit
            }
            say::datagram_out(count, to)
        } else {
            family_sentence(&sock.family)
        };
        let mut told = Told::new(Some(fd), say).state_if(Some(&sock), fd);
        told.bytes = Some(count);
        Some(told)
    }

    fn on_recv(
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
        let line = format!("[pid {pid}] {}", call.text);
        let say: Say = if sock.is_tcp() {
            self.lints.stream_read(name, sock.id, pid, fd, &line, count);
            if whole {
                say::recv(&data)
            } else {
                say::recv_shown(count, &data)
            }
        } else if sock.is_udp() {
            // With MSG_TRUNC asked, the kernel returns the datagram's real size.
            let truncated = told_trunc || (asked_trunc && count > offered);
            if asked_trunc {
                if count > offered {
                    self.lints
                        .datagram(sock.id, pid, fd, &line, count, offered, true);
                }
            } else {
                self.lints
                    .datagram(sock.id, pid, fd, &line, count, offered, told_trunc);
            }
            let from = from.or(sock.peer);
            match from {
                Some(f) if truncated || whole => {
                    say::datagram_in(&data, count.max(data.len()), offered, f)
                }
                _ => say::datagram_in_seen(count, &data, from),
            }
        } else {
            family_sentence(&sock.family)
        };
        let mut told = Told::new(Some(fd), say).state_if(Some(&sock), fd);
        told.bytes = Some(count);
        Some(told)
    }

    fn on_shutdown(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
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

    fn on_close(&mut self, pid: u32, fd: Option<i32>, call: &Call) -> Option<Told> {
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

    fn on_clone(&mut self, pid: u32, call: &Call) -> Option<Told> {
        let child = call
            .value()
            .filter(|_| call.ok())
            .and_then(|v| u32::try_from(v).ok())?;
        let thread = call.text.contains("CLONE_THREAD");
        self.sockets
            .cloned(pid, child, thread || call.text.contains("CLONE_FILES"));
        self.live.insert(child);
        if !thread {
            self.parents.insert(child, pid);
            self.lints
                .child(pid, child, &format!("[pid {pid}] {}", call.text));
        }
        if !self.sockets.has_ip_sockets(pid) {
            return None; // a shell starting the program: not this lesson
        }
        let say: Say = if thread {
            say::thread_created(child)
        } else {
            say::forked(child)
        };
        Some(Told::new(None, say))
    }

    fn on_wait(&mut self, pid: u32, name: &'static str, call: &Call) -> Option<Told> {
        let reaped = match name {
            "waitid" => notation::field(call.arg(2), "si_pid=")
                .and_then(notation::int)
                .filter(|_| call.ok()),
            _ => call.value().filter(|_| call.ok()),
        }
        .and_then(|v| u32::try_from(v).ok())
        .filter(|v| *v > 0);
        if let Some(child) = reaped {
            self.lints.reaped(pid, child);
        }
        if !self.sockets.has_ip_sockets(pid) {
            return None;
        }
        let say: Say = match (reaped, call.ok()) {
            (Some(child), _) => say::reaped(child, &ended(call.arg(1))),
            (None, true) => say::nothing_reaped(),
            (None, false) => unsuccessful(name, call),
        };
        Some(Told::new(None, say))
    }

    fn on_wait_ready(&mut self, pid: u32, name: &'static str, call: &Call) -> Option<Told> {
        let fds = match name {
            "poll" | "ppoll" => notation::poll_fds(call.arg(0)),
            "select" | "pselect6" => {
                let mut fds = notation::fd_set(call.arg(1));
                fds.extend(notation::fd_set(call.arg(2)));
                fds
            }
            _ => Vec::new(),
        };
        let on_sockets = if fds.is_empty() {
            self.sockets.has_ip_sockets(pid)
        } else {
            fds.iter()
                .any(|fd| self.sockets.get(pid, *fd).is_some_and(|s| s.is_ip()))
        };
        if !on_sockets {
            return None;
        }
        let say: Say = match call.value().filter(|_| call.ok()) {
            Some(ready) => {
                let watched = match name {
                    "poll" | "ppoll" => fds.len(),
                    "epoll_wait" | "epoll_pwait" => {
                        notation::int(call.arg(2)).unwrap_or(0) as usize
                    }
                    _ => notation::int(call.arg(0)).unwrap_or(0) as usize,
                };
                say::waited(name, ready, watched)
            }
            None => unsuccessful(name, call),
        };
        Some(Told::new(None, say))
    }

    /// One look at the listeners, made between lines (every 100 ms): is a server
    /// blocked reading one client while others wait in its accept queue?
    pub fn look(&mut self, now: Instant) {
        for (_, listener_fd, listener) in self.sockets.listeners() {
            let Some(inode) = listener.inode else {
                continue;
            };
            let queued = sockets::accept_queue(inode).unwrap_or(0);
            let mut accepting = false;
            let mut blocked = None;
            if queued > 0 {
                for pid in self.sockets.holders(listener.id) {
                    if !self.live.contains(&pid) {
                        continue;
                    }
                    let Some((nr, arg)) = procfs::blocked_in(pid) else {
                        continue;
                    };
                    match procfs::waiting(nr) {
                        procfs::Waiting::Accept | procfs::Waiting::Multiplex => accepting = true,
                        procfs::Waiting::Read => {
                            let fd = i32::try_from(arg).unwrap_or(-1);
                            if let Some(Sock {
                                accepted: Some((from, line)),
                                ..
                            }) = self.sockets.get(pid, fd)
                            {
                                if *from == listener.id {
                                    blocked = Some((pid, fd, procfs::read_name(nr), line.clone()));
                                }
                            }
                        }
                        procfs::Waiting::Other => {}
                    }
                }
            }
            let blocked = if accepting { None } else { blocked };
            self.lints.listener_look(
                listener.id,
                listener_fd,
                listener.local,
                queued,
                blocked,
                now,
            );
        }
    }

    /// The run is over: the mistakes the trace shows.
    pub fn finish(self) -> Vec<Finding> {
        self.lints.finish(Instant::now())
    }
}

/// The sentence for a socket of a family that is not IP.
fn family_sentence(family: &str) -> Say {
    let family = family.to_string();
    say::not_ip(&family)
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
