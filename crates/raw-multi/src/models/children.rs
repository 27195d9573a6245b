//! The children of the forking models (fork, prefork), kept as Stevens keeps them: a
//! child starts by taking its own name and making sure it ends with its parent; the
//! parent reaps with `waitpid(-1, WNOHANG)` in a loop, since signals do not queue
//! (UNP's `tcpcliserv/sigchldwaitpid.c`), and stops them all with SIGTERM.

use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use raw_core::steps::process::{self, Reaped, Wait};
use raw_core::steps::signals::stop_requested;
use raw_core::steps::workers;
use raw_core::{Failure, Narrator};
use std::collections::HashSet;

/// The children a forking server has started and not yet reaped.
#[derive(Debug, Default)]
pub struct Children(HashSet<Pid>);

impl Children {
    /// A child was forked.
    pub fn add(&mut self, pid: Pid) {
        self.0.insert(pid);
    }

    /// How many children are alive (not reaped yet).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is left.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Stevens' `sig_chld` loop, `while ((pid = waitpid(-1, &stat, WNOHANG)) > 0)`:
    /// reaps every child that has ended, since several ends may share one SIGCHLD.
    pub fn reap(&mut self, n: &Narrator) {
        while let Ok(Reaped::Child(pid, _)) = process::wait_any(n, Wait::NoHang) {
            self.0.remove(&pid);
        }
    }

    /// Sleeps in `wait4` until one child ends (the fork model at `--max-clients`).
    pub fn wait_for_one(&mut self, n: &Narrator) {
        if let Ok(Reaped::Child(pid, _)) = process::wait_any(n, Wait::Block) {
            self.0.remove(&pid);
        }
    }

    /// The prefork parent's whole job: sleep in `wait4` until a signal asks it to stop.
    /// A child that ends on its own is reaped and not replaced (nor are Stevens').
    pub fn wait_for_stop(&mut self, n: &Narrator) -> Result<(), Failure> {
        while !stop_requested() && !self.is_empty() {
            match process::wait_any(n, Wait::Block) {
                Ok(Reaped::Child(pid, _)) => {
                    self.0.remove(&pid);
                }
                Ok(Reaped::NoneYet) => {}
                Ok(Reaped::NoChildren) => self.0.clear(),
                Err(f) if f.errno() == Some(Errno::EINTR) => {} // the loop checks the stop flag
                Err(f) => return Err(f),
            }
        }
        Ok(())
    }

    /// Stopping: SIGTERM to every child (its default action ends it at once), then reap
    /// them all.
    pub fn stop(&mut self, n: &Narrator) {
        for &pid in self.0.iter() {
            let _ = process::kill(n, pid, Signal::SIGTERM);
        }
        while !self.is_empty() {
            match process::wait_any(n, Wait::Block) {
                Ok(Reaped::Child(pid, _)) => {
                    self.0.remove(&pid);
                }
                Ok(Reaped::NoneYet) => {}
                Ok(Reaped::NoChildren) => break, // none left
                Err(f) if f.errno() == Some(Errno::EINTR) => {} // another SIGTERM: wait again
                Err(_) => break,
            }
        }
    }
}

/// A child's narrator: its own name (`child 4242`), without the parent's capture (a
/// child reading the same packet socket and writing its own copy of the file would
/// garble both).
pub fn named(n: &Narrator) -> Narrator {
    n.side(&format!("child {}", std::process::id()))
        .without_capture()
}

/// A child's first steps after its name: SIGTERM's default action back, so the parent's
/// stop ends it wherever it is (the inherited handler only sets a flag, which a child
/// about to block in `recv` would notice too late), and SIGTERM asked for when the
/// parent dies (`PR_SET_PDEATHSIG`: a parent killed with SIGKILL sends nothing, and its
/// children would serve on, adopted by init). Exits at once if the parent is gone.
pub fn end_with_parent(n: &Narrator, parent: Pid) {
    let _ = process::default_action(n, Signal::SIGTERM);
    if !workers::die_with_parent(n, parent, Signal::SIGTERM) {
        process::exit(n, 0); // the parent is already gone
    }
}
