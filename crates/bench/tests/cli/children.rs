//! No process outlives raw-bench: its servers, its clients and sockperf die with it.

use super::*;
use raw_testkit::{tool, DEADLINE};
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The process ids whose parent is `pid` (from /proc/*/stat), with their names.
pub(crate) fn children_of(pid: u32) -> Vec<(u32, String)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|p| {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
            let close = stat.rfind(')')?;
            let name = stat[stat.find('(')? + 1..close].to_string();
            let mut rest = stat[close + 2..].split_whitespace();
            let state = rest.next()?;
            let ppid: u32 = rest.next()?.parse().ok()?;
            (ppid == pid && state != "Z").then_some((p, name))
        })
        .collect()
}

/// Whether process `pid` is gone (or only a zombie waiting for its new parent).
pub(crate) fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 2..].split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X"),
    }
}

/// Starts raw-bench with `args`, waits (bounded) for a child named like `child_name`,
/// kills raw-bench with `signal`, and checks that the child dies too, within 5 s.
pub(crate) fn children_die_with_bench(
    args: &[&str],
    child_name: &str,
    signal: nix::sys::signal::Signal,
) {
    let mut bench_child = bench()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("spawn raw-bench");
    let pid = bench_child.id();
    let started = Instant::now();
    let children = loop {
        let found: Vec<u32> = children_of(pid)
            .into_iter()
            .filter(|(_, name)| name.contains(child_name))
            .map(|(p, _)| p)
            .collect();
        if !found.is_empty() || started.elapsed() > DEADLINE {
            break found;
        }
        sleep(Duration::from_millis(20));
    };
    assert!(
        !children.is_empty(),
        "no {child_name} child of raw-bench appeared"
    );
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), signal).expect("kill");
    let _ = bench_child.wait();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !children.iter().all(|&c| gone(c)) && Instant::now() < deadline {
        sleep(Duration::from_millis(20));
    }
    let leaked: Vec<u32> = children.iter().copied().filter(|&c| !gone(c)).collect();
    // Clean up whatever leaked, so a failing run leaves nothing behind either.
    for &c in &leaked {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(c as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    assert!(
        leaked.is_empty(),
        "{child_name} children {leaked:?} outlived raw-bench ({signal:?})"
    );
}

/// Stopping `raw-bench latency` with SIGTERM or SIGKILL also stops the echo server it
/// started (`raw-bench serve`): nothing is left running.
#[test]
pub(crate) fn its_server_dies_with_it() {
    let _alone = many_ports();
    for signal in [
        nix::sys::signal::Signal::SIGTERM,
        nix::sys::signal::Signal::SIGKILL,
    ] {
        children_die_with_bench(&["latency", "--duration", "60s"], "raw-bench", signal);
    }
}

/// The same for sockperf, which `raw-bench compare` runs as a server and a client.
#[test]
pub(crate) fn sockperf_dies_with_it() {
    let _alone = many_ports();
    if tool("sockperf", "sockperf_dies_with_it").is_none() {
        return;
    }
    children_die_with_bench(
        &["compare", "--duration", "8s", "--clients", "2"],
        "sockperf",
        nix::sys::signal::Signal::SIGKILL,
    );
}
