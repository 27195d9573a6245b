//! Every command shown in a ```sh block of README.md and docs/ works when pasted, in the
//! repository's folder, after the README's set-up (`cargo build --workspace`): a lecturer
//! found that the pages' `target/debug/raw-udp` and `raw-multi` failed after the README
//! built only raw-tcp.
//!
//! - `commands_that_need_no_second_terminal_work` runs, page by page and in the page's
//!   order, every command that ends on its own (demos, labs, strace of a demo, `ss`,
//!   `tshark -r` of a file an earlier command wrote), each bounded in time, on loopback;
//!   as root, or skipped (raw-testkit's `skip`) when a command needs root.
//! - `commands_with_a_second_terminal_work` (ignored; `scripts/docs.sh` runs it, as root)
//!   runs the rest: each server with the clients of its block (or a default client),
//!   live captures with a demo on their port, `watch` under a terminal, and the two-hosts
//!   rehearsal of lab 4. It uses the assignment's fixed ports (65432, 65431) and the
//!   namespaces rs-a/rs-b, so it runs alone.
//!
//! Every command is classified; a command no rule knows fails the test, so that a new
//! kind of command on a page is never silently left unchecked. Files a command writes in
//! the repository's folder (a capture, a picture) are removed afterwards.

use docs_check::{pages, read, root, sh_commands, without_comment};
use raw_testkit::{is_root, skip, tool};
use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

mod live;
#[allow(unused_imports)]
use live::*;

/// How a command of a page is checked.
#[derive(Debug, Clone, PartialEq)]
enum How {
    /// Runs to its end by itself: run now, must exit 0.
    Now,
    /// Waits for clients (a server): started in the background with its block's clients.
    Server,
    /// Talks to the server of its block.
    Client,
    /// Captures live, refreshes a screen: run for a moment beside a demo, or in a terminal.
    Live,
    /// Part of the two-hosts rehearsal (network namespaces rs-a and rs-b).
    Hosts,
    /// Not run by the tests, and why.
    NotRun(&'static str),
}

/// A command as a student types it: its text, and the rule it falls under.
struct Cmd {
    page: String,
    block: usize,
    text: String,
    root: bool,
    how: How,
}

fn classify(text: &str) -> (bool, How) {
    let root = text.starts_with("sudo ");
    let cmd = text.trim_start_matches("sudo ");
    let program = ["raw-tcp", "raw-udp", "raw-multi", "raw-trace"]
        .iter()
        .find(|p| cmd.contains(&format!("target/debug/{p}")));
    let how = if cmd.starts_with("scripts/test") {
        How::NotRun("the test suite itself (it runs these tests)")
    } else if cmd.starts_with("scripts/docs.sh") {
        How::NotRun("the docs generator (it runs these tests, as root)")
    } else if cmd.starts_with("cargo build --release -p bench")
        || cmd.starts_with("target/release/raw-bench")
        || cmd.starts_with("cargo bench")
        || cmd.starts_with("cargo test -p bench")
    {
        How::NotRun("benchmarks: minutes of release build and measuring; docs/benchmarks.md shows their results")
    } else if cmd.contains("./my_server") || cmd.contains("./meu_servidor") {
        How::NotRun("a stand-in for the reader's own program")
    } else if cmd.starts_with("scripts/two-hosts.sh") {
        How::Hosts
    } else if let Some(inner) = cmd.strip_prefix("ip netns exec ") {
        // A command inside one of the rehearsal's hosts: a server or client there, or
        // any other command, which needs the hosts up.
        let inner = inner.split_once(' ').map_or("", |(_, rest)| rest);
        match classify(inner).1 {
            How::Now => How::Hosts,
            other => other,
        }
    } else if cmd.starts_with("watch ")
        || cmd.contains("tshark -i ")
        || cmd.contains(" --step")
        || cmd.starts_with("wireshark")
    {
        How::Live
    } else if let Some(p) = program {
        let words: Vec<&str> = cmd.split_whitespace().collect();
        if *p == "raw-trace" {
            if cmd.contains("server") {
                How::Server
            } else if cmd.contains("client") {
                How::Client
            } else {
                How::Now
            }
        } else if words.contains(&"server") {
            How::Server
        } else if words.contains(&"client") || words.contains(&"clients") {
            How::Client
        } else {
            How::Now
        }
    } else {
        How::Now
    };
    (root, how)
}

fn commands() -> Vec<Cmd> {
    let mut out = Vec::new();
    for page in pages() {
        for (block, raw) in sh_commands(&read(&page)) {
            let text = without_comment(&raw);
            let (root, how) = classify(&text);
            out.push(Cmd {
                page: page.clone(),
                block,
                text,
                root,
                how,
            });
        }
    }
    out
}

/// The README's set-up, once per test binary: its first command.
fn set_up() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let readme = read("README.md");
        let (_, first) = sh_commands(&readme)
            .into_iter()
            .next()
            .expect("the README's first command");
        let first = without_comment(&first);
        assert!(
            first.starts_with("cargo build --workspace"),
            "the README's first command should build every program: {first}"
        );
        let (ok, out) = bash(&first, Duration::from_secs(900), b"");
        assert!(ok, "the README's first command failed: {first}\n{out}");
    });
}

/// A shell that runs as root runs `sudo x` as `x` when there is no sudo (containers).
fn sudo_shim() -> Option<std::path::PathBuf> {
    static SHIM: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    SHIM.get_or_init(|| {
        if raw_testkit::which("sudo").is_some() || !is_root() {
            return None;
        }
        let dir = std::env::temp_dir().join(format!("docs-check-sudo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let shim = dir.join("sudo");
        std::fs::write(&shim, "#!/bin/sh\nexec \"$@\"\n").ok()?;
        Command::new("chmod").arg("755").arg(&shim).status().ok()?;
        Some(dir)
    })
    .clone()
}

fn shell(text: &str) -> Command {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", text]).current_dir(root()).process_group(0);
    if let Some(dir) = sudo_shim() {
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", dir.display()));
    }
    cmd
}

/// Runs a command line in bash, in the repository's folder, bounded in time: whether it
/// exited 0, and what it printed.
fn bash(text: &str, limit: Duration, stdin: &[u8]) -> (bool, String) {
    let out = raw_testkit::run(&mut shell(text), stdin, limit);
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), printed)
}

/// The tools a command needs, by its first word (after sudo and strace).
fn missing_tool(test: &str, text: &str) -> bool {
    for name in [
        "strace", "tshark", "ss", "ip", "hostname", "python3", "script", "nft", "ping",
    ] {
        let used = text.split_whitespace().any(|w| w == name);
        if used && tool(name, test).is_none() {
            return true;
        }
    }
    false
}

/// Files at the top of the repository's folder, to remove the ones a command wrote.
fn top_files() -> BTreeSet<String> {
    std::fs::read_dir(root())
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn remove_new_files(before: &BTreeSet<String>) {
    for name in top_files().difference(before) {
        let p = root().join(name);
        if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("pcap" | "pcapng" | "svg" | "html")
        ) {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Every command falls under a rule; listed here once, for the record.
#[test]
fn every_command_is_classified() {
    let all = commands();
    assert!(
        all.len() > 40,
        "only {} commands found on the pages",
        all.len()
    );
    for c in &all {
        if let How::NotRun(why) = &c.how {
            eprintln!("not run: {}: {} ({why})", c.page, c.text);
        }
        assert!(!c.text.is_empty(), "{}: an empty command", c.page);
        assert!(
            !c.text.contains("cargo run"),
            "{}: `{}`: the pages run the built programs (target/debug/...), as the README builds them",
            c.page,
            c.text
        );
    }
}

/// The commands that end by themselves work when pasted, in the page's order.
#[test]
fn commands_that_need_no_second_terminal_work() {
    let test = "commands_that_need_no_second_terminal_work";
    set_up();
    let mut failed = Vec::new();
    let mut by_page: Vec<(String, Vec<Cmd>)> = Vec::new();
    for c in commands() {
        match by_page.last_mut() {
            Some((p, list)) if *p == c.page => list.push(c),
            _ => by_page.push((c.page.clone(), vec![c])),
        }
    }
    let mut skipped_root = false;
    for (page, list) in by_page {
        let before = top_files();
        for c in list.iter().filter(|c| c.how == How::Now) {
            if c.root && !is_root() {
                skipped_root = true;
                continue;
            }
            if missing_tool(test, &c.text) {
                continue;
            }
            let (mut ok, mut out) = bash(&c.text, Duration::from_secs(60), b"");
            if !ok && out.contains("EADDRINUSE") && wait_out_time_wait(&c.text) {
                // Another program's connection on the assignment's port was in TIME-WAIT
                // (a socket without SO_REUSEADDR had it): once it is over, once more.
                (ok, out) = bash(&c.text, Duration::from_secs(60), b"");
            }
            if !ok {
                failed.push(format!("{page}: `{}` failed:\n{}", c.text, tail(&out)));
            }
        }
        remove_new_files(&before);
    }
    if skipped_root {
        skip(
            test,
            "some commands need root (sudo); run the tests as root to check them",
        );
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// Waits (at most 65 s: TIME-WAIT lasts 60) until no connection on the command's port
/// is in TIME-WAIT; returns whether there was one to wait for.
fn wait_out_time_wait(text: &str) -> bool {
    let (port, _) = port_of(text);
    let busy = || {
        Command::new("ss")
            .args([
                "-Htan",
                "state",
                "time-wait",
                &format!("( sport = :{port} )"),
            ])
            .output()
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(false)
    };
    if !busy() {
        return false;
    }
    let deadline = Instant::now() + Duration::from_secs(65);
    while busy() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(500));
    }
    true
}

fn tail(out: &str) -> String {
    let lines: Vec<&str> = out.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}
