//! The state timeline: every TCP state seen, per socket, for the demo's closing lines.

#![forbid(unsafe_code)]

use super::{role_label, Sink};
use crate::lang::Lang;
use crate::text;
use crate::trace::event::{Event, Kind};
use crate::trace::tcp_state::TcpState;
use std::sync::{Arc, Mutex};

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
