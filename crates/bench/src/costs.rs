//! One cell of `raw-bench costs`: a server under a number of clients, and what each of
//! its round trips cost (syscalls, context switches, CPU time).

use crate::{
    connect_all, load_then, machine_busy_ns, python_threaded_server, start, start_with,
    usage_of_this_thread, usage_of_tree, Measured, Report, Result, Running, ServeOptions,
    ServerKind, Usage, MODELS,
};
use raw_core::text;
use raw_core::Failure;
use raw_multi::models::Model;
use serde::Serialize;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

/// A server in `raw-bench costs`: one of our models, or a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// `raw-multi`'s model, run by `raw-bench serve` with a report of its syscalls.
    Ours(Model),
    /// The tokio echo server (`raw-bench serve --kind tokio`).
    Tokio,
    /// The assignment-style Python threaded server
    /// ([`PYTHON_THREADED_SERVER`](crate::PYTHON_THREADED_SERVER)).
    Python,
}

impl Subject {
    /// Every subject, ours first, in the lab's order.
    pub fn all() -> Vec<Subject> {
        let mut all: Vec<Subject> = MODELS.iter().map(|&m| Subject::Ours(m)).collect();
        all.extend([Subject::Tokio, Subject::Python]);
        all
    }

    /// Its name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Subject::Ours(model) => model.name(),
            Subject::Tokio => "tokio",
            Subject::Python => "python threads",
        }
    }
}

/// One cell of the cost table: a server under `clients` closed-loop connections.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Cell {
    /// Round trips completed per second in the window.
    pub per_second: f64,
    /// Syscalls our steps made per round trip, over the server's whole run (connecting
    /// and closing included), divided by the requests it echoed; `None` for references.
    pub syscalls_per_rt: Option<f64>,
    /// Context switches of the server's threads and processes per round trip (window).
    pub switches_per_rt: f64,
    /// CPU time of the server's threads and processes per round trip, µs (window).
    pub cpu_us_per_rt: f64,
    /// The load generator's own CPU use in the window, as a share of one core: near 1.0,
    /// the generator, not the server, set the pace.
    pub generator_cpu: f64,
    /// Connections that completed no round trip in the window.
    pub silent_clients: usize,
    /// Round trips completed in the window.
    pub round_trips: u64,
    /// CPU used meanwhile by everything else on the machine (all CPUs' busy time in
    /// `/proc/stat`, less the server's and the generator's), as a share of one core: on
    /// a shared machine, what competed with the measurement.
    pub others_cpu: f64,
}

/// Measures one cell: starts the server (ours with `--report`; prefork with as many
/// children as clients, so that every client is served), connects every client,
/// samples the server's usage, loads it for `duration`, samples again, then stops it
/// with SIGTERM and reads its report.
pub fn cost_cell(
    exe: &Path,
    subject: Subject,
    clients: usize,
    size: usize,
    duration: Duration,
    connect_timeout: Duration,
) -> Result<Cell> {
    let report = std::env::temp_dir().join(format!(
        "raw-bench-costs-{}-{}-{clients}.json",
        std::process::id(),
        subject.name().replace(' ', "-")
    ));
    let _ = std::fs::remove_file(&report);
    let mut server = start_subject(exe, subject, clients, &report)?;
    let pid = server.child.id();
    let (streams, connected) = connect_all(server.addr, clients, connect_timeout)?;
    if let Some(failure) = connected.failure {
        return Err(failure);
    }
    // No core is set aside for either side: on this project's 2-vCPU machine, pinning
    // the generator and the server to cores of their own cut every figure to about a
    // third (each then sat idle two thirds of the time: every round trip had to wake a
    // thread on the other vCPU).
    let (server0, gen0, busy0) = (
        usage_of_tree(pid),
        usage_of_this_thread(),
        machine_busy_ns(),
    );
    let (m, (server1, gen1, busy1)) = load_with_usage(server.addr, streams, size, duration, pid)?;
    let (used, generator) = (server1.since(server0), gen1.since(gen0));
    let others = busy1
        .saturating_sub(busy0)
        .saturating_sub(used.cpu_ns)
        .saturating_sub(generator.cpu_ns);
    let syscalls_per_rt = match subject {
        Subject::Ours(_) => {
            let r = stop_for_report(&mut server, &report, exe, subject)?;
            Some(r.calls as f64 / m.requests.max(1) as f64)
        }
        _ => None,
    };
    drop(server);
    let rts = m.count.max(1) as f64;
    Ok(Cell {
        per_second: m.count as f64 / m.elapsed.as_secs_f64().max(1e-9),
        syscalls_per_rt,
        switches_per_rt: used.switches as f64 / rts,
        cpu_us_per_rt: used.cpu_ns as f64 / 1000.0 / rts,
        generator_cpu: generator.cpu_ns as f64 / 1e9 / m.elapsed.as_secs_f64().max(1e-9),
        silent_clients: m.silent_clients,
        round_trips: m.count,
        others_cpu: others as f64 / 1e9 / m.elapsed.as_secs_f64().max(1e-9),
    })
}

/// Stops our server with SIGTERM (it stops cleanly and writes its report) and reads the
/// report, which is then removed.
fn stop_for_report(
    server: &mut Running,
    report: &Path,
    exe: &Path,
    subject: Subject,
) -> Result<Report> {
    // SIGTERM: the server stops cleanly and writes its report.
    server
        .child
        .stop(nix::sys::signal::Signal::SIGTERM, Duration::from_secs(10));
    let text = std::fs::read_to_string(report).unwrap_or_default();
    let _ = std::fs::remove_file(report);
    serde_json::from_str(&text).map_err(|_| {
        Failure::Runtime(text!(
            "bench-no-report",
            model = subject.name(),
            exe = exe.display()
        ))
    })
}

/// Starts `subject`: ours with `--report` (prefork with as many children as clients),
/// tokio, or the Python server.
fn start_subject(exe: &Path, subject: Subject, clients: usize, report: &Path) -> Result<Running> {
    match subject {
        Subject::Ours(model) => {
            let workers = (model == Model::Prefork).then_some(clients as u32);
            start_with(
                exe,
                ServerKind::Multi(model),
                &ServeOptions {
                    workers,
                    report: Some(report.to_path_buf()),
                },
            )
        }
        Subject::Tokio => start(exe, ServerKind::Tokio),
        Subject::Python => {
            python_threaded_server()?.ok_or_else(|| Failure::Runtime(text!("bench-no-python")))
        }
    }
}

/// [`load`](crate::load), with the server's usage and the generator's sampled the moment the
/// window closes (before the goodbyes, while every thread still lives).
fn load_with_usage(
    addr: SocketAddr,
    streams: Vec<TcpStream>,
    size: usize,
    duration: Duration,
    pid: u32,
) -> Result<(Measured, (Usage, Usage, u64))> {
    let sampled = std::cell::Cell::new((Usage::default(), Usage::default(), 0));
    let m = load_then(addr, streams, size, duration, None, || {
        sampled.set((
            usage_of_tree(pid),
            usage_of_this_thread(),
            machine_busy_ns(),
        ))
    })?;
    Ok((m, sampled.get()))
}
