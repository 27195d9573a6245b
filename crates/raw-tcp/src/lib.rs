//! # raw-tcp: lab 1, the simple TCP echo server and client
//!
//! The assignment's server, written so each line is one syscall:
//!
//! | file | program | syscalls, in order |
//! |---|---|---|
//! | `server.rs` | `raw-tcp server` | socket, setsockopt(SO_REUSEADDR), bind, getsockname, listen, accept4, recvfrom/sendto…, close |
//! | `client.rs` | `raw-tcp client` | socket, connect, getsockname, sendto, recvfrom…, shutdown, recvfrom (EOF), close |
//! | `raw-core/src/demo.rs` | `raw-tcp demo` | both of the above, interleaved in one process, with the TCP states (shared with `raw-udp demo`) |
//! | `lab.rs` | `raw-tcp lab time-wait`, `raw-tcp lab partial` | classic failures reproduced, then fixed |
//!
//! The steps themselves (and their narration) live in `raw_core::steps`, shared with
//! the other labs.

#![forbid(unsafe_code)]

pub mod client;
pub use raw_core::demo;
pub mod lab;
pub mod server;
pub mod states;
