//! The `raw-bench` subcommands, one file each: what each measures and how it says so.
//! This file holds what they share: the limits of their options, the line printer and
//! the server to measure.
//!
//! A figure is printed only when it is true: the load's window opens once every
//! connection is made (how long that took, and why, is said first), a run that
//! completed no round trip is an error that says why, and a failure names its syscall.

use crate::{Connected, ServerKind};
use raw_core::text;
use raw_core::{Failure, Narrator};
use raw_multi::models::Model;
use std::io::Write;
use std::net::SocketAddr;

pub mod compare;
pub mod costs;
pub mod latency;
pub mod load;
pub mod serve;

/// The largest message: 16 MiB (a UDP datagram holds at most 65507 bytes of it; a
/// larger one fails with sendto(2) EMSGSIZE, which is said as such).
pub(crate) const MAX_SIZE: u32 = 16 << 20;

/// The most connections at once: each is a file descriptor here and in the server,
/// and an ephemeral port (about 28000 of them: `sysctl net.ipv4.ip_local_port_range`).
pub(crate) const MAX_CLIENTS: u32 = 50_000;

/// One line on stdout. A reader that went away (`raw-bench compare | head -1`) ends
/// the program quietly instead of a panic.
pub(crate) fn say(line: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::OutputClosed,
            _ => Failure::sys(
                "write",
                nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(libc_eio())),
            ),
        })
}

fn libc_eio() -> i32 {
    nix::errno::Errno::EIO as i32
}

/// This program's own path, to start our servers with (`raw-bench serve`).
pub(crate) fn exe() -> Result<std::path::PathBuf, Failure> {
    std::env::current_exe().map_err(|e| {
        Failure::sys(
            "readlink",
            nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(libc_eio())),
        )
    })
}

/// Says one run's percentiles under `label` (JSON: its summary, with the connect
/// phase's report when there was one).
pub(crate) fn print(
    n: &Narrator,
    label: &str,
    s: &crate::Summary,
    connected: Option<&Connected>,
) -> Result<(), Failure> {
    if n.mode == raw_core::Mode::Json {
        let mut v = serde_json::to_value(s).unwrap_or_default();
        v["what"] = serde_json::Value::from(label);
        if let Some(c) = connected {
            v["connect"] = serde_json::to_value(c).unwrap_or_default();
        }
        return say(&v.to_string());
    }
    let f = |x: f64| n.lang.num(x, 1);
    say(&n.say(text!(
        "bench-round-trips-s-lost-p50",
        label,
        round_trips = s.round_trips,
        per_second = n.lang.num(s.per_second, 0),
        errors = s.errors,
        f = f(s.p50_us),
        f2 = f(s.p90_us),
        f3 = f(s.p99_us),
        f4 = f(s.p999_us),
        f5 = f(s.max_us)
    )))?;
    if s.silent_clients > 0 {
        say(&n.say(text!(
            "bench-warning-connection-s-completed-no",
            silent_clients = s.silent_clients
        )))?;
    }
    Ok(())
}

/// The server to measure: `target` if given, else one of ours started now (and
/// killed when the returned guard is dropped), prefork with one child per client.
pub(crate) fn server_for(
    target: Option<SocketAddr>,
    kind: ServerKind,
    clients: u32,
) -> Result<(Option<crate::Running>, SocketAddr), Failure> {
    match target {
        Some(addr) => Ok((None, addr)),
        None => {
            let running = crate::start_with(&exe()?, kind, &sized_for(kind, clients))?;
            let addr = running.addr;
            Ok((Some(running), addr))
        }
    }
}

/// How to start `kind` for `clients` connections: the prefork model with one child per
/// client (it serves no more clients at once than it has children), at most 1024.
pub(crate) fn sized_for(kind: ServerKind, clients: u32) -> crate::ServeOptions {
    crate::ServeOptions {
        workers: (kind == ServerKind::Multi(Model::Prefork)).then_some(clients.min(1024)),
        report: None,
    }
}
