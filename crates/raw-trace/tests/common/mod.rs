//! Helpers for raw-trace's tests: run the real binary on real programs (Python, C),
//! read its JSON events apart from the traced program's own output, find the
//! interpreter and the course's scripts. Every wait is bounded.

#![allow(dead_code)] // each test file uses its own share of these

use raw_testkit::{tool, wait_output};
use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_raw-trace");

/// How long any one traced program may run.
pub const LIMIT: Duration = Duration::from_secs(30);

/// The real Python interpreter (not a version manager's shell shim, whose own forks
/// would fill the trace), or `None` after a loud skip.
pub fn python(test: &str) -> Option<PathBuf> {
    let launcher = tool("python3", test)?;
    let out = Command::new(&launcher)
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Some(if path.is_empty() {
        launcher
    } else {
        PathBuf::from(path)
    })
}

/// `crates/raw-trace/tests/programs/NAME`.
pub fn program(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs")
        .join(name)
}

/// `examples/python/NAME` at the workspace's root.
pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/python")
        .join(name)
}

/// A fresh directory for one test's files.
pub fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("raw-trace-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A copy of one of the course's scripts with its `PORT = ...` line changed to `port`
/// (the scripts bind fixed ports; the tests use free ones). Nothing else changes.
pub fn on_port(script: &Path, port: u16, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(script).expect("script");
    let mut changed = 0;
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("PORT = ") {
                changed += 1;
                format!("PORT = {port}  # the test's free port\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert_eq!(changed, 1, "{} has one PORT line", script.display());
    let copy = dir.join(script.file_name().expect("name"));
    std::fs::write(&copy, text).expect("copy");
    copy
}

/// `raw-trace ARGS -- COMMAND...`, ready to spawn in its own process group.
pub fn raw_trace(args: &[&str], command: &[&dyn AsRef<std::ffi::OsStr>]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).arg("--");
    for a in command {
        cmd.arg(a.as_ref());
    }
    // Python's unbuffered mode writes a print's text and its newline in two writes,
    // between which a narration line may land; buffered, each print is whole.
    cmd.env_remove("PYTHONUNBUFFERED")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    cmd
}

/// Runs to the end (bounded by [`LIMIT`]).
pub fn run(mut cmd: Command) -> Output {
    let child = cmd.spawn().expect("spawn raw-trace");
    wait_output(child, LIMIT)
}

/// A raw-trace running in the background, in a process group of its own. If the test
/// fails before [`finish`], dropping it kills the whole group (raw-trace, strace and the
/// traced program), so a failed test leaves nothing running.
pub struct Running(Option<Child>);

impl Running {
    /// raw-trace's pid.
    pub fn id(&self) -> u32 {
        self.0.as_ref().map(Child::id).unwrap_or(0)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts in the background (stop it with [`finish`]).
pub fn start(mut cmd: Command) -> Running {
    Running(Some(cmd.spawn().expect("spawn raw-trace")))
}

/// Waits (bounded) for a background raw-trace to end.
pub fn finish(mut running: Running) -> Output {
    let child = running.0.take().expect("running");
    wait_output(child, LIMIT)
}

/// The JSON events on stdout; the traced program's own output (which shares stdout)
/// is left out, even a prompt written without a newline just before an event
/// (`Message: {"role":...}`).
pub fn events(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.find("{\"").map(|at| &l[at..]))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The `call` of every narrated syscall event, in order.
pub fn calls(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["kind"] == "syscall")
        .filter_map(|e| e["call"].as_str().map(str::to_string))
        .collect()
}

/// The id of every mistake reported (`eof-ignored`, ...), from the warning events.
pub fn mistakes(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["kind"] == "warning")
        .filter_map(|e| e["text"].as_str())
        .filter_map(|t| t.split(':').next())
        .map(str::to_string)
        .collect()
}

/// The whole output, for failure messages.
pub fn show(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A connection to `port` on loopback, retried until the server listens (bounded).
pub fn connect(port: u16) -> std::net::TcpStream {
    assert!(
        raw_testkit::wait_for_state(port, "LISTEN"),
        "nobody listens on {port}"
    );
    std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect")
}

/// An echo exchange as the course's client makes it: send, read the reply, close.
pub fn echo(port: u16, message: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut s = connect(port);
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(message).expect("send");
    let mut reply = vec![0u8; message.len()];
    s.read_exact(&mut reply).expect("reply");
    reply
}
