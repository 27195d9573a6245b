//! `raw-trace`: narrate any program's socket syscalls. This file only parses the
//! command line; the work is in the library (`tracer.rs`, `session/`, `lints/`).

#![forbid(unsafe_code)]

use clap::Parser;
use raw_core::cli::{run, CommonArgs};
use raw_core::text;
use raw_core::Failure;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Runs a program under strace and narrates each of its socket syscalls the way the
/// labs narrate their own: strace's line, what it means, the socket's TCP state.
///
///     raw-trace -- python3 examples/python/echo-server.py
///     python3 examples/python/echo-client.py            (in another terminal)
///
/// Each syscall line is exactly what strace printed (marked [pid N]: processes and
/// threads are told apart), followed by the sentence the labs say for that call and
/// the socket's TCP state right after it, read from the kernel's table
/// (/proc/PID/fd/N → socket:[inode] → /proc/net/tcp). The program's own output
/// (print) appears in between. With --capture (root or CAP_NET_RAW) the packets come
/// between the syscalls, as [wire] lines, and go into a pcap file for Wireshark.
///
/// After the run, raw-trace names the mistakes the trace proves, each with the strace
/// line that shows it and the fix:
///   no-reuseaddr     bind = EADDRINUSE, SO_REUSEADDR never set, the port held by TIME-WAIT
///   eof-ignored      recv returned 0 (the peer closed) and the program read again: a spin
///   short-send       send took fewer bytes than offered and the rest was never sent
///   zombie           a child ended and its parent never reaped it (no wait4)
///   localhost-ipv6   connect to ::1 refused while the server listens on IPv4 only
///   udp-truncated    a UDP recvfrom buffer smaller than the datagram
///   blocked-accept   a server blocked reading one idle client while others wait in accept
///
/// Exit code: the traced program's (128+N if signal N killed it); 1 if strace is
/// missing or cannot trace; 2 for bad usage. Ctrl-C stops the program too: raw-trace
/// passes the signal on and kills whatever still runs 2 s later.
#[derive(Debug, Parser)]
#[command(name = "raw-trace", version, verbatim_doc_comment)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    /// After each network syscall, strace holds the program this many milliseconds
    /// while raw-trace reads the socket's state, so the state shown is the one right
    /// after that call (0: no hold; states may then lag a call behind; at most 10000)
    #[arg(long, value_name = "MS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    hold: u64,
    /// Also keep strace's own output, unedited (pids, padding, the <unfinished ...>
    /// and resumed> halves), in this file
    #[arg(long, value_name = "FILE")]
    strace_out: Option<PathBuf>,
    /// The program to trace and its arguments; put them after --
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<OsString>,
}

/// The command as the pictures' title names it (`python3 echo-server.py`).
fn title(command: &[OsString]) -> String {
    let whole: Vec<String> = command
        .iter()
        .map(|a| {
            let a = a.to_string_lossy();
            a.rsplit('/').next().unwrap_or(&a).to_string()
        })
        .collect();
    let mut title = whole.join(" ");
    if title.chars().count() > 48 {
        title = title.chars().take(47).collect::<String>() + "…";
    }
    title
}

fn main() -> ExitCode {
    let cli: Cli = raw_core::help::parse();
    let options = raw_trace::Options {
        command: cli.command.clone(),
        hold: Duration::from_millis(cli.hold),
        strace_out: cli.strace_out.clone(),
    };
    let mut program_code = None;
    let exit = run(&cli.common, &title(&cli.command), |n| {
        if cli.common.step {
            return Err(Failure::Usage(text!("trace-step-labs-raw-trace-cannot")));
        }
        let outcome = raw_trace::run(n, &options)?;
        raw_trace::report::findings(n, &outcome.findings);
        program_code = Some(outcome.code);
        Ok(())
    });
    match program_code {
        Some(code) if exit == ExitCode::SUCCESS => ExitCode::from(code),
        _ => exit,
    }
}
