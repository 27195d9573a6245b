//! `raw-bench latency`: ping-pong on one connection, and its round trip's percentiles.

use super::{print, server_for, MAX_SIZE};
use crate::{Proto, ServerKind};
use clap::Args;
use raw_core::text;
use raw_core::{Failure, Narrator};
use std::net::SocketAddr;
use std::time::Duration;

/// Options of `raw-bench latency`.
#[derive(Debug, Args)]
pub struct LatencyArgs {
    /// tcp or udp
    #[arg(long, value_enum, default_value_t = Proto::Tcp)]
    proto: Proto,
    /// Message size in bytes (1 to 16777216)
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=MAX_SIZE as i64))]
    size: u32,
    /// How long to measure (e.g. 10s, 500ms)
    #[arg(long, default_value = "10s", value_parser = raw_core::cli::parse_seconds)]
    duration: Duration,
    /// An echo server to measure (HOST:PORT); default: start ours
    #[arg(long)]
    target: Option<SocketAddr>,
}

fn progress(n: &Narrator, duration: Duration) -> indicatif::ProgressBar {
    if duration > Duration::from_secs(1) && n.mode == raw_core::Mode::Text {
        indicatif::ProgressBar::new(1000)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// The body of `raw-bench latency`.
pub fn run(n: &Narrator, args: &LatencyArgs) -> Result<(), Failure> {
    let kind = match args.proto {
        Proto::Tcp => ServerKind::Tcp,
        Proto::Udp => ServerKind::Udp,
    };
    let (_server, addr) = server_for(args.target, kind, 1)?;
    let bar = progress(n, args.duration);
    let m = crate::latency(args.proto, addr, args.size as usize, args.duration, |f| {
        bar.set_position((f * 1000.0) as u64)
    });
    bar.finish_and_clear();
    let m = m?;
    if m.count == 0 {
        return Err(Failure::Runtime(text!(
            "bench-no-round-trip-completed-s-2",
            as_secs_f64 = n.lang.num(m.elapsed.as_secs_f64(), 1),
            errors = m.errors,
            addr,
            port = addr.port()
        )));
    }
    print(
        n,
        &format!("{:?} {} B {addr}", args.proto, args.size),
        &m.summary(),
        None,
    )
}
