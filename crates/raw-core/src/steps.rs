//! The syscall steps: one function per syscall, each doing exactly that syscall once
//! (plus, when narrating a TCP socket, one `getsockopt(TCP_INFO)` to read the state).
//!
//! A lab's `main` is a list of these calls in the order the kernel sees them, so the
//! program reads like `strace` output. Each function:
//! 1. makes the syscall through socket2 (the socket's lifecycle) or nix (data);
//! 2. prints it as strace does, with its real return value and the caller's source line;
//! 3. on failure returns a [`Failure`] that names the syscall and the errno.
//!
//! Every step is `#[track_caller]`, so the narrated source line is the line in the lab
//! that called the step, not a line in this file.

use crate::error::{Fact, Failure};
use crate::kernel_table;
use crate::narrate::{Event, Narrator};
use crate::strace;
use crate::tcp_state;
use nix::errno::Errno;
use nix::sys::socket::MsgFlags;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsRawFd, IntoRawFd};
use std::time::Duration;

fn errno_of(err: &std::io::Error) -> Errno {
    Errno::from_raw(err.raw_os_error().unwrap_or(0))
}

fn domain_name(domain: Domain) -> &'static str {
    if domain == Domain::IPV4 {
        "AF_INET"
    } else if domain == Domain::IPV6 {
        "AF_INET6"
    } else {
        "AF_?"
    }
}

fn type_name(ty: Type) -> &'static str {
    if ty == Type::STREAM.nonblocking() {
        "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK"
    } else if ty == Type::STREAM {
        "SOCK_STREAM|SOCK_CLOEXEC"
    } else if ty == Type::DGRAM {
        "SOCK_DGRAM|SOCK_CLOEXEC"
    } else {
        "SOCK_?|SOCK_CLOEXEC"
    }
}

fn protocol_name(protocol: Option<Protocol>) -> &'static str {
    match protocol {
        Some(p) if p == Protocol::TCP => "IPPROTO_TCP",
        Some(p) if p == Protocol::UDP => "IPPROTO_UDP",
        _ => "IPPROTO_IP",
    }
}

/// Emits a syscall event; on a TCP narrator, reads and attaches the state first (one
/// `getsockopt(TCP_INFO)`, narrated right after).
#[track_caller]
fn narrate(n: &Narrator, syscall: &'static str, fd: i32, call: String, mut event: Event) {
    if !n.verbose() {
        return;
    }
    let probe = (n.tcp && fd >= 0).then(|| tcp_state::probe(fd));
    event.fd = Some(fd);
    if let Some(p) = &probe {
        event.state = p.state;
    }
    n.syscall(syscall, call, event);
    if let Some(p) = probe {
        n.probe(fd, p);
    }
}

/// **Syscall:** `socket(2)` — a new, unconnected endpoint; returns its fd.
/// socket2 always adds `SOCK_CLOEXEC` (the fd is not inherited across `exec`), and so
/// does the narration, because strace shows it.
/// **Packets:** none. **TCP state:** CLOSED.
/// **Errors:** `EAFNOSUPPORT` (no IPv6 here), `EMFILE` (out of fds).
#[track_caller]
pub fn socket(
    n: &Narrator,
    domain: Domain,
    ty: Type,
    protocol: Option<Protocol>,
) -> Result<Socket, Failure> {
    n.before(|| {
        format!(
            "socket({}, {}, {})",
            domain_name(domain),
            type_name(ty),
            protocol_name(protocol)
        )
    }); // --step: say what comes, wait for Enter
    let result = Socket::new(domain, ty, protocol);
    let args = format!(
        "socket({}, {}, {})",
        domain_name(domain),
        type_name(ty),
        protocol_name(protocol)
    );
    match result {
        Ok(sock) => {
            let fd = sock.as_raw_fd();
            let text = format!(
                "{} {fd}.",
                n.t(
                    "The kernel made a new socket, not yet tied to any address or peer; nothing on the wire. Its file descriptor is",
                    "O kernel criou um socket novo, ainda sem endereço nem par; nada na rede. Seu descritor de arquivo é"
                )
            );
            narrate(
                n,
                "socket",
                fd,
                format!("{args} = {fd}"),
                Event {
                    text,
                    ..Event::default()
                },
            );
            Ok(sock)
        }
        Err(e) => {
            let errno = errno_of(&e);
            n.syscall(
                "socket",
                format!("{args} = {}", strace::failed(errno)),
                Event::default(),
            );
            Err(Failure::sys("socket", errno))
        }
    }
}

/// **Syscall:** `setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, [1], 4)`, see `socket(7)`.
/// Lets `bind` succeed while old connections on the port linger in TIME-WAIT, so a
/// restarted server does not wait a minute. It never lets two servers listen at once.
/// **Packets:** none. **TCP state:** unchanged (CLOSED).
#[track_caller]
pub fn set_reuseaddr(n: &Narrator, sock: &Socket) -> Result<(), Failure> {
    n.before(|| {
        format!(
            "setsockopt({}, SOL_SOCKET, SO_REUSEADDR, [1], 4)",
            sock.as_raw_fd()
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    let result = sock.set_reuse_address(true);
    let args = format!("setsockopt({fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4)");
    let ret = result.as_ref().map(|_| 0).map_err(errno_of);
    narrate(
        n,
        "setsockopt",
        fd,
        format!("{args} = {}", strace::ret(ret)),
        Event {
            text: if n.tcp {
                n.t(
                    "SO_REUSEADDR on: bind may reuse a port whose old connections still sit in TIME-WAIT.",
                    "SO_REUSEADDR ligado: o bind pode reusar uma porta cujas conexões antigas ainda estão em TIME-WAIT.",
                )
            } else {
                n.t(
                    "SO_REUSEADDR on, as the assignment's server does. UDP has no TIME-WAIT; on Linux this even lets a second UDP socket that also sets it bind the same port (then only one of them gets each datagram).",
                    "SO_REUSEADDR ligado, como no servidor do roteiro. O UDP não tem TIME-WAIT; no Linux isso até deixa um segundo socket UDP que também o ligue usar a mesma porta (e só um deles recebe cada datagrama).",
                )
            }
            .to_string(),
            ..Event::default()
        },
    );
    result.map_err(|e| Failure::sys("setsockopt", errno_of(&e)))
}

/// **Syscall:** `setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, [0 or 1], 4)`, see `ipv6(7)`.
/// Off means dual stack: an IPv6 socket bound to `::` also accepts IPv4 clients, who
/// then appear as IPv4-mapped addresses (`::ffff:127.0.0.1`). We set it explicitly
/// because the default comes from `/proc/sys/net/ipv6/bindv6only` and varies.
/// **Packets:** none. **TCP state:** unchanged.
#[track_caller]
pub fn set_v6only(n: &Narrator, sock: &Socket, only_v6: bool) -> Result<(), Failure> {
    n.before(|| {
        format!(
            "setsockopt({}, SOL_IPV6, IPV6_V6ONLY, [{}], 4)",
            sock.as_raw_fd(),
            u8::from(only_v6)
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    let result = sock.set_only_v6(only_v6);
    let args = format!(
        "setsockopt({fd}, SOL_IPV6, IPV6_V6ONLY, [{}], 4)",
        u8::from(only_v6)
    );
    let ret = result.as_ref().map(|_| 0).map_err(errno_of);
    let text = if only_v6 {
        n.t(
            "IPV6_V6ONLY on: IPv6 clients only.",
            "IPV6_V6ONLY ligado: só clientes IPv6.",
        )
    } else {
        n.t(
            "IPV6_V6ONLY off: this IPv6 socket also takes IPv4 clients; they will show as ::ffff:a.b.c.d (IPv4-mapped IPv6 addresses).",
            "IPV6_V6ONLY desligado: este socket IPv6 também aceita clientes IPv4; eles aparecem como ::ffff:a.b.c.d (endereços IPv4 mapeados em IPv6).",
        )
    };
    narrate(
        n,
        "setsockopt",
        fd,
        format!("{args} = {}", strace::ret(ret)),
        Event {
            text: text.to_string(),
            ..Event::default()
        },
    );
    result.map_err(|e| Failure::sys("setsockopt", errno_of(&e)))
}

/// **Syscall:** `setsockopt(fd, SOL_TCP, TCP_NODELAY, [1], 4)`, see `tcp(7)`: turn
/// off Nagle's algorithm, so a small write goes out at once instead of waiting for the
/// ACK of earlier data. Set on a listener, it is inherited by every accepted socket.
/// **Packets:** none. **TCP state:** unchanged.
#[track_caller]
pub fn set_nodelay(n: &Narrator, sock: &Socket) -> Result<(), Failure> {
    n.before(|| {
        format!(
            "setsockopt({}, SOL_TCP, TCP_NODELAY, [1], 4)",
            sock.as_raw_fd()
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    let result = sock.set_tcp_nodelay(true);
    let ret = result.as_ref().map(|_| 0).map_err(errno_of);
    let text = n.t(
        "TCP_NODELAY on: small writes leave at once (no Nagle delay); accepted sockets inherit it.",
        "TCP_NODELAY ligado: escritas pequenas saem na hora (sem o atraso de Nagle); os sockets aceitos herdam.",
    );
    narrate(
        n,
        "setsockopt",
        fd,
        format!(
            "setsockopt({fd}, SOL_TCP, TCP_NODELAY, [1], 4) = {}",
            strace::ret(ret)
        ),
        Event {
            text: text.to_string(),
            ..Event::default()
        },
    );
    result.map_err(|e| Failure::sys("setsockopt", errno_of(&e)))
}

/// Which timeout [`set_timeout`] sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// `SO_RCVTIMEO`: a blocking receive gives up with `EAGAIN`.
    Receive,
    /// `SO_SNDTIMEO`: a blocking send, and a blocking `connect`, give up.
    Send,
}

/// **Syscall:** `setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO|SO_SNDTIMEO, {tv_sec, tv_usec}, 16)`,
/// see `socket(7)`. strace (6.x, x86_64) names them `SO_RCVTIMEO_OLD`/`SO_SNDTIMEO_OLD`:
/// the 32/64-bit `timeval` flavour glibc uses.
/// **Packets:** none. **TCP state:** unchanged.
#[track_caller]
pub fn set_timeout(
    n: &Narrator,
    sock: &Socket,
    which: Timeout,
    after: Duration,
) -> Result<(), Failure> {
    n.before(|| {
        format!(
            "setsockopt({}, SOL_SOCKET, {}, ...)",
            sock.as_raw_fd(),
            if which == Timeout::Receive {
                "SO_RCVTIMEO"
            } else {
                "SO_SNDTIMEO"
            }
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    let (result, name) = match which {
        Timeout::Receive => (sock.set_read_timeout(Some(after)), "SO_RCVTIMEO_OLD"),
        Timeout::Send => (sock.set_write_timeout(Some(after)), "SO_SNDTIMEO_OLD"),
    };
    // strace 6.1 does not decode this struct timeval {tv_sec, tv_usec}: it prints its
    // 16 bytes, so we do too.
    let mut timeval = Vec::with_capacity(16);
    timeval.extend_from_slice(&(after.as_secs() as i64).to_ne_bytes());
    timeval.extend_from_slice(&i64::from(after.subsec_micros()).to_ne_bytes());
    let args = format!(
        "setsockopt({fd}, SOL_SOCKET, {name}, {}, 16)",
        strace::quoted(&timeval)
    );
    let ret = result.as_ref().map(|_| 0).map_err(errno_of);
    let text = match which {
        Timeout::Receive => n.t(
            "A receive timeout: a blocking recv gives up with EAGAIN instead of waiting forever.",
            "Um prazo de recepção: um recv bloqueante desiste com EAGAIN em vez de esperar para sempre.",
        ),
        Timeout::Send => n.t(
            "A send timeout; for TCP it also bounds how long connect() waits for the handshake.",
            "Um prazo de envio; no TCP ele também limita quanto o connect() espera pelo handshake.",
        ),
    };
    narrate(
        n,
        "setsockopt",
        fd,
        format!("{args} = {}", strace::ret(ret)),
        Event {
            text: text.to_string(),
            ..Event::default()
        },
    );
    result.map_err(|e| Failure::sys("setsockopt", errno_of(&e)))
}

/// **Syscall:** `bind(2)` — give the socket its local address and port.
/// Port 0 asks the kernel to pick a free (ephemeral) port; [`getsockname`] reads it back.
/// **Packets:** none. **TCP state:** CLOSED (bound, but not listening yet).
/// **Errors:** `EADDRINUSE` (port taken: a running server, or TIME-WAIT without
/// SO_REUSEADDR), `EACCES` (port < 1024 without privilege), `EADDRNOTAVAIL` (not one of
/// this machine's addresses).
#[track_caller]
pub fn bind(n: &Narrator, sock: &Socket, addr: SocketAddr, reuseaddr: bool) -> Result<(), Failure> {
    n.before(|| {
        format!(
            "bind({}, {}, {})",
            sock.as_raw_fd(),
            strace::sockaddr(&addr),
            strace::sockaddr_len(&addr)
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    n.watch(addr.port()); // --capture: this lab's port, if it is not 0
    if addr.ip().is_unspecified() && running_on_wsl2() {
        n.note(wsl2_warning(n, addr.port()));
    }
    let result = sock.bind(&SockAddr::from(addr));
    let args = format!(
        "bind({fd}, {}, {})",
        strace::sockaddr(&addr),
        strace::sockaddr_len(&addr)
    );
    match result {
        Ok(()) => {
            let mut text = format!(
                "{} {addr}. {}",
                n.t(
                    "Bound: the socket now owns",
                    "Vinculado: o socket agora é dono de"
                ),
                n.t("Still no packets.", "Ainda nenhum pacote.")
            );
            if addr.port() == 0 {
                text.push_str(n.t(
                    " Port 0 means 'any free port': getsockname will tell which one the kernel chose.",
                    " Porta 0 quer dizer 'qualquer porta livre': o getsockname vai dizer qual o kernel escolheu.",
                ));
            }
            narrate(
                n,
                "bind",
                fd,
                format!("{args} = 0"),
                Event {
                    local: Some(addr.to_string()),
                    text,
                    ..Event::default()
                },
            );
            Ok(())
        }
        Err(e) => {
            let errno = errno_of(&e);
            n.syscall(
                "bind",
                format!("{args} = {}", strace::failed(errno)),
                Event {
                    fd: Some(fd),
                    ..Event::default()
                },
            );
            let mut failure = Failure::sys("bind", errno).with(Fact::Addr(addr));
            if !reuseaddr {
                failure = failure.with(Fact::ReuseAddrOff);
            }
            if errno == Errno::EADDRINUSE {
                failure = explain_port_in_use(failure, addr.port());
            }
            Err(failure)
        }
    }
}

/// Whether this Linux is WSL2 (its kernel release names Microsoft): its address is
/// behind a NAT inside Windows.
pub fn running_on_wsl2() -> bool {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .is_ok_and(|release| is_wsl2_release(&release))
}

/// Whether a kernel release string (`uname -r`) is WSL2's.
pub fn is_wsl2_release(release: &str) -> bool {
    release.to_ascii_lowercase().contains("microsoft")
}

/// What a student on WSL2 must know before a classmate tries to connect.
pub fn wsl2_warning(n: &Narrator, port: u16) -> String {
    if n.lang == crate::Lang::PtBr {
        format!("Atenção, WSL2: este Linux fica atrás de um NAT dentro do Windows, e os colegas não alcançam o endereço dele. Use a rede espelhada do WSL (networkingMode=mirrored em %UserProfile%\\.wslconfig), ou encaminhe a porta no Windows (PowerShell como administrador): netsh interface portproxy add v4tov4 listenport={port} connectport={port} connectaddress=$(wsl hostname -I) e libere a porta {port} no firewall do Windows.")
    } else {
        format!("Warning, WSL2: this Linux sits behind a NAT inside Windows, and classmates cannot reach its address. Use WSL's mirrored networking (networkingMode=mirrored in %UserProfile%\\.wslconfig), or forward the port on Windows (PowerShell as administrator): netsh interface portproxy add v4tov4 listenport={port} connectport={port} connectaddress=$(wsl hostname -I), and allow port {port} in the Windows firewall.")
    }
}

/// Looks in the kernel's table for who holds `port`: a listener (and its process, when
/// /proc lets us see it) or connections in TIME-WAIT.
fn explain_port_in_use(mut failure: Failure, port: u16) -> Failure {
    let on_port = kernel_table::on_port(port);
    for s in on_port
        .iter()
        .filter(|s| s.state == tcp_state::TcpState::Listen)
    {
        if let Some((pid, comm)) = kernel_table::owner(s.inode) {
            failure = failure.with(Fact::HeldBy(pid, comm));
        }
    }
    let lingering = on_port
        .iter()
        .filter(|s| s.state == tcp_state::TcpState::TimeWait)
        .count();
    if lingering > 0 {
        failure = failure.with(Fact::TimeWait(lingering));
    }
    failure
}

/// **Syscall:** `getsockname(2)` — which local address and port does this socket have?
/// After `bind(port 0)` or `connect`, this is how we learn the port the kernel chose.
/// socket2 offers a `sockaddr_storage` (128 bytes), hence strace's `[128 => 16]`.
/// **Packets:** none. **TCP state:** unchanged.
#[track_caller]
pub fn getsockname(n: &Narrator, sock: &Socket) -> Result<SocketAddr, Failure> {
    n.before(|| format!("getsockname({}, ...)", sock.as_raw_fd())); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    let result = sock.local_addr();
    match result.as_ref().map(|a| a.as_socket()) {
        Ok(Some(addr)) => {
            let call = format!(
                "getsockname({fd}, {}, {}) = 0",
                strace::sockaddr(&addr),
                strace::inout_len(128, strace::sockaddr_len(&addr))
            );
            let mut text = format!(
                "{} {addr}.",
                n.t(
                    "The kernel says this socket's local address is",
                    "O kernel diz que o endereço local deste socket é"
                )
            );
            if addr.ip().is_unspecified() && addr.port() != 0 {
                text.push_str(n.t(
                    " The wildcard address means 'any of this machine's addresses': the kernel chose only the port, when it first needed one.",
                    " O endereço curinga quer dizer 'qualquer endereço desta máquina': o kernel escolheu só a porta, quando precisou dela pela primeira vez.",
                ));
            }
            // No state probe here: this is itself just a question to the kernel.
            n.syscall(
                "getsockname",
                call,
                Event {
                    fd: Some(fd),
                    local: Some(addr.to_string()),
                    text,
                    ..Event::default()
                },
            );
            Ok(addr)
        }
        Ok(None) => Err(Failure::sys("getsockname", Errno::EAFNOSUPPORT)),
        Err(e) => {
            let errno = errno_of(e);
            n.syscall(
                "getsockname",
                format!("getsockname({fd}, 0x0, [128]) = {}", strace::failed(errno)),
                Event::default(),
            );
            Err(Failure::sys("getsockname", errno))
        }
    }
}

/// **Syscall:** `listen(2)` — turn the socket into a passive (listening) socket.
/// From now on the kernel itself answers SYNs and completes handshakes, queueing up to
/// `backlog` finished connections for `accept` (see `/proc/sys/net/core/somaxconn`).
/// **Packets:** none. **TCP state:** CLOSED → LISTEN.
#[track_caller]
pub fn listen(n: &Narrator, sock: &Socket, backlog: i32) -> Result<(), Failure> {
    n.before(|| format!("listen({}, {backlog})", sock.as_raw_fd())); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    let result = sock.listen(backlog);
    let args = format!("listen({fd}, {backlog})");
    let ret = result.as_ref().map(|_| 0).map_err(errno_of);
    let text = format!(
        "{} {backlog}.",
        n.t(
            "Listening: the kernel now completes TCP handshakes for this port by itself and queues finished connections for accept(); queue length",
            "Escutando: o kernel agora completa sozinho os handshakes TCP nesta porta e enfileira as conexões prontas para o accept(); tamanho da fila"
        )
    );
    narrate(
        n,
        "listen",
        fd,
        format!("{args} = {}", strace::ret(ret)),
        Event {
            text,
            ..Event::default()
        },
    );
    result.map_err(|e| Failure::sys("listen", errno_of(&e)))
}

/// **Syscall:** `accept4(fd, &addr, &len, SOCK_CLOEXEC)`, see `accept(2)` — take the
/// next finished connection from the listener's queue (blocking until there is one).
/// Returns a *new* socket for that one client; the listening socket stays in LISTEN.
/// **Packets:** none: the SYN, SYN-ACK, ACK handshake already happened in the kernel.
/// **TCP state:** the new socket is ESTABLISHED.
/// **Errors:** `ECONNABORTED` (the client gave up while queued) is harmless: narrated,
/// and `accept` is called again. `EINTR` (a signal arrived) is returned to the caller,
/// which knows what the signal means (stop, or reap a child). `EMFILE`/`ENFILE`: out of
/// file descriptors.
#[track_caller]
pub fn accept(n: &Narrator, listener: &Socket) -> Result<(Socket, SocketAddr), Failure> {
    accept_with(n, listener, false)
}

/// Like [`accept`], for event loops: `accept4(fd, ..., SOCK_CLOEXEC|SOCK_NONBLOCK)` on a
/// non-blocking listener. The new socket is non-blocking too, in the same syscall; an
/// empty queue is `EAGAIN` ("nothing more to accept now"), returned to the caller.
#[track_caller]
pub fn accept_nonblocking(
    n: &Narrator,
    listener: &Socket,
) -> Result<(Socket, SocketAddr), Failure> {
    accept_with(n, listener, true)
}

#[track_caller]
fn accept_with(
    n: &Narrator,
    listener: &Socket,
    nonblocking: bool,
) -> Result<(Socket, SocketAddr), Failure> {
    n.before(|| format!("accept4({}, ...)", listener.as_raw_fd())); // --step: say what comes, wait for Enter
    let fd = listener.as_raw_fd();
    let flags = if nonblocking {
        "SOCK_CLOEXEC|SOCK_NONBLOCK"
    } else {
        "SOCK_CLOEXEC"
    };
    loop {
        let result = accept4_raw(
            fd,
            if nonblocking {
                libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK
            } else {
                libc::SOCK_CLOEXEC
            },
        );
        match result {
            Ok((conn, addr)) => {
                let cfd = conn.as_raw_fd();
                let peer = addr
                    .as_socket()
                    .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
                let call = format!(
                    "accept4({fd}, {}, {}, {flags}) = {cfd}",
                    strace::sockaddr(&peer),
                    strace::inout_len(128, strace::sockaddr_len(&peer))
                );
                let mut text = format!(
                    "{} {peer}. {} {cfd}; {} {fd} {}",
                    n.t("Connected by", "Conectado por"),
                    n.t(
                        "A new socket for this client only: fd",
                        "Um socket novo só para este cliente: fd"
                    ),
                    n.t("the listening fd", "o fd de escuta"),
                    n.t(
                        "stays in LISTEN, on the same port.",
                        "continua em LISTEN, na mesma porta."
                    )
                );
                if peer.ip().to_canonical() != peer.ip() {
                    text.push_str(n.t(
                        " The peer is an IPv4 client seen through a dual-stack IPv6 socket, so the kernel writes its address as ::ffff:a.b.c.d.",
                        " O par é um cliente IPv4 visto por um socket IPv6 de pilha dupla, por isso o kernel escreve o endereço como ::ffff:a.b.c.d.",
                    ));
                }
                narrate(
                    n,
                    "accept4",
                    cfd,
                    call,
                    Event {
                        peer: Some(peer.to_string()),
                        text,
                        ..Event::default()
                    },
                );
                return Ok((conn, peer));
            }
            Err((errno, storage)) => {
                let call = format!(
                    "accept4({fd}, {storage}, [128], {flags}) = {}",
                    strace::failed(errno)
                );
                let text = match errno {
                    Errno::ECONNABORTED => n.t("The client gave up while queued: harmless, calling accept again.", "O cliente desistiu enquanto esperava na fila: inofensivo, chamando accept de novo."),
                    Errno::EAGAIN => n.t("Would block: no more finished connections in the queue right now.", "Bloquearia: não há mais conexões prontas na fila agora."),
                    Errno::EINTR => n.t("Interrupted by a signal before a client arrived.", "Interrompido por um sinal antes de chegar um cliente."),
                    _ => "",
                };
                n.syscall(
                    "accept4",
                    call,
                    Event {
                        fd: Some(fd),
                        errno: Some(format!("{errno:?}")),
                        ret: Some(-1),
                        text: text.to_string(),
                        ..Event::default()
                    },
                );
                if errno == Errno::ECONNABORTED {
                    continue;
                }
                return Err(Failure::sys("accept", errno));
            }
        }
    }
}

/// The raw `accept4(2)` call, with a `sockaddr_storage` of our own so that, when it
/// fails, the narration can print the same pointer strace prints. socket2's `accept`
/// makes the same call with a buffer we cannot see.
#[allow(unsafe_code)]
fn accept4_raw(fd: i32, flags: libc::c_int) -> Result<(Socket, SockAddr), (Errno, String)> {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut storage = socket2::SockAddrStorage::zeroed();
    let mut len = storage.size_of();
    let storage_ptr: *mut socket2::SockAddrStorage = &mut storage;
    // SAFETY: `storage` is a zeroed sockaddr_storage of `len` bytes and `len` a valid
    // socklen_t; the kernel writes at most `len` bytes of address and updates `len`.
    let new_fd = unsafe { libc::accept4(fd, storage_ptr.cast(), &mut len, flags) };
    if new_fd < 0 {
        return Err((Errno::last(), strace::pointer(storage_ptr)));
    }
    // SAFETY: accept4 returned a new, open fd that nothing else owns; the kernel
    // initialised `len` bytes of `storage` with the peer's address.
    let (owned, addr) = unsafe { (OwnedFd::from_raw_fd(new_fd), SockAddr::new(storage, len)) };
    Ok((Socket::from(owned), addr))
}

/// **Syscall:** `connect(2)` — for TCP, the three-way handshake: the kernel sends SYN,
/// receives SYN-ACK, sends ACK, and only then does `connect` return.
/// The kernel also picks our local (ephemeral) port here, if we did not `bind`.
/// **Packets:** SYN →, ← SYN-ACK, ACK →. **TCP state:** CLOSED → SYN-SENT → ESTABLISHED.
/// **Errors:** `ECONNREFUSED` (the answer was RST: no one listens there),
/// `ENETUNREACH`/`EHOSTUNREACH` (no route), `ETIMEDOUT` (no answer at all).
#[track_caller]
pub fn connect(n: &Narrator, sock: &Socket, addr: SocketAddr) -> Result<(), Failure> {
    n.before(|| {
        format!(
            "connect({}, {}, {})",
            sock.as_raw_fd(),
            strace::sockaddr(&addr),
            strace::sockaddr_len(&addr)
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    n.watch(addr.port()); // --capture: watch the server's port before the SYN leaves
    let result = sock.connect(&SockAddr::from(addr));
    let args = format!(
        "connect({fd}, {}, {})",
        strace::sockaddr(&addr),
        strace::sockaddr_len(&addr)
    );
    match result {
        Ok(()) => {
            let text = if n.tcp {
                format!(
                    "{} {addr}: SYN →, ← SYN-ACK, ACK →. {}",
                    n.t("Connected to", "Conectado a"),
                    n.t("The handshake is complete.", "O handshake terminou.")
                )
            } else {
                format!(
                    "{} {addr}. {}",
                    n.t("UDP 'connect' to", "'connect' UDP para"),
                    n.t(
                        "No packet is sent: the kernel only records a default peer, filters datagrams from anyone else, and reports ICMP errors (ECONNREFUSED) to us.",
                        "Nenhum pacote sai: o kernel só guarda um par padrão, filtra datagramas de outros e nos repassa erros ICMP (ECONNREFUSED)."
                    )
                )
            };
            narrate(
                n,
                "connect",
                fd,
                format!("{args} = 0"),
                Event {
                    peer: Some(addr.to_string()),
                    text,
                    ..Event::default()
                },
            );
            Ok(())
        }
        Err(e) => {
            let errno = errno_of(&e);
            n.syscall(
                "connect",
                format!("{args} = {}", strace::failed(errno)),
                Event {
                    fd: Some(fd),
                    peer: Some(addr.to_string()),
                    ..Event::default()
                },
            );
            Err(Failure::sys("connect", errno).with(Fact::Addr(addr)))
        }
    }
}

/// **Syscall:** `sendto(fd, buf, len, MSG_NOSIGNAL, NULL, 0)` (glibc's `send(2)`),
/// repeated until every byte is accepted: a stream socket may take fewer bytes than
/// offered (a short write), and the rest must be sent again.
/// `MSG_NOSIGNAL`: if the peer is gone we get `EPIPE` back instead of being killed by
/// SIGPIPE.
/// **Packets:** one or more data segments (PSH, ACK) →, ACKs ←.
/// **TCP state:** unchanged (ESTABLISHED or CLOSE-WAIT).
#[track_caller]
pub fn send_all(n: &Narrator, sock: &Socket, data: &[u8]) -> Result<(), Failure> {
    let mut sent = 0;
    // An empty message is still one send (of 0 bytes), as the program asked for.
    loop {
        sent += send_some(n, sock, &data[sent..])?;
        if sent >= data.len() {
            return Ok(());
        }
    }
}

/// **Syscall:** one `sendto(fd, buf, len, MSG_NOSIGNAL, NULL, 0)`: returns how many bytes
/// the kernel took, which may be fewer than offered (a short write). On a non-blocking
/// socket a full send buffer is `EAGAIN`: the caller keeps the rest and waits until
/// the socket is writable. `EINTR` is retried unless a stop was requested.
/// **Packets:** data segments →. **TCP state:** unchanged.
#[track_caller]
pub fn send_some(n: &Narrator, sock: &Socket, data: &[u8]) -> Result<usize, Failure> {
    n.before(|| {
        format!(
            "sendto({}, {}, {}, MSG_NOSIGNAL, NULL, 0)",
            sock.as_raw_fd(),
            strace::quoted(data),
            data.len()
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    loop {
        let result = nix::sys::socket::send(fd, data, MsgFlags::MSG_NOSIGNAL);
        if !n.verbose() {
            // Nothing to print (-qq): skip building the strace text, on the hot path.
            match result {
                Ok(count) => return Ok(count),
                Err(Errno::EINTR) if !crate::signals::stop_requested() => continue,
                Err(errno) => return Err(Failure::sys("sendto", errno)),
            }
        }
        let args = format!(
            "sendto({fd}, {}, {}, MSG_NOSIGNAL, NULL, 0)",
            strace::quoted(data),
            data.len()
        );
        match result {
            Ok(count) => {
                let text = if count < data.len() {
                    format!(
                        "{} {count} {} {}; {}",
                        n.t(
                            "Short write: the kernel took",
                            "Escrita parcial: o kernel aceitou"
                        ),
                        n.t("of", "de"),
                        data.len(),
                        n.t(
                            "the rest must be sent later.",
                            "o resto precisa ser enviado depois."
                        )
                    )
                } else {
                    format!(
                        "{} {count} {}",
                        n.t("Sent", "Enviados"),
                        n.t(
                            "bytes (copied into the kernel's send buffer; TCP delivers them).",
                            "bytes (copiados para o buffer de envio do kernel; o TCP os entrega)."
                        )
                    )
                };
                narrate(
                    n,
                    "sendto",
                    fd,
                    format!("{args} = {count}"),
                    Event {
                        bytes: Some(count),
                        text,
                        ..Event::default()
                    },
                );
                return Ok(count);
            }
            Err(errno) => {
                let text = match errno {
                    Errno::EAGAIN => n.t("Would block: the send buffer is full; keep the rest and wait until the socket is writable.", "Bloquearia: o buffer de envio está cheio; guarde o resto e espere o socket ficar gravável."),
                    Errno::EPIPE => n.t("The peer is gone (EPIPE): MSG_NOSIGNAL spared us the SIGPIPE.", "O outro lado sumiu (EPIPE): o MSG_NOSIGNAL nos poupou do SIGPIPE."),
                    _ => "",
                };
                n.syscall(
                    "sendto",
                    format!("{args} = {}", strace::failed(errno)),
                    Event {
                        fd: Some(fd),
                        errno: Some(format!("{errno:?}")),
                        ret: Some(-1),
                        text: text.to_string(),
                        ..Event::default()
                    },
                );
                // EINTR: a signal arrived before any byte was taken; send again, unless
                // the signal asked us to stop.
                if errno == Errno::EINTR && !crate::signals::stop_requested() {
                    continue;
                }
                return Err(Failure::sys("sendto", errno));
            }
        }
    }
}

/// **Syscall:** `recvfrom(fd, buf, len, 0, NULL, NULL)` (glibc's `recv(2)`) — wait for
/// data and copy up to `len` bytes of it. TCP is a byte stream: one `send` may arrive as
/// several `recv`s and several sends as one. Returns 0 when the peer closed its side
/// (its FIN arrived): end of stream.
/// **Packets:** none sent by the call itself (the kernel ACKs data as it arrives).
/// **TCP state:** ESTABLISHED; CLOSE-WAIT once it returned 0.
#[track_caller]
pub fn recv(n: &Narrator, sock: &Socket, buf: &mut [u8]) -> Result<usize, Failure> {
    n.before(|| {
        format!(
            "recvfrom({}, ..., {}, 0, NULL, NULL)",
            sock.as_raw_fd(),
            buf.len()
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    let offered = buf.len();
    loop {
        match nix::sys::socket::recv(fd, buf, MsgFlags::empty()) {
            // Nothing to print (-qq): skip building the strace text, on the hot path.
            Ok(count) if !n.verbose() => return Ok(count),
            Err(errno) if !n.verbose() && errno != Errno::EINTR => {
                return Err(Failure::sys("recvfrom", errno))
            }
            Ok(count) => {
                let call = format!(
                    "recvfrom({fd}, {}, {offered}, 0, NULL, NULL) = {count}",
                    strace::quoted(&buf[..count])
                );
                let text = if count == 0 {
                    n.t(
                        "0 bytes: end of stream. The peer sent FIN (it closed or shut down its side); nothing more will arrive.",
                        "0 bytes: fim do fluxo. O outro lado enviou FIN (fechou ou encerrou seu lado); nada mais vai chegar.",
                    )
                    .to_string()
                } else {
                    format!(
                        "{} {count} bytes: {}",
                        n.t("Received", "Recebidos"),
                        strace::quoted_limit(&buf[..count], 80)
                    )
                };
                narrate(
                    n,
                    "recvfrom",
                    fd,
                    call,
                    Event {
                        bytes: Some(count),
                        text,
                        ..Event::default()
                    },
                );
                return Ok(count);
            }
            // EINTR: a signal arrived while we waited and nothing was read; wait again,
            // unless the signal asked us to stop.
            Err(Errno::EINTR) if !crate::signals::stop_requested() => {
                n.syscall(
                    "recvfrom",
                    format!(
                        "recvfrom({fd}, {}, {offered}, 0, NULL, NULL) = {}",
                        strace::pointer(buf.as_ptr()),
                        strace::failed(Errno::EINTR)
                    ),
                    Event {
                        fd: Some(fd),
                        ..Event::default()
                    },
                );
                continue;
            }
            Err(errno) => {
                n.syscall(
                    "recvfrom",
                    format!(
                        "recvfrom({fd}, {}, {offered}, 0, NULL, NULL) = {}",
                        strace::pointer(buf.as_ptr()),
                        strace::failed(errno)
                    ),
                    Event {
                        fd: Some(fd),
                        ..Event::default()
                    },
                );
                return Err(Failure::sys("recvfrom", errno));
            }
        }
    }
}

/// **Syscall:** `shutdown(fd, SHUT_WR)`, see `shutdown(2)` — "I will send no more":
/// the kernel sends FIN but the socket stays open, so we can still read the reply and
/// the peer's own FIN.
/// **Packets:** FIN →, ← ACK. **TCP state:** ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2
/// (or CLOSE-WAIT → LAST-ACK when the peer closed first).
#[track_caller]
pub fn shutdown_write(n: &Narrator, sock: &Socket) -> Result<(), Failure> {
    n.before(|| format!("shutdown({}, SHUT_WR)", sock.as_raw_fd())); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    let result = sock.shutdown(Shutdown::Write);
    let ret = result.as_ref().map(|_| 0).map_err(errno_of);
    let text = n
        .t(
            "Our side is done sending: the kernel sends FIN. We can still receive.",
            "Nosso lado terminou de enviar: o kernel envia FIN. Ainda podemos receber.",
        )
        .to_string();
    narrate(
        n,
        "shutdown",
        fd,
        format!("shutdown({fd}, SHUT_WR) = {}", strace::ret(ret)),
        Event {
            text,
            ..Event::default()
        },
    );
    result.map_err(|e| Failure::sys("shutdown", errno_of(&e)))
}

/// **Syscall:** `shutdown(fd, SHUT_RDWR)`, see `shutdown(2)`, on a connection another
/// thread is serving: its blocked `recv` returns 0 at once, so it ends cleanly. Used to
/// stop a threaded server. **Packets:** FIN →. **TCP state:** FIN-WAIT-1.
#[track_caller]
pub fn shutdown_fd(n: &Narrator, fd: std::os::fd::RawFd) -> Result<(), Failure> {
    n.before(|| format!("shutdown({fd}, SHUT_RDWR)")); // --step: say what comes, wait for Enter
    let result = nix::sys::socket::shutdown(fd, nix::sys::socket::Shutdown::Both);
    let text = n
        .t(
            "Both directions shut: the thread blocked in recv on this socket wakes up with 0 (end of stream).",
            "As duas direções encerradas: a thread bloqueada no recv deste socket acorda com 0 (fim do fluxo).",
        )
        .to_string();
    n.syscall(
        "shutdown",
        format!(
            "shutdown({fd}, SHUT_RDWR) = {}",
            strace::ret(result.map(|_| 0))
        ),
        Event {
            fd: Some(fd),
            text,
            ..Event::default()
        },
    );
    result.map_err(|errno| Failure::sys("shutdown", errno))
}

/// **Syscall:** `getsockopt(fd, SOL_TCP, TCP_INFO, ...)`, see `tcp(7)`: only look at the
/// socket's TCP state, as a step of its own (e.g. to see FIN-WAIT-1 become FIN-WAIT-2
/// once the peer's ACK arrived). **Packets:** none. **TCP state:** unchanged.
#[track_caller]
pub fn tcp_state(n: &Narrator, sock: &Socket) -> Option<tcp_state::TcpState> {
    let fd = sock.as_raw_fd();
    let probe = tcp_state::probe(fd);
    let state = probe.state;
    if n.verbose() {
        let at = std::panic::Location::caller();
        n.emit(Event {
            kind: Some(crate::narrate::Kind::Probe),
            syscall: Some("getsockopt"),
            call: Some(probe.call),
            ret: Some(if state.is_some() { 0 } else { -1 }),
            fd: Some(fd),
            state,
            text: n
                .t("Looking at the state again.", "Olhando o estado de novo.")
                .to_string(),
            source: Some(format!("{}:{}", at.file(), at.line())),
            ..Event::default()
        });
        if let Some(s) = state {
            n.record(fd, s, false);
        }
    }
    state
}

/// **Syscall:** `close(2)` — release the fd. For a connected TCP socket the kernel
/// sends FIN (if not sent yet) and finishes the goodbye on its own, even after our fd is
/// gone: the side that closes first ends in TIME-WAIT.
/// **Packets:** FIN → (unless already sent). **TCP state:** the fd is gone; in the
/// kernel the connection moves on to FIN-WAIT, LAST-ACK or TIME-WAIT.
#[track_caller]
pub fn close(n: &Narrator, sock: Socket) -> Result<(), Failure> {
    n.before(|| format!("close({})", sock.as_raw_fd())); // --step: say what comes, wait for Enter
    let fd = sock.into_raw_fd();
    let result = nix::unistd::close(fd);
    let text = if n.tcp {
        n.t("The fd is released; the kernel finishes the connection's goodbye by itself.", "O fd foi liberado; o kernel termina sozinho a despedida da conexão.")
    } else {
        n.t("The fd is released. UDP has no connection to close: no packet, no TIME-WAIT.", "O fd foi liberado. O UDP não tem conexão para fechar: nenhum pacote, nenhum TIME-WAIT.")
    }
    .to_string();
    // No probe after close: the fd no longer exists.
    n.syscall(
        "close",
        format!("close({fd}) = {}", strace::ret(result.map(|_| 0))),
        Event {
            fd: Some(fd),
            text,
            ..Event::default()
        },
    );
    result.map_err(|errno| Failure::sys("close", errno))
}

/// One datagram received by [`recvfrom`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram {
    /// Bytes copied into the buffer.
    pub len: usize,
    /// The datagram's real size (larger than `len` when it was cut).
    pub real_len: usize,
    /// Who sent it.
    pub from: SocketAddr,
}

impl Datagram {
    /// Whether the kernel cut it to fit the buffer.
    pub fn truncated(&self) -> bool {
        self.real_len > self.len
    }
}

/// **Syscall:** `recvfrom(fd, buf, len, MSG_TRUNC, &from, &fromlen)`, see `recv(2)` —
/// wait for one whole datagram and learn who sent it. Each call returns exactly one
/// datagram (message boundaries are kept); one larger than `buf` is cut, and
/// `MSG_TRUNC` makes the kernel return its real size so we can tell.
/// **Packets:** none (it reads what already arrived). **State:** UDP has none.
/// **Errors:** `EAGAIN` (the `SO_RCVTIMEO` timeout passed), `ECONNREFUSED` (on a
/// connected socket: an ICMP port-unreachable answered our last datagram), `EINTR`.
#[track_caller]
pub fn recvfrom(n: &Narrator, sock: &Socket, buf: &mut [u8]) -> Result<Datagram, Failure> {
    n.before(|| {
        format!(
            "recvfrom({}, ..., {}, MSG_TRUNC, ...)",
            sock.as_raw_fd(),
            buf.len()
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    let offered = buf.len();
    let result = recvfrom_trunc(fd, buf);
    if !n.verbose() {
        // Nothing to print (-qq): skip building the strace text, on the hot path.
        return match result {
            Ok((real_len, from)) => Ok(Datagram {
                len: real_len.min(offered),
                real_len,
                from,
            }),
            Err((errno, _)) => Err(Failure::sys("recvfrom", errno).with(Fact::Udp)),
        };
    }
    match result {
        Ok((real_len, from)) => {
            let len = real_len.min(offered);
            let datagram = Datagram {
                len,
                real_len,
                from,
            };
            let call = format!(
                "recvfrom({fd}, {}, {offered}, MSG_TRUNC, {}, {}) = {real_len}",
                strace::quoted(&buf[..len]),
                strace::sockaddr(&from),
                strace::inout_len(128, strace::sockaddr_len(&from))
            );
            let mut text = format!(
                "{} {len} bytes {} {from}: {}",
                n.t("One datagram:", "Um datagrama:"),
                n.t("from", "de"),
                strace::quoted_limit(&buf[..len], 80)
            );
            if datagram.truncated() {
                text = format!(
                    "{} {real_len} {} {offered}: {}",
                    n.t("TRUNCATED: the datagram had", "TRUNCADO: o datagrama tinha"),
                    n.t("bytes but the buffer holds", "bytes mas o buffer tem"),
                    n.t(
                        "the kernel dropped the rest (MSG_TRUNC told us).",
                        "o kernel descartou o resto (o MSG_TRUNC nos avisou)."
                    )
                );
            }
            n.syscall(
                "recvfrom",
                call,
                Event {
                    fd: Some(fd),
                    peer: Some(from.to_string()),
                    bytes: Some(len),
                    text,
                    ..Event::default()
                },
            );
            Ok(datagram)
        }
        Err((errno, pointers)) => {
            let call = format!(
                "recvfrom({fd}, {pointers}, [128]) = {}",
                strace::failed(errno)
            );
            let text = if errno == Errno::EINTR {
                n.t(
                    "Interrupted by a signal: the program gets EINTR (strace shows the kernel's ERESTARTSYS, since the handler was installed without SA_RESTART).",
                    "Interrompido por um sinal: o programa recebe EINTR (o strace mostra o ERESTARTSYS do kernel, pois o tratador foi instalado sem SA_RESTART).",
                )
                .to_string()
            } else {
                String::new()
            };
            let event = Event {
                fd: Some(fd),
                errno: Some(format!("{errno:?}")),
                ret: Some(-1),
                text,
                ..Event::default()
            };
            n.syscall("recvfrom", call, event);
            Err(Failure::sys("recvfrom", errno).with(Fact::Udp))
        }
    }
}

/// The raw `recvfrom(2)` call with `MSG_TRUNC`. nix's `recvfrom` takes no flags and
/// socket2's wants uninitialised memory, so this one call goes through libc. On
/// failure it returns the two pointers strace prints (buffer, address storage).
#[allow(unsafe_code)]
fn recvfrom_trunc(fd: i32, buf: &mut [u8]) -> Result<(usize, SocketAddr), (Errno, String)> {
    let mut storage = socket2::SockAddrStorage::zeroed();
    let mut len = storage.size_of();
    let storage_ptr: *mut socket2::SockAddrStorage = &mut storage;
    // SAFETY: `buf` is valid and writable for `buf.len()` bytes, `storage` is a zeroed
    // sockaddr_storage of `len` bytes, and `len` is a valid socklen_t: the kernel writes
    // at most that much into each and updates `len`. Nothing is kept beyond the call.
    let got = unsafe {
        libc::recvfrom(
            fd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_TRUNC,
            storage_ptr.cast(),
            &mut len,
        )
    };
    if got < 0 {
        let pointers = format!(
            "{}, {}, MSG_TRUNC, {}",
            strace::pointer(buf.as_ptr()),
            buf.len(),
            strace::pointer(storage_ptr)
        );
        return Err((Errno::last(), pointers));
    }
    // SAFETY: the kernel initialised `len` bytes of `storage` with a socket address.
    let addr = unsafe { SockAddr::new(storage, len) };
    Ok((
        got as usize,
        addr.as_socket()
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0))),
    ))
}

/// **Syscall:** `sendto(fd, buf, len, 0, &to, tolen)`, see `send(2)` — one datagram to
/// `to`, or, when `to` is `None` (a connected socket), to the connected peer
/// (`sendto(..., NULL, 0)`). The whole datagram goes or nothing does: there are no
/// short writes for UDP.
/// **Packets:** one UDP datagram (or IP fragments, above the MTU). **State:** none.
/// **Errors:** `EMSGSIZE` (over 65507 bytes on IPv4), `ECONNREFUSED` (connected socket:
/// an earlier datagram got an ICMP port-unreachable).
#[track_caller]
pub fn sendto(
    n: &Narrator,
    sock: &Socket,
    data: &[u8],
    to: Option<SocketAddr>,
) -> Result<usize, Failure> {
    n.before(|| {
        format!(
            "sendto({}, {}, {}, 0, ...)",
            sock.as_raw_fd(),
            strace::quoted(data),
            data.len()
        )
    }); // --step: say what comes, wait for Enter
    let fd = sock.as_raw_fd();
    if let Some(addr) = to {
        n.watch(addr.port()); // --capture: watch the peer's port before the datagram leaves
    }
    let (result, dest) = match to {
        Some(addr) => (
            sock.send_to(data, &SockAddr::from(addr))
                .map_err(|e| errno_of(&e)),
            format!(
                "{}, {}",
                strace::sockaddr(&addr),
                strace::sockaddr_len(&addr)
            ),
        ),
        None => (
            nix::sys::socket::send(fd, data, MsgFlags::empty()),
            "NULL, 0".to_string(),
        ),
    };
    let args = format!(
        "sendto({fd}, {}, {}, 0, {dest})",
        strace::quoted(data),
        data.len()
    );
    match result {
        Ok(count) => {
            let text = format!(
                "{} {count} bytes{}. {}",
                n.t("One datagram of", "Um datagrama de"),
                to.map(|a| format!(" → {a}")).unwrap_or_default(),
                n.t(
                    "No handshake, no acknowledgement: the kernel sends it and forgets it.",
                    "Sem handshake, sem confirmação: o kernel envia e esquece."
                )
            );
            n.syscall(
                "sendto",
                format!("{args} = {count}"),
                Event {
                    fd: Some(fd),
                    peer: to.map(|a| a.to_string()),
                    bytes: Some(count),
                    text,
                    ..Event::default()
                },
            );
            Ok(count)
        }
        Err(errno) => {
            n.syscall(
                "sendto",
                format!("{args} = {}", strace::failed(errno)),
                Event {
                    fd: Some(fd),
                    ..Event::default()
                },
            );
            let mut failure = Failure::sys("sendto", errno).with(Fact::Udp);
            if let Some(addr) = to {
                failure = failure.with(Fact::Addr(addr));
            }
            Err(failure)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WSL2's kernel release names Microsoft; ordinary ones do not.
    #[test]
    fn recognises_wsl2_kernels() {
        assert!(is_wsl2_release("5.15.153.1-microsoft-standard-WSL2"));
        assert!(!is_wsl2_release("6.18.44-generic"));
        let n = Narrator::new(crate::Lang::PtBr, crate::Mode::Text, "server");
        assert!(
            wsl2_warning(&n, 65432).contains("portproxy")
                && wsl2_warning(&n, 65432).contains("65432")
        );
    }
}
