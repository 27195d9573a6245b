//! What happened, as data: the layer every view and the narrator build on.
//!
//! | file | what it holds |
//! |---|---|
//! | [`strace`] | the exact notation strace uses for addresses, buffers, flags and errors |
//! | [`text`] | a message of the catalog with its arguments, in no language yet |
//! | [`failure`] | a failed syscall and the facts gathered when it failed |
//! | [`tcp_state`] | TCP states (RFC 793 names) read with `getsockopt(TCP_INFO)` |
//! | [`kernel_table`] | the kernel's socket table (`/proc/net/tcp`): TIME-WAIT, who holds a port |
//! | [`event`] | the events every view receives (syscall, probe, note, data, packet, warning) |
//! | [`fds`] | the fd table: what each descriptor of this process is |
//! | [`call`] | the one shape of a step: a `Call` opened, the syscall, the call finished |

#![forbid(unsafe_code)]

pub mod call;
pub mod event;
pub mod failure;
pub mod fds;
pub mod kernel_table;
pub mod strace;
pub mod tcp_state;
pub mod text;
