//! Narration: every syscall a program makes, printed the way `strace` prints it, with
//! one plain sentence, the TCP state it led to and the source line that made it.
//!
//! Three output modes, chosen on the command line:
//! - text (default): for people; `[server]`/`[client]` prefixes when both run at once;
//! - `--json`: one JSON object per line on stdout per event, nothing else on stdout;
//! - `--quiet`: only the data (what arrived, what came back), no syscalls.
//!
//! Whatever the mode, a failure the program recovers from (an `accept` out of file
//! descriptors, one client's reset) is never hidden: see [`Narrator::problem`].
//!
//! The narrator never reorders or invents events: each call to [`Narrator::syscall`]
//! happens right after the real syscall returned, so the order of the lines is the
//! order in which the kernel saw the calls.

use crate::error::Failure;
use crate::lang::Lang;
use crate::tcp_state::{Probe, TcpState};
use serde::Serialize;
use std::io::Write;
use std::net::SocketAddr;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Set when stdin ends during `--step`: the rest runs without pausing.
static STEP_DONE: AtomicBool = AtomicBool::new(false);
use std::sync::{Arc, Mutex};

/// How a program reports what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Human text with syscalls, sentences and states.
    Text,
    /// One JSON object per event per line.
    Json,
    /// Only the data.
    Quiet,
    /// Nothing (`-qq`): for load tests and benchmarks. Errors still go to stderr, and
    /// so do the failures the program recovers from ([`Narrator::problem`]).
    Silent,
}

/// What kind of line an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A syscall the lab's code made (socket, bind, ...).
    Syscall,
    /// A syscall made only to look (`getsockopt(TCP_INFO)`), shown so strace and the
    /// narration stay line-for-line equal.
    Probe,
    /// A fact read without a syscall of the network class (e.g. `/proc/net/tcp`).
    Note,
    /// Application data (what the server received, the reply the client got).
    Data,
    /// The reason the program stops with an error.
    Error,
    /// A syscall failed and the program goes on without it (an `accept` out of file
    /// descriptors, one client's reset): shown in every mode, `-qq` included.
    Warning,
    /// A packet seen on the wire by `--capture`.
    Packet,
    /// A server is listening: its address (always printed, even with `--quiet`, on
    /// stderr then, so scripts and tests can find a `--port 0` server).
    Ready,
}

/// One narrated event. `None` fields are left out of the JSON.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Event {
    /// Which program's side this is: `server`, `client`, `child 893`, `thread 3`...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The kind of event.
    pub kind: Option<Kind>,
    /// The syscall's name as strace names it (`accept4`, `recvfrom`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syscall: Option<&'static str>,
    /// The whole call as strace prints it, ` = ` and return value included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// The return value (`-1` on failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ret: Option<i64>,
    /// The errno name on failure (`EADDRINUSE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errno: Option<String>,
    /// The file descriptor the call acted on (or created).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<i32>,
    /// The TCP state after the call, as the kernel reported it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<TcpState>,
    /// The local address of the socket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// The peer's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// Bytes moved by the call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<usize>,
    /// The data itself, quoted as strace quotes it (never cut here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// The plain-language sentence, in the chosen language.
    pub text: String,
    /// A captured packet (`--capture`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packet: Option<crate::capture::PacketInfo>,
    /// Where in the source the call was made: `crates/raw-tcp/src/server.rs:57`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Prints events for one side (server or client) in one mode and one language.
#[derive(Debug, Clone)]
pub struct Narrator {
    /// The language of the sentences.
    pub lang: Lang,
    /// The output mode.
    pub mode: Mode,
    /// `server` / `client` (or `child 893`, `thread 3`), printed as a prefix when
    /// [`Narrator::show_role`] is set.
    pub role: Option<Arc<str>>,
    /// Whether to print the `[role]` prefix in text mode (only when two sides share
    /// one terminal, as in the demo).
    pub show_role: bool,
    /// Whether the sockets are TCP: then each step also reads the TCP state with
    /// `getsockopt(TCP_INFO)` (narrated as a probe). UDP has no state to read.
    pub tcp: bool,
    /// When set, every state seen is also recorded here, for the demo's closing
    /// timeline (shared between the server's and the client's narrators).
    pub timeline: Option<Arc<Mutex<Vec<Seen>>>>,
    /// Brief text: only the strace line of each syscall, no sentences or notes (the
    /// UDP demo's TCP comparison uses it). JSON is unchanged.
    pub brief: bool,
    /// When set, counts every syscall and probe printed (for the TCP-vs-UDP table).
    pub counter: Option<Arc<AtomicUsize>>,
    /// The packet capture (`--capture`), drained around each event so that packets
    /// print in time order with the syscalls that caused them.
    pub capture: Option<Arc<Mutex<crate::capture::Capture>>>,
    /// `--step`: before each syscall, say what is about to happen and wait for Enter.
    pub step: bool,
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

impl Narrator {
    /// A narrator for one side of a lab.
    pub fn new(lang: Lang, mode: Mode, role: &str) -> Narrator {
        Narrator {
            lang,
            mode,
            role: Some(Arc::from(role)),
            show_role: false,
            tcp: true,
            timeline: None,
            brief: false,
            counter: None,
            capture: None,
            step: false,
        }
    }

    /// This narrator for UDP sockets: no TCP state to read after each step.
    pub fn udp(mut self) -> Narrator {
        self.tcp = false;
        self
    }

    /// The same narrator for another side, with `[role]` prefixes (for the demo).
    pub fn side(&self, role: &str) -> Narrator {
        Narrator {
            role: Some(Arc::from(role)),
            show_role: true,
            ..self.clone()
        }
    }

    /// Whether syscalls are narrated at all (not in `--quiet`). When they are not, the
    /// programs also skip the extra `getsockopt(TCP_INFO)` calls that read the state.
    pub fn verbose(&self) -> bool {
        matches!(self.mode, Mode::Text | Mode::Json)
    }

    /// Picks the sentence for the narrator's language.
    pub fn t<'a>(&self, en: &'a str, pt: &'a str) -> &'a str {
        self.lang.pick(en, pt)
    }

    /// The same narrator without the capture (a forked child must not read the
    /// parent's capture socket or write its file).
    pub fn without_capture(&self) -> Narrator {
        Narrator {
            capture: None,
            ..self.clone()
        }
    }

    /// `--step`: prints the syscall about to be made and waits for Enter, so the class
    /// can look with `ss -tan` or Wireshark between two calls. End of input (Ctrl-D)
    /// runs the rest without pausing.
    pub fn before(&self, what: impl FnOnce() -> String) {
        if !self.step || STEP_DONE.load(Ordering::Relaxed) {
            return;
        }
        self.drain_capture(None);
        let prefix = match (self.show_role, self.role.as_deref()) {
            (true, Some(role)) => format!("[{role}] "),
            _ => String::new(),
        };
        let mut out = std::io::stdout().lock();
        let _ = write!(
            out,
            "{prefix}⏸  {} {}  ",
            self.t("next:", "próximo:"),
            what()
        );
        let _ = write!(
            out,
            "{}",
            self.t(
                "[Enter runs it; look with ss -tan or Wireshark first] ",
                "[Enter executa; antes, olhe com ss -tan ou Wireshark] "
            )
        );
        let _ = out.flush();
        drop(out);
        let mut line = String::new();
        if std::io::stdin()
            .read_line(&mut line)
            .map(|read| read == 0)
            .unwrap_or(true)
        {
            STEP_DONE.store(true, Ordering::Relaxed);
        }
    }

    /// Tells the capture which port this lab uses (the first port named wins).
    pub fn watch(&self, port: u16) {
        if let Some(capture) = &self.capture {
            if let Ok(mut c) = capture.lock() {
                c.watch(self, port);
            }
        }
    }

    /// Drains the capture, unless someone is already at it (another thread, or this
    /// one: the capture itself prints notes while it holds its lock).
    fn drain_capture(&self, cause: Option<&str>) {
        if let Some(capture) = &self.capture {
            if let Ok(mut c) = capture.try_lock() {
                c.drain(self, cause);
            }
        }
    }

    /// Prints one event. Output errors (a closed pipe) are ignored on purpose: losing
    /// the narration must never stop the lab.
    ///
    /// With `--capture`, packets are printed in time order: those that arrived before a
    /// probe, note or data line print before it; those a syscall caused print right
    /// after its line (loopback delivers them before the syscall returns).
    pub fn emit(&self, event: Event) {
        let is_syscall = event.kind == Some(Kind::Syscall);
        if event.kind != Some(Kind::Packet) && !is_syscall {
            self.drain_capture(None);
        }
        // The packets drained right after a syscall are the ones it caused: name it
        // (and its source line) in their pcapng comments.
        let cause = is_syscall.then(|| {
            let source = event
                .source
                .as_deref()
                .map(short_source)
                .unwrap_or_default();
            format!("{}() {source}", event.syscall.unwrap_or("?"))
        });
        self.print(event);
        if let Some(cause) = cause {
            self.drain_capture(Some(&cause));
        }
    }

    fn print(&self, mut event: Event) {
        if event.role.is_none() {
            event.role = self.role.as_deref().map(String::from);
        }
        if let (Some(counter), Some(Kind::Syscall | Kind::Probe)) = (&self.counter, event.kind) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if self.brief && self.mode == Mode::Text {
            let mut out = std::io::stdout().lock();
            let prefix = self
                .role
                .as_deref()
                .map(|r| format!("[{r}] "))
                .unwrap_or_default();
            let _ = match event.kind {
                Some(Kind::Syscall | Kind::Probe) => {
                    writeln!(out, "{prefix}{}", event.call.as_deref().unwrap_or_default())
                }
                Some(Kind::Packet) => writeln!(out, "[wire] {}", event.text),
                _ => Ok(()),
            };
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = match self.mode {
            Mode::Json => match serde_json::to_string(&event) {
                Ok(line) => writeln!(out, "{line}"),
                Err(_) => Ok(()),
            },
            Mode::Text => self.write_text(&mut out, &event),
            Mode::Quiet => match event.kind {
                Some(Kind::Data) => writeln!(out, "{}", event.text),
                _ => Ok(()),
            },
            Mode::Silent => Ok(()),
        };
        let _ = out.flush();
    }

    fn write_text(&self, out: &mut impl Write, event: &Event) -> std::io::Result<()> {
        let prefix = match (self.show_role, event.role.as_deref()) {
            (true, Some(role)) => format!("[{role}] "),
            _ => String::new(),
        };
        let indent = " ".repeat(prefix.chars().count());
        match event.kind {
            Some(Kind::Syscall) => {
                let call = event.call.as_deref().unwrap_or_default();
                let source = event
                    .source
                    .as_deref()
                    .map(short_source)
                    .unwrap_or_default();
                writeln!(out, "{prefix}{call}   # {source}")?;
                if event.text.is_empty() {
                    return Ok(());
                }
                writeln!(out, "{indent}  {}", event.text)
            }
            Some(Kind::Probe) => {
                let state = event.state.map(|s| s.name()).unwrap_or("?");
                let call = event.call.as_deref().unwrap_or_default();
                let short = call.split(", TCP_INFO,").next().unwrap_or(call);
                let ret = call.rsplit(" = ").next().unwrap_or_default();
                writeln!(
                    out,
                    "{indent}  {}: {state}   ({short}, TCP_INFO, ...) = {ret})",
                    self.t("TCP state", "estado TCP")
                )
            }
            Some(Kind::Error) => writeln!(out, "{prefix}{}", event.text),
            Some(Kind::Packet) => writeln!(out, "[wire] {}", event.text),
            _ => writeln!(out, "{prefix}{}", event.text),
        }
    }

    /// Narrates a syscall that was just made: `call` is the strace rendering with its
    /// return value, `text` the sentence. The source line is the caller's caller: the
    /// line in the lab's code that called the step function.
    #[track_caller]
    pub fn syscall(&self, syscall: &'static str, call: String, mut event: Event) {
        if !self.verbose() {
            return;
        }
        event.kind = Some(Kind::Syscall);
        event.syscall = Some(syscall);
        event.call = Some(call);
        if event.source.is_none() {
            let at = Location::caller();
            event.source = Some(format!("{}:{}", at.file(), at.line()));
        }
        self.emit(event);
    }

    /// Records a state in the timeline, when one is kept.
    pub fn record(&self, fd: i32, state: TcpState, from_table: bool) {
        if let (Some(timeline), Some(role)) = (&self.timeline, &self.role) {
            if let Ok(mut seen) = timeline.lock() {
                seen.push(Seen {
                    role: role.clone(),
                    fd,
                    state,
                    from_table,
                });
            }
        }
    }

    /// A look at a socket's TCP state as a step of its own (`getsockopt(TCP_INFO)`,
    /// made by the caller), said with `text` and the caller's source line.
    #[track_caller]
    pub fn look(&self, fd: i32, probe: Probe, text: &str) {
        if !self.verbose() {
            return;
        }
        let at = Location::caller();
        if let Some(s) = probe.state {
            self.record(fd, s, false);
        }
        self.emit(Event {
            kind: Some(Kind::Probe),
            syscall: Some("getsockopt"),
            ret: Some(if probe.state.is_some() { 0 } else { -1 }),
            fd: Some(fd),
            state: probe.state,
            call: Some(probe.call),
            text: text.to_string(),
            source: Some(format!("{}:{}", at.file(), at.line())),
            ..Event::default()
        });
    }

    /// Narrates a state probe (`getsockopt(TCP_INFO)`) that was just made.
    pub fn probe(&self, fd: i32, probe: Probe) {
        if !self.verbose() {
            return;
        }
        if let Some(state) = probe.state {
            self.record(fd, state, false);
        }
        self.emit(Event {
            kind: Some(Kind::Probe),
            syscall: Some("getsockopt"),
            call: Some(probe.call),
            ret: Some(if probe.state.is_some() { 0 } else { -1 }),
            fd: Some(fd),
            state: probe.state,
            text: String::new(),
            ..Event::default()
        });
    }

    /// Announces that a server listens on `addr`, with how to reach it. Printed in every
    /// mode: on stdout (text, JSON), on stderr with `--quiet`.
    pub fn ready(&self, addr: std::net::SocketAddr, text: impl Into<String>) {
        self.watch(addr.port());
        let event = Event {
            kind: Some(Kind::Ready),
            local: Some(addr.to_string()),
            text: text.into(),
            ..Event::default()
        };
        if matches!(self.mode, Mode::Quiet | Mode::Silent) {
            let _ = writeln!(std::io::stderr(), "{}", event.text);
        } else {
            self.emit(event);
        }
    }

    /// The two lines every lab ends with: what was seen, and why.
    pub fn summary(&self, seen: impl AsRef<str>, why: impl AsRef<str>) {
        self.note("──────────");
        self.note(format!("{} {}", self.t("Seen:", "Visto:"), seen.as_ref()));
        self.note(format!("{} {}", self.t("Why: ", "Por quê:"), why.as_ref()));
    }

    /// A syscall failed and the program carries on without it: an `accept` that found
    /// no free file descriptor (`EMFILE`), one client's `ECONNRESET`, a `sendto` one
    /// client could not get. `then` says what the program does about it ("Only this
    /// connection ends."); `peer` names the client, when there is one.
    ///
    /// Unlike [`Narrator::note`], this is never hidden: `-q` and `-qq` silence the
    /// narration, not the trouble. It goes to stderr as
    /// `warning: accept(2) failed: EMFILE (Too many open files) — hint: ... — <then>`
    /// in text, `-q` and `-qq`, and as a `warning` event carrying the errno on stdout with
    /// `--json` (where stdout holds nothing but JSON).
    pub fn problem(&self, peer: Option<SocketAddr>, failure: &Failure, then: &str) {
        let mut text = failure.explain(self.lang);
        if let Some(peer) = peer {
            text = format!("{peer}: {text}");
        }
        if !then.is_empty() {
            text = format!("{text} — {then}");
        }
        if self.mode == Mode::Json {
            self.emit(Event {
                kind: Some(Kind::Warning),
                errno: failure.errno().map(|e| format!("{e:?}")),
                peer: peer.map(|p| p.to_string()),
                text,
                ..Event::default()
            });
            return;
        }
        if self.mode == Mode::Text {
            self.drain_capture(None); // the packets that led here print first
        }
        let prefix = match (self.show_role, self.role.as_deref()) {
            (true, Some(role)) => format!("[{role}] "),
            _ => String::new(),
        };
        // One write for the whole line, so that threads and forked children sharing
        // stderr never interleave inside a line; not eprintln!, which panics when
        // stderr is closed.
        let line = format!("{prefix}{} {text}\n", self.t("warning:", "aviso:"));
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    /// A fact that is not a syscall (e.g. a row of the kernel's socket table).
    pub fn note(&self, text: impl Into<String>) {
        if !self.verbose() {
            return;
        }
        self.emit(Event {
            kind: Some(Kind::Note),
            text: text.into(),
            ..Event::default()
        });
    }

    /// A note carrying a TCP state read from the kernel's table, not from an fd.
    pub fn note_state(&self, text: impl Into<String>, state: Option<TcpState>) {
        if !self.verbose() {
            return;
        }
        self.emit(Event {
            kind: Some(Kind::Note),
            state,
            text: text.into(),
            ..Event::default()
        });
    }

    /// Whether data lines are printed at all (not with `-qq`): callers skip building
    /// them otherwise.
    pub fn shows_data(&self) -> bool {
        self.mode != Mode::Silent
    }

    /// Application data: printed in every mode but `-qq`, `--quiet` included.
    pub fn data(&self, text: impl Into<String>, bytes: &[u8]) {
        if !self.shows_data() {
            return;
        }
        self.emit(Event {
            kind: Some(Kind::Data),
            bytes: Some(bytes.len()),
            data: Some(crate::strace::quoted_limit(bytes, usize::MAX)),
            text: text.into(),
            ..Event::default()
        });
    }
}

/// `crates/raw-tcp/src/server.rs:57` -> `server.rs:57`, for the text output.
pub fn short_source(source: &str) -> &str {
    source.rsplit('/').next().unwrap_or(source)
}
