//! Every model's narration is what `strace -f` sees, process by process and thread by
//! thread: the socket calls, the closes of sockets (and of epoll's fd), `clone`,
//! `wait4`, `kill`, `rt_sigaction` and the children's `exit_group`, and each model's
//! readiness call. Pointers (glibc's `sa_restorer`, `child_tidptr`, buffers) are
//! compared as `0x?`; everything else must be equal, line for line.

use raw_testkit::{run, tool, Server, DEADLINE};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::rc::Rc;

const BIN: &str = env!("CARGO_BIN_EXE_raw-multi");

/// What every model's trace holds, plus its own readiness call.
const TRACED: &str = "%network,close,clone,clone3,wait4,kill,tgkill,rt_sigaction,exit_group";

/// Each model, the calls its trace adds to [`TRACED`] (its readiness call), and the
/// processes or threads besides the main one its narration names in [`traced_run`].
const MODELS: [(&str, &str, usize); 8] = [
    ("fork", "", 5),
    ("thread", "", 5),
    ("select", "pselect6", 0),
    ("poll", "poll", 0),
    ("epoll", "epoll_create1,epoll_ctl,epoll_wait", 0),
    (
        "io-uring",
        "io_uring_setup,io_uring_register,io_uring_enter",
        0,
    ),
    ("reuseport", "epoll_create1,epoll_ctl,epoll_wait", 1),
    ("prefork", "", 2),
];

/// The signals the server installs handlers for (the Rust runtime's own SIGPIPE,
/// SIGSEGV and SIGBUS settings at start-up are not the lab's).
const LAB_SIGNALS: [&str; 3] = ["SIGINT", "SIGTERM", "SIGCHLD"];

/// One call of a strace -f trace: which process or thread made it, its name, and the
/// call as the narration writes it (`name(args) = ret`, strace's padding removed).
#[derive(Debug, Clone)]
struct Traced {
    pid: u32,
    name: String,
    call: String,
}

/// Reads `strace -f -o FILE` output: joins each `<unfinished ...>` line with its
/// `<... name resumed>` line, keeping the call where it started (so a `clone` comes
/// before anything its child does), and drops signal and exit lines.
fn parse_trace(text: &str) -> Vec<Traced> {
    let mut calls: Vec<Option<Traced>> = Vec::new();
    let mut pending: HashMap<u32, (usize, String)> = HashMap::new();
    for raw in text.lines() {
        let Some((pid, line)) = raw.split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let line = line.trim_start();
        if line.starts_with("---") || line.starts_with("+++") {
            continue;
        }
        if let Some(start) = line.strip_suffix(" <unfinished ...>") {
            pending.insert(pid, (calls.len(), start.to_string()));
            calls.push(None);
            continue;
        }
        let (slot, whole) = if let Some(rest) = line.strip_prefix("<... ") {
            let Some((_, rest)) = rest.split_once(" resumed>") else {
                continue;
            };
            let Some((slot, start)) = pending.remove(&pid) else {
                continue;
            };
            (Some(slot), format!("{start}{rest}"))
        } else {
            (None, line.to_string())
        };
        let Some(paren) = whole.find('(') else {
            continue;
        };
        let Some(eq) = whole.rfind(" = ") else {
            continue;
        };
        let name = whole[..paren].to_string();
        let call = format!(
            "{}{} = {}",
            name,
            whole[paren..eq].trim_end(),
            whole[eq + 3..].trim()
        );
        let traced = Some(Traced { pid, name, call });
        match slot {
            Some(slot) => calls[slot] = traced,
            None => calls.push(traced),
        }
    }
    calls.into_iter().flatten().collect()
}

/// The first argument of a call (`close(4) = 0` → `4`).
fn first_arg(call: &str) -> &str {
    let args = &call[call.find('(').map_or(0, |p| p + 1)..];
    args.split([',', ')']).next().unwrap_or("").trim()
}

/// The return value of a call, when it is a number (`= 4`).
fn ret_number(call: &str) -> Option<u32> {
    call.rsplit(" = ")
        .next()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The lab's calls, per process or thread, in order: a `close` only of an fd made by
/// `socket`, `accept4` or `epoll_create1` (fd tables are copied by `clone` and shared
/// by `clone3` threads), `rt_sigaction` only for the lab's signals, no `clone3` (a
/// thread's start is not narrated), no `exit_group` of the main process (the program
/// ending, not a step), no `clone` the kernel restarted by itself (`ERESTARTNOINTR`:
/// the program never sees it), and not the Rust runtime's start-up check that fds 0-2
/// are open (`poll([{fd=0, events=0}, ...`).
fn lab_calls(trace: &[Traced]) -> (u32, BTreeMap<u32, Vec<String>>) {
    let main = trace.first().map_or(0, |t| t.pid);
    let mut tables: HashMap<u32, Rc<RefCell<HashSet<String>>>> = HashMap::new();
    let mut order: Vec<u32> = Vec::new();
    let mut per: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for t in trace {
        let table = tables
            .entry(t.pid)
            .or_insert_with(|| Rc::new(RefCell::new(HashSet::new())))
            .clone();
        if !order.contains(&t.pid) {
            order.push(t.pid);
        }
        let keep = match t.name.as_str() {
            "socket" | "accept4" | "epoll_create1" | "io_uring_setup" => {
                if let Some(fd) = ret_number(&t.call) {
                    table.borrow_mut().insert(fd.to_string());
                }
                true
            }
            // A socket the trace never saw made: io_uring accepted it, and the server
            // asks who is on the other end.
            "getpeername" => {
                table.borrow_mut().insert(first_arg(&t.call).to_string());
                true
            }
            "close" => table.borrow_mut().remove(first_arg(&t.call)),
            "clone" | "clone3" => {
                if let Some(child) = ret_number(&t.call) {
                    let shared = t.name == "clone3" && t.call.contains("CLONE_THREAD");
                    let child_table = if shared {
                        table.clone()
                    } else {
                        Rc::new(RefCell::new(table.borrow().clone()))
                    };
                    tables.insert(child, child_table);
                }
                t.name == "clone" && !t.call.contains("ERESTARTNOINTR")
            }
            "rt_sigaction" => LAB_SIGNALS.contains(&first_arg(&t.call)),
            "exit_group" => t.pid != main,
            "poll" => !t.call.starts_with("poll([{fd=0, events=0}"),
            _ => true,
        };
        if keep {
            per.entry(t.pid).or_default().push(normalize(&t.call));
        }
    }
    (main, per)
}

/// The narrated calls (syscalls and state looks) of the traced kinds, per role; the
/// main thread's roles (`server`, then `parent` or `main`) are one, `main`.
fn narrated_calls(events: &[Value], traced: &[&str]) -> BTreeMap<String, Vec<String>> {
    let mut per: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in events {
        if e["kind"] != "syscall" && e["kind"] != "probe" {
            continue;
        }
        let (Some(name), Some(call)) = (e["syscall"].as_str(), e["call"].as_str()) else {
            continue;
        };
        if !traced.contains(&name) {
            continue;
        }
        let role = match e["role"].as_str().unwrap_or("server") {
            "server" | "parent" | "main" => "main",
            other => other,
        };
        per.entry(role.to_string())
            .or_default()
            .push(normalize(call));
    }
    per
}

/// Every address as `0x?`: strace prints glibc's, the narration writes `0x...` for
/// those it would need one more syscall to learn. `io_uring_setup`'s struct as `...`:
/// strace 6.1 prints flags it does not know as a number and the kernel's offsets, which
/// the narration leaves out.
fn normalize(call: &str) -> String {
    if let Some(rest) = call.strip_prefix("io_uring_setup(") {
        let entries = rest.split(',').next().unwrap_or_default();
        let ret = call.rsplit(" = ").next().unwrap_or_default();
        return format!("io_uring_setup({entries}, ...) = {ret}");
    }
    let mut out = String::with_capacity(call.len());
    let mut rest = call;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        out.push_str("0x?");
        let tail = &rest[at + 2..];
        let skip = if tail.starts_with("...") {
            3
        } else {
            tail.find(|c: char| !c.is_ascii_hexdigit())
                .unwrap_or(tail.len())
        };
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

/// The syscall names a trace set covers, for the narration's side: strace's
/// `%network` class and `close` (raw-testkit's list), and the process and signal calls
/// of [`TRACED`].
fn names(extra: &str) -> Vec<&'static str> {
    let mut names = raw_testkit::NETWORK_CLASS.to_vec();
    names.extend([
        "clone",
        "wait4",
        "kill",
        "tgkill",
        "rt_sigaction",
        "exit_group",
    ]);
    for name in [
        "epoll_create1",
        "epoll_ctl",
        "epoll_wait",
        "poll",
        "pselect6",
        "io_uring_setup",
        "io_uring_register",
        "io_uring_enter",
    ] {
        if extra.split(',').any(|e| e == name) {
            names.push(name);
        }
    }
    names
}

/// Runs `model` under strace: two rounds of two clients, then one client that stays
/// connected while the server is stopped (so the fork model kills and reaps a child,
/// the thread model shuts a connection down). Returns the events and the trace.
fn traced_run(model: &str, extra: &str, strace: &std::path::Path) -> (Vec<Value>, String) {
    let dir = std::env::temp_dir().join(format!("raw-multi-strace-{model}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let trace = dir.join("server.strace");
    let srv = Server::start(
        Command::new(strace)
            .args(["-f", "-qq", "-e", "signal=none", "-e"])
            .arg(format!("trace={TRACED},{extra}"))
            .arg("-o")
            .arg(&trace)
            .args([BIN, "--json", "server", "--model", model, "--port", "0"])
            .args(["--workers", "2"]), // reuseport's threads, prefork's children
    );
    for _ in 0..2 {
        let out = run(
            Command::new(BIN).args([
                "-q",
                "clients",
                "--count",
                "2",
                "--port",
                &srv.port().to_string(),
            ]),
            b"",
            DEADLINE,
        );
        assert!(out.status.success(), "{model}: clients failed");
    }
    let mut held = TcpStream::connect(srv.addr).expect("connect");
    held.set_read_timeout(Some(DEADLINE)).expect("timeout");
    held.write_all(b"still here").expect("write");
    let mut reply = [0u8; 10];
    held.read_exact(&mut reply).expect("echo");
    let (status, events, stderr) = srv.terminate();
    assert!(status.success(), "{model}: {status:?} {stderr}");
    drop(held);
    let text = std::fs::read_to_string(&trace).expect("trace");
    let _ = std::fs::remove_dir_all(&dir);
    (events, text)
}

/// Fails unless the narration and the trace hold the same calls: the main thread's in
/// the same order, and each other process's or thread's in the same order too. A
/// forked child is matched by its pid (its role is `child PID`); one that the stop
/// ended with SIGTERM may have died between a syscall and its narration, so its
/// narration need only be the beginning of its trace. Threads are named by number,
/// not by thread id: their sequences are compared as a whole, sorted. Returns the
/// events and the main process's traced calls, for a model's own checks.
fn assert_matches_strace(
    model: &str,
    extra: &str,
    others_expected: usize,
    strace: &std::path::Path,
) -> (Vec<Value>, Vec<String>) {
    let (events, text) = traced_run(model, extra, strace);
    let (main_pid, mut traced) = lab_calls(&parse_trace(&text));
    let mut narrated = narrated_calls(&events, &names(extra));
    let traced_main = traced.remove(&main_pid).unwrap_or_default();
    let narrated_main = narrated.remove("main").unwrap_or_default();
    raw_testkit::assert_same_calls(&format!("{model} (main)"), &narrated_main, &traced_main);
    let others = narrated.len();
    if model == "fork" || model == "prefork" {
        for (role, calls) in narrated {
            let pid: u32 = role
                .strip_prefix("child ")
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| panic!("{model}: unexpected role {role}"));
            let seen = traced.remove(&pid).unwrap_or_default();
            let killed = format!(
                "wait4(-1, [{{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}}], 0, NULL) = {pid}"
            );
            if traced_main.contains(&killed) {
                assert!(
                    seen.starts_with(&calls),
                    "{model}: child {pid} (ended by SIGTERM) narrated what strace did not see\nnarrated: {calls:#?}\nstrace: {seen:#?}"
                );
            } else {
                raw_testkit::assert_same_calls(&format!("{model} (child {pid})"), &calls, &seen);
            }
        }
        assert!(
            traced.is_empty(),
            "{model}: processes never narrated: {traced:#?}"
        );
    } else {
        let mut narrated_others: Vec<Vec<String>> = narrated.into_values().collect();
        let mut traced_others: Vec<Vec<String>> = traced.into_values().collect();
        narrated_others.sort();
        traced_others.sort();
        assert!(
            narrated_others == traced_others,
            "{model}: the threads' calls differ\nnarrated: {narrated_others:#?}\nstrace:   {traced_others:#?}"
        );
    }
    assert_eq!(
        others, others_expected,
        "{model}: other processes or threads that narrated"
    );
    (events, traced_main)
}

/// Runs [`assert_matches_strace`] for `model`, as [`MODELS`] describes it.
fn narration_matches_strace(model: &str) {
    let test = format!("narration_matches_strace::{model}");
    let Some(strace) = tool("strace", &test) else {
        return;
    };
    let (_, extra, others) = MODELS
        .iter()
        .copied()
        .find(|(m, _, _)| *m == model)
        .unwrap_or_else(|| panic!("{model} is not in MODELS"));
    assert_matches_strace(model, extra, others, &strace);
}

/// One `#[test]` per model: fork (the parent's `rt_sigaction(SIGCHLD)`, each `clone`
/// with the child's pid, `close` of its copy of the connection, the `wait4` loop,
/// `kill` and the blocking `wait4` when stopping; each child's `close` of the listener,
/// its echo, its `exit_group(0)`); thread (the accepts, the `shutdown` when stopping,
/// each thread's echo and `close`); select (`pselect6` with both bitmaps); poll (the
/// whole array); epoll (`epoll_create1`, `epoll_ctl` ADD and DEL, `epoll_wait`, the
/// epoll fd's `close`); io-uring (`io_uring_setup`, `io_uring_register`,
/// `io_uring_enter`, `getpeername`, the ring's `close`); reuseport (the second worker's
/// socket, `SO_REUSEPORT`, bind and listen made by the main thread, each worker's epoll
/// loop, the `tgkill` that wakes worker 2); prefork (the meter's `mmap` is not traced;
/// each child's `rt_sigaction(SIGTERM)`, accepts and echoes, the parent's `kill`s).
macro_rules! per_model {
    ($($test:ident = $model:literal),+ $(,)?) => {
        mod narration_matches_strace {
            $(
                #[test]
                fn $test() {
                    super::narration_matches_strace($model);
                }
            )+
        }
    };
}

per_model!(
    fork = "fork",
    thread = "thread",
    select = "select",
    poll = "poll",
    epoll = "epoll",
    io_uring = "io-uring",
    reuseport = "reuseport",
    prefork = "prefork",
);

/// The io-uring model, both facts at once: the narration says every accept, recv, send
/// and close as a request (`sqe: IORING_OP_...`) and a completion (`cqe: ...`), while
/// strace, in the same run, sees none of them as a syscall: only `io_uring_setup`,
/// `io_uring_register` (the buffer ring), `io_uring_enter`, and the socket calls made
/// outside the ring (the listener's, `getpeername`, the `close` of what is still open
/// when the server stops).
#[test]
fn io_uring_requests_are_narrated_but_strace_sees_only_io_uring_enter() {
    let Some(strace) = tool(
        "strace",
        "io_uring_requests_are_narrated_but_strace_sees_only_io_uring_enter",
    ) else {
        return;
    };
    let (_, extra, others) = MODELS[5];
    let (events, traced_main) = assert_matches_strace("io-uring", extra, others, &strace);
    let said = |prefix: &str| {
        events
            .iter()
            .filter_map(|e| e["call"].as_str())
            .filter(|c| c.starts_with(prefix))
            .count()
    };
    for op in [
        "sqe: IORING_OP_ACCEPT accept4(",
        "cqe: IORING_OP_ACCEPT accept4(",
        "sqe: IORING_OP_RECV recv(",
        "cqe: IORING_OP_RECV recv(",
        "sqe: IORING_OP_SEND sendto(",
        "cqe: IORING_OP_SEND sendto(",
        "sqe: IORING_OP_CLOSE close(",
        "cqe: IORING_OP_CLOSE close(",
    ] {
        assert!(said(op) > 0, "no narrated {op}...");
    }
    // Five clients, each echoed once: five sends completed.
    assert_eq!(said("cqe: IORING_OP_SEND"), 5, "one send per client");
    let name = |call: &String| call.split('(').next().unwrap_or_default().to_string();
    let traced: std::collections::BTreeSet<String> = traced_main.iter().map(name).collect();
    for absent in [
        "accept", "accept4", "recvfrom", "recvmsg", "sendto", "sendmsg",
    ] {
        assert!(!traced.contains(absent), "strace saw {absent}: {traced:?}");
    }
    let enters = traced_main
        .iter()
        .filter(|c| c.starts_with("io_uring_enter("))
        .count();
    assert!(enters > 0, "strace saw no io_uring_enter: {traced_main:#?}");
    let expected: std::collections::BTreeSet<String> = [
        "rt_sigaction",
        "socket",
        "setsockopt",
        "bind",
        "getsockname",
        "listen",
        "getsockopt",
        "io_uring_setup",
        "io_uring_register",
        "io_uring_enter",
        "getpeername",
        "close",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert!(
        traced.is_subset(&expected),
        "strace saw other calls: {:?}",
        traced.difference(&expected).collect::<Vec<_>>()
    );
    // The closes strace saw: the ring's, the listener's, and the one client still
    // connected when the server stopped; the other four went as IORING_OP_CLOSE.
    let closes = traced_main
        .iter()
        .filter(|c| c.starts_with("close("))
        .count();
    assert_eq!(closes, 3, "{traced_main:#?}");
}

/// The trace reader joins interrupted lines where the call started and keeps only the
/// lab's closes, in each process's own fd table.
#[test]
fn trace_reader_joins_and_filters() {
    let text = "\
10 close(3)                          = 0
10 rt_sigaction(SIGSEGV, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0
10 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3
10 accept4(3, {sa_family=AF_INET}, [128 => 16], SOCK_CLOEXEC) = 4
10 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>
11 close(3 <unfinished ...>
10 <... clone resumed>, child_tidptr=0x7f0a) = 11
11 <... close resumed>)              = 0
10 close(5)                          = 0
10 close(4)                          = 0
11 exit_group(0)                     = ?
10 exit_group(0)                     = ?
";
    let (main, per) = lab_calls(&parse_trace(text));
    assert_eq!(main, 10);
    assert_eq!(
        per[&10],
        [
            "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3",
            "accept4(3, {sa_family=AF_INET}, [128 => 16], SOCK_CLOEXEC) = 4",
            "clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0x?) = 11",
            "close(4) = 0",
        ]
    );
    assert_eq!(per[&11], ["close(3) = 0", "exit_group(0) = ?"]);
    assert_eq!(
        normalize("sa_restorer=0x...}, x=0x7ffd12ab)"),
        "sa_restorer=0x?}, x=0x?)"
    );
}
