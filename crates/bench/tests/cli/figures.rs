//! The figures are right: every server measured by `costs`, syscall counts equal to
//! strace's, a latency run bounded by its duration.

use super::*;
use raw_testkit::{json_lines, run, tool, DEADLINE};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// `raw-bench costs` at a tiny size (0.2 s per cell, one round, 1 and 4 clients): one
/// line per server and client count, every model of raw-multi, tokio and the Python
/// server among them; our servers' syscalls per round trip come from their own
/// counters (a number), the references have none (null); every server completed round
/// trips; the four targets are said, each met or missed with its figures. No figure is
/// compared with a speed: tests check behaviour, benchmarks measure.
#[test]
pub(crate) fn costs_measures_every_server() {
    let python = tool("python3", "costs_measures_every_server").is_some();
    let _alone = many_ports();
    let out = run(
        bench().args([
            "--json",
            "costs",
            "--duration",
            "0.2s",
            "--rounds",
            "1",
            "--clients",
            "1,4",
            "--max-others",
            "100", // every sample kept: a busy machine must not make the test longer
        ]),
        b"",
        Duration::from_secs(120),
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "stderr: {err}");
    let events = json_lines(&out.stdout);
    let cells: Vec<&serde_json::Value> = events.iter().filter(|e| e["what"] == "cost").collect();
    let mut servers: Vec<&str> = bench::MODELS.iter().map(|m| m.name()).collect();
    servers.push("tokio");
    if python {
        servers.push("python threads");
    }
    for server in &servers {
        for clients in [1, 4] {
            let cell = cells
                .iter()
                .find(|c| c["server"] == *server && c["clients"] == clients)
                .unwrap_or_else(|| panic!("no cell for {server} at {clients}: {events:#?}"));
            assert!(
                cell["round_trips_per_s"].as_f64().unwrap_or(0.0) > 0.0,
                "{cell}"
            );
            let ours = !matches!(*server, "tokio" | "python threads");
            assert_eq!(cell["syscalls_per_rt"].is_number(), ours, "{cell}");
            assert!(
                cell["cpu_us_per_rt"].as_f64().unwrap_or(-1.0) > 0.0,
                "{cell}"
            );
            assert!(cell["switches_per_rt"].is_number(), "{cell}");
        }
    }
    assert_eq!(
        cells.len(),
        servers.len() * 2,
        "one cell per server and count"
    );
    let targets: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["what"] == "target").collect();
    assert_eq!(targets.len(), if python { 4 } else { 3 }, "{targets:#?}");
    for t in targets {
        assert!(t["met"].is_boolean() && t["value"].is_number(), "{t}");
        if t["met"] == false {
            assert!(
                t["detail"].as_str().is_some_and(|d| d.contains("measured")),
                "a missed target says what was measured: {t}"
            );
        }
    }
    // The same in text, for one server: a header, a line per count, no panic.
    let out = run(
        bench().args([
            "costs",
            "--duration",
            "0.2s",
            "--rounds",
            "1",
            "--clients",
            "2",
            "--only",
            "epoll",
            "--max-others",
            "100",
        ]),
        b"",
        Duration::from_secs(60),
    );
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(said.contains("syscalls/rt"), "{said}");
    assert!(
        said.lines()
            .any(|l| l.starts_with("epoll ") && l.contains(" 2 ")),
        "{said}"
    );
}

/// The syscalls `raw-bench costs` divides by the round trips are our own counters
/// (a `CallCounter` view: one per step). Run each model's server under `strace -f`
/// with a small load, stop it with SIGTERM, and compare the count it reports with the
/// calls of the same names in strace's trace: equal. The calls the Rust runtime and
/// glibc make for themselves are left out of strace's side by what they are, never by
/// an allowance: `rt_sigaction` of SIGPIPE, SIGSEGV, SIGBUS and glibc's SIGRT_1 (set
/// when the first thread starts), the `poll` of fds 0-2 at start-up, and the `close` of
/// a file opened with `openat` (the loader's libraries, the /proc files read), every
/// `mmap` but the shared pages our steps map (`MAP_SHARED|MAP_ANONYMOUS`, which the
/// allocator never asks for; the counters' own page is mapped before they count), and the first process's `exit_group` (the runtime's, at
/// the end of `main`; the children's are steps), the `prctl(PR_SET_NAME)` with which
/// std names a thread it starts.
/// (A thread's start is `clone3`, which no step narrates: not in `OURS`.)
#[test]
pub(crate) fn syscall_counts_match_strace() {
    let Some(strace) = tool("strace", "syscall_counts_match_strace") else {
        return;
    };
    const OURS: [&str; 28] = [
        "socket",
        "setsockopt",
        "getsockopt",
        "bind",
        "getsockname",
        "getpeername",
        "listen",
        "accept4",
        "recvfrom",
        "sendto",
        "shutdown",
        "close",
        "epoll_create1",
        "epoll_ctl",
        "epoll_wait",
        "poll",
        "pselect6",
        "clone",
        "wait4",
        "kill",
        "tgkill",
        "rt_sigaction",
        "io_uring_setup",
        "io_uring_register",
        "io_uring_enter",
        "prctl",
        "mmap",
        "exit_group",
    ];
    let _alone = many_ports();
    let dir = std::env::temp_dir().join(format!("raw-bench-strace-c-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for model in bench::MODELS {
        let name = model.name();
        let port = raw_testkit::free_port();
        let (counts, report) = (
            dir.join(format!("{name}.strace")),
            dir.join(format!("{name}.json")),
        );
        let mut traced = Command::new(&strace)
            .args(["-f", "-q", "-o"]) // no -qq, no signal=none: they hide "+++ killed by"
            .arg(&counts)
            .arg(env!("CARGO_BIN_EXE_raw-bench"))
            .args([
                "serve",
                "--kind",
                "multi",
                "--model",
                name,
                "--port",
                &port.to_string(),
            ])
            .arg("--report")
            .arg(&report)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("spawn strace");
        assert!(
            raw_testkit::wait_for_state(port, "LISTEN"),
            "{name}: never listened"
        );
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let (streams, connected) =
            bench::connect_all(addr, 8, Duration::from_secs(10)).expect("connect");
        assert_eq!(connected.established, 8, "{name}");
        let m = bench::load(addr, streams, 64, Duration::from_millis(300), None).expect("load");
        assert!(m.count > 0, "{name}: no round trip");
        // SIGTERM to the server (strace's child), as raw-bench costs stops it.
        let serve = std::fs::read_to_string(format!(
            "/proc/{}/task/{}/children",
            traced.id(),
            traced.id()
        ))
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .and_then(|p| p.parse::<i32>().ok())
        .expect("the server under strace");
        // Sent again every 500 ms: one landing just before a blocking call is seen only
        // at the next one.
        let end = Instant::now() + DEADLINE;
        while traced.try_wait().ok().flatten().is_none() && Instant::now() < end {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(serve),
                nix::sys::signal::Signal::SIGTERM,
            );
            let again = Instant::now() + Duration::from_millis(500);
            while traced.try_wait().ok().flatten().is_none() && Instant::now() < again {
                sleep(Duration::from_millis(20));
            }
        }
        if traced.try_wait().ok().flatten().is_none() {
            // Still running: end the server as well as strace, or it would outlive us.
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(serve),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = traced.kill();
        let _ = traced.wait();
        let ours: bench::Report =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default())
                .unwrap_or_else(|_| panic!("{name}: no report"));
        let trace = std::fs::read_to_string(&counts).expect("strace output");
        let (seen, by_name) = calls_of_our_steps(&trace, &OURS);
        eprintln!("{name}: ours {}, strace {seen}", ours.calls);
        assert_eq!(
            ours.calls, seen,
            "{name}: our counter and strace differ; strace's calls by name: {by_name:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The calls in a `strace -f` trace that our steps make: those named in `ours`,
/// without the runtime's own (see [`syscall_counts_match_strace`]). A call strace
/// splits in two (`<unfinished ...>`, then `<... resumed>`) counts once. Returns the
/// count and the count by name.
fn calls_of_our_steps(
    trace: &str,
    ours: &[&str],
) -> (u64, std::collections::BTreeMap<String, u64>) {
    const RUNTIME_SIGNALS: [&str; 4] = ["SIGPIPE", "SIGSEGV", "SIGBUS", "SIGRT_1"];
    let mut files: std::collections::HashSet<(String, String)> = Default::default();
    let mut by_name = std::collections::BTreeMap::new();
    let first = trace.split_whitespace().next().unwrap_or("");
    // Per thread, the call strace saw start and not return (`<unfinished ...>`, or
    // `= ?` when a signal came): if the signal kills the thread there (SIGTERM's
    // default action in a prefork child blocked in accept4), the call never returned,
    // and our counter counts a call when it returns.
    let mut unfinished: std::collections::HashMap<String, String> = Default::default();
    for line in trace.lines() {
        let Some((tid, call)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let call = call.trim_start();
        if call.starts_with("---") {
            continue; // "--- SIGTERM {si_signo=SIGTERM, ...} ---": a signal, not a call
        }
        let no_return = call.ends_with("<unfinished ...>") || call.contains(") = ?");
        if call.starts_with("+++ killed by") {
            if let Some(count) = unfinished.remove(tid).and_then(|n| by_name.get_mut(&n)) {
                *count -= 1;
            }
            continue;
        }
        if call.starts_with("+++") || !(no_return && call.starts_with("<... ")) {
            unfinished.remove(tid); // it ended, or this thread went on to another call
        }
        let returned = call
            .rsplit("= ")
            .next()
            .filter(|r| r.parse::<u32>().is_ok());
        if let (true, Some(fd)) = (call.starts_with("<... openat resumed>"), returned) {
            files.insert((tid.to_string(), fd.to_string())); // its end, after another's line
            continue;
        }
        let Some((syscall, args)) = call.split_once('(') else {
            continue; // "+++ exited with 0 +++", "<... read resumed>": not a call's start
        };
        let first_arg = args.split([',', ')', ' ']).next().unwrap_or("");
        if syscall == "openat" {
            if let Some(fd) = returned {
                files.insert((tid.to_string(), fd.to_string()));
            }
            continue;
        }
        let runtime = match syscall {
            "rt_sigaction" => RUNTIME_SIGNALS.contains(&first_arg),
            "poll" => args.starts_with("[{fd=0, events=0}, {fd=1, events=0}, {fd=2, events=0}]"),
            "close" => files.remove(&(tid.to_string(), first_arg.to_string())),
            // The allocator's, and the page of the counters themselves (two u64: mapped
            // by `serve --report` before there is a counter to count it).
            "mmap" => !args.contains("MAP_SHARED|MAP_ANONYMOUS") || args.starts_with("NULL, 16,"),
            "exit_group" => tid == first,
            "prctl" => first_arg == "PR_SET_NAME", // std names each thread it starts
            _ => false,
        };
        if ours.contains(&syscall) && !runtime {
            *by_name.entry(syscall.to_string()).or_insert(0) += 1;
            if no_return {
                unfinished.insert(tid.to_string(), syscall.to_string());
            }
        }
    }
    (by_name.values().sum(), by_name)
}

/// A server that accepts and never answers: `latency --duration 1s` ends within its
/// duration (plus start-up), exit 1 with the hint, not after the 10 s reply timeout.
/// Durations have an upper bound: one hour, exit 2 beyond it.
#[test]
pub(crate) fn latency_against_a_silent_server_is_bounded_by_its_duration() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = silent.local_addr().expect("addr");
    let started = Instant::now();
    let out = run(
        Command::new(env!("CARGO_BIN_EXE_raw-bench")).args([
            "latency",
            "--proto",
            "tcp",
            "--target",
            &addr.to_string(),
            "--duration",
            "1s",
        ]),
        b"",
        DEADLINE,
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no reply from"),
        "{out:?}"
    );
    assert!(
        took < Duration::from_secs(6),
        "took {took:?} for --duration 1s"
    );
    drop(silent);
    for too_long in ["99999999999999s", "3601"] {
        let out = run(
            Command::new(env!("CARGO_BIN_EXE_raw-bench")).args(["latency", "--duration", too_long]),
            b"",
            DEADLINE,
        );
        assert_eq!(out.status.code(), Some(2), "{too_long}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("one hour"),
            "{out:?}"
        );
    }
}
