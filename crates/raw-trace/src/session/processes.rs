//! The traced processes: which pids run, each one's narrators and name, and the calls
//! and lines that make, reap and end them (`clone`/`fork`, `wait4`/`waitid`, exits,
//! signals).

#![forbid(unsafe_code)]

use super::tell::{unsuccessful, Told};
use super::{Say, Session};
use crate::line::Call;
use crate::notation;
use crate::procfs;
use raw_core::sentences as say;
use raw_core::Narrator;
use std::time::Instant;

/// How a reaped child ended, from the status strace shows (`[{WIFEXITED(s) &&
/// WEXITSTATUS(s) == 0}]`, `[{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}]`).
fn ended(status: &str) -> say::Ended {
    let after = |key: &str| {
        status.split_once(key).map(|(_, rest)| {
            rest.trim_start_matches([' ', '='])
                .split(['}', ' ', ']'])
                .next()
                .unwrap_or("")
                .to_string()
        })
    };
    if let Some(code) = after("WEXITSTATUS(s)").and_then(|c| c.parse().ok()) {
        say::Ended::Exited(code)
    } else if let Some(signal) = after("WTERMSIG(s)") {
        say::Ended::Signaled(signal)
    } else {
        say::Ended::Other
    }
}

impl Session<'_> {
    /// The pids seen running (processes and threads that have not exited).
    pub fn live(&self) -> Vec<u32> {
        self.live.iter().copied().collect()
    }

    /// A signal reached `pid` (`text`: strace's `--- SIGCHLD {...} ---` line): noted
    /// when `pid` holds IP sockets.
    pub(super) fn on_signal(&mut self, pid: u32, text: String) {
        self.live.insert(pid);
        if self.sockets.has_ip_sockets(pid) {
            self.side(pid).0.note(text);
        }
    }

    /// `pid` ended (`text`: `+++ exited with 0 +++`): the lints hear of it, and it is
    /// noted when `pid` said something before.
    pub(super) fn on_exit(&mut self, pid: u32, text: String) {
        self.live.remove(&pid);
        let ignores = self
            .parents
            .get(&pid)
            .is_some_and(|p| procfs::ignores_sigchld(*p));
        self.lints.exited(pid, &text, Instant::now(), ignores);
        if self.spoke.contains(&pid) {
            self.side(pid).0.note(text);
        }
    }

    /// The narrators of `pid`: one that prints `[pid N]` before its lines, one that
    /// does not (for the state line under a call).
    pub(super) fn side(&mut self, pid: u32) -> (Narrator, Narrator) {
        if let Some(s) = self.sides.get(&pid) {
            return s.clone();
        }
        let side = self.n.side(&format!("pid {pid}"));
        let mut under = side.clone();
        under.show_role = false;
        self.sides.insert(pid, (side.clone(), under.clone()));
        (side, under)
    }

    /// The name at the end of `pid`'s lines (`echo-server.py`), read once.
    pub(super) fn label(&mut self, pid: u32) -> String {
        self.labels
            .entry(pid)
            .or_insert_with(|| procfs::label(pid).unwrap_or_else(|| format!("pid {pid}")))
            .clone()
    }

    /// `clone`/`fork`: a new process or thread, sharing or copying the fd table.
    pub(super) fn on_clone(&mut self, pid: u32, call: &Call) -> Option<Told> {
        let child = call
            .value()
            .filter(|_| call.ok())
            .and_then(|v| u32::try_from(v).ok())?;
        let thread = call.text.contains("CLONE_THREAD");
        self.sockets
            .cloned(pid, child, thread || call.text.contains("CLONE_FILES"));
        self.live.insert(child);
        if !thread {
            self.parents.insert(child, pid);
            self.lints
                .child(pid, child, &format!("[pid {pid}] {}", call.text));
        }
        if !self.sockets.has_ip_sockets(pid) {
            return None; // a shell starting the program: not this lesson
        }
        let say: Say = if thread {
            say::thread_created(child)
        } else {
            say::forked(child)
        };
        Some(Told::new(None, say))
    }

    /// `wait4`/`waitid`: which child was reaped, and how it ended.
    pub(super) fn on_wait(&mut self, pid: u32, name: &'static str, call: &Call) -> Option<Told> {
        let reaped = match name {
            "waitid" => notation::field(call.arg(2), "si_pid=")
                .and_then(notation::int)
                .filter(|_| call.ok()),
            _ => call.value().filter(|_| call.ok()),
        }
        .and_then(|v| u32::try_from(v).ok())
        .filter(|v| *v > 0);
        if let Some(child) = reaped {
            self.lints.reaped(pid, child);
        }
        if !self.sockets.has_ip_sockets(pid) {
            return None;
        }
        let say: Say = match (reaped, call.ok()) {
            (Some(child), _) => say::reaped(child, &ended(call.arg(1))),
            (None, true) => say::nothing_reaped(),
            (None, false) => unsuccessful(name, call),
        };
        Some(Told::new(None, say))
    }
}
