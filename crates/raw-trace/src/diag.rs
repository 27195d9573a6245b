//! The kernel's TCP socket table, asked the way `ss` asks it: `sock_diag` over a
//! netlink socket (`sock_diag(7)`), with the filter run inside the kernel.
//!
//! It is the same table `/proc/net/tcp` prints, but `/proc/net/tcp` formats every
//! row as text on each read: on a machine with thousands of connections in TIME-WAIT
//! (a benchmark just ran) one read costs tens of milliseconds, longer than strace
//! holds the program after a call. Here raw-trace asks only for the states it needs
//! (every state but TIME-WAIT, which has no inode; or LISTEN alone; or one connection
//! by its four addresses), and gets binary rows back. When netlink is refused (a
//! sandbox), the callers fall back to [`raw_core::trace::kernel_table`].
//!
//! **Syscalls** (raw-trace's own, not the traced program's: strace does not see them):
//! `socket(AF_NETLINK, SOCK_DGRAM|SOCK_CLOEXEC, NETLINK_SOCK_DIAG)`, `sendto` of one
//! `SOCK_DIAG_BY_FAMILY` request, `recvfrom` until `NLMSG_DONE`, `close`.

#![forbid(unsafe_code)]

use nix::sys::socket::{
    recv, sendto, socket, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use raw_core::trace::tcp_state::TcpState;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;

/// `SOCK_DIAG_BY_FAMILY`, the request type.
const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `NLMSG_ERROR` and `NLMSG_DONE`, the answers that end a reply.
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
/// `NLM_F_REQUEST`, and `NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`).
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
/// `INET_DIAG_NOCOOKIE`: look a socket up by its addresses alone.
const NO_COOKIE: u32 = !0;

/// Every state but TIME-WAIT (bit N is state N of `include/net/tcp_states.h`).
pub const LIVE: u32 = 0xfff & !(1 << 6);
/// LISTEN alone.
pub const LISTEN: u32 = 1 << 10;

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The state.
    pub state: TcpState,
    /// Local address.
    pub local: SocketAddr,
    /// Remote address (`0.0.0.0:0` for a listener).
    pub remote: SocketAddr,
    /// The socket's inode (0 when no process holds it).
    pub inode: u64,
    /// Bytes waiting to be read; for a listener, connections waiting for `accept`.
    pub rqueue: u32,
}

/// The request: `nlmsghdr` then `inet_diag_req_v2`, in this machine's byte order
/// (addresses and ports in network order, as the kernel keeps them).
fn request(family: u8, states: u32, flags: u16, id: Option<(SocketAddr, SocketAddr)>) -> Vec<u8> {
    let mut m = Vec::with_capacity(72);
    m.extend_from_slice(&72u32.to_ne_bytes()); // nlmsg_len
    m.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes()); // nlmsg_type
    m.extend_from_slice(&(NLM_F_REQUEST | flags).to_ne_bytes()); // nlmsg_flags
    m.extend_from_slice(&1u32.to_ne_bytes()); // nlmsg_seq
    m.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_pid
    m.push(family); // sdiag_family
    m.push(libc::IPPROTO_TCP as u8); // sdiag_protocol
    m.push(0); // idiag_ext: no extensions
    m.push(0); // pad
    m.extend_from_slice(&states.to_ne_bytes()); // idiag_states
    let (src, dst) = id.unwrap_or((
        SocketAddr::from(([0, 0, 0, 0], 0)),
        SocketAddr::from(([0, 0, 0, 0], 0)),
    ));
    m.extend_from_slice(&src.port().to_be_bytes()); // idiag_sport
    m.extend_from_slice(&dst.port().to_be_bytes()); // idiag_dport
    for addr in [src.ip(), dst.ip()] {
        let mut bytes = [0u8; 16];
        match addr {
            IpAddr::V4(a) => bytes[..4].copy_from_slice(&a.octets()),
            IpAddr::V6(a) => bytes.copy_from_slice(&a.octets()),
        }
        m.extend_from_slice(&bytes); // idiag_src, idiag_dst
    }
    m.extend_from_slice(&0u32.to_ne_bytes()); // idiag_if
    let cookie = if id.is_some() { NO_COOKIE } else { 0 };
    m.extend_from_slice(&cookie.to_ne_bytes()); // idiag_cookie[0]
    m.extend_from_slice(&cookie.to_ne_bytes()); // idiag_cookie[1]
    m
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// One `inet_diag_msg` (after its `nlmsghdr`).
fn parse_row(m: &[u8]) -> Option<Row> {
    let family = *m.first()?;
    let state = TcpState::from_kernel(*m.get(1)?)?;
    let sport = u16::from_be_bytes(m.get(4..6)?.try_into().ok()?);
    let dport = u16::from_be_bytes(m.get(6..8)?.try_into().ok()?);
    let ip = |at: usize| -> Option<IpAddr> {
        let bytes: [u8; 16] = m.get(at..at + 16)?.try_into().ok()?;
        Some(if i32::from(family) == libc::AF_INET {
            IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]))
        } else {
            IpAddr::V6(Ipv6Addr::from(bytes))
        })
    };
    Some(Row {
        state,
        local: SocketAddr::new(ip(8)?, sport),
        remote: SocketAddr::new(ip(24)?, dport),
        rqueue: u32_at(m, 56)?,
        inode: u64::from(u32_at(m, 68)?),
    })
}

/// Sends one request and collects the rows of the reply. `None` when netlink is
/// refused or answers with an error other than "no such socket".
fn ask(message: &[u8]) -> Option<Vec<Row>> {
    let sock = socket(
        AddressFamily::Netlink,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .ok()?;
    let fd = sock.as_raw_fd();
    sendto(fd, message, &NetlinkAddr::new(0, 0), MsgFlags::empty()).ok()?;
    let dump = u16_at(message, 6).is_some_and(|f| f & NLM_F_DUMP != 0);
    let mut rows = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let len = loop {
            match recv(fd, &mut buf, MsgFlags::empty()) {
                Err(nix::errno::Errno::EINTR) => continue,
                other => break other.ok()?,
            }
        };
        let mut at = 0;
        while at + 16 <= len {
            let msg_len = u32_at(&buf, at)? as usize;
            let kind = u16_at(&buf, at + 4)?;
            if msg_len < 16 || at + msg_len > len {
                return Some(rows);
            }
            match kind {
                NLMSG_DONE => return Some(rows),
                NLMSG_ERROR => {
                    let errno = i32::from_ne_bytes(buf.get(at + 16..at + 20)?.try_into().ok()?);
                    // ENOENT: the exact lookup found no such connection.
                    return (errno == 0 || errno == -libc::ENOENT).then_some(rows);
                }
                SOCK_DIAG_BY_FAMILY => rows.extend(parse_row(&buf[at + 16..at + msg_len])),
                _ => {}
            }
            at += (msg_len + 3) & !3; // NLMSG_ALIGN
        }
        if !dump {
            return Some(rows);
        }
    }
}

/// Every TCP socket (IPv4 and IPv6) in one of `states` (a bit mask: [`LIVE`],
/// [`LISTEN`]). `None` when netlink is refused.
pub fn dump(states: u32) -> Option<Vec<Row>> {
    let mut rows = ask(&request(libc::AF_INET as u8, states, NLM_F_DUMP, None))?;
    rows.extend(ask(&request(
        libc::AF_INET6 as u8,
        states,
        NLM_F_DUMP,
        None,
    ))?);
    Some(rows)
}

/// The connection `local` ↔ `remote`, TIME-WAIT included. `Some(None)`: the kernel
/// has no such connection; `None`: netlink was refused.
pub fn find(local: SocketAddr, remote: SocketAddr) -> Option<Option<Row>> {
    let family = if local.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    let rows = ask(&request(family as u8, 0xfff, 0, Some((local, remote))))?;
    // With no such connection the kernel's lookup falls back to the port's listener:
    // only the very connection counts.
    let same = |a: SocketAddr, b: SocketAddr| {
        a.port() == b.port() && a.ip().to_canonical() == b.ip().to_canonical()
    };
    Some(
        rows.into_iter()
            .find(|r| same(r.local, local) && same(r.remote, remote)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listener and a connection made here are found, by inode-bearing dump and by
    /// their addresses, in the states the kernel gives them.
    #[test]
    fn finds_our_own_sockets() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let server = listener.local_addr().expect("addr");
        let client = std::net::TcpStream::connect(server).expect("connect");
        let local = client.local_addr().expect("local");
        let Some(listening) = dump(LISTEN) else {
            eprintln!("netlink sock_diag refused here: nothing to test");
            return;
        };
        let row = listening
            .iter()
            .find(|r| r.local == server)
            .expect("our listener");
        assert_eq!(row.state, TcpState::Listen);
        assert_eq!(row.rqueue, 1, "one connection waits for accept");
        assert!(row.inode != 0);
        let found = find(local, server)
            .expect("netlink")
            .expect("our connection");
        assert_eq!(found.state, TcpState::Established);
        assert_eq!(found.remote, server);
        let gone = find(local, SocketAddr::from(([127, 0, 0, 1], 9))).expect("netlink");
        assert_eq!(gone, None);
        // A connection that is gone is not its port's listener.
        let stranger = SocketAddr::from(([127, 0, 0, 1], 9));
        assert_eq!(find(server, stranger).expect("netlink"), None);
    }
}
