//! `raw-tcp lab ...`: the classic failures, reproduced, shown, then fixed. Each lab
//! runs in one process, narrated like the demo, and ends with a two-line summary.
//!
//! ```text
//! raw-tcp lab time-wait   # who holds TIME-WAIT: client first (server restarts), server first (EADDRINUSE)
//! raw-tcp lab partial     # one send, many recvs: why the echo loop must loop
//! raw-tcp lab backlog     # listen(fd, 1): the accept queue, and the clients left in SYN-SENT
//! raw-tcp lab nagle       # write, write, read: the Nagle / delayed-ACK stall, and TCP_NODELAY
//! raw-tcp lab localhost   # localhost may mean ::1 first: refused, then 127.0.0.1
//! raw-tcp lab states      # all eleven TCP states, from the kernel (CLOSING: as root)
//! ```

use clap::Subcommand;
use nix::errno::Errno;
use raw_core::steps::PortFrom;
use raw_core::text;
use raw_core::trace::kernel_table;
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
    /// All eleven TCP states, reached for real and told by the kernel: a connection
    /// closed the usual way, then (as root, in a network namespace of its own, with one
    /// FIN dropped by nftables) a simultaneous close, for CLOSING
    States,
}

/// Runs one lab.
pub fn run(n: &Narrator, lab: &Lab) -> Result<(), Failure> {
    match lab {
        Lab::TimeWait => time_wait(n),
        Lab::Partial => partial(n),
        Lab::Backlog => backlog(n),
        Lab::Nagle => nagle(n),
        Lab::Localhost => localhost(n),
        Lab::States => crate::states::states(n),
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A server's usual first steps, one syscall each: socket, SO_REUSEADDR, bind to
/// 127.0.0.1 port 0, getsockname (which port did the kernel pick?), listen.
pub(crate) fn listening(
    server: &Narrator,
    backlog: i32,
) -> Result<(socket2::Socket, SocketAddr), Failure> {
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

    let (free, refused) = (
        if free { "yes" } else { "no" },
        if refused { "yes" } else { "no" },
    );
    let seen = text!(
        "tcp-lab-time-wait-seen",
        client_port,
        free,
        lingering = server_first.lingering,
        port = server_first.port,
        refused
    );
    n.summary(n.say(seen), n.say(text!("tcp-lab-time-wait-60-s-kept")));
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
pub(crate) fn show_time_wait(n: &Narrator, local: SocketAddr, remote: SocketAddr) -> usize {
    let lingering: Vec<_> = kernel_table::on_port(local.port())
        .into_iter()
        .filter(|s| s.state.name() == "TIME-WAIT" && s.remote == remote)
        .collect();
    for s in &lingering {
        n.note_state(
            None,
            n.say(text!(
                "tcp-lab-kernel-table-time-wait",
                local = s.local,
                remote = s.remote
            )),
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
    n.note(n.say(text!("tcp-lab-part-1-client-closes-first")));
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

    again.note(n.say(text!(
        "tcp-lab-restarting-port-right-away-without",
        port = addr.port()
    )));
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
    n.note(n.say(text!("tcp-lab-part-2-server-closes-first")));
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
    again.note(n.say(text!(
        "tcp-lab-restarting-port-right-away-first",
        port = addr.port()
    )));
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
    again.note(n.say(text!("tcp-lab-same-restart-this-time-with")));
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
        n.say(text!(
            "tcp-lab-partial-seen",
            sent = MESSAGE,
            reads,
            buffer = BUFFER,
            total
        )),
        n.say(text!("tcp-lab-tcp-byte-stream-with-no")),
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
    n.note(n.say(text!("tcp-lab-clients-side-from-kernel-s")));
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
        n.say(text!(
            "tcp-lab-listen-fd-1-clients-finished",
            CLIENTS,
            queued,
            waiting,
            total
        )),
        n.say(text!("tcp-lab-kernel-completes-handshakes-server-s")),
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
        client.note(n.say(
            text!("tcp-lab-each-request-reply-took-ms", as_secs_f64 = rounds
                .iter()
                .map(|d| n.lang.num(d.as_secs_f64() * 1000.0, 1))
                .collect::<Vec<_>>()
                .join("; ")),
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
        n.say(text!(
            "tcp-lab-slowest-write-write-read-with",
            ms = n.lang.num(ms(false), 1),
            ms2 = n.lang.num(ms(true), 1)
        )),
        n.say(text!("tcp-lab-nagle-holds-small-segment-while")),
    );
    Ok(())
}

fn localhost(n: &Narrator) -> Result<(), Failure> {
    let (server, client) = (n.side("server"), n.side("client"));
    // A server listening on IPv4 only, as the assignment's server does.
    let (listener, addr) = listening(&server, 8)?;

    let answers = raw_core::resolve::resolve("localhost", addr.port())?;
    client.note(n.say(
        text!("tcp-lab-getaddrinfo-localhost-answered-this-order", answers = answers
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")),
    ));
    let mut order = answers.clone();
    if !answers.iter().any(|a| a.is_ipv6()) {
        client.note(n.say(text!("tcp-lab-this-machine-s-resolver-gives")));
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
        n.say(text!(
            "tcp-lab-tried-connected",
            order = order
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(" → "),
            last = order.last().map(|a| a.to_string()).unwrap_or_default()
        )),
        n.say(text!("tcp-lab-localhost-name-resolver-may-answer")),
    );
    Ok(())
}
