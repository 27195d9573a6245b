//! The one shape of every syscall step: open a [`Call`], make the syscall, finish the
//! call with its result.
//!
//! ```text
//! let call = Call::new(n, "listen", fd, || format!("listen({fd}, {backlog})")).listens();
//! let result = sock.listen(backlog);                       // the syscall, once
//! call.finish(result.map_err(errno_of), |_| 0, |_| sentences::listen(backlog))
//! ```
//!
//! [`Call::finish`] is the only way a call ends, and the only place that decides what is
//! said about it:
//! - on success, the strace line `= ret`, the success sentence, and for a TCP socket its
//!   state after the call (one `getsockopt(TCP_INFO)`, narrated as a probe);
//! - on failure, the strace line `= -1 ERRNO (text)`, a sentence that says the call
//!   failed and why (never the success sentence), and an event carrying `errno` and
//!   `ret = -1`; the [`Failure`] returned names the syscall and the errno.
//!
//! What a call does to the process's descriptors is said when the call is opened, and
//! the fd table ([`crate::trace::fds`]) is updated by `finish`, never by hand: `makes(kind)` (the
//! fd it returns is a socket of that kind), `listens()`, `closes()`, `forks()`.

#![forbid(unsafe_code)]

use crate::trace::event::Event;
use crate::trace::failure::Failure;
use crate::trace::fds::{self, SocketKind};
use crate::trace::strace;
use crate::trace::tcp_state::{self, Probe};
use crate::trace::text::Text;
use nix::errno::Errno;
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::panic::Location;

/// Who a [`Call`] reports to: the narrator (a layer above, which renders the sentence in
/// its language and gives the event to its views). A call asks it only what it needs.
pub trait Emitter {
    /// Whether calls are said at all (their strace text rendered): the narration is
    /// shown, or `--step` asks before each call.
    fn says_calls(&self) -> bool;
    /// Whether the TCP state is read after a call on a TCP socket (the narration is
    /// shown: the extra `getsockopt(TCP_INFO)` is made only for a reader).
    fn reads_states(&self) -> bool;
    /// Whether any view wants syscall events (a counter does, under `-qq` too).
    fn hears_calls(&self) -> bool;
    /// `--step`: the call about to be made; returns when the user says go on.
    fn before(&self, call: &str);
    /// A call is about to name `addr` (its local address when `local`), on a TCP socket
    /// when `tcp`.
    fn about_to(&self, syscall: &'static str, addr: SocketAddr, local: bool, tcp: bool);
    /// A call finished: its event, its strace line (`None` when no one reads it), and
    /// what it meant.
    fn called(&self, syscall: &'static str, call: Option<String>, event: Event, meaning: Meaning);
    /// The state read after a call (one `getsockopt(TCP_INFO)`).
    fn probe(&self, fd: RawFd, probe: Probe);
}

/// What a finished call meant, in no language yet.
#[derive(Debug)]
pub enum Meaning {
    /// It succeeded: the success sentence.
    Succeeded(Text),
    /// It failed with `errno`; `why` says what that means here when the program expects it.
    Failed {
        /// The errno.
        errno: Errno,
        /// What the program makes of it ("harmless, calling accept again").
        why: Option<Text>,
    },
    /// Nobody reads the sentence (the event goes to the counters only).
    Unsaid,
}

/// What a call does to the fd table when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Nothing (reads or writes through an fd, asks the kernel something).
    None,
    /// Returns a new fd: a socket of this kind.
    Makes(SocketKind),
    /// The fd starts listening.
    Listens,
    /// The fd is closed (forgotten whatever the result: `close(2)` frees the number even
    /// when it reports an error).
    Closes,
    /// The process is copied (`fork`): each process's sockets are now shared.
    Forks,
}

/// One syscall on its way: its name, the fd it acts on, its arguments as strace prints
/// them (rendered once, and only when someone will read them), and the source line of
/// the lab that made it.
pub struct Call<'n> {
    n: &'n dyn Emitter,
    name: &'static str,
    fd: RawFd,
    args: Option<String>,
    event: Event,
    source: &'static Location<'static>,
    effect: Effect,
    state: bool,
    why: Option<Box<dyn FnOnce(Errno) -> Option<Text> + 'n>>,
}

impl std::fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("name", &self.name)
            .field("fd", &self.fd)
            .field("args", &self.args)
            .finish_non_exhaustive()
    }
}

impl<'n> Call<'n> {
    /// Opens the record of one `name` call on `fd` (`-1` when it acts on none).
    /// `args` renders the call as strace prints it, without ` = ret`; it runs only when
    /// the narration is shown (never with `-q`/`-qq`: the echo's hot path stays
    /// free of formatting). With `--step`, the program says the call and waits here.
    #[track_caller]
    pub fn new(
        n: &'n dyn Emitter,
        name: &'static str,
        fd: RawFd,
        args: impl FnOnce() -> String,
    ) -> Call<'n> {
        let args = n.says_calls().then(args);
        if let Some(text) = &args {
            n.before(text); // --step: say what comes, wait for Enter
        }
        // When the call is made: the kernel's state changes from then on are its own
        // (said after its line), the earlier ones before it.
        let said = args.is_some();
        let t = said.then(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64())
        });
        let mono = said
            .then(|| nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).ok())
            .flatten()
            .map(|ts| ts.tv_sec() as f64 + ts.tv_nsec() as f64 / 1e9);
        Call {
            n,
            name,
            fd,
            args,
            event: Event {
                t,
                mono,
                ..Event::default()
            },
            source: Location::caller(),
            effect: Effect::None,
            state: true,
            why: None,
        }
    }

    /// The call returns a new fd, a socket of `kind` (`socket`, `accept4`): recorded in
    /// the fd table, and the state read on it.
    pub fn makes(mut self, kind: SocketKind) -> Call<'n> {
        self.effect = Effect::Makes(kind);
        self
    }

    /// The call makes `fd` a listening socket (`listen`).
    pub fn listens(mut self) -> Call<'n> {
        self.effect = Effect::Listens;
        self
    }

    /// The call closes `fd` (`close`): forgotten, and no state read after it.
    pub fn closes(mut self) -> Call<'n> {
        self.effect = Effect::Closes;
        self.state = false;
        self
    }

    /// The call copies the process (`fork`, as `clone`): narrated in the parent, the
    /// copies marked in both processes' tables (see [`Call::in_child`]).
    pub fn forks(mut self) -> Call<'n> {
        self.effect = Effect::Forks;
        self.state = false;
        self
    }

    /// The `fork` opened here returned 0: this is the child, which says nothing about the
    /// call (strace shows it once, in the parent); its table marks the parent's copies.
    pub fn in_child(self) {
        fds::forked(true);
    }

    /// No TCP state is read after this call: it only asks the kernel something
    /// (`getsockname`), or the fd is not a socket of ours (`epoll_ctl`, `wait4`), or
    /// another thread owns the socket and may close it any moment.
    pub fn stateless(mut self) -> Call<'n> {
        self.state = false;
        self
    }

    /// What a failure with a given errno means here, when the program expects it
    /// ("harmless, calling accept again"): said after "failed: ERRNO (text)".
    pub fn why(mut self, why: impl FnOnce(Errno) -> Option<Text> + 'n) -> Call<'n> {
        self.why = Some(Box::new(why));
        self
    }

    /// The call names `addr` as its local address (`bind`): the event carries it, and the
    /// narrator is told before the call is made (`--capture` watches that port; on WSL2,
    /// binding every interface earns a warning).
    pub fn local(mut self, addr: SocketAddr) -> Call<'n> {
        let tcp = crate::trace::fds::is_tcp(self.fd);
        self.n.about_to(self.name, addr, true, tcp);
        self.event.local = Some(addr.to_string());
        self
    }

    /// The call names `addr` as its peer (`connect`, `sendto`): the event carries it, and
    /// the narrator is told before the call is made (`--capture` watches that port
    /// before the SYN or the datagram leaves).
    pub fn peer(mut self, addr: SocketAddr) -> Call<'n> {
        let tcp = crate::trace::fds::is_tcp(self.fd);
        self.n.about_to(self.name, addr, false, tcp);
        self.event.peer = Some(addr.to_string());
        self
    }

    /// The fd the call acts on, once known.
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
    /// as a failure: the strace line `= -1 ERRNO (text)` (or strace's restart code for
    /// an interrupted call), the sentence "failed: ERRNO (text)" followed by what
    /// [`Call::why`] says, and an event carrying `errno` and `ret = -1`. The fd table is
    /// updated as the call was opened to say.
    pub fn finish<T, R: std::fmt::Display>(
        mut self,
        result: Result<T, Errno>,
        ret: impl FnOnce(&T) -> R,
        say: impl FnOnce(&T) -> Text,
    ) -> Result<T, Failure> {
        if self.effect == Effect::Closes {
            fds::forget(self.fd);
        }
        match result {
            Ok(value) => {
                // strace's return value, rendered only when someone reads it (or when it
                // is the new fd).
                let makes = matches!(self.effect, Effect::Makes(_));
                let ret = if self.args.is_some() || makes {
                    ret(&value).to_string()
                } else {
                    String::new()
                };
                match self.effect {
                    Effect::Makes(kind) => {
                        if let Some(fd) = leading_number(&ret) {
                            self.fd = fd as RawFd;
                            fds::made(self.fd, kind);
                        }
                    }
                    Effect::Listens => fds::listens(self.fd),
                    Effect::Forks => fds::forked(false),
                    Effect::None | Effect::Closes => {}
                }
                self.succeeded(ret, || say(&value));
                Ok(value)
            }
            Err(errno) => Err(self.failed(errno)),
        }
    }

    /// [`Call::finish`] for a call that never returns (`exit_group`): said before it is
    /// made, with strace's `= ?`.
    pub fn never_returns(self, say: impl FnOnce() -> Text) {
        self.stateless().succeeded("?".to_string(), say);
    }

    /// The call returned `ret`: the strace line, the sentence, and the socket's TCP state
    /// after it when the fd is a TCP socket.
    fn succeeded(self, ret: String, sentence: impl FnOnce() -> Text) {
        if !self.n.hears_calls() {
            return;
        }
        let mut event = self.event;
        event.fd = (self.fd >= 0).then_some(self.fd).or(event.fd);
        event.ret = leading_number(&ret);
        let Some(args) = self.args else {
            // Nobody prints the call (-q, -qq): the event still reaches the views that count.
            self.n.called(self.name, None, event, Meaning::Unsaid);
            return;
        };
        event.source = Some(format!("{}:{}", self.source.file(), self.source.line()));
        let probe = (self.state && self.n.reads_states() && self.fd >= 0 && fds::is_tcp(self.fd))
            .then(|| tcp_state::probe(self.fd));
        event.state = probe.as_ref().and_then(|p| p.state);
        let line = format!("{args} = {ret}");
        self.n
            .called(self.name, Some(line), event, Meaning::Succeeded(sentence()));
        if let Some(p) = probe {
            self.n.probe(self.fd, p);
        }
    }

    /// The call failed with `errno`. Returns the [`Failure`], naming the syscall as its
    /// man page does.
    fn failed(self, errno: Errno) -> Failure {
        let failure = Failure::sys(man_page_name(self.name), errno);
        if !self.n.hears_calls() {
            return failure;
        }
        let mut event = self.event;
        event.fd = (self.fd >= 0).then_some(self.fd).or(event.fd);
        event.ret = Some(-1);
        event.errno = Some(format!("{errno:?}"));
        let Some(args) = self.args else {
            self.n.called(self.name, None, event, Meaning::Unsaid);
            return failure;
        };
        event.source = Some(format!("{}:{}", self.source.file(), self.source.line()));
        let why = self.why.and_then(|why| why(errno));
        let line = format!("{args} = {}", strace::failed_in(self.name, errno));
        self.n
            .called(self.name, Some(line), event, Meaning::Failed { errno, why });
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
