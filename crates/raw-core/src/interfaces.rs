//! The addresses a classmate could use to reach this machine.
//!
//! `getifaddrs(3)` is a C library call, not a syscall: it asks the kernel over a
//! netlink socket, so strace shows `socket(AF_NETLINK, ...)`, `sendto`, `recvmsg` and
//! `close` for it. The narration says so where it prints the addresses.

use crate::narrate::Narrator;
use std::net::{IpAddr, SocketAddr};

/// This machine's addresses that another machine could reach: every interface's
/// IPv4 address except loopback, and IPv6 addresses that are neither loopback nor
/// link-local. Each with its interface name.
pub fn reachable_addresses() -> Vec<(String, IpAddr)> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ifa in addrs {
        let Some(addr) = ifa.address else { continue };
        let ip: Option<IpAddr> = if let Some(v4) = addr.as_sockaddr_in() {
            Some(IpAddr::V4(v4.ip()))
        } else {
            addr.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
        };
        let Some(ip) = ip else { continue };
        let usable = match ip {
            IpAddr::V4(v4) => !v4.is_loopback(),
            IpAddr::V6(v6) => !v6.is_loopback() && (v6.segments()[0] & 0xffc0) != 0xfe80,
        };
        if usable {
            out.push((ifa.interface_name.clone(), ip));
        }
    }
    out
}

/// For a server bound to `0.0.0.0` or `::`: prints every address a classmate could
/// use, with the exact command to give them (`client` is e.g. `raw-tcp client`).
pub fn announce_reachable(n: &Narrator, bound: SocketAddr, client: &str) {
    if !bound.ip().is_unspecified() {
        return;
    }
    let addrs = reachable_addresses();
    n.note(n.t(
        "Bound to every interface. getifaddrs(3) (a library call; strace shows its netlink socket) lists this machine's addresses a classmate can use:",
        "Vinculado a todas as interfaces. O getifaddrs(3) (uma chamada de biblioteca; o strace mostra o socket netlink dele) lista os endereços desta máquina que um colega pode usar:",
    ));
    if addrs.is_empty() {
        n.note(n.t(
            "  (none: this machine has no address but loopback; check with: ip -br addr)",
            "  (nenhum: esta máquina só tem loopback; verifique com: ip -br addr)",
        ));
    }
    for (iface, ip) in addrs
        .iter()
        .filter(|(_, ip)| bound.is_ipv6() || ip.is_ipv4())
    {
        let host = if ip.is_ipv6() {
            format!("[{ip}]")
        } else {
            ip.to_string()
        };
        n.note(format!(
            "  {iface:<10} {ip:<28} {}: {client} --host {host} --port {}",
            n.t("give them", "passe ao colega"),
            bound.port()
        ));
    }
}
