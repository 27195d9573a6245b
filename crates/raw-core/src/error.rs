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

    /// Names the address the failure was about (the server a client talks to), unless
    /// a step already named one: every hint and `check:` command then shows the real
    /// host and port instead of a placeholder.
    pub fn at(self, addr: SocketAddr) -> Failure {
        match &self {
            Failure::Sys { facts, .. } if facts.iter().any(|f| matches!(f, Fact::Addr(_))) => self,
            _ => self.with(Fact::Addr(addr)),
        }
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

/// The address a failure was about, when a step or the program named one.
fn addr_in(facts: &[Fact]) -> Option<SocketAddr> {
    facts.iter().find_map(|f| match f {
        Fact::Addr(a) => Some(*a),
        _ => None,
    })
}

/// The address for a sentence: the real one, or words that stand for it (never a
/// placeholder a student would copy).
fn addr_of(lang: Lang, facts: &[Fact]) -> String {
    addr_in(facts).map_or_else(
        || lang.pick("that address", "esse endereço").to_string(),
        |a| a.to_string(),
    )
}

/// The port for a sentence, or words that stand for it.
fn port_of(lang: Lang, facts: &[Fact]) -> String {
    addr_in(facts).map_or_else(
        || lang.pick("that port", "essa porta").to_string(),
        |a| a.port().to_string(),
    )
}

/// How long a call waited before giving up, as the language writes seconds: `0.2` in
/// English, `0,2` in Portuguese (the decimal comma), `2` for whole seconds.
fn seconds(lang: Lang, facts: &[Fact]) -> Option<String> {
    facts.iter().find_map(|f| match f {
        Fact::TimedOutAfter(s) => {
            let text = lang.num(*s, 3);
            let text = text.trim_end_matches('0').trim_end_matches(['.', ',']);
            Some(text.to_string())
        }
        _ => None,
    })
}

/// The command that checks the cause of a failure, when there is one to run. It names
/// the real port and host; a command that would need them is left out when the failure
/// carries no address (no `PORT` or `IP` placeholder is ever printed).
fn check(lang: Lang, syscall: &str, errno: Errno, facts: &[Fact]) -> Option<String> {
    let on_server = lang.pick("(on the server's machine)", "(na máquina do servidor)");
    let addr = addr_in(facts);
    let udp = facts.contains(&Fact::Udp);
    // Commands that need no address.
    match (syscall, errno) {
        ("bind", Errno::EACCES) => {
            return Some("cat /proc/sys/net/ipv4/ip_unprivileged_port_start".to_string())
        }
        ("bind", Errno::EADDRNOTAVAIL) => return Some("ip -br addr".to_string()),
        (_, Errno::EMSGSIZE) => {
            return Some(format!(
                "ip -br link {}",
                lang.pick("(the MTU of each interface)", "(o MTU de cada interface)")
            ))
        }
        (_, Errno::EMFILE | Errno::ENFILE) => {
            return Some("ulimit -n; cat /proc/sys/fs/file-nr".to_string())
        }
        _ => {}
    }
    let addr = addr?;
    let (ip, port) = (addr.ip(), addr.port());
    Some(match (syscall, errno) {
        ("bind", Errno::EADDRINUSE) => format!("ss -tanp 'sport = :{port}'"),
        ("connect", Errno::ECONNREFUSED) => format!("ss -ltnp 'sport = :{port}' {on_server}"),
        (_, Errno::ENETUNREACH) => format!("ip route get {ip}"),
        ("connect", Errno::EHOSTUNREACH | Errno::ETIMEDOUT | Errno::EINPROGRESS) => {
            format!("ping -c 3 {ip}; nc -vz -w 3 {ip} {port}")
        }
        (_, Errno::EHOSTUNREACH) => format!("ping -c 3 {ip}"),
        (_, Errno::ECONNREFUSED) if udp => format!("ss -uanp 'sport = :{port}' {on_server}"),
        ("recvfrom", Errno::EAGAIN) if udp => {
            format!("ss -uanp 'sport = :{port}' {on_server}; tshark -i any -f 'udp port {port}'")
        }
        ("recvfrom", Errno::EAGAIN) => format!("ss -tanp 'dport = :{port}'"),
        (_, Errno::ECONNRESET | Errno::EPIPE) => {
            format!("tshark -i any -f 'tcp port {port}' -Y 'tcp.flags.reset == 1'")
        }
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

/// "1 connection ... sits" / "3 connections ... sit", as each language says it.
fn lingering(lang: Lang, ends: &[(SocketAddr, SocketAddr)], port: &str) -> String {
    let (n, list) = (ends.len(), connections(ends));
    match (lang, n) {
        (Lang::En, 1) => format!("1 connection on port {port} still sits in TIME-WAIT ({list})"),
        (Lang::En, _) => format!("{n} connections on port {port} still sit in TIME-WAIT ({list})"),
        (Lang::PtBr, 1) => format!("1 conexão na porta {port} ainda está em TIME-WAIT ({list})"),
        (Lang::PtBr, _) => {
            format!("{n} conexões na porta {port} ainda estão em TIME-WAIT ({list})")
        }
    }
}

/// The hint for one (syscall, errno) pair, made precise by the facts.
fn hint(lang: Lang, syscall: &str, errno: Errno, facts: &[Fact]) -> String {
    let addr = addr_of(lang, facts);
    let port = port_of(lang, facts);
    let pt = lang == Lang::PtBr;
    let after = seconds(lang, facts);
    match (syscall, errno) {
        ("bind", Errno::EADDRINUSE) => {
            let reuse_off = facts.contains(&Fact::ReuseAddrOff);
            let mut parts = Vec::new();
            for fact in facts {
                match fact {
                    Fact::HeldBy(pid, comm) => parts.push(if pt {
                        format!("o processo {pid} ({comm}) já escuta na porta {port}: encerre-o (kill {pid}) ou use outra porta (--port)")
                    } else {
                        format!("process {pid} ({comm}) is already listening on port {port}: stop it (kill {pid}) or pick another port (--port)")
                    }),
                    Fact::TimeWait(ends) if reuse_off => {
                        let held = lingering(lang, ends, &port);
                        parts.push(if pt {
                            format!("este socket não ativou o SO_REUSEADDR, e {held}: o lado que fechou primeiro mantém cada conexão assim por até 60 s, e sem SO_REUSEADDR o kernel recusa o bind enquanto houver alguma. Ative o SO_REUSEADDR antes do bind, como todo servidor deveria fazer, ou espere o TIME-WAIT acabar")
                        } else {
                            format!("this socket did not set SO_REUSEADDR, and {held}: the side that closed first keeps each such connection for up to 60 s, and without SO_REUSEADDR the kernel refuses the bind while any is left. Set SO_REUSEADDR before bind, as every server should, or wait for TIME-WAIT to end")
                        })
                    }
                    Fact::TimeWait(ends) => {
                        let held = lingering(lang, ends, &port);
                        parts.push(if pt {
                            format!("{held}, e o socket que usava a porta não tinha SO_REUSEADDR: o Linux só deixa o bind reutilizar a porta se o socket antigo e o novo o ativarem. O TIME-WAIT fica com quem fechou primeiro, por até 60 s — seja quem for que tinha a porta {port}: um servidor, ou um cliente que a recebeu como porta efêmera. Espere o TIME-WAIT acabar, e ative o SO_REUSEADDR nos servidores")
                        } else {
                            format!("{held}, and the socket that held the port did not set SO_REUSEADDR: Linux lets bind reuse the port only if both the old socket and the new one set it. TIME-WAIT stays with the side that closed first, for up to 60 s — whoever held port {port}: a server, or a client that got it as its ephemeral port. Wait for TIME-WAIT to end, and set SO_REUSEADDR in servers")
                        })
                    }
                    _ => {}
                }
            }
            if parts.is_empty() {
                let reuse = if reuse_off {
                    lang.pick(" SO_REUSEADDR was not set on this socket, so even a connection on the port that is still closing blocks the bind.", " Este socket não ativou o SO_REUSEADDR: até uma conexão nessa porta que ainda está terminando de fechar impede o bind.")
                } else {
                    ""
                };
                parts.push(if pt {
                    format!("outro socket já está vinculado a {addr}: será que um servidor ainda está rodando? Use outra porta (--port), ou encerre quem está nela.{reuse}")
                } else {
                    format!("another socket is already bound to {addr}: is a server still running? Pick another port (--port), or stop whoever holds it.{reuse}")
                });
            }
            parts.join("; ")
        }
        ("bind", Errno::EACCES) => if pt {
            format!("portas abaixo de 1024 são privilegiadas: só o root (ou quem tem CAP_NET_BIND_SERVICE) pode usar a porta {port}. Use uma porta a partir de 1024, como a 65432 do roteiro.")
        } else {
            format!("ports below 1024 are privileged: only root (or a process with CAP_NET_BIND_SERVICE) may bind port {port}. Use a port from 1024 up, like the assignment's 65432.")
        },
        ("bind", Errno::EADDRNOTAVAIL) => if pt {
            format!("{addr} não é um endereço desta máquina. Use 127.0.0.1, 0.0.0.0 (todas as interfaces) ou um dos endereços que o `ip -br addr` mostra.")
        } else {
            format!("{addr} is not an address of this machine. Use 127.0.0.1, 0.0.0.0 (every interface) or one of the addresses `ip -br addr` lists.")
        },
        ("connect", Errno::ECONNREFUSED) => if pt {
            format!("conexão recusada por {addr}: ou ninguém escuta lá (o kernel de lá respondeu ao nosso SYN com RST), ou um firewall rejeita a porta (com um ICMP \"port unreachable\", o `reject` padrão do nftables; com `reject with tcp reset` a resposta é um RST). Inicie o servidor primeiro e confira o host e a porta. Se o servidor estiver em outra máquina, ele precisa escutar em 0.0.0.0, não em 127.0.0.1, e o firewall dela precisa liberar a porta.")
        } else {
            format!("connection refused by {addr}: either nothing listens there (the kernel there answered our SYN with RST) or a firewall rejects the port (with an ICMP \"port unreachable\", nftables' default `reject`; `reject with tcp reset` answers with an RST instead). Start the server first and check host and port. If the server is on another machine it must listen on 0.0.0.0, not 127.0.0.1, and its firewall must allow the port.")
        },
        (_, Errno::ENETUNREACH) => if pt {
            format!("não há rota até {addr}: esta máquina não tem caminho para essa rede. Confira o endereço e se as duas máquinas estão na mesma rede.")
        } else {
            format!("there is no route to {addr}: this machine has no path to that network. Check the address, and that both machines are on the same network.")
        },
        (_, Errno::EHOSTUNREACH) => if pt {
            format!("a máquina {addr} não responde na rede local (nenhuma resposta ao ARP), ou um roteador avisou que ela está inalcançável. Ela está ligada e na mesma rede?")
        } else {
            format!("host {addr} does not answer on the local network (no ARP reply), or a router said it is unreachable. Is it up and on the same network?")
        },
        ("connect", Errno::ETIMEDOUT) | ("connect", Errno::EINPROGRESS) => {
            let waited = after.map(|s| format!(" ({s} s)")).unwrap_or_default();
            if pt {
                format!("nenhuma resposta ao SYN{waited}: os pacotes para {addr} somem no caminho (um connect cortado pelo SO_SNDTIMEO informa EINPROGRESS). Um firewall descartando a porta? Um endereço errado? O servidor está em outra rede? Ou a fila de accept dele está cheia e o kernel descarta os SYNs novos.")
            } else {
                format!("no answer to our SYN{waited}: packets to {addr} vanish (a connect cut short by SO_SNDTIMEO reports EINPROGRESS). A firewall dropping the port? A wrong address? Is the server on another network? Or its accept queue is full and the kernel drops new SYNs.")
            }
        }
        ("recvfrom", Errno::EAGAIN) if facts.contains(&Fact::Udp) => {
            let within = after.map(|s| if pt { format!(" em {s} s") } else { format!(" within {s} s") }).unwrap_or_default();
            if pt {
                format!("nenhuma resposta de {addr}{within}. O UDP não retransmite: o servidor pode estar parado, ou o pedido ou a resposta se perdeu. Confira se há um servidor UDP rodando em {addr} e tente de novo.")
            } else {
                format!("no reply from {addr}{within}. UDP does not retransmit: the server may be down, or the request or the reply was lost. Check that a UDP server runs on {addr}, then try again.")
            }
        }
        ("sendto", Errno::EMSGSIZE) => lang.pick(
            "a UDP datagram carries at most 65507 bytes over IPv4 (65535 minus the 20-byte IP and 8-byte UDP headers) and 65527 over IPv6. Send a shorter message, split it, or use TCP, which is a byte stream.",
            "um datagrama UDP carrega no máximo 65507 bytes no IPv4 (65535 menos os cabeçalhos IP, de 20 bytes, e UDP, de 8) e 65527 no IPv6. Envie uma mensagem menor, divida-a, ou use TCP, que é um fluxo de bytes.",
        ).to_string(),
        ("recvfrom" | "sendto", Errno::ECONNREFUSED) => if pt {
            format!("voltou um ICMP 'port unreachable' de {addr}: lá, nenhum processo tem um socket UDP na porta {port}. Só um socket UDP conectado (--connect) fica sabendo disso; um não conectado só espera o prazo acabar. Inicie o servidor primeiro e confira o host e a porta.")
        } else {
            format!("an ICMP 'port unreachable' came back from {addr}: no process there has a UDP socket on port {port}. Only a connected UDP socket (--connect) hears about it; an unconnected one just waits until its timeout. Start the server first and check host and port.")
        },
        ("recvfrom", Errno::EAGAIN) => {
            let within = after.map(|s| if pt { format!(" em {s} s") } else { format!(" within {s} s") }).unwrap_or_default();
            if pt {
                format!("nenhuma resposta de {addr}{within} (SO_RCVTIMEO). O servidor está vivo? Ele chega a responder?")
            } else {
                format!("no reply from {addr}{within} (SO_RCVTIMEO). Is the server alive? Does it answer at all?")
            }
        }
        (_, Errno::ECONNRESET) => {
            let peer = addr_in(facts).map(|a| format!(" ({a})")).unwrap_or_default();
            if pt {
                format!("o outro lado{peer} derrubou a conexão (chegou um RST): ele caiu, foi morto ou fechou com dados ainda não lidos. O que estava em trânsito se perdeu; conecte de novo.")
            } else {
                format!("the peer{peer} reset the connection (an RST arrived): it crashed, was killed, or closed with data still unread. Whatever was in flight is lost; reconnect.")
            }
        }
        (_, Errno::EPIPE) => lang.pick(
            "the peer is gone: we wrote to a connection it already closed. MSG_NOSIGNAL turned the fatal SIGPIPE into this error, so only this connection ends.",
            "o outro lado já foi embora: escrevemos numa conexão que ele já tinha fechado. O MSG_NOSIGNAL trocou o SIGPIPE, que mataria o processo, por este erro, e só esta conexão termina.",
        ).to_string(),
        (_, Errno::EMFILE) | (_, Errno::ENFILE) => lang.pick(
            "out of file descriptors: every socket is one. Raise the limit (ulimit -n) or close idle connections.",
            "acabaram os descritores de arquivo: cada socket ocupa um. Aumente o limite (ulimit -n) ou feche conexões ociosas.",
        ).to_string(),
        (_, Errno::EAFNOSUPPORT) => lang.pick(
            "this address family is not available here (IPv6 disabled?). Try an IPv4 address such as 127.0.0.1.",
            "esta família de endereços não está disponível aqui (IPv6 desativado?). Tente um endereço IPv4, como 127.0.0.1.",
        ).to_string(),
        _ => if pt {
            format!("veja `man 2 {syscall}`, seção ERRORS, sobre {errno:?}.")
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

    /// Every failure a step can raise with an address (a bind, a client talking to its
    /// server) names the real port and host: no `PORT` or `?` in the hint, no `IP` or
    /// `PORT` in the `check:` command a student copies, in either language. Without an
    /// address, no placeholder either: the command that would need one is left out.
    #[test]
    fn explained_failures_name_the_real_address() {
        let syscalls = [
            "socket",
            "bind",
            "listen",
            "accept",
            "connect",
            "sendto",
            "recvfrom",
            "shutdown",
            "close",
            "setsockopt",
            "getsockname",
        ];
        let errnos = [
            Errno::EADDRINUSE,
            Errno::EACCES,
            Errno::EADDRNOTAVAIL,
            Errno::ECONNREFUSED,
            Errno::ENETUNREACH,
            Errno::EHOSTUNREACH,
            Errno::ETIMEDOUT,
            Errno::EINPROGRESS,
            Errno::EAGAIN,
            Errno::ECONNRESET,
            Errno::EPIPE,
            Errno::EMSGSIZE,
            Errno::EMFILE,
            Errno::ENFILE,
            Errno::EAFNOSUPPORT,
            Errno::EINTR,
            Errno::EPERM,
            Errno::EINVAL,
        ];
        let server: SocketAddr = "192.0.2.7:54321".parse().expect("addr");
        let time_wait = vec![(server, "192.0.2.8:40000".parse().expect("addr"))];
        let fact_sets: Vec<Vec<Fact>> = vec![
            vec![],
            vec![Fact::Udp],
            vec![Fact::TimedOutAfter(0.25)],
            vec![Fact::Udp, Fact::TimedOutAfter(2.0)],
            vec![Fact::ReuseAddrOff],
            vec![Fact::ReuseAddrOff, Fact::TimeWait(time_wait.clone())],
            vec![Fact::TimeWait(time_wait)],
            vec![Fact::HeldBy(4242, "raw-tcp".to_string())],
        ];
        for syscall in syscalls {
            for errno in errnos {
                for (facts, with_addr) in fact_sets.iter().flat_map(|f| [(f, true), (f, false)]) {
                    let mut failure = Failure::sys(syscall, errno);
                    for fact in facts {
                        failure = failure.with(fact.clone());
                    }
                    if with_addr {
                        failure = failure.at(server);
                    }
                    for lang in [Lang::En, Lang::PtBr] {
                        let text = failure.explain(lang);
                        let words: Vec<&str> =
                            text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
                        assert!(
                            !words.contains(&"PORT"),
                            "{syscall} {errno:?} {facts:?}: PORT in {text}"
                        );
                        for placeholder in [":?", "port ?", "porta ?", "host ?"] {
                            assert!(
                                !text.contains(placeholder),
                                "{syscall} {errno:?} {facts:?}: {placeholder:?} in {text}"
                            );
                        }
                        if with_addr && (words.contains(&"port") || words.contains(&"porta")) {
                            assert!(text.contains("54321"), "{syscall} {errno:?}: {text}");
                        }
                        let command = text
                            .split(lang.pick(" — check: ", " — verifique: "))
                            .nth(1)
                            .unwrap_or("");
                        // The one place "IP" can only be a placeholder: a command to run.
                        assert!(
                            !command
                                .split(|c: char| !c.is_ascii_alphanumeric())
                                .any(|w| w == "IP" || w == "PORT"),
                            "{syscall} {errno:?}: {command}"
                        );
                    }
                }
            }
        }
    }

    /// A failure already about an address keeps it; `at` adds one only when missing.
    #[test]
    fn at_keeps_the_first_address() {
        let first: SocketAddr = "127.0.0.1:1111".parse().expect("addr");
        let second: SocketAddr = "127.0.0.1:2222".parse().expect("addr");
        let f = Failure::sys("connect", Errno::ECONNREFUSED)
            .with(Fact::Addr(first))
            .at(second);
        let text = f.explain(Lang::En);
        assert!(text.contains(":1111") && !text.contains(":2222"), "{text}");
        let f = Failure::sys("recvfrom", Errno::ECONNRESET).at(second);
        assert!(f.explain(Lang::En).contains("tcp port 2222"));
    }

    /// Seconds are written with the language's decimal separator.
    #[test]
    fn timeouts_use_the_decimal_comma_in_portuguese() {
        let f = Failure::sys("recvfrom", Errno::EAGAIN)
            .with(Fact::Udp)
            .with(Fact::TimedOutAfter(0.5))
            .at("127.0.0.1:9".parse().expect("addr"));
        assert!(
            f.explain(Lang::En).contains("within 0.5 s"),
            "{}",
            f.explain(Lang::En)
        );
        assert!(
            f.explain(Lang::PtBr).contains("em 0,5 s"),
            "{}",
            f.explain(Lang::PtBr)
        );
        let f = Failure::sys("connect", Errno::EINPROGRESS)
            .with(Fact::TimedOutAfter(1.0))
            .at("127.0.0.1:9".parse().expect("addr"));
        assert!(
            f.explain(Lang::PtBr).contains("(1 s)"),
            "{}",
            f.explain(Lang::PtBr)
        );
    }
}
