//! Reading `strace -f -o FILE` output, one line at a time, as strace writes it.
//!
//! With `-f`, every line starts with the pid (or thread id) that made the call:
//! ```text
//! 4242  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3
//! 4242  accept4(3,  <unfinished ...>
//! 4243  connect(3, {sa_family=AF_INET, sin_port=htons(65432), ...}, 16) = 0
//! 4242  <... accept4 resumed>{sa_family=AF_INET, sin_port=htons(51234), ...}, [16], SOCK_CLOEXEC) = 4
//! 4242  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4250, ...} ---
//! 4250  +++ exited with 0 +++
//! ```
//! When two processes or threads are in a syscall at once, strace prints the first
//! call's beginning with `<unfinished ...>` and its end later with `<... NAME
//! resumed>`; a [`Joiner`] glues the two halves back into the one line strace prints
//! when nothing interleaves (`accept4(3, {sa_family=...}, [16], SOCK_CLOEXEC) = 4`).
//!
//! Two more things are undone here, so that a line reads exactly as a student's own
//! `strace -f -e trace=%network` shows it: the padding strace puts before ` = ` (it
//! aligns return values at column 40 in a file) and the ` (DELAYED)` mark of the
//! short hold raw-trace asks for after each network call (`-e inject=...:delay_exit`,
//! see [`crate::tracer`]).

#![forbid(unsafe_code)]

use std::collections::HashMap;

/// What strace prints after the return value of a call it delayed for us.
const DELAYED: &str = " (DELAYED)";

/// One complete syscall, as strace prints it when nothing interleaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The syscall's name (`accept4`).
    pub name: String,
    /// The top-level arguments, each exactly as strace printed it.
    pub args: Vec<String>,
    /// What follows ` = `: `3`, `-1 EADDRINUSE (Address already in use)`, `?`,
    /// `1 ([{fd=3, revents=POLLIN}])`.
    pub ret: String,
    /// The whole line: `name(args) = ret`.
    pub text: String,
}

impl Call {
    /// The return value, when there is a number (`-1` for a failure; none for `?`).
    pub fn value(&self) -> Option<i64> {
        let first = self.ret.split_whitespace().next()?;
        first.parse().ok()
    }

    /// The errno name of a failed or interrupted call (`EADDRINUSE`, `ERESTARTSYS`).
    pub fn errno(&self) -> Option<&str> {
        let mut words = self.ret.split_whitespace();
        match words.next()? {
            "-1" | "?" => words.next().filter(|w| w.starts_with('E')),
            _ => None,
        }
    }

    /// Whether the call returned a value that is not an error.
    pub fn ok(&self) -> bool {
        self.value().is_some_and(|v| v >= 0) && self.errno().is_none()
    }

    /// Argument `i`, or `""`.
    pub fn arg(&self, i: usize) -> &str {
        self.args.get(i).map(String::as_str).unwrap_or("")
    }
}

/// One event of the trace, its pid taken off and its halves joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Traced {
    /// A syscall returned (or its process ended inside it: `= ?`).
    Call {
        /// The process or thread that made it.
        pid: u32,
        /// The call.
        call: Call,
    },
    /// A signal was delivered: `--- SIGCHLD {...} ---`.
    Signal {
        /// The process or thread that got it.
        pid: u32,
        /// The signal's name (`SIGCHLD`).
        name: String,
        /// The whole line.
        text: String,
    },
    /// A process or thread ended: `+++ exited with 0 +++`, `+++ killed by SIGINT +++`.
    Exit {
        /// The process or thread.
        pid: u32,
        /// The whole line.
        text: String,
    },
}

/// Turns strace's lines into [`Traced`] events, joining `<unfinished ...>` with its
/// `resumed>` half.
#[derive(Debug, Default)]
pub struct Joiner {
    /// The first half of each call still in progress, by pid.
    pending: HashMap<u32, String>,
}

impl Joiner {
    /// A joiner with nothing pending.
    pub fn new() -> Joiner {
        Joiner::default()
    }

    /// Reads one line of strace's output; returns the event it completes, if any.
    pub fn feed(&mut self, raw: &str) -> Option<Traced> {
        let raw = raw.trim_end_matches(['\n', '\r']);
        let (pid, body) = split_pid(raw)?;
        if let Some(head) = body.strip_suffix("<unfinished ...>") {
            // `accept4(3,  <unfinished ...>`: strace wrote "accept4(3, " then " <unfinished ...>".
            let head = head.strip_suffix(' ').unwrap_or(head);
            if head.starts_with("<... ") {
                // `<... read resumed> <unfinished ...>`: resumed, then interrupted again.
                return None;
            }
            self.pending.insert(pid, head.to_string());
            return None;
        }
        if let Some(rest) = body.strip_prefix("<... ") {
            let (name, tail) = rest.split_once(" resumed>")?;
            let whole = match self.pending.remove(&pid) {
                Some(head) => format!("{head}{tail}"),
                // The first half was not seen (raw-trace started reading late).
                None => format!("{name}({}", tail.trim_start()),
            };
            return parse_call(&whole).map(|call| Traced::Call { pid, call });
        }
        if let Some(signal) = body.strip_prefix("--- ") {
            let name = signal.split_whitespace().next().unwrap_or("").to_string();
            return Some(Traced::Signal {
                pid,
                name,
                text: body.to_string(),
            });
        }
        if body.starts_with("+++ ") {
            self.pending.remove(&pid);
            return Some(Traced::Exit {
                pid,
                text: body.to_string(),
            });
        }
        parse_call(body).map(|call| Traced::Call { pid, call })
    }
}

/// `4242  socket(...)` → (4242, `socket(...)`). Lines without a pid (strace's own
/// messages) are not calls.
fn split_pid(raw: &str) -> Option<(u32, &str)> {
    let digits = raw.find(|c: char| !c.is_ascii_digit())?;
    if digits == 0 {
        return None;
    }
    let pid = raw[..digits].parse().ok()?;
    Some((pid, raw[digits..].trim_start()))
}

/// Parses `name(args) = ret` (with strace's padding before ` = ` and our `(DELAYED)`
/// mark, both taken off).
pub fn parse_call(body: &str) -> Option<Call> {
    let body = body.strip_suffix(DELAYED).unwrap_or(body);
    let open = body.find('(')?;
    let name = &body[..open];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let (args, close) = split_args(body, open)?;
    let after = body[close + 1..].trim_start();
    let ret = after.strip_prefix('=')?.trim();
    let text = format!("{}) = {ret}", &body[..close]);
    Some(Call {
        name: name.to_string(),
        args,
        ret: ret.to_string(),
        text,
    })
}

/// Splits the arguments of the call whose `(` is at `open`: top-level commas only
/// (not those inside `"strings"`, `{structs}`, `[arrays]` or `(calls)`). Returns them
/// and the index of the closing `)`.
pub fn split_args(text: &str, open: usize) -> Option<(Vec<String>, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = open + 1;
    let mut args = Vec::new();
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let last = text[start..i].trim();
                    if !last.is_empty() || !args.is_empty() {
                        args.push(last.to_string());
                    }
                    return Some((args, i));
                }
            }
            b',' if depth == 1 => {
                args.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(line: &str) -> Call {
        match Joiner::new().feed(line) {
            Some(Traced::Call { call, .. }) => call,
            other => panic!("not a call: {other:?}"),
        }
    }

    /// Padding and our hold mark go; the arguments stay exactly as strace wrote them.
    #[test]
    fn a_complete_line() {
        let c = call("17423 listen(3, 128)                    = 0 (DELAYED)");
        assert_eq!(c.text, "listen(3, 128) = 0");
        assert_eq!(c.args, ["3", "128"]);
        assert_eq!(c.value(), Some(0));
        let c = call(
            r#"17423 bind(3, {sa_family=AF_INET, sin_port=htons(65432), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EADDRINUSE (Address already in use)"#,
        );
        assert_eq!(c.args.len(), 3);
        assert_eq!(c.errno(), Some("EADDRINUSE"));
        assert!(!c.ok());
        let c = call(r#"9 sendto(4, "a, b) = \"x\"", 12, 0, NULL, 0) = 12"#);
        assert_eq!(c.arg(1), r#""a, b) = \"x\"""#);
        assert_eq!(c.text, r#"sendto(4, "a, b) = \"x\"", 12, 0, NULL, 0) = 12"#);
    }

    /// `<unfinished ...>` and `resumed>` become the one line strace prints alone.
    #[test]
    fn halves_are_joined() {
        let mut j = Joiner::new();
        assert_eq!(j.feed("17423 accept4(3,  <unfinished ...>"), None);
        assert!(j
            .feed("17426 sendto(3, \"Hello, world\", 12, 0, NULL, 0) = 12")
            .is_some());
        let Some(Traced::Call { pid, call }) = j.feed(r#"17423 <... accept4 resumed>{sa_family=AF_INET, sin_port=htons(33132), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 4 (DELAYED)"#) else {
            panic!("no call");
        };
        assert_eq!(pid, 17423);
        assert_eq!(
            call.text,
            r#"accept4(3, {sa_family=AF_INET, sin_port=htons(33132), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 4"#
        );
        assert_eq!(
            j.feed(r#"5 sendto(4, "HELLO", 5, 0, NULL, 0 <unfinished ...>"#),
            None
        );
        let Some(Traced::Call { call, .. }) = j.feed("5 <... sendto resumed>)             = 5")
        else {
            panic!("no call");
        };
        assert_eq!(call.text, r#"sendto(4, "HELLO", 5, 0, NULL, 0) = 5"#);
        // A process killed inside a call: strace's own one-line form.
        assert_eq!(j.feed("7 recvfrom(4,  <unfinished ...>"), None);
        let Some(Traced::Call { call, .. }) =
            j.feed("7 <... recvfrom resumed> <unfinished ...>) = ?")
        else {
            panic!("no call");
        };
        assert_eq!(call.text, "recvfrom(4,  <unfinished ...>) = ?");
        assert_eq!(call.value(), None);
    }

    /// Signals and exits are events of their own; strace's messages are not calls.
    #[test]
    fn signals_and_exits() {
        let mut j = Joiner::new();
        assert!(matches!(
            j.feed("17422 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=17424} ---"),
            Some(Traced::Signal { name, .. }) if name == "SIGCHLD"
        ));
        assert!(matches!(
            j.feed("17424 +++ exited with 0 +++"),
            Some(Traced::Exit { pid: 17424, .. })
        ));
        assert_eq!(j.feed("strace: Process 12 attached"), None);
        let c = call("3 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 17424");
        assert_eq!(c.args.len(), 4);
        assert_eq!(c.value(), Some(17424));
        let c = call("3 poll([{fd=3, events=POLLIN}], 1, 500) = 1 ([{fd=3, revents=POLLIN}])");
        assert_eq!(c.value(), Some(1));
        let c = call("3 accept4(3, 0x7ffd5c1b8a10, [128], SOCK_CLOEXEC) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
        assert_eq!(c.errno(), Some("ERESTARTSYS"));
    }
}
