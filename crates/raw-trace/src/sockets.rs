//! The sockets of the traced programs, as raw-trace learns them from the trace.
//!
//! An fd number means something only inside one fd table: threads share their
//! process's table, and `fork` gives the child a copy of its parent's (the same
//! sockets, under the same numbers). So each socket is kept under its table, and has
//! an identity of its own that the copies share: the lints follow a socket, not a
//! number that `close` frees for the next file.
//!
//! What the trace does not say (the socket behind an fd the program inherited, the
//! state of a connection) comes from `/proc`: [`crate::procfs`] and
//! [`raw_core::trace::kernel_table`].

#![forbid(unsafe_code)]

use crate::{diag, procfs};
use raw_core::sentences::PortFrom;
use raw_core::trace::fds::SocketKind;
use raw_core::trace::kernel_table;
use raw_core::trace::tcp_state::TcpState;
use std::collections::HashMap;
use std::net::SocketAddr;

/// One socket, as far as the trace and `/proc` told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sock {
    /// Its identity (shared by the copies a `fork` makes).
    pub id: u64,
    /// `AF_INET`, `AF_INET6`, `AF_UNIX`...
    pub family: String,
    /// TCP or UDP, for an IP socket.
    pub kind: Option<SocketKind>,
    /// The inode `/proc/PID/fd/N` names (`socket:[inode]`).
    pub inode: Option<u64>,
    /// Its local address, once bound (by `bind`, `connect` or the kernel's table).
    pub local: Option<SocketAddr>,
    /// Its peer, once connected.
    pub peer: Option<SocketAddr>,
    /// Whether `listen` succeeded on it.
    pub listening: bool,
    /// Whether the program set `SO_REUSEADDR` on it.
    pub reuseaddr: bool,
    /// For an accepted socket: the listener's identity, and the `accept` line.
    pub accepted: Option<(u64, String)>,
    /// How it got its local port: `bind`, or the kernel's implicit bind at `connect` or
    /// at the first `sendto`, or `accept` (the listener's port). `None`: not seen.
    pub port_from: Option<PortFrom>,
}

impl Sock {
    /// Whether this is a TCP socket.
    pub fn is_tcp(&self) -> bool {
        self.kind == Some(SocketKind::Tcp)
    }

    /// Whether this is a UDP socket.
    pub fn is_udp(&self) -> bool {
        self.kind == Some(SocketKind::Udp)
    }

    /// Whether this is an IP socket.
    pub fn is_ip(&self) -> bool {
        self.kind.is_some()
    }
}

/// The kind of socket a `socket(2)` line made: `(AF_INET, SOCK_STREAM|..., ...)`.
pub fn kind_of(family: &str, ty: &str) -> Option<SocketKind> {
    if family != "AF_INET" && family != "AF_INET6" {
        return None;
    }
    if ty.starts_with("SOCK_STREAM") {
        Some(SocketKind::Tcp)
    } else if ty.starts_with("SOCK_DGRAM") {
        Some(SocketKind::Udp)
    } else {
        None
    }
}

/// What the kernel's table says about a TCP socket right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Listed, by inode: its state and addresses.
    Listed {
        /// The state.
        state: TcpState,
        /// Local address.
        local: SocketAddr,
        /// Remote address (`0.0.0.0:0` for a listener).
        remote: SocketAddr,
    },
    /// Not listed: neither listening nor connected (CLOSED).
    Unlisted,
}

/// The kernel's TCP table in the states asked (see [`diag`]), or `/proc/net/tcp`
/// when netlink is refused.
pub fn tcp_rows(states: u32) -> Vec<diag::Row> {
    if let Some(rows) = diag::dump(states) {
        return rows;
    }
    kernel_table::tcp_sockets()
        .into_iter()
        .filter(|s| states & (1 << kernel_number(s.state)) != 0)
        .map(|s| diag::Row {
            rqueue: if s.state == TcpState::Listen {
                procfs::accept_queue(s.inode).unwrap_or(0)
            } else {
                0
            },
            state: s.state,
            local: s.local,
            remote: s.remote,
            inode: s.inode,
        })
        .collect()
}

/// A state's number in the kernel (`include/net/tcp_states.h`), its bit in a mask.
fn kernel_number(state: TcpState) -> u32 {
    match state {
        TcpState::Established => 1,
        TcpState::SynSent => 2,
        TcpState::SynReceived => 3,
        TcpState::FinWait1 => 4,
        TcpState::FinWait2 => 5,
        TcpState::TimeWait => 6,
        TcpState::Closed => 7,
        TcpState::CloseWait => 8,
        TcpState::LastAck => 9,
        TcpState::Listen => 10,
        TcpState::Closing => 11,
        TcpState::NewSynRecv => 12,
    }
}

/// Looks a TCP socket up in the kernel's table by its inode.
pub fn look_up(inode: u64) -> Seen {
    tcp_rows(diag::LIVE)
        .into_iter()
        .find(|s| s.inode == inode)
        .map(|s| Seen::Listed {
            state: s.state,
            local: s.local,
            remote: s.remote,
        })
        .unwrap_or(Seen::Unlisted)
}

/// The state of the connection `local` ↔ `remote` (TIME-WAIT included), if the
/// kernel still has it.
pub fn connection(local: SocketAddr, remote: SocketAddr) -> Option<TcpState> {
    match diag::find(local, remote) {
        Some(row) => row.map(|r| r.state),
        None => kernel_table::state_of(local, remote),
    }
}

/// How many connections wait in the accept queue of the listener with this inode.
pub fn accept_queue(inode: u64) -> Option<u32> {
    match diag::dump(diag::LISTEN) {
        Some(rows) => rows
            .into_iter()
            .find(|r| r.inode == inode)
            .map(|r| r.rqueue),
        None => procfs::accept_queue(inode),
    }
}

/// Every socket of every traced fd table.
#[derive(Debug, Default)]
pub struct Registry {
    next_id: u64,
    /// fd table (named by the pid that owns it) → fd → socket.
    tables: HashMap<u32, HashMap<i32, Sock>>,
    /// pid or thread id → its fd table.
    table_of: HashMap<u32, u32>,
}

impl Registry {
    /// No sockets yet.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// A fresh identity.
    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The fd table of `pid`, found on first sight: a thread uses its process's; a
    /// new process whose parent we trace starts with a copy of the parent's (it was
    /// forked); anything else starts empty.
    pub fn table(&mut self, pid: u32) -> u32 {
        if let Some(t) = self.table_of.get(&pid) {
            return *t;
        }
        let table = match procfs::tgid(pid) {
            Some(tgid) if tgid != pid => self.table(tgid),
            _ => {
                let parent = procfs::ppid(pid).and_then(|p| self.table_of.get(&p).copied());
                let copy = parent
                    .and_then(|p| self.tables.get(&p).cloned())
                    .unwrap_or_default();
                self.tables.insert(pid, copy);
                pid
            }
        };
        self.table_of.insert(pid, table);
        table
    }

    /// `parent` made `child` with `clone`: a thread (or `CLONE_FILES`) shares the
    /// parent's table, a process gets a copy — unless the child was already seen.
    pub fn cloned(&mut self, parent: u32, child: u32, shares_fds: bool) {
        if self.table_of.contains_key(&child) {
            return;
        }
        let parent_table = self.table(parent);
        if shares_fds {
            self.table_of.insert(child, parent_table);
        } else {
            let copy = self.tables.get(&parent_table).cloned().unwrap_or_default();
            self.tables.insert(child, copy);
            self.table_of.insert(child, child);
        }
    }

    /// The socket `fd` of `pid`, if known.
    pub fn get(&mut self, pid: u32, fd: i32) -> Option<&Sock> {
        let t = self.table(pid);
        self.tables.get(&t)?.get(&fd)
    }

    /// The socket `fd` of `pid`, to change it.
    pub fn get_mut(&mut self, pid: u32, fd: i32) -> Option<&mut Sock> {
        let t = self.table(pid);
        self.tables.get_mut(&t)?.get_mut(&fd)
    }

    /// The socket `fd` of `pid`: known, or found through `/proc/PID/fd` (an fd the
    /// program inherited or got in a way the trace did not show).
    pub fn resolve(&mut self, pid: u32, fd: i32) -> Option<Sock> {
        if let Some(s) = self.get(pid, fd) {
            return Some(s.clone());
        }
        let inode = procfs::fd_inode(pid, fd)?;
        let tcp = tcp_rows(diag::LIVE)
            .into_iter()
            .find(|s| s.inode == inode)
            .map(|s| (s.local, s.remote, s.state));
        let udp = || {
            kernel_table::udp_sockets()
                .into_iter()
                .find(|s| s.inode == inode)
                .map(|s| (s.local, s.remote, TcpState::Closed))
        };
        let (kind, row) = match tcp {
            Some(row) => (Some(SocketKind::Tcp), Some(row)),
            None => match udp() {
                Some(row) => (Some(SocketKind::Udp), Some(row)),
                None => (None, None),
            },
        };
        let family = match row.map(|r| r.0) {
            Some(SocketAddr::V6(_)) => "AF_INET6",
            Some(SocketAddr::V4(_)) => "AF_INET",
            None if procfs::unix_inode(inode) => "AF_UNIX",
            None => "AF_?",
        };
        let sock = Sock {
            id: self.new_id(),
            family: family.to_string(),
            kind,
            inode: Some(inode),
            local: row.map(|r| r.0),
            peer: row.map(|r| r.1).filter(|r| r.port() != 0),
            listening: kind == Some(SocketKind::Tcp)
                && row.is_some_and(|r| r.2 == TcpState::Listen),
            reuseaddr: false,
            accepted: None,
            port_from: None,
        };
        self.insert(pid, fd, sock.clone());
        Some(sock)
    }

    /// `fd` of `pid` is now this socket.
    pub fn insert(&mut self, pid: u32, fd: i32, sock: Sock) {
        let t = self.table(pid);
        self.tables.entry(t).or_default().insert(fd, sock);
    }

    /// `pid` closed `fd`: the socket it was, if it was one.
    pub fn remove(&mut self, pid: u32, fd: i32) -> Option<Sock> {
        let t = self.table(pid);
        self.tables.get_mut(&t)?.remove(&fd)
    }

    /// Whether `pid`'s table holds any IP socket.
    pub fn has_ip_sockets(&mut self, pid: u32) -> bool {
        let t = self.table(pid);
        self.tables
            .get(&t)
            .is_some_and(|fds| fds.values().any(Sock::is_ip))
    }

    /// Every listening socket, once per identity: (a table holding it, its fd, it).
    pub fn listeners(&self) -> Vec<(u32, i32, Sock)> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for (table, fds) in &self.tables {
            for (fd, s) in fds {
                if s.listening && !seen.contains(&s.id) {
                    seen.push(s.id);
                    out.push((*table, *fd, s.clone()));
                }
            }
        }
        out.sort_by_key(|(t, fd, _)| (*t, *fd));
        out
    }

    /// The traced pids (processes and threads) whose table holds socket `id`.
    pub fn holders(&self, id: u64) -> Vec<u32> {
        let tables: Vec<u32> = self
            .tables
            .iter()
            .filter(|(_, fds)| fds.values().any(|s| s.id == id))
            .map(|(t, _)| *t)
            .collect();
        let mut pids: Vec<u32> = self
            .table_of
            .iter()
            .filter(|(_, t)| tables.contains(t))
            .map(|(p, _)| *p)
            .collect();
        pids.sort_unstable();
        pids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sock(id: u64) -> Sock {
        Sock {
            id,
            family: "AF_INET".into(),
            kind: Some(SocketKind::Tcp),
            inode: None,
            local: None,
            peer: None,
            listening: true,
            reuseaddr: false,
            accepted: None,
            port_from: None,
        }
    }

    /// A forked child keeps its parent's sockets under the same numbers, and closing
    /// one in the child leaves the parent's; a thread shares its process's table.
    #[test]
    fn fork_copies_and_threads_share() {
        let me = std::process::id();
        let mut r = Registry::new();
        r.insert(me, 3, sock(1));
        r.cloned(me, 4_000_001, false);
        r.cloned(me, 4_000_002, true);
        assert_eq!(r.get(4_000_001, 3).map(|s| s.id), Some(1));
        assert!(r.remove(4_000_001, 3).is_some());
        assert!(r.get(me, 3).is_some());
        assert!(
            r.remove(4_000_002, 3).is_some(),
            "the thread closes its process's fd"
        );
        assert!(r.get(me, 3).is_none());
    }

    /// Listeners are listed once however many tables hold them, with their holders.
    #[test]
    fn listeners_once() {
        let me = std::process::id();
        let mut r = Registry::new();
        r.insert(me, 3, sock(1));
        r.cloned(me, 4_000_003, false);
        assert_eq!(r.listeners().len(), 1);
        assert_eq!(r.holders(1), vec![me, 4_000_003]);
        assert_eq!(
            kind_of("AF_INET6", "SOCK_DGRAM|SOCK_CLOEXEC"),
            Some(SocketKind::Udp)
        );
        assert_eq!(kind_of("AF_UNIX", "SOCK_STREAM"), None);
    }
}
