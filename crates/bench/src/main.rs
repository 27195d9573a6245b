//! `raw-bench`: round-trip latency percentiles, load across many connections, and a
//! side-by-side comparison with sockperf. This file parses the command line and says
//! what was measured; the drivers are in the bench library.
//!
//! A figure is printed only when it is true: the load's window opens once every
//! connection is made (how long that took, and why, is said first), a run that
//! completed no round trip is an error that says why, and a failure names its syscall.

#![forbid(unsafe_code)]

use bench::{Connected, Proto, ServerKind};
use clap::{Args, Parser, Subcommand};
use raw_core::cli::OutputArgs;
use raw_core::text;
use raw_core::{Failure, Narrator};
use raw_multi::models::Model;
use std::io::Write;
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
    Latency(LatencyArgs),
    /// Many connections at once: round trips per second and latency percentiles
    Load(LoadArgs),
    /// Our TCP and UDP round trips against sockperf's, and the server models against
    /// each other and a Python threaded server, with ratios
    Compare(CompareArgs),
    /// What each server model costs at 1, 16 and 128 clients: round trips per second,
    /// syscalls, context switches and CPU time per round trip, beside tokio and a Python
    /// threaded server
    Costs(CostsArgs),
    /// (internal) run one of the labs' servers silently, for the benchmarks
    #[command(hide = true)]
    Serve(ServeArgs),
}

/// The largest message: 16 MiB (a UDP datagram holds at most 65507 bytes of it; a
/// larger one fails with sendto(2) EMSGSIZE, which is said as such).
const MAX_SIZE: u32 = 16 << 20;

/// The most connections at once: each is a file descriptor here and in the server,
/// and an ephemeral port (about 28000 of them: `sysctl net.ipv4.ip_local_port_range`).
const MAX_CLIENTS: u32 = 50_000;

/// A positive number of requests per second.
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(r) if r > 0.0 && r.is_finite() => Ok(r),
        _ => Err(format!(
            "'{text}' is not a positive number of requests per second (e.g. 50000)"
        )),
    }
}

#[derive(Debug, Args)]
struct LatencyArgs {
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

#[derive(Debug, Args)]
struct LoadArgs {
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

#[derive(Debug, Args)]
struct CompareArgs {
    /// Time for each measurement (each is run twice, alternating)
    #[arg(long, default_value = "5s", value_parser = raw_core::cli::parse_seconds)]
    duration: Duration,
    /// Message size in bytes (1 to 65507: the UDP round trips use it too)
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=65507))]
    size: u32,
    /// Connections for the server-model comparison (1 to 50000)
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..=MAX_CLIENTS as i64))]
    clients: u32,
}

#[derive(Debug, Args)]
struct CostsArgs {
    /// How long to measure each cell, once its clients are connected (e.g. 1s, 300ms)
    #[arg(long, default_value = "1s", value_parser = raw_core::cli::parse_seconds)]
    duration: Duration,
    /// Rounds: each measures every server once, in turn, so that drift hits all alike;
    /// the table shows the median of the rounds
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    rounds: u32,
    /// Set aside a sample taken while other processes on the machine used more than this
    /// share of a core (percent), and measure that cell again in a later round (at most
    /// three times as many rounds in all); 100 keeps every sample
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=100))]
    max_others: u32,
    /// Connections at once, for each column (comma-separated, each 1 to 50000)
    #[arg(long, value_delimiter = ',', default_values_t = [1u32, 16, 128], value_parser = clap::value_parser!(u32).range(1..=MAX_CLIENTS as i64))]
    clients: Vec<u32>,
    /// Message size in bytes (1 to 16777216)
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=MAX_SIZE as i64))]
    size: u32,
    /// Only these servers (comma-separated: fork, thread, select, poll, epoll, io-uring,
    /// reuseport, prefork, tokio, python); default: all
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// How long to wait for each cell's connections to be made
    #[arg(long, default_value = "10s", value_parser = raw_core::cli::parse_seconds)]
    connect_timeout: Duration,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[arg(long)]
    kind: String,
    #[arg(long, value_enum, default_value_t = Model::Epoll)]
    model: Model,
    #[arg(long)]
    port: u16,
    /// reuseport's threads, prefork's children
    #[arg(long)]
    workers: Option<u32>,
    /// When the server stops (SIGTERM), write the syscalls its steps made here (JSON)
    #[arg(long)]
    report: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let cli: Cli = raw_core::help::parse();
    raise_fd_limit();
    let common = cli.output.without_lab_options();
    raw_core::cli::run(&common, "bench", |n| match &cli.command {
        Command::Latency(args) => latency(n, args),
        Command::Load(args) => load(n, args),
        Command::Compare(args) => compare(n, args),
        Command::Costs(args) => costs(n, args),
        Command::Serve(args) => serve(args),
    })
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

/// One line on stdout. A reader that went away (`raw-bench compare | head -1`) ends
/// the program quietly instead of a panic.
fn say(line: &str) -> Result<(), Failure> {
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

fn exe() -> Result<std::path::PathBuf, Failure> {
    std::env::current_exe().map_err(|e| {
        Failure::sys(
            "readlink",
            nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(libc_eio())),
        )
    })
}

fn progress(n: &Narrator, duration: Duration) -> indicatif::ProgressBar {
    if duration > Duration::from_secs(1) && n.mode == raw_core::Mode::Text {
        indicatif::ProgressBar::new(1000)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

fn print(
    n: &Narrator,
    label: &str,
    s: &bench::Summary,
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
fn server_for(
    target: Option<SocketAddr>,
    kind: ServerKind,
    clients: u32,
) -> Result<(Option<bench::Running>, SocketAddr), Failure> {
    match target {
        Some(addr) => Ok((None, addr)),
        None => {
            let running = bench::start_with(&exe()?, kind, &sized_for(kind, clients))?;
            let addr = running.addr;
            Ok((Some(running), addr))
        }
    }
}

/// How to start `kind` for `clients` connections: the prefork model with one child per
/// client (it serves no more clients at once than it has children), at most 1024.
fn sized_for(kind: ServerKind, clients: u32) -> bench::ServeOptions {
    bench::ServeOptions {
        workers: (kind == ServerKind::Multi(Model::Prefork)).then_some(clients.min(1024)),
        report: None,
    }
}

fn latency(n: &Narrator, args: &LatencyArgs) -> Result<(), Failure> {
    let kind = match args.proto {
        Proto::Tcp => ServerKind::Tcp,
        Proto::Udp => ServerKind::Udp,
    };
    let (_server, addr) = server_for(args.target, kind, 1)?;
    let bar = progress(n, args.duration);
    let m = bench::latency(args.proto, addr, args.size as usize, args.duration, |f| {
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

/// Connects every client (bounded by `connect_timeout`), says how that went, then
/// measures: the window never includes the connecting.
fn load_run(
    n: &Narrator,
    addr: SocketAddr,
    clients: usize,
    size: usize,
    duration: Duration,
    rate: Option<f64>,
    connect_timeout: Duration,
) -> Result<(bench::Measured, Connected), Failure> {
    let (streams, connected) = bench::connect_all(addr, clients, connect_timeout)?;
    report_connect(n, &connected, connect_timeout, duration)?;
    if let Some(failure) = connected.failure.clone() {
        return Err(failure); // not one connection: nothing to measure
    }
    let m = bench::load(addr, streams, size, duration, rate)?;
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

fn load(n: &Narrator, args: &LoadArgs) -> Result<(), Failure> {
    let (_server, addr) = server_for(args.target, ServerKind::Multi(args.model), args.clients)?;
    if args.target.is_none() && args.clients > bench::SERVE_MAX_CLIENTS {
        say(&n.say(text!(
            "bench-note-server-started-here-serves",
            SERVE_MAX_CLIENTS = bench::SERVE_MAX_CLIENTS
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
        None => bench::model_name(args.model).to_string(),
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

fn ratio(n: &Narrator, ours: f64, theirs: f64) -> String {
    if theirs > 0.0 {
        format!("{}x", n.lang.num(ours / theirs, 2))
    } else {
        "-".into()
    }
}

fn compare(n: &Narrator, args: &CompareArgs) -> Result<(), Failure> {
    let exe = exe()?;
    let half = args.duration / 2;
    let size = args.size as usize;
    let json = n.mode == raw_core::Mode::Json;
    let text = |line: String| if json { Ok(()) } else { say(&line) };
    let f1 = |x: f64| n.lang.num(x, 1);
    // A table's header: each column's label from the catalog, the layout here.
    text(format!(
        "{:<44} {:>10} {:>10} {:>7}   {:>10} {:>10} {:>7}",
        n.say(text!("bench-round-trip-s-full-rtt")),
        n.say(text!("bench-ours-p50")),
        "ref p50",
        n.say(text!("bench-ratio")),
        n.say(text!("bench-ours-p99")),
        "ref p99",
        n.say(text!("bench-ratio"))
    ))?;
    for proto in [Proto::Tcp, Proto::Udp] {
        let kind = match proto {
            Proto::Tcp => ServerKind::Tcp,
            Proto::Udp => ServerKind::Udp,
        };
        let server = bench::start(&exe, kind)?;
        let (mut ours_p50, mut ours_p99, mut ref_p50, mut ref_p99, mut rounds) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut have_ref = true;
        // Alternate: ours, sockperf, ours, sockperf, so drift hits both alike.
        for _ in 0..2 {
            let m = bench::latency(proto, server.addr, size, half, |_| {})?.summary();
            ours_p50 += m.p50_us;
            ours_p99 += m.p99_us;
            match bench::sockperf(proto, size, half)? {
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
        let label = n.say(text!(
            "bench-b-ours-vs-sockperf",
            proto = format!("{:?}", proto),
            size = args.size
        ));
        if json {
            say(&serde_json::json!({"what": label, "ours_p50_us": o50, "ours_p99_us": o99, "sockperf_p50_us": if have_ref { Some(r50) } else { None }, "sockperf_p99_us": if have_ref { Some(r99) } else { None }}).to_string())?;
        } else if have_ref {
            say(&format!(
                "{label:<44} {:>10} {:>10} {:>7}   {:>10} {:>10} {:>7}",
                f1(o50),
                f1(r50),
                ratio(n, o50, r50),
                f1(o99),
                f1(r99),
                ratio(n, o99, r99)
            ))?;
        } else {
            say(&format!(
                "{label:<44} {:>10} {:>10} {:>7}   {:>10}",
                f1(o50),
                "-",
                "-",
                f1(o99)
            ))?;
            say(&n.say(text!("bench-sockperf-not-installed-apt-get")))?;
        }
    }
    text(String::new())?;
    text(format!(
        "{:<44} {:>14} {:>9} {:>9}",
        n.say(text!("bench-clients-closed-loop", clients = args.clients)),
        n.say(text!("bench-round-trips-s-2")),
        "p50 µs",
        "p99 µs"
    ))?;
    let quiet = Narrator::new(n.lang, raw_core::Mode::Silent, "bench");
    let connect_timeout = Duration::from_secs(10);
    let clients = args.clients as usize;
    let mut per_model = Vec::new();
    for model in bench::MODELS {
        let kind = ServerKind::Multi(model);
        let server = bench::start_with(&exe, kind, &sized_for(kind, args.clients))?;
        let (m, _) = load_run(
            &quiet,
            server.addr,
            clients,
            size,
            half,
            None,
            connect_timeout,
        )?;
        let m = m.summary();
        if json {
            say(&serde_json::json!({"what": format!("model {}", bench::model_name(model)), "clients": args.clients, "summary": m}).to_string())?;
        }
        text(format!(
            "{:<44} {:>14} {:>9} {:>9}",
            bench::model_name(model),
            n.lang.num(m.per_second, 0),
            f1(m.p50_us),
            f1(m.p99_us)
        ))?;
        per_model.push((model, m.per_second));
    }
    let mut python = 0.0;
    if let Some(server) = bench::python_threaded_server()? {
        let (m, _) = load_run(
            &quiet,
            server.addr,
            clients,
            size,
            half,
            None,
            connect_timeout,
        )?;
        drop(server);
        let m = m.summary();
        if json {
            say(&serde_json::json!({"what": "python threaded (socketserver)", "clients": args.clients, "summary": m}).to_string())?;
        }
        text(format!(
            "{:<44} {:>14} {:>9} {:>9}",
            "python3 socketserver (threads)",
            n.lang.num(m.per_second, 0),
            f1(m.p50_us),
            f1(m.p99_us)
        ))?;
        python = m.per_second;
    }
    // Bulk: one connection streaming 64 KiB writes through our epoll echo, beside
    // iperf3's one-way loopback rate (an echo moves every byte twice).
    let server = bench::start(&exe, ServerKind::Multi(Model::Epoll))?;
    let ours = bench::bulk(server.addr, 65536, half)?;
    drop(server);
    let iperf = bench::iperf3(half)?;
    if json {
        say(&serde_json::json!({"what": "bulk", "ours_bytes_per_s": ours, "iperf3_one_way_bytes_per_s": iperf}).to_string())?;
    }
    text(String::new())?;
    let gb = |x: f64| n.lang.num(x / 1e9, 2);
    match iperf {
        Some(theirs) => text(n.say(text!(
            "bench-bulk-echo-64-kib-writes-2",
            gb = gb(ours),
            gb2 = gb(theirs),
            ratio = ratio(n, ours, theirs)
        )))?,
        None => text(n.say(text!("bench-bulk-echo-64-kib-writes", gb = gb(ours))))?,
    }
    let rps = |model: Model| {
        per_model
            .iter()
            .find(|(m, _)| *m == model)
            .map_or(0.0, |(_, r)| *r)
    };
    text(String::new())?;
    text(format!(
        "epoll / thread: {}",
        ratio(n, rps(Model::Epoll), rps(Model::Thread))
    ))?;
    if python > 0.0 {
        text(format!(
            "epoll / python threaded: {}",
            ratio(n, rps(Model::Epoll), python)
        ))?;
    }
    Ok(())
}

fn serve(args: &ServeArgs) -> Result<(), Failure> {
    let kind = match args.kind.as_str() {
        "tcp" => ServerKind::Tcp,
        "udp" => ServerKind::Udp,
        "multi" => ServerKind::Multi(args.model),
        "tokio" => ServerKind::Tokio,
        other => return Err(Failure::Usage(text!("bench-unknown-kind", kind = other))),
    };
    let options = bench::ServeOptions {
        workers: args.workers,
        report: args.report.clone(),
    };
    bench::serve_with(kind, args.port, &options)
}

/// The median of each measure of one (server, clients) cell over the rounds.
#[derive(Debug, Clone, Default)]
struct Medians {
    per_second: Vec<f64>,
    syscalls: Vec<f64>,
    switches: Vec<f64>,
    cpu_us: Vec<f64>,
    generator: Vec<f64>,
    others: Vec<f64>,
    silent: usize,
    /// Samples set aside: other processes used more than `--max-others` meanwhile.
    noisy: Vec<bench::Cell>,
    /// No quiet sample was had: the figures come from the noisy ones.
    only_noisy: bool,
}

impl Medians {
    fn add(&mut self, c: &bench::Cell) {
        self.per_second.push(c.per_second);
        if let Some(s) = c.syscalls_per_rt {
            self.syscalls.push(s);
        }
        self.switches.push(c.switches_per_rt);
        self.cpu_us.push(c.cpu_us_per_rt);
        self.generator.push(c.generator_cpu);
        self.others.push(c.others_cpu);
        self.silent = self.silent.max(c.silent_clients);
    }

    fn rps(&self) -> f64 {
        bench::median(&mut self.per_second.clone())
    }

    fn syscalls(&self) -> Option<f64> {
        (!self.syscalls.is_empty()).then(|| bench::median(&mut self.syscalls.clone()))
    }

    fn switches(&self) -> f64 {
        bench::median(&mut self.switches.clone())
    }

    fn cpu_us(&self) -> f64 {
        bench::median(&mut self.cpu_us.clone())
    }

    fn generator(&self) -> f64 {
        bench::median(&mut self.generator.clone())
    }

    fn others(&self) -> f64 {
        bench::median(&mut self.others.clone())
    }
}

fn costs(n: &Narrator, args: &CostsArgs) -> Result<(), Failure> {
    let exe = exe()?;
    let json = n.mode == raw_core::Mode::Json;
    let mut subjects = bench::Subject::all();
    if !args.only.is_empty() {
        for name in &args.only {
            if !subjects.iter().any(|s| s.name().starts_with(name.as_str())) {
                return Err(Failure::Usage(text!(
                    "bench-no-server-named",
                    name,
                    subjects = subjects
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        subjects.retain(|s| args.only.iter().any(|o| s.name().starts_with(o.as_str())));
    }
    let have_python = subjects.contains(&bench::Subject::Python) && {
        let found = std::process::Command::new("python3")
            .arg("--version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok();
        if !found {
            say(&n.say(text!("bench-note-python3-not-installed-so")))?;
        }
        found
    };
    if !have_python {
        subjects.retain(|s| *s != bench::Subject::Python);
    }
    let mut table: Vec<((bench::Subject, u32), Medians)> = Vec::new();
    for subject in &subjects {
        for &c in &args.clients {
            table.push(((*subject, c), Medians::default()));
        }
    }
    if !json {
        say(&n.say(text!(
            "bench-raw-bench-costs-b-round",
            size = args.size,
            as_secs_f64 = n.lang.num(args.duration.as_secs_f64(), 1),
            rounds = args.rounds
        )))?;
    }
    // Rounds until every cell has `rounds` samples taken on a quiet machine, or three
    // times as many rounds have run: a cell that never got one keeps its noisy samples,
    // marked in the table.
    let wanted = args.rounds as usize;
    let mut done = 0;
    for _ in 0..3 * args.rounds {
        let pending = table
            .iter()
            .filter(|(_, m)| m.per_second.len() < wanted)
            .count();
        if pending == 0 {
            break;
        }
        for ((subject, clients), medians) in table.iter_mut() {
            if medians.per_second.len() >= wanted {
                continue;
            }
            done += 1;
            if !json {
                // Progress on stderr, overwritten in place: stdout keeps only the table.
                let _ = write!(
                    std::io::stderr(),
                    "\r{done} {} {clients}…          ",
                    subject.name()
                );
            }
            let cell = bench::cost_cell(
                &exe,
                *subject,
                *clients as usize,
                args.size as usize,
                args.duration,
                args.connect_timeout,
            )?;
            if 100.0 * cell.others_cpu <= f64::from(args.max_others) {
                medians.add(&cell);
            } else {
                medians.noisy.push(cell);
            }
        }
    }
    for (_, medians) in table.iter_mut() {
        if medians.per_second.is_empty() {
            for cell in std::mem::take(&mut medians.noisy) {
                medians.add(&cell);
            }
            medians.only_noisy = true;
        }
    }
    if !json {
        let _ = write!(std::io::stderr(), "\r{}\r", " ".repeat(60));
        say(&format!(
            "{:<16} {:>8} {:>15} {:>12} {:>12} {:>10} {:>9} {:>7}",
            n.say(text!("bench-server")),
            n.say(text!("bench-clients")),
            n.say(text!("bench-round-trips-s")),
            "syscalls/rt",
            n.say(text!("bench-switches-rt")),
            n.say(text!("bench-cpu-s-rt")),
            n.say(text!("bench-load-gen")),
            n.say(text!("bench-others"))
        ))?;
    }
    for ((subject, clients), m) in &table {
        if json {
            say(&serde_json::json!({
                "what": "cost",
                "server": subject.name(),
                "clients": clients,
                "round_trips_per_s": m.rps(),
                "syscalls_per_rt": m.syscalls(),
                "switches_per_rt": m.switches(),
                "cpu_us_per_rt": m.cpu_us(),
                "generator_cpu": m.generator(),
                "others_cpu": m.others(),
                "silent_clients": m.silent,
                "samples": m.per_second.len(),
                "set_aside": m.noisy.len(),
                "only_noisy": m.only_noisy,
            })
            .to_string())?;
            continue;
        }
        say(&format!(
            "{:<16} {:>8} {:>15} {:>12} {:>12} {:>10} {:>8}% {:>6}%{}",
            subject.name(),
            clients,
            n.lang.num(m.rps(), 0),
            m.syscalls().map_or("-".to_string(), |s| n.lang.num(s, 2)),
            n.lang.num(m.switches(), 2),
            n.lang.num(m.cpu_us(), 2),
            n.lang.num(100.0 * m.generator(), 0),
            n.lang.num(100.0 * m.others(), 0),
            notes(n, m)
        ))?;
    }
    if !json {
        let set_aside: usize = table.iter().map(|(_, m)| m.noisy.len()).sum();
        say(&n.say(text!(
            "bench-samples-set-aside-other-processes",
            set_aside,
            max_others = args.max_others
        )))?;
    }
    targets(n, args, &table)
}

/// What a table line adds after its figures: clients never answered, and a cell whose
/// every sample was taken on a busy machine.
fn notes(n: &Narrator, m: &Medians) -> String {
    let mut notes = Vec::new();
    if m.silent > 0 {
        notes.push(n.say(text!("bench-clients-never-answered", silent = m.silent)));
    }
    if m.only_noisy {
        notes.push(n.say(text!("bench-no-quiet-sample-other-processes")));
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!("  ({})", notes.join("; "))
    }
}

/// The issue's targets, each with its figure and, when missed, what was measured that
/// says why (the load generator's own CPU share, the servers' CPU per round trip).
fn targets(
    n: &Narrator,
    args: &CostsArgs,
    table: &[((bench::Subject, u32), Medians)],
) -> Result<(), Failure> {
    use bench::Subject;
    let json = n.mode == raw_core::Mode::Json;
    let Some(&top) = args.clients.iter().max() else {
        return Ok(());
    };
    let cell = |s: Subject| {
        table
            .iter()
            .find(|((t, c), _)| *t == s && *c == top)
            .map(|(_, m)| m)
    };
    let best = table
        .iter()
        .filter(|((s, c), _)| matches!(s, Subject::Ours(_)) && *c == top)
        .max_by(|a, b| a.1.rps().total_cmp(&b.1.rps()));
    let why = |a: (&str, &Medians), b: (&str, &Medians)| {
        n.say(text!(
            "bench-measured-load-generator-ran-core",
            a = a.0,
            generator = n.lang.num(100.0 * a.1.generator(), 0),
            b = b.0,
            generator2 = n.lang.num(100.0 * b.1.generator(), 0),
            a2 = a.0,
            cpu_us = n.lang.num(a.1.cpu_us(), 2),
            b2 = b.0,
            cpu_us2 = n.lang.num(b.1.cpu_us(), 2),
            others = n.lang.num(100.0 * a.1.others(), 0),
            others2 = n.lang.num(100.0 * b.1.others(), 0)
        ))
    };
    let mut lines: Vec<(String, f64, String, bool, String)> = Vec::new();
    let mut ratio_line =
        |what: String, a: Option<(&str, &Medians)>, b: Option<(&str, &Medians)>, target: f64| {
            if let (Some(a), Some(b)) = (a, b) {
                let r = a.1.rps() / b.1.rps().max(1e-9);
                let met = r >= target;
                let detail = format!(
                    "{} {} / {} {} = {}x",
                    a.0,
                    n.lang.num(a.1.rps(), 0),
                    b.0,
                    n.lang.num(b.1.rps(), 0),
                    n.lang.num(r, 2)
                );
                lines.push((
                    what,
                    r,
                    format!("≥ {}x", n.lang.num(target, 2)),
                    met,
                    if met {
                        detail
                    } else {
                        format!("{detail}; {}", why(a, b))
                    },
                ));
            }
        };
    ratio_line(
        n.say(text!("bench-best-ours-tokio-at-clients", top)),
        best.map(|((s, _), m)| (s.name(), m)),
        cell(Subject::Tokio).map(|m| ("tokio", m)),
        1.15,
    );
    ratio_line(
        n.say(text!("bench-io-uring-epoll-at-clients", top)),
        cell(Subject::Ours(Model::IoUring)).map(|m| ("io-uring", m)),
        cell(Subject::Ours(Model::Epoll)).map(|m| ("epoll", m)),
        1.3,
    );
    ratio_line(
        n.say(text!("bench-epoll-python-threads-at-clients", top)),
        cell(Subject::Ours(Model::Epoll)).map(|m| ("epoll", m)),
        cell(Subject::Python).map(|m| ("python threads", m)),
        3.0,
    );
    if let Some(s) = cell(Subject::Ours(Model::IoUring)).and_then(Medians::syscalls) {
        lines.push((
            n.say(text!("bench-io-uring-syscalls-rt-at", top)),
            s,
            "< 0.5".to_string(),
            s < 0.5,
            if s < 0.5 {
                String::new()
            } else {
                n.say(text!(
                    "bench-measured-round-trips-per-syscall",
                    e = n.lang.num(1.0 / s.max(1e-9), 2)
                ))
            },
        ));
    }
    for (what, value, target, met, detail) in lines {
        if json {
            say(&serde_json::json!({"what": "target", "target": what, "value": value, "wanted": target, "met": met, "detail": detail}).to_string())?;
        } else {
            say(&n.say(text!(
                "bench-target",
                what,
                value = n.lang.num(value, 2),
                target,
                met = if met { "yes" } else { "no" },
                detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!(" — {detail}")
                }
            )))?;
        }
    }
    Ok(())
}
