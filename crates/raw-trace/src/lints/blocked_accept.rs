//! `blocked-accept`: a server sat blocked reading one client while finished
//! connections waited in its accept queue, for [`STALL_AFTER`] or more. The proof: the
//! `accept` line that made the fd it was reading, then that read's line when it
//! returns.

#![forbid(unsafe_code)]

use super::{Detail, Finding, Lints, Mistake};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long connections must wait in the accept queue, with the server blocked on one
/// client, to count as a stalled server.
pub const STALL_AFTER: Duration = Duration::from_secs(1);

impl Lints {
    /// One look at a listener: `queued` connections wait; `stalled` says whether the
    /// server is blocked reading a client of this listener with nobody in `accept`
    /// (then `blocked`: pid, fd read, the call, and the accept line that made that fd).
    pub fn listener_look(
        &mut self,
        listener_id: u64,
        listener_fd: i32,
        local: Option<SocketAddr>,
        queued: u32,
        blocked: Option<(u32, i32, &'static str, String)>,
        now: Instant,
    ) {
        let Some((pid, reader, call, accept_line)) = blocked.filter(|_| queued > 0) else {
            self.stalls.remove(&listener_id);
            return;
        };
        let (since, most) = self.stalls.entry(listener_id).or_insert((now, 0));
        *most = (*most).max(queued);
        if now.duration_since(*since) < STALL_AFTER {
            return;
        }
        let queued = *most;
        let index = self.report(
            listener_id,
            Finding {
                mistake: Mistake::BlockedAccept,
                pid,
                proof: vec![accept_line],
                detail: Detail::BlockedAccept {
                    listener: listener_fd,
                    local,
                    reader,
                    call,
                    queued,
                },
            },
        );
        if let Some(index) = index {
            self.pending_proof.insert((pid, reader), index);
        }
    }

    /// A call of `pid` on `fd` returned: if a stalled-server finding waits for the
    /// line of the read it was blocked in, this is it.
    pub fn returned(&mut self, pid: u32, fd: i32, line: &str) {
        if let Some(index) = self.pending_proof.remove(&(pid, fd)) {
            if let Some(f) = self.findings.get_mut(index) {
                f.proof.push(line.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lints::T;
    /// A stall counts after STALL_AFTER of continuous waiting, and takes the blocked
    /// read's line as more proof when it finally returns.
    #[test]
    fn stalled_server() {
        let start = T();
        let mut l = Lints::new();
        let blocked = || Some((7, 4, "recvfrom", "accept4(3, ...) = 4".to_string()));
        l.listener_look(1, 3, None, 1, blocked(), start);
        l.listener_look(1, 3, None, 0, blocked(), start + Duration::from_millis(500));
        l.listener_look(1, 3, None, 1, blocked(), start + Duration::from_millis(600));
        l.listener_look(
            1,
            3,
            None,
            2,
            blocked(),
            start + Duration::from_millis(1700),
        );
        l.listener_look(
            1,
            3,
            None,
            2,
            blocked(),
            start + Duration::from_millis(1900),
        );
        l.returned(7, 4, "recvfrom(4, \"\", 1024, 0, NULL, NULL) = 0");
        let found = l.finish(start);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].proof.len(), 2);
        assert!(matches!(
            found[0].detail,
            Detail::BlockedAccept { queued: 2, .. }
        ));
    }
}
