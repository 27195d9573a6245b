//! `raw-udp server`: the assignment's UDP echo server, one syscall per line.
//!
//! ```text
//! raw-udp server                                   # 127.0.0.1:65431, until Ctrl-C
//! raw-udp client       or   nc -u 127.0.0.1 65431  # another terminal
//! strace -f -e trace=%network raw-udp server       # the same syscalls, from the kernel
//! tshark -i lo -f 'udp port 65431'                 # one datagram each way, nothing else
//! ```
//!
//! The sequence: `socket(SOCK_DGRAM)` → `setsockopt(SO_REUSEADDR)` → `bind` → loop
//! `recvfrom` / `sendto` to whoever wrote. Compare with TCP: no `listen`, no `accept`,
//! no per-client socket. Every client's datagrams arrive on this one socket, and
//! `recvfrom` says who sent each.
//!
//! An echo service on UDP can be abused: a spoofed source address makes us send to a
//! victim, and two echo services pointed at each other bounce one datagram forever.
//! So this server never answers with more bytes than it got, ignores source port 0 and
//! the classic small services (echo 7, discard 9, daytime 13, qotd 17, chargen 19,
//! time 37), and `--rate-limit N` caps replies per second per source address.

use clap::Args;
use nix::errno::Errno;
use raw_core::echo::Transform;
use raw_core::resolve::resolve;
use raw_core::signals::{stop_on_sigint_sigterm, stop_requested};
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Type};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Options of `raw-udp server`.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Address to bind: 127.0.0.1, 0.0.0.0 (every interface), ::1, or :: (dual stack)
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind; 0 lets the kernel pick one (the bound port is printed)
    #[arg(long, default_value_t = 65431)]
    pub port: u16,
    /// What to do to the bytes before echoing them: upper (ASCII letters only) or none
    #[arg(long, value_enum, default_value_t = Transform::Upper)]
    pub transform: Transform,
    /// recvfrom() buffer in bytes: a larger datagram is cut (and we say so, and do not
    /// answer it)
    #[arg(long, default_value_t = 65535, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    pub buffer: u32,
    /// Answer at most N datagrams per second per source address (0: no limit)
    #[arg(long, default_value_t = 0)]
    pub rate_limit: u32,
}

/// Source ports we never answer: 0 is not a valid source, and the classic small
/// services (echo, discard, daytime, qotd, chargen, time) would answer us back.
pub const REFUSED_SOURCE_PORTS: [u16; 7] = [0, 7, 9, 13, 17, 19, 37];

/// Runs the server: the syscall sequence, one step per line.
pub fn run(n: &Narrator, args: &ServerArgs) -> Result<(), Failure> {
    let addr = resolve(&args.host, args.port)?[0];
    stop_on_sigint_sigterm()?;
    n.note(n.t(
        "rt_sigaction(SIGINT, SIGTERM): Ctrl-C now interrupts recvfrom (EINTR) and the server closes its socket and exits 0.",
        "rt_sigaction(SIGINT, SIGTERM): Ctrl-C agora interrompe o recvfrom (EINTR) e o servidor fecha o socket e sai com 0.",
    ));

    let sock = steps::socket(
        n,
        Domain::for_address(addr),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    // The sequence runs in a closure so that, whatever happens in it, the socket is
    // then closed by a narrated close(2): strace shows that close, so we say it too.
    let outcome = (|| -> Result<(), Failure> {
        steps::set_reuseaddr(n, &sock)?;
        if addr.is_ipv6() && addr.ip().is_unspecified() {
            steps::set_v6only(n, &sock, false)?; // dual stack, said explicitly
        }
        steps::bind(n, &sock, addr, true)?;
        let bound = steps::getsockname(n, &sock)?;
        n.note(n.t(
            "No listen() and no accept(): UDP has no connections, no handshake and no state. This one socket receives every client's datagrams, and recvfrom tells us who sent each.",
            "Sem listen() e sem accept(): o UDP não tem conexões, nem handshake, nem estado. Este único socket recebe os datagramas de todos os clientes, e o recvfrom diz quem mandou cada um.",
        ));
        n.ready(
            bound,
            format!(
                "{} {bound} (UDP) — {}: raw-udp client --port {}   |   nc -u {} {}",
                n.t("Waiting for datagrams on", "Esperando datagramas em"),
                n.t("try", "experimente"),
                bound.port(),
                bound.ip(),
                bound.port()
            ),
        );
        raw_core::interfaces::announce_reachable(n, bound, "raw-udp client");

        let mut buf = vec![0u8; args.buffer as usize];
        let mut limiter = RateLimiter::new(args.rate_limit);
        let mut served: u64 = 0;
        while !stop_requested() {
            let datagram = match steps::recvfrom(n, &sock, &mut buf) {
                Ok(d) => d,
                // EINTR: a signal arrived while we waited. If it was SIGINT/SIGTERM the
                // loop condition ends the loop; any other signal: just wait again.
                Err(f) if f.errno() == Some(Errno::EINTR) => continue,
                Err(f) => return Err(f),
            };
            if let Some(why) = refuse(n, datagram.from) {
                n.note(why);
                continue;
            }
            let data = &mut buf[..datagram.len];
            if n.shows_data() {
                n.data(
                    format!(
                        "{} → {}",
                        datagram.from,
                        raw_core::strace::quoted_limit(data, 200)
                    ),
                    data,
                );
            }
            if datagram.truncated() {
                n.note(n.t(
                    "Not answering a cut datagram: echoing part of it would pass a cut message off as whole.",
                    "Não respondemos a um datagrama cortado: ecoar só um pedaço seria fingir que a mensagem está inteira.",
                ));
                continue;
            }
            if !limiter.allow(datagram.from.ip(), Instant::now()) {
                n.note(n.t(
                    "Rate limit reached for this source: not answering (an echo service must not become a traffic amplifier).",
                    "Limite de taxa atingido para esta origem: sem resposta (um serviço de eco não pode virar amplificador de tráfego).",
                ));
                continue;
            }
            args.transform.apply(data); // same length: never more bytes out than in
            match steps::sendto(n, &sock, data, Some(datagram.from)) {
                Ok(_) => served += 1,
                // One client's failure (e.g. its ICMP error) never stops the service.
                Err(failure) => n.note(failure.explain(n.lang)),
            }
        }
        n.note(format!(
            "{} {served} {}",
            n.t(
                "SIGINT/SIGTERM received: stopping after",
                "SIGINT/SIGTERM recebido: parando depois de"
            ),
            n.t("replies.", "respostas.")
        ));
        Ok(())
    })();
    outcome.and(steps::close(n, sock))
}

/// Why we ignore a datagram from `from`, if we do.
fn refuse(n: &Narrator, from: SocketAddr) -> Option<String> {
    REFUSED_SOURCE_PORTS.contains(&from.port()).then(|| {
        format!(
            "{} {from}: {}",
            n.t("Ignored a datagram from", "Ignorado um datagrama de"),
            n.t(
                "source port 0 is invalid and ports 7, 9, 13, 17, 19 and 37 are classic UDP services that answer back; replying could start an endless echo loop or answer a spoofed source.",
                "a porta de origem 0 é inválida e as portas 7, 9, 13, 17, 19 e 37 são serviços UDP clássicos que respondem; responder poderia iniciar um eco sem fim ou atender uma origem forjada.",
            )
        )
    })
}

/// At most `per_second` replies per source address in each one-second window.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: u32,
    windows: HashMap<IpAddr, (Instant, u32)>,
}

impl RateLimiter {
    /// The largest number of sources remembered; older windows are dropped beyond it,
    /// so a flood of spoofed sources cannot grow the table without bound.
    const MAX_SOURCES: usize = 65_536;

    /// A limiter allowing `per_second` replies per source (0 means no limit).
    pub fn new(per_second: u32) -> RateLimiter {
        RateLimiter {
            per_second,
            windows: HashMap::new(),
        }
    }

    /// Whether a reply to `source` is allowed `now`, counting it if so.
    pub fn allow(&mut self, source: IpAddr, now: Instant) -> bool {
        if self.per_second == 0 {
            return true;
        }
        if self.windows.len() >= Self::MAX_SOURCES {
            self.windows
                .retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(1));
        }
        let entry = self.windows.entry(source).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(1) {
            *entry = (now, 0);
        }
        if entry.1 < self.per_second {
            entry.1 += 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three per second: the fourth in the same second is refused; a new second allows again.
    #[test]
    fn rate_limiter_counts_per_source_per_second() {
        let mut limiter = RateLimiter::new(3);
        let t0 = Instant::now();
        let a: IpAddr = "127.0.0.1".parse().expect("ip");
        let b: IpAddr = "127.0.0.2".parse().expect("ip");
        assert!((0..3).all(|_| limiter.allow(a, t0)));
        assert!(!limiter.allow(a, t0));
        assert!(limiter.allow(b, t0), "another source has its own budget");
        assert!(limiter.allow(a, t0 + Duration::from_millis(1001)));
        assert!(RateLimiter::new(0).allow(a, t0));
    }
}
