//! `raw-bench costs`: what each server model costs per round trip (syscalls, context
//! switches, CPU time) at several numbers of clients, beside tokio and a Python
//! threaded server, over rounds; then the issue's targets, met or not, and why.

use super::{exe, say, MAX_CLIENTS, MAX_SIZE};
use crate::{Cell, Subject};
use clap::Args;
use raw_core::text;
use raw_core::{Failure, Narrator};
use raw_multi::models::Model;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Options of `raw-bench costs`.
#[derive(Debug, Args)]
pub struct CostsArgs {
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
    noisy: Vec<Cell>,
    /// No quiet sample was had: the figures come from the noisy ones.
    only_noisy: bool,
}

impl Medians {
    fn add(&mut self, c: &Cell) {
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
        crate::median(&mut self.per_second.clone())
    }

    fn syscalls(&self) -> Option<f64> {
        (!self.syscalls.is_empty()).then(|| crate::median(&mut self.syscalls.clone()))
    }

    fn switches(&self) -> f64 {
        crate::median(&mut self.switches.clone())
    }

    fn cpu_us(&self) -> f64 {
        crate::median(&mut self.cpu_us.clone())
    }

    fn generator(&self) -> f64 {
        crate::median(&mut self.generator.clone())
    }

    fn others(&self) -> f64 {
        crate::median(&mut self.others.clone())
    }
}

/// Every (server, clients) cell of the table with its samples, in the table's order.
type Table = Vec<((Subject, u32), Medians)>;

/// The body of `raw-bench costs`: the servers chosen, every cell measured over the
/// rounds, the table, then the targets.
pub fn run(n: &Narrator, args: &CostsArgs) -> Result<(), Failure> {
    let exe = exe()?;
    let json = n.mode == raw_core::Mode::Json;
    let subjects = subjects(n, args)?;
    let mut table: Table = Vec::new();
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
    measure(&exe, json, args, &mut table)?;
    fall_back_to_noisy(&mut table);
    say_table(n, args, &table)?;
    targets(n, args, &table)
}

/// The servers to measure: all, or `--only`'s (each name must begin one of theirs);
/// without the Python server when python3 is not installed, which is said.
fn subjects(n: &Narrator, args: &CostsArgs) -> Result<Vec<Subject>, Failure> {
    let mut subjects = Subject::all();
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
    let have_python = subjects.contains(&Subject::Python) && {
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
        subjects.retain(|s| *s != Subject::Python);
    }
    Ok(subjects)
}

/// Measures every cell, round after round, with its progress on stderr (text only).
/// Rounds until every cell has `rounds` samples taken on a quiet machine, or three
/// times as many rounds have run: a cell that never got one keeps its noisy samples,
/// marked in the table.
fn measure(exe: &Path, json: bool, args: &CostsArgs, table: &mut Table) -> Result<(), Failure> {
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
            let cell = crate::cost_cell(
                exe,
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
    Ok(())
}

/// A cell that had no quiet sample takes its noisy ones, and is marked so.
fn fall_back_to_noisy(table: &mut Table) {
    for (_, medians) in table.iter_mut() {
        if medians.per_second.is_empty() {
            for cell in std::mem::take(&mut medians.noisy) {
                medians.add(&cell);
            }
            medians.only_noisy = true;
        }
    }
}

/// The table (in text: its header, a line per cell, and how many samples were set
/// aside), or one JSON object per cell.
fn say_table(n: &Narrator, args: &CostsArgs, table: &Table) -> Result<(), Failure> {
    let json = n.mode == raw_core::Mode::Json;
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
    for ((subject, clients), m) in table {
        if json {
            say_cell_json(*subject, *clients, m)?;
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
    Ok(())
}

/// One cell of the table as a JSON object.
fn say_cell_json(subject: Subject, clients: u32, m: &Medians) -> Result<(), Failure> {
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
    .to_string())
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

/// One of the issue's targets: its figure, what was wanted, whether it was met, and
/// what was measured that says why.
struct Target {
    what: String,
    value: f64,
    target: String,
    met: bool,
    detail: String,
}

/// The issue's targets, each with its figure and, when missed, what was measured that
/// says why (the load generator's own CPU share, the servers' CPU per round trip).
fn targets(n: &Narrator, args: &CostsArgs, table: &Table) -> Result<(), Failure> {
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
    let mut lines: Vec<Target> = Vec::new();
    lines.extend(ratio_target(
        n,
        n.say(text!("bench-best-ours-tokio-at-clients", top)),
        best.map(|((s, _), m)| (s.name(), m)),
        cell(Subject::Tokio).map(|m| ("tokio", m)),
        1.15,
    ));
    lines.extend(ratio_target(
        n,
        n.say(text!("bench-io-uring-epoll-at-clients", top)),
        cell(Subject::Ours(Model::IoUring)).map(|m| ("io-uring", m)),
        cell(Subject::Ours(Model::Epoll)).map(|m| ("epoll", m)),
        1.3,
    ));
    lines.extend(ratio_target(
        n,
        n.say(text!("bench-epoll-python-threads-at-clients", top)),
        cell(Subject::Ours(Model::Epoll)).map(|m| ("epoll", m)),
        cell(Subject::Python).map(|m| ("python threads", m)),
        3.0,
    ));
    if let Some(s) = cell(Subject::Ours(Model::IoUring)).and_then(Medians::syscalls) {
        lines.push(Target {
            what: n.say(text!("bench-io-uring-syscalls-rt-at", top)),
            value: s,
            target: "< 0.5".to_string(),
            met: s < 0.5,
            detail: if s < 0.5 {
                String::new()
            } else {
                n.say(text!(
                    "bench-measured-round-trips-per-syscall",
                    e = n.lang.num(1.0 / s.max(1e-9), 2)
                ))
            },
        });
    }
    say_targets(n, lines)
}

/// The target that `a` serves `target` times as many round trips per second as `b`
/// (`None` when either was not measured); when missed, its detail says why.
fn ratio_target(
    n: &Narrator,
    what: String,
    a: Option<(&str, &Medians)>,
    b: Option<(&str, &Medians)>,
    target: f64,
) -> Option<Target> {
    let (a, b) = (a?, b?);
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
    Some(Target {
        what,
        value: r,
        target: format!("≥ {}x", n.lang.num(target, 2)),
        met,
        detail: if met {
            detail
        } else {
            format!("{detail}; {}", why(n, a, b))
        },
    })
}

/// What was measured that says why `a` did not beat `b` by the target: the load
/// generator's CPU share, each server's CPU per round trip, the other processes'.
fn why(n: &Narrator, a: (&str, &Medians), b: (&str, &Medians)) -> String {
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
}

/// Says each target, a line of text or a JSON object.
fn say_targets(n: &Narrator, lines: Vec<Target>) -> Result<(), Failure> {
    let json = n.mode == raw_core::Mode::Json;
    for Target {
        what,
        value,
        target,
        met,
        detail,
    } in lines
    {
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
