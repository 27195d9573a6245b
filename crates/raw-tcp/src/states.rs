//! `raw-tcp lab states`: all eleven TCP states of RFC 793, reached for real and told by
//! the kernel (its tracepoint `sock:inet_sock_set_state`, as root).
//!
//! ```text
//! sudo raw-tcp lab states
//! sudo raw-tcp --json lab states | grep '"kind":"transition"'
//! ```
//!
//! Part 1 is lab 1's connection, closed the usual way: CLOSED, LISTEN, SYN-SENT,
//! SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, LAST-ACK, TIME-WAIT.
//! The eleventh, CLOSING, needs both sides to send FIN before either FIN arrives. On
//! loopback a FIN arrives inside the `shutdown` that sent it, so part 2 makes a network
//! namespace of its own (`unshare(CLONE_NEWNET)`) and an nftables rule that drops the
//! client's first FIN: the server's FIN then finds the client in FIN-WAIT-1, and the
//! kernel sends the lost FIN again when its retransmission timer runs out.

use raw_core::steps::{self, process, PortFrom};
use raw_core::text;
use raw_core::trace::event::{Event, Kind};
use raw_core::trace::kernel_table;
use raw_core::trace::tcp_state::TcpState;
use raw_core::views::Sink;
use raw_core::{Failure, Narrator};
use socket2::{Domain, Protocol, Socket, Type};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The eleven states, in the order RFC 793's figure 6 meets them.
const ELEVEN: [TcpState; 11] = [
    TcpState::Closed,
    TcpState::Listen,
    TcpState::SynSent,
    TcpState::SynReceived,
    TcpState::Established,
    TcpState::FinWait1,
    TcpState::FinWait2,
    TcpState::Closing,
    TcpState::TimeWait,
    TcpState::CloseWait,
    TcpState::LastAck,
];

/// A view that keeps every state the run reached: the kernel's transitions (both
/// ends), the looks after our calls, and the kernel table's TIME-WAIT.
#[derive(Debug, Clone, Default)]
struct Reached(Arc<Mutex<BTreeSet<&'static str>>>);

impl Sink for Reached {
    fn wants(&self, kind: Kind) -> bool {
        matches!(kind, Kind::Transition | Kind::Probe | Kind::Note)
    }

    fn event(&self, event: &Event) {
        let Ok(mut seen) = self.0.lock() else { return };
        for state in [event.from, event.to, event.state].into_iter().flatten() {
            seen.insert(state.name());
        }
    }
}

/// Runs both parts and ends with the states reached, each marked.
pub fn states(n: &Narrator) -> Result<(), Failure> {
    let reached = Reached::default();
    let n = &n.also(reached.clone());
    usual_close(n)?;
    if nix::unistd::geteuid().is_root() {
        simultaneous_close(n)?;
    } else {
        n.note(n.say(text!("tcp-lab-states-needs-root")));
    }
    let seen = reached.0.lock().map(|s| s.clone()).unwrap_or_default();
    let (hit, missing): (Vec<_>, Vec<_>) = ELEVEN.iter().partition(|s| seen.contains(s.name()));
    let names = |states: &[&TcpState]| {
        states
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !missing.is_empty() {
        n.note(n.say(text!("tcp-lab-states-missing", missing = names(&missing))));
    }
    let said = text!("tcp-lab-states-seen", seen = names(&hit), count = hit.len());
    n.summary(n.say(said), n.say(text!("tcp-lab-states-why")));
    Ok(())
}

/// A new TCP socket on IPv4.
fn tcp_socket(n: &Narrator) -> Result<Socket, Failure> {
    steps::socket(n, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
}

/// A listener on 127.0.0.1 (port chosen by the kernel), a client connected to it, the
/// server's end of that connection, the client's address and the server's.
fn connected(
    server: &Narrator,
    client: &Narrator,
) -> Result<(Socket, Socket, Socket, SocketAddr, SocketAddr), Failure> {
    let (listener, addr) = crate::lab::listening(server, 8)?;
    let sock = tcp_socket(client)?;
    steps::connect(client, &sock, addr)?;
    let local = steps::getsockname(client, &sock, PortFrom::Connect)?;
    let (conn, _) = steps::accept(server, &listener)?;
    Ok((listener, sock, conn, local, addr))
}

/// Part 1: the client closes first; the server reads the end, then closes.
fn usual_close(n: &Narrator) -> Result<(), Failure> {
    let (server, client) = (n.side("server"), n.side("client"));
    n.note(n.say(text!("tcp-lab-states-part-1")));
    let (listener, sock, conn, local, addr) = connected(&server, &client)?;
    let mut buf = [0u8; 16];
    steps::shutdown_write(&client, &sock)?; // FIN-WAIT-1
    steps::recv(&server, &conn, &mut buf)?; // 0: CLOSE-WAIT
    steps::close(&server, conn)?; // LAST-ACK, then CLOSED at the client's ACK
    steps::recv(&client, &sock, &mut buf)?; // 0: the server's FIN
    steps::close(&client, sock)?;
    steps::close(&server, listener)?;
    crate::lab::show_time_wait(n, local, addr);
    Ok(())
}

/// Part 2: both sides send FIN before either FIN arrives, so the client passes CLOSING.
fn simultaneous_close(n: &Narrator) -> Result<(), Failure> {
    let (server, client) = (n.side("server"), n.side("client"));
    n.note(n.say(text!("tcp-lab-states-part-2")));
    process::unshare_network(n)?;
    if !ran(n, "ip", &["link", "set", "lo", "up"], "ip -br link show lo") {
        return Ok(());
    }
    n.note(n.say(text!("tcp-lab-states-lo-up")));
    let (listener, sock, conn, local, addr) = connected(&server, &client)?;
    let rule = format!(
        "add table inet raw_sockets_states; \
         add chain inet raw_sockets_states out {{ type filter hook output priority 0; }}; \
         add rule inet raw_sockets_states out tcp sport {} tcp flags fin drop",
        local.port()
    );
    if !ran(n, "nft", &[rule.as_str()], "nft list ruleset") {
        return Ok(());
    }
    n.note(n.say(text!("tcp-lab-states-fin-dropped", port = local.port())));
    steps::shutdown_write(&client, &sock)?; // FIN-WAIT-1; the FIN is dropped
    let removed = ran(
        n,
        "nft",
        &["delete table inet raw_sockets_states"],
        "nft list ruleset",
    );
    if removed {
        n.note(n.say(text!("tcp-lab-states-rule-removed")));
    }
    steps::shutdown_write(&server, &conn)?; // its FIN finds the client in FIN-WAIT-1: CLOSING
    let mut buf = [0u8; 16];
    steps::recv(&client, &sock, &mut buf)?; // 0: the server's FIN
    n.note(n.say(text!("tcp-lab-states-waiting")));
    let end = Instant::now() + Duration::from_secs(3);
    while Instant::now() < end
        && kernel_table::on_port(local.port())
            .iter()
            .any(|s| s.state == TcpState::Closing)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    steps::tcp_state(&client, &sock);
    steps::close(&client, sock)?;
    steps::close(&server, conn)?;
    steps::close(&server, listener)?;
    crate::lab::show_time_wait(n, local, addr); // both ends, after a simultaneous close
    crate::lab::show_time_wait(n, addr, local);
    Ok(())
}

/// Runs a helper program (`ip`, `nft`); on failure, says so with the command that
/// checks, and returns false.
fn ran(n: &Narrator, tool: &str, args: &[&str], check: &str) -> bool {
    let why = match Command::new(tool).args(args).output() {
        Ok(out) if out.status.success() => return true,
        Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_string(),
        Err(e) => e.to_string(),
    };
    n.note(n.say(text!("tcp-lab-states-tool-failed", tool, why, check)));
    false
}
