//! One traced run: each line strace writes becomes, in order, the same three things a
//! lab prints for its own calls — the strace line, the sentence from
//! [`raw_core::sentences`], the TCP state after the call — and an observation for the
//! lints.
//!
//! The state comes from the kernel's table, through the socket's inode
//! (`/proc/PID/fd/N` → `socket:[inode]` → its row in `/proc/net/tcp`), read while
//! strace holds the program for a moment after the call (see [`crate::tracer`]).
//! After `close`, when no fd names the socket any more, the connection is looked up
//! by its two addresses (TIME-WAIT has no inode).
//!
//! | file | its job |
//! |---|---|
//! | `mod.rs` | the [`Session`]: strace's lines in, each call sent to the step that tells it |
//! | `processes.rs` | the traced processes: pids, their narrators, `clone`/`fork`, `wait4`, exits |
//! | `table.rs` | which socket an fd names, and a new socket's entry in the fd table |
//! | `setup.rs` | a socket made, named and set up: `socket`, `bind`, `listen`, options, names |
//! | `connections.rs` | a connection opened and closed: `accept`, `connect`, `shutdown`, `close` |
//! | `data.rs` | the bytes: `send`/`write`, `recv`/`read` |
//! | `waiting.rs` | waiting: `poll`/`select`/`epoll`, and the look at listeners between lines |
//! | `tell.rs` | one call told: its sentence, its event, the TCP state after it |

#![forbid(unsafe_code)]

mod connections;
mod data;
mod processes;
mod setup;
mod table;
mod tell;
mod waiting;

use crate::line::{Call, Joiner, Traced};
use crate::lints::{Finding, Lints};
use crate::notation;
use crate::sockets::Registry;
use raw_core::Narrator;
use raw_core::Text;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

/// The syscalls raw-trace narrates (strace names them), and the `'static` names the
/// events carry.
pub const NARRATED: &[&str] = &[
    "socket",
    "socketpair",
    "bind",
    "listen",
    "accept",
    "accept4",
    "connect",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
    "sendto",
    "send",
    "sendmsg",
    "recvfrom",
    "recv",
    "recvmsg",
    "shutdown",
    "read",
    "write",
    "readv",
    "writev",
    "close",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_wait",
    "epoll_pwait",
    "clone",
    "clone3",
    "fork",
    "vfork",
    "wait4",
    "waitid",
];

/// A sentence of the catalog, rendered in whichever language is asked (twice for the
/// replay's toggle).
type Say = Text;

/// The socket calls of a run, told as they come.
pub struct Session<'n> {
    n: &'n Narrator,
    joiner: Joiner,
    sockets: Registry,
    lints: Lints,
    sides: HashMap<u32, (Narrator, Narrator)>,
    labels: HashMap<u32, String>,
    parents: HashMap<u32, u32>,
    live: BTreeSet<u32>,
    spoke: HashSet<u32>,
    /// Lines read from strace so far.
    pub lines: usize,
}

impl<'n> Session<'n> {
    /// A session narrated by `n` (its language, mode, views and capture).
    pub fn new(n: &'n Narrator) -> Session<'n> {
        Session {
            n,
            joiner: Joiner::new(),
            sockets: Registry::new(),
            lints: Lints::new(),
            sides: HashMap::new(),
            labels: HashMap::new(),
            parents: HashMap::new(),
            live: BTreeSet::new(),
            spoke: HashSet::new(),
            lines: 0,
        }
    }

    /// Reads one line of strace's output.
    pub fn feed(&mut self, raw: &str) {
        self.lines += 1;
        match self.joiner.feed(raw) {
            Some(Traced::Call { pid, call }) => self.on_call(pid, call),
            Some(Traced::Signal { pid, text, .. }) => self.on_signal(pid, text),
            Some(Traced::Exit { pid, text }) => self.on_exit(pid, text),
            None => {}
        }
    }

    /// One returned call: the lints hear of it, and a narrated one goes to the step that
    /// tells it.
    fn on_call(&mut self, pid: u32, call: Call) {
        if self.live.insert(pid) {
            self.n.follow(pid); // its state changes are said with its calls
        }
        self.sockets.table(pid); // first sight: which fd table it uses
        let Some(name) = NARRATED.iter().find(|n| **n == call.name).copied() else {
            return;
        };
        let fd = notation::int(call.arg(0)).and_then(|v| i32::try_from(v).ok());
        if let Some(fd) = fd {
            self.lints
                .returned(pid, fd, &format!("[pid {pid}] {}", call.text));
        }
        let told = match name {
            "socket" => self.on_socket(pid, &call),
            "socketpair" => self.on_socketpair(pid, &call),
            "bind" => self.on_bind(pid, fd, &call),
            "listen" => self.on_listen(pid, fd, &call),
            "accept" | "accept4" => self.on_accept(pid, fd, name, &call),
            "connect" => self.on_connect(pid, fd, &call),
            "getsockname" | "getpeername" => self.on_name(pid, fd, name, &call),
            "setsockopt" | "getsockopt" => self.on_option(pid, fd, name, &call),
            "sendto" | "send" | "sendmsg" | "write" | "writev" => {
                self.on_send(pid, fd, name, &call)
            }
            "recvfrom" | "recv" | "recvmsg" | "read" | "readv" => {
                self.on_recv(pid, fd, name, &call)
            }
            "shutdown" => self.on_shutdown(pid, fd, &call),
            "close" => self.on_close(pid, fd, &call),
            "clone" | "clone3" | "fork" | "vfork" => self.on_clone(pid, &call),
            "wait4" | "waitid" => self.on_wait(pid, name, &call),
            _ => self.on_wait_ready(pid, name, &call),
        };
        if let Some(told) = told {
            self.tell(pid, name, &call, told);
        }
    }

    /// The run is over: the mistakes the trace shows.
    pub fn finish(self) -> Vec<Finding> {
        self.lints.finish(Instant::now())
    }
}
