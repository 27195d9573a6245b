//! `raw-udp`: the second lab, a UDP echo server and client. This file only parses the
//! command line; the syscall sequences are in `server.rs`, `client.rs`, `demo.rs`.

#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use raw_core::cli::{run, CommonArgs};
use std::process::ExitCode;

/// A UDP echo server and client that print every syscall they make, the way strace
/// prints it. Compare with raw-tcp: no listen, no accept, no handshake, no states.
///
/// Run the whole lab in one terminal:      raw-udp demo
/// Or in two terminals, as in the assignment:
///     raw-udp server                        (binds 127.0.0.1:65431, serves until Ctrl-C)
///     raw-udp client                        (prompts "Message:", sends each line)
/// Watch the kernel's side at the same time:
///     strace -f -e trace=%network raw-udp server
///     tshark -i lo -f 'udp port 65431'
///     ss -uan 'sport = :65431'
#[derive(Debug, Parser)]
#[command(name = "raw-udp", version, verbatim_doc_comment)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// socket(SOCK_DGRAM) → setsockopt(SO_REUSEADDR) → bind → recvfrom/sendto forever,
    /// one socket for every client, until Ctrl-C (SIGINT) or SIGTERM; then exit 0.
    Server(raw_udp::server::ServerArgs),
    /// socket(SOCK_DGRAM) → sendto → recvfrom (with a timeout: UDP never retransmits)
    /// → close. Without --message, prompts "Message:" for each line, like the assignment.
    Client(raw_udp::client::ClientArgs),
    /// Server and client in one process, interleaved, then the same message over TCP,
    /// with the count of syscalls each needed.
    Demo(raw_udp::demo::DemoArgs),
    /// What makes UDP different, reproduced and shown: boundaries, refused
    ///
    /// Each lab runs its sockets in this one process, narrated syscall by syscall, and
    /// ends with what was seen and why.
    #[command(subcommand)]
    Lab(raw_udp::lab::Lab),
}

fn main() -> ExitCode {
    let cli: Cli = raw_core::help::parse();
    match &cli.command {
        Command::Server(args) => run(&cli.common, "server", |n| raw_udp::server::run(n, args)),
        Command::Client(args) => run(&cli.common, "client", |n| raw_udp::client::run(n, args)),
        Command::Demo(args) => run(&cli.common, "demo", |n| raw_udp::demo::run(n, args)),
        Command::Lab(lab) => run(&cli.common, "lab", |n| raw_udp::lab::run(n, lab)),
    }
}
