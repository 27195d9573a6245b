//! `raw-multi sockets`: the kernel's own table of TCP sockets on one port, like
//! `ss -tanp 'sport = :65432 or dport = :65432'`, read from `/proc/net/tcp{,6}` (the
//! same rows `ss` and `netstat` show), with the owning process found through
//! `/proc/PID/fd`.
//!
//! With a server and five clients it shows the assignment's answer: one LISTEN socket
//! and five ESTABLISHED ones, all with local port 65432, each with a different peer
//! port. (The clients' own sockets appear too, with the roles reversed.)

use clap::Args;
use raw_core::narrate::{Event, Kind};
use raw_core::text;
use raw_core::trace::kernel_table::{owner, tcp_sockets, KernelSocket};
use raw_core::{Failure, Narrator};
use std::io::Write;

/// Options of `raw-multi sockets`.
#[derive(Debug, Clone, Args)]
pub struct SocketsArgs {
    /// Show the sockets whose local or remote port is this
    #[arg(long, default_value_t = 65432)]
    pub port: u16,
}

/// Prints the table.
pub fn run(n: &Narrator, args: &SocketsArgs) -> Result<(), Failure> {
    let rows: Vec<KernelSocket> = tcp_sockets()
        .into_iter()
        .filter(|s| s.local.port() == args.port || s.remote.port() == args.port)
        .collect();
    if n.mode != raw_core::Mode::Json {
        let _ = writeln!(
            std::io::stdout(),
            "{:<13} {:<40} {:<40} {}",
            n.say(text!("multi-sockets-state")),
            n.say(text!("multi-sockets-local")),
            n.say(text!("multi-sockets-peer")),
            n.say(text!("multi-sockets-process"))
        );
    }
    for row in &rows {
        let process = owner(row.inode)
            .map(|(pid, comm)| format!("{comm} (pid {pid})"))
            .unwrap_or_else(|| "-".to_string());
        let text = format!(
            "{:<13} {:<40} {:<40} {process}",
            row.state.name(),
            row.local.to_string(),
            row.remote.to_string()
        );
        n.emit(Event {
            kind: Some(Kind::Data),
            state: Some(row.state),
            local: Some(row.local.to_string()),
            peer: Some(row.remote.to_string()),
            text,
            ..Event::default()
        });
    }
    let listening = rows
        .iter()
        .filter(|r| r.state.name() == "LISTEN" && r.local.port() == args.port)
        .count();
    let established = rows
        .iter()
        .filter(|r| r.state.name() == "ESTABLISHED" && r.local.port() == args.port)
        .count();
    n.note(n.say(text!(
        "multi-sockets-listen-established-with-local-port",
        listening,
        established,
        port = args.port
    )));
    Ok(())
}
