//! The kernel's table of TCP sockets, read from `/proc/net/tcp` and `/proc/net/tcp6`.
//!
//! This is what `ss -tan` and `netstat` show. It lists sockets no process holds any
//! more (TIME-WAIT, an orphaned FIN-WAIT-2), which `getsockopt` cannot reach, and it
//! names the socket's inode, which `/proc/PID/fd` links to: that is how we can say
//! which process holds a port.

#![forbid(unsafe_code)]

use crate::trace::tcp_state::TcpState;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

/// One row of `/proc/net/tcp{,6}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelSocket {
    /// Local address and port.
    pub local: SocketAddr,
    /// Remote address and port (`0.0.0.0:0` for a listener).
    pub remote: SocketAddr,
    /// The TCP state.
    pub state: TcpState,
    /// The socket's inode; 0 when no process holds it (TIME-WAIT, orphans).
    pub inode: u64,
    /// The kernel's timer on it, when one runs: its kind (`tr`: 1 retransmission, 2
    /// keepalive, 3 TIME-WAIT, 4 zero-window probe) and the time left (`tm->when`, in
    /// clock ticks of 1/100 s), as `ss -o` shows them.
    pub timer: Option<(u8, u64)>,
}

/// Every TCP socket in this network namespace, IPv4 then IPv6. Unreadable files give
/// an empty list: this is a teaching aid, never a reason to fail.
pub fn tcp_sockets() -> Vec<KernelSocket> {
    let mut all = Vec::new();
    for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = std::fs::read_to_string(path) {
            all.extend(text.lines().skip(1).filter_map(parse_line));
        }
    }
    all
}

/// Every UDP socket in this network namespace (`/proc/net/udp{,6}`). UDP has no
/// states; the kernel prints 07 (CLOSE) for unconnected sockets and 01 for connected ones.
pub fn udp_sockets() -> Vec<KernelSocket> {
    let mut all = Vec::new();
    for path in ["/proc/net/udp", "/proc/net/udp6"] {
        if let Ok(text) = std::fs::read_to_string(path) {
            all.extend(text.lines().skip(1).filter_map(parse_line));
        }
    }
    all
}

/// The sockets whose local port is `port`.
pub fn on_port(port: u16) -> Vec<KernelSocket> {
    tcp_sockets()
        .into_iter()
        .filter(|s| s.local.port() == port)
        .collect()
}

/// The state of the connection `local` -> `remote`, if the kernel still lists it.
pub fn state_of(local: SocketAddr, remote: SocketAddr) -> Option<TcpState> {
    tcp_sockets()
        .into_iter()
        .find(|s| same(s.local, local) && same(s.remote, remote))
        .map(|s| s.state)
}

/// The connection `local` -> `remote` in TIME-WAIT, and the seconds its timer has
/// left, if the kernel lists it so (the tracepoint never reports TIME-WAIT: the full
/// socket gives way to a small time-wait entry, which only this table shows).
pub fn time_wait_left(local: SocketAddr, remote: SocketAddr) -> Option<f64> {
    tcp_sockets()
        .into_iter()
        .find(|s| same(s.local, local) && same(s.remote, remote) && s.state == TcpState::TimeWait)
        .map(|s| s.timer.map_or(0.0, |(_, ticks)| ticks as f64 / 100.0))
}

/// Addresses equal, treating `::ffff:a.b.c.d` and `a.b.c.d` as the same endpoint.
fn same(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port() && a.ip().to_canonical() == b.ip().to_canonical()
}

fn parse_line(line: &str) -> Option<KernelSocket> {
    let mut cols = line.split_whitespace();
    let _slot = cols.next()?;
    let local = parse_addr(cols.next()?)?;
    let remote = parse_addr(cols.next()?)?;
    let state = TcpState::from_kernel(u8::from_str_radix(cols.next()?, 16).ok()?)?;
    // tx_queue:rx_queue, tr:when, retrnsmt, uid, timeout, then the inode.
    let _queues = cols.next()?;
    let timer = cols.next()?.split_once(':').and_then(|(tr, when)| {
        let kind = u8::from_str_radix(tr, 16).ok().filter(|k| *k != 0)?;
        Some((kind, u64::from_str_radix(when, 16).ok()?))
    });
    let inode = cols.nth(3)?.parse().ok()?;
    Some(KernelSocket {
        local,
        remote,
        state,
        inode,
        timer,
    })
}

/// `0100007F:FF98` -> 127.0.0.1:65432. The address is the kernel's in-memory bytes
/// printed as native-endian 32-bit words; the port is plain hexadecimal.
fn parse_addr(text: &str) -> Option<SocketAddr> {
    let (ip_hex, port_hex) = text.split_once(':')?;
    let port = u16::from_str_radix(port_hex, 16).ok()?;
    let words: Option<Vec<u32>> = (0..ip_hex.len() / 8)
        .map(|i| u32::from_str_radix(ip_hex.get(i * 8..i * 8 + 8)?, 16).ok())
        .collect();
    let mut bytes = Vec::with_capacity(16);
    for word in words? {
        bytes.extend_from_slice(&word.to_ne_bytes());
    }
    match bytes.len() {
        4 => Some(SocketAddr::from((
            Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]),
            port,
        ))),
        16 => {
            let octets: [u8; 16] = bytes.try_into().ok()?;
            Some(SocketAddr::from((Ipv6Addr::from(octets), port)))
        }
        _ => None,
    }
}

/// The process (pid and command name) that holds the socket with this inode, found by
/// reading the `/proc/PID/fd` links, as `ss -p` does. Only processes we may inspect
/// are seen (all of them as root, our own otherwise).
pub fn owner(inode: u64) -> Option<(u32, String)> {
    if inode == 0 {
        return None;
    }
    let wanted = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|link| link.as_os_str() == wanted.as_str()) {
                let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
                return Some((pid, comm.trim().to_string()));
            }
        }
    }
    None
}

/// Who holds `port`, as facts for an `EADDRINUSE` hint: a listening socket and its
/// process (when /proc lets us see it), and every connection on the port that sits in
/// TIME-WAIT, named by its two ends (a TIME-WAIT connection belongs to no process any
/// more: the kernel keeps it for the side that closed first, server or client).
pub fn who_holds(port: u16) -> Vec<crate::trace::failure::Fact> {
    use crate::trace::failure::Fact;
    let on_port = on_port(port);
    let mut facts = Vec::new();
    for s in on_port.iter().filter(|s| s.state == TcpState::Listen) {
        if let Some((pid, comm)) = owner(s.inode) {
            facts.push(Fact::HeldBy(pid, comm));
        }
    }
    let lingering: Vec<(SocketAddr, SocketAddr)> = on_port
        .iter()
        .filter(|s| s.state == TcpState::TimeWait)
        .map(|s| (s.local, s.remote))
        .collect();
    if !lingering.is_empty() {
        facts.push(Fact::TimeWait(lingering));
    }
    facts
}

/// behind a NAT inside Windows.
pub fn running_on_wsl2() -> bool {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .is_ok_and(|release| is_wsl2_release(&release))
}

/// Whether a kernel release string (`uname -r`) is WSL2's.
pub fn is_wsl2_release(release: &str) -> bool {
    release.to_ascii_lowercase().contains("microsoft")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows copied from a real `/proc/net/tcp` and `/proc/net/tcp6` on x86_64.
    #[test]
    fn parses_kernel_rows() {
        let v4 = "   0: 0100007F:FF98 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0";
        let row = parse_line(v4).expect("row");
        assert_eq!(row.local, "127.0.0.1:65432".parse().expect("addr"));
        assert_eq!(row.state, TcpState::Listen);
        assert_eq!(row.inode, 123456);
        let v6 = "   0: 00000000000000000000000001000000:FF98 00000000000000000000000000000000:0000 06 00000000:00000000 03:00000F9C 00000000     0        0 0 3 0000000000000000";
        let row = parse_line(v6).expect("row6");
        assert_eq!(row.local, "[::1]:65432".parse().expect("addr6"));
        assert_eq!(row.state, TcpState::TimeWait);
    }
}
