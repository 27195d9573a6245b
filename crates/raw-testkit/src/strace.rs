//! strace's own lines, read back, and compared with the narration.

#![forbid(unsafe_code)]

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// One line of `strace -f` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StraceCall {
    /// The syscall's name.
    pub name: String,
    /// The whole call, `name(args) = ret`, with the pid prefix and alignment removed.
    pub call: String,
    /// The return value as printed (`0`, `12`, `-1 ECONNREFUSED (Connection refused)`).
    pub ret: String,
}

/// Parses `strace -f -o FILE` output, keeping only syscalls on sockets: the calls of
/// the `%network` class, plus `close` of an fd that one of them created.
pub fn strace_socket_calls(text: &str) -> Vec<StraceCall> {
    let mut open: Vec<String> = Vec::new();
    let mut calls = Vec::new();
    for raw in text.lines() {
        // "1234  name(args) = ret": drop the pid.
        let line = raw
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        if line.starts_with("---")
            || line.starts_with("+++")
            || line.contains("<unfinished")
            || line.contains("resumed>")
        {
            continue;
        }
        let Some(paren) = line.find('(') else {
            continue;
        };
        let name = line[..paren].to_string();
        // strace pads short calls to a column: "listen(3, 128)      = 0".
        let Some(eq) = line.rfind(" = ") else {
            continue;
        };
        let ret = line[eq + 3..].trim().to_string();
        let args = line[paren..eq].trim_end();
        let call = format!("{name}{args} = {ret}");
        let first_arg = args
            .trim_start_matches('(')
            .split([',', ')'])
            .next()
            .unwrap_or("")
            .to_string();
        if name == "close" {
            if let Some(pos) = open.iter().position(|fd| *fd == first_arg) {
                open.remove(pos);
                calls.push(StraceCall { name, call, ret });
            }
            continue;
        }
        if name == "socket" || name == "accept4" || name == "accept" {
            if let Some(fd) = ret
                .split_whitespace()
                .next()
                .filter(|r| !r.starts_with('-'))
            {
                open.push(fd.to_string());
            }
        }
        calls.push(StraceCall { name, call, ret });
    }
    calls
}

/// The `call` of every narrated syscall and probe in a list of JSON events, in order.
pub fn narrated_calls(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["kind"] == "syscall" || e["kind"] == "probe")
        .filter_map(|e| e["call"].as_str().map(str::to_string))
        .collect()
}

/// The syscalls `strace -e trace=%network,close` shows (plus `close`).
pub const NETWORK_CLASS: [&str; 17] = [
    "socket",
    "socketpair",
    "bind",
    "listen",
    "accept",
    "accept4",
    "connect",
    "getsockname",
    "getpeername",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "shutdown",
    "setsockopt",
    "getsockopt",
    "close",
];

/// The calls of strace's `%network` class and `close` of a socket in `strace -f`
/// output (see [`strace_socket_calls`]), as `name(args) = ret`: what a trace holding
/// other calls too (a whole program's) says about its sockets.
pub fn strace_network_calls(text: &str) -> Vec<String> {
    strace_socket_calls(text)
        .into_iter()
        .filter(|c| NETWORK_CLASS.contains(&c.name.as_str()))
        .map(|c| c.call)
        .collect()
}

/// Like [`narrated_calls`], keeping only the calls of strace's `%network` class and
/// `close`, plus the syscalls named in `also` (e.g. `poll`), to compare with
/// `strace -e trace=%network,close,poll`.
pub fn narrated_network_calls(events: &[Value], also: &[&str]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["kind"] == "syscall" || e["kind"] == "probe")
        .filter(|e| {
            e["syscall"]
                .as_str()
                .is_some_and(|s| NETWORK_CLASS.contains(&s) || also.contains(&s))
        })
        .filter_map(|e| e["call"].as_str().map(str::to_string))
        .collect()
}

/// Fails with a line-by-line report (`!!` marks a difference) unless the narrated
/// calls equal the traced ones.
pub fn assert_same_calls(what: &str, narrated: &[String], traced: &[String]) {
    assert!(!narrated.is_empty(), "{what}: nothing was narrated");
    if narrated == traced {
        return;
    }
    let mut report = String::new();
    for i in 0..narrated.len().max(traced.len()) {
        let n = narrated.get(i).map(String::as_str).unwrap_or("<none>");
        let t = traced.get(i).map(String::as_str).unwrap_or("<none>");
        let mark = if n == t { "  " } else { "!!" };
        report.push_str(&format!("{mark} narrated: {n}\n   strace:   {t}\n"));
    }
    panic!("{what}: narration and strace differ:\n{report}");
}

/// `strace -f -qq -e signal=none -e trace=%network,close -o OUT BIN`: the trace the
/// narration is compared with (add the program's arguments).
pub fn strace_command(strace: &Path, out: &Path, bin: &str) -> Command {
    strace_tracing(strace, out, "%network,close", bin)
}

/// `strace -f -qq -e signal=none -e trace=SET -o OUT BIN` (add the program's arguments).
pub fn strace_tracing(strace: &Path, out: &Path, set: &str, bin: &str) -> Command {
    let mut cmd = Command::new(strace);
    cmd.args(["-f", "-qq", "-e", "signal=none", "-e"])
        .arg(format!("trace={set}"))
        .arg("-o")
        .arg(out)
        .arg(bin);
    cmd
}

/// What a lab's binary (raw-tcp, raw-udp) is traced with: its socket calls, and the
/// `rt_sigaction` calls with which its server installs its SIGINT and SIGTERM handlers.
pub const LAB_TRACE: &str = "%network,close,rt_sigaction";

/// The calls of a [`LAB_TRACE`] trace that a lab narrates, `sa_restorer` masked
/// ([`without_restorer`]): the socket calls ([`strace_socket_calls`]) and the
/// `rt_sigaction` for SIGINT and SIGTERM, not the Rust runtime's own (SIGPIPE,
/// SIGSEGV, SIGBUS), which are not the lab's.
pub fn lab_strace_calls(text: &str) -> Vec<String> {
    strace_socket_calls(text)
        .into_iter()
        .filter(|c| {
            c.name != "rt_sigaction"
                || c.call.starts_with("rt_sigaction(SIGINT,")
                || c.call.starts_with("rt_sigaction(SIGTERM,")
        })
        .map(|c| without_restorer(&c.call))
        .collect()
}

/// Fails unless the narrated calls of `events` ([`narrated_calls`]) are, line for line,
/// those of the [`LAB_TRACE`] trace in the file `trace` ([`lab_strace_calls`]), both
/// with `sa_restorer` masked; `what` names the program in the report.
pub fn assert_narration_is_strace(what: &str, events: &[Value], trace: &Path) {
    let text = std::fs::read_to_string(trace)
        .unwrap_or_else(|e| panic!("{what}: no trace {}: {e}", trace.display()));
    let narrated: Vec<String> = narrated_calls(events)
        .iter()
        .map(|c| without_restorer(c))
        .collect();
    assert_same_calls(what, &narrated, &lab_strace_calls(&text));
}

/// An `rt_sigaction` line with its `sa_restorer` pointer masked (`sa_restorer=0x...`):
/// glibc's hidden `__restore_rt`, whose address the narration cannot know without one
/// more call. Other lines are returned unchanged.
pub fn without_restorer(call: &str) -> String {
    let mut out = String::with_capacity(call.len());
    let mut rest = call;
    while let Some(at) = rest.find("sa_restorer=0x") {
        let (head, tail) = rest.split_at(at + "sa_restorer=0x".len());
        out.push_str(head);
        out.push_str("...");
        rest = tail.trim_start_matches(|c: char| c.is_ascii_hexdigit() || c == '.');
    }
    out.push_str(rest);
    out
}
