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
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

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

// ---- with a second terminal (scripts/docs.sh runs these, as root) ------------------------

/// A command started in the background (its own process group).
struct Background {
    child: Child,
    text: String,
}

impl Background {
    fn start(text: &str) -> Background {
        let child = shell(text)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bash");
        Background {
            child,
            text: text.to_string(),
        }
    }

    /// Stops it as Ctrl-C would (SIGINT to the group), then for sure (SIGKILL to the group,
    /// then to whatever of it still holds the server's port: a program that a tracer let
    /// go of when it was interrupted); returns its output.
    fn stop(mut self) -> String {
        let pid = self.child.id();
        let _ = Command::new("kill")
            .args(["-INT", "--", &format!("-{pid}")])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .status();
        let _ = self.child.wait();
        kill_holders(&self.text);
        let mut out = String::new();
        if let Some(mut o) = self.child.stdout.take() {
            let _ = o.read_to_string(&mut out);
        }
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut out);
        }
        out
    }
}

/// Kills (by pid) the processes that still listen on the port of a server command we
/// started and stopped: leftovers of that command, never anything else's, since the
/// tests run these commands alone (scripts/docs.sh), as root.
fn kill_holders(text: &str) {
    let (port, udp) = port_of(text);
    if text.contains("ip netns exec") {
        return; // the namespaces go away with two-hosts.sh down
    }
    for _ in 0..30 {
        let out = Command::new("ss")
            .args([
                if udp { "-Hulnp" } else { "-Htlnp" },
                &format!("sport = :{port}"),
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let pids: Vec<&str> = out
            .split("pid=")
            .skip(1)
            .filter_map(|r| r.split(',').next())
            .collect();
        if pids.is_empty() {
            return;
        }
        for pid in pids {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// The port a server command listens on, and whether it is UDP.
fn port_of(text: &str) -> (u16, bool) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let udp = text.contains("raw-udp");
    let port = words
        .windows(2)
        .find(|w| w[0] == "--port")
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(if udp { 65431 } else { 65432 });
    (port, udp)
}

/// Waits (at most 20 s) until the server of `text` listens (inside its namespace, if any).
fn wait_for_server(text: &str) -> bool {
    let (port, udp) = port_of(text);
    let ns = text
        .trim_start_matches("sudo ")
        .strip_prefix("ip netns exec ")
        .and_then(|r| r.split_whitespace().next())
        .map(str::to_string);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let mut cmd = match &ns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, "ss"]);
                c
            }
            None => Command::new("ss"),
        };
        cmd.args([
            if udp { "-Huln" } else { "-Htln" },
            &format!("sport = :{port}"),
        ]);
        if cmd.output().map(|o| !o.stdout.is_empty()).unwrap_or(false) {
            return true;
        }
        thread::sleep(Duration::from_millis(100));
    }
    false
}

/// A client for a server command whose block shows none.
fn default_client(server: &str) -> String {
    let (port, _) = port_of(server);
    let ns_b = if server.contains("rs-a") {
        "ip netns exec rs-b "
    } else {
        ""
    };
    let host = if server.contains("rs-a") {
        " --host 198.18.0.1"
    } else {
        ""
    };
    if server.contains("raw-udp") {
        format!("{ns_b}target/debug/raw-udp -q client --port {port}{host} --message 'Hello, world'")
    } else if server.contains("raw-multi") {
        format!("target/debug/raw-multi -q clients --count 2 --port {port}")
    } else if server.contains("echo-server.py") {
        "python3 examples/python/echo-client.py".to_string()
    } else {
        format!("{ns_b}target/debug/raw-tcp -q client --port {port}{host}")
    }
}

/// A server for a client command whose block shows none.
fn default_server(client: &str) -> String {
    let (port, _) = port_of(client);
    let ns_a = if client.contains("rs-b") {
        "ip netns exec rs-a "
    } else {
        ""
    };
    let host = if client.contains("rs-b") {
        " --host 0.0.0.0"
    } else {
        ""
    };
    if client.contains("raw-udp") {
        format!("{ns_a}target/debug/raw-udp -qq server --port {port}{host}")
    } else if client.contains("raw-multi") {
        format!("target/debug/raw-multi -qq server --model thread --port {port}")
    } else if client.contains("echo-client.py") {
        "python3 examples/python/echo-server.py".to_string()
    } else {
        format!("{ns_a}target/debug/raw-tcp -qq server --forever --port {port}{host}")
    }
}

/// A live capture, checked beside a demo on its port; `watch` in a terminal for 2 s.
fn run_live(text: &str) -> Result<(), String> {
    if text.starts_with("watch ") {
        let line = format!(
            "script -qec {} /dev/null",
            shell_quote(&format!("timeout 2 {text}"))
        );
        let out = raw_testkit::run(&mut shell(&line), b"", Duration::from_secs(20));
        let printed = String::from_utf8_lossy(&out.stdout).into_owned();
        return if printed.contains("Every") || printed.contains("State") {
            Ok(())
        } else {
            Err(format!("`{text}` showed nothing: {printed}"))
        };
    }
    if text.contains("tshark -i ") {
        let iface = text
            .split("-i ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or("lo");
        if iface != "lo" {
            return Ok(()); // another machine's interface: lab 4's pages show it from real runs
        }
        let capture = Background::start(text);
        thread::sleep(Duration::from_secs(2)); // tshark opens the interface
        wait_out_time_wait(if text.contains("udp") {
            "--port 65431 raw-udp"
        } else {
            "--port 65432"
        });
        let demo = if text.contains("udp") {
            "target/debug/raw-udp -q demo --port 65431"
        } else {
            "target/debug/raw-tcp -q demo --port 65432"
        };
        let (ok, out) = bash(demo, Duration::from_secs(30), b"");
        thread::sleep(Duration::from_millis(500));
        let printed = capture.stop();
        if !ok {
            return Err(format!("the demo beside `{text}` failed: {out}"));
        }
        return if printed.contains(" → ") {
            Ok(())
        } else {
            Err(format!("`{text}` captured nothing:\n{}", tail(&printed)))
        };
    }
    Ok(()) // --step and the GUI: lab 1's ss block (step-views.py) and the screenshots
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The servers of a block still running: each gets a client if its block showed none
/// yet, then is stopped as Ctrl-C would.
fn finish_servers(servers: &mut Vec<Background>, served: &mut bool, errors: &mut Vec<String>) {
    if let Some(last) = servers.last() {
        if !*served {
            let (ok, out) = bash(&default_client(&last.text), Duration::from_secs(30), b"");
            if !ok {
                errors.push(format!(
                    "a client of `{}` failed: {}",
                    last.text,
                    tail(&out)
                ));
            }
        }
    }
    for s in servers.drain(..) {
        s.stop();
    }
    *served = true;
}

/// Runs one ```sh block of a page as a student with several terminals would.
fn run_block(cmds: &[&Cmd]) -> Vec<String> {
    let mut errors = Vec::new();
    let mut servers: Vec<Background> = Vec::new();
    let mut served = true;
    for c in cmds {
        let text = c.text.as_str();
        match &c.how {
            How::NotRun(_) => {}
            How::Live => {
                finish_servers(&mut servers, &mut served, &mut errors);
                if let Err(e) = run_live(text) {
                    errors.push(e);
                }
            }
            How::Server => {
                finish_servers(&mut servers, &mut served, &mut errors);
                // The assignment's ports are fixed: another program's connection there may
                // still be in TIME-WAIT, which bind refuses when that socket lacked
                // SO_REUSEADDR (the course's Python server does).
                wait_out_time_wait(text);
                let s = Background::start(text);
                if !wait_for_server(text) {
                    errors.push(format!("`{text}`: nothing listened:\n{}", tail(&s.stop())));
                    continue;
                }
                servers.push(s);
                served = false;
            }
            How::Client => {
                if servers.is_empty() {
                    // A block of clients "while one of them runs": start one.
                    let server = default_server(text);
                    wait_out_time_wait(&server);
                    let s = Background::start(&server);
                    if !wait_for_server(&server) {
                        errors.push(format!(
                            "`{server}` (for `{text}`): nothing listened:\n{}",
                            tail(&s.stop())
                        ));
                        continue;
                    }
                    servers.push(s);
                }
                let (ok, out) = bash(text, Duration::from_secs(60), b"Hello, world\n");
                served = true;
                if !ok {
                    errors.push(format!("`{text}` failed:\n{}", tail(&out)));
                }
            }
            How::Now | How::Hosts => {
                if text.contains("two-hosts.sh down") {
                    finish_servers(&mut servers, &mut served, &mut errors);
                }
                let (ok, out) = bash(text, Duration::from_secs(60), b"");
                if !ok {
                    errors.push(format!("`{text}` failed:\n{}", tail(&out)));
                }
            }
        }
    }
    finish_servers(&mut servers, &mut served, &mut errors);
    errors
}

/// The servers with their clients, the live captures, and the two-hosts rehearsal, as
/// the pages show them (scripts/docs.sh runs this, as root).
#[test]
#[ignore = "fixed ports and namespaces: scripts/docs.sh runs it alone, as root"]
fn commands_with_a_second_terminal_work() {
    let test = "commands_with_a_second_terminal_work";
    if !is_root() {
        skip(
            test,
            "servers on the assignment's ports, captures and namespaces need root",
        );
        return;
    }
    for t in ["strace", "tshark", "ip", "script", "python3"] {
        if tool(t, test).is_none() {
            return;
        }
    }
    set_up();
    let _ = bash("scripts/two-hosts.sh down", Duration::from_secs(30), b"");
    let all = commands();
    let mut errors = Vec::new();
    // DOCS_CHECK_PAGES=tools,trace limits the run to pages whose path contains one of them.
    let only: Vec<String> = std::env::var("DOCS_CHECK_PAGES")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let mut blocks: Vec<(String, usize)> = all
        .iter()
        .filter(|c| only.is_empty() || only.iter().any(|o| c.page.contains(o.as_str())))
        .map(|c| (c.page.clone(), c.block))
        .collect();
    blocks.dedup();
    for (page, block) in blocks {
        let cmds: Vec<&Cmd> = all
            .iter()
            .filter(|c| c.page == page && c.block == block)
            .collect();
        if cmds
            .iter()
            .all(|c| c.how == How::Now || matches!(c.how, How::NotRun(_)))
        {
            continue; // checked by commands_that_need_no_second_terminal_work
        }
        let before = top_files();
        for e in run_block(&cmds) {
            errors.push(format!("{page}: {e}"));
        }
        remove_new_files(&before);
        let _ = bash("scripts/two-hosts.sh down", Duration::from_secs(30), b"");
    }
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}
