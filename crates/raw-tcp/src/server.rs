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
//! The sequence (Stevens, UNP §4): `rt_sigaction(SIGINT, SIGTERM)` → `socket` →
//! `setsockopt(SO_REUSEADDR)` → `bind` → `listen` → `accept` → echo loop (`recv`,
//! `send`) → `close`. Ctrl-C (SIGINT) or `kill` (SIGTERM) interrupts `accept` or `recv`
//! with `EINTR`: the server closes its sockets, says so, and exits 0.
//!
//! `--forever` makes it iterative: one client after another, never two at once. The
//! next client's handshake completes anyway (the kernel does it) and waits in the
//! accept queue, the `Recv-Q` of the LISTEN socket in `ss -ltn`; `raw-multi` serves
//! several at once.

use clap::Args;
use nix::errno::Errno;
use raw_core::cli::ListenArgs;
use raw_core::echo::{echo_stream, Transform};
use raw_core::resolve::resolve;
use raw_core::steps::signals::{stop_on_sigint_sigterm_narrated, stop_requested, stop_signal};
use raw_core::steps::PortFrom;
use raw_core::text;
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
    // Ctrl-C and kill interrupt accept/recv (EINTR) instead of killing us mid-call.
    stop_on_sigint_sigterm_narrated(n, "accept")?;

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
        let bound = steps::getsockname(n, &listener, PortFrom::Bind(addr.port()))?; // the real port, even for --port 0
        steps::listen(n, &listener, args.listen.backlog)?;
        n.ready(bound, listening_banner(n, bound));
        raw_core::interfaces::announce_reachable(n, bound, "raw-tcp client");
        if args.forever {
            n.note(iterative(n, bound));
        }

        let mut served: u64 = 0;
        while !stop_requested() {
            n.note(n.say(text!("tcp-server-waiting-accept-client-blocks-until")));
            let (conn, peer) = match steps::accept(n, &listener) {
                Ok(accepted) => accepted,
                // EINTR: a signal arrived while we waited; the loop condition says
                // whether it asked us to stop.
                Err(f) if f.errno() == Some(Errno::EINTR) => continue,
                Err(f) => return Err(f),
            };
            let outcome = echo_stream(n, &conn, peer, args.buffer as usize, args.transform);
            steps::close(n, conn)?;
            match outcome {
                Ok(_) => served += 1,
                // Stopped in the middle of a conversation: the connection is closed
                // above, the listener below; nothing went wrong.
                Err(f) if f.errno() == Some(Errno::EINTR) && stop_requested() => {}
                // An iterative server outlives a client that misbehaved: say why, go on.
                Err(failure) if args.forever => n.problem(
                    Some(peer),
                    &failure,
                    &n.say(text!("tcp-server-only-this-client-lost-waiting")),
                ),
                Err(failure) => return Err(failure),
            }
            if !args.forever {
                break;
            }
        }
        if let Some(signal) = stop_signal() {
            n.note(n.say(text!(
                "tcp-server-received-server-stops-after-serving",
                signal,
                served
            )));
        }
        Ok(())
    })();
    outcome.and(steps::close(n, listener))
}

/// What `--forever` means, said once when the server starts.
fn iterative(n: &Narrator, bound: std::net::SocketAddr) -> String {
    n.say(text!(
        "tcp-server-iterative-server-forever-one-client",
        port = bound.port()
    ))
}

/// "Listening on ...; try: ..." with the commands that reach this server.
fn listening_banner(n: &Narrator, bound: std::net::SocketAddr) -> String {
    let host = match bound.ip() {
        ip if ip.is_unspecified() && bound.is_ipv6() => "::1".to_string(),
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        ip => ip.to_string(),
    };
    let port = bound.port();
    n.say(text!(
        "tcp-server-listening-try-raw-tcp-client",
        bound,
        host,
        port
    ))
}
