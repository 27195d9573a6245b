//! The events placed for drawing: one lane per socket endpoint, one row per syscall,
//! packet or state change, in time order; each packet tied to the syscall that caused
//! it. A pure function of the events, shared by the SVG and the HTML replay.

#![forbid(unsafe_code)]

use crate::lang::Lang;
use crate::text;
use crate::trace::event::{Event, Kind};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

use super::Stamped;

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
    /// Whether the states are the kernel's own (its tracepoint), at the moments it made
    /// them: then the picture draws each socket's state as a band along its lifeline.
    pub kernel_states: bool,
}

/// The listener's fd in `accept4(3, ...)`.
pub(super) fn first_arg_fd(call: &str) -> Option<i32> {
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
pub(super) fn short_call(e: &Event) -> String {
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
pub(super) fn packet_label(p: &crate::trace::event::PacketInfo) -> String {
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

/// Which fd is which connection, from the syscalls: the kernel's transitions name a
/// socket by its addresses, the picture by its fd.
#[derive(Debug, Default)]
struct Sockets {
    /// fd -> local address (`bind`, `getsockname`).
    local: HashMap<i32, String>,
    /// fd -> peer (`connect`).
    peer: HashMap<i32, String>,
    /// (local, remote) -> fd; a listener's remote is `0.0.0.0:0`.
    by_addresses: HashMap<(String, String), i32>,
    /// remote -> fd, for accepted connections (their local is the listener's).
    accepted: HashMap<String, i32>,
}

impl Sockets {
    fn learn(&mut self, e: &Event) {
        let (Some(fd), None) = (e.fd, &e.errno) else {
            return;
        };
        match e.syscall {
            Some("bind" | "getsockname") => {
                if let Some(local) = &e.local {
                    self.local.insert(fd, local.clone());
                    if let Some(peer) = self.peer.get(&fd) {
                        self.by_addresses.insert((local.clone(), peer.clone()), fd);
                    }
                }
            }
            Some("connect") => {
                if let Some(peer) = &e.peer {
                    self.peer.insert(fd, peer.clone());
                }
            }
            Some("listen") => {
                if let Some(local) = self.local.get(&fd) {
                    let wildcard = if local.starts_with('[') {
                        "[::]:0"
                    } else {
                        "0.0.0.0:0"
                    };
                    self.by_addresses
                        .insert((local.clone(), wildcard.to_string()), fd);
                }
            }
            Some("accept4" | "accept") => {
                if let (Some(peer), Some(conn)) = (&e.peer, e.ret) {
                    self.accepted.insert(peer.clone(), conn as i32);
                }
            }
            _ => {}
        }
    }

    /// The fd of the socket `local` <-> `remote`, if a syscall said it.
    fn fd(&self, local: &str, remote: &str) -> Option<i32> {
        let key = (local.to_string(), remote.to_string());
        let connecting = || {
            // Before connect picked its port (CLOSED -> SYN-SENT): the socket connecting
            // to that peer.
            local
                .ends_with(":0")
                .then(|| {
                    self.peer
                        .iter()
                        .find(|(_, p)| *p == remote)
                        .map(|(fd, _)| fd)
                })
                .flatten()
        };
        self.by_addresses
            .get(&key)
            .or_else(|| self.accepted.get(remote))
            .or_else(connecting)
            .copied()
    }
}

/// The mark for one of the kernel's transitions: the state entered, on the lane of the
/// socket's local address, for its fd. None when no syscall said which fd it is (a
/// `connect` before the kernel chose its port: its next change says it).
fn kernel_mark(
    e: &Event,
    sockets: &Sockets,
    lane_for_endpoint: &mut impl FnMut(&str, &mut Vec<Lane>) -> usize,
    lanes: &mut Vec<Lane>,
    fds_on_lane: &mut HashMap<usize, Vec<i32>>,
    state_of: &mut HashMap<(usize, i32), String>,
) -> Option<StateMark> {
    let (local, remote, to) = (e.local.as_deref()?, e.remote.as_deref()?, e.to?);
    let fd = sockets.fd(local, remote)?;
    // Before connect picked a port, the socket's lane is that of the address it got.
    let local = match local.ends_with(":0") {
        true => sockets.local.get(&fd)?.as_str(),
        false => local,
    };
    let lane = lane_for_endpoint(local, lanes);
    let fds = fds_on_lane.entry(lane).or_default();
    if !fds.contains(&fd) {
        fds.push(fd);
    }
    let name = to.name().to_string();
    state_of.insert((lane, fd), name.clone());
    let label = match fds.len() > 1 {
        true => format!("{name} (fd {fd})"),
        false => name.clone(),
    };
    Some(StateMark {
        lane,
        fd,
        label,
        state: name,
    })
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
    // Pass 1: which lane each syscall is on, and which endpoints each lane owns; and
    // which fd each connection is (for the kernel's transitions, which name addresses).
    let mut syscall_lane: Vec<Option<usize>> = vec![None; events.len()];
    let mut sockets = Sockets::default();
    for (i, s) in events.iter().enumerate() {
        let e = &s.event;
        if e.kind != Some(Kind::Syscall) && e.kind != Some(Kind::Probe) {
            continue;
        }
        sockets.learn(e);
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
    // With the kernel's own transitions (its tracepoint), the states drawn are those,
    // at the moments the kernel made them; our looks after each call add nothing then
    // (the kernel table's TIME-WAIT still does: the tracepoint never reports it).
    let kernel_states = events.iter().any(|s| {
        s.event.kind == Some(Kind::Transition) && s.event.source.as_deref() == Some("tracepoint")
    });
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
            (Some(Kind::Transition), _) => (s.event.t.unwrap_or(s.t), 1),
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
            (Some(Kind::Transition), _, _) if kernel_states => kernel_mark(
                e,
                &sockets,
                &mut lane_for_endpoint,
                &mut lanes,
                &mut fds_on_lane,
                &mut state_of,
            ),
            (Some(Kind::Probe), _, _) if kernel_states => None,
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
        kernel_states,
    }
}
