//! `raw-tcp`: the first lab, a TCP echo server and client. This file only parses the
//! command line; each subcommand's syscall sequence is in its own file:
//! `server.rs`, `client.rs`, `demo.rs`.

#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use raw_core::cli::{run, CommonArgs};
use std::process::ExitCode;

/// A TCP echo server and client that print every syscall they make, the way strace
/// prints it, with the TCP state after each one.
///
/// Run the whole lab in one terminal:      raw-tcp demo
/// Or in two terminals, as in the assignment:
///     raw-tcp server                        (binds 127.0.0.1:65432)
///     raw-tcp client                        (sends "Hello, world", prints the reply)
/// Watch the kernel's side at the same time:
///     strace -f -e trace=%network raw-tcp server
///     tshark -i lo -f 'tcp port 65432'
///     ss -tan 'sport = :65432 or dport = :65432'
#[derive(Debug, Parser)]
#[command(name = "raw-tcp", version, verbatim_doc_comment)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// rt_sigaction(SIGINT, SIGTERM) → socket → setsockopt(SO_REUSEADDR) → bind → listen
    /// → accept → recv/send until the client closes → close. Serves one client, like
    /// the assignment's server (--forever: one after another); Ctrl-C or kill stops it
    /// cleanly, exit 0.
    Server(raw_tcp::server::ServerArgs),
    /// socket → connect (the three-way handshake) → send → recv the whole reply →
    /// shutdown → close. Prints `Received "HELLO, WORLD"`.
    Client(raw_tcp::client::ClientArgs),
    /// Server and client in one process on a free port, their syscalls interleaved in
    /// the order the kernel sees them, with each socket's TCP state after every step:
    /// CLOSED → LISTEN, ESTABLISHED, FIN-WAIT-2 / CLOSE-WAIT, TIME-WAIT.
    Demo(raw_tcp::demo::DemoArgs),
    /// The classic TCP surprises, reproduced, shown, then explained: time-wait,
    /// partial, backlog, nagle, localhost
    ///
    /// Each lab runs its server and clients in this one process, narrated syscall by
    /// syscall, and ends with what was seen and why.
    #[command(subcommand)]
    Lab(raw_tcp::lab::Lab),
}

fn main() -> ExitCode {
    let cli: Cli = raw_core::help::parse();
    match &cli.command {
        Command::Server(args) => run(&cli.common, "server", |n| raw_tcp::server::run(n, args)),
        Command::Client(args) => run(&cli.common, "client", |n| raw_tcp::client::run(n, args)),
        Command::Demo(args) => run(&cli.common, "demo", |n| raw_tcp::demo::run(n, args)),
        Command::Lab(lab) => run(&cli.common, "lab", |n| raw_tcp::lab::run(n, lab)),
    }
}
