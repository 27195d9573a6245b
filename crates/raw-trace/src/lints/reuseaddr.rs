//! `no-reuseaddr`: `bind` failed with `EADDRINUSE` on a TCP socket that never set
//! `SO_REUSEADDR`, while no server listened on the port (only old connections, in
//! TIME-WAIT, held it). The proof: the failed `bind` line.

#![forbid(unsafe_code)]

use super::{Detail, Finding, Lints, Mistake};
use std::net::SocketAddr;

impl Lints {
    /// `bind` failed with `EADDRINUSE` on a TCP socket. `reuseaddr`: whether it set
    /// `SO_REUSEADDR`; `listener`: whether a socket listened on the port then;
    /// `time_wait`: the port's connections in TIME-WAIT then.
    pub fn bind_in_use(
        &mut self,
        pid: u32,
        line: &str,
        port: u16,
        reuseaddr: bool,
        listener: bool,
        time_wait: Vec<(SocketAddr, SocketAddr)>,
    ) {
        if reuseaddr || listener {
            return; // SO_REUSEADDR would not have helped: another server holds the port
        }
        self.report(
            u64::from(port),
            Finding {
                mistake: Mistake::NoReuseaddr,
                pid,
                proof: vec![line.to_string()],
                detail: Detail::NoReuseaddr { port, time_wait },
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lints::T;

    /// EADDRINUSE only counts when SO_REUSEADDR was off and no server held the port.
    #[test]
    fn reuseaddr() {
        let mut l = Lints::new();
        l.bind_in_use(1, "bind(...) = -1 EADDRINUSE", 80, true, false, vec![]);
        l.bind_in_use(1, "bind(...) = -1 EADDRINUSE", 80, false, true, vec![]);
        assert!(l.finish(T()).is_empty());
        let mut l = Lints::new();
        l.bind_in_use(1, "bind(...) = -1 EADDRINUSE", 80, false, false, vec![]);
        l.bind_in_use(1, "bind(...) = -1 EADDRINUSE", 80, false, false, vec![]);
        assert_eq!(l.finish(T()).len(), 1);
    }
}
