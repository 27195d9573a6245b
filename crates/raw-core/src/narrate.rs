//! Narration: every syscall a program makes, printed the way `strace` prints it, with
//! one plain sentence, the TCP state it led to and the source line that made it.
//!
//! A [`Narrator`] is a language, an output mode and a role (`server`, `client`,
//! `child 893`), plus the views that receive its events ([`crate::views`]): the
//! printer the command line chose (text, `--json`, `-q`, `-qq`), and whatever a lab
//! adds (a counter, the state timeline). Whether a socket is TCP is the socket's own
//! business ([`crate::trace::call`]), never a flag of the narrator.
//!
//! Whatever the mode, a failure the program recovers from (an `accept` out of file
//! descriptors, one client's reset) is never hidden: see [`Narrator::problem`].
//!
//! The narrator never reorders or invents events: each call to [`Narrator::syscall`]
//! happens right after the real syscall returned, so the order of the lines is the
//! order in which the kernel saw the calls. With `--capture`, the packets are drained
//! around each event, so they appear between the syscalls that caused them.

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::lang::Lang;
use crate::text;
use crate::trace::tcp_state::{Probe, TcpState};
use crate::views::{Printer, Sink};
use std::net::SocketAddr;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub use crate::trace::event::{short_source, Event, Kind, DATA_PREVIEW};
pub use crate::views::{Mode, Seen};

/// Set when stdin ends during `--step`: the rest runs without pausing.
static STEP_DONE: AtomicBool = AtomicBool::new(false);

/// Says what one side of a lab does, to every view it has.
#[derive(Debug, Clone)]
pub struct Narrator {
    /// The language of the sentences.
    pub lang: Lang,
    /// The output mode (which printer, and whether syscalls are narrated at all).
    pub mode: Mode,
    /// `server` / `client` (or `child 893`, `thread 3`), printed as a prefix when
    /// [`Narrator::show_role`] is set.
    pub role: Option<Arc<str>>,
    /// Whether to print the `[role]` prefix in text mode (only when two sides share
    /// one terminal, as in the demo).
    pub show_role: bool,
    /// `--step`: before each syscall, say what is about to happen and wait for Enter.
    pub step: bool,
    /// Whether the steps' sentences are also said in the other language (for the
    /// replay page's toggle; only `--html` asks).
    pub bilingual: bool,
    /// The packet capture (`--capture`), drained around each event so that packets
    /// print in time order with the syscalls that caused them.
    pub capture: Option<Arc<Mutex<crate::capture::Capture>>>,
    /// A view printing instead of the command line's printer ([`Narrator::showing`]).
    printer: Option<Arc<dyn Sink>>,
    /// The views the lab added (a counter, the timeline, the pictures' recorder).
    views: Arc<Vec<Arc<dyn Sink>>>,
}

impl Narrator {
    /// A narrator for one side of a lab, printing as `mode` says.
    pub fn new(lang: Lang, mode: Mode, role: &str) -> Narrator {
        Narrator {
            lang,
            mode,
            role: Some(Arc::from(role)),
            show_role: false,
            step: false,
            bilingual: false,
            capture: None,
            printer: None,
            views: Arc::new(Vec::new()),
        }
    }

    /// The same narrator for another side, with `[role]` prefixes (for the demo).
    pub fn side(&self, role: &str) -> Narrator {
        Narrator {
            role: Some(Arc::from(role)),
            show_role: true,
            ..self.clone()
        }
    }

    /// This narrator with one more view (a counter, the timeline).
    pub fn also(&self, view: impl Sink + 'static) -> Narrator {
        let mut views: Vec<Arc<dyn Sink>> = self.views.iter().cloned().collect();
        views.push(Arc::new(view));
        Narrator {
            views: Arc::new(views),
            ..self.clone()
        }
    }

    /// This narrator with `view` printing instead of the command line's printer (the
    /// other views stay).
    pub fn showing(&self, view: impl Sink + 'static) -> Narrator {
        Narrator {
            printer: Some(Arc::new(view)),
            ..self.clone()
        }
    }

    /// The command line's printer, as this narrator's settings make it.
    fn printer(&self) -> Printer {
        Printer {
            mode: self.mode,
            lang: self.lang,
            show_role: self.show_role,
        }
    }

    /// Whether any view wants events of `kind`: the steps skip building events no view
    /// would read (so `-qq` keeps the echo's hot path free), and nothing else.
    pub fn hears(&self, kind: Kind) -> bool {
        let printer = match &self.printer {
            Some(view) => view.wants(kind),
            None => self.printer().wants(kind),
        };
        printer || self.views.iter().any(|v| v.wants(kind))
    }

    /// Whether syscalls are narrated at all (not in `--quiet`). When they are not, the
    /// programs also skip the extra `getsockopt(TCP_INFO)` calls that read the state.
    pub fn verbose(&self) -> bool {
        matches!(self.mode, Mode::Text | Mode::Json)
    }

    /// The catalog's message `text` in the narrator's language.
    pub fn say(&self, text: crate::catalog::Text) -> String {
        text.render(self.lang)
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
        let what = what();
        self.emit(Event {
            kind: Some(Kind::Step),
            text: self.say(text!(
                "narrate-next-enter-runs-look-with",
                prefix = String::new(),
                what = what.clone()
            )),
            call: Some(what),
            ..Event::default()
        });
        let mut line = String::new();
        if std::io::stdin()
            .read_line(&mut line)
            .map(|read| read == 0)
            .unwrap_or(true)
        {
            STEP_DONE.store(true, Ordering::Relaxed);
        }
    }

    /// A call is about to name `addr` (as its local address when `local`): the capture
    /// watches its port (the first port named wins), and binding every interface on WSL2
    /// earns the warning a classmate's connection needs.
    pub fn about_to(&self, syscall: &'static str, addr: SocketAddr, local: bool) {
        self.watch(addr.port());
        if syscall == "bind"
            && local
            && addr.ip().is_unspecified()
            && crate::trace::kernel_table::running_on_wsl2()
        {
            self.note(self.say(text!("interfaces-wsl2-warning", port = addr.port())));
        }
    }

    /// Tells the capture which port this lab uses (the first port named wins), and
    /// says which filter the kernel now runs.
    pub fn watch(&self, port: u16) {
        let Some(capture) = &self.capture else { return };
        let attached = match capture.lock() {
            Ok(mut c) => c.watch(port),
            Err(_) => return,
        };
        match attached {
            Ok(false) => {}
            Ok(true) => self.note(self.say(text!("narrate-capture-filter-port-classic-bpf", port))),
            Err(failure) => self.problem(
                None,
                &failure,
                &self.say(text!("narrate-so-attach-filter-was-refused")),
            ),
        }
    }

    /// Drains the capture, unless someone is already at it (another thread), and
    /// emits its packets. `cause` names the syscall just made, for the pcapng comments.
    fn drain_capture(&self, cause: Option<crate::capture::Cause>) {
        let Some(capture) = &self.capture else { return };
        let packets = match capture.try_lock() {
            Ok(mut c) => c.drain(self.lang, self.verbose(), cause),
            Err(_) => return,
        };
        for packet in packets {
            self.deliver(packet);
        }
    }

    /// Ends the capture: the last packets (waiting up to `grace` for late ones such as
    /// delayed ACKs), then, when `announce`, where the file is.
    pub fn finish_capture(&self, grace: std::time::Duration, announce: bool) {
        let Some(capture) = &self.capture else { return };
        let (packets, note) = match capture.lock() {
            Ok(mut c) => c.finish(self.lang, self.verbose(), grace),
            Err(_) => return,
        };
        for packet in packets {
            self.deliver(packet);
        }
        if announce {
            self.note(note);
        }
    }

    /// Gives one event to every view, with the role filled in.
    fn deliver(&self, mut event: Event) {
        if event.role.is_none() {
            event.role = self.role.clone();
        }
        match &self.printer {
            Some(view) => view.event(&event),
            None => self.printer().event(&event),
        }
        for view in self.views.iter() {
            view.event(&event);
        }
    }

    /// Emits one event to every view.
    ///
    /// With `--capture`, packets are delivered in time order: those that arrived before
    /// a probe, note or data line come before it; those a syscall caused come right
    /// after its line (loopback delivers them before the syscall returns).
    pub fn emit(&self, event: Event) {
        let is_syscall = event.kind == Some(Kind::Syscall);
        if event.kind != Some(Kind::Packet) && !is_syscall {
            self.drain_capture(None);
        }
        // The packets drained right after a syscall are the ones it caused: name it
        // (and its source line) in their pcapng comments.
        let syscall = event.syscall.unwrap_or("?");
        let cause = (is_syscall && self.capture.is_some()).then(|| {
            let source = event
                .source
                .as_deref()
                .map(short_source)
                .unwrap_or_default();
            format!("{syscall}() {source}")
        });
        self.deliver(event);
        if let Some(text) = &cause {
            self.drain_capture(Some(crate::capture::Cause { syscall, text }));
        }
    }

    /// Narrates a syscall that was just made: `call` is the strace rendering with its
    /// return value, `event` the rest (sentence, fd, ...). The source line is the
    /// caller's, unless the event names one.
    /// `call` is `None` when no view prints the strace text (`-q`, `-qq`): the event
    /// still reaches the views that count.
    #[track_caller]
    pub fn syscall(&self, syscall: &'static str, call: Option<String>, mut event: Event) {
        if !self.hears(Kind::Syscall) {
            return;
        }
        event.kind = Some(Kind::Syscall);
        event.syscall = Some(syscall);
        if event.ret.is_none() {
            event.ret = call
                .as_deref()
                .and_then(|c| c.rsplit(" = ").next())
                .and_then(crate::trace::call::leading_number);
        }
        let shown = call.is_some();
        event.call = call;
        if shown && event.source.is_none() {
            let at = Location::caller();
            event.source = Some(format!("{}:{}", at.file(), at.line()));
        }
        self.emit(event);
    }

    /// Narrates a state probe (`getsockopt(TCP_INFO)`) that was just made.
    pub fn probe(&self, fd: i32, probe: Probe) {
        self.look_with(fd, probe, String::new(), None);
    }

    /// A look at a socket's TCP state as a step of its own (`getsockopt(TCP_INFO)`,
    /// made by the caller), said with `text` and the caller's source line.
    #[track_caller]
    pub fn look(&self, fd: i32, probe: Probe, text: &str) {
        let at = Location::caller();
        self.look_with(
            fd,
            probe,
            text.to_string(),
            Some(format!("{}:{}", at.file(), at.line())),
        );
    }

    fn look_with(&self, fd: i32, probe: Probe, text: String, source: Option<String>) {
        if !self.verbose() {
            return;
        }
        self.emit(Event {
            kind: Some(Kind::Probe),
            syscall: Some("getsockopt"),
            ret: Some(if probe.state.is_some() { 0 } else { -1 }),
            fd: Some(fd),
            state: probe.state,
            call: Some(probe.call),
            text,
            source,
            ..Event::default()
        });
    }

    /// Announces that a server listens on `addr`, with how to reach it. Printed in every
    /// mode: on stdout (text, JSON), on stderr with `--quiet` (the printer decides).
    pub fn ready(&self, addr: SocketAddr, text: impl Into<String>) {
        self.watch(addr.port());
        self.emit(Event {
            kind: Some(Kind::Ready),
            local: Some(addr.to_string()),
            text: text.into(),
            ..Event::default()
        });
    }

    /// The two lines every lab ends with: what was seen, and why.
    pub fn summary(&self, seen: impl AsRef<str>, why: impl AsRef<str>) {
        self.note("──────────");
        self.note(self.say(text!("narrate-seen", seen = seen.as_ref())));
        self.note(self.say(text!("narrate-why", why = why.as_ref())));
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
        self.emit(Event {
            kind: Some(Kind::Warning),
            errno: failure.errno().map(|e| format!("{e:?}")),
            peer: peer.map(|p| p.to_string()),
            text,
            ..Event::default()
        });
    }

    /// A fact that is not a syscall (e.g. a row of the kernel's socket table).
    pub fn note(&self, text: impl Into<String>) {
        if !self.hears(Kind::Note) {
            return;
        }
        self.emit(Event {
            kind: Some(Kind::Note),
            text: text.into(),
            ..Event::default()
        });
    }

    /// A note carrying the TCP state of a connection read from the kernel's table
    /// (`/proc/net/tcp`), not from an fd: `fd` is the socket it was, when there was one.
    pub fn note_state(&self, fd: Option<i32>, text: impl Into<String>, state: Option<TcpState>) {
        if !self.hears(Kind::Note) {
            return;
        }
        self.emit(Event {
            kind: Some(Kind::Note),
            fd,
            state,
            from_table: state.is_some(),
            text: text.into(),
            ..Event::default()
        });
    }

    /// Whether data lines are printed at all (not with `-qq`): callers skip building
    /// them otherwise.
    pub fn shows_data(&self) -> bool {
        self.hears(Kind::Data)
    }

    /// Application data: printed in every mode but `-qq`, `--quiet` included. The
    /// event carries the first [`DATA_PREVIEW`] bytes and the count.
    pub fn data(&self, text: impl Into<String>, bytes: &[u8]) {
        if !self.shows_data() {
            return;
        }
        self.emit(Event {
            kind: Some(Kind::Data),
            bytes: Some(bytes.len()),
            data: Some(crate::trace::strace::quoted_limit(bytes, DATA_PREVIEW)),
            text: text.into(),
            ..Event::default()
        });
    }
}

impl crate::trace::call::Emitter for Narrator {
    fn says_calls(&self) -> bool {
        self.verbose() || self.step
    }

    fn reads_states(&self) -> bool {
        self.verbose()
    }

    fn hears_calls(&self) -> bool {
        self.hears(Kind::Syscall)
    }

    fn before(&self, call: &str) {
        Narrator::before(self, || call.to_string());
    }

    fn about_to(&self, syscall: &'static str, addr: SocketAddr, local: bool) {
        Narrator::about_to(self, syscall, addr, local);
    }

    fn called(
        &self,
        syscall: &'static str,
        call: Option<String>,
        mut event: Event,
        meaning: crate::trace::call::Meaning,
    ) {
        use crate::trace::call::Meaning;
        let sentence = match meaning {
            Meaning::Succeeded(text) => Some(text),
            Meaning::Failed { errno, why } => Some(crate::sentences::failed(syscall, errno, why)),
            Meaning::Unsaid => None,
        };
        if let Some(sentence) = sentence {
            event.text = sentence.render(self.lang);
            if self.bilingual {
                event.text_other = Some(sentence.render(self.lang.other()));
            }
        }
        self.syscall(syscall, call, event);
    }

    fn probe(&self, fd: i32, probe: Probe) {
        Narrator::probe(self, fd, probe);
    }
}
