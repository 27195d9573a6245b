//! Decoding a frame (etherparse): the flow it belongs to, relative sequence numbers.

#![forbid(unsafe_code)]

use super::ladder::{flag_name, ladder_line};
use crate::trace::event::PacketInfo;
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How many directions of TCP flows the decoder remembers the first sequence number
/// of. A lab has a handful; anyone can send frames from spoofed addresses to the lab's
/// port, so the table is bounded: when it is full, it starts over (relative numbers
/// restart at 0 for the flows seen after that).
pub(super) const MAX_FLOWS: usize = 4096;

/// The part of the capture that needs no socket: the bytes of one Ethernet frame in,
/// a [`PacketInfo`] and its ladder line out.
///
/// A packet socket hands us whatever anyone put on the wire to the lab's port, while
/// running as root: a truncated frame, a lying length field, an IPv6 extension header
/// chain, random bytes. The decoder drops what it cannot read (`None`) and never
/// panics; `tests/capture_fuzz/` feeds it 100 000 random and mangled frames.
#[derive(Debug, Default)]
pub struct Decoder {
    /// First sequence number seen per direction (source, destination), so numbers can
    /// be shown relative to it, as Wireshark does (0 at the SYN).
    pub(super) isn: HashMap<(SocketAddr, SocketAddr), u32>,
}

impl Decoder {
    /// A decoder that has seen no flow yet.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Decodes one frame (`no` is its number in the capture, `stamp` its time since
    /// the Unix epoch). `None` for anything that is not TCP or UDP over IPv4 or IPv6
    /// over Ethernet, including every malformed frame.
    pub fn decode(&mut self, no: u64, frame: &[u8], stamp: Duration) -> Option<PacketInfo> {
        self.decode_with_payload(no, frame, stamp)
            .map(|(info, _)| info)
    }

    /// [`Decoder::decode`], plus the frame's line of the ladder diagram for a lab on
    /// `port` (see [`ladder_line`]): exactly what `--capture` prints.
    pub fn ladder(
        &mut self,
        no: u64,
        frame: &[u8],
        stamp: Duration,
        port: u16,
    ) -> Option<(PacketInfo, String)> {
        let (info, payload) = self.decode_with_payload(no, frame, stamp)?;
        let line = ladder_line(&info, port, payload);
        Some((info, line))
    }

    /// The decoding itself; also returns the segment's or datagram's payload (a slice
    /// of `frame`), for the ladder's preview.
    fn decode_with_payload<'a>(
        &mut self,
        no: u64,
        frame: &'a [u8],
        stamp: Duration,
    ) -> Option<(PacketInfo, &'a [u8])> {
        let sliced = SlicedPacket::from_ethernet(frame).ok()?;
        let (src_ip, dst_ip): (IpAddr, IpAddr) = match sliced.net.as_ref()? {
            NetSlice::Ipv4(ip) => (
                ip.header().source_addr().into(),
                ip.header().destination_addr().into(),
            ),
            NetSlice::Ipv6(ip) => (
                ip.header().source_addr().into(),
                ip.header().destination_addr().into(),
            ),
            _ => return None,
        };
        let time = stamp.as_secs_f64();
        match sliced.transport.as_ref()? {
            TransportSlice::Tcp(tcp) => {
                let src = SocketAddr::new(src_ip, tcp.source_port());
                let dst = SocketAddr::new(dst_ip, tcp.destination_port());
                let bits = (u8::from(tcp.fin()))
                    | (u8::from(tcp.syn()) << 1)
                    | (u8::from(tcp.rst()) << 2)
                    | (u8::from(tcp.psh()) << 3)
                    | (u8::from(tcp.ack()) << 4)
                    | (u8::from(tcp.urg()) << 5);
                if self.isn.len() >= MAX_FLOWS && !self.isn.contains_key(&(src, dst)) {
                    self.isn.clear();
                }
                let isn = *self.isn.entry((src, dst)).or_insert(tcp.sequence_number());
                let seq = tcp.sequence_number().wrapping_sub(isn);
                let ack = if tcp.ack() {
                    self.isn
                        .get(&(dst, src))
                        .map(|peer_isn| tcp.acknowledgment_number().wrapping_sub(*peer_isn))
                } else {
                    None
                };
                let info = PacketInfo {
                    no,
                    proto: "TCP",
                    src: src.to_string(),
                    dst: dst.to_string(),
                    flags: flag_name(bits),
                    flag_bits: bits,
                    seq: Some(seq),
                    ack,
                    len: tcp.payload().len(),
                    time,
                };
                Some((info, tcp.payload()))
            }
            TransportSlice::Udp(udp) => {
                let info = PacketInfo {
                    no,
                    proto: "UDP",
                    src: SocketAddr::new(src_ip, udp.source_port()).to_string(),
                    dst: SocketAddr::new(dst_ip, udp.destination_port()).to_string(),
                    flags: String::new(),
                    flag_bits: 0,
                    seq: None,
                    ack: None,
                    len: udp.payload().len(),
                    time,
                };
                Some((info, udp.payload()))
            }
            _ => None,
        }
    }
}
