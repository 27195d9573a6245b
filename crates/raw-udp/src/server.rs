//! `raw-udp server`: the assignment's UDP echo server, one syscall per line.
//!
//! ```text
//! raw-udp server                                   # 127.0.0.1:65431, until Ctrl-C
//! raw-udp client       or   nc -u 127.0.0.1 65431  # another terminal
//! strace -f -e trace=%network raw-udp server       # the same syscalls, from the kernel
//! tshark -i lo -f 'udp port 65431'                 # one datagram each way, nothing else
//! ```
//!
//! The sequence: `rt_sigaction(SIGINT, SIGTERM)` (so Ctrl-C or `kill` ends the loop
//! cleanly) → `socket(SOCK_DGRAM)` → `setsockopt(SO_REUSEADDR)` → `bind` → loop
//! `recvfrom` / `sendto` to whoever wrote. Compare with TCP: no `listen`, no `accept`,
//! no per-client socket. Every client's datagrams arrive on this one socket, and
//! `recvfrom` says who sent each.
//!
//! Who "wrote" is only what the datagram's source address claims, and anyone with a
//! raw socket can forge it. One forged datagram from our own address makes an echo
//! server answer itself forever; one claiming to come from another echo server starts
//! a bounce between the two that never ends (CERT CA-1996-01). So between `recvfrom`
//! and `sendto` stands one decision, `hardening.refuse(...)` (see `hardening.rs`): never
//! answer this machine at our own port, nor source port 0 or the classic small services
//! (7, 9, 13, 17, 19, 37), and answer each source address at most `--rate-limit N`
//! times a second (a token bucket: bursts of up to N, default 10). We also never answer
//! with more bytes than we got. `--rate-limit 0` removes the limit, with a warning.

use crate::hardening::Hardening;
use clap::Args;
use nix::errno::Errno;
use raw_core::echo::Transform;
use raw_core::resolve::resolve;
use raw_core::steps::signals::{stop_on_sigint_sigterm_narrated, stop_requested, stop_signal};
use raw_core::steps::PortFrom;
use raw_core::text;
use raw_core::{steps, Failure, Narrator};
use socket2::{Domain, Protocol, Type};
use std::time::Instant;

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
    /// Answer each source address at most N times a second, in bursts of up to N. A
    /// token bucket per source: it holds N tokens, each reply takes one, and they drip
    /// back in at N a second. A person typing never runs out; two echo servers bouncing
    /// one forged datagram stop after about N replies each. 0: no limit (a warning says
    /// the server can then be used as a traffic amplifier)
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub rate_limit: u32,
}

/// Runs the server: the syscall sequence, one step per line.
pub fn run(n: &Narrator, args: &ServerArgs) -> Result<(), Failure> {
    let addr = resolve(&args.host, args.port)?[0];
    // Ctrl-C and kill interrupt recvfrom (EINTR) instead of killing us mid-call.
    stop_on_sigint_sigterm_narrated(n, "recvfrom")?;

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
        let bound = steps::getsockname(n, &sock, PortFrom::Bind(addr.port()))?;
        n.note(n.say(text!("udp-server-no-listen-no-accept-udp")));
        n.ready(
            bound,
            n.say(text!(
                "udp-server-waiting-datagrams-udp-try-raw",
                bound,
                port = bound.port(),
                ip = bound.ip(),
                port2 = bound.port()
            )),
        );
        raw_core::interfaces::announce_reachable(n, bound, "raw-udp client");

        let mut hardening = Hardening::new(bound, args.rate_limit);
        hardening.announce(n); // with --rate-limit 0, a warning on stderr

        let mut buf = vec![0u8; args.buffer as usize];
        let mut served: u64 = 0;
        while !stop_requested() {
            let datagram = match steps::recvfrom(n, &sock, &mut buf) {
                Ok(d) => d,
                // EINTR: a signal arrived while we waited. If it was SIGINT/SIGTERM the
                // loop condition ends the loop; any other signal: just wait again.
                Err(f) if f.errno() == Some(Errno::EINTR) => continue,
                Err(f) => return Err(f),
            };
            // The one decision between recvfrom and sendto: see hardening.rs.
            if let Some(why) = hardening.refuse(datagram.from, Instant::now()) {
                why.narrate(n); // a limited source is told once per burst
                continue;
            }
            let data = &mut buf[..datagram.len];
            if n.shows_data() {
                n.data(
                    format!(
                        "{} → {}",
                        datagram.from,
                        raw_core::trace::strace::readable(data, 200)
                    ),
                    data,
                );
            }
            if datagram.truncated() {
                n.note(n.say(text!("udp-server-not-answering-cut-datagram-echoing")));
                continue;
            }
            args.transform.apply(data); // same length: never more bytes out than in
            match steps::sendto(n, &sock, data, Some(datagram.from)) {
                Ok(_) => served += 1,
                // One client's failure (no route back to it, say) never stops the
                // service, and no output mode hides it.
                Err(failure) => n.problem(
                    Some(datagram.from),
                    &failure,
                    &n.say(text!("udp-server-only-this-reply-lost-server")),
                ),
            }
        }
        n.note(n.say(text!(
            "udp-server-received-server-stops-after-closes",
            signal = stop_signal().unwrap_or("SIGINT/SIGTERM"),
            served
        )));
        Ok(())
    })();
    outcome.and(steps::close(n, sock))
}
