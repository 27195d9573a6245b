//! The addresses a classmate could use to reach this machine.
//!
//! `getifaddrs(3)` is a C library call, not a syscall: it asks the kernel over a
//! netlink socket, so strace shows `socket(AF_NETLINK, ...)`, `sendto`, `recvmsg` and
//! `close` for it. The narration says so where it prints the addresses.

#![forbid(unsafe_code)]

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

/// Whether this Linux is WSL2 (its kernel release names Microsoft): its address is
/// behind a NAT inside Windows.
pub fn running_on_wsl2() -> bool {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .is_ok_and(|release| is_wsl2_release(&release))
}

/// Whether a kernel release string (`uname -r`) is WSL2's.
pub fn is_wsl2_release(release: &str) -> bool {
    release.to_ascii_lowercase().contains("microsoft")
}

/// What a student on WSL2 must know before a classmate tries to connect.
pub fn wsl2_warning(n: &Narrator, port: u16) -> String {
    if n.lang == crate::Lang::PtBr {
        format!("Atenção, WSL2: este Linux fica atrás de um NAT dentro do Windows, e os colegas não alcançam o endereço dele. Use a rede espelhada do WSL (networkingMode=mirrored em %UserProfile%\\.wslconfig), ou encaminhe a porta no Windows (PowerShell como administrador): netsh interface portproxy add v4tov4 listenport={port} connectport={port} connectaddress=$(wsl hostname -I) e libere a porta {port} no firewall do Windows.")
    } else {
        format!("Warning, WSL2: this Linux sits behind a NAT inside Windows, and classmates cannot reach its address. Use WSL's mirrored networking (networkingMode=mirrored in %UserProfile%\\.wslconfig), or forward the port on Windows (PowerShell as administrator): netsh interface portproxy add v4tov4 listenport={port} connectport={port} connectaddress=$(wsl hostname -I), and allow port {port} in the Windows firewall.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narrate::Narrator;

    /// WSL2's kernel release names Microsoft; ordinary ones do not.
    #[test]
    fn recognises_wsl2_kernels() {
        assert!(is_wsl2_release("5.15.153.1-microsoft-standard-WSL2"));
        assert!(!is_wsl2_release("6.18.44-generic"));
        let n = Narrator::new(crate::Lang::PtBr, crate::Mode::Text, "server");
        assert!(
            wsl2_warning(&n, 65432).contains("portproxy")
                && wsl2_warning(&n, 65432).contains("65432")
        );
    }
}
