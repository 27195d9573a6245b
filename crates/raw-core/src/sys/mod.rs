//! The calls that need `unsafe`, kept in one room so a reader can audit them at once.
//!
//! Each function is one call that socket2 and nix cannot make safely for us, with a
//! `SAFETY:` note on why it is sound. Everything else in raw-sockets says
//! `#![forbid(unsafe_code)]`. This is the bottom layer: it imports nothing of ours.
//!
//! | file | calls |
//! |---|---|
//! | [`socket`] | `accept4` with our own address storage, `recvfrom(MSG_TRUNC)`, `getsockopt(TCP_INFO)`, `SO_ATTACH_FILTER` |
//! | [`signal`] | `rt_sigaction` for the flag handlers and for a default action |
//! | [`process`] | `fork` (refused in a threaded process), `wait4` |
//! | [`memory`] | `mmap` of the pages shared with forked children |
//! | [`file`] | `fcntl(F_DUPFD_CLOEXEC)`: a file the narration keeps open, moved above the lab's fds |
//! | [`uring`] | the io_uring instance: its queues, the provided-buffer ring |
//! | [`harness`] | for programs that start other programs (the benchmarks, the tests): a child that dies with its parent, a seccomp filter; no lab calls them |

#![allow(unsafe_code)] // this module is where raw-sockets' unsafe lives, and only here

pub mod file;
pub mod harness;
pub mod memory;
pub mod process;
pub mod signal;
pub mod socket;
pub mod uring;

pub use file::move_up;
pub use harness::die_with_parent;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub use harness::refuse_io_uring_setup;
pub use memory::{shared_counter, shared_counters};
pub use process::{fork_single_threaded, wait4};
pub use signal::{default_action, install_flag_handler, tgkill};
pub use socket::{accept4, attach_filter, getsockopt_tcp_info, recvfrom_trunc};
pub use uring::{Cqe, Sqe, Uring, UringParams};
