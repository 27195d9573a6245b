//! Running a program under strace and reading strace's lines as they come.
//!
//! ```text
//! strace -D -f -q -o FIFO -e trace=%network,read,write,close,clone,wait4,poll,...
//!        -e inject=%network:delay_exit=15ms -- python3 echo-server.py
//! ```
//! - `-o FIFO`: strace writes into a named pipe (`mkfifo(3)`) that raw-trace reads
//!   line by line, so each call is told as soon as it returns. The program's own
//!   output still goes to the terminal, between the narrated lines.
//! - `-f`: follow forked children and threads; every line starts with its pid.
//! - `-D`: strace runs as a grandchild, so the program is raw-trace's own child: its
//!   exit status is raw-trace's, and it gets `SIGKILL` if raw-trace dies
//!   (`PR_SET_PDEATHSIG`, [`raw_core::sys::die_with_parent`]).
//! - `-e inject=%network:delay_exit=…`: after each network call, strace holds the
//!   program a few milliseconds before letting it go on. raw-trace uses them to read
//!   the socket's state in `/proc/net/tcp`: the state right *after* that call, not
//!   after the next one. strace marks those lines `(DELAYED)`; raw-trace takes the
//!   mark off, since a student's own strace does not print it.
//!
//! Ctrl-C or `kill` stops raw-trace cleanly: it passes the signal on to the program
//! (Ctrl-C in a terminal reaches it anyway), waits up to 2 s, then kills whatever of
//! the program still runs — never leaving it running behind.

#![forbid(unsafe_code)]

use crate::lints::Finding;
use crate::session::Session;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use raw_core::text;
use raw_core::{Failure, Narrator};
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The syscalls traced: the network class, the plain I/O a C program uses on sockets,
/// `close`, the calls that make processes and threads and reap them, and the waits of
/// a multiplexing server. A `?` tells strace not to complain where an architecture
/// lacks the call (aarch64 has no `fork`, `poll` or `select`).
pub const TRACED: &str = "%network,read,write,readv,writev,close,clone,?clone3,?fork,?vfork,wait4,waitid,?poll,ppoll,?select,pselect6,?epoll_wait,epoll_pwait";

/// What to trace and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The program and its arguments.
    pub command: Vec<OsString>,
    /// How long strace holds the program after each network call (zero: not at all).
    pub hold: Duration,
    /// Where to keep strace's own output, unedited.
    pub strace_out: Option<PathBuf>,
}

/// How the run ended.
#[derive(Debug)]
pub struct Outcome {
    /// The traced program's exit code (128 + N when signal N killed it).
    pub code: u8,
    /// The mistakes the trace shows.
    pub findings: Vec<Finding>,
}

/// strace's arguments (before `--` and the command).
pub fn strace_args(fifo: &Path, hold: Duration) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["-D", "-f", "-q", "-o"]
        .iter()
        .map(OsString::from)
        .collect();
    args.push(fifo.as_os_str().to_owned());
    args.push("-e".into());
    args.push(format!("trace={TRACED}").into());
    if !hold.is_zero() {
        args.push("-e".into());
        args.push(format!("inject=%network:delay_exit={}us", hold.as_micros()).into());
    }
    args
}

/// Finds a program on `PATH` (or the path given, when it has a `/`).
fn find(program: &std::ffi::OsStr) -> Option<PathBuf> {
    let path = Path::new(program);
    if program.as_encoded_bytes().contains(&b'/') {
        return path.is_file().then(|| path.to_path_buf());
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// strace's path, or the failure that says how to install it.
fn find_strace() -> Result<PathBuf, Failure> {
    find("strace".as_ref())
        .ok_or_else(|| Failure::Runtime(text!("trace-tracer-strace-not-installed-raw-trace")))
}

/// The named pipe strace writes into, in a private directory removed at the end.
struct Fifo {
    dir: PathBuf,
    path: PathBuf,
}

impl Fifo {
    fn new() -> Result<Fifo, Failure> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("raw-trace-{}-{stamp}", std::process::id()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| {
                Failure::Runtime(text!(
                    "trace-tracer-cannot-create-hint-set-tmpdir",
                    dir = dir.display(),
                    e
                ))
            })?;
        let path = dir.join("strace.fifo");
        let fifo = Fifo { dir, path };
        nix::unistd::mkfifo(
            &fifo.path,
            nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
        )
        .map_err(|e| Failure::sys("mkfifo", e))?;
        Ok(fifo)
    }

    /// Opens and closes the writing end, so a reader still waiting in `open` (strace
    /// died before opening its output) sees the end of the file.
    fn unblock(&self) {
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&self.path);
    }
}

impl Drop for Fifo {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Reads the FIFO on a thread of its own: each line arrives on the channel (and, with
/// `--strace-out`, is copied to that file as strace wrote it).
fn read_lines(path: PathBuf, mut copy: Option<File>) -> (Receiver<String>, Arc<AtomicBool>) {
    let (tx, rx) = mpsc::channel();
    let opened = Arc::new(AtomicBool::new(false));
    let flag = opened.clone();
    std::thread::spawn(move || {
        // Blocks until strace opens its end (std retries the open on EINTR).
        let Ok(file) = File::open(&path) else { return };
        flag.store(true, Ordering::SeqCst);
        let mut reader = BufReader::new(file);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {
                    if let Some(f) = copy.as_mut() {
                        let _ = f.write_all(&buf);
                    }
                    if tx.send(String::from_utf8_lossy(&buf).into_owned()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    });
    (rx, opened)
}

/// Sends `signal` to every pid in `pids` that still runs.
fn signal_all(pids: &[u32], signal: Signal) {
    for pid in pids {
        if crate::procfs::alive(*pid) {
            if let Ok(raw) = i32::try_from(*pid) {
                let _ = kill(Pid::from_raw(raw), signal);
            }
        }
    }
}

/// The exit code a shell would report for this status.
fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + signal).unwrap_or(255),
        _ => 1,
    }
}

/// Waits (at most `limit`) for the program to be reaped, then kills it.
fn reap(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    child.wait().ok()
}

/// Runs the program under strace, narrating each of its socket calls through `n`.
pub fn run(n: &Narrator, options: &Options) -> Result<Outcome, Failure> {
    let lang = n.lang;
    let strace = find_strace()?;
    let program = options.command.first().cloned().unwrap_or_default();
    if find(&program).is_none() {
        return Err(Failure::Usage(text!(
            "trace-tracer-cannot-run-no-such-program",
            to_string_lossy = program.to_string_lossy()
        )));
    }
    let copy = match &options.strace_out {
        Some(path) => Some(File::create(path).map_err(|e| {
            Failure::Runtime(text!("trace-tracer-cannot-write", path = path.display(), e))
        })?),
        None => None,
    };
    let fifo = Fifo::new()?;
    // SIGINT/SIGTERM only set a flag: the loop below stops the program, then us.
    raw_core::steps::signals::stop_on_sigint_sigterm()?;
    let mut cmd = Command::new(&strace);
    cmd.args(strace_args(&fifo.path, options.hold))
        .arg("--")
        .args(&options.command);
    raw_core::sys::die_with_parent(&mut cmd);
    let mut child = cmd.spawn().map_err(|e| {
        Failure::Runtime(text!(
            "trace-tracer-cannot-start",
            value = strace.display(),
            e
        ))
    })?;
    let root = child.id();
    n.note(lang.say(
        text!("trace-tracer-tracing-pid-strace-f-e", root, TRACED, command = options
            .command
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")),
    ));
    let (lines, opened) = read_lines(fifo.path.clone(), copy);
    let mut session = Session::new(n);
    let mut status = None;
    let mut root_gone: Option<Instant> = None;
    let mut last_look = Instant::now();
    let mut stopping: Option<(Instant, Signal)> = None;
    let (mut forwarded, mut killed) = (false, false);
    let mut tracer: Option<u32> = None;
    loop {
        match lines.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => {
                session.feed(&line);
                if tracer.is_none() {
                    tracer = crate::procfs::tracer(root);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let now = Instant::now();
        if now.duration_since(last_look) >= Duration::from_millis(100) {
            session.look(now);
            last_look = now;
        }
        if status.is_none() {
            if let Ok(Some(s)) = child.try_wait() {
                status = Some(s);
                root_gone = Some(now);
            }
        }
        // strace ended before opening its output (it could not start the program).
        if root_gone.is_some_and(|t| now.duration_since(t) > Duration::from_millis(500))
            && !opened.load(Ordering::SeqCst)
        {
            fifo.unblock();
        }
        if raw_core::steps::signals::stop_requested() {
            let (since, signal) = *stopping.get_or_insert_with(|| {
                let signal = match raw_core::steps::signals::stop_signal() {
                    Some("SIGTERM") => Signal::SIGTERM,
                    _ => Signal::SIGINT,
                };
                n.note(lang.say(text!("trace-tracer-raw-trace-got-passing-traced", signal)));
                (now, signal)
            });
            let mut pids = session.live();
            if status.is_none() {
                pids.push(root);
            }
            let elapsed = now.duration_since(since);
            if !forwarded && elapsed >= Duration::from_millis(300) {
                forwarded = true;
                signal_all(&pids, signal); // Ctrl-C in a terminal already reached them
            }
            if !killed && elapsed >= Duration::from_millis(2300) {
                killed = true;
                signal_all(&pids, Signal::SIGKILL);
            }
            if elapsed >= Duration::from_secs(5) {
                signal_all(&tracer.into_iter().collect::<Vec<_>>(), Signal::SIGKILL);
                break;
            }
        }
    }
    let status = match status {
        Some(s) => Some(s),
        None => reap(&mut child, Duration::from_secs(2)),
    };
    let code = status.map(exit_code).unwrap_or(1);
    if session.lines == 0 && code != 0 {
        return Err(Failure::Runtime(text!(
            "trace-tracer-strace-could-not-trace-program"
        )));
    }
    Ok(Outcome {
        code,
        findings: session.finish(),
    })
}
