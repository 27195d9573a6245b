//! `raw-multi lab ...`: the multi-client lessons, reproduced and shown.
//!
//! ```text
//! raw-multi lab port-change --clients 3   # the server's port never changes; the clients' do
//! ```

use clap::Subcommand;
use raw_core::kernel_table;
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Type};
use std::net::SocketAddr;

/// The labs of `raw-multi`.
#[derive(Debug, Clone, Subcommand)]
pub enum Lab {
    /// N clients connect to one listening socket: the 4-tuples and the kernel's table
    /// show that the server's port never changes, and each client's ephemeral port does
    PortChange {
        /// How many clients
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=64))]
        clients: u32,
    },
}

/// Runs one lab.
pub fn run(n: &Narrator, lab: &Lab) -> Result<(), Failure> {
    match lab {
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
    let addr = steps::getsockname(&server, &listener)?;
    steps::listen(&server, &listener, 128)?;

    let mut clients = Vec::new();
    let mut accepted = Vec::new();
    for _ in 0..count {
        let sock = steps::socket(&client, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
        steps::connect(&client, &sock, addr)?;
        let local = steps::getsockname(&client, &sock)?;
        let (conn, peer) = steps::accept(&server, &listener)?;
        crate::models::announce(&server, std::os::fd::AsRawFd::as_raw_fd(&conn), addr, peer);
        clients.push((sock, local));
        accepted.push(conn);
    }

    n.note(n.t(
        "The kernel's table for this port (as ss -tan shows it):",
        "A tabela do kernel para esta porta (como o ss -tan mostra):",
    ));
    let rows: Vec<_> = kernel_table::tcp_sockets()
        .into_iter()
        .filter(|s| s.local.port() == addr.port() || s.remote.port() == addr.port())
        .collect();
    for row in &rows {
        n.note_state(
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
        format!(
            "{server_side} {} {} ({listening} LISTEN + {established} ESTABLISHED); {} {}: {:?}.",
            n.t("sockets on the server's port", "sockets na porta do servidor"),
            addr.port(),
            ephemeral.len(),
            n.t("different client ports", "portas de cliente diferentes"),
            ephemeral
        ),
        n.t(
            "accept gives each connection a new socket on the same local port; the port that differs is the client's, chosen by its kernel at connect. Connections are told apart by the whole 4-tuple.",
            "o accept dá a cada conexão um socket novo na mesma porta local; a porta que muda é a do cliente, escolhida pelo kernel dele no connect. As conexões se distinguem pela 4-tupla inteira.",
        ),
    );
    Ok(())
}
