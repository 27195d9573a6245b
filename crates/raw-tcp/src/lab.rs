//! `raw-tcp lab ...`: the classic failures, reproduced, shown, then fixed. Each lab
//! runs in one process, narrated like the demo, and ends with a two-line summary.
//!
//! ```text
//! raw-tcp lab time-wait   # who holds TIME-WAIT: client first (server restarts), server first (EADDRINUSE)
//! raw-tcp lab partial     # one send, many recvs: why the echo loop must loop
//! raw-tcp lab backlog     # listen(fd, 1): the accept queue, and the clients left in SYN-SENT
//! raw-tcp lab nagle       # write, write, read: the Nagle / delayed-ACK stall, and TCP_NODELAY
//! raw-tcp lab localhost   # localhost may mean ::1 first: refused, then 127.0.0.1
//! ```

use clap::Subcommand;
use nix::errno::Errno;
use raw_core::kernel_table;
use raw_core::steps::PortFrom;
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Type};
use std::net::SocketAddr;

/// The labs of `raw-tcp`.
#[derive(Debug, Clone, Subcommand)]
pub enum Lab {
    /// Who holds TIME-WAIT: when the client closes first, its own port (the server
    /// restarts at once); when the server closes first, the server's port: a restart
    /// without SO_REUSEADDR fails (EADDRINUSE), with it, it binds
    TimeWait,
    /// One large send, read with a small buffer: many recvs (a stream has no message
    /// boundaries, so the echo loop must loop)
    Partial,
    /// listen(fd, 1) and no accept: which clients complete the handshake (the accept
    /// queue) and which are left waiting (SYN-SENT), then accept them all
    Backlog,
    /// Two small writes then a read: with Nagle the second write waits for the delayed
    /// ACK (about 40 ms); with TCP_NODELAY it does not
    Nagle,
    /// A server on 127.0.0.1 only, a client asked for "localhost": the resolver's
    /// answers in order, the one refused, the fallback to the next
    Localhost,
}

/// Runs one lab.
pub fn run(n: &Narrator, lab: &Lab) -> Result<(), Failure> {
    match lab {
        Lab::TimeWait => time_wait(n),
        Lab::Partial => partial(n),
        Lab::Backlog => backlog(n),
        Lab::Nagle => nagle(n),
        Lab::Localhost => localhost(n),
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A server's usual first steps, one syscall each: socket, SO_REUSEADDR, bind to
/// 127.0.0.1 port 0, getsockname (which port did the kernel pick?), listen.
fn listening(server: &Narrator, backlog: i32) -> Result<(socket2::Socket, SocketAddr), Failure> {
    let listener = steps::socket(server, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::set_reuseaddr(server, &listener)?;
    steps::bind(server, &listener, loopback(), true)?;
    let addr = steps::getsockname(server, &listener, PortFrom::Bind(0))?;
    steps::listen(server, &listener, backlog)?;
    Ok((listener, addr))
}

fn time_wait(n: &Narrator) -> Result<(), Failure> {
    let (client_port, free) = client_closes_first(n)?;
    let (server_first, refused) = server_closes_first(n)?;

    let port = server_first.port;
    let held = match (n.lang, server_first.lingering) {
        (raw_core::Lang::En, 1) => format!("1 connection in TIME-WAIT on the server's port {port}"),
        (raw_core::Lang::En, k) => {
            format!("{k} connections in TIME-WAIT on the server's port {port}")
        }
        (raw_core::Lang::PtBr, 1) => format!("1 conexão em TIME-WAIT na porta {port} do servidor"),
        (raw_core::Lang::PtBr, k) => {
            format!("{k} conexões em TIME-WAIT na porta {port} do servidor")
        }
    };
    let first = format!(
        "{} {}{}; {}",
        n.t(
            "Client closed first (lab 1's order): TIME-WAIT on the client's port",
            "O cliente fechou primeiro (a ordem do lab 1): TIME-WAIT na porta do cliente"
        ),
        client_port,
        n.t(", none on the server's", ", nenhum na do servidor"),
        if free {
            n.t(
                "the server's restart without SO_REUSEADDR: bound.",
                "o reinício do servidor sem SO_REUSEADDR: vinculado.",
            )
        } else {
            n.t(
                "yet the server's restart without SO_REUSEADDR failed here.",
                "mas o reinício do servidor sem SO_REUSEADDR falhou aqui.",
            )
        }
    );
    let second = format!(
        "{} {held}; {}",
        n.t("Server closed first:", "O servidor fechou primeiro:"),
        if refused {
            n.t(
                "bind without SO_REUSEADDR: EADDRINUSE; with SO_REUSEADDR: bound.",
                "bind sem SO_REUSEADDR: EADDRINUSE; com SO_REUSEADDR: vinculado.",
            )
        } else {
            n.t(
                "yet bind without SO_REUSEADDR succeeded here (no TIME-WAIT left?).",
                "mas o bind sem SO_REUSEADDR funcionou aqui (não sobrou nenhum TIME-WAIT?).",
            )
        }
    );
    n.summary(
        format!("{first} {second}"),
        n.t(
            "TIME-WAIT (60 s) is kept by the side that closes first, on that side's own port. When the client closes first, its ephemeral port holds it and the server's port is free; when the server closes first (a server stopped while clients are connected), the server's port holds it, and the kernel will not bind that port again unless both the old socket and the new one set SO_REUSEADDR; that is why every server sets it.",
            "O TIME-WAIT (60 s) fica com o lado que fecha primeiro, na porta desse lado. Quando o cliente fecha primeiro, é a porta efêmera dele que fica presa e a porta do servidor está livre; quando o servidor fecha primeiro (um servidor parado com clientes conectados), quem fica presa é a porta do servidor, e o kernel recusa um novo bind nela a menos que o socket antigo e o novo tenham ativado o SO_REUSEADDR; por isso todo servidor o ativa.",
        ),
    );
    Ok(())
}

/// What the server-closes-first half of the TIME-WAIT lab left in the kernel's table.
struct Left {
    /// The server's port, whose connection is in TIME-WAIT.
    port: u16,
    /// How many connections on that port are in TIME-WAIT.
    lingering: usize,
}

/// Prints the kernel table's TIME-WAIT rows of this lab's connection whose local end is
/// `local` and remote end `remote` (other programs' connections may share a port: only
/// this 4-tuple is ours); returns how many.
fn show_time_wait(n: &Narrator, local: SocketAddr, remote: SocketAddr) -> usize {
    let lingering: Vec<_> = kernel_table::on_port(local.port())
        .into_iter()
        .filter(|s| s.state.name() == "TIME-WAIT" && s.remote == remote)
        .collect();
    for s in &lingering {
        n.note_state(
            None,
            format!(
                "{} {} → {}: TIME-WAIT",
                n.t("Kernel table:", "Tabela do kernel:"),
                s.local,
                s.remote
            ),
            Some(s.state),
        );
    }
    lingering.len()
}

/// Part 1, the order of lab 1: the client closes first, so TIME-WAIT is on the
/// client's side (its ephemeral port) and the server's port is free at once: a restart
/// binds even without SO_REUSEADDR. Returns the client's port (which holds TIME-WAIT),
/// and whether that bind worked.
fn client_closes_first(n: &Narrator) -> Result<(u16, bool), Failure> {
    let (server, client, again) = (n.side("server"), n.side("client"), n.side("restart"));
    n.note(n.t(
        "Part 1: the client closes first, as in lab 1.",
        "Parte 1: o cliente fecha primeiro, como no lab 1.",
    ));
    let (listener, addr) = listening(&server, 1)?;
    let sock = steps::socket(&client, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::connect(&client, &sock, addr)?;
    let ephemeral = steps::getsockname(&client, &sock, PortFrom::Connect)?;
    let (conn, _) = steps::accept(&server, &listener)?;
    steps::close(&client, sock)?; // the client's FIN first
    let mut buf = [0u8; 16];
    steps::recv(&server, &conn, &mut buf)?; // 0: end of stream
    steps::close(&server, conn)?; // the server's FIN second: its side ends CLOSED
    steps::close(&server, listener)?;
    show_time_wait(n, ephemeral, addr);
    let on_server_port = show_time_wait(n, addr, ephemeral);

    again.note(format!(
        "{} {} {}",
        n.t("Restarting on port", "Reiniciando na porta"),
        addr.port(),
        n.t(
            "right away, WITHOUT SO_REUSEADDR:",
            "logo em seguida, SEM SO_REUSEADDR:",
        )
    ));
    let restart = steps::socket(&again, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    let bound = match steps::bind(&again, &restart, addr, false) {
        Ok(()) => on_server_port == 0,
        Err(f) if f.errno() == Some(Errno::EADDRINUSE) => {
            again.note(f.explain(n.lang));
            false
        }
        Err(f) => return Err(f),
    };
    steps::close(&again, restart)?;
    Ok((ephemeral.port(), bound))
}

/// Part 2: the server is stopped while its client is connected, so the server closes
/// first and TIME-WAIT is on the server's port: a restart without SO_REUSEADDR fails
/// (EADDRINUSE), with it the port binds. Returns what was left, and whether the first
/// bind was refused.
fn server_closes_first(n: &Narrator) -> Result<(Left, bool), Failure> {
    let (server, client, again) = (n.side("server"), n.side("client"), n.side("restart"));
    n.note(n.t(
        "Part 2: the server closes first (it is stopped while its client is connected).",
        "Parte 2: o servidor fecha primeiro (paramos o servidor com o cliente ainda conectado).",
    ));
    // A server with SO_REUSEADDR, as servers do: the TIME-WAIT entries it leaves inherit
    // the flag, and Linux lets a new bind reuse the port only if both the old socket and
    // the new one set it.
    let (listener, addr) = listening(&server, 1)?;
    let sock = steps::socket(&client, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::connect(&client, &sock, addr)?;
    let (conn, peer) = steps::accept(&server, &listener)?;
    steps::close(&server, conn)?; // the server's FIN first: its side will end in TIME-WAIT
    steps::close(&server, listener)?;
    let mut buf = [0u8; 16];
    steps::recv(&client, &sock, &mut buf)?;
    steps::close(&client, sock)?;
    let lingering = show_time_wait(n, addr, peer);

    // Restart at once, without SO_REUSEADDR: the port is still taken.
    again.note(format!(
        "{} {} {}",
        n.t("Restarting on port", "Reiniciando na porta"),
        addr.port(),
        n.t(
            "right away, first WITHOUT SO_REUSEADDR (this lab leaves it off on purpose, to show the refusal):",
            "logo em seguida, primeiro SEM SO_REUSEADDR (este laboratório o deixa desligado de propósito, para mostrar a recusa):",
        )
    ));
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

    // The same restart with SO_REUSEADDR: it binds.
    again.note(n.t(
        "The same restart, this time WITH SO_REUSEADDR, as every server does:",
        "O mesmo reinício, agora COM SO_REUSEADDR, como todo servidor faz:",
    ));
    let second = steps::socket(&again, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::set_reuseaddr(&again, &second)?;
    steps::bind(&again, &second, addr, true)?;
    steps::listen(&again, &second, 128)?;
    steps::close(&again, second)?;
    let left = Left {
        port: addr.port(),
        lingering,
    };
    Ok((left, refused))
}

fn partial(n: &Narrator) -> Result<(), Failure> {
    let (server, client) = (n.side("server"), n.side("client"));
    const MESSAGE: usize = 8192;
    const BUFFER: usize = 1024;
    let (listener, addr) = listening(&server, 1)?;
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
        match n.lang {
            raw_core::Lang::En => format!("one send of {MESSAGE} bytes arrived in {reads} recv calls of at most {BUFFER} bytes ({total} bytes in all)."),
            raw_core::Lang::PtBr => format!("um único send de {MESSAGE} bytes chegou em {reads} chamadas de recv de no máximo {BUFFER} bytes ({total} bytes no total)."),
        },
        n.t(
            "TCP is a byte stream with no message boundaries: recv returns whatever is there, up to the buffer, so a server must loop on recv (and on send) until it has everything.",
            "O TCP é um fluxo de bytes sem limites de mensagem: o recv devolve o que houver, até o tamanho do buffer, então o servidor precisa repetir o recv (e o send) até ter tudo.",
        ),
    );
    Ok(())
}

fn backlog(n: &Narrator) -> Result<(), Failure> {
    use raw_core::steps::Timeout;
    use std::time::Duration;
    let (server, client) = (n.side("server"), n.side("client"));
    const CLIENTS: usize = 4;
    let (listener, addr) = listening(&server, 1)?; // room for backlog + 1 = 2 finished handshakes
                                                   // accept gives up after 3 s instead of waiting forever (SO_RCVTIMEO applies to it).
    steps::set_timeout(&server, &listener, Timeout::Receive, Duration::from_secs(3))?;

    // Non-blocking clients: connect returns at once (EINPROGRESS) and the handshake goes on.
    let mut socks = Vec::new();
    for _ in 0..CLIENTS {
        let sock = steps::socket(
            &client,
            Domain::IPV4,
            Type::STREAM.nonblocking(),
            Some(Protocol::TCP),
        )?;
        match steps::connect(&client, &sock, addr) {
            Ok(()) => {}
            Err(f) if f.errno() == Some(Errno::EINPROGRESS) => {}
            Err(f) => return Err(f),
        }
        socks.push(sock);
    }
    std::thread::sleep(Duration::from_millis(300));
    n.note(n.t(
        "The clients' side, from the kernel's table, before any accept:",
        "O lado dos clientes, na tabela do kernel, antes de qualquer accept:",
    ));
    let clients: Vec<_> = kernel_table::tcp_sockets()
        .into_iter()
        .filter(|s| s.remote.port() == addr.port())
        .collect();
    for c in &clients {
        n.note_state(
            None,
            format!("  {} → {}: {}", c.local, c.remote, c.state),
            Some(c.state),
        );
    }
    let queued = clients
        .iter()
        .filter(|c| c.state.name() == "ESTABLISHED")
        .count();
    let waiting = clients
        .iter()
        .filter(|c| c.state.name() == "SYN-SENT")
        .count();

    // Now accept: each accept makes room, and the waiting clients' retransmitted SYNs
    // (after 1 s, then 3 s) get in.
    let mut accepted = Vec::new();
    while accepted.len() < CLIENTS {
        match steps::accept(&server, &listener) {
            Ok((conn, _)) => accepted.push(conn),
            Err(f) if f.errno() == Some(Errno::EAGAIN) => break,
            Err(f) => return Err(f),
        }
    }
    let total = accepted.len();
    for conn in accepted {
        steps::close(&server, conn)?;
    }
    for sock in socks {
        steps::close(&client, sock)?;
    }
    steps::close(&server, listener)?;
    n.summary(
        format!(
            "listen(fd, 1), {CLIENTS} {}: {queued} {} {waiting} {}; {} {total}.",
            n.t("clients", "clientes"),
            n.t("finished the handshake and waited in the accept queue,", "terminaram o handshake e esperaram na fila de accept,"),
            n.t("stayed in SYN-SENT (their SYN was dropped)", "ficaram em SYN-SENT (o SYN deles foi descartado)"),
            n.t("accepted in the end:", "aceitos no fim:")
        ),
        n.t(
            "the kernel completes handshakes on the server's behalf and queues them for accept, up to the backlog (plus one on Linux); beyond it, it drops SYNs and the clients retry after 1 s, 3 s... A server that accepts slowly makes clients wait before they are even connected.",
            "o kernel completa os handshakes no lugar do servidor e os enfileira para o accept, até o backlog (mais um, no Linux); passado esse limite, ele descarta os SYNs e os clientes tentam de novo depois de 1 s, 3 s... Um servidor que aceita devagar faz os clientes esperarem antes mesmo de conectar.",
        ),
    );
    Ok(())
}

fn nagle(n: &Narrator) -> Result<(), Failure> {
    use std::time::{Duration, Instant};
    const ROUNDS: usize = 6;
    let mut timings: Vec<(bool, Duration)> = Vec::new();
    for nodelay in [false, true] {
        let label = if nodelay { "TCP_NODELAY" } else { "Nagle" };
        let (server, client) = (n.side("server"), n.side(&format!("client, {label}")));
        let (listener, addr) = listening(&server, 1)?;
        let sock = steps::socket(&client, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
        if nodelay {
            steps::set_nodelay(&client, &sock)?;
        }
        steps::connect(&client, &sock, addr)?;
        let (conn, _) = steps::accept(&server, &listener)?;

        // A request in two small writes ("GET " and "/\n"), then wait for the reply. With
        // Nagle, the second write is held until the first is ACKed, and the server's
        // kernel delays that ACK (it hopes to send it with a reply that cannot come yet).
        // A new connection ACKs at once for a while ("quick ACK" mode) and delays ACKs
        // only once it sees requests and replies alternate, so we repeat the exchange.
        let mut rounds = Vec::new();
        for _ in 0..ROUNDS {
            let started = Instant::now();
            steps::send_all(&client, &sock, b"GET ")?;
            steps::send_all(&client, &sock, b"/\n")?;
            let mut request = Vec::new();
            let mut buf = [0u8; 64];
            while request.len() < 6 {
                let got = steps::recv(&server, &conn, &mut buf)?;
                if got == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..got]);
            }
            steps::send_all(&server, &conn, b"OK\n")?;
            let mut reply = [0u8; 3];
            let mut have = 0;
            while have < reply.len() {
                let got = steps::recv(&client, &sock, &mut reply[have..])?;
                if got == 0 {
                    break;
                }
                have += got;
            }
            rounds.push(started.elapsed());
        }
        client.note(format!(
            "{}: {} ms",
            n.t(
                "each request and its reply took",
                "cada pedido com sua resposta levou"
            ),
            rounds
                .iter()
                .map(|d| n.lang.num(d.as_secs_f64() * 1000.0, 1))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        let took = rounds.iter().copied().max().unwrap_or_default();
        timings.push((nodelay, took));
        steps::close(&client, sock)?;
        steps::close(&server, conn)?;
        steps::close(&server, listener)?;
    }
    let ms = |want: bool| {
        timings
            .iter()
            .find(|(nd, _)| *nd == want)
            .map_or(0.0, |(_, d)| d.as_secs_f64() * 1000.0)
    };
    n.summary(
        format!(
            "{} {} ms; {} {} ms.",
            n.t("slowest write-write-read with Nagle:", "a escrita-escrita-leitura mais lenta com Nagle:"),
            n.lang.num(ms(false), 1),
            n.t("with TCP_NODELAY:", "com TCP_NODELAY:"),
            n.lang.num(ms(true), 1)
        ),
        n.t(
            "Nagle holds a small segment while earlier data is unacknowledged, and the receiver delays its ACK (40 ms or more) hoping to piggyback it on a reply; together they stall a request sent in pieces. Send it in one write, or set TCP_NODELAY. (Run with --capture to see the held segment.)",
            "O Nagle segura um segmento pequeno enquanto há dados sem confirmação, e o receptor atrasa o ACK (40 ms ou mais) esperando pegar carona numa resposta; juntos, travam um pedido enviado em pedaços. Envie numa só escrita, ou ative o TCP_NODELAY. (Rode com --capture para ver o segmento retido.)",
        ),
    );
    Ok(())
}

fn localhost(n: &Narrator) -> Result<(), Failure> {
    let (server, client) = (n.side("server"), n.side("client"));
    // A server listening on IPv4 only, as the assignment's server does.
    let (listener, addr) = listening(&server, 8)?;

    let answers = raw_core::resolve::resolve("localhost", addr.port())?;
    client.note(format!(
        "getaddrinfo(\"localhost\") {} {}",
        n.t("answered, in this order:", "respondeu, nesta ordem:"),
        answers
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut order = answers.clone();
    if !answers.iter().any(|a| a.is_ipv6()) {
        client.note(n.t(
            "This machine's resolver gives only 127.0.0.1 (see /etc/hosts). Many give ::1 first; trying what such a resolver would answer: [::1], then 127.0.0.1.",
            "O resolvedor desta máquina só devolve 127.0.0.1 (veja o /etc/hosts). Muitos devolvem ::1 primeiro; vamos tentar o que um resolvedor desses responderia: [::1], depois 127.0.0.1.",
        ));
        order.insert(
            0,
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, addr.port())),
        );
    }
    let (sock, _) = crate::client::connect_first(&client, &order, None)?;
    let (conn, _) = steps::accept(&server, &listener)?;
    steps::close(&client, sock)?;
    steps::close(&server, conn)?;
    steps::close(&server, listener)?;
    n.summary(
        format!(
            "{} {}: {} {}.",
            n.t("tried", "tentou"),
            order.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" → "),
            n.t("connected to", "conectou em"),
            order.last().map(|a| a.to_string()).unwrap_or_default()
        ),
        n.t(
            "\"localhost\" is a name, and the resolver may answer ::1 before 127.0.0.1; a server bound to 127.0.0.1 does not listen on ::1, so that first try is refused (RST) and a good client falls back to the next address. Bind to :: (dual stack) or connect to 127.0.0.1 to avoid the detour.",
            "\"localhost\" é um nome, e o resolvedor pode responder ::1 antes de 127.0.0.1; um servidor vinculado a 127.0.0.1 não escuta em ::1, então essa primeira tentativa é recusada (RST) e um bom cliente passa ao próximo endereço. Use :: (pilha dupla) no servidor, ou conecte em 127.0.0.1, para evitar o desvio.",
        ),
    );
    Ok(())
}
