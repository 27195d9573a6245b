//! `zombie`: a child process ended and its parent, still running, never reaped it (no
//! `wait4`/`waitid` returned it, SIGCHLD not ignored). The proof: the `clone`/`fork`
//! line that made the first such child, and its exit line.

#![forbid(unsafe_code)]

use super::{Detail, Finding, Lints, Mistake};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a parent must outlive a child it did not reap before we call it a zombie
/// (a parent that exits at once leaves its child to init, which reaps it).
pub const ZOMBIE_AFTER: Duration = Duration::from_millis(100);

/// A child process and what became of it.
#[derive(Debug)]
pub(super) struct ChildProc {
    parent: u32,
    pid: u32,
    line: String,
    ended: Option<(String, Instant)>,
    reaped: bool,
    auto_reaped: bool,
}

impl Lints {
    /// `parent` made the child process `pid` (`line`: the clone/fork line).
    pub fn child(&mut self, parent: u32, pid: u32, line: &str) {
        self.children.push(ChildProc {
            parent,
            pid,
            line: line.to_string(),
            ended: None,
            reaped: false,
            auto_reaped: false,
        });
    }

    /// A traced process ended (`line`: `+++ exited with 0 +++`). `parent_ignores`:
    /// whether its parent ignores SIGCHLD (the kernel reaps for it).
    pub fn exited(&mut self, pid: u32, line: &str, at: Instant, parent_ignores: bool) {
        self.exits.insert(pid, at);
        if let Some(c) = self
            .children
            .iter_mut()
            .rev()
            .find(|c| c.pid == pid && c.ended.is_none())
        {
            c.ended = Some((line.to_string(), at));
            c.auto_reaped = parent_ignores;
        }
    }

    /// `parent`'s `wait4`/`waitid` returned `pid`.
    pub fn reaped(&mut self, parent: u32, pid: u32) {
        if let Some(c) = self
            .children
            .iter_mut()
            .rev()
            .find(|c| c.pid == pid && c.parent == parent)
        {
            c.reaped = true;
        }
    }

    /// One finding per parent, naming every child it left unreaped.
    pub(super) fn zombie_findings(&self, now: Instant) -> Vec<Finding> {
        let mut late = Vec::new();
        let mut parents: Vec<u32> = Vec::new();
        let mut unreaped: HashMap<u32, Vec<&ChildProc>> = HashMap::new();
        for c in &self.children {
            let Some((_, ended)) = &c.ended else {
                continue;
            };
            let parent_end = self.exits.get(&c.parent).copied().unwrap_or(now);
            if c.reaped || c.auto_reaped || parent_end.duration_since(*ended) < ZOMBIE_AFTER {
                continue;
            }
            if !parents.contains(&c.parent) {
                parents.push(c.parent);
            }
            unreaped.entry(c.parent).or_default().push(c);
        }
        for parent in parents {
            let children = unreaped.remove(&parent).unwrap_or_default();
            let Some(first) = children.first() else {
                continue;
            };
            let exit_line = first.ended.as_ref().map(|(l, _)| l.as_str()).unwrap_or("");
            late.push(Finding {
                mistake: Mistake::Zombie,
                pid: parent,
                proof: vec![
                    first.line.clone(),
                    format!("[pid {}] {exit_line}", first.pid),
                ],
                detail: Detail::Zombie {
                    children: children.iter().map(|c| c.pid).collect(),
                },
            });
        }
        late
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lints::T;
    use raw_core::Lang;
    /// An unreaped child of a parent that lived on is a zombie; a reaped one, a child
    /// of a parent that ignores SIGCHLD, or of a parent that exited at once, is not.
    #[test]
    fn zombies() {
        let start = T();
        let later = start + Duration::from_millis(500);
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.exited(11, "+++ exited with 0 +++", start, false);
        l.exited(10, "+++ exited with 0 +++", later, false);
        assert_eq!(l.finish(later).len(), 1);
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.child(10, 12, "clone(...) = 12");
        l.exited(11, "+++ exited with 0 +++", start, false);
        l.exited(12, "+++ exited with 0 +++", start, false);
        let found = l.finish(later);
        assert_eq!(found.len(), 1, "one finding per parent");
        assert_eq!(
            found[0].detail,
            Detail::Zombie {
                children: vec![11, 12]
            }
        );
        assert!(found[0]
            .what(Lang::PtBr)
            .contains("criou 2 filhos (11, 12)"));
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.exited(11, "+++ exited with 0 +++", start, false);
        l.reaped(10, 11);
        assert!(l.finish(later).is_empty());
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.exited(11, "+++ exited with 0 +++", start, true);
        assert!(l.finish(later).is_empty());
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.exited(11, "+++ exited with 0 +++", start, false);
        l.exited(10, "+++ exited with 0 +++", start, false);
        assert!(l.finish(later).is_empty());
    }
}
