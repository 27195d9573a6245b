//! `raw-tcp client`: the assignment's TCP client, one syscall per line.
//!
//! ```text
//! raw-tcp client                                   # sends "Hello, world" to 127.0.0.1:65432
//! raw-tcp client --stdin                           # sends each line you type
//! strace -e trace=%network raw-tcp client          # the same syscalls, from the kernel's side
//! ```
//!
//! The sequence: `socket` → `connect` (SYN, SYN-ACK, ACK) → `send` → `recv` until the
//! whole reply is here → `shutdown(SHUT_WR)` (our FIN) → `recv` = 0 (the server's FIN)
//! → `close`. Waiting for the server's FIN before closing is the graceful goodbye: both
//! sides agree the conversation is over, and we are the side that ends in TIME-WAIT.

use clap::Args;
use raw_core::error::Fact;
use raw_core::resolve::resolve;
use raw_core::steps::PortFrom;
use raw_core::steps::{self, Timeout};
use raw_core::text;
use raw_core::{Failure, Narrator};
use socket2::{Domain, Protocol, Socket, Type};
use std::io::BufRead;
use std::net::SocketAddr;
use std::time::Duration;

/// Options of `raw-tcp client`.
#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// Server host: an IP (127.0.0.1, ::1, a classmate's address) or a name
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Server port
    #[arg(long, default_value_t = 65432)]
    pub port: u16,
    /// The message to send
    #[arg(long, default_value = "Hello, world", conflicts_with = "stdin")]
    pub message: String,
    /// Send each line read from standard input (without its newline) and print each
    /// reply, until end of input (Ctrl-D)
    #[arg(long)]
    pub stdin: bool,
    /// Give up after this many seconds without an answer (connect and each recv),
    /// instead of waiting for the kernel's own limits (minutes)
    #[arg(long, value_parser = parse_seconds)]
    pub timeout: Option<Duration>,
}

pub use raw_core::cli::parse_seconds;

/// Runs the client: the syscall sequence, one step per line.
pub fn run(n: &Narrator, args: &ClientArgs) -> Result<(), Failure> {
    let addrs = resolve(&args.host, args.port)?;
    let (sock, server) = connect_first(n, &addrs, args.timeout)?;
    // Whatever happens in the exchange, close the socket afterwards with a narrated
    // close(2) (strace shows it, so we say it too).
    let outcome = (|| -> Result<(), Failure> {
        steps::getsockname(n, &sock, PortFrom::Connect)?; // the ephemeral port the kernel picked for us

        if args.stdin {
            for line in std::io::stdin().lock().lines() {
                let line =
                    line.map_err(|e| Failure::Usage(text!("tcp-client-stdin-failed", error = e)))?;
                exchange(n, &sock, line.as_bytes(), args.timeout)?;
            }
        } else {
            exchange(n, &sock, args.message.as_bytes(), args.timeout)?;
        }

        steps::shutdown_write(n, &sock)?; // our FIN: "no more requests"
        let mut rest = [0u8; 1024];
        while steps::recv(n, &sock, &mut rest).map_err(|f| timed_out(f, args.timeout))? > 0 {}
        Ok(())
    })();
    // Every hint and check command names the server we talked to.
    outcome.and(steps::close(n, sock)).map_err(|f| f.at(server))
}

/// Tries each address in the resolver's order (socket + connect), like Python's
/// `socket.create_connection`: `localhost` may give ::1 first and 127.0.0.1 next.
/// Returns the connected socket and the address that answered.
pub fn connect_first(
    n: &Narrator,
    addrs: &[SocketAddr],
    timeout: Option<Duration>,
) -> Result<(Socket, SocketAddr), Failure> {
    let mut last = None;
    for (i, &addr) in addrs.iter().enumerate() {
        let sock = steps::socket(
            n,
            Domain::for_address(addr),
            Type::STREAM,
            Some(Protocol::TCP),
        )?;
        let attempt = (|| -> Result<(), Failure> {
            if let Some(after) = timeout {
                steps::set_timeout(n, &sock, Timeout::Send, after)?; // bounds connect()
                steps::set_timeout(n, &sock, Timeout::Receive, after)?; // bounds recv()
            }
            steps::connect(n, &sock, addr)
        })();
        match attempt {
            Ok(()) => return Ok((sock, addr)),
            Err(failure) => {
                steps::close(n, sock)?;
                if i + 1 < addrs.len() {
                    n.note(n.say(text!(
                        "tcp-client-no-luck-with-trying-next",
                        addr,
                        i = addrs[i + 1]
                    )));
                }
                last = Some(timed_out(failure, timeout));
            }
        }
    }
    Err(last.unwrap_or_else(|| Failure::Usage(text!("tcp-client-no-address"))))
}

/// Sends one message and receives exactly as many bytes back: the echo is the same
/// length, and TCP may deliver it in several pieces, so we loop.
fn exchange(
    n: &Narrator,
    sock: &Socket,
    message: &[u8],
    timeout: Option<Duration>,
) -> Result<(), Failure> {
    steps::send_all(n, sock, message)?;
    let mut reply = Vec::with_capacity(message.len());
    let mut buf = vec![0u8; message.len().clamp(1, 65536)];
    while reply.len() < message.len() {
        let want = (message.len() - reply.len()).min(buf.len());
        let got = steps::recv(n, sock, &mut buf[..want]).map_err(|f| timed_out(f, timeout))?;
        if got == 0 {
            return Err(Failure::ShortReply {
                got: reply.len(),
                expected: message.len(),
            });
        }
        reply.extend_from_slice(&buf[..got]);
    }
    n.data(
        n.say(text!(
            "tcp-client-received",
            readable = raw_core::trace::strace::readable(&reply, usize::MAX)
        )),
        &reply,
    );
    Ok(())
}

/// Adds "after N s" to a failure caused by our own timeout.
fn timed_out(failure: Failure, timeout: Option<Duration>) -> Failure {
    match timeout {
        Some(after) => failure.with(Fact::TimedOutAfter(after.as_secs_f64())),
        None => failure,
    }
}
