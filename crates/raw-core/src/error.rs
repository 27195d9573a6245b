//! Errors that teach: which syscall failed, the errno's name, and what to try.
//!
//! Every failure a student can meet ends here and is printed as
//! `bind(2) failed: EADDRINUSE (Address already in use) — hint: ...`, in English or in
//! Portuguese, with exit code 1 (2 for bad usage). The hint is chosen by the pair
//! (syscall, errno) plus the facts gathered when it happened ([`Fact`]): that is where
//! "SO_REUSEADDR was off and 2 connections sit in TIME-WAIT" comes from.

#![forbid(unsafe_code)]

pub use crate::trace::failure::{Fact, Failure};

use crate::catalog::{Arg, Text};
use crate::lang::Lang;
use crate::text;
use nix::errno::Errno;
use std::net::SocketAddr;

impl Failure {
    /// The whole message, in one language.
    pub fn explain(&self, lang: Lang) -> String {
        self.text().render(lang)
    }

    /// The whole message, in no language yet.
    pub fn text(&self) -> Text {
        match self {
            Failure::Sys {
                syscall,
                errno,
                facts,
            } => {
                let (check, on) = check(syscall, *errno, facts).unwrap_or(("none".into(), "here"));
                let port = addr_in(facts).map_or(0, |a| a.port());
                text!(
                    "err-sys",
                    syscall,
                    errno = format!("{errno:?}"),
                    text = crate::trace::strace::errno_text(*errno),
                    hint = hint(syscall, *errno, facts),
                    check,
                    on,
                    port
                )
            }
            Failure::Resolve { host, detail } => text!("err-resolve", host, detail),
            Failure::ShortReply { got, expected } => text!("err-short-reply", got, expected),
            Failure::Truncated { got, real } => text!("err-truncated", got, real),
            Failure::NoCapturePrivilege { errno } => text!(
                "err-no-capture-privilege",
                errno = format!("{errno:?}"),
                text = crate::trace::strace::errno_text(*errno)
            ),
            Failure::CaptureFile { path, detail } => text!("err-capture-file", path, detail),
            Failure::Usage(said) | Failure::Runtime(said) => said.clone(),
            Failure::OutputClosed => text!("err-output-closed"),
        }
    }
}

/// The address a failure was about, when a step or the program named one.
fn addr_in(facts: &[Fact]) -> Option<SocketAddr> {
    facts.iter().find_map(|f| match f {
        Fact::Addr(a) => Some(*a),
        _ => None,
    })
}

/// The address for a sentence: the real one, or words that stand for it (never a
/// placeholder a student would copy).
fn addr_of(facts: &[Fact]) -> Arg {
    addr_in(facts).map_or_else(
        || Arg::Text(Box::new(text!("err-that-address"))),
        |a| Arg::Str(a.to_string()),
    )
}

/// The port for a sentence, or words that stand for it.
fn port_of(facts: &[Fact]) -> Arg {
    addr_in(facts).map_or_else(
        || Arg::Text(Box::new(text!("err-that-port"))),
        |a| Arg::Int(a.port().into()),
    )
}

/// How long a call waited before giving up: `yes` and the seconds (shown with the
/// language's decimal separator), or `no`.
fn seconds(facts: &[Fact]) -> (&'static str, f64) {
    facts
        .iter()
        .find_map(|f| match f {
            Fact::TimedOutAfter(s) => Some(("yes", (s * 1000.0).round() / 1000.0)),
            _ => None,
        })
        .unwrap_or(("no", 0.0))
}

/// The command that checks the cause of a failure, when there is one to run, and where
/// to run it (`server`: on the server's machine; `mtu`: what it shows; `here`). It names
/// the real port and host; a command that would need them is left out when the failure
/// carries no address (no `PORT` or `IP` placeholder is ever printed).
fn check(syscall: &str, errno: Errno, facts: &[Fact]) -> Option<(String, &'static str)> {
    let addr = addr_in(facts);
    let udp = facts.contains(&Fact::Udp);
    let here = |command: String| Some((command, "here"));
    let server = |command: String| Some((command, "server"));
    // Commands that need no address.
    match (syscall, errno) {
        ("bind", Errno::EACCES) => {
            return here("cat /proc/sys/net/ipv4/ip_unprivileged_port_start".into())
        }
        ("bind", Errno::EADDRNOTAVAIL) => return here("ip -br addr".into()),
        (_, Errno::EMSGSIZE) => return Some(("ip -br link".into(), "mtu")),
        (_, Errno::EMFILE | Errno::ENFILE) => {
            return here("ulimit -n; cat /proc/sys/fs/file-nr".into())
        }
        _ => {}
    }
    let addr = addr?;
    let (ip, port) = (addr.ip(), addr.port());
    match (syscall, errno) {
        ("bind", Errno::EADDRINUSE) => here(format!("ss -tanp 'sport = :{port}'")),
        ("connect", Errno::ECONNREFUSED) => server(format!("ss -ltnp 'sport = :{port}'")),
        (_, Errno::ENETUNREACH) => here(format!("ip route get {ip}")),
        ("connect", Errno::EHOSTUNREACH | Errno::ETIMEDOUT | Errno::EINPROGRESS) => {
            here(format!("ping -c 3 {ip}; nc -vz -w 3 {ip} {port}"))
        }
        (_, Errno::EHOSTUNREACH) => here(format!("ping -c 3 {ip}")),
        (_, Errno::ECONNREFUSED) if udp => server(format!("ss -uanp 'sport = :{port}'")),
        ("recvfrom", Errno::EAGAIN) if udp => {
            Some((format!("ss -uanp 'sport = :{port}'"), "server-then-tshark"))
        }
        ("recvfrom", Errno::EAGAIN) => here(format!("ss -tanp 'dport = :{port}'")),
        (_, Errno::ECONNRESET | Errno::EPIPE) => here(format!(
            "tshark -i any -f 'tcp port {port}' -Y 'tcp.flags.reset == 1'"
        )),
        _ => None,
    }
}

/// Connections named by their two ends: `127.0.0.1:65432 ↔ 127.0.0.1:51234`, the
/// first three, then how many more.
fn connections(ends: &[(SocketAddr, SocketAddr)]) -> String {
    let mut shown: Vec<String> = ends
        .iter()
        .take(3)
        .map(|(local, remote)| format!("{local} ↔ {remote}"))
        .collect();
    if ends.len() > 3 {
        shown.push(format!("+{}", ends.len() - 3));
    }
    shown.join(", ")
}

/// "1 connection ... sits" / "3 connections ... sit", as each language says it.
fn lingering(ends: &[(SocketAddr, SocketAddr)], port: &Arg) -> Text {
    let count = ends.len();
    text!(
        "err-lingering",
        count,
        port = port.clone(),
        list = connections(ends)
    )
}

/// The hint for one (syscall, errno) pair, made precise by the facts.
fn hint(syscall: &str, errno: Errno, facts: &[Fact]) -> Text {
    let addr = addr_of(facts);
    let port = port_of(facts);
    let (timed, seconds) = seconds(facts);
    match (syscall, errno) {
        ("bind", Errno::EADDRINUSE) => {
            let reuse_off = facts.contains(&Fact::ReuseAddrOff);
            // Who holds the port, from the kernel's socket table, unless the facts say.
            let held = facts
                .iter()
                .any(|f| matches!(f, Fact::HeldBy(..) | Fact::TimeWait(_)));
            let looked_up = match (held, addr_in(facts)) {
                (false, Some(addr)) => crate::trace::kernel_table::who_holds(addr.port()),
                _ => Vec::new(),
            };
            let mut parts = Vec::new();
            for fact in facts.iter().chain(&looked_up) {
                match fact {
                    Fact::HeldBy(pid, command) => {
                        parts.push(text!("err-held-by", pid, command, port = port.clone()))
                    }
                    Fact::TimeWait(ends) if reuse_off => parts.push(text!(
                        "err-time-wait-no-reuse",
                        held = lingering(ends, &port)
                    )),
                    Fact::TimeWait(ends) => parts.push(text!(
                        "err-time-wait",
                        held = lingering(ends, &port),
                        port = port.clone()
                    )),
                    _ => {}
                }
            }
            let reuse = if reuse_off { "off" } else { "on" };
            let mut parts = parts.into_iter();
            let first = parts
                .next()
                .unwrap_or_else(|| text!("err-addr-in-use", addr, reuse));
            parts.fold(first, |first, second| text!("err-both", first, second))
        }
        ("bind", Errno::EACCES) => text!("err-privileged-port", port),
        ("bind", Errno::EADDRNOTAVAIL) => text!("err-not-local", addr),
        ("connect", Errno::ECONNREFUSED) => text!("err-refused", addr),
        (_, Errno::ENETUNREACH) => text!("err-no-route", addr),
        (_, Errno::EHOSTUNREACH) => text!("err-host-unreachable", addr),
        ("connect", Errno::ETIMEDOUT) | ("connect", Errno::EINPROGRESS) => {
            text!("err-no-syn-answer", timed, seconds, addr)
        }
        ("recvfrom", Errno::EAGAIN) if facts.contains(&Fact::Udp) => {
            text!("err-udp-no-reply", addr, timed, seconds)
        }
        ("sendto", Errno::EMSGSIZE) => text!("err-too-big"),
        ("recvfrom" | "sendto", Errno::ECONNREFUSED) => text!("err-port-unreachable", addr, port),
        ("recvfrom", Errno::EAGAIN) => text!("err-no-reply", addr, timed, seconds),
        (_, Errno::ECONNRESET) => {
            let peer = addr_in(facts).map_or_else(|| "none".to_string(), |a| a.to_string());
            text!("err-reset", peer)
        }
        (_, Errno::EPIPE) => text!("err-epipe"),
        (_, Errno::EMFILE) | (_, Errno::ENFILE) => text!("err-no-fds"),
        (_, Errno::EAFNOSUPPORT) => text!("err-no-family"),
        _ => text!("err-see-man", syscall, errno = format!("{errno:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message names the syscall, the errno and the TIME-WAIT lesson, in both languages.
    #[test]
    fn eaddrinuse_with_time_wait() {
        let f = Failure::sys("bind", Errno::EADDRINUSE)
            .with(Fact::Addr("127.0.0.1:65432".parse().expect("addr")))
            .with(Fact::ReuseAddrOff)
            .with(Fact::TimeWait(vec![
                (
                    "127.0.0.1:65432".parse().expect("addr"),
                    "127.0.0.1:51234".parse().expect("addr"),
                ),
                (
                    "127.0.0.1:65432".parse().expect("addr"),
                    "127.0.0.1:51236".parse().expect("addr"),
                ),
            ]));
        let en = f.explain(Lang::En);
        assert!(
            en.starts_with("bind(2) failed: EADDRINUSE (Address already in use) — hint:"),
            "{en}"
        );
        assert!(
            en.contains("TIME-WAIT") && en.contains("SO_REUSEADDR"),
            "{en}"
        );
        assert!(
            en.contains("127.0.0.1:65432 ↔ 127.0.0.1:51234"),
            "names the connection: {en}"
        );
        assert!(!en.contains("the server that left"), "{en}");
        let pt = f.explain(Lang::PtBr);
        assert!(pt.starts_with("bind(2) falhou: EADDRINUSE"), "{pt}");
        assert!(pt.contains("dica:") && pt.contains("TIME-WAIT"), "{pt}");
        assert_eq!(f.exit_code(), 1);
    }

    /// Every failure a step can raise with an address (a bind, a client talking to its
    /// server) names the real port and host: no `PORT` or `?` in the hint, no `IP` or
    /// `PORT` in the `check:` command a student copies, in either language. Without an
    /// address, no placeholder either: the command that would need one is left out.
    #[test]
    fn explained_failures_name_the_real_address() {
        let syscalls = [
            "socket",
            "bind",
            "listen",
            "accept",
            "connect",
            "sendto",
            "recvfrom",
            "shutdown",
            "close",
            "setsockopt",
            "getsockname",
        ];
        let errnos = [
            Errno::EADDRINUSE,
            Errno::EACCES,
            Errno::EADDRNOTAVAIL,
            Errno::ECONNREFUSED,
            Errno::ENETUNREACH,
            Errno::EHOSTUNREACH,
            Errno::ETIMEDOUT,
            Errno::EINPROGRESS,
            Errno::EAGAIN,
            Errno::ECONNRESET,
            Errno::EPIPE,
            Errno::EMSGSIZE,
            Errno::EMFILE,
            Errno::ENFILE,
            Errno::EAFNOSUPPORT,
            Errno::EINTR,
            Errno::EPERM,
            Errno::EINVAL,
        ];
        let server: SocketAddr = "192.0.2.7:54321".parse().expect("addr");
        let time_wait = vec![(server, "192.0.2.8:40000".parse().expect("addr"))];
        let fact_sets: Vec<Vec<Fact>> = vec![
            vec![],
            vec![Fact::Udp],
            vec![Fact::TimedOutAfter(0.25)],
            vec![Fact::Udp, Fact::TimedOutAfter(2.0)],
            vec![Fact::ReuseAddrOff],
            vec![Fact::ReuseAddrOff, Fact::TimeWait(time_wait.clone())],
            vec![Fact::TimeWait(time_wait)],
            vec![Fact::HeldBy(4242, "raw-tcp".to_string())],
        ];
        for syscall in syscalls {
            for errno in errnos {
                for (facts, with_addr) in fact_sets.iter().flat_map(|f| [(f, true), (f, false)]) {
                    let mut failure = Failure::sys(syscall, errno);
                    for fact in facts {
                        failure = failure.with(fact.clone());
                    }
                    if with_addr {
                        failure = failure.at(server);
                    }
                    for lang in [Lang::En, Lang::PtBr] {
                        let text = failure.explain(lang);
                        let words: Vec<&str> =
                            text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
                        assert!(
                            !words.contains(&"PORT"),
                            "{syscall} {errno:?} {facts:?}: PORT in {text}"
                        );
                        for placeholder in [":?", "port ?", "porta ?", "host ?"] {
                            assert!(
                                !text.contains(placeholder),
                                "{syscall} {errno:?} {facts:?}: {placeholder:?} in {text}"
                            );
                        }
                        if with_addr && (words.contains(&"port") || words.contains(&"porta")) {
                            assert!(text.contains("54321"), "{syscall} {errno:?}: {text}");
                        }
                        let command = text
                            .split(lang.say(text!("err-check")).as_str())
                            .nth(1)
                            .unwrap_or("");
                        // The one place "IP" can only be a placeholder: a command to run.
                        assert!(
                            !command
                                .split(|c: char| !c.is_ascii_alphanumeric())
                                .any(|w| w == "IP" || w == "PORT"),
                            "{syscall} {errno:?}: {command}"
                        );
                    }
                }
            }
        }
    }

    /// A failure already about an address keeps it; `at` adds one only when missing.
    #[test]
    fn at_keeps_the_first_address() {
        let first: SocketAddr = "127.0.0.1:1111".parse().expect("addr");
        let second: SocketAddr = "127.0.0.1:2222".parse().expect("addr");
        let f = Failure::sys("connect", Errno::ECONNREFUSED)
            .with(Fact::Addr(first))
            .at(second);
        let text = f.explain(Lang::En);
        assert!(text.contains(":1111") && !text.contains(":2222"), "{text}");
        let f = Failure::sys("recvfrom", Errno::ECONNRESET).at(second);
        assert!(f.explain(Lang::En).contains("tcp port 2222"));
    }

    /// Seconds are written with the language's decimal separator.
    #[test]
    fn timeouts_use_the_decimal_comma_in_portuguese() {
        let f = Failure::sys("recvfrom", Errno::EAGAIN)
            .with(Fact::Udp)
            .with(Fact::TimedOutAfter(0.5))
            .at("127.0.0.1:9".parse().expect("addr"));
        assert!(
            f.explain(Lang::En).contains("within 0.5 s"),
            "{}",
            f.explain(Lang::En)
        );
        assert!(
            f.explain(Lang::PtBr).contains("em 0,5 s"),
            "{}",
            f.explain(Lang::PtBr)
        );
        let f = Failure::sys("connect", Errno::EINPROGRESS)
            .with(Fact::TimedOutAfter(1.0))
            .at("127.0.0.1:9".parse().expect("addr"));
        assert!(
            f.explain(Lang::PtBr).contains("(1 s)"),
            "{}",
            f.explain(Lang::PtBr)
        );
    }
}
