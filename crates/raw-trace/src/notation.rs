//! Reading strace's notation back: the inverse of [`raw_core::trace::strace`], which writes
//! it. Addresses (`{sa_family=AF_INET, sin_port=htons(65432), ...}`), quoted buffers
//! with their escapes and the `...` of a cut, value-result lengths (`[128 => 16]`).

#![forbid(unsafe_code)]

use std::net::{IpAddr, SocketAddr};

/// An address as strace decodes a `struct sockaddr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    /// `AF_INET` or `AF_INET6`.
    Ip(SocketAddr),
    /// Another family (`AF_UNIX`, `AF_NETLINK`), by name.
    Other(String),
}

impl Addr {
    /// The IP address, when it is one.
    pub fn ip(&self) -> Option<SocketAddr> {
        match self {
            Addr::Ip(a) => Some(*a),
            Addr::Other(_) => None,
        }
    }
}

/// The value of `key=` in a struct (`sin_port=htons(65432)` → `htons(65432)`), up to
/// the next top-level comma or closing brace.
pub fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let mut from = 0;
    // Match whole keys only: `sin_port=` must not match inside `xsin_port=`.
    let at = loop {
        let at = from + text[from..].find(key)?;
        let before = text[..at].chars().next_back();
        if before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_')) {
            break at;
        }
        from = at + key.len();
    };
    let value = &text[at + key.len()..];
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' if depth == 0 => return Some(value[..i].trim()),
            ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => return Some(value[..i].trim()),
            _ => {}
        }
    }
    Some(value.trim())
}

/// `{sa_family=AF_INET, sin_port=htons(65432), sin_addr=inet_addr("127.0.0.1")}` →
/// `127.0.0.1:65432`; the IPv6 form with `inet_pton(AF_INET6, "::1", &sin6_addr)` too.
/// `NULL`, a bare pointer or an unknown form give `None`.
pub fn sockaddr(arg: &str) -> Option<Addr> {
    let family = field(arg, "sa_family=")?;
    let port = || -> Option<u16> {
        let p = field(arg, "sin_port=").or_else(|| field(arg, "sin6_port="))?;
        p.strip_prefix("htons(")?.strip_suffix(')')?.parse().ok()
    };
    match family {
        "AF_INET" => {
            let ip = field(arg, "sin_addr=")?
                .strip_prefix("inet_addr(\"")?
                .strip_suffix("\")")?;
            Some(Addr::Ip(SocketAddr::new(ip.parse().ok()?, port()?)))
        }
        "AF_INET6" => {
            let at = arg.find("inet_pton(AF_INET6, \"")? + "inet_pton(AF_INET6, \"".len();
            let end = arg[at..].find('"')?;
            let ip: IpAddr = arg[at..at + end].parse().ok()?;
            Some(Addr::Ip(SocketAddr::new(ip, port()?)))
        }
        other => Some(Addr::Other(other.to_string())),
    }
}

/// A quoted buffer, decoded: `"Hello\n"...` → (`Hello\n`, cut = true). strace's
/// escapes: `\n \t \r \v \f \" \\` and octal `\NNN`; with `-x`, `\xHH`.
pub fn quoted(arg: &str) -> Option<(Vec<u8>, bool)> {
    let rest = arg.strip_prefix('"')?;
    let mut out = Vec::with_capacity(rest.len());
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                let cut = rest[i + 1..].starts_with("...");
                return Some((out, cut));
            }
            b'\\' => {
                let next = *bytes.get(i + 1)?;
                i += 2;
                match next {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'v' => out.push(0x0b),
                    b'f' => out.push(0x0c),
                    b'x' => {
                        let hex = rest.get(i..i + 2)?;
                        out.push(u8::from_str_radix(hex, 16).ok()?);
                        i += 2;
                    }
                    b'0'..=b'7' => {
                        let mut value = u32::from(next - b'0');
                        let mut digits = 1;
                        while digits < 3 {
                            match bytes.get(i) {
                                Some(d @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(d - b'0');
                                    i += 1;
                                    digits += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(u8::try_from(value).ok()?);
                    }
                    other => out.push(other),
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

/// A plain number (`3`, `-1`, `0x10`).
pub fn int(arg: &str) -> Option<i64> {
    let arg = arg.trim();
    match arg.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => arg.parse().ok(),
    }
}

/// A value in brackets: `[1]` → 1, `[128 => 16]` → 16 (what the kernel wrote back).
pub fn bracketed(arg: &str) -> Option<i64> {
    let inner = arg.strip_prefix('[')?.strip_suffix(']')?;
    let last = inner.rsplit("=>").next()?;
    int(last)
}

/// Every `fd=N` in a `poll` array.
pub fn poll_fds(arg: &str) -> Vec<i32> {
    arg.match_indices("fd=")
        .filter_map(|(at, _)| {
            let digits: String = arg[at + 3..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            digits.parse().ok()
        })
        .collect()
}

/// The fds of a `select` set: `[3 4]` → 3, 4 (`NULL` → none).
pub fn fd_set(arg: &str) -> Vec<i32> {
    arg.strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .map(|inner| {
            inner
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The sum of every `iov_len=N` (the bytes a `sendmsg`/`recvmsg`/`writev` offered).
pub fn iov_total(arg: &str) -> Option<usize> {
    let lens: Vec<usize> = arg
        .match_indices("iov_len=")
        .filter_map(|(at, _)| {
            let digits: String = arg[at + 8..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            digits.parse().ok()
        })
        .collect();
    (!lens.is_empty()).then(|| lens.iter().sum())
}

/// The first `iov_base="..."` of a message, decoded.
pub fn iov_data(arg: &str) -> Option<(Vec<u8>, bool)> {
    let at = arg.find("iov_base=")? + "iov_base=".len();
    quoted(&arg[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Addresses written by raw_core::trace::strace read back to the same address.
    #[test]
    fn addresses_round_trip() {
        for text in ["127.0.0.1:65432", "[::1]:80", "0.0.0.0:0", "[::]:65432"] {
            let addr: SocketAddr = text.parse().expect("addr");
            assert_eq!(
                sockaddr(&raw_core::trace::strace::sockaddr(&addr)),
                Some(Addr::Ip(addr))
            );
        }
        assert_eq!(
            sockaddr(r#"{sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}"#),
            Some(Addr::Other("AF_UNIX".into()))
        );
        assert_eq!(sockaddr("NULL"), None);
        assert_eq!(sockaddr("0x7ffd5c1b8a10"), None);
    }

    /// Buffers quoted by raw_core::trace::strace decode to the same bytes.
    #[test]
    fn buffers_round_trip() {
        let data = b"Hello, world\xff\x01\n\t\"\\\x012";
        let (back, cut) = quoted(&raw_core::trace::strace::quoted(data)).expect("quoted");
        assert_eq!(back, data);
        assert!(!cut);
        let long = [b'a'; 40];
        let (back, cut) = quoted(&raw_core::trace::strace::quoted(&long)).expect("long");
        assert_eq!(back.len(), 32);
        assert!(cut);
        assert_eq!(quoted(r#""\x41B""#), Some((b"AB".to_vec(), false)));
    }

    /// Lengths, fds and message fields as strace prints them.
    #[test]
    fn numbers_and_fields() {
        assert_eq!(bracketed("[1]"), Some(1));
        assert_eq!(bracketed("[128 => 16]"), Some(16));
        assert_eq!(
            poll_fds("[{fd=3, events=POLLIN}, {fd=12, events=POLLIN}]"),
            [3, 12]
        );
        assert_eq!(fd_set("[3 4]"), [3, 4]);
        let msg = r#"{msg_name={sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, msg_namelen=16, msg_iov=[{iov_base="abc", iov_len=16}, {iov_base="", iov_len=4}], msg_iovlen=2, msg_controllen=0, msg_flags=MSG_TRUNC}"#;
        assert_eq!(iov_total(msg), Some(20));
        assert_eq!(field(msg, "msg_flags="), Some("MSG_TRUNC"));
        assert_eq!(
            field(msg, "msg_name=").and_then(sockaddr),
            Some(Addr::Ip("127.0.0.1:9".parse().expect("addr")))
        );
        assert_eq!(iov_data(msg), Some((b"abc".to_vec(), false)));
    }
}
