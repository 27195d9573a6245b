//! What each syscall means, in one plain sentence, in English and in Brazilian
//! Portuguese: the single source of the sentences. The steps ([`crate::steps`]) say
//! them after their own calls; `raw-trace` says the same ones after the calls of any
//! program it traces (the course's Python scripts, a student's C server).
//!
//! Each function takes what the call's strace line shows (fds, addresses, counts,
//! the data) and nothing else, so the two uses cannot drift apart.

#![forbid(unsafe_code)]

use crate::lang::Lang;
use crate::record::SocketKind;
use crate::strace;
use std::net::SocketAddr;

/// `socket(2)` returned `fd`.
pub fn socket(lang: Lang, fd: i32) -> String {
    format!(
        "{} {fd}.",
        lang.pick(
            "The kernel made a new socket, not yet tied to a local address or a destination; nothing on the wire. Its file descriptor is",
            "O kernel criou um socket novo, ainda sem endereço local nem destino; nada na rede. Seu descritor de arquivo é"
        )
    )
}

/// `setsockopt(SO_REUSEADDR, 1)` on a socket of `kind`.
pub fn reuseaddr(lang: Lang, kind: Option<SocketKind>) -> String {
    if kind == Some(SocketKind::Udp) {
        lang.pick(
            "SO_REUSEADDR on, as the assignment's server does. UDP has no TIME-WAIT; on Linux this even lets a second UDP socket that also sets it bind the same port (then only one of them gets each datagram).",
            "SO_REUSEADDR ativado, como no servidor do roteiro. O UDP não tem TIME-WAIT; no Linux isso até deixa um segundo socket UDP que também o ative usar a mesma porta (e só um deles recebe cada datagrama).",
        )
    } else {
        lang.pick(
            "SO_REUSEADDR on: bind may reuse a port whose old connections still sit in TIME-WAIT.",
            "SO_REUSEADDR ativado: o bind pode reutilizar uma porta cujas conexões antigas ainda estão em TIME-WAIT.",
        )
    }
    .to_string()
}

/// `setsockopt(IPV6_V6ONLY, only_v6)`.
pub fn v6only(lang: Lang, only_v6: bool) -> String {
    if only_v6 {
        lang.pick(
            "IPV6_V6ONLY on: IPv6 clients only.",
            "IPV6_V6ONLY ativado: só clientes IPv6.",
        )
    } else {
        lang.pick(
            "IPV6_V6ONLY off: this IPv6 socket also takes IPv4 clients; they will show as ::ffff:a.b.c.d (IPv4-mapped IPv6 addresses).",
            "IPV6_V6ONLY desativado: este socket IPv6 também aceita clientes IPv4; eles aparecem como ::ffff:a.b.c.d (endereços IPv4 mapeados em IPv6).",
        )
    }
    .to_string()
}

/// `setsockopt(TCP_NODELAY, 1)`.
pub fn nodelay(lang: Lang) -> String {
    lang.pick(
        "TCP_NODELAY on: small writes leave at once (no Nagle delay); accepted sockets inherit it.",
        "TCP_NODELAY ativado: escritas pequenas saem na hora (sem o atraso de Nagle); os sockets aceitos herdam a opção.",
    )
    .to_string()
}

/// `setsockopt(SO_RCVTIMEO)` (`receive`) or `setsockopt(SO_SNDTIMEO)`.
pub fn timeout(lang: Lang, receive: bool) -> String {
    if receive {
        lang.pick(
            "A receive timeout: a blocking recv gives up with EAGAIN instead of waiting forever.",
            "Um prazo de recepção: um recv bloqueante desiste com EAGAIN em vez de esperar para sempre.",
        )
    } else {
        lang.pick(
            "A send timeout; for TCP it also bounds how long connect() waits for the handshake.",
            "Um prazo de envio; no TCP ele também limita quanto o connect() espera pelo handshake.",
        )
    }
    .to_string()
}

/// `bind(2)` to `addr` succeeded.
pub fn bind(lang: Lang, addr: SocketAddr) -> String {
    if addr.port() == 0 {
        return format!(
            "{} {}{}",
            lang.pick("Bound to", "Vinculado a"),
            addr.ip(),
            lang.pick(
                ", port 0: port 0 asks the kernel to choose a free port, and it chose one now; getsockname shows which. Still no packets.",
                ", porta 0: a porta 0 pede ao kernel que escolha uma porta livre, e ele escolheu agora; o getsockname mostra qual. Nenhum pacote por enquanto.",
            )
        );
    }
    format!(
        "{} {addr}. {}",
        lang.pick(
            "Bound: the socket now owns",
            "Vinculado: o socket agora é dono de"
        ),
        lang.pick("Still no packets.", "Nenhum pacote por enquanto.")
    )
}

/// How a socket got the local port that `getsockname` reports: what its sentence says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortFrom {
    /// `bind` asked for this port (0: "any free port", and the kernel chose).
    Bind(u16),
    /// No `bind`: the kernel chose the address and a port at `connect` (an implicit bind).
    Connect,
    /// No `bind`: the kernel chose a port at the first `sendto` (an implicit bind).
    FirstSend,
    /// An accepted connection: it shares the listener's port.
    Accept,
}

/// `getsockname(2)` said `addr`, a port that came `from` there.
pub fn getsockname(lang: Lang, addr: SocketAddr, from: Option<PortFrom>) -> String {
    let mut text = format!(
        "{} {addr}.",
        lang.pick(
            "The kernel says this socket's local address is",
            "O kernel diz que o endereço local deste socket é"
        )
    );
    let port = addr.port();
    match from {
        Some(PortFrom::Bind(0)) if port != 0 => text.push_str(&format!(
            " {} {port}{}",
            lang.pick(
                "Because bind asked for port 0, the kernel chose this free port,",
                "Como o bind pediu a porta 0, o kernel escolheu esta porta livre,"
            ),
            lang.pick(", right then.", ", naquela hora.")
        )),
        Some(PortFrom::Connect) => text.push_str(lang.pick(
            " This socket never called bind: the kernel chose the local address and a free (ephemeral) port by itself at connect, an implicit bind.",
            " Este socket nunca chamou bind: o kernel escolheu sozinho o endereço local e uma porta livre (efêmera) no connect, um bind implícito.",
        )),
        Some(PortFrom::FirstSend) => text.push_str(lang.pick(
            " This socket never called bind: the kernel chose a free (ephemeral) port at its first sendto, an implicit bind.",
            " Este socket nunca chamou bind: o kernel escolheu uma porta livre (efêmera) no primeiro sendto, um bind implícito.",
        )),
        Some(PortFrom::Accept) => text.push_str(lang.pick(
            " An accepted connection has the listener's local port.",
            " Uma conexão aceita tem a porta local do socket de escuta.",
        )),
        _ => {}
    }
    if addr.ip().is_unspecified() && port != 0 {
        text.push_str(lang.pick(
            " The wildcard address means 'any of this machine's addresses': what is sent to any of them, on this port, reaches this socket.",
            " O endereço curinga quer dizer 'qualquer endereço desta máquina': o que for enviado a qualquer um deles, nesta porta, chega a este socket.",
        ));
    }
    text
}

/// `listen(2)` with `backlog`.
pub fn listen(lang: Lang, backlog: i32) -> String {
    format!(
        "{} {backlog}.",
        lang.pick(
            "Listening: the kernel now completes TCP handshakes for this port by itself and queues finished connections for accept(); queue length",
            "Escutando: o próprio kernel agora completa os handshakes TCP nesta porta e enfileira as conexões prontas para o accept(); tamanho da fila"
        )
    )
}

/// `accept4(2)` on `listener` returned `fd` for `peer`.
pub fn accept(lang: Lang, listener: i32, fd: i32, peer: SocketAddr) -> String {
    let mut text = format!(
        "{} {peer}. {} {fd}; {} {listener} {}",
        lang.pick("Connected by", "Conectado por"),
        lang.pick(
            "A new socket for this client only: fd",
            "Um socket novo só para este cliente: fd"
        ),
        lang.pick("the listening fd", "o fd de escuta"),
        lang.pick(
            "stays in LISTEN, on the same port.",
            "continua em LISTEN, na mesma porta."
        )
    );
    if peer.ip().to_canonical() != peer.ip() {
        text.push_str(lang.pick(
            " The peer is an IPv4 client seen through a dual-stack IPv6 socket, so the kernel writes its address as ::ffff:a.b.c.d.",
            " O cliente é IPv4, visto por um socket IPv6 de pilha dupla, por isso o kernel escreve o endereço dele como ::ffff:a.b.c.d.",
        ));
    }
    text
}

/// `connect(2)` to `addr` succeeded on a socket of `kind`.
pub fn connect(lang: Lang, addr: SocketAddr, kind: Option<SocketKind>) -> String {
    if kind == Some(SocketKind::Udp) {
        format!(
            "{} {addr}. {}",
            lang.pick("UDP 'connect' to", "'connect' UDP para"),
            lang.pick(
                "No packet is sent: the kernel only records a default destination, filters datagrams from anyone else, and reports ICMP errors (ECONNREFUSED) to us.",
                "Nenhum pacote sai: o kernel só guarda um destino padrão, filtra datagramas de outros e nos repassa erros ICMP (ECONNREFUSED)."
            )
        )
    } else {
        format!(
            "{} {addr}: SYN →, ← SYN-ACK, ACK →. {}",
            lang.pick("Connected to", "Conectado a"),
            lang.pick("The handshake is complete.", "O handshake foi concluído.")
        )
    }
}

/// A stream `send` (strace: `sendto(fd, buf, len, flags, NULL, 0)`) took `count` of
/// `offered` bytes.
pub fn send(lang: Lang, count: usize, offered: usize) -> String {
    if count < offered {
        format!(
            "{} {count} {} {offered}; {}",
            lang.pick(
                "Short write: the kernel took",
                "Escrita parcial: o kernel aceitou"
            ),
            lang.pick("of", "de"),
            lang.pick(
                "the rest must be sent later.",
                "o resto precisa ser enviado depois."
            )
        )
    } else {
        format!(
            "{} {count} {}",
            lang.pick("Sent", "Enviados"),
            lang.pick(
                "bytes (copied into the kernel's send buffer; TCP delivers them).",
                "bytes (copiados para o buffer de envio do kernel; o TCP os entrega)."
            )
        )
    }
}

/// A stream `recv` (strace: `recvfrom(fd, buf, len, flags, NULL, NULL)`) returned
/// `data` (empty: end of stream).
pub fn recv(lang: Lang, data: &[u8]) -> String {
    if data.is_empty() {
        lang.pick(
            "0 bytes: end of stream. The peer sent FIN (it closed or shut down its side); nothing more will arrive.",
            "0 bytes: fim do fluxo. O outro lado enviou FIN (fechou ou encerrou seu lado); nada mais vai chegar.",
        )
        .to_string()
    } else {
        format!(
            "{} {} bytes: {}",
            lang.pick("Received", "Recebidos"),
            data.len(),
            strace::readable(data, 80)
        )
    }
}

/// `shutdown(fd, SHUT_WR)`.
pub fn shutdown_write(lang: Lang) -> String {
    lang.pick(
        "Our side is done sending: the kernel sends FIN. We can still receive.",
        "Nosso lado terminou de enviar: o kernel envia FIN. Ainda podemos receber.",
    )
    .to_string()
}

/// `shutdown(fd, SHUT_RDWR)` on a socket another thread is blocked on.
pub fn shutdown_both(lang: Lang) -> String {
    lang.pick(
        "Both directions shut: the thread blocked in recv on this socket wakes up with 0 (end of stream).",
        "As duas direções encerradas: a thread bloqueada no recv deste socket acorda com 0 (fim do fluxo).",
    )
    .to_string()
}

/// `close(2)` of a listening socket.
pub fn close_listener(lang: Lang) -> String {
    lang.pick(
        "The listening socket is closed: the port stops accepting (a new SYN gets RST), and connections still waiting in the accept queue are reset.",
        "O socket de escuta foi fechado: a porta para de aceitar (um SYN novo recebe RST), e as conexões que ainda esperavam na fila de accept recebem RST.",
    )
    .to_string()
}

/// `close(2)` of a socket of `kind` (`None`: not a socket we know).
pub fn close(lang: Lang, kind: Option<SocketKind>) -> String {
    match kind {
        Some(SocketKind::Tcp) => lang.pick(
            "The fd is released; the kernel itself completes the connection's close.",
            "O fd foi liberado; o próprio kernel conclui o encerramento da conexão.",
        ),
        Some(SocketKind::Udp) => lang.pick(
            "The fd is released. UDP has no connection to close: no packet, no TIME-WAIT.",
            "O fd foi liberado. O UDP não tem conexão para encerrar: nenhum pacote, nenhum TIME-WAIT.",
        ),
        None => lang.pick("The fd is released.", "O fd foi liberado."),
    }
    .to_string()
}

/// A datagram `recvfrom` copied `data` (of a datagram of `real_len` bytes, into a
/// buffer of `offered`) from `from`.
pub fn datagram_in(
    lang: Lang,
    data: &[u8],
    real_len: usize,
    offered: usize,
    from: SocketAddr,
) -> String {
    if real_len > data.len() {
        format!(
            "{} {real_len} {} {offered}: {}",
            lang.pick("TRUNCATED: the datagram had", "TRUNCADO: o datagrama tinha"),
            lang.pick("bytes but the buffer holds", "bytes mas o buffer tem"),
            lang.pick(
                "the kernel dropped the rest (MSG_TRUNC told us).",
                "o kernel descartou o resto (o MSG_TRUNC nos avisou)."
            )
        )
    } else {
        format!(
            "{} {} bytes {} {from}: {}",
            lang.pick("One datagram:", "Um datagrama:"),
            data.len(),
            lang.pick("from", "de"),
            strace::readable(data, 80)
        )
    }
}

/// A datagram `sendto` of `count` bytes, to `to` (or the connected peer).
pub fn datagram_out(lang: Lang, count: usize, to: Option<SocketAddr>) -> String {
    format!(
        "{} {count} bytes{}. {}",
        lang.pick("One datagram of", "Um datagrama de"),
        to.map(|a| format!(" → {a}")).unwrap_or_default(),
        lang.pick(
            "No handshake, no acknowledgement: the kernel sends it and forgets it.",
            "Sem handshake, sem confirmação: o kernel envia e esquece."
        )
    )
}

/// Why an errno is expected on a call, when it is: the sentence after "Failed: ...".
pub fn expected_failure(lang: Lang, syscall: &str, errno: nix::errno::Errno) -> Option<String> {
    use nix::errno::Errno;
    let text = match (syscall, errno) {
        ("accept4" | "accept", Errno::ECONNABORTED) => lang.pick(
            "The client gave up while queued: harmless, calling accept again.",
            "O cliente desistiu enquanto esperava na fila: inofensivo, chamando accept de novo.",
        ),
        ("accept4" | "accept", Errno::EAGAIN) => lang.pick(
            "Would block: no more finished connections in the queue right now.",
            "Bloquearia: não há mais conexões prontas na fila agora.",
        ),
        ("accept4" | "accept", Errno::EINTR) => lang.pick(
            "Interrupted by a signal before a client arrived.",
            "Interrompido por um sinal antes de chegar um cliente.",
        ),
        ("sendto" | "send" | "write", Errno::EAGAIN) => lang.pick(
            "Would block: the send buffer is full; keep the rest and wait until the socket is writable.",
            "Bloquearia: o buffer de envio está cheio; guarde o resto e espere o socket ficar gravável.",
        ),
        ("sendto" | "send" | "write", Errno::EPIPE) => lang.pick(
            "The peer is gone: MSG_NOSIGNAL spared us the SIGPIPE.",
            "O outro lado sumiu: o MSG_NOSIGNAL nos poupou do SIGPIPE.",
        ),
        ("wait4" | "waitpid", Errno::ECHILD) => lang.pick(
            "No child left to wait for: every child has been reaped.",
            "Nenhum filho para esperar: todos já foram recolhidos.",
        ),
        ("recvfrom" | "recv" | "read", Errno::EINTR) => lang.pick(
            "Interrupted by a signal: the program gets EINTR (strace shows the kernel's ERESTARTSYS, since the handler was installed without SA_RESTART).",
            "Interrompido por um sinal: o programa recebe EINTR (o strace mostra o ERESTARTSYS do kernel, pois o tratador foi instalado sem SA_RESTART).",
        ),
        _ => return None,
    };
    Some(text.to_string())
}

/// The sentence of a failed call: "Failed: ERRNO (text).", then why, when expected.
pub fn failed(lang: Lang, syscall: &str, errno: nix::errno::Errno) -> String {
    let mut text = format!(
        "{} {errno:?} ({}).",
        lang.pick("Failed:", "Falhou:"),
        strace::errno_text(errno)
    );
    if let Some(why) = expected_failure(lang, syscall, errno) {
        text = format!("{text} {why}");
    }
    text
}

// ---------------------------------------------------------------------------------
// Calls the labs make differently or never make, met by `raw-trace` in the programs
// it traces (the course's Python scripts, a student's C server). Same rule: each
// function takes only what the call's strace line shows.
// ---------------------------------------------------------------------------------

/// A stream `recv`/`read` returned `count` bytes, of which strace's line shows only
/// the first ones (`shown`: strace cuts buffers at 32 bytes unless run with `-s`).
pub fn recv_shown(lang: Lang, count: usize, shown: &[u8]) -> String {
    format!(
        "{} {count} bytes; {} {}: {}...",
        lang.pick("Received", "Recebidos"),
        lang.pick("strace shows the first", "o strace mostra os primeiros"),
        shown.len(),
        strace::readable(shown, 80)
    )
}

/// A datagram `recvfrom`/`recvmsg`/`read` returned `count` bytes (strace shows
/// `shown`, maybe only their beginning), from `from` when the line names the sender.
pub fn datagram_in_seen(
    lang: Lang,
    count: usize,
    shown: &[u8],
    from: Option<SocketAddr>,
) -> String {
    let cut = if count > shown.len() { "..." } else { "" };
    let sender = match from {
        Some(addr) => format!("{} {addr}", lang.pick("from", "de")),
        None => lang
            .pick("from the connected peer", "do destino conectado")
            .to_string(),
    };
    format!(
        "{} {count} bytes {sender}: {}{cut}",
        lang.pick("One datagram:", "Um datagrama:"),
        strace::readable(shown, 80)
    )
}

/// `accept(2)`/`accept4(2)` on `listener` returned `fd`, the client's address not
/// asked for (`accept(3, NULL, NULL)`) nor found in the kernel's table.
pub fn accepted_unnamed(lang: Lang, listener: i32, fd: i32) -> String {
    format!(
        "{} {fd}; {} {listener} {}",
        lang.pick(
            "A client connected (the program did not ask for its address). A new socket for this client only: fd",
            "Um cliente conectou (o programa não pediu o endereço dele). Um socket novo só para este cliente: fd"
        ),
        lang.pick("the listening fd", "o fd de escuta"),
        lang.pick(
            "stays in LISTEN, on the same port.",
            "continua em LISTEN, na mesma porta."
        )
    )
}

/// A call on a socket of another family than IP (`AF_UNIX`, `AF_NETLINK`, ...).
pub fn not_ip(lang: Lang, family: &str) -> String {
    format!(
        "{} {family}{}",
        lang.pick("An", "Um socket"),
        lang.pick(
            " socket, not an IP one: nothing it carries reaches the network (the C library uses such sockets to ask local services: AF_NETLINK for this machine's addresses, AF_UNIX for nscd).",
            ", não IP: nada do que ele transporta chega à rede (a biblioteca C usa sockets assim para consultar serviços locais: AF_NETLINK para os endereços desta máquina, AF_UNIX para o nscd)."
        )
    )
}

/// `setsockopt(2)` of an option the labs do not explain one by one (`option` as
/// strace names it: `SO_KEEPALIVE`, `SO_RCVBUF`...).
pub fn setsockopt_other(lang: Lang, option: &str) -> String {
    format!(
        "{} {option} {}",
        lang.pick("Option", "Opção"),
        lang.pick(
            "set on this socket: the kernel changes how it treats it; no packets.",
            "ajustada neste socket: muda como o kernel o trata; nenhum pacote."
        )
    )
}

/// `getsockopt(2)` of `option` (`SO_ERROR` has its own sentence: [`so_error`]).
pub fn getsockopt(lang: Lang, option: &str) -> String {
    format!(
        "{} {option}{}",
        lang.pick(
            "The program asked the kernel for this socket's",
            "O programa perguntou ao kernel o valor de"
        ),
        lang.pick(
            "; nothing changes, no packets.",
            " deste socket; nada muda, nenhum pacote."
        )
    )
}

/// `getsockopt(SO_ERROR)` read `value`: how a non-blocking `connect` ended.
pub fn so_error(lang: Lang, value: i64) -> String {
    if value == 0 {
        lang.pick(
            "SO_ERROR is 0: the connection attempt succeeded (the handshake is complete).",
            "SO_ERROR é 0: a tentativa de conexão deu certo (o handshake terminou).",
        )
        .to_string()
    } else {
        format!(
            "{} {value}: {}",
            lang.pick("SO_ERROR is", "SO_ERROR é"),
            lang.pick(
                "the connection attempt failed with this errno number.",
                "a tentativa de conexão falhou com este número de errno."
            )
        )
    }
}

/// `getpeername(2)` said `addr`.
pub fn getpeername(lang: Lang, addr: SocketAddr) -> String {
    format!(
        "{} {addr}.",
        lang.pick(
            "The kernel says the other end of this socket is",
            "O kernel diz que a outra ponta deste socket é"
        )
    )
}

/// `shutdown(fd, SHUT_RD)`.
pub fn shutdown_read(lang: Lang) -> String {
    lang.pick(
        "Our side will read no more: recv now returns 0. No packet is sent.",
        "Nosso lado não vai ler mais: o recv agora devolve 0. Nenhum pacote é enviado.",
    )
    .to_string()
}

/// `shutdown(fd, SHUT_RDWR)` (when no other thread is known to be blocked on it).
pub fn shutdown_rdwr(lang: Lang) -> String {
    lang.pick(
        "Both directions shut: the kernel sends FIN, and recv now returns 0.",
        "As duas direções encerradas: o kernel envia FIN, e o recv agora devolve 0.",
    )
    .to_string()
}

/// `connect(2)` on a non-blocking socket returned `EINPROGRESS` (Python's
/// `settimeout` makes its sockets non-blocking underneath).
pub fn connect_in_progress(lang: Lang) -> String {
    lang.pick(
        "In progress: the socket is non-blocking, so connect returned at once; the SYN is out and the handshake goes on without the program. It waits until the socket is writable (poll), then reads SO_ERROR for the outcome.",
        "Em andamento: o socket é não bloqueante, então o connect voltou na hora; o SYN já saiu e o handshake continua sem o programa. Ele espera o socket ficar gravável (poll) e depois lê SO_ERROR para saber o resultado.",
    )
    .to_string()
}

/// `recv`/`read` on a non-blocking socket returned `EAGAIN`.
pub fn nothing_to_read(lang: Lang) -> String {
    lang.pick(
        "Would block: nothing has arrived yet on this non-blocking socket; the program must wait (poll) and try again.",
        "Bloquearia: nada chegou ainda neste socket não bloqueante; o programa precisa esperar (poll) e tentar de novo.",
    )
    .to_string()
}

/// `poll`/`select`/`epoll_wait` (`syscall`) returned `ready` (0: the timeout ran out).
pub fn waited(lang: Lang, syscall: &str, ready: i64) -> String {
    match (lang.pick("en", "pt"), ready) {
        (_, 0) => format!(
            "{syscall}: {}",
            lang.pick(
                "the time ran out and no fd was ready.",
                "o tempo acabou e nenhum fd ficou pronto."
            )
        ),
        ("pt", 1) => format!(
            "{syscall}: 1 dos fds observados está pronto; o programa já pode usá-lo sem bloquear."
        ),
        ("pt", n) => format!(
            "{syscall}: {n} dos fds observados estão prontos; o programa já pode usá-los sem bloquear."
        ),
        (_, n) => format!(
            "{syscall}: {n} of the watched fds ready; the program can now use them without blocking."
        ),
    }
}

/// `clone`/`fork`/`vfork` made a new process, `child`.
pub fn forked(lang: Lang, child: u32) -> String {
    format!(
        "{} {child}: {}",
        lang.pick("A new process, pid", "Um processo novo, pid"),
        lang.pick(
            "a copy of this one, with copies of all its file descriptors, sockets included. When it ends, its parent must reap it with wait, or it stays a zombie.",
            "uma cópia deste, com cópias de todos os seus descritores de arquivo, sockets incluídos. Quando ele terminar, o pai precisa recolhê-lo com wait, senão ele fica zumbi."
        )
    )
}

/// `clone`/`clone3` with `CLONE_THREAD` made a new thread, `tid`.
pub fn thread_created(lang: Lang, tid: u32) -> String {
    format!(
        "{} {tid}: {}",
        lang.pick("A new thread,", "Uma thread nova,"),
        lang.pick(
            "it shares this process's memory and file descriptors (the very same sockets).",
            "ela compartilha a memória e os descritores de arquivo deste processo (os mesmos sockets)."
        )
    )
}

/// `wait4`/`waitid` returned `child`.
pub fn reaped(lang: Lang, child: u32) -> String {
    format!(
        "{} {child} {}",
        lang.pick("Child", "Filho"),
        lang.pick(
            "reaped: its exit status was collected, so it leaves no zombie.",
            "recolhido: o status de saída dele foi coletado, então ele não fica zumbi."
        )
    )
}

/// `wait4(..., WNOHANG)` returned 0.
pub fn nothing_reaped(lang: Lang) -> String {
    lang.pick(
        "No child has ended yet (WNOHANG: do not wait for one).",
        "Nenhum filho terminou ainda (WNOHANG: não esperar por um).",
    )
    .to_string()
}

/// strace printed `= ?`: the process ended while inside the call.
pub fn ended_inside(lang: Lang) -> String {
    lang.pick(
        "The process ended inside this call (killed, or another thread ended the process): it never returned.",
        "O processo terminou dentro desta chamada (foi morto, ou outra thread encerrou o processo): ela nunca retornou.",
    )
    .to_string()
}

/// `io_uring_setup` returned `fd`, with queues of `sq` requests and `cq` completions.
pub fn io_uring_setup(lang: Lang, fd: i32, sq: u32, cq: u32) -> String {
    match lang {
        Lang::En => format!(
            "A new io_uring, fd {fd}: a queue of {sq} requests we write and a queue of {cq} completions the kernel writes, both in memory this process shares with the kernel. From now on accept, recv, send and close are requests written there, not syscalls: strace will see only io_uring_enter."
        ),
        Lang::PtBr => format!(
            "Um io_uring novo, fd {fd}: uma fila de {sq} pedidos que nós escrevemos e uma fila de {cq} conclusões que o kernel escreve, ambas em memória que este processo compartilha com o kernel. Daqui em diante accept, recv, send e close são pedidos escritos ali, não syscalls: o strace só vai ver io_uring_enter."
        ),
    }
}

/// `io_uring_register(IORING_REGISTER_PBUF_RING)` registered `entries` buffers of `size`.
pub fn io_uring_buf_ring(lang: Lang, entries: u16, size: u32) -> String {
    match lang {
        Lang::En => format!(
            "A ring of {entries} buffers of {size} bytes, registered as buffer group 0: when data arrives on any connection, the kernel takes a buffer from here and says which in the completion. A silent client ties up no buffer; giving one back is a store to shared memory, no syscall."
        ),
        Lang::PtBr => format!(
            "Um anel de {entries} buffers de {size} bytes, registrado como grupo de buffers 0: quando chegam dados em qualquer conexão, o kernel pega um buffer daqui e diz qual na conclusão. Um cliente calado não prende buffer nenhum; devolver um é uma escrita na memória compartilhada, sem syscall."
        ),
    }
}

/// A request written into the submission queue (not a syscall).
pub fn io_uring_sqe(lang: Lang, sqe: &crate::sys::Sqe) -> String {
    use crate::sys::Sqe;
    let pick = |en: &str, pt: &str| lang.pick(en, pt).to_string();
    match sqe {
        Sqe::Accept { multishot: true, .. } => pick(
            "Queued, no syscall yet: one request that accepts every connection that arrives, one completion each (multishot), until cancelled.",
            "Na fila, ainda sem syscall: um pedido que aceita cada conexão que chegar, uma conclusão para cada (multishot), até ser cancelado.",
        ),
        Sqe::Accept { .. } => pick(
            "Queued, no syscall yet: accept one connection (one at a time: close to --max-clients, a multishot accept could take the whole backlog at once).",
            "Na fila, ainda sem syscall: aceitar uma conexão (uma por vez: perto de --max-clients, um accept multishot poderia pegar o backlog inteiro de uma vez).",
        ),
        Sqe::RecvMulti { .. } => pick(
            "Queued, no syscall yet: receive on this connection every time data arrives, into a buffer the kernel picks from the ring (multishot).",
            "Na fila, ainda sem syscall: receber nesta conexão toda vez que chegarem dados, num buffer que o kernel escolhe do anel (multishot).",
        ),
        Sqe::Send { .. } => pick(
            "Queued, no syscall yet: send these bytes back; the ring keeps them until the completion says how many went.",
            "Na fila, ainda sem syscall: enviar estes bytes de volta; o anel os guarda até a conclusão dizer quantos foram.",
        ),
        Sqe::Close { .. } => pick(
            "Queued, no syscall yet: close this connection (FIN to the client).",
            "Na fila, ainda sem syscall: fechar esta conexão (FIN para o cliente).",
        ),
        Sqe::Cancel { .. } => pick(
            "Queued, no syscall yet: cancel that armed request; its last completion will say ECANCELED.",
            "Na fila, ainda sem syscall: cancelar aquele pedido armado; a última conclusão dele vai dizer ECANCELED.",
        ),
    }
}

/// `io_uring_enter` handed the kernel `submitted` requests and waited for `want`
/// completions.
pub fn io_uring_enter(lang: Lang, submitted: usize, want: u32) -> String {
    match (lang, want) {
        (Lang::En, 0) => format!(
            "The one syscall: the kernel took the {submitted} queued request(s), without waiting for completions."
        ),
        (Lang::En, _) => format!(
            "The one syscall: the kernel took the {submitted} queued request(s) and this thread slept until a completion was posted. Every accept, recv, send and close below happened inside it, unseen by strace."
        ),
        (Lang::PtBr, 0) => format!(
            "A única syscall: o kernel pegou o(s) {submitted} pedido(s) da fila, sem esperar conclusões."
        ),
        (Lang::PtBr, _) => format!(
            "A única syscall: o kernel pegou o(s) {submitted} pedido(s) da fila e esta thread dormiu até sair uma conclusão. Cada accept, recv, send e close abaixo aconteceu dentro dela, sem o strace ver."
        ),
    }
}

/// A completion of `asked` with `result` (`-errno` on failure); `more`: still armed.
pub fn io_uring_cqe(lang: Lang, asked: &crate::sys::Sqe, result: i32, more: bool) -> String {
    use crate::sys::Sqe;
    if result < 0 {
        let errno = nix::errno::Errno::from_raw(-result);
        let ended = if more {
            lang.pick(" The request stays armed.", " O pedido continua armado.")
        } else {
            lang.pick(
                " The request is over (no IORING_CQE_F_MORE).",
                " O pedido acabou (sem IORING_CQE_F_MORE).",
            )
        };
        return format!(
            "{} {errno:?} ({}).{ended}",
            lang.pick("Failed:", "Falhou:"),
            crate::strace::errno_text(errno)
        );
    }
    let still = if more {
        lang.pick(
            " Still armed (IORING_CQE_F_MORE).",
            " Continua armado (IORING_CQE_F_MORE).",
        )
    } else {
        ""
    };
    match (asked, result) {
        (Sqe::Accept { fd, .. }, new) => format!(
            "{} {fd}: {} {new}.{still}",
            lang.pick("A connection accepted on", "Uma conexão aceita no"),
            lang.pick("the kernel made socket fd", "o kernel criou o socket fd")
        ),
        (Sqe::RecvMulti { .. }, 0) => lang
            .pick(
                "0 bytes: the client closed its side (FIN). The multishot recv ends.",
                "0 bytes: o cliente fechou o lado dele (FIN). O recv multishot termina.",
            )
            .to_string(),
        (Sqe::RecvMulti { .. }, got) => format!(
            "{got} {}{still}",
            lang.pick(
                "bytes received into a buffer of the ring; we copy them out and give the buffer back.",
                "bytes recebidos num buffer do anel; copiamos os bytes e devolvemos o buffer.",
            )
        ),
        (Sqe::Send { data, .. }, sent) if (sent as usize) < data.len() => format!(
            "{sent} {} {} {}",
            lang.pick("of", "de"),
            data.len(),
            lang.pick(
                "bytes sent (a short send): the rest goes in the next request.",
                "bytes enviados (envio parcial): o resto vai no próximo pedido.",
            )
        ),
        (Sqe::Send { .. }, sent) => format!(
            "{sent} {}",
            lang.pick(
                "bytes sent back, all of them.",
                "bytes enviados de volta, todos."
            )
        ),
        (Sqe::Close { .. }, _) => lang
            .pick(
                "Closed: the kernel sends FIN; the fd number is free again.",
                "Fechado: o kernel envia FIN; o número do fd fica livre de novo.",
            )
            .to_string(),
        (Sqe::Cancel { .. }, _) => lang
            .pick("The request was found and cancelled.", "O pedido foi encontrado e cancelado.")
            .to_string(),
    }
}

/// `close` of an io_uring's fd.
pub fn io_uring_close(lang: Lang) -> String {
    lang.pick(
        "The io_uring is closed: the kernel cancels every request still armed (the accept, each connection's recv).",
        "O io_uring foi fechado: o kernel cancela todo pedido ainda armado (o accept, o recv de cada conexão).",
    )
    .to_string()
}

/// `setsockopt(SO_REUSEPORT, 1)`.
pub fn reuseport(lang: Lang) -> String {
    lang.pick(
        "SO_REUSEPORT on: other sockets that also set it may bind the very same address and port; the kernel then spreads the incoming connections among their listen queues (by a hash of each connection's 4-tuple).",
        "SO_REUSEPORT ativado: outros sockets que também o ativem podem fazer bind no mesmo endereço e porta; o kernel então reparte as conexões que chegam entre as filas de listen deles (por um hash da 4-tupla de cada conexão).",
    )
    .to_string()
}

/// `tgkill(pid, tid, signal)` sent `signal` to one thread.
pub fn tgkill(lang: Lang, tid: i32, signal: &str) -> String {
    match lang {
        Lang::En => format!(
            "{signal} sent to thread {tid} only: its blocked call returns EINTR, and it sees that the server stops."
        ),
        Lang::PtBr => format!(
            "{signal} enviado só para a thread {tid}: a chamada bloqueada dela retorna EINTR, e ela vê que o servidor vai parar."
        ),
    }
}

/// `getsockopt(TCP_INFO)` on a just-accepted connection: `silent` is how long its client
/// has sent nothing since the handshake, `None` when it has sent something.
pub fn silent_since_connect(lang: Lang, silent: Option<std::time::Duration>) -> String {
    match silent {
        None => lang
            .pick(
                "The client has sent data already (tcpi_bytes_received > 0): it waits unread.",
                "O cliente já enviou dados (tcpi_bytes_received > 0): eles esperam para ser lidos.",
            )
            .to_string(),
        Some(d) => {
            let ms = d.as_millis();
            match lang {
                Lang::En => format!("The client has sent nothing since its handshake, {ms} ms ago (tcpi_last_data_recv), time it spent waiting in the accept queue."),
                Lang::PtBr => format!("O cliente não enviou nada desde o handshake, há {ms} ms (tcpi_last_data_recv), tempo que ele passou esperando na fila do accept."),
            }
        }
    }
}
