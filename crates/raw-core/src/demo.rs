//! `raw-tcp demo`: the whole first lab in one command. It lives here, beside the steps
//! it is made of, because `raw-udp demo` runs it too, to compare the same message over
//! TCP; `raw-tcp demo` calls [`run`].
//!
//! Server and client run in this one process, one thread, so their syscalls are
//! interleaved in exactly the order the kernel sees them, and every line can be
//! checked against `strace -e trace=%network raw-tcp demo`. After each step the TCP
//! state of the socket is read from the kernel (`getsockopt(TCP_INFO)`), and where no
//! fd is left to ask (TIME-WAIT), from the kernel's table (`/proc/net/tcp`).
//!
//! ```text
//! raw-tcp demo                 # on a free port of 127.0.0.1
//! raw-tcp demo --host ::1      # the same over IPv6
//! raw-tcp demo --lang pt-BR    # in Portuguese
//! ```

#![forbid(unsafe_code)]

use crate::resolve::resolve;
use crate::steps::PortFrom;
use crate::text;
use crate::trace::kernel_table;
use crate::trace::tcp_state::TcpState;
use crate::views::Timeline;
use crate::{steps, Failure, Narrator};
use clap::Args;
use socket2::{Domain, Protocol, Type};

/// Options of `raw-tcp demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Address for the server (and for the client to reach it)
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Server port; 0 (the default) picks a free one so the demo never collides
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The client's message
    #[arg(long, default_value = "Hello, world")]
    pub message: String,
}

/// Runs server and client step by step, interleaved.
pub fn run(n: &Narrator, args: &DemoArgs) -> Result<(), Failure> {
    let timeline = Timeline::default(); // a view that remembers every state seen
    let server = n.side("server").also(timeline.clone());
    let client = n.side("client").also(timeline.clone());
    let (server, client) = (&server, &client);
    let addr = resolve(&args.host, args.port)?[0];
    let message = args.message.as_bytes();

    // The server gets ready: socket, SO_REUSEADDR, bind, listen. No packets yet.
    let listener = steps::socket(
        server,
        Domain::for_address(addr),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    steps::set_reuseaddr(server, &listener)?;
    steps::bind(server, &listener, addr, true)?;
    let bound = steps::getsockname(server, &listener, PortFrom::Bind(addr.port()))?;
    steps::listen(server, &listener, 128)?;

    // The client connects. The kernel answers the handshake on the server's behalf,
    // before the server calls accept: connect() returns with the connection ESTABLISHED.
    let sock = steps::socket(
        client,
        Domain::for_address(bound),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    steps::connect(client, &sock, bound)?;
    let client_addr = steps::getsockname(client, &sock, PortFrom::Connect)?;

    // The server takes the finished connection: a new fd, same local port.
    let (conn, _peer) = steps::accept(server, &listener)?;

    // One echo: the client sends, the server receives, upper-cases, sends back.
    steps::send_all(client, &sock, message)?;
    let mut buf = vec![0u8; message.len().max(1024)];
    let got = steps::recv(server, &conn, &mut buf)?;
    buf[..got].make_ascii_uppercase();
    steps::send_all(server, &conn, &buf[..got])?;
    let mut reply = vec![0u8; got.max(1)];
    let back = steps::recv(client, &sock, &mut reply)?;
    client.data(
        client.say(text!(
            "tcp-client-received",
            readable = crate::trace::strace::readable(&reply[..back], 200)
        )),
        &reply[..back],
    );

    // Goodbye. The client closes its sending side first (FIN): it will end in
    // TIME-WAIT. The server sees end-of-stream (CLOSE-WAIT) and closes too.
    steps::shutdown_write(client, &sock)?;
    steps::recv(server, &conn, &mut buf)?;
    // Linux delays the ACK of our FIN (40 to 200 ms, hoping to piggyback it), so the
    // client sits in FIN-WAIT-1 until it comes. Wait for it in the kernel's table (a
    // file read, not a socket syscall), then look at the client's socket again.
    client.note(client.say(text!("tcp-demo-usually-fin-wait-1-here")));
    wait_for_state(client_addr, bound, TcpState::FinWait2);
    steps::tcp_state(client, &sock);
    steps::close(server, conn)?;
    steps::recv(client, &sock, &mut reply)?;
    client.note(client.say(text!("tcp-demo-server-s-fin-arrived-client")));
    let client_fd = {
        use std::os::fd::AsRawFd;
        sock.as_raw_fd()
    };
    steps::close(client, sock)?;
    show_time_wait(client, client_fd, client_addr, bound);
    steps::close(server, listener)?;

    n.note(n.say(text!("tcp-demo-tcp-state-timeline-per-socket")));
    for line in timeline.lines(n.lang) {
        n.note(line);
    }
    Ok(())
}

/// Waits (at most 1 s) until the kernel's table shows `local` → `remote` in `state`.
fn wait_for_state(local: std::net::SocketAddr, remote: std::net::SocketAddr, state: TcpState) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while std::time::Instant::now() < deadline
        && kernel_table::state_of(local, remote) != Some(state)
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// After close, no fd is left to ask: read the connection's row from the kernel's
/// table, where the side that closed first now sits in TIME-WAIT.
fn show_time_wait(
    n: &Narrator,
    fd: i32,
    local: std::net::SocketAddr,
    remote: std::net::SocketAddr,
) {
    let state = kernel_table::state_of(local, remote);
    let seen = state.map(|s| s.name()).unwrap_or("(gone)");
    n.note_state(
        Some(fd),
        n.say(text!(
            "tcp-demo-kernel-table-proc-net-tcp",
            local,
            remote,
            seen
        )),
        state,
    );
}
