//! `raw-tcp server`: the assignment's TCP echo server, one syscall per line.
//!
//! Run it, talk to it, and watch the kernel:
//! ```text
//! raw-tcp server                                  # 127.0.0.1:65432, one client, then exit
//! raw-tcp client        or   nc 127.0.0.1 65432   # another terminal
//! strace -f -e trace=%network raw-tcp server      # the same syscalls, from the kernel's side
//! tshark -i lo -f 'tcp port 65432'                # the packets
//! ```
//!
//! The sequence (Stevens, UNP §4): `socket` → `setsockopt(SO_REUSEADDR)` → `bind` →
//! `listen` → `accept` → echo loop (`recv`, `send`) → `close`.

use clap::Args;
use raw_core::cli::ListenArgs;
use raw_core::echo::{echo_stream, Transform};
use raw_core::resolve::resolve;
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Type};

/// Options of `raw-tcp server`.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Where to listen: --host, --port, --backlog
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Do not set SO_REUSEADDR: a restart then fails with EADDRINUSE while old
    /// connections sit in TIME-WAIT (try it!)
    #[arg(long)]
    pub no_reuseaddr: bool,
    /// Keep accepting, one client after another (an iterative server), instead of
    /// exiting after the first client
    #[arg(long)]
    pub forever: bool,
    /// What to do to the bytes before echoing them: upper (ASCII letters only) or none
    #[arg(long, value_enum, default_value_t = Transform::Upper)]
    pub transform: Transform,
    /// Set TCP_NODELAY (no Nagle delay for small replies), as latency benchmarks do
    #[arg(long)]
    pub nodelay: bool,
    /// recv() buffer size in bytes: a message larger than this arrives in pieces
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
    pub buffer: u32,
}

/// Runs the server: the syscall sequence, one step per line.
pub fn run(n: &Narrator, args: &ServerArgs) -> Result<(), Failure> {
    let addr = resolve(&args.listen.host, args.listen.port)?[0];
    let reuseaddr = !args.no_reuseaddr;

    let listener = steps::socket(
        n,
        Domain::for_address(addr),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    // The sequence runs in a closure so that, whatever happens in it, the socket is
    // then closed by a narrated close(2): strace shows that close, so we say it too.
    let outcome = (|| -> Result<(), Failure> {
        if reuseaddr {
            steps::set_reuseaddr(n, &listener)?;
        }
        if addr.is_ipv6() && addr.ip().is_unspecified() {
            steps::set_v6only(n, &listener, false)?; // dual stack, said explicitly
        }
        if args.nodelay {
            steps::set_nodelay(n, &listener)?; // inherited by each accepted socket
        }
        steps::bind(n, &listener, addr, reuseaddr)?;
        let bound = steps::getsockname(n, &listener)?; // the real port, even for --port 0
        steps::listen(n, &listener, args.listen.backlog)?;
        n.ready(bound, listening_banner(n, bound));
        raw_core::interfaces::announce_reachable(n, bound, "raw-tcp client");

        loop {
            n.note(n.t(
                "Waiting in accept() for a client (blocks until a handshake completes)...",
                "Conectando: esperando um cliente no accept() (bloqueia até um handshake terminar)...",
            ));
            let (conn, peer) = steps::accept(n, &listener)?;
            let served = echo_stream(n, &conn, peer, args.buffer as usize, args.transform);
            steps::close(n, conn)?;
            match served {
                Ok(_) => {}
                // An iterative server outlives a client that misbehaved: say why, go on.
                Err(failure) if args.forever => n.problem(
                    Some(peer),
                    &failure,
                    n.t(
                        "Waiting for the next client.",
                        "Esperando o próximo cliente.",
                    ),
                ),
                Err(failure) => return Err(failure),
            }
            if !args.forever {
                break;
            }
        }
        Ok(())
    })();
    outcome.and(steps::close(n, listener))
}

/// "Listening on ...; try: ..." with the commands that reach this server.
fn listening_banner(n: &Narrator, bound: std::net::SocketAddr) -> String {
    let host = match bound.ip() {
        ip if ip.is_unspecified() && bound.is_ipv6() => "::1".to_string(),
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        ip => ip.to_string(),
    };
    let port = bound.port();
    format!(
        "{} {bound} — {}: raw-tcp client --host {host} --port {port}   |   nc {host} {port}",
        n.t("Listening on", "Escutando em"),
        n.t("try", "experimente")
    )
}
