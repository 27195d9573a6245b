//! `raw-bench`: round-trip latency percentiles, load across many connections, and a
//! side-by-side comparison with sockperf. This file only parses the command line; each
//! subcommand, what it measures and how it says so, is in its own file of the bench
//! library: `commands/latency.rs`, `load.rs`, `compare.rs`, `costs.rs`, `serve.rs`.

#![forbid(unsafe_code)]

use bench::commands::{compare, costs, latency, load, serve};
use clap::{Parser, Subcommand};
use raw_core::cli::OutputArgs;
use raw_core::{Failure, Narrator};
use std::process::ExitCode;

/// Measure the echo paths: latency percentiles against any echo server (ours started
/// for you when no --target is given), load across many connections, and a comparison
/// with sockperf's own ping-pong on this machine.
///
///     raw-bench latency --proto tcp --size 64 --duration 10s
///     raw-bench load --clients 128 --model epoll --duration 10s
///     raw-bench load --clients 128 --rate 50000          (open loop: no coordinated omission)
///     raw-bench load --target 127.0.0.1:65432 --clients 16 --duration 5s
///     raw-bench compare --duration 5s
///     raw-bench costs --duration 1s --rounds 3     (every model: round trips/s, syscalls,
///                                                  context switches and CPU per round trip)
///
/// Run it from a release build (cargo run --release -p bench --bin raw-bench -- ...).
/// Every process it starts (our server, sockperf, python3, iperf3) dies with it.
#[derive(Debug, Parser)]
#[command(name = "raw-bench", version, verbatim_doc_comment)]
struct Cli {
    #[command(flatten)]
    output: OutputArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ping-pong on one connection: p50, p90, p99, p99.9 and max of the round trip
    Latency(latency::LatencyArgs),
    /// Many connections at once: round trips per second and latency percentiles
    Load(load::LoadArgs),
    /// Our TCP and UDP round trips against sockperf's, and the server models against
    /// each other and a Python threaded server, with ratios
    Compare(compare::CompareArgs),
    /// What each server model costs at 1, 16 and 128 clients: round trips per second,
    /// syscalls, context switches and CPU time per round trip, beside tokio and a Python
    /// threaded server
    Costs(costs::CostsArgs),
    /// (internal) run one of the labs' servers silently, for the benchmarks
    #[command(hide = true)]
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli: Cli = raw_core::help::parse();
    raise_fd_limit();
    let common = cli.output.without_lab_options();
    raw_core::cli::run(&common, "bench", |n| run(n, &cli.command))
}

/// One function per subcommand.
fn run(n: &Narrator, command: &Command) -> Result<(), Failure> {
    match command {
        Command::Latency(args) => latency::run(n, args),
        Command::Load(args) => load::run(n, args),
        Command::Compare(args) => compare::run(n, args),
        Command::Costs(args) => costs::run(n, args),
        Command::Serve(args) => serve::run(args),
    }
}

/// Every client is a file descriptor: lift the soft limit to the hard one
/// (`prlimit64(0, RLIMIT_NOFILE, ...)`), for us and the servers we start.
fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        if soft < hard {
            let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
        }
    }
}
