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
    /// The kernel's state changes (`sock:inet_sock_set_state`, [`crate::tracepoint`]),
    /// started at the first TCP socket that names an address and drained with the
    /// capture, so that they print in time order. `None`: no view wants them.
    pub states: Option<Arc<Mutex<crate::tracepoint::Slot>>>,
    /// Whether the note on where the states come from was said (once per program).
    states_said: Arc<AtomicBool>,
    /// Without the tracepoint: the last state read on each fd, so that a change seen
    /// between two looks is a transition event (`source: probe`).
    probed: Arc<Mutex<std::collections::HashMap<i32, TcpState>>>,
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
            states: None,
            states_said: Arc::default(),
            probed: Arc::default(),
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
            states: None,
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
    pub fn about_to(&self, syscall: &'static str, addr: SocketAddr, local: bool, tcp: bool) {
        self.watch(addr.port());
        if tcp {
            self.watch_states(syscall, addr, local);
        }
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

    /// A TCP socket is about to name `addr`: the tracepoint's filter gets its port. The
    /// first time, the tracepoint starts, and a note says where the states come from
    /// (the kernel, or only our looks, and why).
    fn watch_states(&self, syscall: &'static str, addr: SocketAddr, local: bool) {
        use crate::tracepoint::{Slot, Unavailable};
        let Some(states) = &self.states else { return };
        let Ok(mut slot) = states.lock() else { return };
        slot.start();
        let note = match (&*slot, self.states_said.swap(true, Ordering::Relaxed)) {
            (_, true) | (Slot::NotYet, _) => None,
            (Slot::On(tp), false) => Some(text!(
                "narrate-states-from-the-kernel",
                dir = tp.dir().display().to_string()
            )),
            (Slot::Off(Unavailable::NotRoot), false) => Some(text!("narrate-states-need-root")),
            (Slot::Off(Unavailable::NoTracefs(e) | Unavailable::Failed(e)), false) => {
                Some(text!("narrate-states-unavailable", why = e.to_string()))
            }
        };
        if let Some(tp) = slot.get() {
            tp.watch(addr, local, syscall == "connect");
        }
        drop(slot);
        if let Some(note) = note {
            self.note(self.say(note));
        }
    }

    /// Runs `f` on the tracepoint, if it runs (and no other thread holds it, when
    /// `wait` is false).
    fn with_states<T>(
        &self,
        wait: bool,
        f: impl FnOnce(&mut crate::tracepoint::Tracepoint) -> T,
    ) -> Option<T> {
        let states = self.states.as_ref()?;
        let mut slot = match wait {
            true => states.lock().ok()?,
            false => states.try_lock().ok()?,
        };
        slot.get().map(f)
    }

    /// raw-trace: the calls of process `pid` are narrated here, so the kernel's state
    /// changes in its calls are said after them, and count as its sockets'.
    pub fn follow(&self, pid: u32) {
        if let Some(mut slot) = self.states.as_ref().and_then(|s| s.lock().ok()) {
            slot.start(); // before its first bind or connect: its listen may come at once
            if let Some(tp) = slot.get() {
                tp.follow(pid);
            }
        }
    }

    /// `getsockname` said a TCP socket's local address (after `bind(port 0)`, or the
    /// port `connect` chose): the tracepoint's filter gets that port.
    fn learned(&self, local: &str, fd: Option<i32>) {
        let tcp = fd.is_some_and(crate::trace::fds::is_tcp);
        if let (true, Ok(addr)) = (tcp, local.parse()) {
            self.with_states(true, |tp| tp.watch(addr, true, false));
        }
    }

    /// The packets the capture has seen since the last look, unless someone is already
    /// at it (another thread). `cause` names the syscall just made, for the pcapng
    /// comments.
    fn capture_events(&self, cause: Option<crate::capture::Cause>) -> Vec<Event> {
        let Some(capture) = &self.capture else {
            return Vec::new();
        };
        match capture.try_lock() {
            Ok(mut c) => c.drain(self.lang, self.verbose(), cause),
            Err(_) => Vec::new(),
        }
    }

    /// The kernel's state changes since the last look, as events, each with whether it
    /// happened in this process (during our call, so said after it).
    fn state_events(&self) -> Vec<(Event, bool)> {
        use crate::tracepoint::{cause, parse::What};
        let seen = self.with_states(false, |tp| tp.drain()).unwrap_or_default();
        seen.into_iter()
            .map(|s| {
                let reset_before = matches!(s.previous, Some((What::ReceivedReset, _)));
                let why = cause::of(&s, reset_before);
                let waited = s.previous.as_ref().map(|(_, t)| (s.t - t) * 1000.0);
                (cause::event(&s, why, waited, self.lang), s.here)
            })
            .collect()
    }

    /// Delivers packets and state changes in the order they happened.
    fn deliver_in_time_order(&self, mut events: Vec<Event>) {
        let when = |e: &Event| e.t.or(e.packet.as_ref().map(|p| p.time)).unwrap_or(0.0);
        events.sort_by(|a, b| when(a).total_cmp(&when(b)));
        for event in events {
            self.deliver(event);
        }
    }

    /// Ends the capture: the last packets (waiting up to `grace` for late ones such as
    /// delayed ACKs) and the last state changes, then, when `announce`, where the file is.
    pub fn finish_capture(&self, grace: std::time::Duration, announce: bool) {
        let (mut late, note) = match self.capture.as_ref().map(|c| c.lock()) {
            Some(Ok(mut c)) => {
                let (packets, note) = c.finish(self.lang, self.verbose(), grace);
                (packets, Some(note))
            }
            _ => (Vec::new(), None),
        };
        late.extend(self.state_events().into_iter().map(|(e, _)| e));
        // A last ACK on its way (LAST-ACK -> CLOSED) is waited for, within `grace`.
        let end = std::time::Instant::now() + grace;
        while self.states_unsettled() && std::time::Instant::now() < end {
            std::thread::sleep(std::time::Duration::from_millis(5));
            late.extend(self.state_events().into_iter().map(|(e, _)| e));
        }
        self.deliver_in_time_order(late);
        if let (true, Some(note)) = (announce, note) {
            self.note(note);
        }
    }

    /// Whether a connection of ours is about to change state on its own.
    fn states_unsettled(&self) -> bool {
        self.with_states(true, |tp| tp.unsettled()).unwrap_or(false)
    }

    /// Ends the kernel's tracepoint: its instance is removed.
    pub fn finish_states(&self) {
        self.with_states(true, |tp| tp.remove());
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
        if let (Some("getsockname"), Some(local), Some(0)) =
            (event.syscall, event.local.as_deref(), event.ret)
        {
            self.learned(local, event.fd);
        }
        if let (Some("socket" | "accept4" | "accept"), Some(fd)) = (event.syscall, event.ret) {
            if let Ok(mut seen) = self.probed.lock() {
                seen.remove(&(fd as i32)); // a new socket on this fd number
            }
        }
        // The kernel's state changes since the last look: those made after this call
        // began are said after its line (during it, or since), the others before. A call
        // narrated after the fact (raw-trace's, from strace) has no start: those made
        // in its process after the last one made elsewhere are said after it.
        let began = event.mono.filter(|_| is_syscall);
        let changes = self.state_events();
        let last_elsewhere = changes
            .iter()
            .filter(|(_, here)| !here)
            .filter_map(|(e, _)| e.t)
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut after, mut before): (Vec<Event>, Vec<Event>) = (Vec::new(), Vec::new());
        for (change, here) in changes {
            let t = change.t.unwrap_or(f64::NEG_INFINITY);
            let its_own = match began {
                Some(b) => change.mono.is_some_and(|m| m >= b),
                None => is_syscall && here && t > last_elsewhere,
            };
            match its_own {
                true => after.push(change),
                false => before.push(change),
            }
        }
        if event.kind != Some(Kind::Packet) && !is_syscall {
            before.extend(self.capture_events(None));
        }
        self.deliver_in_time_order(before);
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
            after.extend(self.capture_events(Some(crate::capture::Cause { syscall, text })));
        }
        self.deliver_in_time_order(after);
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
        let kernel = self.with_states(true, |_| ()).is_some();
        let change = match (kernel, probe.state) {
            (false, Some(now)) => self
                .probed
                .lock()
                .ok()
                .and_then(|mut seen| seen.insert(fd, now))
                .filter(|before| *before != now)
                .map(|before| (before, now)),
            _ => None,
        };
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
        if let Some((from, to)) = change {
            self.deliver(crate::tracepoint::cause::probed(fd, from, to, self.lang));
        }
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

    fn about_to(&self, syscall: &'static str, addr: SocketAddr, local: bool, tcp: bool) {
        Narrator::about_to(self, syscall, addr, local, tcp);
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
