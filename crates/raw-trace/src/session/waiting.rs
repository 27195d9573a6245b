//! Waiting: `poll`/`select`/`epoll_wait` on sockets, and the look at the listeners
//! between lines (a server blocked on one client while others wait to be accepted).

#![forbid(unsafe_code)]

use super::tell::{unsuccessful, Told};
use super::{Say, Session};
use crate::line::Call;
use crate::notation;
use crate::procfs;
use crate::sockets::{self, Sock};
use raw_core::sentences as say;
use std::time::Instant;

impl Session<'_> {
    /// `poll`/`select`/`epoll_wait` on sockets: how many fds were ready.
    pub(super) fn on_wait_ready(
        &mut self,
        pid: u32,
        name: &'static str,
        call: &Call,
    ) -> Option<Told> {
        let fds = match name {
            "poll" | "ppoll" => notation::poll_fds(call.arg(0)),
            "select" | "pselect6" => {
                let mut fds = notation::fd_set(call.arg(1));
                fds.extend(notation::fd_set(call.arg(2)));
                fds
            }
            _ => Vec::new(),
        };
        let on_sockets = if fds.is_empty() {
            self.sockets.has_ip_sockets(pid)
        } else {
            fds.iter()
                .any(|fd| self.sockets.get(pid, *fd).is_some_and(|s| s.is_ip()))
        };
        if !on_sockets {
            return None;
        }
        let say: Say = match call.value().filter(|_| call.ok()) {
            Some(ready) => {
                let watched = match name {
                    "poll" | "ppoll" => fds.len(),
                    "epoll_wait" | "epoll_pwait" => {
                        notation::int(call.arg(2)).unwrap_or(0) as usize
                    }
                    _ => notation::int(call.arg(0)).unwrap_or(0) as usize,
                };
                say::waited(name, ready, watched)
            }
            None => unsuccessful(name, call),
        };
        Some(Told::new(None, say))
    }

    /// One look at the listeners, made between lines (every 100 ms): is a server
    /// blocked reading one client while others wait in its accept queue?
    pub fn look(&mut self, now: Instant) {
        for (_, listener_fd, listener) in self.sockets.listeners() {
            let Some(inode) = listener.inode else {
                continue;
            };
            let queued = sockets::accept_queue(inode).unwrap_or(0);
            let blocked = if queued > 0 {
                self.blocked_reader(&listener)
            } else {
                None
            };
            self.lints.listener_look(
                listener.id,
                listener_fd,
                listener.local,
                queued,
                blocked,
                now,
            );
        }
    }

    /// The client a server of `listener` sits blocked reading, unless one of the
    /// processes holding `listener` waits in `accept` (or `poll`) for the next: its pid,
    /// the fd read, the call, and the `accept` line that made that fd.
    fn blocked_reader(&mut self, listener: &Sock) -> Option<(u32, i32, &'static str, String)> {
        let mut accepting = false;
        let mut blocked = None;
        for pid in self.sockets.holders(listener.id) {
            if !self.live.contains(&pid) {
                continue;
            }
            let Some((nr, arg)) = procfs::blocked_in(pid) else {
                continue;
            };
            match procfs::waiting(nr) {
                procfs::Waiting::Accept | procfs::Waiting::Multiplex => accepting = true,
                procfs::Waiting::Read => {
                    let fd = i32::try_from(arg).unwrap_or(-1);
                    if let Some(Sock {
                        accepted: Some((from, line)),
                        ..
                    }) = self.sockets.get(pid, fd)
                    {
                        if *from == listener.id {
                            blocked = Some((pid, fd, procfs::read_name(nr), line.clone()));
                        }
                    }
                }
                procfs::Waiting::Other => {}
            }
        }
        if accepting {
            None
        } else {
            blocked
        }
    }
}
