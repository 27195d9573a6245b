//! `eof-ignored`: a read on a stream socket returned 0 (end of stream) and the program
//! read the same socket again: a spin. The proof: the first read that returned 0, and
//! the first read after it.

#![forbid(unsafe_code)]

use super::{Detail, Finding, Lints, Mistake};

/// A read that returned 0 on a stream socket, and what came after.
#[derive(Debug)]
pub(super) struct AfterEof {
    call: &'static str,
    pid: u32,
    fd: i32,
    first: String,
    repeats: usize,
    again: Option<String>,
}

impl Lints {
    /// A read (`call`) on stream socket `sock` (fd `fd`) returned `count` bytes.
    pub fn stream_read(
        &mut self,
        call: &'static str,
        sock: u64,
        pid: u32,
        fd: i32,
        line: &str,
        count: usize,
    ) {
        if let Some(eof) = self.after_eof.get_mut(&sock) {
            eof.repeats += 1;
            if eof.again.is_none() {
                eof.again = Some(line.to_string());
            }
            return;
        }
        if count == 0 {
            self.after_eof.insert(
                sock,
                AfterEof {
                    call,
                    pid,
                    fd,
                    first: line.to_string(),
                    repeats: 0,
                    again: None,
                },
            );
        }
    }

    /// The sockets read again after their end of stream, each as a finding.
    pub(super) fn eof_findings(&self) -> Vec<Finding> {
        let mut late = Vec::new();
        for eof in self.after_eof.values() {
            if eof.repeats == 0 {
                continue;
            }
            let mut proof = vec![eof.first.clone()];
            proof.extend(eof.again.clone());
            late.push(Finding {
                mistake: Mistake::EofIgnored,
                pid: eof.pid,
                proof,
                detail: Detail::EofIgnored {
                    call: eof.call,
                    fd: eof.fd,
                    repeats: eof.repeats,
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
    /// A spin after end of stream is reported once, with the first 0 and a repeat; a
    /// loop that stops at the first 0 is not.
    #[test]
    fn eof_ignored_once() {
        let mut l = Lints::new();
        l.stream_read(
            "recvfrom",
            1,
            10,
            4,
            "recvfrom(4, \"hi\", 1024, 0, NULL, NULL) = 2",
            2,
        );
        l.stream_read(
            "recvfrom",
            1,
            10,
            4,
            "recvfrom(4, \"\", 1024, 0, NULL, NULL) = 0",
            0,
        );
        for _ in 0..5 {
            l.stream_read(
                "recvfrom",
                1,
                10,
                4,
                "recvfrom(4, \"\", 1024, 0, NULL, NULL) = 0",
                0,
            );
        }
        l.stream_read(
            "recvfrom",
            2,
            10,
            5,
            "recvfrom(5, \"\", 1024, 0, NULL, NULL) = 0",
            0,
        );
        let found = l.finish(T());
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].detail,
            Detail::EofIgnored {
                call: "recvfrom",
                fd: 4,
                repeats: 5
            }
        );
        assert_eq!(found[0].proof.len(), 2);
    }
}
