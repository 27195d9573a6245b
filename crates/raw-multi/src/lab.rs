//! `raw-multi lab ...`: the multi-client lessons, reproduced and shown.
//!
//! ```text
//! raw-multi lab zombies                  # exited children stay <defunct> until waitpid
//! raw-multi lab port-change --clients 3   # the server's port never changes; the clients' do
//! ```

use clap::Subcommand;
use raw_core::steps::process::{self, Forked, Reaped, Wait};
use raw_core::steps::PortFrom;
use raw_core::text;
use raw_core::trace::kernel_table;
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Type};
use std::net::SocketAddr;

/// The labs of `raw-multi`.
#[derive(Debug, Clone, Subcommand)]
pub enum Lab {
    /// Exited children stay zombies (<defunct>) until the parent reaps them
    ///
    /// Forks three children that exit at once, shows them as zombies in /proc, then
    /// reaps them with a waitpid(-1, WNOHANG) loop, as the fork server does on SIGCHLD.
    Zombies,
    /// The server's port never changes; each client gets its own ephemeral port
    ///
    /// N clients connect to one listening socket: the 4-tuples and the kernel's table
    /// (as ss -tan shows it) answer "why does the port change at each connection?".
    PortChange {
        /// How many clients
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=64))]
        clients: u32,
    },
}

/// Runs one lab.
pub fn run(n: &Narrator, lab: &Lab) -> Result<(), Failure> {
    match lab {
        Lab::Zombies => zombies(n),
        Lab::PortChange { clients } => port_change(n, *clients as usize),
    }
}

fn port_change(n: &Narrator, count: usize) -> Result<(), Failure> {
    let (server, client) = (n.side("server"), n.side("client"));
    let listener = steps::socket(&server, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::set_reuseaddr(&server, &listener)?;
    steps::bind(
        &server,
        &listener,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        true,
    )?;
    let addr = steps::getsockname(&server, &listener, PortFrom::Bind(0))?;
    steps::listen(&server, &listener, 128)?;

    let mut clients = Vec::new();
    let mut accepted = Vec::new();
    for _ in 0..count {
        let sock = steps::socket(&client, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
        steps::connect(&client, &sock, addr)?;
        let local = steps::getsockname(&client, &sock, PortFrom::Connect)?;
        let (conn, peer) = steps::accept(&server, &listener)?;
        crate::models::announce(&server, std::os::fd::AsRawFd::as_raw_fd(&conn), addr, peer);
        clients.push((sock, local));
        accepted.push(conn);
    }

    n.note(n.say(text!("multi-lab-kernel-s-table-this-port")));
    let rows: Vec<_> = kernel_table::tcp_sockets()
        .into_iter()
        .filter(|s| s.local.port() == addr.port() || s.remote.port() == addr.port())
        .collect();
    for row in &rows {
        n.note_state(
            None,
            format!(
                "  {:<12} {:<22} {}",
                row.state.name(),
                row.local.to_string(),
                row.remote
            ),
            Some(row.state),
        );
    }
    let on_port = |state: &str| {
        rows.iter()
            .filter(|r| r.local.port() == addr.port() && r.state.name() == state)
            .count()
    };
    let (listening, established) = (on_port("LISTEN"), on_port("ESTABLISHED"));
    let server_side = listening + established;
    let ephemeral: std::collections::BTreeSet<u16> =
        clients.iter().map(|(_, local)| local.port()).collect();

    for conn in accepted {
        steps::close(&server, conn)?;
    }
    for (sock, _) in clients {
        steps::close(&client, sock)?;
    }
    steps::close(&server, listener)?;

    n.summary(
        n.say(text!(
            "multi-lab-sockets-server-s-port-listen",
            server_side,
            port = addr.port(),
            listening,
            established,
            ephemeral = ephemeral.len(),
            ephemeral2 = ephemeral
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        n.say(text!("multi-lab-accept-gives-each-connection-new")),
    );
    Ok(())
}

/// This process's children and their states, from `/proc` (`Z` is a zombie).
fn children_states() -> Vec<(u32, char)> {
    let me = std::process::id();
    std::fs::read_to_string(format!("/proc/{me}/task/{me}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let state = stat.rsplit(')').next()?.trim_start().chars().next()?;
            Some((pid.parse().ok()?, state))
        })
        .collect()
}

/// Prints this process's children as `/proc` shows them; returns how many are zombies.
fn show_children(n: &Narrator) -> usize {
    let children = children_states();
    for (pid, state) in &children {
        let zombie = if *state == 'Z' { "yes" } else { "no" };
        n.note(n.say(text!("multi-lab-proc-child-state", pid, state, zombie)));
    }
    if children.is_empty() {
        n.note(n.say(text!("multi-lab-proc-no-children-left")));
    }
    children.iter().filter(|(_, s)| *s == 'Z').count()
}

fn zombies(n: &Narrator) -> Result<(), Failure> {
    let parent = n.side("parent");
    const CHILDREN: usize = 3;
    for _ in 0..CHILDREN {
        match process::fork(&parent)? {
            Forked::Child => {
                let child = parent.side(&format!("child {}", std::process::id()));
                process::exit(&child, 0) // the child's work is done at once
            }
            Forked::Parent(_) => {} // and the parent does not wait for it
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(200)); // the children have exited
    parent.note(parent.say(text!("multi-lab-without-waitpid-children-have-exited")));
    let before = show_children(&parent);

    parent.note(parent.say(text!("multi-lab-now-reaping-waitpid-1-wnohang")));
    while let Reaped::Child(..) = process::wait_any(&parent, Wait::NoHang)? {}
    let after = show_children(&parent);
    n.summary(
        n.say(text!("multi-lab-before-reaping-after", before, after)),
        n.say(text!("multi-lab-exited-child-keeps-process-table")),
    );
    Ok(())
}
