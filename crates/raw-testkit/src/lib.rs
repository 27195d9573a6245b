//! Test helpers shared by every crate's integration tests: start the real binaries,
//! read their JSON events, find external tools (strace, socat, nc, python3, tshark),
//! and parse strace output.
//!
//! A test that needs a tool calls [`tool`]: when the tool is missing it prints a loud
//! `SKIPPED` line and the test returns early, unless `RAW_REQUIRE_TOOLS=1` (set by
//! `.ci/run`), in which case the test fails. Every wait here is bounded in time.

#![forbid(unsafe_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long any one helper waits before giving up (a hung test must fail, not hang).
pub const DEADLINE: Duration = Duration::from_secs(30);

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

/// Whether missing tools are failures (`RAW_REQUIRE_TOOLS=1`).
pub fn tools_required() -> bool {
    std::env::var("RAW_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Finds `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The tool's path, or `None` after a loud skip message. Panics (fails the test) when
/// the tool is missing and `RAW_REQUIRE_TOOLS=1`.
pub fn tool(name: &str, test: &str) -> Option<PathBuf> {
    match which(name) {
        Some(p) => Some(p),
        None => {
            skip(
                test,
                &format!("`{name}` is not installed (scripts/test installs it as root, or: sudo apt-get install it)"),
            );
            None
        }
    }
}

/// Skips a test loudly, or fails it under `RAW_REQUIRE_TOOLS=1`.
///
/// The harness captures a passing test's stderr, so the notice alone would go unseen
/// and the test would be counted as passed. When `RAW_SKIP_LOG` names a file (as
/// `scripts/test` sets it), one line `package/target::test: why` is appended to it, and the
/// script counts it as skipped, not passed, and names it.
pub fn skip(test: &str, why: &str) {
    if tools_required() {
        panic!("{test}: {why}, and RAW_REQUIRE_TOOLS=1 forbids skipping");
    }
    eprintln!("\n*** SKIPPED {test}: {why} ***\n");
    if let Some(log) = std::env::var_os("RAW_SKIP_LOG") {
        // Cargo runs each test binary with CARGO_PKG_NAME set; the binary is named
        // after its test target plus a hash (`echo-0123abcd`).
        let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
        let target = std::env::current_exe()
            .ok()
            .and_then(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
            .map(|stem| {
                stem.rsplit_once('-')
                    .map_or(stem.clone(), |(t, _)| t.to_string())
            })
            .unwrap_or_default();
        let line = format!("{package}/{target}::{test}: {why}\n");
        // One write(2) in append mode: lines from parallel tests never mix.
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .and_then(|mut f| f.write_all(line.as_bytes()));
    }
}

/// Whether we run as root (needed for namespaces, dropping capabilities, capture).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A port that was free a moment ago (bind port 0, read it back, release it), for
/// tools such as socat that cannot report the port they bound.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local_addr").port()
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
fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

/// Reads a pipe to its end on a thread; the result arrives on the returned channel.
fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
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
fn leaves(pid: u32) -> Vec<u32> {
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

    /// Asks the server to stop with SIGTERM (resent every 500 ms, at most 20 times,
    /// since a signal landing just before a blocking call is only seen at the next
    /// one) and returns like [`Server::finish`].
    pub fn terminate(mut self) -> (std::process::ExitStatus, Vec<Value>, String) {
        let pid = self.child.as_ref().expect("child").id();
        'resend: for _ in 0..20 {
            for leaf in leaves(pid) {
                let _ = Command::new("kill")
                    .args(["-TERM", &leaf.to_string()])
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

/// Waits (bounded by [`DEADLINE`]) until the kernel lists a socket whose local port is
/// `port` in `state` (RFC 793 names as the labs print them: `LISTEN`, `TIME-WAIT`...);
/// returns whether it did. Asks `ss` (iproute2), a tool no one here wrote, so the
/// tests do not read the kernel's table through the code they test.
pub fn wait_for_state(port: u16, state: &str) -> bool {
    let filter = match state {
        "LISTEN" => "listening".to_string(),
        "SYN-RECEIVED" => "syn-recv".to_string(),
        other => other.to_ascii_lowercase(),
    };
    let sport = format!("sport = :{port}");
    wait_for_ss(&["-Htan", "state", &filter, &sport])
}

/// Waits (bounded by [`DEADLINE`]) until a UDP socket is bound to `port` (`ss -Huan`).
pub fn wait_for_udp(port: u16) -> bool {
    let sport = format!("sport = :{port}");
    wait_for_ss(&["-Huan", &sport])
}

/// Runs `ss ARGS` every 20 ms until it lists a socket, or [`DEADLINE`] passes.
fn wait_for_ss(args: &[&str]) -> bool {
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        let listed = std::process::Command::new("ss")
            .args(args)
            .output()
            .is_ok_and(|out| out.status.success() && !out.stdout.trim_ascii().is_empty());
        if listed {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A UDP port that was free a moment ago.
pub fn free_udp_port() -> u16 {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind udp 127.0.0.1:0");
    s.local_addr().expect("local_addr").port()
}

/// Whether this machine has IPv6 loopback (`::1`).
pub fn has_ipv6() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
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

/// The syscalls `strace -e trace=%network,close` shows (plus `close`).
const NETWORK_CLASS: [&str; 17] = [
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

/// One packet as both our ladder and tshark can describe it:
/// (protocol, source port, destination port, TCP flag bits, payload length).
pub type WirePacket = (String, u16, u16, u8, usize);

/// The packets of a pcap file, read by tshark.
pub fn tshark_packets(tshark: &std::path::Path, pcap: &std::path::Path) -> Vec<WirePacket> {
    let out = run_ok(Command::new(tshark).arg("-r").arg(pcap).args([
        "-T",
        "fields",
        "-E",
        "separator=,",
        "-e",
        "tcp.srcport",
        "-e",
        "tcp.dstport",
        "-e",
        "tcp.flags",
        "-e",
        "tcp.len",
        "-e",
        "udp.srcport",
        "-e",
        "udp.dstport",
        "-e",
        "udp.length",
    ]));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let num = |i: usize| f.get(i).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
            if f.first().is_some_and(|v| !v.is_empty()) {
                let flags = f
                    .get(2)
                    .and_then(|v| {
                        u8::from_str_radix(v.trim_start_matches("0x").trim_start_matches("00"), 16)
                            .ok()
                    })
                    .unwrap_or(0);
                (
                    "TCP".to_string(),
                    num(0) as u16,
                    num(1) as u16,
                    flags,
                    num(3),
                )
            } else {
                (
                    "UDP".to_string(),
                    num(4) as u16,
                    num(5) as u16,
                    0,
                    num(6).saturating_sub(8),
                )
            }
        })
        .collect()
}

/// The packets our ladder printed, from `--json` events.
pub fn ladder_packets(events: &[Value]) -> Vec<WirePacket> {
    let port = |addr: &Value| {
        addr.as_str()
            .and_then(|a| a.rsplit(':').next()?.parse::<u16>().ok())
            .unwrap_or(0)
    };
    events
        .iter()
        .filter(|e| e["kind"] == "packet")
        .map(|e| {
            let p = &e["packet"];
            (
                p["proto"].as_str().unwrap_or("").to_string(),
                port(&p["src"]),
                port(&p["dst"]),
                p["flag_bits"].as_u64().unwrap_or(0) as u8,
                p["len"].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect()
}

/// Whether this process may capture packets (root, or CAP_NET_RAW): tests that need
/// it skip loudly otherwise (or fail under `RAW_REQUIRE_TOOLS=1`).
pub fn can_capture(test: &str) -> bool {
    if is_root() {
        return true;
    }
    skip(test, "capturing packets needs root (or CAP_NET_RAW)");
    false
}

/// Two network namespaces joined by a veth pair, made by `scripts/two-hosts.sh up`
/// with a name prefix of their own, removed when dropped. Host A is 198.18.0.1, host
/// B is 198.18.0.2; nothing leaves the namespaces.
pub struct TwoHosts {
    prefix: String,
    script: PathBuf,
}

impl TwoHosts {
    /// The address of host A, where the server runs.
    pub const A: &'static str = "198.18.0.1";
    /// The address of host B, where the client runs.
    pub const B: &'static str = "198.18.0.2";

    /// Makes the two hosts, or skips loudly (not root, no `ip`).
    pub fn up(test: &str) -> Option<TwoHosts> {
        if !is_root() {
            skip(test, "network namespaces need root");
            return None;
        }
        tool("ip", test)?;
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/two-hosts.sh");
        let prefix = format!("rs{}", std::process::id() % 100_000);
        let hosts = TwoHosts { prefix, script };
        hosts.script_cmd("down"); // leftovers of an earlier, killed run
        let out = hosts.script_cmd("up");
        assert!(
            out.status.success(),
            "two-hosts.sh up failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(hosts)
    }

    fn script_cmd(&self, verb: &str) -> Output {
        run(
            Command::new("bash")
                .arg(&self.script)
                .arg(verb)
                .env("RS_PREFIX", &self.prefix),
            b"",
            DEADLINE,
        )
    }

    /// A command run inside host A (`ip netns exec PREFIX-a ...`).
    pub fn on_a(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &format!("{}-a", self.prefix), program]);
        cmd
    }

    /// A command run inside host B.
    pub fn on_b(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &format!("{}-b", self.prefix), program]);
        cmd
    }
}

impl Drop for TwoHosts {
    fn drop(&mut self) {
        self.script_cmd("down");
    }
}

/// Replaces what legitimately differs between two runs of the same program (ports,
/// the bytes of `struct tcp_info`) with placeholders, so that a docs page's output can
/// be compared with a fresh run of the current code.
pub fn normalize_run(text: &str) -> String {
    // (A text may end with a port number: every index below is checked.)
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let starts = |i: usize, pat: &str| {
        chars[i..]
            .iter()
            .take(pat.chars().count())
            .copied()
            .eq(pat.chars())
    };
    while i < chars.len() {
        // htons(NNNN) and "port NNNN"
        for pat in ["htons(", "port "] {
            if starts(i, pat) && chars.get(i + pat.len()).is_some_and(|c| c.is_ascii_digit()) {
                out.push_str(pat);
                out.push_str("PORT");
                i += pat.len();
                while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
            }
        }
        // The port ran to the end of the text: nothing left to look at.
        if i >= chars.len() {
            break;
        }
        // ADDRESS:NNNN (after a digit or ']')
        if chars[i] == ':'
            && i > 0
            && (chars[i - 1].is_ascii_digit() || chars[i - 1] == ']')
            && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())
        {
            out.push_str(":PORT");
            i += 1;
            while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                i += 1;
            }
            continue;
        }
        // TCP_INFO, "<bytes>"..., [
        if starts(i, "TCP_INFO, \"") {
            let rest: String = chars[i..].iter().collect();
            if let Some(end) = rest.find("\"..., [") {
                out.push_str("TCP_INFO, \"...\"..., [");
                i += rest[..end + 7].chars().count();
                continue;
            }
        }
        if i < chars.len() {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The text inside a docs page's `<!-- begin:NAME -->` block (without the fences).
pub fn docs_block(page: &str, name: &str) -> String {
    let begin = format!("<!-- begin:{name} -->\n```text\n");
    let start = page
        .find(&begin)
        .map(|i| i + begin.len())
        .unwrap_or_else(|| panic!("no block {name}"));
    let end = page[start..]
        .find("\n```\n<!-- end:")
        .map(|i| start + i)
        .unwrap_or_else(|| panic!("block {name} not closed"));
    page[start..end].to_string()
}

/// `strace -f -qq -e signal=none -e trace=%network,close -o OUT BIN`: the trace the
/// narration is compared with (add the program's arguments).
pub fn strace_command(strace: &std::path::Path, out: &std::path::Path, bin: &str) -> Command {
    let mut cmd = Command::new(strace);
    cmd.args([
        "-f",
        "-qq",
        "-e",
        "signal=none",
        "-e",
        "trace=%network,close",
        "-o",
    ])
    .arg(out)
    .arg(bin);
    cmd
}

/// Fails unless the narration block of a docs page (`page_path`, from the repository
/// root) is what `bin demo` prints now in `lang`, ports and TCP_INFO bytes aside.
pub fn assert_docs_page_current(bin: &str, page_path: &str, lang: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let page = std::fs::read_to_string(root.join(page_path))
        .unwrap_or_else(|e| panic!("{page_path}: {e}"));
    let shown = normalize_run(&docs_block(&page, "narration"));
    let out = run_ok(Command::new(bin).args([
        "--lang",
        lang,
        "demo",
        "--port",
        &free_port().to_string(),
    ]));
    let now = normalize_run(&String::from_utf8_lossy(&out.stdout));
    if shown.trim_end() != now.trim_end() {
        let first = shown
            .lines()
            .zip(now.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{page_path} drifted from the code (first difference at line {}):\n  page: {}\n  now:  {}\nregenerate it: see README, \"Regenerating the docs' outputs\"",
            first + 1,
            shown.lines().nth(first).unwrap_or(""),
            now.lines().nth(first).unwrap_or("")
        );
    }
}

/// One text label of an SVG drawing and the box it takes (estimated from a monospace
/// font: 0.6 em per character).
#[derive(Debug, Clone)]
pub struct SvgText {
    /// The text.
    pub text: String,
    /// Left, top, right, bottom.
    pub bbox: (f64, f64, f64, f64),
}

/// Parses an SVG with a real XML parser (panics if it is not well-formed XML) and
/// returns every `<text>` with its box.
pub fn svg_texts(svg: &str) -> Vec<SvgText> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not valid XML: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let default_size: f64 = doc
        .root_element()
        .attribute("font-size")
        .and_then(|s| s.parse().ok())
        .unwrap_or(16.0);
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let text: String = n.text().unwrap_or_default().to_string();
            let num = |a: &str| {
                n.attribute(a)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            // Packet labels are 14 px by their CSS class; others say it or inherit it.
            let class_size = (n.attribute("class") == Some("plabel")).then_some(14.0);
            let size = n
                .attribute("font-size")
                .and_then(|v| v.trim_end_matches("px").parse().ok())
                .or(class_size)
                .unwrap_or(default_size);
            let width = text.chars().count() as f64 * 0.6 * size;
            let (x, y) = (num("x"), num("y"));
            let left = match n.attribute("text-anchor") {
                Some("middle") => x - width / 2.0,
                Some("end") => x - width,
                _ => x,
            };
            SvgText {
                text,
                bbox: (left, y - size * 0.8, left + width, y + size * 0.2),
            }
        })
        .collect()
}

/// Pairs of texts of an SVG whose boxes overlap (more than 1 unit each way).
pub fn svg_overlaps(svg: &str) -> Vec<(String, String)> {
    let texts = svg_texts(svg);
    let mut out = Vec::new();
    for (i, a) in texts.iter().enumerate() {
        for b in &texts[i + 1..] {
            let (l1, t1, r1, b1) = a.bbox;
            let (l2, t2, r2, b2) = b.bbox;
            if l1 < r2 - 1.0 && l2 < r1 - 1.0 && t1 < b2 - 1.0 && t2 < b1 - 1.0 {
                out.push((a.text.clone(), b.text.clone()));
            }
        }
    }
    out
}

/// The packet arrows of one of our SVG diagrams, top to bottom: (frame number, flag
/// name, flag bits, payload length).
pub fn svg_packets(svg: &str) -> Vec<(u64, String, u8, usize)> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not valid XML: {e}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("line") && n.attribute("class") == Some("pkt"))
        .map(|n| {
            (
                n.attribute("data-no")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
                n.attribute("data-flags").unwrap_or_default().to_string(),
                n.attribute("data-bits")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
                n.attribute("data-len")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            )
        })
        .collect()
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
