//! TCP or UDP, and the failure that names the syscall that failed on either.

use clap::ValueEnum;
use nix::errno::Errno;
use raw_core::{Fact, Failure};
use serde::Serialize;
use std::io;
use std::net::SocketAddr;

/// What the benchmark functions return: a failure that names its syscall.
pub type Result<T> = std::result::Result<T, Failure>;

/// Turns an `io::Error` from `syscall` into a [`Failure`] that names it, with the
/// address (for the hint's check command) and, for UDP, the fact that it was UDP.
pub fn failed(
    syscall: &'static str,
    addr: SocketAddr,
    proto: Proto,
) -> impl Fn(io::Error) -> Failure {
    move |e: io::Error| {
        let errno = match e.raw_os_error() {
            Some(raw) => Errno::from_raw(raw),
            None if e.kind() == io::ErrorKind::WouldBlock => Errno::EAGAIN,
            None => Errno::EIO,
        };
        let f = Failure::sys(syscall, errno).with(Fact::Addr(addr));
        if proto == Proto::Udp {
            f.with(Fact::Udp)
        } else {
            f
        }
    }
}

/// TCP or UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    /// TCP ping-pong on one connection.
    Tcp,
    /// UDP ping-pong, one datagram each way.
    Udp,
}
