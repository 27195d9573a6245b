//! `localhost-ipv6`: `connect` to `[::1]:P` was refused while a server listened on
//! IPv4 port P (`localhost` tried `::1` first). The proof: the refused `connect` line.

#![forbid(unsafe_code)]

use super::{Detail, Finding, Lints, Mistake};
use std::net::SocketAddr;

impl Lints {
    /// `connect` to `[::1]:port` was refused; `v4`: an IPv4 listener on that port.
    pub fn refused_v6(&mut self, pid: u32, line: &str, port: u16, v4: Option<SocketAddr>) {
        let Some(v4) = v4 else { return };
        self.report(
            u64::from(port),
            Finding {
                mistake: Mistake::LocalhostIpv6,
                pid,
                proof: vec![line.to_string()],
                detail: Detail::LocalhostIpv6 { port, v4 },
            },
        );
    }
}
