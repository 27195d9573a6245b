//! `--svg FILE`: the run as a sequence diagram in the style of Stevens' figures (UNP
//! figure 2.5): one vertical timeline per socket endpoint, time flowing down, one arrow
//! per captured packet (flags, relative seq/ack, length), the syscall that caused it
//! written in the margin of its side at the moment it returned, and the TCP state
//! written on the timeline where it changes.
//!
//! It is a view like the others: a [`Recorder`] keeps every event with the moment it
//! was seen, and [`svg`] draws them once the run is over. The drawing is a pure
//! function of the events, so the same events always give the same picture (the golden
//! tests rely on it). Without a capture there are no arrows, and the picture says so.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | [`Recorder`]: the view that keeps every event, [`Stamped`] with its moment. |
//! | [`layout`] | [`layout()`]: the events placed on lanes and rows (a pure function, shared with the HTML replay). |
//! | [`draw`] | [`svg()`]: a layout drawn as SVG. |

#![forbid(unsafe_code)]

use crate::trace::event::{Event, Kind};
use crate::views::Sink;
use serde::Serialize;
use std::sync::{Arc, Mutex};

pub mod draw;
pub mod layout;

pub use draw::{svg, xml};
pub use layout::{layout, Lane, Layout, Row, RowKind, StateMark};

/// One event and when it was seen (seconds since the Unix epoch: the kernel's
/// timestamp for a packet, the moment the view received it for anything else, that is
/// just after the syscall returned).
#[derive(Debug, Clone, Serialize)]
pub struct Stamped {
    /// Seconds since the Unix epoch.
    pub t: f64,
    /// The event, its role filled in.
    pub event: Event,
    /// For a packet a syscall caused: that syscall's index in the recording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<usize>,
}

/// Keeps every event, for the pictures drawn at the end of the run.
#[derive(Debug, Clone, Default)]
pub struct Recorder(pub Arc<Mutex<Vec<Stamped>>>);

impl Sink for Recorder {
    fn event(&self, event: &Event) {
        let t = match &event.packet {
            Some(p) => p.time,
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
        };
        if let Ok(mut all) = self.0.lock() {
            let cause = event
                .caused
                .then(|| {
                    all.iter()
                        .rposition(|s| s.event.kind == Some(Kind::Syscall))
                })
                .flatten();
            all.push(Stamped {
                t,
                event: event.clone(),
                cause,
            });
        }
    }
}

impl Recorder {
    /// Everything recorded so far.
    pub fn events(&self) -> Vec<Stamped> {
        self.0.lock().map(|e| e.clone()).unwrap_or_default()
    }
}
