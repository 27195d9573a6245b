//! `raw-bench compare`: our round trips beside sockperf's, the server models beside
//! each other and a Python threaded server, our bulk echo beside iperf3, with ratios.

use super::load::load_run;
use super::{exe, say, sized_for, MAX_CLIENTS};
use crate::{Proto, ServerKind, Summary};
use clap::Args;
use raw_core::text;
use raw_core::{Failure, Narrator};
use raw_multi::models::Model;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Options of `raw-bench compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
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

/// The body of `raw-bench compare`, in the order of its report.
pub fn run(n: &Narrator, args: &CompareArgs) -> Result<(), Failure> {
    let run = Comparison::new(n, args)?;
    run.round_trip_header()?;
    for proto in [Proto::Tcp, Proto::Udp] {
        run.round_trips(proto)?;
    }
    let per_model = run.models()?;
    let python = run.python()?;
    run.bulk()?;
    run.ratios(&per_model, python)
}

/// A round trip's median and 99th percentile, in µs.
type Percentiles = (f64, f64);

/// What every step of the comparison shares.
struct Comparison<'a> {
    n: &'a Narrator,
    args: &'a CompareArgs,
    exe: PathBuf,
    /// Each measurement's time: each is run twice.
    half: Duration,
    size: usize,
    json: bool,
    /// The narrator of the load runs: they say nothing of their connecting.
    quiet: Narrator,
    connect_timeout: Duration,
    clients: usize,
}

impl<'a> Comparison<'a> {
    fn new(n: &'a Narrator, args: &'a CompareArgs) -> Result<Comparison<'a>, Failure> {
        Ok(Comparison {
            n,
            args,
            exe: exe()?,
            half: args.duration / 2,
            size: args.size as usize,
            json: n.mode == raw_core::Mode::Json,
            quiet: Narrator::new(n.lang, raw_core::Mode::Silent, "bench"),
            connect_timeout: Duration::from_secs(10),
            clients: args.clients as usize,
        })
    }

    /// A line of the text report (nothing in JSON).
    fn text(&self, line: String) -> Result<(), Failure> {
        if self.json {
            Ok(())
        } else {
            say(&line)
        }
    }

    fn f1(&self, x: f64) -> String {
        self.n.lang.num(x, 1)
    }

    /// The round-trip table's header.
    fn round_trip_header(&self) -> Result<(), Failure> {
        let n = self.n;
        // A table's header: each column's label from the catalog, the layout here.
        self.text(format!(
            "{:<44} {:>10} {:>10} {:>7}   {:>10} {:>10} {:>7}",
            n.say(text!("bench-round-trip-s-full-rtt")),
            n.say(text!("bench-ours-p50")),
            "ref p50",
            n.say(text!("bench-ratio")),
            n.say(text!("bench-ours-p99")),
            "ref p99",
            n.say(text!("bench-ratio"))
        ))
    }

    /// One line of the round-trip table: our server of `proto` against sockperf's.
    fn round_trips(&self, proto: Proto) -> Result<(), Failure> {
        let (n, f1) = (self.n, |x: f64| self.f1(x));
        let kind = match proto {
            Proto::Tcp => ServerKind::Tcp,
            Proto::Udp => ServerKind::Udp,
        };
        let server = crate::start(&self.exe, kind)?;
        let ((o50, o99), reference) = self.alternate(proto, server.addr)?;
        let label = n.say(text!(
            "bench-b-ours-vs-sockperf",
            proto = format!("{:?}", proto),
            size = self.args.size
        ));
        if self.json {
            let (r50, r99) = (reference.map(|r| r.0), reference.map(|r| r.1));
            say(&serde_json::json!({"what": label, "ours_p50_us": o50, "ours_p99_us": o99, "sockperf_p50_us": r50, "sockperf_p99_us": r99}).to_string())?;
        } else if let Some((r50, r99)) = reference {
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
        Ok(())
    }

    /// Our p50 and p99 and sockperf's (`None` when it is not installed), each the mean
    /// of two runs. Alternate: ours, sockperf, ours, sockperf, so drift hits both alike.
    fn alternate(
        &self,
        proto: Proto,
        addr: SocketAddr,
    ) -> Result<(Percentiles, Option<Percentiles>), Failure> {
        let (mut ours_p50, mut ours_p99, mut ref_p50, mut ref_p99, mut rounds) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut have_ref = true;
        for _ in 0..2 {
            let m = crate::latency(proto, addr, self.size, self.half, |_| {})?.summary();
            ours_p50 += m.p50_us;
            ours_p99 += m.p99_us;
            match crate::sockperf(proto, self.size, self.half)? {
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
        Ok(((o50, o99), have_ref.then_some((r50, r99))))
    }

    /// The server-model table: each model under `--clients` closed-loop connections.
    /// Returns each model's round trips per second.
    fn models(&self) -> Result<Vec<(Model, f64)>, Failure> {
        let n = self.n;
        self.text(String::new())?;
        self.text(format!(
            "{:<44} {:>14} {:>9} {:>9}",
            n.say(text!(
                "bench-clients-closed-loop",
                clients = self.args.clients
            )),
            n.say(text!("bench-round-trips-s-2")),
            "p50 µs",
            "p99 µs"
        ))?;
        let mut per_model = Vec::new();
        for model in crate::MODELS {
            let kind = ServerKind::Multi(model);
            let server = crate::start_with(&self.exe, kind, &sized_for(kind, self.args.clients))?;
            let m = self.load(server.addr)?;
            if self.json {
                say(&serde_json::json!({"what": format!("model {}", crate::model_name(model)), "clients": self.args.clients, "summary": m}).to_string())?;
            }
            self.load_line(crate::model_name(model), &m)?;
            per_model.push((model, m.per_second));
        }
        Ok(per_model)
    }

    /// The Python threaded server's line of the model table: its round trips per second
    /// (0 without python3).
    fn python(&self) -> Result<f64, Failure> {
        let mut python = 0.0;
        if let Some(server) = crate::python_threaded_server()? {
            let m = self.load(server.addr)?;
            drop(server);
            if self.json {
                say(&serde_json::json!({"what": "python threaded (socketserver)", "clients": self.args.clients, "summary": m}).to_string())?;
            }
            self.load_line("python3 socketserver (threads)", &m)?;
            python = m.per_second;
        }
        Ok(python)
    }

    /// `--clients` closed-loop connections to `addr` for half the duration.
    fn load(&self, addr: SocketAddr) -> Result<Summary, Failure> {
        let (m, _) = load_run(
            &self.quiet,
            addr,
            self.clients,
            self.size,
            self.half,
            None,
            self.connect_timeout,
        )?;
        Ok(m.summary())
    }

    /// One line of the model table.
    fn load_line(&self, name: &str, m: &Summary) -> Result<(), Failure> {
        self.text(format!(
            "{:<44} {:>14} {:>9} {:>9}",
            name,
            self.n.lang.num(m.per_second, 0),
            self.f1(m.p50_us),
            self.f1(m.p99_us)
        ))
    }

    /// Bulk: one connection streaming 64 KiB writes through our epoll echo, beside
    /// iperf3's one-way loopback rate (an echo moves every byte twice).
    fn bulk(&self) -> Result<(), Failure> {
        let n = self.n;
        let server = crate::start(&self.exe, ServerKind::Multi(Model::Epoll))?;
        let ours = crate::bulk(server.addr, 65536, self.half)?;
        drop(server);
        let iperf = crate::iperf3(self.half)?;
        if self.json {
            say(&serde_json::json!({"what": "bulk", "ours_bytes_per_s": ours, "iperf3_one_way_bytes_per_s": iperf}).to_string())?;
        }
        self.text(String::new())?;
        let gb = |x: f64| n.lang.num(x / 1e9, 2);
        match iperf {
            Some(theirs) => self.text(n.say(text!(
                "bench-bulk-echo-64-kib-writes-2",
                gb = gb(ours),
                gb2 = gb(theirs),
                ratio = ratio(n, ours, theirs)
            )))?,
            None => self.text(n.say(text!("bench-bulk-echo-64-kib-writes", gb = gb(ours))))?,
        }
        Ok(())
    }

    /// The ratios that sum the model table up: epoll against threads, and against
    /// Python's threads when python3 ran.
    fn ratios(&self, per_model: &[(Model, f64)], python: f64) -> Result<(), Failure> {
        let n = self.n;
        let rps = |model: Model| {
            per_model
                .iter()
                .find(|(m, _)| *m == model)
                .map_or(0.0, |(_, r)| *r)
        };
        self.text(String::new())?;
        self.text(format!(
            "epoll / thread: {}",
            ratio(n, rps(Model::Epoll), rps(Model::Thread))
        ))?;
        if python > 0.0 {
            self.text(format!(
                "epoll / python threaded: {}",
                ratio(n, rps(Model::Epoll), python)
            ))?;
        }
        Ok(())
    }
}

/// `ours / theirs` as `1.23x`; `-` when theirs is 0.
fn ratio(n: &Narrator, ours: f64, theirs: f64) -> String {
    if theirs > 0.0 {
        format!("{}x", n.lang.num(ours / theirs, 2))
    } else {
        "-".into()
    }
}
