//! # raw-multi: lab 3, the multi-client TCP server
//!
//! One echo service (the same `raw_core::echo` loop as lab 1), five ways of serving
//! many clients at once, one file each, differing only where the model differs:
//!
//! | file | model | how many clients wait at once | what blocks |
//! |---|---|---|---|
//! | `models/fork.rs` | a process per client (`fork`) | one per child process | each child in its own `recv` |
//! | `models/thread.rs` | a thread per client | one per thread | each thread in its own `recv` |
//! | `models/select.rs` | one thread, `select()` | up to FD_SETSIZE (1024) fds | only `select` |
//! | `models/poll.rs` | one thread, `poll()` | no fixed ceiling | only `poll` |
//! | `models/epoll.rs` | one thread, `epoll_wait()` | no ceiling, O(ready) per wake-up | only `epoll_wait` |
//!
//! `models/event_loop.rs` is the non-blocking loop the last three share;
//! `clients.rs` opens many connections at once and `sockets.rs` shows the kernel's
//! table, which together answer the assignment's question: the listening socket never
//! moves; each client comes from a new ephemeral port, and the kernel tells the
//! connections apart by their 4-tuple (local address, local port, peer address, peer port).

#![deny(unsafe_code)]

pub mod clients;
pub mod lab;
pub mod models;
pub mod sockets;
