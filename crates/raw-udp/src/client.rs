//! `raw-udp client`: the assignment's UDP client, one syscall per line.
//!
//! ```text
//! raw-udp client                          # prompts "Message:" ("Mensagem:"), like the assignment
//! raw-udp client --message "Hello, world" # one datagram, one reply
//! raw-udp client --connect                # a *connected* UDP socket: see below
//! strace -e trace=%network raw-udp client --message hi
//! ```
//!
//! The sequence: `socket(SOCK_DGRAM)` → `setsockopt(SO_RCVTIMEO)` (UDP never
//! retransmits, so we must not wait forever) → `sendto` (the kernel picks our port at
//! this first send) → `recvfrom` → `close`.
//!
//! With `--connect`, `connect()` on a UDP socket sends nothing: it records a default
//! peer, so we `send` without an address, datagrams from anyone else are filtered out,
//! and an ICMP port-unreachable comes back to us as `ECONNREFUSED`.

use clap::Args;
use raw_core::error::Fact;
use raw_core::narrate::Mode;
use raw_core::resolve::resolve;
use raw_core::steps::{self, PortFrom, Timeout};
use raw_core::text;
use raw_core::{Failure, Narrator};
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::time::Duration;

/// Options of `raw-udp client`.
#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// Server host: an IP (127.0.0.1, ::1, a classmate's address) or a name
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Server port
    #[arg(long, default_value_t = 65431)]
    pub port: u16,
    /// Send this one message and exit; without it, prompt "Message:" for each line
    /// until end of input (Ctrl-D), like the assignment's client
    #[arg(long)]
    pub message: Option<String>,
    /// How long to wait for each reply (UDP does not retransmit a lost datagram)
    #[arg(long, default_value = "2s", value_parser = raw_core::cli::parse_seconds)]
    pub timeout: Duration,
    /// connect() the UDP socket first: a default peer, replies from others filtered,
    /// ICMP errors reported as ECONNREFUSED
    #[arg(long)]
    pub connect: bool,
    /// recvfrom() buffer in bytes: a larger reply is cut by the kernel (MSG_TRUNC)
    #[arg(long, default_value_t = 65535, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    pub buffer: u32,
}

/// Runs the client: the syscall sequence, one step per line.
pub fn run(n: &Narrator, args: &ClientArgs) -> Result<(), Failure> {
    let server = resolve(&args.host, args.port)?[0];
    let sock = steps::socket(
        n,
        Domain::for_address(server),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    // Whatever happens below, close the socket afterwards with a narrated close(2)
    // (strace shows it, so we say it too).
    let outcome = (|| -> Result<(), Failure> {
        steps::set_timeout(n, &sock, Timeout::Receive, args.timeout)?;
        if args.connect {
            steps::connect(n, &sock, server)?; // no packet: only a default peer
        }
        let mut client = Client {
            n,
            sock: &sock,
            server,
            args,
            port_shown: false,
        };
        match &args.message {
            Some(message) => client.exchange(message.as_bytes())?,
            None => {
                let stdin = std::io::stdin();
                loop {
                    if n.mode == Mode::Text {
                        // The assignment's prompt, in the narration's language.
                        let _ =
                            write!(std::io::stdout(), "{} ", n.say(text!("udp-client-message")));
                        let _ = std::io::stdout().flush();
                    }
                    let mut line = String::new();
                    if stdin
                        .lock()
                        .read_line(&mut line)
                        .map_err(|e| Failure::Usage(text!("tcp-client-stdin-failed", error = e)))?
                        == 0
                    {
                        if n.mode == Mode::Text {
                            let _ = writeln!(std::io::stdout()); // end the last prompt's line
                        }
                        break; // end of input
                    }
                    client.exchange(line.trim_end_matches(['\n', '\r']).as_bytes())?;
                }
            }
        }
        Ok(())
    })();
    // Every hint and check command names the server we talked to.
    outcome.and(steps::close(n, sock)).map_err(|f| f.at(server))
}

struct Client<'a> {
    n: &'a Narrator,
    sock: &'a Socket,
    server: SocketAddr,
    args: &'a ClientArgs,
    port_shown: bool,
}

impl Client<'_> {
    /// One datagram out, one datagram back.
    fn exchange(&mut self, message: &[u8]) -> Result<(), Failure> {
        let n = self.n;
        let to = (!self.args.connect).then_some(self.server);
        steps::sendto(n, self.sock, message, to)?;
        if !self.port_shown {
            // The port the kernel chose: at connect (with --connect), else at this first send.
            let from = if self.args.connect {
                PortFrom::Connect
            } else {
                PortFrom::FirstSend
            };
            steps::getsockname(n, self.sock, from)?;
            self.port_shown = true;
        }
        n.data(
            n.say(text!(
                "udp-client-sent",
                readable = raw_core::trace::strace::readable(message, usize::MAX)
            )),
            message,
        );
        let mut buf = vec![0u8; self.args.buffer as usize];
        loop {
            let datagram = steps::recvfrom(n, self.sock, &mut buf).map_err(|f| {
                f.with(Fact::TimedOutAfter(self.args.timeout.as_secs_f64()))
                    .at(self.server)
            })?;
            if !same_endpoint(datagram.from, self.server) {
                // Unconnected: anyone may write to our port. Only the server's answer counts.
                n.note(n.say(text!(
                    "udp-client-ignored-datagram-from-not-server",
                    from = datagram.from
                )));
                continue;
            }
            if datagram.truncated() {
                return Err(Failure::Truncated {
                    got: datagram.len,
                    real: datagram.real_len,
                });
            }
            let reply = &buf[..datagram.len];
            n.data(
                n.say(text!(
                    "udp-client-received",
                    readable = raw_core::trace::strace::readable(reply, usize::MAX)
                )),
                reply,
            );
            return Ok(());
        }
    }
}

/// Same address and port, treating `::ffff:a.b.c.d` and `a.b.c.d` alike.
fn same_endpoint(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port() && a.ip().to_canonical() == b.ip().to_canonical()
}
