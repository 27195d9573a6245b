//! Command-line pieces every binary shares: `--lang`, `--json`, `--quiet`, and the
//! one place that turns a [`Failure`] into a message and an exit code.
//!
//! Exit codes: 0 ok, 1 runtime error (a syscall failed, the peer misbehaved), 2 bad
//! usage (clap's own errors exit 2 as well).

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::lang::Lang;
use crate::narrate::{Event, Kind, Mode, Narrator};
use crate::text;
use std::io::Write;
use std::process::ExitCode;

/// How a program speaks: language and output mode. Every binary takes these;
/// `raw-bench` takes only these.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Language of the narration and the errors: en or pt-BR [default: from LC_ALL,
    /// LC_MESSAGES or LANG; pt* means pt-BR]
    #[arg(long, global = true, value_enum, ignore_case = true)]
    pub lang: Option<Lang>,
    /// Print one JSON object per line on stdout for every event (syscall, state, data,
    /// error) and nothing else on stdout
    #[arg(long, global = true, conflicts_with = "quiet")]
    pub json: bool,
    /// Print only the data (what arrived, the replies): no syscalls, no states.
    /// Twice (-qq): print nothing but errors (and a server's address, on stderr)
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub quiet: u8,
}

impl OutputArgs {
    /// The language asked for, or the environment's.
    pub fn lang(&self) -> Lang {
        self.lang.unwrap_or_else(Lang::from_env)
    }

    /// The output mode asked for.
    pub fn mode(&self) -> Mode {
        if self.json {
            Mode::Json
        } else if self.quiet >= 2 {
            Mode::Silent
        } else if self.quiet == 1 {
            Mode::Quiet
        } else {
            Mode::Text
        }
    }

    /// These options with no capture and no stepping: what a program that can do
    /// neither (the benchmark tool) passes to [`run`].
    pub fn without_lab_options(&self) -> CommonArgs {
        CommonArgs {
            output: self.clone(),
            capture: None,
            step: false,
            svg: None,
            html: None,
        }
    }
}

/// Options every subcommand of every lab binary takes.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Language and output mode.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Capture this lab's packets into a pcap file (open it in Wireshark) and print
    /// each one as a line of a ladder diagram between the syscalls. Needs root or
    /// CAP_NET_RAW
    #[arg(long, global = true, value_name = "FILE.pcap")]
    pub capture: Option<std::path::PathBuf>,
    /// Before each syscall, print what is about to happen and wait for Enter (look
    /// with `ss -tan` or Wireshark in between). Needs a terminal on stdin
    #[arg(long, global = true, conflicts_with = "json")]
    pub step: bool,
    /// Draw the run as a sequence diagram (one timeline per socket endpoint, an arrow
    /// per packet, the syscalls in the margins, the TCP states): an SVG file for
    /// slides and reports. The packets need root or CAP_NET_RAW (as --capture)
    #[arg(long, global = true, value_name = "FILE.svg")]
    pub svg: Option<std::path::PathBuf>,
    /// Write the run as one self-contained HTML page to replay step by step: source
    /// line, strace line, packets and socket states side by side, with the diagram
    #[arg(long, global = true, value_name = "FILE.html")]
    pub html: Option<std::path::PathBuf>,
}

impl CommonArgs {
    /// The language asked for, or the environment's.
    pub fn lang(&self) -> Lang {
        self.output.lang()
    }

    /// The output mode asked for.
    pub fn mode(&self) -> Mode {
        self.output.mode()
    }

    /// A narrator for one side (`server`, `client`).
    pub fn narrator(&self, role: &str) -> Narrator {
        Narrator::new(self.lang(), self.mode(), role)
    }
}

/// Where a TCP server listens: the options `raw-tcp server` and `raw-multi server`
/// share.
#[derive(Debug, Clone, clap::Args)]
pub struct ListenArgs {
    /// Address to bind: 127.0.0.1 (this machine only), 0.0.0.0 (every IPv4 interface:
    /// needed for a classmate to reach you), ::1, or :: (IPv6 and IPv4 together)
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind; 0 lets the kernel pick a free one (the bound port is printed)
    #[arg(long, default_value_t = 65432)]
    pub port: u16,
    /// listen() backlog: how many finished handshakes the kernel queues for accept()
    #[arg(long, default_value_t = 128)]
    pub backlog: i32,
}

impl ListenArgs {
    /// The assignment's defaults with another host and port (for the benchmarks).
    pub fn at(host: &str, port: u16, backlog: i32) -> ListenArgs {
        ListenArgs {
            host: host.to_string(),
            port,
            backlog,
        }
    }
}

/// Parses a duration as people type it: `2`, `0.5`, `2s`, `1500ms` (a positive number
/// of seconds, or of milliseconds with `ms`).
pub fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, scale) = if let Some(ms) = t.strip_suffix("ms") {
        (ms, 0.001)
    } else {
        (t.strip_suffix('s').unwrap_or(t), 1.0)
    };
    match number.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v * scale <= LONGEST.as_secs_f64() => {
            Ok(std::time::Duration::from_secs_f64(v * scale))
        }
        // clap's value parsers know no language: the command line says which.
        Ok(v) if v > 0.0 => Err(
            text!("cli-too-long", text, longest = LONGEST.as_secs()).render(crate::help::lang_of(
                &std::env::args_os().collect::<Vec<_>>(),
            )),
        ),
        _ => Err(text!("cli-not-seconds", text).render(crate::help::lang_of(
            &std::env::args_os().collect::<Vec<_>>(),
        ))),
    }
}

/// The longest time a duration or timeout may ask for (`parse_seconds`).
pub const LONGEST: std::time::Duration = std::time::Duration::from_secs(3600);

/// Runs one subcommand: makes its narrator, starts the capture first when asked (so a
/// missing privilege stops the program before any socket of the lab exists), runs
/// `body`, finishes the capture, and turns the outcome into an exit code.
pub fn run(
    common: &CommonArgs,
    role: &str,
    body: impl FnOnce(&Narrator) -> Result<(), Failure>,
) -> ExitCode {
    let mut n = common.narrator(role);
    let result = (|| {
        if common.step {
            use std::io::IsTerminal;
            if !std::io::stdin().is_terminal() {
                return Err(Failure::Usage(text!("cli-step-waits-enter-before-each")));
            }
            n.step = true;
        }
        // A picture that cannot be written is found now, before the first syscall, not
        // after the run (which would be lost).
        for path in common.svg.iter().chain(&common.html) {
            can_write(path)?;
        }
        let pictures = common.svg.is_some() || common.html.is_some();
        let recorder = crate::views::diagram::Recorder::default();
        if pictures {
            n = n.also(recorder.clone());
            n.bilingual = common.html.is_some(); // the replay's language toggle
        }
        // The kernel's own state changes, from the first TCP socket that names an
        // address on (before any change can happen).
        if n.hears(crate::trace::event::Kind::Transition) {
            n.states = Some(std::sync::Arc::default());
        }
        // The pictures need the packets: without --capture, capture into a file of
        // our own (removed at the end), if we may.
        let scratch = (pictures && common.capture.is_none()).then(|| {
            std::env::temp_dir().join(format!("raw-sockets-{}.pcapng", std::process::id()))
        });
        match (&common.capture, &scratch) {
            (Some(path), _) => {
                let capture = crate::capture::Capture::start(path)?;
                n.note(capture.started(n.lang));
                n.capture = Some(std::sync::Arc::new(std::sync::Mutex::new(capture)));
            }
            (None, Some(path)) => match crate::capture::Capture::start(path) {
                Ok(capture) => {
                    n.capture = Some(std::sync::Arc::new(std::sync::Mutex::new(capture)))
                }
                Err(_) => n.note(n.say(text!("cli-no-capture-pictures-needs-root"))),
            },
            (None, None) => {}
        }
        let outcome = body(&n);
        // The pictures' own capture file is removed: it is not announced.
        n.finish_capture(std::time::Duration::from_millis(300), scratch.is_none());
        if let Some(path) = &scratch {
            let _ = std::fs::remove_file(path);
        }
        if pictures {
            write_pictures(&n, common, &recorder, role)?;
        }
        outcome
    })();
    n.finish_states(); // also after a failure before the body ran
    finish(common, result)
}

/// The program's name and subcommand, for the pictures' titles (`raw-tcp demo`).
fn program_title(role: &str) -> String {
    let program = std::env::args()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "raw-sockets".to_string());
    format!("{program} {role}")
}

/// Writes `--svg` and `--html` from what the recorder kept, and says where.
fn write_pictures(
    n: &Narrator,
    common: &CommonArgs,
    recorder: &crate::views::diagram::Recorder,
    role: &str,
) -> Result<(), Failure> {
    let events = recorder.events();
    let layout = crate::views::diagram::layout(&events, n.lang);
    let title = program_title(role);
    let svg = crate::views::diagram::svg(&layout, &title, n.lang);
    let write = |path: &std::path::Path, text: &str| {
        std::fs::write(path, text).map_err(|e| Failure::Runtime(cannot_write(path, &e)))
    };
    if let Some(path) = &common.svg {
        write(path, &svg)?;
        n.note(n.say(text!("cli-sequence-diagram-written", path = path.display())));
    }
    if let Some(path) = &common.html {
        write(
            path,
            &crate::views::replay::page(&events, &layout, &svg, &title, n.lang),
        )?;
        n.note(n.say(text!(
            "cli-step-by-step-replay-written",
            path = path.display()
        )));
    }
    Ok(())
}

/// Whether `path` can be written (opened for writing, made if missing, and a file made
/// here removed again at once): a usage error (exit 2) that says why, if not.
fn can_write(path: &std::path::Path) -> Result<(), Failure> {
    let existed = path.exists();
    let opened = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path);
    match opened {
        Ok(_) => {
            if !existed {
                let _ = std::fs::remove_file(path);
            }
            Ok(())
        }
        Err(e) => Err(Failure::Usage(cannot_write(path, &e))),
    }
}

/// "cannot write PATH: why — hint: ..., e.g. /tmp/run.EXT", with the path's own extension.
fn cannot_write(path: &std::path::Path, e: &std::io::Error) -> crate::catalog::Text {
    let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("svg");
    text!(
        "cli-cannot-write-hint-pick-path",
        path = path.display(),
        e,
        ext
    )
}

/// Ends a program: prints the failure (if any) as a teaching message on stderr, and in
/// `--json` mode also as an `error` event on stdout, then returns the exit code.
pub fn finish(common: &CommonArgs, result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output left (`raw-bench compare | head -1`): nothing is
        // wrong with the run and nobody is listening, so stop without a word.
        Err(Failure::OutputClosed) => ExitCode::SUCCESS,
        Err(failure) => {
            let lang = common.lang();
            let message = failure.explain(lang);
            if common.mode() == Mode::Json {
                let n = common.narrator("error");
                n.emit(Event {
                    role: None,
                    kind: Some(Kind::Error),
                    errno: failure.errno().map(|e| format!("{e:?}")),
                    text: message.clone(),
                    ..Event::default()
                });
            }
            // Not eprintln!, which panics when stderr is closed.
            let _ = writeln!(
                std::io::stderr(),
                "{}: {message}",
                lang.say(text!("cli-error"))
            );
            ExitCode::from(failure.exit_code())
        }
    }
}
