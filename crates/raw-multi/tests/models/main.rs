//! Lab 3 against the real binary, for every server model: many clients at once, no
//! byte lost, no zombie, one client's failure never hurting the others, limits that
//! hold, and running out of file descriptors without spinning. Every loop is bounded.

use raw_testkit::{run, Server, DEADLINE};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_raw-multi");
/// Every model `raw-multi server --model` takes ([`every_model_is_tested`] checks the
/// list against `--help`).
const MODELS: [&str; 8] = [
    "fork",
    "thread",
    "select",
    "poll",
    "epoll",
    "io-uring",
    "reuseport",
    "prefork",
];

/// The reuseport model's threads in these tests (its default is one per core).
const REUSEPORT_WORKERS: usize = 2;

/// What every test passes for `model`: reuseport with a fixed number of workers (each
/// is a listening socket the fd counts must subtract).
fn model_args(model: &str) -> Vec<String> {
    let mut args = vec!["--model".to_string(), model.to_string()];
    if model == "reuseport" {
        args.extend(["--workers".to_string(), REUSEPORT_WORKERS.to_string()]);
    }
    args
}

/// Listening sockets a server of `model` holds.
fn listeners(model: &str) -> usize {
    if model == "reuseport" {
        REUSEPORT_WORKERS
    } else {
        1
    }
}

/// One `#[test]` per model, in a module named after the check: `per_model!(check:
/// fork = "fork", ...)` makes `check::fork()` calling `check("fork")`.
macro_rules! per_model {
    ($check:ident: $($test:ident = $model:literal),+ $(,)?) => {
        mod $check {
            $(
                #[test]
                fn $test() {
                    super::$check($model);
                }
            )+
        }
    };
}

/// A silent (`-qq`) server of `model`, on a free port.
fn server(model: &str, extra: &[&str]) -> Server {
    Server::start_quiet(
        Command::new(BIN)
            .args(["-qq", "server", "--port", "0"])
            .args(model_args(model))
            .args(extra),
    )
}

/// The models the list above names are those `raw-multi server --help` offers: a new
/// model is tested everywhere the list is used.
#[test]
fn every_model_is_tested() {
    let help = run(Command::new(BIN).args(["server", "--help"]), b"", DEADLINE);
    let help = String::from_utf8_lossy(&help.stdout);
    // The --model section lists "- fork:      A process per client ...", one per model.
    let section = help
        .split("--model <MODEL>")
        .nth(1)
        .and_then(|rest| rest.split("[default:").next())
        .unwrap_or_default();
    let offered: Vec<&str> = section
        .lines()
        .map(str::trim_start)
        .filter_map(|l| l.strip_prefix("- "))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(offered, MODELS, "{help}");
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(DEADLINE)).expect("timeout");
    s
}

/// The pids of a process's children, and how many of them are zombies.
fn children(pid: u32) -> (Vec<u32>, usize) {
    let kids: Vec<u32> = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect();
    let zombies = kids
        .iter()
        .filter(|k| {
            std::fs::read_to_string(format!("/proc/{k}/stat"))
                .map(|s| {
                    s.rsplit(')')
                        .next()
                        .unwrap_or("")
                        .trim_start()
                        .starts_with('Z')
                })
                .unwrap_or(false)
        })
        .count();
    (kids, zombies)
}

/// Polls `check` every 20 ms until it holds or `limit` passes.
fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if check() {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    check()
}

/// Whether process `pid` is gone (or only a zombie its new parent has yet to reap).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X"),
    }
}

/// Connections a server process holds (sockets in /proc/PID/fd), for event loops.
fn socket_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

/// CPU time (user + system, in clock ticks) a process has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the command name: state is field 3, utime 14, stime 15 (1-based).
    fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
}

/// Bad usage exits 2; --help teaches.
#[test]
fn usage() {
    let out = run(
        Command::new(BIN).args(["server", "--model", "magic"]),
        b"",
        DEADLINE,
    );
    assert_eq!(out.status.code(), Some(2));
    let help = run(Command::new(BIN).arg("--help"), b"", DEADLINE);
    assert!(String::from_utf8_lossy(&help.stdout).contains("why does the port change"));
}

// The checks, by topic (after the macro: a module sees only the macros above it).
mod limits;
mod load;
mod processes;
