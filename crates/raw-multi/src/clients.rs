//! `raw-multi clients`: open N connections at once, echo once over each, and print
//! which local port each got: the client side of "why does the port change?".
//!
//! All N `connect`s happen first (so N connections are open together, as `sockets`
//! can show), then one exchange on each, then each closes.

use clap::Args;
use raw_core::narrate::{Event, Kind};
use raw_core::resolve::resolve;
use raw_core::steps::PortFrom;
use raw_core::text;
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Socket, Type};
use std::io::Write;
use std::net::SocketAddr;

/// Options of `raw-multi clients`.
#[derive(Debug, Clone, Args)]
pub struct ClientsArgs {
    /// How many connections to open at once
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub count: u32,
    /// Server host
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Server port
    #[arg(long, default_value_t = 65432)]
    pub port: u16,
    /// The message each client sends
    #[arg(long, default_value = "Hello, world")]
    pub message: String,
    /// Keep the connections open this long before closing (to look at them with
    /// `raw-multi sockets` or `ss`)
    #[arg(long, value_parser = raw_core::cli::parse_seconds)]
    pub hold: Option<std::time::Duration>,
}

/// Opens the connections, echoes, prints the table.
pub fn run(n: &Narrator, args: &ClientsArgs) -> Result<(), Failure> {
    let server = resolve(&args.host, args.port)?[0];
    let mut open: Vec<(Socket, SocketAddr)> = Vec::new();
    let mut outcome = Ok(());
    for _ in 0..args.count {
        let sock = match steps::socket(
            n,
            Domain::for_address(server),
            Type::STREAM,
            Some(Protocol::TCP),
        ) {
            Ok(sock) => sock,
            Err(f) => {
                outcome = Err(f);
                break;
            }
        };
        match steps::connect(n, &sock, server)
            .and_then(|_| steps::getsockname(n, &sock, PortFrom::Connect))
        {
            Ok(local) => open.push((sock, local)),
            Err(f) => {
                let _ = steps::close(n, sock);
                outcome = Err(f);
                break;
            }
        }
    }
    let mut rows = Vec::new();
    if outcome.is_ok() {
        for (i, (sock, local)) in open.iter().enumerate() {
            match exchange(n, sock, args.message.as_bytes()) {
                Ok(reply) => rows.push((i + 1, *local, reply)),
                Err(f) => {
                    outcome = Err(f);
                    break;
                }
            }
        }
    }
    if let Some(hold) = args.hold {
        let secs = hold.as_secs_f64();
        let decimals = if secs.fract() == 0.0 { 0 } else { 2 };
        n.note(n.say(text!(
            "multi-clients-holding-connections-open-s",
            secs = n.lang.num(secs, decimals)
        )));
        std::thread::sleep(hold);
    }
    for (sock, _) in open {
        let _ = steps::close(n, sock);
    }
    print_table(n, server, &rows);
    outcome
}

fn exchange(n: &Narrator, sock: &Socket, message: &[u8]) -> Result<String, Failure> {
    steps::send_all(n, sock, message)?;
    let mut reply = Vec::new();
    let mut buf = vec![0u8; message.len().max(1)];
    while reply.len() < message.len() {
        let got = steps::recv(n, sock, &mut buf)?;
        if got == 0 {
            return Err(Failure::ShortReply {
                got: reply.len(),
                expected: message.len(),
            });
        }
        reply.extend_from_slice(&buf[..got]);
    }
    Ok(raw_core::trace::strace::quoted_limit(&reply, 60))
}

fn print_table(n: &Narrator, server: SocketAddr, rows: &[(usize, SocketAddr, String)]) {
    let header = format!(
        "{:<7} {:<24} {:<24} {}",
        n.say(text!("multi-clients-client")),
        n.say(text!("multi-clients-local-ephemeral")),
        n.say(text!("multi-clients-remote")),
        n.say(text!("multi-clients-reply"))
    );
    if n.mode != raw_core::Mode::Json {
        let _ = writeln!(std::io::stdout(), "{header}");
    }
    for (i, local, reply) in rows {
        n.emit(Event {
            kind: Some(Kind::Data),
            local: Some(local.to_string()),
            peer: Some(server.to_string()),
            text: format!(
                "{i:<7} {:<24} {:<24} {reply}",
                local.to_string(),
                server.to_string()
            ),
            ..Event::default()
        });
    }
    n.note(n.say(text!("multi-clients-each-connection-got-own-ephemeral")));
}
