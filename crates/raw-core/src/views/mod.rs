//! Views: what becomes of the events. Each view is a [`Sink`] that receives every
//! event of a narrator, in order, and none of them changes what the program did or
//! says: they only show it (text, JSON, strace lines), count it, or remember it (the
//! state timeline, the pictures' recorder).
//!
//! | file | views |
//! |---|---|
//! | [`printer`] | the command line's printer (text, `--json`, `-q`, `-qq`), and strace lines only |
//! | [`counters`] | syscalls and probes counted; every syscall counted into a shared page (`raw-bench costs`) |
//! | [`timeline`] | every state seen per socket, for the demo's closing timeline |
//! | [`diagram`] | `--svg`: a Stevens-style sequence diagram |
//! | [`replay`] | `--html`: a page that replays the run step by step |
//!
//! Every line a view prints is written with one `write(2)` of whole lines, so the lines
//! of many processes (the fork model's children) or threads never mix.

#![forbid(unsafe_code)]

pub mod counters;
pub mod diagram;
pub mod printer;
pub mod replay;
pub mod timeline;

pub use counters::{CallCounter, Counter, Counts};
pub use printer::{Printer, StraceLines};
pub use timeline::{Seen, Timeline};

use crate::trace::event::{Event, Kind};
use std::io::Write;

/// A view of the run: receives every event a narrator emits, and nothing else (no
/// settings of the emitter: what a view needs to know, such as the language, it was
/// given when it was made).
pub trait Sink: Send + Sync + std::fmt::Debug {
    /// Whether this view does anything with events of `kind`. The narrator skips
    /// building events nobody wants (the echo's hot path under `-qq`), so a view that
    /// only counts syscalls costs one atomic add per syscall.
    fn wants(&self, kind: Kind) -> bool {
        let _ = kind;
        true
    }

    /// One event, complete (role and source line filled in).
    fn event(&self, event: &Event);
}

/// Writes `text` (whole lines) to stdout in one call, so concurrent writers never
/// interleave inside a line. Output errors (a closed pipe) are ignored on purpose:
/// losing the narration must never stop the lab.
pub fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// The same for stderr (warnings, and a quiet server's address).
pub fn write_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// How a program reports what it does: which printer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Human text with syscalls, sentences and states.
    Text,
    /// One JSON object per event per line.
    Json,
    /// Only the data.
    Quiet,
    /// Nothing (`-qq`): for load tests and benchmarks. Errors still go to stderr, and
    /// so do the failures the program recovers from (warnings).
    Silent,
}

/// A side's name as a person reads it, in `lang`: `child 893` is `filho 893` in
/// Portuguese. The events keep the code's name (`--json` stays the same in every
/// language).
pub fn role_label(role: &str, lang: crate::lang::Lang) -> String {
    let split = role
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(role.len());
    let (name, rest) = role.split_at(split);
    crate::text!("role", role = name, rest).render(lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::narrate::Narrator;
    use crate::steps;
    use socket2::{Domain, Protocol, Type};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    /// Remembers the kind of every event it sees.
    #[derive(Debug, Default, Clone)]
    struct Kinds(Arc<Mutex<Vec<Kind>>>);

    impl Sink for Kinds {
        fn event(&self, event: &Event) {
            if let (Ok(mut all), Some(kind)) = (self.0.lock(), event.kind) {
                all.push(kind);
            }
        }
    }

    /// Under `-qq` nothing is printed, yet every event still reaches the views: a
    /// counter counts each syscall, and the ready line and a warning are events too.
    #[test]
    fn a_counting_view_counts_under_qq() {
        static ALL: AtomicU64 = AtomicU64::new(0);
        static CHILDREN: AtomicU64 = AtomicU64::new(0);
        let kinds = Kinds::default();
        let n = Narrator::new(Lang::En, Mode::Silent, "server")
            .also(CallCounter {
                all: &ALL,
                children: &CHILDREN,
            })
            .also(kinds.clone());
        let sock =
            steps::socket(&n, Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).expect("socket");
        let addr = "127.0.0.1:0".parse().expect("addr");
        steps::bind(&n, &sock, addr, true).expect("bind");
        n.ready(addr, "listening");
        n.problem(
            None,
            &crate::Failure::sys("accept", nix::errno::Errno::EMFILE),
            "",
        );
        steps::close(&n, sock).expect("close");
        assert_eq!(ALL.load(Ordering::Relaxed), 3, "socket, bind, close");
        assert_eq!(CHILDREN.load(Ordering::Relaxed), 0);
        let seen = kinds.0.lock().expect("kinds").clone();
        assert_eq!(
            seen,
            [
                Kind::Syscall,
                Kind::Syscall,
                Kind::Ready,
                Kind::Warning,
                Kind::Syscall
            ]
        );
    }
}
