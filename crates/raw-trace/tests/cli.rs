//! The command line: exit codes (the program's; 1 without strace; 2 for bad usage), a
//! --help that teaches, and an interrupted raw-trace that leaves nothing running.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Without strace on PATH: exit 1, and the message says how to install it.
#[test]
fn missing_strace_says_how_to_install_it() {
    let out = raw_testkit::run(
        Command::new(BIN)
            .env("PATH", "/nonexistent")
            .args(["--", "/bin/true"]),
        b"",
        LIMIT,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("strace is not installed"), "{err}");
    assert!(err.contains("apt-get install strace"), "{err}");
    let out = raw_testkit::run(
        Command::new(BIN)
            .env("PATH", "/nonexistent")
            .args(["--lang", "pt-BR", "--", "/bin/true"]),
        b"",
        LIMIT,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("o strace não está instalado"), "{err}");
}

/// No command, or one that does not exist: exit 2, with a hint.
#[test]
fn bad_usage_exits_2() {
    let out = raw_testkit::run(&mut Command::new(BIN), b"", LIMIT);
    assert_eq!(out.status.code(), Some(2));
    // --hold has an upper bound (10 s per syscall), said by clap, exit 2.
    let out = raw_testkit::run(
        Command::new(BIN).args(["--hold", "99999999", "--", "true"]),
        b"",
        LIMIT,
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("it takes 0 to 10000"),
        "{out:?}"
    );
    if raw_testkit::tool("strace", "bad_usage_exits_2").is_none() {
        return;
    }
    let out = raw_testkit::run(
        Command::new(BIN).args(["--", "no-such-program-raw-trace"]),
        b"",
        LIMIT,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no such program on PATH"), "{err}");
}

/// raw-trace exits with the traced program's code, and 128+N for a death by signal N.
#[test]
fn exit_code_is_the_programs() {
    let test = "exit_code_is_the_programs";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let out = run(raw_trace(
        &["-qq"],
        &[&python, &"-c", &"import sys; sys.exit(3)"],
    ));
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    let out = run(raw_trace(
        &["-qq"],
        &[&python, &"-c", &"import os; os.kill(os.getpid(), 9)"],
    ));
    assert_eq!(out.status.code(), Some(137), "{}", show(&out));
}

/// --help teaches: what a line is made of, where the state comes from, every mistake.
#[test]
fn help_teaches() {
    let out = raw_testkit::run_ok(Command::new(BIN).arg("--help"));
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "strace",
        "/proc/net/tcp",
        "--capture",
        "no-reuseaddr",
        "eof-ignored",
        "short-send",
        "zombie",
        "localhost-ipv6",
        "udp-truncated",
        "blocked-accept",
        "Exit code",
        "--hold",
    ] {
        assert!(
            help.contains(word),
            "--help does not mention {word}:\n{help}"
        );
    }
}

/// The traced program's pid (raw-trace's child: strace runs as a grandchild, -D).
fn traced_pid(raw_trace: u32) -> u32 {
    let deadline = Instant::now() + LIMIT;
    while Instant::now() < deadline {
        let children =
            std::fs::read_to_string(format!("/proc/{raw_trace}/task/{raw_trace}/children"))
                .unwrap_or_default();
        if let Some(pid) = children
            .split_whitespace()
            .next()
            .and_then(|p| p.parse().ok())
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("raw-trace started no program");
}

fn gone(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map(|s| s.contains("State:\tZ"))
        .unwrap_or(true)
}

/// SIGTERM to raw-trace alone (not its process group) stops the program too, even one
/// that ignores SIGTERM: it is killed 2 s later. Nothing is left running.
#[test]
fn interrupted_raw_trace_leaves_nothing_running() {
    let test = "interrupted_raw_trace_leaves_nothing_running";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    for (script, code) in [
        ("import time, socket; s = socket.socket(); time.sleep(60)", 143),
        (
            "import signal, socket, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); s = socket.socket(); time.sleep(60)",
            137,
        ),
    ] {
        let mut cmd = raw_trace(&["-q"], &[&python, &"-c", &script]);
        cmd.stdout(Stdio::null());
        let child = start(cmd);
        let rt = child.id();
        let program = traced_pid(rt);
        std::thread::sleep(Duration::from_millis(500)); // running and traced
        let started = Instant::now();
        let _ = Command::new("kill").args(["-TERM", &rt.to_string()]).status();
        let out = finish(child);
        assert_eq!(out.status.code(), Some(code), "{}", show(&out));
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(gone(program), "the traced program {program} still runs");
    }
}

/// --step cannot pause another program: refused as bad usage (exit 2).
#[test]
fn step_is_refused() {
    if raw_testkit::tool("strace", "step_is_refused").is_none() {
        return;
    }
    let out = raw_testkit::run(
        Command::new(BIN).args(["--step", "--", "/bin/true"]),
        b"",
        LIMIT,
    );
    assert_eq!(out.status.code(), Some(2));
}

/// raw-trace killed outright (SIGKILL, which it cannot catch): the program it traced
/// dies with it (it is raw-trace's child, with PR_SET_PDEATHSIG).
#[test]
fn killed_raw_trace_takes_the_program_along() {
    let test = "killed_raw_trace_takes_the_program_along";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let mut cmd = raw_trace(
        &["-q"],
        &[
            &python,
            &"-c",
            &"import socket, time; s = socket.socket(); time.sleep(60)",
        ],
    );
    cmd.stdout(Stdio::null());
    let child = start(cmd);
    let rt = child.id();
    let program = traced_pid(rt);
    std::thread::sleep(Duration::from_millis(500));
    let _ = Command::new("kill")
        .args(["-KILL", &rt.to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !gone(program) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        gone(program),
        "the traced program {program} outlived raw-trace"
    );
    drop(child);
    // Killed at once, raw-trace could not remove its FIFO's directory: the test does.
    if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        let prefix = format!("raw-trace-{rt}-");
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}
