//! The kernel's own word on every TCP state change: the tracepoint
//! `sock:inet_sock_set_state`, read through a tracefs instance of this program's own.
//!
//! Reading a socket's state after each of our calls (`getsockopt(TCP_INFO)`) misses
//! every change the kernel makes on its own: a server's new connection passes
//! SYN-RECEIVED before any `accept`; LAST-ACK lasts only until the peer's ACK. The
//! kernel reports each change as it makes it, with who was running and in which
//! context, to anyone who asks tracefs (root, or `CAP_PERFMON` and access to it):
//!
//! 1. `mkdir /sys/kernel/tracing/instances/raw-sockets-PID`: a ring buffer and a set of
//!    event switches of our own, so the global trace (and anyone else's) is untouched;
//! 2. `options/record-tgid` (which process, not only which thread), `trace_clock`
//!    `mono` (the timestamps are `CLOCK_MONOTONIC`);
//! 3. per event, a `filter` (`protocol == 6 && (sport == P || dport == P)`: only this
//!    lab's port, once known; until then, nothing) and `enable`;
//! 4. `trace_pipe`, read without blocking after each of our calls;
//! 5. at the end, `rmdir` of the instance. One left by a killed run (its pid is gone)
//!    is removed by the next run.
//!
//! Besides the state changes: `tcp:tcp_retransmit_skb` and `tcp_retransmit_synack`
//! (a segment sent again), `tcp:tcp_send_reset` and `tcp_receive_reset`.
//!
//! ```text
//! sudo cat /sys/kernel/tracing/instances/raw-sockets-*/events/sock/inet_sock_set_state/filter
//! sudo perf trace -e sock:inet_sock_set_state           # the same tracepoint, another reader
//! ```

#![forbid(unsafe_code)]

pub mod cause;
pub mod parse;

use parse::{Line, What};
use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Where tracefs is mounted.
pub const TRACEFS: &str = "/sys/kernel/tracing";

/// The start of our instances' names: `raw-sockets-PID`.
pub const PREFIX: &str = "raw-sockets-";

/// The tracepoints read, and whether their fields have `sport`/`dport` to filter on
/// (`tcp_send_reset` writes whole socket addresses: its lines are kept by port here).
const EVENTS: [(&str, bool); 5] = [
    ("sock/inet_sock_set_state", true),
    ("tcp/tcp_retransmit_skb", true),
    ("tcp/tcp_retransmit_synack", true),
    ("tcp/tcp_send_reset", false),
    ("tcp/tcp_receive_reset", true),
];

/// Why the kernel's own transitions cannot be read.
#[derive(Debug)]
pub enum Unavailable {
    /// Not root (and tracefs is not ours to write).
    NotRoot,
    /// tracefs is not there (not mounted, and we may not mount it: a container).
    NoTracefs(std::io::Error),
    /// The instance could not be made or set up.
    Failed(std::io::Error),
}

/// What the tracepoints said about one of this program's sockets, with the moment in
/// the Unix epoch (as packets carry theirs).
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// The line itself.
    pub line: Line,
    /// Seconds since the Unix epoch.
    pub t: f64,
    /// What the tracepoints said last about this connection, and when (epoch seconds).
    pub previous: Option<(What, f64)>,
    /// It fired in this process (a thread of ours was running: our syscall, or the
    /// kernel handling a packet while we ran). See [`Tracepoint::here`].
    pub here: bool,
}

/// A program's tracepoint, started when its first TCP socket names an address (`bind`,
/// `connect`), before any change of state can happen: a program with no TCP socket (the
/// UDP labs, the benchmarks' driver) makes none.
#[derive(Debug, Default)]
pub enum Slot {
    /// No TCP socket yet.
    #[default]
    NotYet,
    /// Reading the kernel's changes.
    On(Box<Tracepoint>),
    /// Tried, and not possible here: why.
    Off(Unavailable),
}

impl Slot {
    /// Starts the tracepoint, the first time only.
    pub fn start(&mut self) {
        if let Slot::NotYet = self {
            *self = match Tracepoint::start() {
                Ok(tp) => Slot::On(Box::new(tp)),
                Err(why) => Slot::Off(why),
            };
        }
    }

    /// The running tracepoint, if there is one.
    pub fn get(&mut self) -> Option<&mut Tracepoint> {
        match self {
            Slot::On(tp) => Some(tp),
            _ => None,
        }
    }
}

/// A tracefs instance of this program's own, enabled and filtered to its ports.
#[derive(Debug)]
pub struct Tracepoint {
    dir: PathBuf,
    /// `trace_pipe`, opened `O_NONBLOCK`; `None` once closed (before `rmdir`).
    pipe: Option<File>,
    /// The process that made the instance: only it removes it (a forked child holds a
    /// copy of this value and must not).
    owner: u32,
    /// The ports in the filter.
    watched: BTreeSet<u16>,
    /// The local ports of our sockets: those we bound, and those the kernel chose for
    /// our `connect`s (learned from their first transitions).
    ours: BTreeSet<u16>,
    /// Peers we are connecting to whose socket's local port is not known yet.
    connecting: Vec<SocketAddr>,
    /// Other processes whose calls this program narrates (raw-trace's Python program):
    /// the changes made in their context count as theirs, and pass the filter before
    /// their ports are known.
    followed: BTreeSet<u32>,
    /// An incomplete last line.
    partial: String,
    /// The last line about each connection (local, remote), and when.
    recent: std::collections::HashMap<(SocketAddr, SocketAddr), (What, f64)>,
    /// `CLOCK_REALTIME - CLOCK_MONOTONIC`, to put the kernel's times in the epoch.
    epoch_minus_mono: f64,
}

/// `CLOCK_REALTIME - CLOCK_MONOTONIC`, in seconds.
fn epoch_minus_mono() -> f64 {
    use nix::time::{clock_gettime, ClockId};
    let secs = |c| {
        clock_gettime(c)
            .map(|t| t.tv_sec() as f64 + t.tv_nsec() as f64 / 1e9)
            .unwrap_or(0.0)
    };
    secs(ClockId::CLOCK_REALTIME) - secs(ClockId::CLOCK_MONOTONIC)
}

/// Writes `value` to a tracefs control file.
fn put(path: &Path, value: &str) -> std::io::Result<()> {
    fs::write(path, value)
}

/// Removes the instances of runs that are gone (killed before they could): their pid
/// no longer exists.
fn remove_stale(instances: &Path) {
    let Ok(entries) = fs::read_dir(instances) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir(entry.path());
        }
    }
}

/// The filter for the ports in `ports` (none: a filter nothing matches).
fn filter(ports: &BTreeSet<u16>) -> String {
    if ports.is_empty() {
        return "sport == 0 && dport == 0".to_string();
    }
    let each: Vec<String> = ports
        .iter()
        .map(|p| format!("sport == {p} || dport == {p}"))
        .collect();
    each.join(" || ")
}

impl Tracepoint {
    /// Makes and enables this program's instance (mounting tracefs first when it is
    /// not, as root may), before any socket of the lab exists.
    pub fn start() -> Result<Tracepoint, Unavailable> {
        let root = Path::new(TRACEFS);
        let instances = root.join("instances");
        if !instances.exists() {
            if !nix::unistd::geteuid().is_root() {
                return Err(Unavailable::NotRoot);
            }
            nix::mount::mount(
                Some("nodev"),
                root,
                Some("tracefs"),
                nix::mount::MsFlags::empty(),
                None::<&str>,
            )
            .map_err(|e| Unavailable::NoTracefs(e.into()))?;
        }
        remove_stale(&instances);
        let owner = std::process::id();
        let dir = instances.join(format!("{PREFIX}{owner}"));
        match fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::PermissionDenied => return Err(Unavailable::NotRoot),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Unavailable::Failed(e)),
        }
        let mut tp = Tracepoint {
            dir,
            pipe: None,
            owner,
            watched: BTreeSet::new(),
            ours: BTreeSet::new(),
            connecting: Vec::new(),
            followed: BTreeSet::new(),
            partial: String::new(),
            recent: Default::default(),
            epoch_minus_mono: epoch_minus_mono(),
        };
        tp.set_up().map_err(Unavailable::Failed)?;
        Ok(tp)
    }

    /// Options, filters, switches, and the pipe.
    fn set_up(&mut self) -> std::io::Result<()> {
        put(&self.dir.join("options/record-tgid"), "1")?;
        put(&self.dir.join("trace_clock"), "mono")?;
        self.write_filters()?;
        for (event, _) in EVENTS {
            put(&self.dir.join("events").join(event).join("enable"), "1")?;
        }
        put(&self.dir.join("tracing_on"), "1")?;
        let pipe = OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_NONBLOCK)
            .open(self.dir.join("trace_pipe"))?;
        // Out of the lab's way: its first socket is still fd 3.
        self.pipe = Some(crate::sys::move_up(pipe, 100));
        Ok(())
    }

    /// Each event's filter: this lab's ports (TCP only, for the state changes).
    /// `tcp_send_reset` has no port fields: its lines are kept by port when read.
    fn write_filters(&self) -> std::io::Result<()> {
        let mut ports = filter(&self.watched);
        for pid in &self.followed {
            ports.push_str(&format!(" || common_pid == {pid}"));
        }
        for (event, by_port) in EVENTS {
            if !by_port {
                continue;
            }
            let filter = match event {
                "sock/inet_sock_set_state" => format!("protocol == 6 && ({ports})"),
                _ => ports.clone(),
            };
            put(&self.dir.join("events").join(event).join("filter"), &filter)?;
        }
        Ok(())
    }

    /// The instance's folder (for the tests and the notes).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A call is about to name `addr`: its port joins the filter; a local one is ours,
    /// and a peer we connect to is remembered until our socket's port is known.
    pub fn watch(&mut self, addr: SocketAddr, local: bool, connecting: bool) {
        if addr.port() == 0 {
            return; // bind(port 0): the port the kernel chose comes with getsockname
        }
        if local {
            self.ours.insert(addr.port());
        } else if connecting {
            self.connecting.push(addr);
        }
        if self.watched.insert(addr.port()) {
            let _ = self.write_filters();
        }
    }

    /// Whether the tracepoint fired while a thread of this process ran. The line's
    /// tgid is not enough: tracefs fills it (and the command) from what the scheduler
    /// saw, so a process that has not been switched out yet shows `(-------)`; a thread
    /// id is ours when it is in `/proc/self/task`.
    fn here(&self, line: &Line) -> bool {
        line.tgid == Some(self.owner)
            || line.tid == self.owner
            || self.followed.contains(&line.tid)
            || line.tgid.is_some_and(|p| self.followed.contains(&p))
            || Path::new(&format!("/proc/self/task/{}", line.tid)).exists()
    }

    /// The calls of process `pid` are narrated here too (raw-trace's traced program).
    pub fn follow(&mut self, pid: u32) {
        if self.followed.insert(pid) {
            let _ = self.write_filters();
        }
    }

    /// Whether the line is about one of our sockets, learning a `connect`'s local port
    /// from the first transition of its socket.
    fn ours(&mut self, line: &Line) -> bool {
        if self.ours.contains(&line.local.port()) {
            return true;
        }
        if let What::State { from, .. } = line.what {
            use crate::trace::tcp_state::TcpState;
            if from == TcpState::Closed && self.here(line) && line.local.port() == 0 {
                return true; // connect: CLOSED -> SYN-SENT, before the port is chosen
            }
            if from == TcpState::SynSent {
                if let Some(i) = self.connecting.iter().position(|p| *p == line.remote) {
                    self.connecting.remove(i);
                    self.ours.insert(line.local.port());
                    return true;
                }
            }
        }
        false
    }

    /// Everything the tracepoints said since the last call, about our sockets only.
    pub fn drain(&mut self) -> Vec<Seen> {
        let mut text = std::mem::take(&mut self.partial);
        let mut buf = [0u8; 16384];
        if let Some(pipe) = self.pipe.as_mut() {
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => text.push_str(&String::from_utf8_lossy(&buf[..n])),
                    Err(_) => break, // EAGAIN: nothing more for now
                }
            }
        }
        let complete = match text.rfind('\n') {
            Some(end) => {
                self.partial = text[end + 1..].to_string();
                &text[..end]
            }
            None => {
                self.partial = text;
                return Vec::new();
            }
        };
        let lines: Vec<Line> = complete.lines().filter_map(parse::line).collect();
        let mut seen = Vec::new();
        for line in lines {
            if !self.ours(&line) {
                continue;
            }
            let here = self.here(&line);
            let t = line.mono + self.epoch_minus_mono;
            let key = (line.local, line.remote);
            let previous = self.recent.insert(key, (line.what.clone(), t));
            seen.push(Seen {
                line,
                t,
                here,
                previous,
            });
        }
        seen
    }

    /// Whether one of our connections is in a state the kernel leaves on its own when
    /// the peer's next segment comes (SYN-SENT, SYN-RECEIVED, FIN-WAIT-1, FIN-WAIT-2,
    /// CLOSING, LAST-ACK): at the end of a run, its last change is worth waiting for
    /// (a reader can be woken by a FIN a moment before the kernel reports the change).
    pub fn unsettled(&self) -> bool {
        use crate::trace::tcp_state::TcpState::*;
        self.recent.values().any(|(what, _)| {
            matches!(
                what,
                What::State {
                    to: SynSent | SynReceived | FinWait1 | FinWait2 | Closing | LastAck,
                    ..
                }
            )
        })
    }

    /// Stops the instance and removes it (only the process that made it).
    pub fn remove(&mut self) {
        if std::process::id() != self.owner {
            return;
        }
        let _ = put(&self.dir.join("tracing_on"), "0");
        self.pipe = None; // an open trace_pipe keeps the instance busy
        for _ in 0..20 {
            match fs::remove_dir(&self.dir) {
                Err(e) if e.raw_os_error() == Some(nix::libc::EBUSY) => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                _ => return,
            }
        }
    }
}

impl Drop for Tracepoint {
    fn drop(&mut self) {
        self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Until a port is known the filter keeps nothing; then each port, both ways.
    #[test]
    fn filters_name_the_ports() {
        let mut ports = BTreeSet::new();
        assert_eq!(filter(&ports), "sport == 0 && dport == 0");
        ports.insert(65432);
        ports.insert(80);
        assert_eq!(
            filter(&ports),
            "sport == 80 || dport == 80 || sport == 65432 || dport == 65432"
        );
    }
}
