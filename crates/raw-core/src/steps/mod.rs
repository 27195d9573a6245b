//! The syscall steps: one function per syscall, each making that syscall once (plus,
//! when narrating a TCP socket, one `getsockopt(TCP_INFO)` to read its state).
//!
//! A lab's `main` is a list of these calls in the order the kernel sees them, so the
//! program reads like `strace` output. Every step has one shape, that of a nix
//! function: the doc (syscall and man page, packets, TCP state, errors), then
//!
//! 1. [`Call::new`](crate::trace::call::Call::new) — the call as strace will print it (and, with `--step`, a pause);
//! 2. the syscall itself, through socket2 (the socket's lifecycle) or nix (data);
//! 3. [`Call::finish`](crate::trace::call::Call::finish) — the strace line with the real return value, the success
//!    sentence only on success, the state after it; what the call did to the fd table.
//!
//! Every step is `#[track_caller]`, so the narrated source line is the line in the lab
//! that called the step, not a line in this file.
//!
//! | file | steps |
//! |---|---|
//! | [`sockets`] | `socket`, `setsockopt`, `bind`, `listen`, `accept4`, `connect`, `sendto`, `recvfrom`, `shutdown`, `close` (re-exported here: `steps::bind`) |
//! | [`signals`] | `rt_sigaction`: SIGINT/SIGTERM become a flag, so servers stop cleanly |
//! | [`process`] | fork (as `clone`), `wait4`, `kill`, the SIGCHLD flag, `exit_group` |
//! | [`multiplex`] | `epoll_create1`/`epoll_ctl`/`epoll_wait`, `poll`, `pselect6` |
//! | [`uring`] | the io-uring model's ring: setup, requests, `io_uring_enter`, completions |
//! | [`workers`] | `SO_REUSEPORT`, `tgkill`, the prefork meter page, `PR_SET_PDEATHSIG` |

#![forbid(unsafe_code)]

pub mod multiplex;
pub mod process;
pub mod signals;
pub mod sockets;
pub mod uring;
pub mod workers;

pub use sockets::*;
