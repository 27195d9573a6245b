//! `raw-udp demo`: the second lab in one command, and the assignment's question
//! "tell UDP from TCP" answered by counting.
//!
//! Server and client run in one process and one thread, so their syscalls print in
//! the order the kernel sees them (check with `strace -e trace=%network raw-udp demo`).
//! Then the very same message goes over TCP (the `raw-tcp demo` code, printed as bare
//! strace lines), and a table compares what each cost.
//!
//! ```text
//! raw-udp demo
//! raw-udp demo --lang pt-BR
//! ```

use clap::Args;
use raw_core::resolve::resolve;
use raw_core::steps::PortFrom;
use raw_core::text;
use raw_core::views::{Counter, Counts, StraceLines};
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Type};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Options of `raw-udp demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Address for the server (and for the client to reach it)
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Server port; 0 (the default) picks a free one
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The client's message
    #[arg(long, default_value = "Hello, world")]
    pub message: String,
}

/// Runs the UDP exchange narrated, then the TCP one briefly, then the comparison.
pub fn run(n: &Narrator, args: &DemoArgs) -> Result<(), Failure> {
    let udp_calls = Arc::new(Counts::default()); // a view that counts the syscalls
    let server = n.side("server").also(Counter(udp_calls.clone()));
    let client = n.side("client").also(Counter(udp_calls.clone()));
    let (server, client) = (&server, &client);
    let addr = resolve(&args.host, args.port)?[0];
    let message = args.message.as_bytes();

    // The server: socket, SO_REUSEADDR, bind. That is all: no listen, no accept.
    let sock = steps::socket(
        server,
        Domain::for_address(addr),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    steps::set_reuseaddr(server, &sock)?;
    steps::bind(server, &sock, addr, true)?;
    let bound = steps::getsockname(server, &sock, PortFrom::Bind(addr.port()))?;
    server.note(server.say(text!("udp-demo-no-listen-no-accept-nothing")));

    // The client: a socket, then straight to sendto. No connect, no handshake.
    let csock = steps::socket(
        client,
        Domain::for_address(bound),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    steps::sendto(client, &csock, message, Some(bound))?;
    steps::getsockname(client, &csock, PortFrom::FirstSend)?; // the kernel bound our port at that first send

    // The server reads one datagram and learns the sender from recvfrom itself.
    let mut buf = vec![0u8; 65535];
    let got = steps::recvfrom(server, &sock, &mut buf)?;
    buf[..got.len].make_ascii_uppercase();
    steps::sendto(server, &sock, &buf[..got.len], Some(got.from))?;

    let mut reply = vec![0u8; 65535];
    let back = steps::recvfrom(client, &csock, &mut reply)?;
    client.data(
        client.say(text!(
            "udp-client-received",
            readable = raw_core::trace::strace::readable(&reply[..back.len], 200)
        )),
        &reply[..back.len],
    );
    steps::close(client, csock)?; // no FIN, no TIME-WAIT: nothing to say goodbye to
    steps::close(server, sock)?;
    let udp = udp_calls.syscalls.load(Ordering::Relaxed);

    // The same message over TCP: the raw-tcp demo's own code, printed as bare strace lines.
    n.note(n.say(text!("udp-demo-now-same-message-over-tcp")));
    let tcp_calls = Arc::new(Counts::default());
    // In text, only the strace lines (the sentences were said in lab 1); JSON as always.
    // A narrator of its own: the comparison is not part of this lab's capture or
    // pictures, only of its printout.
    let plain = Narrator::new(n.lang, n.mode, "tcp");
    let tcp = match n.mode {
        raw_core::Mode::Text => plain.showing(StraceLines),
        _ => plain,
    }
    .also(Counter(tcp_calls.clone()));
    raw_core::demo::run(
        &tcp,
        &raw_core::demo::DemoArgs {
            host: args.host.clone(),
            port: 0,
            message: args.message.clone(),
        },
    )?;
    let tcp_count = tcp_calls.syscalls.load(Ordering::Relaxed);
    let looks = tcp_calls.probes.load(Ordering::Relaxed);
    if looks > 0 {
        n.note(n.say(text!("udp-demo-strace-also-shows-getsockopt-tcp", looks)));
    }

    print_comparison(n, udp, tcp_count, message.len());
    Ok(())
}

/// The table that answers "tell UDP from TCP" with this run's numbers.
fn print_comparison(n: &Narrator, udp: usize, tcp: usize, bytes: usize) {
    let rows = [
        (
            n.say(text!("udp-demo-syscalls-this-run")),
            udp.to_string(),
            tcp.to_string(),
        ),
        (
            n.say(text!("udp-demo-payload-bytes-each-way")),
            bytes.to_string(),
            bytes.to_string(),
        ),
        (
            n.say(text!("udp-demo-connection-set-up")),
            n.say(text!("udp-demo-none")),
            "SYN, SYN-ACK, ACK".to_string(),
        ),
        (
            n.say(text!("udp-demo-teardown")),
            n.say(text!("udp-demo-none-2")),
            "FIN, ACK, FIN, ACK + TIME-WAIT".to_string(),
        ),
        (
            n.say(text!("udp-demo-message-boundaries")),
            n.say(text!("udp-demo-kept-one-sendto-one-recvfrom")),
            n.say(text!("udp-demo-none-byte-stream")),
        ),
        (
            n.say(text!("udp-demo-lost-data")),
            n.say(text!("udp-demo-gone-app-must-retry")),
            n.say(text!("udp-demo-retransmitted-by-kernel")),
        ),
        (
            n.say(text!("udp-demo-server-sockets")),
            n.say(text!("udp-demo-1-every-client")),
            n.say(text!("udp-demo-1-listening-1-per-client")),
        ),
        (
            n.say(text!("udp-demo-packets-wire")),
            n.say(text!("udp-demo-see-docs-udp-md-tshark")),
            n.say(text!("udp-demo-see-docs-tcp-md-tshark")),
        ),
    ];
    n.note(n.say(text!("udp-demo-udp-versus-tcp-same-message")));
    n.note(format!("  {:<34} {:<34} {}", "", "UDP", "TCP"));
    for (what, u, t) in rows {
        n.note(format!("  {what:<34} {u:<34} {t}"));
    }
}
