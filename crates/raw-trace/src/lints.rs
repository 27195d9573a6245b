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

#![forbid(unsafe_code)]

use raw_core::text;
use raw_core::Lang;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long a parent must outlive a child it did not reap before we call it a zombie
/// (a parent that exits at once leaves its child to init, which reaps it).
pub const ZOMBIE_AFTER: Duration = Duration::from_millis(100);

/// How long connections must wait in the accept queue, with the server blocked on one
/// client, to count as a stalled server.
pub const STALL_AFTER: Duration = Duration::from_secs(1);

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
            Detail::NoReuseaddr { port, time_wait } => {
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
            Detail::Zombie { children } => {
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
            Detail::LocalhostIpv6 { port, v4 } => {
                lang.say(text!("trace-lints-connect-1-ipv6-loopback-which", port, v4))
            }
            Detail::UdpTruncated {
                fd,
                count,
                offered,
                sure: true,
            } => lang.say(text!(
                "trace-lints-recvfrom-udp-fd-offered-buffer",
                fd,
                offered,
                count
            )),
            Detail::UdpTruncated { fd, offered, .. } => lang.say(text!(
                "trace-lints-recvfrom-udp-fd-filled-whole",
                fd,
                offered
            )),
            Detail::BlockedAccept {
                listener,
                local,
                reader,
                call,
                queued,
            } => {
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

/// A read that returned 0 on a stream socket, and what came after.
#[derive(Debug)]
struct AfterEof {
    call: &'static str,
    pid: u32,
    fd: i32,
    first: String,
    repeats: usize,
    again: Option<String>,
}

/// A send that took less than offered.
#[derive(Debug)]
struct Short {
    call: &'static str,
    pid: u32,
    fd: i32,
    line: String,
    count: usize,
    offered: usize,
}

/// A child process and what became of it.
#[derive(Debug)]
struct ChildProc {
    parent: u32,
    pid: u32,
    line: String,
    ended: Option<(String, Instant)>,
    reaped: bool,
    auto_reaped: bool,
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

    /// `bind` failed with `EADDRINUSE` on a TCP socket. `reuseaddr`: whether it set
    /// `SO_REUSEADDR`; `listener`: whether a socket listened on the port then;
    /// `time_wait`: the port's connections in TIME-WAIT then.
    pub fn bind_in_use(
        &mut self,
        pid: u32,
        line: &str,
        port: u16,
        reuseaddr: bool,
        listener: bool,
        time_wait: Vec<(SocketAddr, SocketAddr)>,
    ) {
        if reuseaddr || listener {
            return; // SO_REUSEADDR would not have helped: another server holds the port
        }
        self.report(
            u64::from(port),
            Finding {
                mistake: Mistake::NoReuseaddr,
                pid,
                proof: vec![line.to_string()],
                detail: Detail::NoReuseaddr { port, time_wait },
            },
        );
    }

    /// A read (`call`) on stream socket `sock` (fd `fd`) returned `count` bytes.
    pub fn stream_read(
        &mut self,
        call: &'static str,
        sock: u64,
        pid: u32,
        fd: i32,
        line: &str,
        count: usize,
    ) {
        if let Some(eof) = self.after_eof.get_mut(&sock) {
            eof.repeats += 1;
            if eof.again.is_none() {
                eof.again = Some(line.to_string());
            }
            return;
        }
        if count == 0 {
            self.after_eof.insert(
                sock,
                AfterEof {
                    call,
                    pid,
                    fd,
                    first: line.to_string(),
                    repeats: 0,
                    again: None,
                },
            );
        }
    }

    /// A send (`call`) on stream socket `sock` took `count` of `offered` bytes.
    #[allow(clippy::too_many_arguments)]
    pub fn stream_send(
        &mut self,
        call: &'static str,
        sock: u64,
        pid: u32,
        fd: i32,
        line: &str,
        count: usize,
        offered: usize,
    ) {
        if count < offered {
            self.short.insert(
                sock,
                Short {
                    call,
                    pid,
                    fd,
                    line: line.to_string(),
                    count,
                    offered,
                },
            );
        } else {
            self.short.remove(&sock);
        }
    }

    /// `parent` made the child process `pid` (`line`: the clone/fork line).
    pub fn child(&mut self, parent: u32, pid: u32, line: &str) {
        self.children.push(ChildProc {
            parent,
            pid,
            line: line.to_string(),
            ended: None,
            reaped: false,
            auto_reaped: false,
        });
    }

    /// A traced process ended (`line`: `+++ exited with 0 +++`). `parent_ignores`:
    /// whether its parent ignores SIGCHLD (the kernel reaps for it).
    pub fn exited(&mut self, pid: u32, line: &str, at: Instant, parent_ignores: bool) {
        self.exits.insert(pid, at);
        if let Some(c) = self
            .children
            .iter_mut()
            .rev()
            .find(|c| c.pid == pid && c.ended.is_none())
        {
            c.ended = Some((line.to_string(), at));
            c.auto_reaped = parent_ignores;
        }
    }

    /// `parent`'s `wait4`/`waitid` returned `pid`.
    pub fn reaped(&mut self, parent: u32, pid: u32) {
        if let Some(c) = self
            .children
            .iter_mut()
            .rev()
            .find(|c| c.pid == pid && c.parent == parent)
        {
            c.reaped = true;
        }
    }

    /// `connect` to `[::1]:port` was refused; `v4`: an IPv4 listener on that port.
    pub fn refused_v6(&mut self, pid: u32, line: &str, port: u16, v4: Option<SocketAddr>) {
        let Some(v4) = v4 else { return };
        self.report(
            u64::from(port),
            Finding {
                mistake: Mistake::LocalhostIpv6,
                pid,
                proof: vec![line.to_string()],
                detail: Detail::LocalhostIpv6 { port, v4 },
            },
        );
    }

    /// A read on UDP socket `sock` returned `count` bytes into `offered`; `trunc`:
    /// whether `MSG_TRUNC` was reported.
    #[allow(clippy::too_many_arguments)]
    pub fn datagram(
        &mut self,
        sock: u64,
        pid: u32,
        fd: i32,
        line: &str,
        count: usize,
        offered: usize,
        trunc: bool,
    ) {
        let sure = trunc || count > offered;
        if offered == 0 || !(sure || count == offered) {
            return;
        }
        self.report(
            sock,
            Finding {
                mistake: Mistake::UdpTruncated,
                pid,
                proof: vec![line.to_string()],
                detail: Detail::UdpTruncated {
                    fd,
                    count,
                    offered,
                    sure,
                },
            },
        );
    }

    /// One look at a listener: `queued` connections wait; `stalled` says whether the
    /// server is blocked reading a client of this listener with nobody in `accept`
    /// (then `blocked`: pid, fd read, the call, and the accept line that made that fd).
    pub fn listener_look(
        &mut self,
        listener_id: u64,
        listener_fd: i32,
        local: Option<SocketAddr>,
        queued: u32,
        blocked: Option<(u32, i32, &'static str, String)>,
        now: Instant,
    ) {
        let Some((pid, reader, call, accept_line)) = blocked.filter(|_| queued > 0) else {
            self.stalls.remove(&listener_id);
            return;
        };
        let (since, most) = self.stalls.entry(listener_id).or_insert((now, 0));
        *most = (*most).max(queued);
        if now.duration_since(*since) < STALL_AFTER {
            return;
        }
        let queued = *most;
        let index = self.report(
            listener_id,
            Finding {
                mistake: Mistake::BlockedAccept,
                pid,
                proof: vec![accept_line],
                detail: Detail::BlockedAccept {
                    listener: listener_fd,
                    local,
                    reader,
                    call,
                    queued,
                },
            },
        );
        if let Some(index) = index {
            self.pending_proof.insert((pid, reader), index);
        }
    }

    /// A call of `pid` on `fd` returned: if a stalled-server finding waits for the
    /// line of the read it was blocked in, this is it.
    pub fn returned(&mut self, pid: u32, fd: i32, line: &str) {
        if let Some(index) = self.pending_proof.remove(&(pid, fd)) {
            if let Some(f) = self.findings.get_mut(index) {
                f.proof.push(line.to_string());
            }
        }
    }

    /// The trace is over: every mistake found, in the order they happened.
    pub fn finish(mut self, now: Instant) -> Vec<Finding> {
        let mut late = Vec::new();
        for eof in self.after_eof.values() {
            if eof.repeats == 0 {
                continue;
            }
            let mut proof = vec![eof.first.clone()];
            proof.extend(eof.again.clone());
            late.push(Finding {
                mistake: Mistake::EofIgnored,
                pid: eof.pid,
                proof,
                detail: Detail::EofIgnored {
                    call: eof.call,
                    fd: eof.fd,
                    repeats: eof.repeats,
                },
            });
        }
        for short in self.short.values() {
            late.push(Finding {
                mistake: Mistake::ShortSend,
                pid: short.pid,
                proof: vec![short.line.clone()],
                detail: Detail::ShortSend {
                    call: short.call,
                    fd: short.fd,
                    count: short.count,
                    offered: short.offered,
                },
            });
        }
        // One finding per parent, naming every child it left unreaped.
        let mut parents: Vec<u32> = Vec::new();
        let mut unreaped: HashMap<u32, Vec<&ChildProc>> = HashMap::new();
        for c in &self.children {
            let Some((_, ended)) = &c.ended else {
                continue;
            };
            let parent_end = self.exits.get(&c.parent).copied().unwrap_or(now);
            if c.reaped || c.auto_reaped || parent_end.duration_since(*ended) < ZOMBIE_AFTER {
                continue;
            }
            if !parents.contains(&c.parent) {
                parents.push(c.parent);
            }
            unreaped.entry(c.parent).or_default().push(c);
        }
        for parent in parents {
            let children = unreaped.remove(&parent).unwrap_or_default();
            let Some(first) = children.first() else {
                continue;
            };
            let exit_line = first.ended.as_ref().map(|(l, _)| l.as_str()).unwrap_or("");
            late.push(Finding {
                mistake: Mistake::Zombie,
                pid: parent,
                proof: vec![
                    first.line.clone(),
                    format!("[pid {}] {exit_line}", first.pid),
                ],
                detail: Detail::Zombie {
                    children: children.iter().map(|c| c.pid).collect(),
                },
            });
        }
        late.sort_by_key(|f| (f.pid, f.mistake.id()));
        self.findings.extend(late);
        self.findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: fn() -> Instant = Instant::now;

    /// A spin after end of stream is reported once, with the first 0 and a repeat; a
    /// loop that stops at the first 0 is not.
    #[test]
    fn eof_ignored_once() {
        let mut l = Lints::new();
        l.stream_read(
            "recvfrom",
            1,
            10,
            4,
            "recvfrom(4, \"hi\", 1024, 0, NULL, NULL) = 2",
            2,
        );
        l.stream_read(
            "recvfrom",
            1,
            10,
            4,
            "recvfrom(4, \"\", 1024, 0, NULL, NULL) = 0",
            0,
        );
        for _ in 0..5 {
            l.stream_read(
                "recvfrom",
                1,
                10,
                4,
                "recvfrom(4, \"\", 1024, 0, NULL, NULL) = 0",
                0,
            );
        }
        l.stream_read(
            "recvfrom",
            2,
            10,
            5,
            "recvfrom(5, \"\", 1024, 0, NULL, NULL) = 0",
            0,
        );
        let found = l.finish(T());
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].detail,
            Detail::EofIgnored {
                call: "recvfrom",
                fd: 4,
                repeats: 5
            }
        );
        assert_eq!(found[0].proof.len(), 2);
    }

    /// A short send followed by more sends (sendall) is fine; one left alone is not.
    #[test]
    fn short_send_dropped() {
        let mut l = Lints::new();
        l.stream_send("sendto", 1, 10, 3, "sendto(3, ...) = 100", 100, 1000);
        l.stream_send("sendto", 1, 10, 3, "sendto(3, ...) = 900", 900, 900);
        assert!(l.finish(T()).is_empty());
        let mut l = Lints::new();
        l.stream_send("sendto", 1, 10, 3, "sendto(3, ...) = 100", 100, 1000);
        let found = l.finish(T());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].mistake, Mistake::ShortSend);
    }

    /// An unreaped child of a parent that lived on is a zombie; a reaped one, a child
    /// of a parent that ignores SIGCHLD, or of a parent that exited at once, is not.
    #[test]
    fn zombies() {
        let start = T();
        let later = start + Duration::from_millis(500);
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.exited(11, "+++ exited with 0 +++", start, false);
        l.exited(10, "+++ exited with 0 +++", later, false);
        assert_eq!(l.finish(later).len(), 1);
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.child(10, 12, "clone(...) = 12");
        l.exited(11, "+++ exited with 0 +++", start, false);
        l.exited(12, "+++ exited with 0 +++", start, false);
        let found = l.finish(later);
        assert_eq!(found.len(), 1, "one finding per parent");
        assert_eq!(
            found[0].detail,
            Detail::Zombie {
                children: vec![11, 12]
            }
        );
        assert!(found[0]
            .what(Lang::PtBr)
            .contains("criou 2 filhos (11, 12)"));
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.exited(11, "+++ exited with 0 +++", start, false);
        l.reaped(10, 11);
        assert!(l.finish(later).is_empty());
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.exited(11, "+++ exited with 0 +++", start, true);
        assert!(l.finish(later).is_empty());
        let mut l = Lints::new();
        l.child(10, 11, "clone(...) = 11");
        l.exited(11, "+++ exited with 0 +++", start, false);
        l.exited(10, "+++ exited with 0 +++", start, false);
        assert!(l.finish(later).is_empty());
    }

    /// EADDRINUSE only counts when SO_REUSEADDR was off and no server held the port.
    #[test]
    fn reuseaddr() {
        let mut l = Lints::new();
        l.bind_in_use(1, "bind(...) = -1 EADDRINUSE", 80, true, false, vec![]);
        l.bind_in_use(1, "bind(...) = -1 EADDRINUSE", 80, false, true, vec![]);
        assert!(l.finish(T()).is_empty());
        let mut l = Lints::new();
        l.bind_in_use(1, "bind(...) = -1 EADDRINUSE", 80, false, false, vec![]);
        l.bind_in_use(1, "bind(...) = -1 EADDRINUSE", 80, false, false, vec![]);
        assert_eq!(l.finish(T()).len(), 1);
    }

    /// A full UDP buffer or MSG_TRUNC is a cut; a datagram smaller than the buffer not.
    #[test]
    fn datagrams() {
        let mut l = Lints::new();
        l.datagram(1, 1, 3, "recvfrom(3, ...) = 5", 5, 1024, false);
        assert!(l.finish(T()).is_empty());
        let mut l = Lints::new();
        l.datagram(1, 1, 3, "recvfrom(3, ...) = 16", 16, 16, false);
        l.datagram(1, 1, 3, "recvfrom(3, ...) = 16", 16, 16, false);
        let found = l.finish(T());
        assert_eq!(found.len(), 1);
        assert!(matches!(
            found[0].detail,
            Detail::UdpTruncated { sure: false, .. }
        ));
    }

    /// A stall counts after STALL_AFTER of continuous waiting, and takes the blocked
    /// read's line as more proof when it finally returns.
    #[test]
    fn stalled_server() {
        let start = T();
        let mut l = Lints::new();
        let blocked = || Some((7, 4, "recvfrom", "accept4(3, ...) = 4".to_string()));
        l.listener_look(1, 3, None, 1, blocked(), start);
        l.listener_look(1, 3, None, 0, blocked(), start + Duration::from_millis(500));
        l.listener_look(1, 3, None, 1, blocked(), start + Duration::from_millis(600));
        l.listener_look(
            1,
            3,
            None,
            2,
            blocked(),
            start + Duration::from_millis(1700),
        );
        l.listener_look(
            1,
            3,
            None,
            2,
            blocked(),
            start + Duration::from_millis(1900),
        );
        l.returned(7, 4, "recvfrom(4, \"\", 1024, 0, NULL, NULL) = 0");
        let found = l.finish(start);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].proof.len(), 2);
        assert!(matches!(
            found[0].detail,
            Detail::BlockedAccept { queued: 2, .. }
        ));
    }

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
