//! `raw-bench`: round-trip latency percentiles, load across many connections, and a
//! side-by-side comparison with sockperf. This file parses the command line; the
//! drivers are in the bench library.

#![forbid(unsafe_code)]

use bench::{Proto, ServerKind};
use clap::{Args, Parser, Subcommand};
use raw_core::cli::CommonArgs;
use raw_core::{Failure, Narrator};
use raw_multi::models::Model;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

/// Measure the echo paths: latency percentiles against any echo server (ours started
/// for you when no --target is given), load across many connections, and a comparison
/// with sockperf's own ping-pong on this machine.
///
///     raw-bench latency --proto tcp --size 64 --duration 10s
///     raw-bench load --clients 128 --model epoll --duration 10s
///     raw-bench load --clients 128 --rate 50000          (open loop: no coordinated omission)
///     raw-bench compare --duration 5s
///
/// Run it from a release build (cargo run --release -p bench --bin raw-bench -- ...).
#[derive(Debug, Parser)]
#[command(name = "raw-bench", version, verbatim_doc_comment)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ping-pong on one connection: p50, p90, p99, p99.9 and max of the round trip
    Latency(LatencyArgs),
    /// Many connections at once: round trips per second and latency percentiles
    Load(LoadArgs),
    /// Our TCP and UDP round trips against sockperf's, and the server models against
    /// each other and a Python threaded server, with ratios
    Compare(CompareArgs),
    /// (internal) run one of the labs' servers silently, for the benchmarks
    #[command(hide = true)]
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
struct LatencyArgs {
    /// tcp or udp
    #[arg(long, value_enum, default_value_t = Proto::Tcp)]
    proto: Proto,
    /// Message size in bytes
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// How long to measure (e.g. 10s, 500ms)
    #[arg(long, default_value = "10s", value_parser = raw_tcp::client::parse_seconds)]
    duration: Duration,
    /// An echo server to measure (HOST:PORT); default: start ours
    #[arg(long)]
    target: Option<SocketAddr>,
}

#[derive(Debug, Args)]
struct LoadArgs {
    /// Connections at once
    #[arg(long, default_value_t = 128)]
    clients: usize,
    /// Message size in bytes
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// How long to measure
    #[arg(long, default_value = "10s", value_parser = raw_tcp::client::parse_seconds)]
    duration: Duration,
    /// An echo server to load (HOST:PORT); default: start ours with --model
    #[arg(long)]
    target: Option<SocketAddr>,
    /// The server model to start when no --target is given
    #[arg(long, value_enum, default_value_t = Model::Epoll)]
    model: Model,
    /// Open loop at this many requests per second in total (default: closed loop)
    #[arg(long)]
    rate: Option<f64>,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// Time for each measurement (each is run twice, alternating)
    #[arg(long, default_value = "5s", value_parser = raw_tcp::client::parse_seconds)]
    duration: Duration,
    /// Message size in bytes
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// Connections for the server-model comparison
    #[arg(long, default_value_t = 128)]
    clients: usize,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[arg(long)]
    kind: String,
    #[arg(long, value_enum, default_value_t = Model::Epoll)]
    model: Model,
    #[arg(long)]
    port: u16,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.common.capture.is_some() {
        return raw_core::cli::finish(
            &cli.common,
            Err(Failure::Usage(
                "raw-bench takes no --capture: capturing would slow down what it measures".into(),
            )),
        );
    }
    raw_core::cli::run(&cli.common, "bench", |n| match &cli.command {
        Command::Latency(args) => latency(n, args),
        Command::Load(args) => load(n, args),
        Command::Compare(args) => compare(n, args),
        Command::Serve(args) => serve(args),
    })
}

fn io_failure(what: &'static str, e: std::io::Error) -> Failure {
    let errno =
        nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(nix::errno::Errno::EIO as i32));
    Failure::sys(what, errno)
}

fn exe() -> Result<std::path::PathBuf, Failure> {
    std::env::current_exe().map_err(|e| io_failure("readlink", e))
}

fn progress(n: &Narrator, duration: Duration) -> indicatif::ProgressBar {
    if duration > Duration::from_secs(1) && n.mode == raw_core::Mode::Text {
        indicatif::ProgressBar::new(1000)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

fn print(n: &Narrator, label: &str, s: &bench::Summary) {
    if n.mode == raw_core::Mode::Json {
        let mut v = serde_json::to_value(s).unwrap_or_default();
        v["what"] = serde_json::Value::from(label);
        println!("{v}");
    } else {
        println!(
            "{label}: {} {} ({:.0}/s, {} {}) p50 {:.1} µs  p90 {:.1}  p99 {:.1}  p99.9 {:.1}  max {:.1}",
            s.round_trips,
            n.t("round trips", "idas e voltas"),
            s.per_second,
            s.errors,
            n.t("lost", "perdidas"),
            s.p50_us,
            s.p90_us,
            s.p99_us,
            s.p999_us,
            s.max_us
        );
    }
}

fn latency(n: &Narrator, args: &LatencyArgs) -> Result<(), Failure> {
    let server = match args.target {
        Some(_) => None,
        None => Some(
            bench::start(
                &exe()?,
                if args.proto == Proto::Tcp {
                    ServerKind::Tcp
                } else {
                    ServerKind::Udp
                },
            )
            .map_err(|e| io_failure("spawn", e))?,
        ),
    };
    let addr = args
        .target
        .or(server.as_ref().map(|s| s.addr))
        .ok_or_else(|| Failure::Usage("no target".into()))?;
    let bar = progress(n, args.duration);
    let m = bench::latency(args.proto, addr, args.size, args.duration, |f| {
        bar.set_position((f * 1000.0) as u64)
    })
    .map_err(|e| io_failure("recvfrom", e))?;
    bar.finish_and_clear();
    print(
        n,
        &format!("{:?} {} B {addr}", args.proto, args.size),
        &m.summary(),
    );
    Ok(())
}

fn load(n: &Narrator, args: &LoadArgs) -> Result<(), Failure> {
    let server = match args.target {
        Some(_) => None,
        None => Some(
            bench::start(&exe()?, ServerKind::Multi(args.model))
                .map_err(|e| io_failure("spawn", e))?,
        ),
    };
    let addr = args
        .target
        .or(server.as_ref().map(|s| s.addr))
        .ok_or_else(|| Failure::Usage("no target".into()))?;
    let m = bench::load(addr, args.clients, args.size, args.duration, args.rate)
        .map_err(|e| io_failure("recvfrom", e))?;
    let mode = match args.rate {
        Some(r) => format!("open loop {r:.0}/s"),
        None => "closed loop".to_string(),
    };
    let server_name = match args.target {
        Some(t) => t.to_string(),
        None => bench::model_name(args.model).to_string(),
    };
    print(
        n,
        &format!("{server_name} {} clients, {mode}", args.clients),
        &m.summary(),
    );
    Ok(())
}

fn ratio(ours: f64, theirs: f64) -> String {
    if theirs > 0.0 {
        format!("{:.2}x", ours / theirs)
    } else {
        "-".into()
    }
}

fn compare(n: &Narrator, args: &CompareArgs) -> Result<(), Failure> {
    let exe = exe()?;
    let half = args.duration / 2;
    let json = n.mode == raw_core::Mode::Json;
    let say = |line: String| {
        if !json {
            println!("{line}");
        }
    };
    say(format!(
        "{:<44} {:>10} {:>10} {:>7}   {:>10} {:>10} {:>7}",
        n.t(
            "round trip, µs (full RTT)",
            "ida e volta, µs (RTT completo)"
        ),
        "ours p50",
        "ref p50",
        "ratio",
        "ours p99",
        "ref p99",
        "ratio"
    ));
    for proto in [Proto::Tcp, Proto::Udp] {
        let server = bench::start(
            &exe,
            if proto == Proto::Tcp {
                ServerKind::Tcp
            } else {
                ServerKind::Udp
            },
        )
        .map_err(|e| io_failure("spawn", e))?;
        let (mut ours_p50, mut ours_p99, mut ref_p50, mut ref_p99, mut rounds) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut have_ref = true;
        // Alternate: ours, sockperf, ours, sockperf, so drift hits both alike.
        for _ in 0..2 {
            let m = bench::latency(proto, server.addr, args.size, half, |_| {})
                .map_err(|e| io_failure("recvfrom", e))?
                .summary();
            ours_p50 += m.p50_us;
            ours_p99 += m.p99_us;
            match bench::sockperf(proto, args.size, half).map_err(|e| io_failure("spawn", e))? {
                Some((p50, p99)) => {
                    ref_p50 += p50;
                    ref_p99 += p99;
                }
                None => have_ref = false,
            }
            rounds += 1.0;
        }
        let (o50, o99, r50, r99) = (
            ours_p50 / rounds,
            ours_p99 / rounds,
            ref_p50 / rounds,
            ref_p99 / rounds,
        );
        let label = format!(
            "{proto:?} {} B, {} sockperf",
            args.size,
            n.t("ours vs", "nosso vs")
        );
        if json {
            println!(
                "{}",
                serde_json::json!({"what": label, "ours_p50_us": o50, "ours_p99_us": o99, "sockperf_p50_us": if have_ref { Some(r50) } else { None }, "sockperf_p99_us": if have_ref { Some(r99) } else { None }})
            );
        } else if have_ref {
            say(format!(
                "{label:<44} {o50:>10.1} {r50:>10.1} {:>7}   {o99:>10.1} {r99:>10.1} {:>7}",
                ratio(o50, r50),
                ratio(o99, r99)
            ));
        } else {
            say(format!(
                "{label:<44} {o50:>10.1} {:>10} {:>7}   {o99:>10.1}",
                "-", "-"
            ));
            say(n
                .t(
                    "  sockperf is not installed: apt-get install sockperf",
                    "  o sockperf não está instalado: apt-get install sockperf",
                )
                .to_string());
        }
    }
    say(String::new());
    say(format!(
        "{:<44} {:>14} {:>9} {:>9}",
        format!(
            "{} {} {}",
            args.clients,
            n.t("clients", "clientes"),
            n.t("(closed loop)", "(laço fechado)")
        ),
        n.t("round trips/s", "idas e voltas/s"),
        "p50 µs",
        "p99 µs"
    ));
    let mut per_model = Vec::new();
    for model in bench::MODELS {
        let server =
            bench::start(&exe, ServerKind::Multi(model)).map_err(|e| io_failure("spawn", e))?;
        let m = bench::load(server.addr, args.clients, args.size, half, None)
            .map_err(|e| io_failure("recvfrom", e))?
            .summary();
        if json {
            println!(
                "{}",
                serde_json::json!({"what": format!("model {}", bench::model_name(model)), "clients": args.clients, "summary": m})
            );
        }
        say(format!(
            "{:<44} {:>14.0} {:>9.1} {:>9.1}",
            bench::model_name(model),
            m.per_second,
            m.p50_us,
            m.p99_us
        ));
        per_model.push((model, m.per_second));
    }
    if let Some((mut child, addr)) =
        bench::python_threaded_server().map_err(|e| io_failure("spawn", e))?
    {
        let m = bench::load(addr, args.clients, args.size, half, None)
            .map_err(|e| io_failure("recvfrom", e));
        let _ = child.kill();
        let _ = child.wait();
        let m = m?.summary();
        if json {
            println!(
                "{}",
                serde_json::json!({"what": "python threaded (socketserver)", "clients": args.clients, "summary": m})
            );
        }
        say(format!(
            "{:<44} {:>14.0} {:>9.1} {:>9.1}",
            "python3 socketserver (threads)", m.per_second, m.p50_us, m.p99_us
        ));
        per_model.push((Model::Thread, -m.per_second)); // marker: negative = python
    }
    // Bulk: one connection streaming 64 KiB writes through our epoll echo, beside
    // iperf3's one-way loopback rate (an echo moves every byte twice).
    let server =
        bench::start(&exe, ServerKind::Multi(Model::Epoll)).map_err(|e| io_failure("spawn", e))?;
    let ours = bench::bulk(server.addr, 65536, half).map_err(|e| io_failure("sendto", e))?;
    drop(server);
    let iperf = bench::iperf3(half).map_err(|e| io_failure("spawn", e))?;
    if json {
        println!(
            "{}",
            serde_json::json!({"what": "bulk", "ours_bytes_per_s": ours, "iperf3_one_way_bytes_per_s": iperf})
        );
    }
    say(String::new());
    match iperf {
        Some(theirs) => say(format!(
            "bulk echo 64 KiB writes: {:.2} GB/s; iperf3 one-way: {:.2} GB/s; ratio {}",
            ours / 1e9,
            theirs / 1e9,
            ratio(ours, theirs)
        )),
        None => say(format!(
            "bulk echo 64 KiB writes: {:.2} GB/s ({})",
            ours / 1e9,
            n.t(
                "iperf3 is not installed: apt-get install iperf3",
                "o iperf3 não está instalado: apt-get install iperf3"
            )
        )),
    }
    let rps = |model: Model| {
        per_model
            .iter()
            .find(|(m, r)| *m == model && *r > 0.0)
            .map(|(_, r)| *r)
            .unwrap_or(0.0)
    };
    let python = per_model
        .iter()
        .find(|(_, r)| *r < 0.0)
        .map(|(_, r)| -r)
        .unwrap_or(0.0);
    say(String::new());
    say(format!(
        "epoll / thread: {}",
        ratio(rps(Model::Epoll), rps(Model::Thread))
    ));
    if python > 0.0 {
        say(format!(
            "epoll / python threaded: {}",
            ratio(rps(Model::Epoll), python)
        ));
    }
    Ok(())
}

fn serve(args: &ServeArgs) -> Result<(), Failure> {
    let kind = match args.kind.as_str() {
        "tcp" => ServerKind::Tcp,
        "udp" => ServerKind::Udp,
        "multi" => ServerKind::Multi(args.model),
        other => return Err(Failure::Usage(format!("unknown server kind {other}"))),
    };
    bench::serve(kind, args.port)
}
