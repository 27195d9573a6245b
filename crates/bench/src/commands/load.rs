//! `raw-bench load`: many connections at once, closed or open loop; says how the
//! connecting went before any figure.

use super::{print, say, server_for, MAX_CLIENTS, MAX_SIZE};
use crate::{Connected, ServerKind};
use clap::Args;
use raw_core::text;
use raw_core::{Failure, Narrator};
use raw_multi::models::Model;
use std::net::SocketAddr;
use std::time::Duration;

/// Options of `raw-bench load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Connections at once (1 to 50000; each is a file descriptor and an ephemeral port)
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..=MAX_CLIENTS as i64))]
    clients: u32,
    /// Message size in bytes (1 to 16777216)
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=MAX_SIZE as i64))]
    size: u32,
    /// How long to measure, once every connection is made
    #[arg(long, default_value = "10s", value_parser = raw_core::cli::parse_seconds)]
    duration: Duration,
    /// How long to wait for the connections to be made before measuring with those
    /// that were (a server whose accept queue is full drops SYNs: they are sent again
    /// after 1 s, 3 s, 7 s, ...)
    #[arg(long, default_value = "10s", value_parser = raw_core::cli::parse_seconds)]
    connect_timeout: Duration,
    /// An echo server to load (HOST:PORT); default: start ours with --model
    #[arg(long)]
    target: Option<SocketAddr>,
    /// The server model to start when no --target is given
    #[arg(long, value_enum, default_value_t = Model::Epoll)]
    model: Model,
    /// Open loop at this many requests per second in total (default: closed loop)
    #[arg(long, value_parser = parse_rate)]
    rate: Option<f64>,
}

/// A positive number of requests per second.
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(r) if r > 0.0 && r.is_finite() => Ok(r),
        _ => Err(format!(
            "'{text}' is not a positive number of requests per second (e.g. 50000)"
        )),
    }
}

/// The body of `raw-bench load`.
pub fn run(n: &Narrator, args: &LoadArgs) -> Result<(), Failure> {
    let (_server, addr) = server_for(args.target, ServerKind::Multi(args.model), args.clients)?;
    if args.target.is_none() && args.clients > crate::SERVE_MAX_CLIENTS {
        say(&n.say(text!(
            "bench-note-server-started-here-serves",
            SERVE_MAX_CLIENTS = crate::SERVE_MAX_CLIENTS
        )))?;
    }
    let (m, connected) = load_run(
        n,
        addr,
        args.clients as usize,
        args.size as usize,
        args.duration,
        args.rate,
        args.connect_timeout,
    )?;
    let mode = match args.rate {
        Some(r) => n.say(text!("bench-open-loop-s", r = n.lang.num(r, 0))),
        None => n.say(text!("bench-closed-loop")),
    };
    let server_name = match args.target {
        Some(t) => t.to_string(),
        None => crate::model_name(args.model).to_string(),
    };
    print(
        n,
        &n.say(text!(
            "bench-clients-2",
            server_name,
            established = connected.established,
            mode
        )),
        &m.summary(),
        Some(&connected),
    )
}

/// Connects every client (bounded by `connect_timeout`), says how that went, then
/// measures: the window never includes the connecting.
pub(crate) fn load_run(
    n: &Narrator,
    addr: SocketAddr,
    clients: usize,
    size: usize,
    duration: Duration,
    rate: Option<f64>,
    connect_timeout: Duration,
) -> Result<(crate::Measured, Connected), Failure> {
    let (streams, connected) = crate::connect_all(addr, clients, connect_timeout)?;
    report_connect(n, &connected, connect_timeout, duration)?;
    if let Some(failure) = connected.failure.clone() {
        return Err(failure); // not one connection: nothing to measure
    }
    let m = crate::load(addr, streams, size, duration, rate)?;
    if m.count == 0 {
        return Err(Failure::Runtime(text!(
            "bench-no-round-trip-completed-s",
            as_secs_f64 = n.lang.num(m.elapsed.as_secs_f64(), 1),
            established = connected.established,
            size,
            addr,
            port = addr.port()
        )));
    }
    Ok((m, connected))
}

/// Says how the connect phase went, before any figure: how long, how many, and why it
/// was slow when it was (SYNs retransmitted because an accept queue was full).
fn report_connect(
    n: &Narrator,
    c: &Connected,
    connect_timeout: Duration,
    duration: Duration,
) -> Result<(), Failure> {
    if n.mode != raw_core::Mode::Text {
        return Ok(()); // JSON carries it in the summary's "connect" field
    }
    say(&n.say(text!(
        "bench-connect-connection-s-made-s",
        established = c.established,
        wanted = c.wanted,
        seconds = n.lang.num(c.seconds, 2)
    )))?;
    if c.slow > 0 {
        say(&n.say(text!("bench-them-took-over-1-s", slow = c.slow)))?;
    }
    if c.timed_out > 0 {
        say(&n.say(text!(
            "bench-still-had-no-answer-after",
            timed_out = c.timed_out,
            as_secs_f64 = n.lang.num(connect_timeout.as_secs_f64(), 1),
            established = c.established
        )))?;
    }
    if c.failed > 0 {
        say(&n.say(text!(
            "bench-failed",
            failed = c.failed,
            first_errno = c.first_errno.as_deref().unwrap_or("?")
        )))?;
    }
    if c.listen_overflows > 0 {
        say(&n.say(text!(
            "bench-meanwhile-this-machine-s-kernel",
            listen_overflows = c.listen_overflows,
            retransmitted = c.retransmitted
        )))?;
        say(&n.say(text!(
            "bench-check-nstat-az-tcpextlistenoverflows-tcpextliste"
        )))?;
    }
    say(&n.say(text!(
        "bench-measuring-s-from-now",
        as_secs_f64 = n.lang.num(duration.as_secs_f64(), 1)
    )))
}
