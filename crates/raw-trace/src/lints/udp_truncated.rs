//! `udp-truncated`: a read on a UDP socket filled its whole buffer, or `MSG_TRUNC` said
//! the datagram was larger: the rest of the datagram is lost. The proof: that read's
//! line.

#![forbid(unsafe_code)]

use super::{Detail, Finding, Lints, Mistake};

impl Lints {
    /// A read on UDP socket `sock` returned `count` bytes into `offered`; `trunc`:
    /// whether `MSG_TRUNC` was reported.
    #[allow(clippy::too_many_arguments)]
    pub fn datagram(
        &mut self,
        sock: u64,
        pid: u32,
        fd: i32,
        line: &str,
        count: usize,
        offered: usize,
        trunc: bool,
    ) {
        let sure = trunc || count > offered;
        if offered == 0 || !(sure || count == offered) {
            return;
        }
        self.report(
            sock,
            Finding {
                mistake: Mistake::UdpTruncated,
                pid,
                proof: vec![line.to_string()],
                detail: Detail::UdpTruncated {
                    fd,
                    count,
                    offered,
                    sure,
                },
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lints::T;
    /// A full UDP buffer or MSG_TRUNC is a cut; a datagram smaller than the buffer not.
    #[test]
    fn datagrams() {
        let mut l = Lints::new();
        l.datagram(1, 1, 3, "recvfrom(3, ...) = 5", 5, 1024, false);
        assert!(l.finish(T()).is_empty());
        let mut l = Lints::new();
        l.datagram(1, 1, 3, "recvfrom(3, ...) = 16", 16, 16, false);
        l.datagram(1, 1, 3, "recvfrom(3, ...) = 16", 16, 16, false);
        let found = l.finish(T());
        assert_eq!(found.len(), 1);
        assert!(matches!(
            found[0].detail,
            Detail::UdpTruncated { sure: false, .. }
        ));
    }
}
