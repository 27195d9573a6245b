//! The addresses a classmate could use to reach this machine.
//!
//! `getifaddrs(3)` is a C library call, not a syscall: it asks the kernel over a
//! netlink socket, so strace shows `socket(AF_NETLINK, ...)`, `sendto`, `recvmsg` and
//! `close` for it. The narration says so where it prints the addresses.

#![forbid(unsafe_code)]

use crate::narrate::Narrator;
use crate::text;
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
    n.note(n.say(text!("interfaces-bound-every-interface-getifaddrs-3")));
    if addrs.is_empty() {
        n.note(n.say(text!("interfaces-none-this-machine-has-no")));
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
        n.note(n.say(text!(
            "interfaces-give-them-host-port",
            iface = format!("{:<10}", iface),
            ip = format!("{:<28}", ip),
            client,
            host,
            port = bound.port()
        )));
    }
}

/// Whether this Linux is WSL2 (its kernel release names Microsoft): its address is
#[cfg(test)]
mod tests {

    /// WSL2's kernel release names Microsoft; ordinary ones do not.
    #[test]
    fn recognises_wsl2_kernels() {
        use crate::trace::kernel_table::is_wsl2_release;
        assert!(is_wsl2_release("5.15.153.1-microsoft-standard-WSL2"));
        assert!(!is_wsl2_release("6.18.44-generic"));
        let warning =
            crate::text!("interfaces-wsl2-warning", port = 65432).render(crate::Lang::PtBr);
        assert!(warning.contains("portproxy") && warning.contains("65432"));
    }
}
