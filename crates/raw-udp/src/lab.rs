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
use raw_core::text;
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
    let both = first + second;
    let merged_all = if merged == both { "yes" } else { "no" };
    let seen = text!(
        "udp-lab-boundaries-seen",
        first,
        second,
        real,
        merged_all,
        merged,
        both
    );
    n.summary(
        n.say(seen),
        n.say(text!("udp-lab-udp-keeps-message-boundaries-each")),
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
        n.say(text!(
            "udp-lab-no-server-connected-socket-unconnected",
            nobody,
            name = name(connected_saw),
            name2 = name(unconnected_saw)
        )),
        n.say(text!("udp-lab-kernel-answers-datagram-closed-port")),
    );
    Ok(())
}
