//! The one shape of every syscall step: open a [`Call`], make the syscall, finish the
//! call with its result.
//!
//! ```text
//! let call = Call::new(n, "listen", fd, || format!("listen({fd}, {backlog})"));
//! let result = sock.listen(backlog);                       // the syscall, once
//! call.finish(result.map_err(errno_of), |_| 0, |_| n.say(text!("record-listening")))
//! ```
//!
//! [`Call::finish`] is the only place that decides what is said about a call:
//! - on success, the strace line `= ret`, the success sentence, and for a TCP socket its
//!   state after the call (one `getsockopt(TCP_INFO)`, narrated as a probe);
//! - on failure, the strace line `= -1 ERRNO (text)`, a sentence that says the call
//!   failed and why (never the success sentence), and an event carrying `errno` and
//!   `ret = -1`; the [`Failure`] returned names the syscall and the errno.
//!
//! Whether a socket is TCP comes from the socket itself: [`socket_is`] records the
//! kind when `socket(2)` or `accept4(2)` makes the fd, [`forget`] when it is closed.

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::narrate::{Event, Narrator};
use crate::strace;
use crate::tcp_state;
use nix::errno::Errno;
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::panic::Location;
use std::sync::{Mutex, OnceLock};

/// What kind of socket an fd of this process is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketKind {
    /// `SOCK_STREAM` over IP: TCP, with a state to read after each step.
    Tcp,
    /// `SOCK_DGRAM` over IP: UDP, no connection, no state.
    Udp,
}

fn kinds() -> &'static Mutex<HashMap<RawFd, SocketKind>> {
    static KINDS: OnceLock<Mutex<HashMap<RawFd, SocketKind>>> = OnceLock::new();
    KINDS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Records that `fd` is a socket of `kind` (called by the steps that make sockets).
pub fn socket_is(fd: RawFd, kind: SocketKind) {
    if let Ok(mut k) = kinds().lock() {
        k.insert(fd, kind);
    }
}

/// Forgets `fd` (it was closed: the number may come back for another file).
pub fn forget(fd: RawFd) {
    if let Ok(mut k) = kinds().lock() {
        k.remove(&fd);
    }
    if let Ok(mut l) = listening().lock() {
        l.remove(&fd);
    }
}

fn listening() -> &'static Mutex<std::collections::HashSet<RawFd>> {
    static LISTENING: OnceLock<Mutex<std::collections::HashSet<RawFd>>> = OnceLock::new();
    LISTENING.get_or_init(|| Mutex::new(std::collections::HashSet::new()))
}

/// Records that `fd` listens (`listen(2)` succeeded on it).
pub fn listens(fd: RawFd) {
    if let Ok(mut l) = listening().lock() {
        l.insert(fd);
    }
}

/// Whether `fd` is a listening socket of ours.
pub fn is_listening(fd: RawFd) -> bool {
    listening().lock().is_ok_and(|l| l.contains(&fd))
}

/// The kind of socket `fd` is, when one of our steps made it.
pub fn kind_of(fd: RawFd) -> Option<SocketKind> {
    kinds().lock().ok().and_then(|k| k.get(&fd).copied())
}

/// Whether `fd` is a TCP socket made by our steps.
pub fn is_tcp(fd: RawFd) -> bool {
    kind_of(fd) == Some(SocketKind::Tcp)
}

/// Every syscall the steps of this process made (or tried), narrated or not: what
/// `raw-bench costs` divides by the round trips, and checks against `strace -c`.
static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many syscalls the steps of this process have made so far.
pub fn calls_made() -> u64 {
    CALLS.load(std::sync::atomic::Ordering::Relaxed)
}

/// One syscall on its way: its name, the fd it acts on, its arguments as strace prints
/// them (rendered once, and only when someone will read them), and the source line of
/// the lab that made it.
#[derive(Debug)]
pub struct Call<'n> {
    n: &'n Narrator,
    name: &'static str,
    fd: RawFd,
    args: Option<String>,
    event: Event,
    source: &'static Location<'static>,
}

impl<'n> Call<'n> {
    /// Opens the record of one `name` call on `fd` (`-1` when it acts on none).
    /// `args` renders the call as strace prints it, without ` = ret`; it runs only when
    /// the narration is shown (never with `-q`/`-qq`: the echo's hot path stays
    /// free of formatting). With `--step`, the program says the call and waits here.
    #[track_caller]
    pub fn new(
        n: &'n Narrator,
        name: &'static str,
        fd: RawFd,
        args: impl FnOnce() -> String,
    ) -> Call<'n> {
        CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let args = (n.verbose() || n.step).then(args);
        if let Some(text) = &args {
            n.before(|| text.clone()); // --step: say what comes, wait for Enter
        }
        Call {
            n,
            name,
            fd,
            args,
            event: Event::default(),
            source: Location::caller(),
        }
    }

    /// The fd the call acts on, once known (`socket` and `accept4` return it).
    pub fn on_fd(mut self, fd: RawFd) -> Call<'n> {
        self.fd = fd;
        self
    }

    /// Replaces the arguments with what the kernel filled in (an address, the bytes
    /// read): strace prints a call's output arguments after it returns.
    pub fn filled(mut self, render: impl FnOnce() -> String) -> Call<'n> {
        if self.args.is_some() {
            self.args = Some(render());
        }
        self
    }

    /// Adds fields to the event (`peer`, `local`, `bytes`, ...), when it is shown.
    pub fn with(mut self, fill: impl FnOnce(&mut Event)) -> Call<'n> {
        if self.args.is_some() {
            fill(&mut self.event);
        }
        self
    }

    /// Finishes the call: `Ok(value)` is said with `ret(&value)` as strace's return value
    /// and the sentence `say(&value)` (then the TCP state, for a TCP socket); `Err(errno)`
    /// with [`Call::failed`], no `why`.
    pub fn finish<T, R: std::fmt::Display>(
        self,
        result: Result<T, Errno>,
        ret: impl FnOnce(&T) -> R,
        say: impl Fn(&T) -> crate::catalog::Text,
    ) -> Result<T, Failure> {
        match result {
            Ok(value) => {
                self.succeeded(ret(&value), || say(&value));
                Ok(value)
            }
            Err(errno) => Err(self.failed(errno, None)),
        }
    }

    /// The call returned `ret`: the strace line, the sentence, and the socket's TCP state
    /// after it when the fd is a TCP socket.
    pub fn succeeded(
        self,
        ret: impl std::fmt::Display,
        sentence: impl FnOnce() -> crate::catalog::Text,
    ) {
        self.succeeded_with(ret, sentence, true);
    }

    /// Like [`Call::succeeded`], without reading the state: for calls that only ask the
    /// kernel something (`getsockname`) or after which the fd no longer exists (`close`).
    pub fn succeeded_stateless(
        self,
        ret: impl std::fmt::Display,
        sentence: impl FnOnce() -> crate::catalog::Text,
    ) {
        self.succeeded_with(ret, sentence, false);
    }

    fn succeeded_with(
        self,
        ret: impl std::fmt::Display,
        sentence: impl FnOnce() -> crate::catalog::Text,
        with_state: bool,
    ) {
        let Some(args) = self.args else { return };
        if !self.n.verbose() {
            return;
        }
        let ret = ret.to_string();
        let probe =
            (with_state && self.fd >= 0 && is_tcp(self.fd)).then(|| tcp_state::probe(self.fd));
        let mut event = self.event;
        event.fd = (self.fd >= 0).then_some(self.fd).or(event.fd);
        event.ret = leading_number(&ret);
        event.state = probe.as_ref().and_then(|p| p.state);
        let sentence = sentence();
        event.text = sentence.render(self.n.lang);
        if self.n.bilingual {
            event.text_other = Some(sentence.render(self.n.lang.other()));
        }
        event.source = Some(format!("{}:{}", self.source.file(), self.source.line()));
        self.n.syscall(self.name, format!("{args} = {ret}"), event);
        if let Some(p) = probe {
            self.n.probe(self.fd, p);
        }
    }

    /// The call failed with `errno`: the strace line `= -1 ERRNO (text)` (or strace's
    /// restart code for an interrupted call), the sentence "failed: ERRNO (text)"
    /// followed by `why` when the program expects this errno here ("harmless, calling
    /// accept again"), and an event carrying `errno` and `ret = -1`. Returns the
    /// [`Failure`], naming the syscall as its man page does.
    pub fn failed(self, errno: Errno, why: Option<crate::catalog::Text>) -> Failure {
        let failure = Failure::sys(man_page_name(self.name), errno);
        let Some(args) = self.args else {
            return failure;
        };
        if !self.n.verbose() {
            return failure;
        }
        let lang = self.n.lang;
        let sentence = crate::sentences::failed(self.name, errno, why);
        let text = sentence.render(lang);
        let text_other = self.n.bilingual.then(|| sentence.render(lang.other()));
        let mut event = self.event;
        event.fd = (self.fd >= 0).then_some(self.fd).or(event.fd);
        event.ret = Some(-1);
        event.errno = Some(format!("{errno:?}"));
        event.text = text;
        event.text_other = text_other;
        event.source = Some(format!("{}:{}", self.source.file(), self.source.line()));
        self.n.syscall(
            self.name,
            format!("{args} = {}", strace::failed_in(self.name, errno)),
            event,
        );
        failure
    }
}

/// The number a return value starts with: `1` of `1 ([{fd=5, revents=POLLIN}])`.
pub fn leading_number(ret: &str) -> Option<i64> {
    ret.split_whitespace().next()?.parse().ok()
}

/// The name of a syscall as the failure message says it: strace's name, except where
/// glibc's wrapper has a man page of its own (`accept4` → `accept`).
fn man_page_name(name: &'static str) -> &'static str {
    match name {
        "accept4" => "accept",
        other => other,
    }
}

/// An `io::Error` from socket2 or std as the errno it carries.
pub fn errno_of(err: &std::io::Error) -> Errno {
    Errno::from_raw(err.raw_os_error().unwrap_or(Errno::EIO as i32))
}
