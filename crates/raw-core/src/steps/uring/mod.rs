//! The io_uring steps: `io_uring_setup`, `io_uring_register` (a provided-buffer ring),
//! `io_uring_enter`, and the requests and completions that travel through the two
//! queues the process shares with the kernel.
//!
//! With io_uring a program does not call `accept4`, `recvfrom`, `sendto` or `close`:
//! it writes *requests* (submission queue entries, SQEs) into memory the kernel reads,
//! and reads *completions* (CQEs) from memory the kernel writes. Only `io_uring_enter`
//! is a syscall, and one of them may carry a hundred requests and collect a hundred
//! completions. strace therefore sees only `io_uring_setup`, `io_uring_register` and
//! `io_uring_enter`: the narration says each request and each completion as a line of
//! its own, written like the syscall it replaces (`accept4(3, NULL, NULL,
//! SOCK_CLOEXEC)`), marked `sqe` or `cqe` and never counted as a syscall.
//!
//! ```text
//! strace -f -e trace=%network,io_uring_setup,io_uring_enter,io_uring_register raw-multi server --model io-uring
//! ```
//!
//! The unsafe part (a request may point at memory the kernel uses later) is
//! [`crate::sys::Uring`]; this module is the narration around it.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | [`Ring`]: one call per request, `wait` and `complete`, as liburing's echo server uses it. |
//! | [`syscalls`] | The three syscalls: `io_uring_setup`, `io_uring_register`, `io_uring_enter`, and the ring's `close`. |
//! | [`entries`] | Requests and completions: their tags, and the lines that say them. |

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::narrate::Narrator;
use crate::sentences;
use crate::trace::call::Call;
use crate::trace::strace;
use nix::errno::Errno;
use std::os::fd::RawFd;
use std::time::Duration;

use crate::sys::{Sqe, Uring};

mod entries;
mod syscalls;

use entries::{buffer, completed, more, tag, untag, Tag};
pub use entries::{Completion, Op, Posted};
pub use syscalls::unavailable;
use syscalls::{close_ring, enter, register_buf_ring, setup, submit};

/// **Syscall:** `getpeername(fd, &addr, &len)`, see `getpeername(2)`: who is on the
/// other end of a connection. A multishot accept fills in no address (one request
/// serves many connections, so it has nowhere to write them), so the io-uring model
/// asks for each one: one syscall per connection, none per message.
/// **Packets:** none. **TCP state:** unchanged.
/// **Errors:** `ENOTCONN` (the client already reset the connection).
#[doc = crate::man_links!(getpeername(2))]
#[track_caller]
pub fn getpeername(n: &Narrator, fd: RawFd) -> Result<std::net::SocketAddr, Failure> {
    use nix::sys::socket::SockaddrStorage;
    let call = Call::new(n, "getpeername", fd, || {
        format!("getpeername({fd}, ..., [128])")
    });
    let result = nix::sys::socket::getpeername::<SockaddrStorage>(fd).and_then(|a| {
        if let Some(v4) = a.as_sockaddr_in() {
            Ok(std::net::SocketAddr::V4((*v4).into()))
        } else if let Some(v6) = a.as_sockaddr_in6() {
            Ok(std::net::SocketAddr::V6((*v6).into()))
        } else {
            Err(Errno::EAFNOSUPPORT) // not an IP socket: never ours
        }
    });
    let call = match result {
        Ok(peer) => call
            .filled(|| {
                format!(
                    "getpeername({fd}, {}, {})",
                    strace::sockaddr(&peer),
                    strace::inout_len(128, strace::sockaddr_len(&peer))
                )
            })
            .with(|e| e.peer = Some(peer.to_string())),
        Err(_) => call,
    };
    call.stateless()
        .finish(result, |_| 0, |peer| sentences::getpeername(*peer))
}

/// An io_uring instance as the io-uring model uses it, in liburing's shape: each
/// request is one call that gets a submission entry, fills it in and tags it
/// (`add_accept`, `add_recv`, `add_send` in liburing's `examples/echo-server.c`), and
/// [`Ring::wait`] is `io_uring_submit_and_wait` followed by the completions, each said
/// as it is read. The ring keeps the fd table: a connection an accept completion brings
/// is a TCP socket of ours, one a close completion ends is forgotten.
pub struct Ring {
    uring: Uring,
    /// The provided buffers' size (shown in a recv's line).
    size: u32,
}

impl std::fmt::Debug for Ring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ring")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Ring {
    /// `io_uring_setup`: a new instance and its two queues, in memory shared with the
    /// kernel (the step and its errors are documented on `setup` in this file).
    #[track_caller]
    pub fn setup(n: &Narrator, entries: u32, cq_entries: u32) -> Result<Ring, Failure> {
        Ok(Ring {
            uring: setup(n, entries, cq_entries)?,
            size: 0,
        })
    }

    /// `io_uring_register(IORING_REGISTER_PBUF_RING)`: `count` buffers of `size` bytes
    /// the kernel fills as data arrives (the step: `register_buf_ring` in this file).
    #[track_caller]
    pub fn provide_buffers(&mut self, n: &Narrator, count: u16, size: u32) -> Result<(), Failure> {
        register_buf_ring(n, &mut self.uring, count, size)?;
        self.size = size;
        Ok(())
    }

    /// Queues an accept on `listener`: `multishot`, one request that completes once per
    /// connection until it is cancelled; else one connection.
    #[track_caller]
    pub fn accept(
        &mut self,
        n: &Narrator,
        listener: RawFd,
        multishot: bool,
    ) -> Result<(), Failure> {
        let t = if multishot {
            Tag::AcceptMulti
        } else {
            Tag::Accept
        };
        let sqe = Sqe::Accept {
            fd: listener,
            multishot,
        };
        submit(n, &mut self.uring, tag(t, listener), sqe, self.size)
    }

    /// Queues a multishot recv on `fd`: a completion each time data arrives, in a buffer
    /// the kernel picks from the provided ring.
    #[track_caller]
    pub fn recv(&mut self, n: &Narrator, fd: RawFd) -> Result<(), Failure> {
        submit(
            n,
            &mut self.uring,
            tag(Tag::RecvMulti, fd),
            Sqe::RecvMulti { fd },
            self.size,
        )
    }

    /// Queues a send of `data` on `fd` (the ring keeps the bytes until it completes).
    #[track_caller]
    pub fn send(&mut self, n: &Narrator, fd: RawFd, data: Vec<u8>) -> Result<(), Failure> {
        submit(
            n,
            &mut self.uring,
            tag(Tag::Send, fd),
            Sqe::Send { fd, data },
            self.size,
        )
    }

    /// Queues a close of `fd`.
    #[track_caller]
    pub fn close(&mut self, n: &Narrator, fd: RawFd) -> Result<(), Failure> {
        submit(
            n,
            &mut self.uring,
            tag(Tag::Close, fd),
            Sqe::Close { fd },
            self.size,
        )
    }

    /// Queues the cancel of the multishot accept armed on `listener`.
    #[track_caller]
    pub fn cancel_accept(&mut self, n: &Narrator, listener: RawFd) -> Result<(), Failure> {
        let target = tag(Tag::AcceptMulti, listener);
        submit(
            n,
            &mut self.uring,
            tag(Tag::CancelAccept, listener),
            Sqe::Cancel { target },
            self.size,
        )
    }

    /// Queues the cancel of the recv armed on `fd`.
    #[track_caller]
    pub fn cancel_recv(&mut self, n: &Narrator, fd: RawFd) -> Result<(), Failure> {
        let target = tag(Tag::RecvMulti, fd);
        submit(
            n,
            &mut self.uring,
            tag(Tag::CancelRecv, fd),
            Sqe::Cancel { target },
            self.size,
        )
    }

    /// `io_uring_submit_and_wait(ring, 1)`: one `io_uring_enter` that hands over every
    /// queued request and sleeps until a completion is posted (or `timeout` passes).
    /// Returns the completions posted, each to be read with [`Ring::complete`].
    #[track_caller]
    pub fn wait(
        &mut self,
        n: &Narrator,
        timeout: Option<Duration>,
    ) -> Result<Vec<Posted>, Failure> {
        enter(n, &mut self.uring, 1, timeout)?;
        Ok(self.uring.completions().into_iter().map(Posted).collect())
    }

    /// Hands the kernel what is still queued, without waiting (when stopping).
    #[track_caller]
    pub fn flush(&mut self, n: &Narrator) -> Result<(), Failure> {
        if self.uring.queued() > 0 {
            enter(n, &mut self.uring, 0, None)?;
        }
        Ok(())
    }

    /// `close(ring_fd)`: the instance goes, and every request still armed with it.
    #[track_caller]
    pub fn close_ring(self, n: &Narrator) -> Result<(), Failure> {
        close_ring(n, self.uring)
    }

    /// Reads one completion (`io_uring_for_each_cqe`): says it as a `cqe:` line, keeps
    /// the fd table, copies a recv's bytes out and gives its buffer back to the kernel.
    pub fn complete(&mut self, n: &Narrator, posted: Posted) -> Option<Completion> {
        let cqe = &posted.0;
        let (t, fd) = untag(cqe.user_data)?;
        let (op, asked) = match t {
            Tag::AcceptMulti | Tag::Accept => {
                let multishot = t == Tag::AcceptMulti;
                (Op::Accept, Sqe::Accept { fd, multishot })
            }
            Tag::RecvMulti => (Op::Recv, Sqe::RecvMulti { fd }),
            Tag::Send => {
                let data = self.uring.sent(cqe.user_data).unwrap_or_default();
                (Op::Send, Sqe::Send { fd, data })
            }
            Tag::Close => (Op::Close, Sqe::Close { fd }),
            Tag::CancelAccept => (
                Op::Cancel,
                Sqe::Cancel {
                    target: tag(Tag::AcceptMulti, fd),
                },
            ),
            Tag::CancelRecv => (
                Op::Cancel,
                Sqe::Cancel {
                    target: tag(Tag::RecvMulti, fd),
                },
            ),
        };
        let data = match (&asked, buffer(cqe)) {
            (Sqe::RecvMulti { .. }, Some(bid)) => {
                let got = self
                    .uring
                    .received(bid, cqe.result.max(0) as usize)
                    .to_vec();
                self.uring.give_back(bid); // the buffer is the kernel's again
                got
            }
            (Sqe::Send { data, .. }, _) => data.clone(),
            _ => Vec::new(),
        };
        let shown = (op == Op::Recv && !data.is_empty()).then_some(data.as_slice());
        completed(n, cqe, &asked, self.size, shown);
        match op {
            Op::Accept if cqe.result >= 0 => {
                crate::trace::fds::made(cqe.result, crate::trace::fds::SocketKind::Tcp)
            }
            Op::Close => crate::trace::fds::forget(fd), // the number is free for the next connection
            _ => {}
        }
        Some(Completion {
            op,
            fd,
            result: cqe.result,
            more: more(cqe),
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tag names its request and fd, and only tags name anything.
    #[test]
    fn tags_round_trip() {
        for t in [
            Tag::AcceptMulti,
            Tag::Accept,
            Tag::RecvMulti,
            Tag::Send,
            Tag::Close,
            Tag::CancelAccept,
            Tag::CancelRecv,
        ] {
            assert_eq!(untag(tag(t, 1023)), Some((t, 1023)));
        }
        assert_eq!(untag(42), None);
    }

    /// The unavailable error names the errno, the sysctl and the way out, in both
    /// languages.
    #[test]
    fn unavailable_is_explained() {
        for lang in [crate::Lang::En, crate::Lang::PtBr] {
            let n = Narrator::new(lang, crate::Mode::Silent, "server");
            for errno in [Errno::ENOSYS, Errno::EPERM, Errno::EINVAL] {
                let text = unavailable(&n, errno).explain(lang);
                assert!(text.starts_with("io_uring_setup(2) "), "{text}");
                assert!(text.contains(&format!("{errno:?}")), "{text}");
                assert!(text.contains("kernel.io_uring_disabled"), "{text}");
                assert!(
                    text.contains("--model epoll") || errno == Errno::ENOSYS,
                    "{text}"
                );
            }
        }
    }
}
