//! The classic mistakes a trace proves, named after the run with the strace line that
//! shows each one and the fix.
//!
//! | id | what the trace shows |
//! |---|---|
//! | `no-reuseaddr` | `bind` = `EADDRINUSE` on a TCP socket that never set `SO_REUSEADDR`, while only old connections (TIME-WAIT) held the port |
//! | `eof-ignored` | `recv`/`read` returned 0 (end of stream) and the program read the same socket again: a spin |
//! | `short-send` | `send`/`write` took fewer bytes than offered and nothing more was ever sent on that socket |
//! | `zombie` | a child process ended and its parent never reaped it (no `wait4`/`waitid` returned it) |
//! | `localhost-ipv6` | `connect` to `[::1]:P` refused while a server listened on IPv4 port P (`localhost` tried `::1` first) |
//! | `udp-truncated` | a UDP `recvfrom` filled its whole buffer (or `MSG_TRUNC` said the datagram was larger) |
//! | `blocked-accept` | a server sat blocked reading one client while finished connections waited in its accept queue |
//!
//! This module only keeps the observations the tracer hands it and decides, at the
//! end, what to report; it reads nothing itself, so each rule is tested on its own.
//! Each mistake is reported once (per socket, port or child), however often it shows.
//!
//! Each rule is in a file of its own, with the mistake it detects and the lines that
//! prove it: `reuseaddr.rs`, `eof.rs`, `short_send.rs`, `zombie.rs`,
//! `localhost_ipv6.rs`, `udp_truncated.rs`, `blocked_accept.rs`. This file holds what
//! they share: the mistakes, what a finding says, and how findings are kept, each
//! once, and handed back at the end.

#![forbid(unsafe_code)]

mod blocked_accept;
mod eof;
mod localhost_ipv6;
mod reuseaddr;
mod short_send;
mod udp_truncated;
mod zombie;

pub use blocked_accept::STALL_AFTER;
pub use zombie::ZOMBIE_AFTER;

use eof::AfterEof;
use raw_core::text;
use raw_core::Lang;
use short_send::Short;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Instant;
use zombie::ChildProc;

/// Which mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mistake {
    /// `bind` failed with `EADDRINUSE` and `SO_REUSEADDR` was never set.
    NoReuseaddr,
    /// `recv` returned 0 and the program called it again on that socket.
    EofIgnored,
    /// A short `send` whose rest was never sent.
    ShortSend,
    /// A child that ended and was never reaped.
    Zombie,
    /// `connect` to `::1` refused while an IPv4 server listened on the port.
    LocalhostIpv6,
    /// A UDP datagram cut to the receive buffer.
    UdpTruncated,
    /// A blocking server that did not return to `accept` while one client was idle.
    BlockedAccept,
}

impl Mistake {
    /// The mistake's short name, as the output and the docs name it.
    pub fn id(self) -> &'static str {
        match self {
            Mistake::NoReuseaddr => "no-reuseaddr",
            Mistake::EofIgnored => "eof-ignored",
            Mistake::ShortSend => "short-send",
            Mistake::Zombie => "zombie",
            Mistake::LocalhostIpv6 => "localhost-ipv6",
            Mistake::UdpTruncated => "udp-truncated",
            Mistake::BlockedAccept => "blocked-accept",
        }
    }
}

/// The numbers a finding's sentences need.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    /// Port, and the TIME-WAIT connections that held it (local, remote).
    NoReuseaddr {
        /// The port bind asked for.
        port: u16,
        /// The connections on it in TIME-WAIT when bind failed.
        time_wait: Vec<(SocketAddr, SocketAddr)>,
    },
    /// How many reads came after the end of stream.
    EofIgnored {
        /// The call (`recvfrom`, `read`).
        call: &'static str,
        /// The socket.
        fd: i32,
        /// Reads after the first 0.
        repeats: usize,
    },
    /// The short send.
    ShortSend {
        /// The call (`sendto`, `write`).
        call: &'static str,
        /// The socket.
        fd: i32,
        /// Bytes taken.
        count: usize,
        /// Bytes offered.
        offered: usize,
    },
    /// The children a parent never reaped.
    Zombie {
        /// Their pids.
        children: Vec<u32>,
    },
    /// The refused IPv6 connect and the IPv4 server.
    LocalhostIpv6 {
        /// The port.
        port: u16,
        /// Where the IPv4 server listened.
        v4: SocketAddr,
    },
    /// The cut datagram.
    UdpTruncated {
        /// The socket.
        fd: i32,
        /// Bytes returned (the datagram's real size when `sure`).
        count: usize,
        /// The buffer.
        offered: usize,
        /// Whether `MSG_TRUNC` proved the cut (else the buffer was only full).
        sure: bool,
    },
    /// The stalled server.
    BlockedAccept {
        /// The listening socket.
        listener: i32,
        /// Its address.
        local: Option<SocketAddr>,
        /// The socket the server was reading.
        reader: i32,
        /// The call it was blocked in (`recvfrom`, `read`).
        call: &'static str,
        /// The most connections seen waiting.
        queued: u32,
    },
}

/// One mistake, with the lines that prove it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Which mistake.
    pub mistake: Mistake,
    /// The process (or thread) that made it.
    pub pid: u32,
    /// The strace lines that prove it (without the pid), most telling first.
    pub proof: Vec<String>,
    /// The numbers.
    pub detail: Detail,
}

impl Finding {
    /// What went wrong, in one paragraph.
    pub fn what(&self, lang: Lang) -> String {
        let pid = self.pid;
        match &self.detail {
            Detail::NoReuseaddr { port, time_wait } => no_reuseaddr(lang, port, time_wait),
            Detail::EofIgnored { call, fd, repeats } => lang.say(text!(
                "trace-lints-fd-returned-0-end-stream",
                call,
                fd,
                repeats
            )),
            Detail::ShortSend {
                call,
                fd,
                count,
                offered,
            } => lang.say(text!(
                "trace-lints-fd-took-only-bytes-socket",
                call,
                fd,
                count,
                offered,
                saturating_sub = offered.saturating_sub(*count)
            )),
            Detail::Zombie { children } => zombie(lang, pid, children),
            Detail::LocalhostIpv6 { port, v4 } => {
                lang.say(text!("trace-lints-connect-1-ipv6-loopback-which", port, v4))
            }
            Detail::UdpTruncated {
                fd,
                count,
                offered,
                sure,
            } => udp_truncated(lang, fd, count, offered, sure),
            Detail::BlockedAccept {
                listener,
                local,
                reader,
                call,
                queued,
            } => blocked_accept(lang, pid, listener, local, reader, call, queued),
        }
    }

    /// How to fix it.
    pub fn fix(&self, lang: Lang) -> String {
        match self.mistake {
            Mistake::NoReuseaddr => lang.say(text!("trace-lints-set-so-reuseaddr-before-bind")),
            Mistake::EofIgnored => lang.say(text!("trace-lints-when-recv-returns-0-bytes")),
            Mistake::ShortSend => lang.say(text!("trace-lints-send-until-every-byte-taken")),
            Mistake::Zombie => lang.say(text!("trace-lints-reap-every-child-sigchld-call")),
            Mistake::LocalhostIpv6 => lang.say(text!("trace-lints-connect-127-0-0-1")),
            Mistake::UdpTruncated => lang.say(text!("trace-lints-give-recvfrom-buffer-as-large")),
            Mistake::BlockedAccept => lang.say(text!("trace-lints-serve-each-client-apart-from")),
        }
        .to_string()
    }
}

/// What `no-reuseaddr` says: the port, and who held it.
fn no_reuseaddr(lang: Lang, port: &u16, time_wait: &[(SocketAddr, SocketAddr)]) -> String {
    let held = if time_wait.is_empty() {
        lang.say(text!("trace-lints-old-connections-kernel-keeps-after"))
    } else {
        let list: Vec<String> = time_wait
            .iter()
            .map(|(l, r)| format!("{l} ↔ {r}"))
            .collect();
        lang.say(text!(
            "trace-lints-connections-time-wait",
            list = list.join(", ")
        ))
    };
    lang.say(text!(
        "trace-lints-bind-port-failed-with-eaddrinuse",
        port,
        held
    ))
}

/// What `zombie` says: the parent, and the children it left.
fn zombie(lang: Lang, pid: u32, children: &[u32]) -> String {
    let list: Vec<String> = children.iter().map(u32::to_string).collect();
    let list = list.join(", ");
    let count = children.len();
    lang.say(text!(
        "trace-lints-process-state-z-ps-while",
        pid,
        count,
        list
    ))
}

/// What `udp-truncated` says: proved cut (`sure`, by `MSG_TRUNC`), or a full buffer.
fn udp_truncated(lang: Lang, fd: &i32, count: &usize, offered: &usize, sure: &bool) -> String {
    if *sure {
        lang.say(text!(
            "trace-lints-recvfrom-udp-fd-offered-buffer",
            fd,
            offered,
            count
        ))
    } else {
        lang.say(text!(
            "trace-lints-recvfrom-udp-fd-filled-whole",
            fd,
            offered
        ))
    }
}

/// What `blocked-accept` says: who sat blocked in which read while how many waited.
fn blocked_accept(
    lang: Lang,
    pid: u32,
    listener: &i32,
    local: &Option<SocketAddr>,
    reader: &i32,
    call: &&'static str,
    queued: &u32,
) -> String {
    let local = local.map(|a| format!(" ({a})")).unwrap_or_default();
    let seconds = STALL_AFTER.as_secs();
    lang.say(text!(
        "trace-lints-while-pid-sat-blocked-waiting",
        pid,
        call,
        reader,
        queued,
        listener,
        local,
        seconds
    ))
}

/// Everything seen so far that may prove a mistake. Sockets are named by an identity
/// that survives `fork` (the same socket in parent and child), not by fd number.
#[derive(Debug, Default)]
pub struct Lints {
    findings: Vec<Finding>,
    after_eof: HashMap<u64, AfterEof>,
    short: HashMap<u64, Short>,
    children: Vec<ChildProc>,
    exits: HashMap<u32, Instant>,
    seen: HashSet<(Mistake, u64)>,
    stalls: HashMap<u64, (Instant, u32)>,
    /// (pid, fd) of a blocked read whose line is still to come, with the finding.
    pending_proof: HashMap<(u32, i32), usize>,
}

impl Lints {
    /// Nothing seen yet.
    pub fn new() -> Lints {
        Lints::default()
    }

    fn report(&mut self, key: u64, finding: Finding) -> Option<usize> {
        if !self.seen.insert((finding.mistake, key)) {
            return None;
        }
        self.findings.push(finding);
        Some(self.findings.len() - 1)
    }

    /// The trace is over: every mistake found, in the order they happened.
    pub fn finish(mut self, now: Instant) -> Vec<Finding> {
        let mut late = Vec::new();
        late.extend(self.eof_findings());
        late.extend(self.short_findings());
        // One finding per parent, naming every child it left unreaped.
        late.extend(self.zombie_findings(now));
        late.sort_by_key(|f| (f.pid, f.mistake.id()));
        self.findings.extend(late);
        self.findings
    }
}

/// Now, for the rules' tests.
#[cfg(test)]
const T: fn() -> Instant = Instant::now;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every finding reads in both languages, with the numbers in it.
    #[test]
    fn sentences_in_both_languages() {
        let f = Finding {
            mistake: Mistake::ShortSend,
            pid: 1,
            proof: vec![],
            detail: Detail::ShortSend {
                call: "sendto",
                fd: 3,
                count: 100,
                offered: 1000,
            },
        };
        assert!(f
            .what(Lang::En)
            .starts_with("sendto on fd 3 took only 100 of 1000"));
        assert!(f.what(Lang::En).contains("900 bytes silently lost"));
        assert!(f.what(Lang::PtBr).contains("900 bytes perdidos"));
        assert!(f.fix(Lang::PtBr).contains("sendall"));
    }
}
