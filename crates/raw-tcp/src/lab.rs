//! `raw-tcp lab ...`: the classic failures, reproduced, shown, then fixed. Each lab
//! runs in one process, narrated like the demo, and ends with a two-line summary.
//!
//! ```text
//! raw-tcp lab time-wait   # restart without SO_REUSEADDR: EADDRINUSE, TIME-WAIT; with it: binds
//! raw-tcp lab partial     # one send, many recvs: why the echo loop must loop
//! ```

use clap::Subcommand;
use nix::errno::Errno;
use raw_core::kernel_table;
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Type};
use std::net::SocketAddr;

/// The labs of `raw-tcp`.
#[derive(Debug, Clone, Subcommand)]
pub enum Lab {
    /// Restart a server whose connections are in TIME-WAIT: without SO_REUSEADDR bind
    /// fails (EADDRINUSE); with it, it binds
    TimeWait,
    /// One large send, read with a small buffer: many recvs (a stream has no message
    /// boundaries, so the echo loop must loop)
    Partial,
}

/// Runs one lab.
pub fn run(n: &Narrator, lab: &Lab) -> Result<(), Failure> {
    match lab {
        Lab::TimeWait => time_wait(n),
        Lab::Partial => partial(n),
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn time_wait(n: &Narrator) -> Result<(), Failure> {
    let (server, client, again) = (n.side("server"), n.side("client"), n.side("restart"));

    // 1. A server (with SO_REUSEADDR, as servers do: the TIME-WAIT entries it leaves
    // inherit the flag, and Linux lets a new bind reuse the port only if both the old
    // socket and the new one set it), and one client.
    let listener = steps::socket(&server, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::set_reuseaddr(&server, &listener)?;
    steps::bind(&server, &listener, loopback(), true)?;
    let addr = steps::getsockname(&server, &listener)?;
    steps::listen(&server, &listener, 1)?;
    let sock = steps::socket(&client, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::connect(&client, &sock, addr)?;
    let (conn, _) = steps::accept(&server, &listener)?;

    // 2. The server stops first (it closes first): its side will end in TIME-WAIT.
    server.note(server.t(
        "The server is stopped while its client is connected (it closes first).",
        "O servidor é parado com o cliente conectado (ele fecha primeiro).",
    ));
    steps::close(&server, conn)?;
    steps::close(&server, listener)?;
    let mut buf = [0u8; 16];
    steps::recv(&client, &sock, &mut buf)?;
    steps::close(&client, sock)?;
    let lingering: Vec<_> = kernel_table::on_port(addr.port())
        .into_iter()
        .filter(|s| s.state.name() == "TIME-WAIT")
        .collect();
    for s in &lingering {
        n.note_state(
            format!(
                "{} {} → {}: TIME-WAIT",
                n.t("Kernel table:", "Tabela do kernel:"),
                s.local,
                s.remote
            ),
            Some(s.state),
        );
    }

    // 3. Restart at once, without SO_REUSEADDR: the port is still taken.
    let first = steps::socket(&again, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    let refused = match steps::bind(&again, &first, addr, false) {
        Err(f) if f.errno() == Some(Errno::EADDRINUSE) => {
            again.note(f.explain(n.lang));
            true
        }
        Err(f) => return Err(f),
        Ok(()) => false,
    };
    steps::close(&again, first)?;

    // 4. The same restart with SO_REUSEADDR: it binds.
    let second = steps::socket(&again, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::set_reuseaddr(&again, &second)?;
    steps::bind(&again, &second, addr, true)?;
    steps::listen(&again, &second, 128)?;
    steps::close(&again, second)?;

    n.summary(
        format!(
            "{} {} {}, {}",
            lingering.len(),
            n.t("connection(s) in TIME-WAIT on port", "conexão(ões) em TIME-WAIT na porta"),
            addr.port(),
            if refused {
                n.t("bind without SO_REUSEADDR: EADDRINUSE; with SO_REUSEADDR: bound.", "bind sem SO_REUSEADDR: EADDRINUSE; com SO_REUSEADDR: vinculado.")
            } else {
                n.t("yet bind without SO_REUSEADDR succeeded here (no TIME-WAIT left?).", "mas o bind sem SO_REUSEADDR funcionou aqui (nenhum TIME-WAIT restou?).")
            }
        ),
        n.t(
            "the side that closes first keeps the connection in TIME-WAIT for 60 s, and the kernel will not bind a port such a connection still uses unless both the old socket and the new one set SO_REUSEADDR; that is why every server sets it.",
            "o lado que fecha primeiro mantém a conexão em TIME-WAIT por 60 s, e o kernel não faz bind numa porta que ela ainda usa, a menos que o socket antigo e o novo liguem SO_REUSEADDR; por isso todo servidor o liga.",
        ),
    );
    Ok(())
}

fn partial(n: &Narrator) -> Result<(), Failure> {
    let (server, client) = (n.side("server"), n.side("client"));
    const MESSAGE: usize = 8192;
    const BUFFER: usize = 1024;
    let listener = steps::socket(&server, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::bind(&server, &listener, loopback(), true)?;
    let addr = steps::getsockname(&server, &listener)?;
    steps::listen(&server, &listener, 1)?;
    let sock = steps::socket(&client, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::connect(&client, &sock, addr)?;
    let (conn, _) = steps::accept(&server, &listener)?;

    // One send of 8 KiB...
    let message: Vec<u8> = (0..MESSAGE).map(|i| b'a' + (i % 26) as u8).collect();
    steps::send_all(&client, &sock, &message)?;
    steps::shutdown_write(&client, &sock)?;
    // ...read with a 1 KiB buffer: recv returns what fits, again and again.
    let mut buf = [0u8; BUFFER];
    let (mut reads, mut total) = (0, 0);
    loop {
        let got = steps::recv(&server, &conn, &mut buf)?;
        if got == 0 {
            break;
        }
        reads += 1;
        total += got;
    }
    steps::close(&server, conn)?;
    steps::close(&client, sock)?;
    steps::close(&server, listener)?;
    n.summary(
        format!(
            "{} {MESSAGE} {} {reads} recv {} {BUFFER} {} ({total} {}).",
            n.t("one send of", "um send de"),
            n.t("bytes arrived in", "bytes chegou em"),
            n.t("calls of at most", "chamadas de no máximo"),
            n.t("bytes", "bytes"),
            n.t("bytes in all", "bytes no total")
        ),
        n.t(
            "TCP is a byte stream with no message boundaries: recv returns whatever is there, up to the buffer, so a server must loop on recv (and on send) until it has everything.",
            "O TCP é um fluxo de bytes sem limites de mensagem: o recv devolve o que houver, até o tamanho do buffer, então o servidor precisa repetir o recv (e o send) até ter tudo.",
        ),
    );
    Ok(())
}
