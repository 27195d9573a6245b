//! `short-send`: a send on a stream socket took fewer bytes than offered, and nothing
//! more was ever sent on that socket. The proof: the short send's line.

#![forbid(unsafe_code)]

use super::{Detail, Finding, Lints, Mistake};

/// A send that took less than offered.
#[derive(Debug)]
pub(super) struct Short {
    call: &'static str,
    pid: u32,
    fd: i32,
    line: String,
    count: usize,
    offered: usize,
}

impl Lints {
    /// A send (`call`) on stream socket `sock` took `count` of `offered` bytes.
    #[allow(clippy::too_many_arguments)]
    pub fn stream_send(
        &mut self,
        call: &'static str,
        sock: u64,
        pid: u32,
        fd: i32,
        line: &str,
        count: usize,
        offered: usize,
    ) {
        if count < offered {
            self.short.insert(
                sock,
                Short {
                    call,
                    pid,
                    fd,
                    line: line.to_string(),
                    count,
                    offered,
                },
            );
        } else {
            self.short.remove(&sock);
        }
    }

    /// The short sends never followed by the rest, each as a finding.
    pub(super) fn short_findings(&self) -> Vec<Finding> {
        let mut late = Vec::new();
        for short in self.short.values() {
            late.push(Finding {
                mistake: Mistake::ShortSend,
                pid: short.pid,
                proof: vec![short.line.clone()],
                detail: Detail::ShortSend {
                    call: short.call,
                    fd: short.fd,
                    count: short.count,
                    offered: short.offered,
                },
            });
        }
        late
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lints::T;
    /// A short send followed by more sends (sendall) is fine; one left alone is not.
    #[test]
    fn short_send_dropped() {
        let mut l = Lints::new();
        l.stream_send("sendto", 1, 10, 3, "sendto(3, ...) = 100", 100, 1000);
        l.stream_send("sendto", 1, 10, 3, "sendto(3, ...) = 900", 900, 900);
        assert!(l.finish(T()).is_empty());
        let mut l = Lints::new();
        l.stream_send("sendto", 1, 10, 3, "sendto(3, ...) = 100", 100, 1000);
        let found = l.finish(T());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].mistake, Mistake::ShortSend);
    }
}
