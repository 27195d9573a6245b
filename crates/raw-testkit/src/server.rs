//! A lab's server started for a test, on a free port, its JSON events read as they come.

#![forbid(unsafe_code)]

use crate::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Parses stdout as JSON lines (one event per line); panics on any other line.
pub fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

/// A server binary running in the background with `--json`, found through its
/// `ready` event. Killed when dropped.
pub struct Server {
    /// The child process.
    pub child: Option<Child>,
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The events it printed before it was ready.
    pub early: Vec<Value>,
    lines: mpsc::Receiver<String>,
    /// A quiet server's stderr after its first line (what `finish` returns as stderr).
    rest_of_stderr: Option<mpsc::Receiver<String>>,
}

impl Server {
    /// Starts `cmd` (which must be given `--json`) and waits for its `ready` event.
    pub fn start(cmd: &mut Command) -> Server {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.process_group(0); // so a wrapper (strace) and the server die together
        let mut child = cmd.spawn().expect("spawn server");
        let stdout: ChildStdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut early = Vec::new();
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match rx.recv_timeout(left) {
                Ok(line) => line,
                Err(_) => {
                    let _ = child.kill();
                    let out = wait_output(child, Duration::from_secs(5));
                    panic!(
                        "server never became ready; stderr: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            };
            let event: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            let ready = event["kind"] == "ready";
            let local = event["local"].as_str().map(str::to_string);
            early.push(event);
            if ready {
                let addr = local.expect("ready has local").parse().expect("address");
                return Server {
                    child: Some(child),
                    addr,
                    early,
                    lines: rx,
                    rest_of_stderr: None,
                };
            }
        }
    }

    /// Starts a server run with `--quiet`/`-qq` (no JSON) and finds its address in the
    /// first line it prints on stderr ("Listening on 127.0.0.1:PORT ...").
    pub fn start_quiet(cmd: &mut Command) -> Server {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd.process_group(0);
        let mut child = cmd.spawn().expect("spawn server");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            // Send the first line; keep draining the rest so the server never writes
            // into a closed pipe.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = match rx.recv_timeout(DEADLINE) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("server printed no address");
            }
        };
        let addr = line
            .split_whitespace()
            .find_map(|word| word.parse::<SocketAddr>().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server {
            child: Some(child),
            addr,
            early: Vec::new(),
            lines: mpsc::channel().1,
            rest_of_stderr: Some(rx),
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("child").id()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Waits (bounded) for the server to exit; returns its status, every event it
    /// printed (from the start) and its stderr.
    pub fn finish(mut self, limit: Duration) -> (std::process::ExitStatus, Vec<Value>, String) {
        let child = self.child.take().expect("child");
        let out = wait_output(child, limit);
        let mut events = std::mem::take(&mut self.early);
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
            events.push(
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")),
            );
        }
        let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if let Some(rest) = self.rest_of_stderr.take() {
            while let Ok(line) = rest.recv_timeout(Duration::from_millis(200)) {
                stderr.push_str(&line);
                stderr.push('\n');
            }
        }
        (out.status, events, stderr)
    }

    /// Asks the server to stop with SIGTERM, as [`Server::stop`] does.
    pub fn terminate(self) -> (std::process::ExitStatus, Vec<Value>, String) {
        self.stop("TERM")
    }

    /// Asks the server to stop with `signal` (`INT` as Ctrl-C sends it, `TERM` as
    /// `kill` does), resent every 500 ms, at most 20 times, since a signal landing just
    /// before a blocking call is only seen at the next one; returns like
    /// [`Server::finish`].
    pub fn stop(mut self, signal: &str) -> (std::process::ExitStatus, Vec<Value>, String) {
        let pid = self.child.as_ref().expect("child").id();
        'resend: for _ in 0..20 {
            for leaf in leaves(pid) {
                let _ = Command::new("kill")
                    .args([&format!("-{signal}"), &leaf.to_string()])
                    .status();
            }
            for _ in 0..25 {
                thread::sleep(Duration::from_millis(20));
                if let Some(child) = self.child.as_mut() {
                    if child.try_wait().ok().flatten().is_some() {
                        break 'resend;
                    }
                }
            }
        }
        self.finish(DEADLINE)
    }

    /// Kills the server at once (SIGKILL), with any wrapper around it (its whole
    /// process group).
    pub fn kill(&mut self) {
        if let Some(child) = self.child.as_mut() {
            signal_group(child.id(), "KILL");
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
