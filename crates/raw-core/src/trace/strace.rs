//! Render syscall arguments exactly as `strace` (6.x, default options) prints them.
//!
//! The narration promises that what a program says about a syscall is what `strace`
//! shows. These helpers are the single place that knows strace's notation: socket
//! addresses (`{sa_family=AF_INET, sin_port=htons(65432), ...}`), quoted buffers cut at
//! 32 bytes with octal escapes, in/out lengths (`[128 => 16]`) and failed returns
//! (`-1 ECONNREFUSED (Connection refused)`).

#![forbid(unsafe_code)]

use nix::errno::Errno;
use socket2::{Domain, Protocol, Type};
use std::net::SocketAddr;

/// The address family as strace names it (`AF_INET`, `AF_INET6`).
pub fn domain_name(domain: Domain) -> &'static str {
    if domain == Domain::IPV4 {
        "AF_INET"
    } else if domain == Domain::IPV6 {
        "AF_INET6"
    } else {
        "AF_?"
    }
}

/// The socket type as strace prints it, with the `SOCK_CLOEXEC` that socket2 always adds.
pub fn type_name(ty: Type) -> &'static str {
    if ty == Type::STREAM.nonblocking() {
        "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK"
    } else if ty == Type::STREAM {
        "SOCK_STREAM|SOCK_CLOEXEC"
    } else if ty == Type::DGRAM {
        "SOCK_DGRAM|SOCK_CLOEXEC"
    } else {
        "SOCK_?|SOCK_CLOEXEC"
    }
}

/// The protocol as strace names it.
pub fn protocol_name(protocol: Option<Protocol>) -> &'static str {
    match protocol {
        Some(p) if p == Protocol::TCP => "IPPROTO_TCP",
        Some(p) if p == Protocol::UDP => "IPPROTO_UDP",
        _ => "IPPROTO_IP",
    }
}

/// How many bytes of a buffer strace prints before `...` (its `-s` default).
pub const STRACE_STRLEN: usize = 32;

/// A socket address as strace decodes a `struct sockaddr_in` / `sockaddr_in6`.
pub fn sockaddr(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!(
            "{{sa_family=AF_INET, sin_port=htons({}), sin_addr=inet_addr(\"{}\")}}",
            a.port(),
            a.ip()
        ),
        SocketAddr::V6(a) => format!(
            "{{sa_family=AF_INET6, sin6_port=htons({}), sin6_flowinfo=htonl({}), \
             inet_pton(AF_INET6, \"{}\", &sin6_addr), sin6_scope_id={}}}",
            a.port(),
            a.flowinfo(),
            a.ip(),
            a.scope_id()
        ),
    }
}

/// The size the kernel is told for this address: `sizeof(struct sockaddr_in)` is 16,
/// `sizeof(struct sockaddr_in6)` is 28.
pub fn sockaddr_len(addr: &SocketAddr) -> u32 {
    match addr {
        SocketAddr::V4(_) => 16,
        SocketAddr::V6(_) => 28,
    }
}

/// A value-result length as strace shows it: `[16]` when the kernel left it unchanged,
/// `[128 => 16]` when the program offered 128 bytes and the kernel used 16.
pub fn inout_len(offered: u32, used: u32) -> String {
    if offered == used {
        format!("[{offered}]")
    } else {
        format!("[{offered} => {used}]")
    }
}

/// A buffer as strace quotes it: printable ASCII as is, C escapes for `\t \n \v \f \r`,
/// `\"` and `\\`, every other byte in octal, and `...` after the first 32 bytes.
pub fn quoted(data: &[u8]) -> String {
    quoted_limit(data, STRACE_STRLEN)
}

/// [`quoted`] with another cut-off, for people who run `strace -s N`.
pub fn quoted_limit(data: &[u8], limit: usize) -> String {
    let shown = &data[..data.len().min(limit)];
    let mut out = String::with_capacity(shown.len() + 8);
    out.push('"');
    for (i, &c) in shown.iter().enumerate() {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(c as char),
            _ => {
                // strace writes the shortest octal form, unless the next byte is an
                // octal digit, which would be read as part of the escape.
                let next_is_octal = shown.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                if next_is_octal {
                    out.push_str(&format!("\\{c:03o}"));
                } else {
                    out.push_str(&format!("\\{c:o}"));
                }
            }
        }
    }
    out.push('"');
    if data.len() > limit {
        out.push_str("...");
    }
    out
}

/// The right-hand side of a failed call: `-1 EADDRINUSE (Address already in use)`.
///
/// A blocking socket call (with no `SO_RCVTIMEO`/`SO_SNDTIMEO`) interrupted by a
/// signal whose handler lacks `SA_RESTART` returns `EINTR` to the program, but strace
/// sees the kernel's internal code first and prints
/// `? ERESTARTSYS (To be restarted if SA_RESTART is set)`: so do we. (Our programs set
/// timeouts only on clients, which install no signal handlers.)
pub fn failed(errno: Errno) -> String {
    if errno == Errno::EINTR {
        return "? ERESTARTSYS (To be restarted if SA_RESTART is set)".to_string();
    }
    format!("-1 {errno:?} ({})", errno_text(errno))
}

/// [`failed`] for a given syscall: what strace prints for an interrupted call depends
/// on the call (the kernel's restart codes). `pselect6`: `ERESTARTNOHAND`; `poll`:
/// `ERESTART_RESTARTBLOCK`; `epoll_wait`: a plain `EINTR`; socket calls: `ERESTARTSYS`.
pub fn failed_in(syscall: &str, errno: Errno) -> String {
    if errno == Errno::EINTR {
        match syscall {
            "pselect6" => return "? ERESTARTNOHAND (To be restarted if no handler)".to_string(),
            "poll" => return "? ERESTART_RESTARTBLOCK (Interrupted by signal)".to_string(),
            // Waits the kernel does not restart: a plain EINTR.
            "epoll_wait" | "io_uring_enter" => return format!("-1 EINTR ({})", errno_text(errno)),
            _ => {}
        }
    }
    failed(errno)
}

/// The C library's description of an errno (`strerror(3)`), which strace prints too
/// (nix's own texts differ for a few, e.g. `EAGAIN`).
pub fn errno_text(errno: Errno) -> String {
    let text = std::io::Error::from_raw_os_error(errno as i32).to_string();
    match text.rfind(" (os error ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// The right-hand side of any call: the number it returned, or `-1 ERRNO (text)`.
pub fn ret(result: Result<i64, Errno>) -> String {
    match result {
        Ok(value) => value.to_string(),
        Err(errno) => failed(errno),
    }
}

/// Flag names joined as strace joins them (`POLLIN|POLLOUT`), or `0` when none is set:
/// `flags(&[(is_set, "NAME"), ...])`, in strace's order.
pub fn flags(set: &[(bool, &str)]) -> String {
    let names: Vec<&str> = set
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
    if names.is_empty() {
        "0".to_string()
    } else {
        names.join("|")
    }
}

/// Data for a person, not for strace: text that is valid UTF-8 is shown decoded
/// (`"AÇÃO"`, where strace writes octal escapes), with control characters escaped;
/// anything else as strace quotes it. Cut after `limit` characters with `...`.
pub fn readable(data: &[u8], limit: usize) -> String {
    match std::str::from_utf8(data) {
        Ok(text) => {
            let mut out = String::from("\"");
            for (i, c) in text.chars().enumerate() {
                if i == limit {
                    out.push_str("\"...");
                    return out;
                }
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Err(_) => quoted_limit(data, limit),
    }
}

/// A pointer as strace prints a buffer it did not decode (because the call failed).
pub fn pointer<T>(ptr: *const T) -> String {
    format!("{ptr:p}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escapes match what strace 6.1 printed for `b"Hello, world\xff\x01\n"`.
    #[test]
    fn quotes_like_strace() {
        assert_eq!(
            quoted(b"Hello, world\xff\x01\n"),
            r#""Hello, world\377\1\n""#
        );
        assert_eq!(quoted(b"\x01\x32"), r#""\0012""#);
        assert_eq!(quoted(b"say \"hi\"\\"), r#""say \"hi\"\\""#);
        let long = [b'a'; 40];
        assert_eq!(quoted(&long), format!("\"{}\"...", "a".repeat(32)));
    }

    /// A sentence shows UTF-8 text decoded; strace's notation keeps the escapes.
    #[test]
    fn readable_decodes_utf8_for_people() {
        assert_eq!(readable("AÇÃO\n".as_bytes(), 80), "\"AÇÃO\\n\"");
        assert_eq!(quoted("AÇÃO".as_bytes()), "\"A\\303\\207\\303\\203O\"");
        assert_eq!(readable(b"\xff\x01", 80), "\"\\377\\1\"");
        assert_eq!(readable(b"abcdef", 3), "\"abc\"...");
    }

    /// Addresses read exactly as strace decodes them.
    #[test]
    fn sockaddrs_like_strace() {
        let v4: SocketAddr = "127.0.0.1:65432".parse().expect("v4");
        assert_eq!(
            sockaddr(&v4),
            r#"{sa_family=AF_INET, sin_port=htons(65432), sin_addr=inet_addr("127.0.0.1")}"#
        );
        let v6: SocketAddr = "[::1]:80".parse().expect("v6");
        assert_eq!(
            sockaddr(&v6),
            r#"{sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}"#
        );
        assert_eq!(inout_len(128, 16), "[128 => 16]");
        assert_eq!(
            failed(Errno::ECONNREFUSED),
            "-1 ECONNREFUSED (Connection refused)"
        );
    }
}
