//! The commands that need a second terminal: each server with the clients of its
//! block (or a default client), live captures beside a demo, the two-hosts rehearsal.

use super::*;
use raw_testkit::{is_root, skip, tool};
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

// ---- with a second terminal (scripts/docs.sh runs these, as root) ------------------------

/// A command started in the background (its own process group).
pub(crate) struct Background {
    pub(crate) child: Child,
    pub(crate) text: String,
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
pub(crate) fn kill_holders(text: &str) {
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
pub(crate) fn port_of(text: &str) -> (u16, bool) {
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
pub(crate) fn wait_for_server(text: &str) -> bool {
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
pub(crate) fn default_client(server: &str) -> String {
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
pub(crate) fn default_server(client: &str) -> String {
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
pub(crate) fn run_live(text: &str) -> Result<(), String> {
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

pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The servers of a block still running: each gets a client if its block showed none
/// yet, then is stopped as Ctrl-C would.
pub(crate) fn finish_servers(
    servers: &mut Vec<Background>,
    served: &mut bool,
    errors: &mut Vec<String>,
) {
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
pub(crate) fn run_block(cmds: &[&Cmd]) -> Vec<String> {
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
pub(crate) fn commands_with_a_second_terminal_work() {
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
