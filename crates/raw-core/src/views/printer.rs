//! The command line's printer, and a view that prints only the strace lines.

#![forbid(unsafe_code)]

use super::{role_label, write_stderr, write_stdout, Mode, Sink};
use crate::lang::Lang;
use crate::text;
use crate::trace::event::{short_source, Event, Kind};

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
            // Our own looks' changes: the text already says each state after its call.
            (_, Kind::Transition) if event.source.as_deref() == Some("probe") => {}
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
            Some(Kind::Transition) => {
                let cause = match event.cause {
                    Some("syscall") => text!("views-cause-syscall"),
                    Some("timer") => text!("views-cause-timer"),
                    _ => text!("views-cause-packet"),
                };
                let name =
                    |s: Option<crate::trace::tcp_state::TcpState>| s.map_or("?", |s| s.name());
                text!(
                    "views-transition",
                    local = event.local.clone().unwrap_or_default(),
                    remote = event.remote.clone().unwrap_or_default(),
                    from = name(event.from),
                    to = name(event.to),
                    cause = cause.render(self.lang),
                    text = event.text.clone()
                )
                .render(self.lang)
                    + "\n"
            }
            Some(Kind::Retransmit | Kind::Reset) => {
                text!(
                    "views-kernel-event",
                    local = event.local.clone().unwrap_or_default(),
                    remote = event.remote.clone().unwrap_or_default(),
                    text = event.text.clone()
                )
                .render(self.lang)
                    + "\n"
            }
            _ => format!("{prefix}{}\n", event.text),
        }
    }
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
