//! The select model: one thread asks `select()` which of its sockets are ready.
//!
//! ```text
//! raw-multi server --model select
//! strace -e trace=%network,pselect6 raw-multi server --model select   # glibc's select() is pselect6
//! ```
//!
//! What makes it select: each call hands the kernel two bitmaps (`fd_set`s: one bit
//! per fd, read and write interest), rebuilt before every call because the kernel
//! overwrites them with the answer. The bitmaps have FD_SETSIZE (1024) bits, so an fd
//! of 1024 or more cannot be watched at all: such a client is refused, said so, and
//! closed, instead of corrupting memory as C code writing past the bitmap would.

use super::event_loop::{Conn, Multiplexer, Ready};
use nix::sys::select::{select, FdSet};
use nix::sys::time::{TimeVal, TimeValLike};
use raw_core::narrate::Event;
use raw_core::{strace, Failure, Narrator};
use socket2::Socket;
use std::collections::BTreeMap;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::Duration;

/// `select` keeps no state between calls: everything is rebuilt each time.
#[derive(Debug, Default)]
pub struct Select;

impl Multiplexer for Select {
    /// **Syscall:** `select(nfds, &readfds, &writefds, NULL, timeout)`, see `select(2)`;
    /// glibc makes it with the `pselect6` syscall, which is what strace shows.
    fn wait(
        &mut self,
        n: &Narrator,
        listener: &Socket,
        accepting: bool,
        conns: &BTreeMap<RawFd, Conn>,
        timeout: Option<Duration>,
    ) -> Result<Vec<Ready>, Failure> {
        let mut readfds = FdSet::new();
        let mut writefds = FdSet::new();
        let (mut want_read, mut want_write) = (Vec::new(), Vec::new());
        if let Some(l) = accepting.then_some(listener) {
            readfds.insert(l.as_fd());
            want_read.push(l.as_raw_fd());
        }
        for (&fd, conn) in conns {
            if conn.wants_read() {
                readfds.insert(conn.sock.as_fd());
                want_read.push(fd);
            }
            if conn.wants_write() {
                writefds.insert(conn.sock.as_fd());
                want_write.push(fd);
            }
        }
        let nfds = want_read
            .iter()
            .chain(&want_write)
            .max()
            .map_or(0, |m| m + 1);
        let mut tv =
            timeout.map(|d| TimeVal::microseconds(d.as_micros().min(i64::MAX as u128) as i64));
        // glibc's select() is the pselect6 syscall: the timeval becomes a timespec and
        // the sixth argument (a signal mask) is NULL. That is what strace shows.
        let shown_timeout = tv.map_or("NULL".to_string(), |t| {
            format!("{{tv_sec={}, tv_nsec={}}}", t.tv_sec(), t.tv_usec() * 1000)
        });
        let args = format!(
            "pselect6({nfds}, {}, {}, NULL, {shown_timeout}, NULL)",
            fd_list(&want_read),
            fd_list(&want_write)
        );
        let result = select(nfds, &mut readfds, &mut writefds, None, tv.as_mut());
        match result {
            Ok(count) => {
                let mut ready: Vec<Ready> = Vec::new();
                let (mut r_in, mut r_out) = (Vec::new(), Vec::new());
                if let Some(l) = accepting.then_some(listener) {
                    if readfds.contains(l.as_fd()) {
                        r_in.push(l.as_raw_fd());
                        ready.push(Ready {
                            fd: l.as_raw_fd(),
                            readable: true,
                            ..Ready::default()
                        });
                    }
                }
                for (&fd, conn) in conns {
                    let readable = conn.wants_read() && readfds.contains(conn.sock.as_fd());
                    let writable = conn.wants_write() && writefds.contains(conn.sock.as_fd());
                    if readable {
                        r_in.push(fd);
                    }
                    if writable {
                        r_out.push(fd);
                    }
                    if readable || writable {
                        ready.push(Ready {
                            fd,
                            readable,
                            writable,
                            error: false,
                        });
                    }
                }
                let detail = if count == 0 {
                    "Timeout".to_string()
                } else {
                    let mut parts = Vec::new();
                    if !r_in.is_empty() {
                        parts.push(format!("in {}", fd_list(&r_in)));
                    }
                    if !r_out.is_empty() {
                        parts.push(format!("out {}", fd_list(&r_out)));
                    }
                    if let Some(t) = tv {
                        // The time left as glibc hands it back, to the microsecond
                        // (strace may show nanosecond digits beyond it).
                        parts.push(format!(
                            "left {{tv_sec={}, tv_nsec={}}}",
                            t.tv_sec(),
                            t.tv_usec() * 1000
                        ));
                    }
                    parts.join(", ")
                };
                n.syscall(
                    "pselect6",
                    format!("{args} = {count} ({detail})"),
                    Event {
                        text: format!(
                            "{} {count} {}",
                            n.t(
                                "select: the kernel checked every fd in both bitmaps;",
                                "select: o kernel verificou cada fd dos dois mapas de bits;"
                            ),
                            n.t("ready.", "prontos.")
                        ),
                        ..Event::default()
                    },
                );
                Ok(ready)
            }
            Err(errno) => {
                n.syscall(
                    "pselect6",
                    format!("{args} = {}", strace::failed_in("pselect6", errno)),
                    Event::default(),
                );
                Err(Failure::sys("select", errno))
            }
        }
    }

    fn refuse(&self, n: &Narrator, fd: RawFd) -> Option<String> {
        (fd >= libc::FD_SETSIZE as RawFd).then(|| {
            format!(
                "fd {fd}: {}",
                n.t(
                    "select() can only watch fds below FD_SETSIZE (1024): this client is refused and closed. The poll and epoll models have no such ceiling.",
                    "o select() só vigia fds abaixo de FD_SETSIZE (1024): este cliente é recusado e fechado. Os modelos poll e epoll não têm esse teto.",
                )
            )
        })
    }
}

/// `[3 5 7]`, as strace prints an fd_set.
fn fd_list(fds: &[RawFd]) -> String {
    let mut sorted = fds.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    format!(
        "[{}]",
        sorted
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    )
}
