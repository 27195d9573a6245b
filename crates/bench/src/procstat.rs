//! What the machine's kernel counts, read from `/proc`: CPU time and context switches of
//! threads and process trees, all CPUs' busy time, and TCP counters.

use serde::Serialize;
use std::path::Path;

/// CPU time and context switches of a set of threads, read from `/proc`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Time spent running on a CPU, in nanoseconds (`/proc/PID/task/TID/schedstat`, the
    /// scheduler's own clock, not the 10 ms ticks of `stat`).
    pub cpu_ns: u64,
    /// Voluntary plus involuntary context switches (`/proc/PID/task/TID/status`).
    pub switches: u64,
}

impl Usage {
    /// What was used between `before` and `self`.
    pub fn since(self, before: Usage) -> Usage {
        Usage {
            cpu_ns: self.cpu_ns.saturating_sub(before.cpu_ns),
            switches: self.switches.saturating_sub(before.switches),
        }
    }
}

/// One thread's usage, from its `/proc/.../task/TID` directory.
fn task_usage(task: &Path) -> Usage {
    let cpu_ns = std::fs::read_to_string(task.join("schedstat"))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let status = std::fs::read_to_string(task.join("status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    Usage {
        cpu_ns,
        switches: field("voluntary_ctxt_switches:") + field("nonvoluntary_ctxt_switches:"),
    }
}

/// The usage of process `pid`, all its threads and all its descendants' (the fork and
/// prefork models' children, found through `/proc/PID/task/TID/children`), now. A
/// thread or process that has already ended is not counted: sample while the load
/// holds its connections open.
pub fn usage_of_tree(pid: u32) -> Usage {
    let mut total = Usage::default();
    let mut todo = vec![pid];
    let mut seen = std::collections::HashSet::new();
    while let Some(p) = todo.pop() {
        if !seen.insert(p) {
            continue;
        }
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let u = task_usage(&task.path());
            total.cpu_ns += u.cpu_ns;
            total.switches += u.switches;
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            todo.extend(
                children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
    }
    total
}

/// The usage of the calling thread (the load generator's).
pub fn usage_of_this_thread() -> Usage {
    task_usage(Path::new("/proc/thread-self"))
}

/// How long all CPUs together have been busy (not idle, not waiting for I/O), in
/// nanoseconds: the first line of `/proc/stat`, in clock ticks (`USER_HZ`, 100 a second).
pub fn machine_busy_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    total.saturating_sub(idle) * 10_000_000
}

/// Reads one counter of `/proc/net/snmp` or `/proc/net/netstat` (a header line of
/// names and a line of values per group, as `nstat` reads them). 0 when absent.
pub fn kernel_counter(file: &str, group: &str, name: &str) -> u64 {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(&format!("{group}:")))
        .collect();
    rows.chunks(2)
        .filter_map(|pair| match pair {
            [names, values] => names
                .split_whitespace()
                .zip(values.split_whitespace())
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| v.parse().ok()),
            _ => None,
        })
        .next()
        .unwrap_or(0)
}

pub(crate) fn overflow_counters() -> (u64, u64) {
    (
        kernel_counter("/proc/net/netstat", "TcpExt", "ListenOverflows"),
        kernel_counter("/proc/net/snmp", "Tcp", "RetransSegs"),
    )
}
