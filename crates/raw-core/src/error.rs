//! Errors that teach: which syscall failed, the errno's name, and what to try.
//!
//! Every failure a student can meet ends here and is printed as
//! `bind(2) failed: EADDRINUSE (Address already in use) — hint: ...`, in English or in
//! Portuguese, with exit code 1 (2 for bad usage). The hint is chosen by the pair
//! (syscall, errno) plus the facts gathered when it happened ([`Fact`]): that is where
//! "SO_REUSEADDR was off and 2 connections sit in TIME-WAIT" comes from.

#![forbid(unsafe_code)]

use crate::lang::Lang;
use nix::errno::Errno;
use std::net::SocketAddr;

/// Something we learned while a syscall failed, that makes the hint precise.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// The address the call was about.
    Addr(SocketAddr),
    /// `SO_REUSEADDR` was not set on the socket.
    ReuseAddrOff,
    /// These connections on the port sit in TIME-WAIT (from the kernel's table): their
    /// local and remote ends.
    TimeWait(Vec<(SocketAddr, SocketAddr)>),
    /// A listening socket on the port belongs to this process (pid, command).
    HeldBy(u32, String),
    /// The socket is UDP (hints differ: no retransmission, ICMP errors).
    Udp,
    /// The call gave up after this many seconds (`SO_SNDTIMEO`/`SO_RCVTIMEO`).
    TimedOutAfter(f64),
}

/// Why a program stops.
#[derive(Debug, Clone)]
pub enum Failure {
    /// A syscall returned -1.
    Sys {
        /// The syscall, as its man page names it (`bind`, `connect`).
        syscall: &'static str,
        /// The errno it set.
        errno: Errno,
        /// What we know about the circumstances.
        facts: Vec<Fact>,
    },
    /// The host name could not be turned into addresses (`getaddrinfo(3)`, a library
    /// call, not a syscall).
    Resolve {
        /// The name asked for.
        host: String,
        /// The resolver's own words.
        detail: String,
    },
    /// The peer broke the protocol: closed before the whole reply arrived.
    ShortReply {
        /// Bytes received.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// A datagram was larger than the receive buffer: the kernel cut it (`MSG_TRUNC`).
    Truncated {
        /// Bytes we got.
        got: usize,
        /// The datagram's real size.
        real: usize,
    },
    /// `--capture` could not open its packet socket: no `CAP_NET_RAW`.
    NoCapturePrivilege {
        /// What `socket(AF_PACKET, ...)` said (EPERM, usually).
        errno: Errno,
    },
    /// `--capture FILE` could not create the file.
    CaptureFile {
        /// The path asked for.
        path: String,
        /// Why not.
        detail: String,
    },
    /// Bad usage that the argument parser cannot see (exit 2).
    Usage(String),
    /// A run-time failure that is no single syscall's (a measurement that measured
    /// nothing, a phase that ran out of time): the whole message, already in the
    /// user's language, with its hint and its check.
    Runtime(String),
    /// Standard output was closed by its reader (`EPIPE`): the program stops quietly.
    OutputClosed,
}

impl Failure {
    /// A failed syscall with no extra facts yet.
    pub fn sys(syscall: &'static str, errno: Errno) -> Failure {
        Failure::Sys {
            syscall,
            errno,
            facts: Vec::new(),
        }
    }

    /// Adds a fact to a syscall failure (other failures are returned unchanged).
    pub fn with(mut self, fact: Fact) -> Failure {
        if let Failure::Sys { facts, .. } = &mut self {
            facts.push(fact);
        }
        self
    }

    /// The errno, when a syscall failed.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Failure::Sys { errno, .. } => Some(*errno),
            _ => None,
        }
    }

    /// The process exit code: 2 for bad usage, 1 for everything that went wrong at run
    /// time.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            _ => 1,
        }
    }

    /// The whole message, in one language.
    pub fn explain(&self, lang: Lang) -> String {
        let l = |en: &str, pt: &str| lang.pick(en, pt).to_string();
        match self {
            Failure::Sys {
                syscall,
                errno,
                facts,
            } => {
                let head = format!(
                    "{syscall}(2) {} {errno:?} ({})",
                    l("failed:", "falhou:"),
                    crate::strace::errno_text(*errno)
                );
                let mut text = format!("{head} — {} {}", l("hint:", "dica:"), hint(lang, syscall, *errno, facts));
                if let Some(cmd) = check(lang, syscall, *errno, facts) {
                    text.push_str(&format!(" — {} {cmd}", l("check:", "verifique:")));
                }
                text
            }
            Failure::Resolve { host, detail } => match lang {
                Lang::En => format!(
                    "getaddrinfo(3) could not resolve \"{host}\": {detail} — hint: check the spelling; \
                     use an IP address (127.0.0.1, ::1) or a name from /etc/hosts. \
                     In a remote lab, ask your classmate for their IP address. — check: getent ahosts {host}"
                ),
                Lang::PtBr => format!(
                    "getaddrinfo(3) não conseguiu resolver \"{host}\": {detail} — dica: confira a grafia; \
                     use um endereço IP (127.0.0.1, ::1) ou um nome do /etc/hosts. \
                     No laboratório remoto, peça o IP da máquina do colega. — verifique: getent ahosts {host}"
                ),
            },
            Failure::ShortReply { got, expected } => match lang {
                Lang::En => format!(
                    "the server closed the connection after {got} of {expected} bytes of the reply \
                     (recv returned 0) — hint: is it an echo server? Did it crash?"
                ),
                Lang::PtBr => format!(
                    "o servidor fechou a conexão depois de {got} de {expected} bytes da resposta \
                     (recv retornou 0) — dica: é mesmo um servidor de eco? Ele caiu?"
                ),
            },
            Failure::Truncated { got, real } => match lang {
                Lang::En => format!(
                    "the reply was a {real}-byte datagram but the receive buffer holds {got}: the kernel \
                     kept the first {got} bytes and dropped the rest (recvfrom reported MSG_TRUNC) — \
                     hint: a datagram is read whole or cut, never in pieces; use a larger --buffer."
                ),
                Lang::PtBr => format!(
                    "a resposta era um datagrama de {real} bytes mas o buffer de recepção só tem {got}: o kernel \
                     guardou os primeiros {got} bytes e descartou o resto (recvfrom informou MSG_TRUNC) — \
                     dica: um datagrama é lido inteiro ou cortado, nunca em pedaços; use um --buffer maior."
                ),
            },
            Failure::NoCapturePrivilege { errno } => match lang {
                Lang::En => format!(
                    "socket(2) failed: {errno:?} ({}) — hint: --capture opens an AF_PACKET socket, which needs the \
                     CAP_NET_RAW capability. Run it with sudo, or give the binary that one capability once: \
                     sudo setcap cap_net_raw+ep $(command -v raw-tcp) (the same for raw-udp, raw-multi). \
                     No socket of the lab was opened. — check: id -u; getcap $(command -v raw-tcp)",
                    crate::strace::errno_text(*errno)
                ),
                Lang::PtBr => format!(
                    "socket(2) falhou: {errno:?} ({}) — dica: --capture abre um socket AF_PACKET, que exige a \
                     capacidade CAP_NET_RAW. Rode com sudo, ou dê ao binário só essa capacidade, uma vez: \
                     sudo setcap cap_net_raw+ep $(command -v raw-tcp) (o mesmo para raw-udp, raw-multi). \
                     Nenhum socket do laboratório foi aberto. — verifique: id -u; getcap $(command -v raw-tcp)",
                    crate::strace::errno_text(*errno)
                ),
            },
            Failure::CaptureFile { path, detail } => match lang {
                Lang::En => format!("cannot create the capture file {path}: {detail} — hint: pick a path in a folder you can write to, e.g. /tmp/lab.pcap"),
                Lang::PtBr => format!("não foi possível criar o arquivo de captura {path}: {detail} — dica: escolha um caminho numa pasta onde você pode escrever, como /tmp/lab.pcap"),
            },
            Failure::Usage(text) | Failure::Runtime(text) => text.clone(),
            Failure::OutputClosed => l(
                "standard output was closed by its reader (EPIPE)",
                "a saída padrão foi fechada por quem a lia (EPIPE)",
            ),
        }
    }
}

fn addr_of(facts: &[Fact]) -> String {
    facts
        .iter()
        .find_map(|f| match f {
            Fact::Addr(a) => Some(a.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "?".to_string())
}

fn port_of(facts: &[Fact]) -> String {
    facts
        .iter()
        .find_map(|f| match f {
            Fact::Addr(a) => Some(a.port().to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "?".to_string())
}

/// The command that checks the cause of a failure, when there is one to run.
fn check(lang: Lang, syscall: &str, errno: Errno, facts: &[Fact]) -> Option<String> {
    let on_server = lang.pick("(on the server's machine)", "(na máquina do servidor)");
    let addr = facts.iter().find_map(|f| match f {
        Fact::Addr(a) => Some(*a),
        _ => None,
    });
    let port = addr.map_or("PORT".to_string(), |a| a.port().to_string());
    let ip = addr.map_or("IP".to_string(), |a| a.ip().to_string());
    let udp = facts.contains(&Fact::Udp);
    Some(match (syscall, errno) {
        ("bind", Errno::EADDRINUSE) => format!("ss -tanp 'sport = :{port}'"),
        ("bind", Errno::EACCES) => "cat /proc/sys/net/ipv4/ip_unprivileged_port_start".to_string(),
        ("bind", Errno::EADDRNOTAVAIL) => "ip -br addr".to_string(),
        ("connect", Errno::ECONNREFUSED) => format!("ss -ltnp 'sport = :{port}' {on_server}"),
        ("connect", Errno::ENETUNREACH) => format!("ip route get {ip}"),
        ("connect", Errno::EHOSTUNREACH | Errno::ETIMEDOUT | Errno::EINPROGRESS) => {
            format!("ping -c 3 {ip}; nc -vz -w 3 {ip} {port}")
        }
        (_, Errno::ECONNREFUSED) if udp => format!("ss -uanp 'sport = :{port}' {on_server}"),
        ("recvfrom", Errno::EAGAIN) if udp => {
            format!("ss -uanp 'sport = :{port}'; tshark -i any -f 'udp port {port}'")
        }
        ("recvfrom", Errno::EAGAIN) => format!("ss -tanp 'dport = :{port}'"),
        (_, Errno::ECONNRESET | Errno::EPIPE) => {
            format!("tshark -i any -f 'tcp port {port}' -Y 'tcp.flags.reset == 1'")
        }
        (_, Errno::EMSGSIZE) => format!(
            "ip -br link {}",
            lang.pick("(the MTU of each interface)", "(o MTU de cada interface)")
        ),
        (_, Errno::EMFILE | Errno::ENFILE) => "ulimit -n; cat /proc/sys/fs/file-nr".to_string(),
        _ => return None,
    })
}

/// Connections named by their two ends: `127.0.0.1:65432 ↔ 127.0.0.1:51234`, the
/// first three, then how many more.
fn connections(ends: &[(SocketAddr, SocketAddr)]) -> String {
    let mut shown: Vec<String> = ends
        .iter()
        .take(3)
        .map(|(local, remote)| format!("{local} ↔ {remote}"))
        .collect();
    if ends.len() > 3 {
        shown.push(format!("+{}", ends.len() - 3));
    }
    shown.join(", ")
}

/// The hint for one (syscall, errno) pair, made precise by the facts.
fn hint(lang: Lang, syscall: &str, errno: Errno, facts: &[Fact]) -> String {
    let addr = addr_of(facts);
    let port = port_of(facts);
    let pt = lang == Lang::PtBr;
    match (syscall, errno) {
        ("bind", Errno::EADDRINUSE) => {
            let mut parts = Vec::new();
            for fact in facts {
                match fact {
                    Fact::HeldBy(pid, comm) => parts.push(if pt {
                        format!("o processo {pid} ({comm}) já escuta na porta {port}: encerre-o (kill {pid}) ou use outra porta (--port)")
                    } else {
                        format!("process {pid} ({comm}) is already listening on port {port}: stop it (kill {pid}) or pick another port (--port)")
                    }),
                    Fact::TimeWait(ends) if facts.contains(&Fact::ReuseAddrOff) => {
                        let (n, list) = (ends.len(), connections(ends));
                        parts.push(if pt {
                            format!("este socket não ativou SO_REUSEADDR, e {n} conexão(ões) que usam a porta {port} ainda estão em TIME-WAIT ({list}); o lado que fechou primeiro guarda cada uma por até 60 s, e sem SO_REUSEADDR o kernel recusa o bind enquanto alguma existir. Ative SO_REUSEADDR antes do bind (o raw-tcp server ativa, a menos que receba --no-reuseaddr), ou espere o TIME-WAIT acabar (veja com: ss -tan 'sport = :{port}')")
                        } else {
                            format!("this socket did not set SO_REUSEADDR, and {n} connection(s) using port {port} still sit in TIME-WAIT ({list}); the side that closed first keeps each for up to 60 s, and without SO_REUSEADDR the kernel refuses the bind while one exists. Set SO_REUSEADDR before bind (the raw-tcp server does, unless told --no-reuseaddr), or wait for TIME-WAIT to end (watch with: ss -tan 'sport = :{port}')")
                        })
                    }
                    _ => {}
                }
            }
            let lingering = facts.iter().find_map(|f| match f {
                Fact::TimeWait(ends) => Some(ends),
                _ => None,
            });
            if let (Some(ends), false) = (lingering, facts.contains(&Fact::ReuseAddrOff)) {
                let (n, list) = (ends.len(), connections(ends));
                parts.push(if pt {
                    format!("{n} conexão(ões) que usam a porta {port} estão em TIME-WAIT ({list}), e o socket que usava a porta não tinha SO_REUSEADDR: o Linux só deixa o bind reutilizar a porta se o socket antigo e o novo o ativarem. Quem fechou primeiro guarda o TIME-WAIT por até 60 s — quem quer que tivesse a porta {port}: um servidor, ou um cliente que a recebeu como porta efêmera. Espere acabar (veja com: ss -tan 'sport = :{port}') e ative SO_REUSEADDR nos servidores")
                } else {
                    format!("{n} connection(s) using port {port} sit in TIME-WAIT ({list}), and the socket that held the port did not set SO_REUSEADDR: Linux lets bind reuse the port only if both the old socket and the new one set it. The side that closed first keeps TIME-WAIT for up to 60 s — whoever held port {port}: a server, or a client that got it as its ephemeral port. Wait for it to end (watch with: ss -tan 'sport = :{port}') and set SO_REUSEADDR in servers")
                });
            }
            if parts.is_empty() {
                let reuse = if facts.contains(&Fact::ReuseAddrOff) {
                    lang.pick(" SO_REUSEADDR was not set on this socket, so even a closing connection on the port blocks the bind.", " Este socket não ativou SO_REUSEADDR: até uma conexão se encerrando na porta impede o bind.")
                } else {
                    ""
                };
                parts.push(if pt {
                    format!("outro socket já está vinculado a {addr}: um servidor ainda rodando? Veja quem com: ss -tlnp 'sport = :{port}'; ou use outra porta (--port).{reuse}")
                } else {
                    format!("another socket is already bound to {addr}: is a server still running? See who with: ss -tlnp 'sport = :{port}'; or pick another port (--port).{reuse}")
                });
            }
            parts.join("; ")
        }
        ("bind", Errno::EACCES) => if pt {
            format!("portas abaixo de 1024 são privilegiadas: só root (ou CAP_NET_BIND_SERVICE) pode usar a porta {port}. Use uma porta >= 1024, como a 65432 do roteiro.")
        } else {
            format!("ports below 1024 are privileged: only root (or CAP_NET_BIND_SERVICE) may bind port {port}. Use a port >= 1024, like the assignment's 65432.")
        },
        ("bind", Errno::EADDRNOTAVAIL) => if pt {
            format!("{addr} não é um endereço desta máquina. Use 127.0.0.1, 0.0.0.0 (todas as interfaces) ou um IP que `ip addr` mostre.")
        } else {
            format!("{addr} is not an address of this machine. Use 127.0.0.1, 0.0.0.0 (every interface) or an IP that `ip addr` lists.")
        },
        ("connect", Errno::ECONNREFUSED) => if pt {
            format!("ninguém escuta em {addr}: o kernel do outro lado respondeu ao SYN com RST. Inicie o servidor primeiro e confira host e porta. Se o servidor está em outra máquina, ele deve escutar em 0.0.0.0, não em 127.0.0.1.")
        } else {
            format!("nothing is listening on {addr}: the kernel there answered our SYN with RST. Start the server first and check host and port. If the server is on another machine it must listen on 0.0.0.0, not 127.0.0.1.")
        },
        ("connect", Errno::ENETUNREACH) => if pt {
            format!("não há rota até {addr}: esta máquina não tem caminho para essa rede. Confira o IP e se as duas máquinas estão na mesma rede (ip route).")
        } else {
            format!("there is no route to {addr}: this machine has no path to that network. Check the IP and that both machines are on the same network (ip route).")
        },
        ("connect", Errno::EHOSTUNREACH) => if pt {
            format!("a máquina {addr} não responde na rede local (sem resposta ARP) ou um roteador disse que ela é inalcançável. Ela está ligada e na mesma rede?")
        } else {
            format!("host {addr} does not answer on the local network (no ARP reply) or a router said it is unreachable. Is it up and on the same network?")
        },
        ("connect", Errno::ETIMEDOUT) | ("connect", Errno::EINPROGRESS) => {
            let after = facts.iter().find_map(|f| match f { Fact::TimedOutAfter(s) => Some(*s), _ => None });
            let waited = after.map(|s| format!(" ({s} s)")).unwrap_or_default();
            if pt {
                format!("nenhuma resposta ao SYN{waited}: os pacotes para {addr} se perdem (um connect interrompido pelo SO_SNDTIMEO informa EINPROGRESS). Um firewall descartando a porta? IP errado? O servidor está em outra rede? Ou a fila de accept dele está cheia e o kernel descarta novos SYNs.")
            } else {
                format!("no answer to our SYN{waited}: packets to {addr} vanish (a connect cut short by SO_SNDTIMEO reports EINPROGRESS). A firewall dropping the port? A wrong IP? Is the server on another network? Or its accept queue is full and the kernel drops new SYNs.")
            }
        }
        ("recvfrom", Errno::EAGAIN) if facts.contains(&Fact::Udp) => {
            let after = facts.iter().find_map(|f| match f { Fact::TimedOutAfter(s) => Some(*s), _ => None }).unwrap_or(0.0);
            if pt {
                format!("nenhuma resposta em {after} s. O UDP não retransmite: o servidor pode estar parado, ou o pedido ou a resposta se perdeu. Confira host e porta (o servidor UDP está rodando?) e tente de novo.")
            } else {
                format!("no reply within {after} s. UDP does not retransmit: the server may be down, or the request or the reply was lost. Check host and port (is the UDP server running?) and try again.")
            }
        }
        ("sendto", Errno::EMSGSIZE) => lang.pick(
            "a UDP datagram carries at most 65507 bytes over IPv4 (65535 minus the 20-byte IP and 8-byte UDP headers) and 65527 over IPv6. Send a shorter message, split it, or use TCP, which is a byte stream.",
            "um datagrama UDP carrega no máximo 65507 bytes no IPv4 (65535 menos os cabeçalhos IP de 20 e UDP de 8 bytes) e 65527 no IPv6. Envie uma mensagem menor, divida-a, ou use TCP, que é um fluxo de bytes.",
        ).to_string(),
        ("recvfrom" | "sendto", Errno::ECONNREFUSED) => lang.pick(
            "an ICMP 'port unreachable' came back: no process has a UDP socket on that port. Only a connected UDP socket (--connect) hears about it; an unconnected one just waits until its timeout. Start the server first and check host and port.",
            "voltou um ICMP 'port unreachable': nenhum processo tem um socket UDP nessa porta. Só um socket UDP conectado (--connect) fica sabendo; um não conectado só espera até o prazo. Inicie o servidor primeiro e confira host e porta.",
        ).to_string(),
        ("recvfrom", Errno::EAGAIN) => {
            let after = facts.iter().find_map(|f| match f { Fact::TimedOutAfter(s) => Some(*s), _ => None }).unwrap_or(0.0);
            if pt {
                format!("nenhuma resposta em {after} s (SO_RCVTIMEO). O servidor está vivo? Ele responde mesmo?")
            } else {
                format!("no reply within {after} s (SO_RCVTIMEO). Is the server alive? Does it answer at all?")
            }
        }
        (_, Errno::ECONNRESET) => lang.pick(
            "the peer reset the connection (an RST arrived): it crashed, was killed, or closed with data still unread. Whatever was in flight is lost; reconnect.",
            "o outro lado reiniciou a conexão (chegou um RST): caiu, foi morto ou fechou com dados não lidos. O que estava em trânsito se perdeu; conecte de novo.",
        ).to_string(),
        (_, Errno::EPIPE) => lang.pick(
            "the peer is gone: we wrote to a connection it already closed. MSG_NOSIGNAL turned the fatal SIGPIPE into this error, so only this connection ends.",
            "o outro lado sumiu: escrevemos numa conexão que ele já fechou. MSG_NOSIGNAL trocou o SIGPIPE fatal por este erro, e só esta conexão termina.",
        ).to_string(),
        (_, Errno::EMFILE) | (_, Errno::ENFILE) => lang.pick(
            "out of file descriptors: every socket is one. Raise the limit (ulimit -n) or close idle connections.",
            "acabaram os descritores de arquivo: cada socket é um. Aumente o limite (ulimit -n) ou feche conexões ociosas.",
        ).to_string(),
        (_, Errno::EAFNOSUPPORT) => lang.pick(
            "this address family is not available here (IPv6 disabled?). Try an IPv4 address such as 127.0.0.1.",
            "esta família de endereços não existe aqui (IPv6 desligado?). Tente um endereço IPv4 como 127.0.0.1.",
        ).to_string(),
        _ => if pt {
            format!("veja `man 2 {syscall}`, seção ERRORS, para {errno:?}.")
        } else {
            format!("see `man 2 {syscall}`, section ERRORS, for {errno:?}.")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message names the syscall, the errno and the TIME-WAIT lesson, in both languages.
    #[test]
    fn eaddrinuse_with_time_wait() {
        let f = Failure::sys("bind", Errno::EADDRINUSE)
            .with(Fact::Addr("127.0.0.1:65432".parse().expect("addr")))
            .with(Fact::ReuseAddrOff)
            .with(Fact::TimeWait(vec![
                (
                    "127.0.0.1:65432".parse().expect("addr"),
                    "127.0.0.1:51234".parse().expect("addr"),
                ),
                (
                    "127.0.0.1:65432".parse().expect("addr"),
                    "127.0.0.1:51236".parse().expect("addr"),
                ),
            ]));
        let en = f.explain(Lang::En);
        assert!(
            en.starts_with("bind(2) failed: EADDRINUSE (Address already in use) — hint:"),
            "{en}"
        );
        assert!(
            en.contains("TIME-WAIT") && en.contains("SO_REUSEADDR"),
            "{en}"
        );
        assert!(
            en.contains("127.0.0.1:65432 ↔ 127.0.0.1:51234"),
            "names the connection: {en}"
        );
        assert!(!en.contains("the server that left"), "{en}");
        let pt = f.explain(Lang::PtBr);
        assert!(pt.starts_with("bind(2) falhou: EADDRINUSE"), "{pt}");
        assert!(pt.contains("dica:") && pt.contains("TIME-WAIT"), "{pt}");
        assert_eq!(f.exit_code(), 1);
    }
}
