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

#![forbid(unsafe_code)]

use crate::lang::Lang;
use crate::text;
use crate::trace::event::{Event, Kind};
use crate::views::Sink;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

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

/// A gap longer than this between two rows is drawn and labelled with its Δt (the
/// delayed ACK's 40 ms is the one a lecture points at).
pub const GAP: f64 = 0.020;

/// One timeline of the picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lane {
    /// What heads it: `client 127.0.0.1:51234`, `server 127.0.0.1:65432`.
    pub title: String,
    /// Whether our code runs there (its syscalls are drawn), or only packets reach it.
    pub ours: bool,
    /// Whether it is a client's (Stevens draws clients on the left).
    #[serde(skip)]
    pub client: bool,
}

/// What one row of the picture shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum RowKind {
    /// A syscall returned, on `lane`: its short form in the margin.
    Syscall {
        /// The lane.
        lane: usize,
        /// `connect(4) = 0`.
        label: String,
        /// Whether it failed.
        failed: bool,
    },
    /// A packet from one lane to another.
    Packet {
        /// Sender.
        from: usize,
        /// Receiver.
        to: usize,
        /// `SYN seq=0`, `PSH-ACK seq=1 ack=1 len=12`, `UDP len=12`.
        label: String,
        /// Frame number in the capture (as Wireshark numbers it).
        no: u64,
        /// The ladder's flag name (`SYN`, `SYN-ACK`, ...; `UDP`).
        flags: String,
        /// The TCP flag bits (0 for UDP).
        bits: u8,
        /// Payload bytes.
        len: usize,
    },
    /// A state read from the kernel's table (the fd already closed).
    TableState {
        /// The lane.
        lane: usize,
    },
    /// Time passed with nothing drawn.
    Gap {
        /// The Δt, in seconds.
        seconds: f64,
    },
}

/// A state written on a timeline: which lane, which socket, which state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateMark {
    /// The lane.
    pub lane: usize,
    /// The socket's fd.
    pub fd: i32,
    /// `ESTABLISHED`, `TIME-WAIT (kernel table)`, with `(fd N)` when the lane holds
    /// several sockets.
    pub label: String,
    /// The state alone (`ESTABLISHED`).
    pub state: String,
}

/// One row: what it shows, the index of the event it came from, and the states that
/// changed with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// What the row shows.
    pub what: RowKind,
    /// The event it came from (index into the recorded events); none for a gap.
    pub event: Option<usize>,
    /// States written on timelines at this row.
    pub states: Vec<StateMark>,
}

/// The picture before it is drawn: lanes and rows (also what the HTML replay steps
/// through).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    /// The timelines, left to right.
    pub lanes: Vec<Lane>,
    /// The rows, top to bottom.
    pub rows: Vec<Row>,
    /// Whether any packet was captured.
    pub captured: bool,
}

/// The listener's fd in `accept4(3, ...)`.
fn first_arg_fd(call: &str) -> Option<i32> {
    let open = call.find('(')?;
    call[open + 1..]
        .split([',', ')'])
        .next()?
        .trim()
        .parse()
        .ok()
}

/// The short form of a call for the margin: `connect(4) = 0`, `sendto(4, 12 B) = 12`,
/// `accept4(3) = 5`, `bind(3) = -1 EADDRINUSE`.
fn short_call(e: &Event) -> String {
    let name = e.syscall.unwrap_or("?");
    let fd = e
        .call
        .as_deref()
        .and_then(first_arg_fd)
        .map(|fd| fd.to_string())
        .unwrap_or_default();
    let args = match (name, e.bytes) {
        ("sendto" | "recvfrom", Some(b)) if !fd.is_empty() => format!("{fd}, {b} B"),
        _ => fd,
    };
    let ret = match (&e.errno, e.ret) {
        (Some(errno), _) => format!("-1 {errno}"),
        (None, Some(r)) => r.to_string(),
        (None, None) => "?".to_string(),
    };
    format!("{name}({args}) = {ret}")
}

/// The packet's label: flags, relative seq/ack, length.
fn packet_label(p: &crate::trace::event::PacketInfo) -> String {
    if p.proto == "UDP" {
        return format!("UDP len={}", p.len);
    }
    let mut label = p.flags.clone();
    if let Some(seq) = p.seq {
        let _ = write!(label, " seq={seq}");
    }
    if let Some(ack) = p.ack {
        let _ = write!(label, " ack={ack}");
    }
    if p.len > 0 {
        let _ = write!(label, " len={}", p.len);
    }
    label
}

/// Lays the events out: which lanes, which rows.
///
/// Lanes: one per side of our program that makes syscalls (`client`, `server`, ...),
/// named with the address it is bound to once known, and one per endpoint that only
/// packets reveal (a client in another process). An address learned from `bind`,
/// `getsockname` or `accept4` ties an endpoint to a lane, so a packet goes from its
/// source's lane to its destination's.
pub fn layout(events: &[Stamped], lang: Lang) -> Layout {
    let mut lanes: Vec<Lane> = Vec::new();
    let mut role_lane: HashMap<String, usize> = HashMap::new();
    let mut fd_lane: HashMap<(String, i32), usize> = HashMap::new();
    let mut endpoint_lane: HashMap<String, usize> = HashMap::new();
    let mut lane_addr: HashMap<usize, String> = HashMap::new();
    // Threads and children serve sockets their parent accepted: an fd is a process's.
    let base_role = |role: &str| -> String {
        if role.starts_with("thread ") || role.starts_with("child ") || role == "main" {
            "server".to_string()
        } else {
            role.to_string()
        }
    };
    let mut lane_of_role = |role: &str, lanes: &mut Vec<Lane>| -> usize {
        *role_lane.entry(role.to_string()).or_insert_with(|| {
            lanes.push(Lane {
                title: crate::views::role_label(role, lang),
                ours: true,
                client: role.starts_with("client"),
            });
            lanes.len() - 1
        })
    };
    // Pass 1: which lane each syscall is on, and which endpoints each lane owns.
    let mut syscall_lane: Vec<Option<usize>> = vec![None; events.len()];
    for (i, s) in events.iter().enumerate() {
        let e = &s.event;
        if e.kind != Some(Kind::Syscall) && e.kind != Some(Kind::Probe) {
            continue;
        }
        let role = base_role(e.role.as_deref().unwrap_or("program"));
        let fd = e.fd.unwrap_or(-1);
        let lane = match (e.syscall, e.call.as_deref()) {
            (Some("accept4"), Some(call)) if e.ret.is_some_and(|r| r >= 0) => {
                let listener = first_arg_fd(call).unwrap_or(-1);
                let lane = fd_lane
                    .get(&(role.clone(), listener))
                    .copied()
                    .unwrap_or_else(|| lane_of_role(&role, &mut lanes));
                fd_lane.insert((role.clone(), fd), lane);
                if let Some(peer) = &e.peer {
                    endpoint_lane.entry(peer.clone()).or_insert_with(|| {
                        lanes.push(Lane {
                            title: lang.say(text!("diagram-client", peer)),
                            ours: false,
                            client: true,
                        });
                        lanes.len() - 1
                    });
                }
                lane
            }
            _ => fd_lane
                .get(&(role.clone(), fd))
                .copied()
                .unwrap_or_else(|| lane_of_role(&role, &mut lanes)),
        };
        if e.syscall == Some("socket") && e.ret.is_some_and(|r| r >= 0) {
            fd_lane.insert((role.clone(), fd), lane);
        }
        if matches!(e.syscall, Some("bind") | Some("getsockname")) && e.errno.is_none() {
            if let Some(local) = &e.local {
                if !local.ends_with(":0") {
                    endpoint_lane.insert(local.clone(), lane);
                    lane_addr.entry(lane).or_insert_with(|| local.clone());
                }
            }
        }
        syscall_lane[i] = Some(lane);
    }
    // A wildcard-bound server (0.0.0.0:P) owns every local address at port P.
    let wildcard: Vec<(String, usize)> = endpoint_lane
        .iter()
        .filter(|(a, _)| a.starts_with("0.0.0.0:") || a.starts_with("[::]:"))
        .map(|(a, l)| (a.rsplit(':').next().unwrap_or("").to_string(), *l))
        .collect();
    let mut lane_for_endpoint = |addr: &str, lanes: &mut Vec<Lane>| -> usize {
        if let Some(l) = endpoint_lane.get(addr) {
            return *l;
        }
        let port = addr.rsplit(':').next().unwrap_or("");
        if let Some((_, l)) = wildcard.iter().find(|(p, _)| p == port) {
            return *l;
        }
        lanes.push(Lane {
            title: addr.to_string(),
            ours: false,
            client: false,
        });
        let l = lanes.len() - 1;
        endpoint_lane.insert(addr.to_string(), l);
        l
    };
    for (lane, addr) in &lane_addr {
        if let Some(l) = lanes.get_mut(*lane) {
            l.title = format!("{} {addr}", l.title);
        }
    }
    // Pass 2: the rows.
    let mut rows: Vec<Row> = Vec::new();
    let mut last_t: Option<f64> = None;
    let mut state_of: HashMap<(usize, i32), String> = HashMap::new();
    let mut fds_on_lane: HashMap<usize, Vec<i32>> = HashMap::new();
    let mut captured = false;
    // Time flows down, and a syscall is written where it returned: the packets it
    // caused are drawn above its label (the handshake before `connect` returns), and
    // packets that came earlier (a client's SYN while the server was busy) where the
    // kernel stamped them. On loopback the kernel stamps the arriving copy a few
    // microseconds after the call returned: within a millisecond, it counts as during.
    let key = |i: usize| -> (f64, u8) {
        let s = &events[i];
        match (s.event.kind, s.cause) {
            (Some(Kind::Packet), Some(c)) if s.t < events[c].t + 0.001 => (s.t.min(events[c].t), 0),
            (Some(Kind::Packet), _) => (s.t, 0),
            _ => (s.t, 1),
        }
    };
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.total_cmp(&kb.0).then(ka.1.cmp(&kb.1)).then(a.cmp(&b))
    });
    for i in order {
        let s = &events[i];
        let e = &s.event;
        let row = match e.kind {
            Some(Kind::Syscall) => syscall_lane[i].map(|lane| RowKind::Syscall {
                lane,
                label: short_call(e),
                failed: e.errno.is_some(),
            }),
            Some(Kind::Packet) => e.packet.as_ref().map(|p| {
                captured = true;
                RowKind::Packet {
                    from: lane_for_endpoint(&p.src, &mut lanes),
                    to: lane_for_endpoint(&p.dst, &mut lanes),
                    label: packet_label(p),
                    no: p.no,
                    flags: if p.proto == "UDP" {
                        "UDP".to_string()
                    } else {
                        p.flags.clone()
                    },
                    bits: p.flag_bits,
                    len: p.len,
                }
            }),
            Some(Kind::Note) if e.from_table && e.state.is_some() => {
                let role = base_role(e.role.as_deref().unwrap_or("program"));
                let lane =
                    e.fd.and_then(|fd| fd_lane.get(&(role.clone(), fd)).copied())
                        .or_else(|| role_lane.get(&role).copied());
                lane.map(|lane| RowKind::TableState { lane })
            }
            Some(Kind::Probe) => None,
            _ => None,
        };
        // A state change: from a probe (attached to the row above) or from the table.
        let state_change = match (e.kind, e.state, e.fd) {
            (Some(Kind::Probe | Kind::Note), Some(state), Some(fd)) => {
                let role = base_role(e.role.as_deref().unwrap_or("program"));
                let lane = fd_lane
                    .get(&(role.clone(), fd))
                    .copied()
                    .or_else(|| syscall_lane[i]);
                lane.and_then(|lane| {
                    let fds = fds_on_lane.entry(lane).or_default();
                    if !fds.contains(&fd) {
                        fds.push(fd);
                    }
                    let mut name = state.name().to_string();
                    if e.from_table {
                        name = lang.say(text!("diagram-kernel-table", name));
                    }
                    if state_of.get(&(lane, fd)) == Some(&name) {
                        return None;
                    }
                    state_of.insert((lane, fd), name.clone());
                    let label = if fds.len() > 1 {
                        format!("{name} (fd {fd})")
                    } else {
                        name.clone()
                    };
                    Some(StateMark {
                        lane,
                        fd,
                        label,
                        state: name,
                    })
                })
            }
            _ => None,
        };
        if let Some(what) = row {
            if let Some(prev) = last_t {
                if s.t - prev > GAP {
                    rows.push(Row {
                        what: RowKind::Gap {
                            seconds: s.t - prev,
                        },
                        event: None,
                        states: Vec::new(),
                    });
                }
            }
            last_t = Some(s.t);
            rows.push(Row {
                what,
                event: Some(i),
                states: state_change.into_iter().collect(),
            });
        } else if let Some(change) = state_change {
            if let Some(last) = rows.last_mut() {
                last.states.push(change);
            }
        }
    }
    // Stevens draws the client on the left and the server on the right: our own
    // client sides first, then the other sides, then the endpoints packets revealed.
    let rank = |l: &Lane| match (l.ours, l.client) {
        (true, true) => 0,
        (true, false) => 1,
        (false, _) => 2,
    };
    let mut order: Vec<usize> = (0..lanes.len()).collect();
    order.sort_by_key(|&i| (rank(&lanes[i]), i));
    let mut new_index = vec![0; lanes.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let lanes: Vec<Lane> = order.iter().map(|&i| lanes[i].clone()).collect();
    for row in &mut rows {
        match &mut row.what {
            RowKind::Syscall { lane, .. } | RowKind::TableState { lane } => {
                *lane = new_index[*lane]
            }
            RowKind::Packet { from, to, .. } => {
                *from = new_index[*from];
                *to = new_index[*to];
            }
            RowKind::Gap { .. } => {}
        }
        for mark in &mut row.states {
            mark.lane = new_index[mark.lane];
        }
    }
    Layout {
        lanes,
        rows,
        captured,
    }
}

/// Escapes text for XML.
pub fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Sizes of the drawing, in SVG user units (pixels at 100%): chosen so the labels read
/// from the back of a classroom when the picture fills a projected slide.
const FONT: f64 = 15.0;
const ROW: f64 = 34.0;
const LANE_GAP: f64 = 380.0;
const MARGIN: f64 = 300.0;
const TOP: f64 = 96.0;

/// Draws the layout as an SVG document. `title` heads it (e.g. `raw-tcp demo`).
pub fn svg(layout: &Layout, title: &str, lang: Lang) -> String {
    let lanes = layout.lanes.len().max(1);
    let width = MARGIN * 2.0 + LANE_GAP * (lanes - 1) as f64;
    let x = |lane: usize| MARGIN + LANE_GAP * lane as f64;
    let height = TOP + ROW * (layout.rows.len() as f64 + 1.5) + 40.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="{FONT}">"#
    );
    let _ = writeln!(
        out,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e9c"/></marker></defs>"##
    );
    let _ = writeln!(
        out,
        r##"<style>.lane{{stroke:#444;stroke-width:2}} .pkt{{stroke:#1f4e9c;stroke-width:2}} .call{{fill:#111}} .failed{{fill:#b00020}} .state{{fill:#0b6b2e;font-weight:bold}} .gap{{fill:#777;font-style:italic}} .plabel{{fill:#1f4e9c;font-size:14px;paint-order:stroke;stroke:#fff;stroke-width:4px}} .current .call, .current .plabel, .current .state{{fill:#d35400}} .current .pkt{{stroke:#d35400;stroke-width:3}}</style>"##
    );
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        out,
        r#"<text x="{:.0}" y="30" font-size="19" font-weight="bold" text-anchor="middle">{}</text>"#,
        width / 2.0,
        xml(title)
    );
    if !layout.captured {
        let _ = writeln!(
            out,
            r##"<text x="{:.0}" y="54" font-size="14" fill="#b00020" text-anchor="middle">{}</text>"##,
            width / 2.0,
            xml(&lang.say(text!("diagram-no-capture-syscalls-states-only")))
        );
    }
    let bottom = TOP + ROW * (layout.rows.len() as f64 + 0.5);
    for (i, lane) in layout.lanes.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text x="{:.0}" y="{:.0}" text-anchor="middle" font-weight="bold" class="lane-title">{}</text>"#,
            x(i),
            TOP - 20.0,
            xml(&lane.title)
        );
        let _ = writeln!(
            out,
            r#"<line class="lane" x1="{:.0}" y1="{:.0}" x2="{:.0}" y2="{:.0}"/>"#,
            x(i),
            TOP - 8.0,
            x(i),
            bottom
        );
    }
    for (r, row) in layout.rows.iter().enumerate() {
        let y = TOP + ROW * (r as f64 + 0.5);
        let step = row
            .event
            .map(|e| format!(r#" data-event="{e}""#))
            .unwrap_or_default();
        let _ = write!(out, r#"<g id="row-{r}" class="row"{step}>"#);
        match &row.what {
            RowKind::Syscall {
                lane,
                label,
                failed,
            } => {
                // The margin of its side: left of the first lane, right of the others.
                let (tx, anchor) = if *lane == 0 {
                    (x(*lane) - 12.0, "end")
                } else {
                    (x(*lane) + 12.0, "start")
                };
                let class = if *failed { "call failed" } else { "call" };
                let _ = write!(
                    out,
                    r##"<circle cx="{:.0}" cy="{y:.0}" r="4" fill="#111"/><text class="{class}" x="{tx:.0}" y="{:.0}" text-anchor="{anchor}">{}</text>"##,
                    x(*lane),
                    y + 5.0,
                    xml(label)
                );
            }
            RowKind::Packet {
                from,
                to,
                label,
                no,
                flags,
                bits,
                len,
            } => {
                let (x1, x2) = (x(*from), x(*to));
                let mid = (x1 + x2) / 2.0;
                let _ = write!(
                    out,
                    r#"<line class="pkt" data-no="{no}" data-flags="{}" data-bits="{bits}" data-len="{len}" x1="{x1:.0}" y1="{:.0}" x2="{x2:.0}" y2="{:.0}" marker-end="url(#arrow)"/><text class="plabel" x="{mid:.0}" y="{:.0}" text-anchor="middle">{}</text>"#,
                    xml(flags),
                    y - 6.0,
                    y + 8.0,
                    y - 10.0,
                    xml(label)
                );
            }
            RowKind::TableState { .. } => {}
            RowKind::Gap { seconds } => {
                let ms = seconds * 1000.0;
                let _ = write!(
                    out,
                    r#"<text class="gap" x="{:.0}" y="{:.0}" text-anchor="middle">Δt = {} ms</text>"#,
                    width / 2.0,
                    y + 5.0,
                    lang.num(ms, 1)
                );
                for i in 0..layout.lanes.len() {
                    let _ = write!(
                        out,
                        r##"<line x1="{:.0}" y1="{:.0}" x2="{:.0}" y2="{:.0}" stroke="#fff" stroke-width="4" stroke-dasharray="4 4"/>"##,
                        x(i),
                        y - 10.0,
                        x(i),
                        y + 10.0
                    );
                }
            }
        }
        // States sit under the syscall label, in the margin of their lane's side; two
        // states on one lane in one row share a line.
        let mut lanes_with_states: Vec<usize> = row.states.iter().map(|m| m.lane).collect();
        lanes_with_states.dedup();
        for lane in lanes_with_states {
            let text: Vec<&str> = row
                .states
                .iter()
                .filter(|m| m.lane == lane)
                .map(|m| m.label.as_str())
                .collect();
            let (tx, anchor) = if lane == 0 {
                (x(lane) - 12.0, "end")
            } else {
                (x(lane) + 12.0, "start")
            };
            let _ = write!(
                out,
                r#"<text class="state" x="{tx:.0}" y="{:.0}" text-anchor="{anchor}" font-size="14">{}</text>"#,
                y + 22.0,
                xml(&text.join(", "))
            );
        }
        let _ = writeln!(out, "</g>");
    }
    out.push_str("</svg>\n");
    out
}
