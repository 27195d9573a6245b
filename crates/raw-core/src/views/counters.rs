//! Views that count: syscalls and probes, or every syscall into a page shared with
//! forked children.

#![forbid(unsafe_code)]

use super::Sink;
use crate::trace::event::{Event, Kind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// How many calls a run made: the lab's own syscalls, and the `getsockopt(TCP_INFO)`
/// looks the narration adds to read states (strace sees both).
#[derive(Debug, Default)]
pub struct Counts {
    /// The lab's own syscalls.
    pub syscalls: AtomicUsize,
    /// The state looks.
    pub probes: AtomicUsize,
}

/// Counts syscalls and probes into shared [`Counts`].
#[derive(Debug, Clone)]
pub struct Counter(pub Arc<Counts>);

impl Sink for Counter {
    fn wants(&self, kind: Kind) -> bool {
        matches!(kind, Kind::Syscall | Kind::Probe)
    }

    fn event(&self, event: &Event) {
        match event.kind {
            Some(Kind::Syscall) => self.0.syscalls.fetch_add(1, Ordering::Relaxed),
            Some(Kind::Probe) => self.0.probes.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }
}

/// Counts every syscall the lab's steps made (the probes the narration adds aside),
/// narrated or not: a view that works under `-qq` too, because every event reaches the
/// views. `raw-bench costs` divides it by the round trips and checks it against
/// `strace -c`. The counters may live in a page shared with forked children
/// (`sys::shared_counter`), so the children's calls add up in the parent's figure;
/// `children` gets the calls of the sides whose role is `child …`.
#[derive(Debug, Clone, Copy)]
pub struct CallCounter {
    /// Every syscall of every side.
    pub all: &'static AtomicU64,
    /// The syscalls of forked children (role `child …`).
    pub children: &'static AtomicU64,
}

impl Sink for CallCounter {
    fn wants(&self, kind: Kind) -> bool {
        kind == Kind::Syscall
    }

    fn event(&self, event: &Event) {
        if event.kind != Some(Kind::Syscall) {
            return;
        }
        self.all.fetch_add(1, Ordering::Relaxed);
        if event
            .role
            .as_deref()
            .is_some_and(|r| r.starts_with("child"))
        {
            self.children.fetch_add(1, Ordering::Relaxed);
        }
    }
}
