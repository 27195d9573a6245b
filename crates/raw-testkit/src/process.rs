//! Running the real binaries and the peers no one here wrote: bounded waits, process
//! groups, what a process sleeps in.

#![forbid(unsafe_code)]

use crate::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Waits (bounded by [`DEADLINE`]) until process `pid` sleeps in a kernel function whose
/// name contains `part` (`/proc/PID/wchan`: `inet_csk_accept` while blocked in
/// `accept`). A process that is still running (state R, wchan `0`) is waited for — on
/// a busy machine it may take a while to get there. False when it exited, or when it
/// sleeps and the kernel hides wchan (then there is nothing to wait for).
pub fn sleeps_in(pid: u32, part: &str) -> bool {
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        let Ok(wchan) = std::fs::read_to_string(format!("/proc/{pid}/wchan")) else {
            return false; // gone
        };
        if wchan.contains(part) {
            return true;
        }
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next());
        match state {
            None | Some('Z' | 'X') => return false,
            Some('S' | 'D') if wchan == "0" || wchan.is_empty() => return false, // hidden
            _ => thread::sleep(Duration::from_millis(5)), // running, or asleep elsewhere
        }
    }
    false
}

/// Runs a command to completion with `stdin` fed in, killing it after `limit`.
pub fn run(cmd: &mut Command, stdin: &[u8], limit: Duration) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.process_group(0); // so a wrapper (strace) and what it runs die together
    let mut child = cmd.spawn().expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = wait_output(child, limit);
    let _ = writer.join();
    out
}

/// Sends `signal` (e.g. `KILL`, `TERM`) to a whole process group.
pub(crate) fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

/// Reads a pipe to its end on a thread; the result arrives on the returned channel.
pub(crate) fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        let _ = tx.send(buf);
    });
    rx
}

/// Waits for a child's exit and output. After `limit` its whole process group is
/// killed; pipes still held open by a stray descendant are abandoned after 5 s more,
/// so this never hangs.
pub fn wait_output(mut child: Child, limit: Duration) -> Output {
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if start.elapsed() > limit {
            signal_group(child.id(), "KILL");
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        thread::sleep(Duration::from_millis(10));
    };
    let grace = Duration::from_secs(5);
    let (out, err) = (stdout.recv_timeout(grace), stderr.recv_timeout(grace));
    if out.is_err() || err.is_err() {
        signal_group(child.id(), "KILL"); // a descendant kept the pipes open
    }
    Output {
        status,
        stdout: out.unwrap_or_default(),
        stderr: err.unwrap_or_default(),
    }
}

/// The processes to signal for a graceful stop: the traced program when `pid` is
/// strace (which would otherwise take the signal itself), else `pid`. A server's own
/// children (the fork model's) are never signalled directly: stopping them is the
/// server's job.
pub(crate) fn leaves(pid: u32) -> Vec<u32> {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    if comm.trim() != "strace" {
        return vec![pid];
    }
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect()
}

/// A deterministic pseudo-random byte string (xorshift), so a failing test can be
/// replayed exactly.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Runs a command (bounded by [`DEADLINE`]) and fails the test unless it exits 0.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = run(cmd, b"", DEADLINE);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Starts a Python helper (`python3 -c script`) whose first line of output is the port
/// it bound; returns the child (kill it when done) and that port.
pub fn python_peer(python: &std::path::Path, script: &str) -> (Child, u16) {
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the helper's port");
    let port = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a port: {line:?}"));
    (child, port)
}
