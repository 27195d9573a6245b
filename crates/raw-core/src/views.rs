//! Views: what becomes of the events. Each view is a [`Sink`] that receives every
//! event of a narrator, in order, and none of them changes what the program did or
//! says: they only show it (text, JSON, strace lines), count it, or remember it (the
//! state timeline). New views (an SVG diagram, an HTML replay) are new sinks.
//!
//! Every line a view prints is written with one `write(2)` of whole lines, so the lines
//! of many processes (the fork model's children) or threads never mix.

#![forbid(unsafe_code)]

use crate::event::{Event, Kind};
use crate::narrate::{short_source, Mode, Narrator};
use crate::tcp_state::TcpState;
use crate::text;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A view of the run: receives every event a narrator emits.
pub trait Sink: Send + Sync + std::fmt::Debug {
    /// One event, complete (role and source line filled in). `n` is the narrator that
    /// emitted it (its language, its role).
    fn event(&self, n: &Narrator, event: &Event);
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

/// The view chosen on the command line: text for people, JSON lines, only the data
/// (`-q`), or nothing (`-qq`).
#[derive(Debug, Clone, Copy)]
pub struct Printer(pub Mode);

impl Sink for Printer {
    fn event(&self, n: &Narrator, event: &Event) {
        match self.0 {
            Mode::Json => {
                if let Ok(line) = serde_json::to_string(event) {
                    write_stdout(&format!("{line}\n"));
                }
            }
            Mode::Text => write_stdout(&text_lines(n, event)),
            Mode::Quiet => {
                if event.kind == Some(Kind::Data) {
                    write_stdout(&format!("{}\n", event.text));
                }
            }
            Mode::Silent => {}
        }
    }
}

/// The `[role] ` prefix, when two sides share one terminal.
fn prefix(n: &Narrator, event: &Event) -> String {
    match (n.show_role, event.role.as_deref()) {
        (true, Some(role)) => format!("[{}] ", role_label(role, n.lang)),
        _ => String::new(),
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

/// An event as text: the strace line with its source, then the sentence; a state look
/// as `TCP state: X`; anything else as its sentence.
pub fn text_lines(n: &Narrator, event: &Event) -> String {
    let prefix = prefix(n, event);
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
            n.say(text!("views-tcp-state-tcp-info", indent, state, short, ret))
        }
        Some(Kind::Packet) => format!("[wire] {}\n", event.text),
        _ => format!("{prefix}{}\n", event.text),
    }
}

/// Only the strace lines of the syscalls the lab made, and the packets: for the UDP
/// demo's TCP comparison, where the sentences were already said once.
#[derive(Debug, Clone, Copy)]
pub struct StraceLines;

impl Sink for StraceLines {
    fn event(&self, n: &Narrator, event: &Event) {
        let role = n
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
    fn event(&self, _n: &Narrator, event: &Event) {
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
    fn event(&self, n: &Narrator, event: &Event) {
        let (Some(state), Some(fd), Some(role)) = (event.state, event.fd, n.role.clone()) else {
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
    pub fn lines(&self, n: &Narrator) -> Vec<String> {
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
                        n.say(text!("views-kernel-table-fd-closed", state = s.state))
                    } else {
                        s.state.to_string()
                    };
                    if states.last() != Some(&name) {
                        states.push(name);
                    }
                }
                format!(
                    "  {} fd {fd}: {}",
                    role_label(&role, n.lang),
                    states.join(" → ")
                )
            })
            .collect()
    }
}
