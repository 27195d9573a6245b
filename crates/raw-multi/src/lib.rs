//! # raw-multi: lab 3, the multi-client TCP server
//!
//! One echo service (the same `raw_core::echo` loop as lab 1), eight ways of serving
//! many clients at once, one file each, differing only where the model differs:
//!
//! | file | model | how many clients wait at once | what blocks |
//! |---|---|---|---|
//! | `models/fork.rs` | a process per client (`fork`) | one per child process | each child in its own `recv` |
//! | `models/thread.rs` | a thread per client | one per thread | each thread in its own `recv` |
//! | `models/select.rs` | one thread, `select()` | up to FD_SETSIZE (1024) fds | only `select` |
//! | `models/poll.rs` | one thread, `poll()` | no fixed ceiling | only `poll` |
//! | `models/epoll.rs` | one thread, `epoll_wait()` | no ceiling, O(ready) per wake-up | only `epoll_wait` |
//! | `models/io_uring.rs` | one thread, io_uring requests and completions | no ceiling; no syscall per message | only `io_uring_enter` |
//! | `models/reuseport.rs` | an epoll loop per core, one `SO_REUSEPORT` listener each | no ceiling | each worker in its `epoll_wait` |
//! | `models/prefork.rs` | N children forked before any client (UNP §30.6) | N (`--workers`, 16) | each child in `accept` or `recv` |
//!
//! `models/mod.rs` holds what every model shares: the listening socket, the 4-tuple
//! announcement, `str_echo` (the blocking models' client: the echo loop of lab 1), the
//! `--max-clients` notice and the summary (connections, and bytes added up from the
//! data lines by a view). `models/event_loop.rs` is the non-blocking loop select, poll
//! and epoll share (and each reuseport worker runs), in mio's vocabulary: `register` at accept, `modify` when a
//! connection's output fills or drains, `deregister` before close, `wait`;
//! `clients.rs` opens many connections at once and `sockets.rs` shows the kernel's
//! table, which together answer the assignment's question: the listening socket never
//! moves; each client comes from a new ephemeral port, and the kernel tells the
//! connections apart by their 4-tuple (local address, local port, peer address, peer port).

#![forbid(unsafe_code)]

pub mod clients;
pub mod lab;
pub mod models;
pub mod sockets;
