//! One message per syscall meaning: the labs and raw-trace say the same sentence for
//! the same strace line (numbers aside). The fork lab's `clone` and `wait4`, and the
//! poll model's `poll`, against raw-trace on a forking, polling Python server.

mod common;

use common::*;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A sentence with its numbers masked (pids, fds, counts differ between runs).
fn masked(text: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// The masked sentences of the successful calls of `syscall` that returned a positive
/// value.
fn said(events: &[Value], syscall: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["kind"] == "syscall" && e["syscall"] == syscall)
        .filter(|e| e["ret"].as_i64().is_some_and(|r| r > 0))
        .filter_map(|e| e["text"].as_str().map(masked))
        .collect()
}

fn beside(name: &str) -> PathBuf {
    std::path::Path::new(BIN).with_file_name(name)
}

#[test]
fn the_labs_and_raw_trace_say_the_same_sentence_for_clone_wait4_and_poll() {
    let test = "the_labs_and_raw_trace_say_the_same_sentence_for_clone_wait4_and_poll";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let multi = beside("raw-multi");
    if !multi.is_file() {
        raw_testkit::skip(
            test,
            "raw-multi is not built beside raw-trace (cargo build -p raw-multi)",
        );
        return;
    }
    for lang in ["en", "pt-BR"] {
        let traced = run(raw_trace(
            &["--json", "--lang", lang],
            &[&python, &program("fork_poll.py")],
        ));
        assert!(traced.status.success(), "{}", show(&traced));
        let traced = events(&traced);

        let lab = Command::new(&multi)
            .args(["--json", "--lang", lang, "lab", "zombies"])
            .output()
            .expect("raw-multi lab zombies");
        assert!(lab.status.success());
        let lab: Vec<Value> = String::from_utf8_lossy(&lab.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();

        let port = raw_testkit::free_port();
        let server = Command::new(&multi)
            .args(["--json", "--lang", lang, "server", "--model", "poll"])
            .args(["--port", &port.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("raw-multi server");
        assert_eq!(echo(port, b"hi"), b"HI");
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(server.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .expect("kill");
        let out = server.wait_with_output().expect("server");
        let polled: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();

        for (syscall, ours) in [("clone", &lab), ("wait4", &lab), ("poll", &polled)] {
            let theirs = said(&traced, syscall);
            let ours = said(ours, syscall);
            assert!(
                !theirs.is_empty() && !ours.is_empty(),
                "{lang} {syscall}: {theirs:?} {ours:?}"
            );
            assert!(
                theirs.iter().all(|t| ours.contains(t)),
                "{lang} {syscall}: raw-trace says {theirs:#?}\nthe lab says {ours:#?}"
            );
        }
    }
}
