//! Views: what becomes of the events. Each view is a [`Sink`] that receives every
//! event of a narrator, in order, and none of them changes what the program did or
//! says: they only show it (text, JSON, strace lines), count it, or remember it (the
//! state timeline). New views (an SVG diagram, an HTML replay) are new sinks.
//!
//! Every line a view prints is written with one `write(2)` of whole lines, so the lines
//! of many processes (the fork model's children) or threads never mix.

#![forbid(unsafe_code)]

use crate::event::{short_source, Event, Kind};
use crate::lang::Lang;
use crate::tcp_state::TcpState;
use crate::text;
use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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

/// The view chosen on the command line: text for people, JSON lines, only the data
/// (`-q`), or nothing (`-qq`). Whatever the mode, a warning (a failure the program
/// recovers from) and a server's `ready` line are printed: on stderr when stdout holds
/// only data or nothing, so `-q` and `-qq` silence the narration, not the trouble.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    /// The output mode.
    pub mode: Mode,
    /// The language of the lines this printer writes itself (state looks, warnings).
    pub lang: Lang,
    /// Whether to print the `[role]` prefix (two sides share one terminal: the demo).
    pub show_role: bool,
}

impl Sink for Printer {
    fn wants(&self, kind: Kind) -> bool {
        match self.mode {
            Mode::Text | Mode::Json => true,
            Mode::Quiet => matches!(kind, Kind::Data | Kind::Ready | Kind::Warning | Kind::Step),
            Mode::Silent => matches!(kind, Kind::Ready | Kind::Warning | Kind::Step),
        }
    }

    fn event(&self, event: &Event) {
        let kind = event.kind.unwrap_or(Kind::Note);
        if !self.wants(kind) {
            return;
        }
        match (self.mode, kind) {
            (Mode::Json, _) => {
                if let Ok(line) = serde_json::to_string(event) {
                    write_stdout(&format!("{line}\n"));
                }
            }
            // One write for the whole line, so that threads and forked children sharing
            // stderr never interleave inside a line.
            (_, Kind::Warning) => write_stderr(
                &text!(
                    "narrate-warning",
                    prefix = self.prefix(event),
                    text = event.text.clone()
                )
                .render(self.lang),
            ),
            (Mode::Quiet | Mode::Silent, Kind::Ready) => write_stderr(&format!("{}\n", event.text)),
            (Mode::Quiet, Kind::Data) => write_stdout(&format!("{}\n", event.text)),
            _ => write_stdout(&self.lines(event)),
        }
    }
}

impl Printer {
    /// The `[role] ` prefix, when two sides share one terminal.
    fn prefix(&self, event: &Event) -> String {
        match (self.show_role, event.role.as_deref()) {
            (true, Some(role)) => format!("[{}] ", role_label(role, self.lang)),
            _ => String::new(),
        }
    }

    /// An event as text: the strace line with its source, then the sentence; a state
    /// look as `TCP state: X`; anything else as its sentence.
    pub fn lines(&self, event: &Event) -> String {
        let prefix = self.prefix(event);
        let indent = " ".repeat(prefix.chars().count());
        match event.kind {
            Some(Kind::Syscall) => {
                let call = event.call.as_deref().unwrap_or_default();
                let source = event
                    .source
                    .as_deref()
                    .map(short_source)
                    .unwrap_or_default();
                let mut text = format!("{prefix}{call}   # {source}\n");
                if !event.text.is_empty() {
                    text.push_str(&format!("{indent}  {}\n", event.text));
                }
                text
            }
            Some(Kind::Probe) => {
                let state = event.state.map(|s| s.name()).unwrap_or("?");
                let call = event.call.as_deref().unwrap_or_default();
                let short = call.split(", TCP_INFO,").next().unwrap_or(call);
                let ret = call.rsplit(" = ").next().unwrap_or_default();
                text!("views-tcp-state-tcp-info", indent, state, short, ret).render(self.lang)
            }
            Some(Kind::Packet) => format!("[wire] {}\n", event.text),
            _ => format!("{prefix}{}\n", event.text),
        }
    }
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

/// Only the strace lines of the syscalls the lab made, and the packets: for the UDP
/// demo's TCP comparison, where the sentences were already said once.
#[derive(Debug, Clone, Copy)]
pub struct StraceLines;

impl Sink for StraceLines {
    fn event(&self, event: &Event) {
        let role = event
            .role
            .as_deref()
            .map(|r| format!("[{r}] "))
            .unwrap_or_default();
        match event.kind {
            Some(Kind::Syscall) => {
                write_stdout(&format!(
                    "{role}{}\n",
                    event.call.as_deref().unwrap_or_default()
                ));
            }
            Some(Kind::Packet) => write_stdout(&format!("[wire] {}\n", event.text)),
            _ => {}
        }
    }
}

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

/// One state seen for one socket: an entry of the demo's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `server` / `client`.
    pub role: Arc<str>,
    /// The socket's fd in that process.
    pub fd: i32,
    /// The state.
    pub state: TcpState,
    /// Whether it came from the kernel's table rather than from `getsockopt`.
    pub from_table: bool,
}

/// Remembers every state seen, per socket, for the demo's closing timeline.
#[derive(Debug, Clone, Default)]
pub struct Timeline(pub Arc<Mutex<Vec<Seen>>>);

impl Sink for Timeline {
    fn wants(&self, kind: Kind) -> bool {
        matches!(kind, Kind::Probe | Kind::Note)
    }

    fn event(&self, event: &Event) {
        let (Some(state), Some(fd), Some(role)) = (event.state, event.fd, event.role.clone())
        else {
            return;
        };
        if matches!(event.kind, Some(Kind::Probe) | Some(Kind::Note)) {
            if let Ok(mut seen) = self.0.lock() {
                seen.push(Seen {
                    role,
                    fd,
                    state,
                    from_table: event.from_table,
                });
            }
        }
    }
}

impl Timeline {
    /// The states of each socket, in order, one line per socket
    /// (`server fd 3: LISTEN → ...`).
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let Ok(seen) = self.0.lock() else {
            return Vec::new();
        };
        let mut sockets: Vec<(Arc<str>, i32)> = Vec::new();
        for s in seen.iter() {
            if !sockets.iter().any(|(r, fd)| *r == s.role && *fd == s.fd) {
                sockets.push((s.role.clone(), s.fd));
            }
        }
        sockets
            .into_iter()
            .map(|(role, fd)| {
                let mut states: Vec<String> = Vec::new();
                for s in seen.iter().filter(|s| s.role == role && s.fd == fd) {
                    let name = if s.from_table {
                        text!("views-kernel-table-fd-closed", state = s.state).render(lang)
                    } else {
                        s.state.to_string()
                    };
                    if states.last() != Some(&name) {
                        states.push(name);
                    }
                }
                format!(
                    "  {} fd {fd}: {}",
                    role_label(&role, lang),
                    states.join(" → ")
                )
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narrate::Narrator;
    use crate::steps;
    use socket2::{Domain, Protocol, Type};

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
