//! `raw-udp lab ...`: what makes UDP different, reproduced and shown. Each lab runs in
//! one process, narrated, and ends with a two-line summary.
//!
//! ```text
//! raw-udp lab boundaries  # two sends, two datagrams; over TCP, maybe one read; MSG_TRUNC
//! raw-udp lab refused     # no server: a connected socket hears ECONNREFUSED, an unconnected one silence
//! ```

use clap::Subcommand;
use nix::errno::Errno;
use raw_core::steps::PortFrom;
use raw_core::steps::{self, Timeout};
use raw_core::{Failure, Narrator};
use socket2::{Domain, Protocol, Type};
use std::net::SocketAddr;
use std::time::Duration;

/// The labs of `raw-udp`.
#[derive(Debug, Clone, Subcommand)]
pub enum Lab {
    /// Two sends are two datagrams (two receives); the same two sends over TCP may
    /// arrive as one read; a datagram larger than the buffer is cut (MSG_TRUNC)
    Boundaries,
    /// Sending to a port with no server: connected UDP gets ECONNREFUSED (from the
    /// ICMP error), unconnected UDP hears nothing until its timeout
    Refused,
}

/// Runs one lab.
pub fn run(n: &Narrator, lab: &Lab) -> Result<(), Failure> {
    match lab {
        Lab::Boundaries => boundaries(n),
        Lab::Refused => refused(n),
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn boundaries(n: &Narrator) -> Result<(), Failure> {
    let (server, client) = (n.side("server"), n.side("client"));
    let mut buf = [0u8; 1024];

    // UDP: two sendto calls, two datagrams, two recvfrom calls.
    let sock = steps::socket(&server, Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    steps::bind(&server, &sock, loopback(), true)?;
    let addr = steps::getsockname(&server, &sock, PortFrom::Bind(0))?;
    let csock = steps::socket(&client, Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    steps::sendto(&client, &csock, b"one", Some(addr))?;
    steps::sendto(&client, &csock, b"two", Some(addr))?;
    let first = steps::recvfrom(&server, &sock, &mut buf)?.len;
    let second = steps::recvfrom(&server, &sock, &mut buf)?.len;

    // A datagram larger than the receive buffer is cut; MSG_TRUNC tells the real size.
    steps::sendto(&client, &csock, b"Hello, world", Some(addr))?;
    let cut = steps::recvfrom(&server, &sock, &mut buf[..5])?;
    steps::close(&client, csock)?;
    steps::close(&server, sock)?;

    // TCP: the same two sends may be read back in one recv: a stream has no boundaries.
    let (tserver, tclient) = (n.side("server"), n.side("client"));
    let listener = steps::socket(&tserver, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::bind(&tserver, &listener, loopback(), true)?;
    let taddr = steps::getsockname(&tserver, &listener, PortFrom::Bind(0))?;
    steps::listen(&tserver, &listener, 1)?;
    let tsock = steps::socket(&tclient, Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    steps::connect(&tclient, &tsock, taddr)?;
    let (conn, _) = steps::accept(&tserver, &listener)?;
    steps::send_all(&tclient, &tsock, b"one")?;
    steps::send_all(&tclient, &tsock, b"two")?;
    // Nagle may hold "two" until "one" is acknowledged (a delayed ACK: 40 ms or more);
    // wait so that both are in before we read.
    std::thread::sleep(Duration::from_millis(200));
    let merged = steps::recv(&tserver, &conn, &mut buf)?;
    steps::close(&tclient, tsock)?;
    steps::close(&tserver, conn)?;
    steps::close(&tserver, listener)?;

    let real = cut.real_len;
    let udp = match n.lang {
        raw_core::Lang::En => format!("UDP: two datagrams of {first} + {second} bytes, two receives; a {real}-byte datagram read into a 5-byte buffer was cut, and MSG_TRUNC still reported {real}."),
        raw_core::Lang::PtBr => format!("UDP: dois datagramas de {first} + {second} bytes, duas recepções; um datagrama de {real} bytes lido num buffer de 5 foi cortado, e o MSG_TRUNC ainda informou {real}."),
    };
    let both = first + second;
    let tcp = match (n.lang, merged == both) {
        (raw_core::Lang::En, true) => format!("TCP: the same two sends arrived in one recv of {merged} bytes."),
        (raw_core::Lang::En, false) => format!("TCP: this time the first recv returned {merged} of the {both} bytes (a stream may split or merge sends, as it likes)."),
        (raw_core::Lang::PtBr, true) => format!("TCP: os mesmos dois envios chegaram num só recv de {merged} bytes."),
        (raw_core::Lang::PtBr, false) => format!("TCP: desta vez o primeiro recv devolveu {merged} dos {both} bytes (um fluxo pode dividir ou juntar os envios como quiser)."),
    };
    n.summary(
        format!("{udp} {tcp}"),
        n.t(
            "UDP keeps message boundaries (each datagram is read whole, or cut); TCP is a byte stream, so the receiver must frame messages itself.",
            "O UDP mantém os limites das mensagens (cada datagrama é lido inteiro, ou cortado); o TCP é um fluxo de bytes, então quem recebe precisa delimitar as mensagens.",
        ),
    );
    Ok(())
}

fn refused(n: &Narrator) -> Result<(), Failure> {
    // A port with no server: bind one, note its number, close it.
    let probe = n.side("setup");
    let tmp = steps::socket(&probe, Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    steps::bind(&probe, &tmp, loopback(), true)?;
    let nobody = steps::getsockname(&probe, &tmp, PortFrom::Bind(0))?;
    steps::close(&probe, tmp)?;

    // Connected: the ICMP port-unreachable comes back as ECONNREFUSED.
    let connected = n.side("connected");
    let a = steps::socket(&connected, Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    steps::set_timeout(&connected, &a, Timeout::Receive, Duration::from_millis(500))?;
    steps::connect(&connected, &a, nobody)?;
    steps::sendto(&connected, &a, b"anyone?", None)?;
    let mut buf = [0u8; 64];
    let connected_saw = match steps::recvfrom(&connected, &a, &mut buf) {
        Err(f) => f.errno(),
        Ok(_) => None,
    };
    steps::close(&connected, a)?;

    // Unconnected: the kernel has nobody to tell; recvfrom waits until the timeout.
    let unconnected = n.side("unconnected");
    let b = steps::socket(&unconnected, Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    steps::set_timeout(
        &unconnected,
        &b,
        Timeout::Receive,
        Duration::from_millis(500),
    )?;
    steps::sendto(&unconnected, &b, b"anyone?", Some(nobody))?;
    let unconnected_saw = match steps::recvfrom(&unconnected, &b, &mut buf) {
        Err(f) => f.errno(),
        Ok(_) => None,
    };
    steps::close(&unconnected, b)?;

    let name = |e: Option<Errno>| e.map_or("-".to_string(), |e| format!("{e:?}"));
    n.summary(
        format!(
            "{} {nobody}: {} {}, {} {}.",
            n.t("no server on", "nenhum servidor em"),
            n.t("connected socket:", "socket conectado:"),
            name(connected_saw),
            n.t("unconnected socket:", "socket não conectado:"),
            name(unconnected_saw)
        ),
        n.t(
            "the kernel answers a datagram to a closed port with ICMP port-unreachable; only a connected UDP socket has a peer to match it to, so only it reports ECONNREFUSED. The unconnected one just times out (EAGAIN).",
            "o kernel responde a um datagrama enviado a uma porta fechada com um ICMP port-unreachable; só um socket UDP conectado tem um destino fixo ao qual associar esse erro, então só ele recebe ECONNREFUSED. O não conectado só espera o prazo acabar (EAGAIN).",
        ),
    );
    Ok(())
}
