//! The good frames the fuzzer starts from: a SYN, data, a FIN, UDP, IPv6, each with
//! what it must decode as.

use super::*;
use etherparse::PacketBuilder;

/// What a well-formed frame must decode to.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    pub(crate) proto: &'static str,
    pub(crate) src_port: u16,
    pub(crate) dst_port: u16,
    pub(crate) flag_bits: u8,
    pub(crate) payload: usize,
}

/// A frame built here, with where its headers start, so mutations can aim at fields.
#[derive(Debug, Clone)]
pub(crate) struct Base {
    pub(crate) name: &'static str,
    pub(crate) frame: Vec<u8>,
    /// Offset of the IP header (after Ethernet and any VLAN tag).
    pub(crate) ip: usize,
    /// Offset of the TCP or UDP header.
    pub(crate) l4: usize,
    pub(crate) v6: bool,
    pub(crate) tcp: bool,
    pub(crate) expected: Expected,
}

/// MSS 1460, SACK permitted, timestamps, NOP, window scale 7: what Linux puts in a SYN.
pub(crate) const SYN_OPTIONS: [u8; 20] = [
    2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0, 1, 3, 3, 7,
];

pub(crate) fn build(
    step: impl FnOnce(&mut Vec<u8>, &[u8]) -> Result<(), etherparse::err::packet::BuildWriteError>,
    payload: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    step(&mut out, payload).expect("build frame");
    out
}

/// Valid frames: TCP and UDP over IPv4 and IPv6, in both directions, one with a VLAN tag.
pub(crate) fn bases() -> Vec<Base> {
    let mac = ([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
    let v4 = || PacketBuilder::ethernet2(mac.0, mac.1).ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64);
    let (a6, b6) = (
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
    );
    let v6 = || PacketBuilder::ethernet2(mac.0, mac.1).ipv6(a6, b6, 64);
    let tcp = |name, frame, v6: bool, src_port, dst_port, flag_bits, payload| Base {
        name,
        frame,
        ip: 14,
        l4: if v6 { 54 } else { 34 },
        v6,
        tcp: true,
        expected: Expected {
            proto: "TCP",
            src_port,
            dst_port,
            flag_bits,
            payload,
        },
    };
    let udp = |name, frame, v6: bool, src_port, dst_port, payload| Base {
        name,
        frame,
        ip: 14,
        l4: if v6 { 54 } else { 34 },
        v6,
        tcp: false,
        expected: Expected {
            proto: "UDP",
            src_port,
            dst_port,
            flag_bits: 0,
            payload,
        },
    };
    let hello = b"hello, server\n";
    let syn = v4()
        .tcp(CLIENT, PORT, 1000, 65495)
        .syn()
        .options_raw(&SYN_OPTIONS)
        .expect("options");
    let mut all = vec![
        tcp(
            "IPv4 TCP SYN with options",
            build(|o, p| syn.write(o, p), b""),
            false,
            CLIENT,
            PORT,
            0x02,
            0,
        ),
        tcp(
            "IPv4 TCP PSH-ACK with data",
            build(
                |o, p| v4().tcp(CLIENT, PORT, 1001, 512).psh().ack(7).write(o, p),
                hello,
            ),
            false,
            CLIENT,
            PORT,
            0x18,
            hello.len(),
        ),
        tcp(
            "IPv4 TCP every flag, from the server",
            build(
                |o, p| {
                    v4().tcp(PORT, CLIENT, 9, 512)
                        .fin()
                        .syn()
                        .rst()
                        .psh()
                        .ack(1)
                        .urg(3)
                        .write(o, p)
                },
                b"x",
            ),
            false,
            PORT,
            CLIENT,
            0x3f,
            1,
        ),
        udp(
            "IPv4 UDP",
            build(|o, p| v4().udp(CLIENT, PORT).write(o, p), hello),
            false,
            CLIENT,
            PORT,
            hello.len(),
        ),
        tcp(
            "IPv6 TCP FIN-ACK",
            build(
                |o, p| v6().tcp(PORT, CLIENT, 77, 512).fin().ack(5).write(o, p),
                b"",
            ),
            true,
            PORT,
            CLIENT,
            0x11,
            0,
        ),
        tcp(
            "IPv6 TCP SYN with options",
            build(
                |o, p| {
                    v6().tcp(CLIENT, PORT, 1, 65535)
                        .syn()
                        .options_raw(&SYN_OPTIONS)
                        .expect("options")
                        .write(o, p)
                },
                b"",
            ),
            true,
            CLIENT,
            PORT,
            0x02,
            0,
        ),
        udp(
            "IPv6 UDP",
            build(|o, p| v6().udp(PORT, CLIENT).write(o, p), hello),
            true,
            PORT,
            CLIENT,
            hello.len(),
        ),
    ];
    let vlan = etherparse::VlanId::try_new(42).expect("vlan id");
    let mut tagged = udp(
        "IPv4 UDP in a VLAN",
        build(
            |o, p| {
                PacketBuilder::ethernet2(mac.0, mac.1)
                    .single_vlan(vlan)
                    .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 1)
                    .udp(CLIENT, PORT)
                    .write(o, p)
            },
            b"",
        ),
        false,
        CLIENT,
        PORT,
        0,
    );
    tagged.ip = 18;
    tagged.l4 = 38;
    all.push(tagged);
    all
}
