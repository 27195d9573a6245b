//! `raw-multi`: the third lab, a TCP echo server for many clients at once, in eight
//! models. This file only parses the command line.

#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use raw_core::cli::{run, CommonArgs};
use std::process::ExitCode;

/// One echo service, eight server models, and the answer to "why does the port change
/// at each connection?".
///
///     raw-multi server --model thread        (fork | thread | select | poll | epoll |
///                                             io-uring | reuseport | prefork)
///     raw-multi clients --count 5            (another terminal: 5 connections at once)
///     raw-multi sockets                      (the kernel's table: 1 LISTEN + 5 ESTABLISHED)
/// Watch it from the kernel's side:
///     strace -f -e trace=%network,close,clone,wait4,kill,rt_sigaction raw-multi server --model fork
///     tshark -i lo -f 'tcp port 65432'
///     ss -tanp 'sport = :65432 or dport = :65432'
#[derive(Debug, Parser)]
#[command(name = "raw-multi", version, verbatim_doc_comment)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve many clients at once: fork (a process per client), thread (a thread per
    /// client), select / poll / epoll (one thread, non-blocking sockets, readiness),
    /// io-uring (requests and completions, one syscall), reuseport (an epoll loop per
    /// core, SO_REUSEPORT), prefork (children forked before any client)
    Server(raw_multi::models::ServerArgs),
    /// Open N connections at once, echo over each, and print which local (ephemeral)
    /// port each one got
    Clients(raw_multi::clients::ClientsArgs),
    /// The kernel's table of TCP sockets on a port, like `ss -tanp`
    Sockets(raw_multi::sockets::SocketsArgs),
    /// The multi-client lessons, reproduced and shown: zombies, port-change
    ///
    /// Each lab runs its processes or sockets in this one program, narrated syscall by
    /// syscall, and ends with what was seen and why.
    #[command(subcommand)]
    Lab(raw_multi::lab::Lab),
}

fn main() -> ExitCode {
    let cli: Cli = raw_core::help::parse();
    match &cli.command {
        Command::Server(args) => run(&cli.common, "server", |n| raw_multi::models::run(n, args)),
        Command::Clients(args) => run(&cli.common, "clients", |n| raw_multi::clients::run(n, args)),
        Command::Sockets(args) => run(&cli.common, "sockets", |n| raw_multi::sockets::run(n, args)),
        Command::Lab(lab) => run(&cli.common, "lab", |n| raw_multi::lab::run(n, lab)),
    }
}
