//! The fd table: what each descriptor of this process is, as our steps made it.
//!
//! Whether a socket is TCP (so that its state is read after each step) and whether it
//! listens (so that `close` says the right sentence) is the socket's own business: the
//! steps say what a call does when they open it ([`crate::trace::call::Call::makes`],
//! `listens`, `closes`), and [`crate::trace::call::Call::finish`] updates this table. Nothing
//! else writes it.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::os::fd::RawFd;
use std::sync::{Mutex, OnceLock};

/// What kind of socket an fd of this process is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketKind {
    /// `SOCK_STREAM` over IP: TCP, with a state to read after each step.
    Tcp,
    /// `SOCK_DGRAM` over IP: UDP, no connection, no state.
    Udp,
}

/// One descriptor's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    kind: SocketKind,
    listening: bool,
    /// `fork` copied it and the other process keeps using it: closing this copy sends
    /// nothing.
    copy: bool,
}

fn table() -> &'static Mutex<HashMap<RawFd, Entry>> {
    static TABLE: OnceLock<Mutex<HashMap<RawFd, Entry>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn update(fd: RawFd, change: impl FnOnce(&mut Entry)) {
    if let Ok(mut t) = table().lock() {
        if let Some(entry) = t.get_mut(&fd) {
            change(entry);
        }
    }
}

/// `fd` is a new socket of `kind`.
pub(crate) fn made(fd: RawFd, kind: SocketKind) {
    if let Ok(mut t) = table().lock() {
        t.insert(
            fd,
            Entry {
                kind,
                listening: false,
                copy: false,
            },
        );
    }
}

/// `fd` listens.
pub(crate) fn listens(fd: RawFd) {
    update(fd, |e| e.listening = true);
}

/// `fd` was closed: the number may come back for another file.
pub(crate) fn forget(fd: RawFd) {
    if let Ok(mut t) = table().lock() {
        t.remove(&fd);
    }
}

/// `fork` returned: each process now holds a copy of every socket. In the fork model's
/// parent the connected sockets are the child's to serve; in a child, the listener is
/// the parent's: those copies are marked, so that closing one says it sends nothing.
pub(crate) fn forked(in_child: bool) {
    if let Ok(mut t) = table().lock() {
        for entry in t.values_mut() {
            if entry.listening == in_child {
                entry.copy = true;
            }
        }
    }
}

/// What closing `fd` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// A socket of this kind (its last descriptor: TCP says goodbye).
    Socket(SocketKind),
    /// A listening socket.
    Listener,
    /// A copy `fork` made, which the other process keeps.
    Copy,
    /// Not a socket our steps made (an epoll instance).
    Other,
}

/// What closing `fd` would mean now.
pub fn closing(fd: RawFd) -> Closing {
    match table().lock().ok().and_then(|t| t.get(&fd).copied()) {
        Some(Entry { copy: true, .. }) => Closing::Copy,
        Some(Entry {
            listening: true, ..
        }) => Closing::Listener,
        Some(entry) => Closing::Socket(entry.kind),
        None => Closing::Other,
    }
}

/// The kind of socket `fd` is, when one of our steps made it.
pub fn kind_of(fd: RawFd) -> Option<SocketKind> {
    table().lock().ok().and_then(|t| t.get(&fd).map(|e| e.kind))
}

/// Whether `fd` is a TCP socket made by our steps.
pub fn is_tcp(fd: RawFd) -> bool {
    kind_of(fd) == Some(SocketKind::Tcp)
}

/// The listening sockets of this process (for the io-uring model's completions).
pub fn is_listening(fd: RawFd) -> bool {
    table()
        .lock()
        .is_ok_and(|t| t.get(&fd).is_some_and(|e| e.listening))
}
