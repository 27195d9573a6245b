//! `--capture FILE.pcap`: see the wire from inside the program, the way tcpdump does.
//!
//! 1. `socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))`: a socket that receives a copy of
//!    every frame on every interface. It needs `CAP_NET_RAW` (root), so it is opened
//!    before any socket of the lab: without the privilege the program stops at once.
//! 2. `setsockopt(SO_ATTACH_FILTER)`: a classic BPF program, run by the kernel on each
//!    frame, keeps only this lab's port (`tcp port P or udp port P`, IPv4 and IPv6), so
//!    nothing else is even copied to us. Until the port is known, the program drops all.
//! 3. Each frame is written to a pcap file (pcap-file) that Wireshark and tshark open,
//!    and printed as one line of a ladder diagram (decoded with etherparse).
//!
//! On the loopback interface the kernel shows a packet socket every frame twice, once
//! leaving (`PACKET_OUTGOING`) and once arriving; like libpcap, we keep the arriving one.
//! The capture's own syscalls (reading frames) are not narrated; strace shows them on
//! the capture's fd, which the first line names.

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::event::{Event, Kind};
use crate::lang::Lang;
use crate::strace;
use crate::text;
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use nix::errno::Errno;
use nix::sys::socket::{recvmsg, setsockopt, sockopt, ControlMessageOwned, LinkAddr, MsgFlags};
use pcap_file::pcap::{PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use socket2::{Domain, Protocol, Socket, Type};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::IoSliceMut;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `ETH_P_ALL`: every protocol.
const ETH_P_ALL: u16 = 0x0003;
/// `PACKET_OUTGOING` in `sockaddr_ll.sll_pkttype`.
const PACKET_OUTGOING: u8 = 4;
/// `ARPHRD_LOOPBACK` in `sockaddr_ll.sll_hatype`.
const ARPHRD_LOOPBACK: u16 = 772;

pub use crate::event::PacketInfo;

/// The file format: classic pcap, or pcapng when the name ends in `.pcapng` (which
/// can carry a comment per packet: Wireshark shows it as a packet comment).
enum Writer {
    Pcap(PcapWriter<File>),
    PcapNg(PcapNgWriter<File>),
}

/// A running capture.
pub struct Capture {
    sock: Socket,
    writer: Writer,
    path: PathBuf,
    port: Option<u16>,
    count: u64,
    /// Turns each frame into a [`PacketInfo`] and a ladder line.
    decoder: Decoder,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Capture({}, port {:?}, {} packets)",
            self.path.display(),
            self.port,
            self.count
        )
    }
}

/// TCP flag bits, as `PacketInfo::flag_bits` holds them (RFC 9293 §3.1).
const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const ACK: u8 = 0x10;

/// The syscall just made, as the packets drained after it see it.
#[derive(Debug, Clone, Copy)]
pub struct Cause<'a> {
    /// Its name (`sendto`, `connect`, ...).
    pub syscall: &'a str,
    /// What a packet's comment says when the call made it: `sendto() echo.rs:70`.
    pub text: &'a str,
}

/// Whether a call named `syscall` can have made this packet itself: a `connect` its SYN
/// and the handshake's last ACK; a send its data (or datagram); a `shutdown` or `close`
/// its FIN or RST; an `io_uring_enter` what the requests it submitted send. Everything
/// else seen right after a call (the peer's SYN-ACK, an ACK of data we received, the
/// peer's data) the kernel sent on its own, and the comment says so.
pub fn made_by(syscall: &str, p: &PacketInfo) -> bool {
    let udp = p.proto == "UDP";
    let data = p.len > 0 || udp;
    match syscall {
        "connect" => {
            (p.flag_bits & SYN != 0 && p.flag_bits & ACK == 0)
                || p.flag_bits == ACK && p.len == 0 && p.seq == Some(1) && p.ack == Some(1)
        }
        "sendto" | "send" | "sendmsg" | "sendmmsg" | "write" | "writev" => data,
        "shutdown" | "close" => p.flag_bits & (FIN | RST) != 0,
        "io_uring_enter" => data || p.flag_bits & (FIN | RST) != 0,
        _ => false,
    }
}

/// The comment of a packet seen after a call that did not make it.
fn on_its_own(lang: Lang, p: &PacketInfo) -> String {
    if p.flag_bits & SYN != 0 && p.flag_bits & ACK != 0 {
        lang.say(text!("capture-listening-side-s-kernel-answering"))
    } else if p.flag_bits == ACK && p.len == 0 {
        lang.say(text!("capture-receiving-kernel-own-ack-what"))
    } else {
        lang.say(text!("capture-kernel-own-no-syscall"))
    }
}

impl Capture {
    /// Opens the packet socket (this is where a missing `CAP_NET_RAW` is found) and
    /// creates the pcap file. Nothing is captured until [`Capture::watch`] names the port.
    pub fn start(path: &Path) -> Result<Capture, Failure> {
        let protocol = Protocol::from(i32::from(ETH_P_ALL.to_be()));
        let sock = match Socket::new(Domain::PACKET, Type::RAW, Some(protocol)) {
            Ok(sock) => sock,
            Err(e) => {
                let errno = Errno::from_raw(e.raw_os_error().unwrap_or(0));
                return Err(Failure::NoCapturePrivilege { errno });
            }
        };
        attach_filter(&sock, &drop_all()).map_err(|e| Failure::sys("setsockopt", e))?;
        sock.set_nonblocking(true)
            .map_err(|e| Failure::sys("fcntl", Errno::from_raw(e.raw_os_error().unwrap_or(0))))?;
        // A packet socket receives from the moment it exists: frames of other programs
        // were queued before the filter was attached. Throw them away, as libpcap does,
        // so the capture holds only what came after (and, once watched, only our port).
        flush(&sock);
        // Kernel timestamps on each frame (SO_TIMESTAMPNS), for the pcap file.
        setsockopt(&sock, sockopt::ReceiveTimestampns, &true)
            .map_err(|e| Failure::sys("setsockopt", e))?;
        let file = File::create(path).map_err(|e| Failure::CaptureFile {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        let file_error = |e: pcap_file::PcapError| Failure::CaptureFile {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        let writer = if path.extension().is_some_and(|ext| ext == "pcapng") {
            let mut ng = PcapNgWriter::new(file).map_err(file_error)?;
            // Timestamps are written in nanoseconds: say so (if_tsresol = 10^-9).
            let interface = InterfaceDescriptionBlock {
                linktype: DataLink::ETHERNET,
                snaplen: 0,
                options: vec![
                    InterfaceDescriptionOption::IfTsResol(9),
                    InterfaceDescriptionOption::IfName(Cow::Borrowed("any")),
                ],
            };
            ng.write_pcapng_block(interface).map_err(file_error)?;
            Writer::PcapNg(ng)
        } else {
            Writer::Pcap(PcapWriter::new(file).map_err(file_error)?)
        };
        Ok(Capture {
            sock,
            writer,
            path: path.to_path_buf(),
            port: None,
            count: 0,
            decoder: Decoder::new(),
            buf: vec![0u8; 262_144],
        })
    }

    /// What to say once the capture runs: where it writes, and which fd it reads.
    pub fn started(&self, lang: Lang) -> String {
        lang.say(text!(
            "capture-capturing-fd-socket-af-packet",
            path = self.path.display(),
            as_raw_fd = self.sock.as_raw_fd()
        ))
    }

    /// Keeps the frames of `port` from now on (the first port named wins): attaches the
    /// BPF program `tcp port P or udp port P` with `SO_ATTACH_FILTER`. `Ok(true)` when
    /// this call attached it.
    pub fn watch(&mut self, port: u16) -> Result<bool, Failure> {
        if self.port.is_some() || port == 0 {
            return Ok(false);
        }
        attach_filter(&self.sock, &port_filter(port)).map_err(|e| Failure::sys("setsockopt", e))?;
        flush(&self.sock); // nothing queued under the old filter belongs to this port's story
        self.port = Some(port);
        Ok(true)
    }

    /// Reads every frame waiting in the socket, writes it to the file and returns
    /// each as a packet event (its ladder line in `lang`). Never blocks. `cause` is the
    /// syscall (and source line) that was just made: a packet that call can have made
    /// ([`made_by`]) is named after it in its pcapng comment and marked `caused`; any
    /// other (the peer's answer, an ACK of received data) says the kernel sent it on its
    /// own. `None` means no call was just made (a timer: a delayed ACK, a
    /// retransmission). Without narration (`commented` false) no syscall is reported,
    /// so no comment is written rather than a wrong one.
    pub fn drain(&mut self, lang: Lang, commented: bool, cause: Option<Cause>) -> Vec<Event> {
        let mut events = Vec::new();
        if self.port.is_none() {
            return events;
        }
        loop {
            let mut cmsg = nix::cmsg_space!(nix::sys::time::TimeSpec);
            let room = self.buf.len();
            let (len, truncated_len, from, stamp) = {
                let mut iov = [IoSliceMut::new(&mut self.buf)];
                let msg = match recvmsg::<LinkAddr>(
                    self.sock.as_raw_fd(),
                    &mut iov,
                    Some(&mut cmsg),
                    MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC,
                ) {
                    Ok(msg) => msg,
                    Err(_) => return events, // EAGAIN: nothing more now
                };
                let stamp = msg.cmsgs().ok().and_then(|mut c| {
                    c.find_map(|m| match m {
                        ControlMessageOwned::ScmTimestampns(ts) => {
                            Some(Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32))
                        }
                        _ => None,
                    })
                });
                (msg.bytes.min(room), msg.bytes, msg.address, stamp)
            };
            if let Some(ll) = from {
                // Loopback: skip the outgoing copy, keep the arriving one (as libpcap does).
                if ll.hatype() == ARPHRD_LOOPBACK && ll.pkttype() == PACKET_OUTGOING {
                    continue;
                }
            }
            let stamp = stamp.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
            });
            let frame = self.buf[..len].to_vec();
            self.count += 1;
            let port = self.port.unwrap_or(0);
            let decoded = self.decoder.ladder(self.count, &frame, stamp, port);
            match &mut self.writer {
                Writer::Pcap(w) => {
                    let _ = w.write_packet(&PcapPacket::new(stamp, truncated_len as u32, &frame));
                }
                Writer::PcapNg(w) => {
                    let what = match decoded.as_ref().map(|(info, _)| info) {
                        Some(i) if i.proto == "UDP" => "UDP".to_string(),
                        Some(i) => i.flags.clone(),
                        None => String::new(),
                    };
                    let info = decoded.as_ref().map(|(info, _)| info);
                    let why = match (cause, info) {
                        (Some(c), Some(i)) if made_by(c.syscall, i) => c.text.to_string(),
                        (Some(_), Some(i)) => on_its_own(lang, i).to_string(),
                        (Some(c), None) => c.text.to_string(),
                        (None, _) => lang.say(text!("capture-kernel-own-timer")),
                    };
                    let block = EnhancedPacketBlock {
                        interface_id: 0,
                        timestamp: stamp,
                        original_len: truncated_len as u32,
                        data: Cow::Borrowed(&frame),
                        // Without narration (-q) no syscall is reported, so the cause is
                        // unknown: no comment rather than a wrong one.
                        options: if commented {
                            vec![EnhancedPacketOption::Comment(Cow::Owned(format!(
                                "{what} <- {why}"
                            )))]
                        } else {
                            Vec::new()
                        },
                    };
                    let _ = w.write_pcapng_block(block);
                }
            }
            if let Some((info, text)) = decoded {
                events.push(Event {
                    kind: Some(Kind::Packet),
                    caused: cause.is_some_and(|c| made_by(c.syscall, &info)),
                    packet: Some(info),
                    text,
                    ..Event::default()
                });
            }
        }
    }

    /// Final drain (waiting up to `grace` for late packets such as delayed ACKs): the
    /// last packet events, and the sentence that says where the file is.
    pub fn finish(&mut self, lang: Lang, commented: bool, grace: Duration) -> (Vec<Event>, String) {
        let mut events = Vec::new();
        let end = std::time::Instant::now() + grace;
        while std::time::Instant::now() < end {
            events.extend(self.drain(lang, commented, None));
            std::thread::sleep(Duration::from_millis(20));
        }
        events.extend(self.drain(lang, commented, None));
        let note = lang.say(text!(
            "capture-packets-written-open-with-wireshark",
            count = self.count,
            path = self.path.display()
        ));
        (events, note)
    }
}

/// How many directions of TCP flows the decoder remembers the first sequence number
/// of. A lab has a handful; anyone can send frames from spoofed addresses to the lab's
/// port, so the table is bounded: when it is full, it starts over (relative numbers
/// restart at 0 for the flows seen after that).
const MAX_FLOWS: usize = 4096;

/// The part of the capture that needs no socket: the bytes of one Ethernet frame in,
/// a [`PacketInfo`] and its ladder line out.
///
/// A packet socket hands us whatever anyone put on the wire to the lab's port, while
/// running as root: a truncated frame, a lying length field, an IPv6 extension header
/// chain, random bytes. The decoder drops what it cannot read (`None`) and never
/// panics; `tests/capture_fuzz.rs` feeds it 100 000 random and mangled frames.
#[derive(Debug, Default)]
pub struct Decoder {
    /// First sequence number seen per direction (source, destination), so numbers can
    /// be shown relative to it, as Wireshark does (0 at the SYN).
    isn: HashMap<(SocketAddr, SocketAddr), u32>,
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

/// `SYN`, `SYN-ACK`, `ACK`, `PSH-ACK`, `FIN-ACK`, `RST`, `RST-ACK`...
pub fn flag_name(bits: u8) -> String {
    let mut names = Vec::new();
    for (bit, name) in [
        (0x02, "SYN"),
        (0x01, "FIN"),
        (0x04, "RST"),
        (0x08, "PSH"),
        (0x20, "URG"),
        (0x10, "ACK"),
    ] {
        if bits & bit != 0 {
            names.push(name);
        }
    }
    names.join("-")
}

/// One line of the ladder: the client on the left, the side with the lab's port on
/// the right, an arrow for the direction.
pub fn ladder_line(p: &PacketInfo, port: u16, payload: &[u8]) -> String {
    let to_right = p.dst.rsplit(':').next() == Some(&port.to_string());
    let (left, right) = if to_right {
        (&p.src, &p.dst)
    } else {
        (&p.dst, &p.src)
    };
    let label = if p.proto == "UDP" {
        format!("UDP {} bytes", p.len)
    } else if p.len > 0 {
        format!("{} {} bytes", p.flags, p.len)
    } else {
        p.flags.clone()
    };
    let arrow = if to_right {
        format!(
            "── {label} {}▶",
            "─".repeat(24usize.saturating_sub(label.chars().count()))
        )
    } else {
        format!(
            "◀{} {label} ──",
            "─".repeat(24usize.saturating_sub(label.chars().count()))
        )
    };
    let mut detail = String::new();
    if let Some(seq) = p.seq {
        detail.push_str(&format!("seq={seq}"));
    }
    if let Some(ack) = p.ack {
        detail.push_str(&format!(" ack={ack}"));
    }
    if !payload.is_empty() {
        detail.push_str(&format!(" {}", strace::quoted_limit(payload, 24)));
    }
    format!(
        "#{:<3} {left:>21} {arrow} {right:<21} {}",
        p.no,
        detail.trim()
    )
}

/// A classic BPF instruction (`struct sock_filter`).
#[derive(Debug, Clone, Copy)]
struct Insn(u16, u8, u8, u32);

// Opcodes (linux/filter.h): load, jump, return, and their modes.
const LD_H_ABS: u16 = 0x28; // A = halfword at [k]
const LD_B_ABS: u16 = 0x30; // A = byte at [k]
const LD_H_IND: u16 = 0x48; // A = halfword at [X + k]
const LDX_B_MSH: u16 = 0xb1; // X = 4 * ([k] & 0xf)  (the IPv4 header length)
const JEQ_K: u16 = 0x15; // if A == k goto jt else jf
const JSET_K: u16 = 0x45; // if A & k goto jt else jf
const RET_K: u16 = 0x06; // accept k bytes (0 = drop)

/// `ret #0`: drop everything (until the port is known).
fn drop_all() -> Vec<Insn> {
    vec![Insn(RET_K, 0, 0, 0)]
}

/// `tcp port P or udp port P` over Ethernet, for IPv4 (not later fragments) and IPv6
/// (no extension headers): the logic of `tcpdump -d 'port P'`, written out. Jump
/// offsets count the instructions skipped after the current one.
fn port_filter(port: u16) -> Vec<Insn> {
    let p = u32::from(port);
    vec![
        /* 0 */ Insn(LD_H_ABS, 0, 0, 12), // A = ethertype
        /* 1 */ Insn(JEQ_K, 0, 10, 0x0800), // IPv4: go on; else IPv6 test (12)
        /* 2 */ Insn(LD_B_ABS, 0, 0, 23), // A = IPv4 protocol
        /* 3 */ Insn(JEQ_K, 1, 0, 6), // TCP (5)
        /* 4 */ Insn(JEQ_K, 0, 16, 17), // or UDP (5); else drop (21)
        /* 5 */ Insn(LD_H_ABS, 0, 0, 20), // A = flags and fragment offset
        /* 6 */ Insn(JSET_K, 14, 0, 0x1fff), // a later fragment has no ports: drop (21)
        /* 7 */ Insn(LDX_B_MSH, 0, 0, 14), // X = IPv4 header length
        /* 8 */ Insn(LD_H_IND, 0, 0, 14), // A = source port
        /* 9 */ Insn(JEQ_K, 10, 0, p), // ours: accept (20)
        /* 10 */ Insn(LD_H_IND, 0, 0, 16), // A = destination port
        /* 11 */ Insn(JEQ_K, 8, 9, p), // ours: accept (20); else drop (21)
        /* 12 */ Insn(JEQ_K, 0, 8, 0x86dd), // IPv6: go on; else drop (21)
        /* 13 */ Insn(LD_B_ABS, 0, 0, 20), // A = IPv6 next header
        /* 14 */ Insn(JEQ_K, 1, 0, 6), // TCP (16)
        /* 15 */ Insn(JEQ_K, 0, 5, 17), // or UDP (16); else drop (21)
        /* 16 */ Insn(LD_H_ABS, 0, 0, 54), // A = source port (14 + 40)
        /* 17 */ Insn(JEQ_K, 2, 0, p), // ours: accept (20)
        /* 18 */ Insn(LD_H_ABS, 0, 0, 56), // A = destination port
        /* 19 */ Insn(JEQ_K, 0, 1, p), // ours: accept (20); else drop (21)
        /* 20 */ Insn(RET_K, 0, 0, 262_144),
        /* 21 */ Insn(RET_K, 0, 0, 0),
    ]
}

/// **Syscall:** `setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog)`, see
/// `socket(7)` and `filter.txt` in the kernel docs. nix has no wrapper for it.
/// Reads and drops every frame already queued on the (non-blocking) packet socket.
#[doc = crate::man_links!(setsockopt(2))]
fn flush(sock: &Socket) {
    let mut sink = [0u8; 2048];
    while nix::sys::socket::recv(
        sock.as_raw_fd(),
        &mut sink,
        MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC,
    )
    .is_ok()
    {}
}

fn attach_filter(sock: &Socket, program: &[Insn]) -> Result<(), Errno> {
    let insns: Vec<libc::sock_filter> = program
        .iter()
        .map(|i| libc::sock_filter {
            code: i.0,
            jt: i.1,
            jf: i.2,
            k: i.3,
        })
        .collect();
    crate::sys::attach_filter(sock.as_raw_fd(), insns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::PacketBuilder;

    /// A classic BPF interpreter for the instructions used above, so the filter is
    /// tested on real frames rather than trusted by eye.
    fn run(program: &[Insn], frame: &[u8]) -> u32 {
        let (mut a, mut x, mut pc) = (0u32, 0u32, 0usize);
        let half = |at: usize| {
            frame
                .get(at..at + 2)
                .map(|b| u32::from(u16::from_be_bytes([b[0], b[1]])))
        };
        loop {
            let Insn(code, jt, jf, k) = program[pc];
            pc += 1;
            match code {
                LD_H_ABS => match half(k as usize) {
                    Some(v) => a = v,
                    None => return 0,
                },
                LD_B_ABS => match frame.get(k as usize) {
                    Some(&v) => a = u32::from(v),
                    None => return 0,
                },
                LD_H_IND => match half((x + k) as usize) {
                    Some(v) => a = v,
                    None => return 0,
                },
                LDX_B_MSH => match frame.get(k as usize) {
                    Some(&v) => x = 4 * u32::from(v & 0xf),
                    None => return 0,
                },
                JEQ_K => pc += usize::from(if a == k { jt } else { jf }),
                JSET_K => pc += usize::from(if a & k != 0 { jt } else { jf }),
                RET_K => return k,
                other => panic!("opcode {other:#x} not interpreted"),
            }
        }
    }

    fn frame(builder: PacketBuilderStep, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        builder.write(&mut out, payload).expect("build frame");
        out
    }
    type PacketBuilderStep = etherparse::PacketBuilderStep<etherparse::TcpHeader>;

    /// The port filter keeps TCP and UDP of port 65432 over IPv4 and IPv6, in either
    /// direction, and drops other ports; the drop-all filter drops everything.
    #[test]
    fn port_filter_keeps_only_our_port() {
        let f = port_filter(65432);
        let eth = |b: etherparse::PacketBuilderStep<etherparse::Ethernet2Header>| b;
        let v4 = || {
            eth(PacketBuilder::ethernet2([0; 6], [0; 6])).ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
        };
        let v6 = || eth(PacketBuilder::ethernet2([0; 6], [0; 6])).ipv6([0; 16], [0; 16], 64);
        assert!(
            run(&f, &frame(v4().tcp(50000, 65432, 1, 100), b"hi")) > 0,
            "IPv4 TCP to the port"
        );
        assert!(
            run(&f, &frame(v4().tcp(65432, 50000, 1, 100), b"")) > 0,
            "IPv4 TCP from the port"
        );
        assert_eq!(
            run(&f, &frame(v4().tcp(50000, 80, 1, 100), b"")),
            0,
            "IPv4 TCP elsewhere"
        );
        assert!(
            run(&f, &frame(v6().tcp(50000, 65432, 1, 100), b"")) > 0,
            "IPv6 TCP to the port"
        );
        assert!(
            run(&f, &frame(v6().tcp(65432, 50000, 1, 100), b"")) > 0,
            "IPv6 TCP from the port"
        );
        assert_eq!(
            run(&f, &frame(v6().tcp(50000, 81, 1, 100), b"")),
            0,
            "IPv6 TCP elsewhere"
        );
        let mut udp4 = Vec::new();
        v4().udp(40000, 65432).write(&mut udp4, b"x").expect("udp4");
        assert!(run(&f, &udp4) > 0, "IPv4 UDP to the port");
        let mut udp6 = Vec::new();
        v6().udp(65432, 40000).write(&mut udp6, b"x").expect("udp6");
        assert!(run(&f, &udp6) > 0, "IPv6 UDP from the port");
        let mut other = Vec::new();
        v6().udp(53, 40000)
            .write(&mut other, b"x")
            .expect("udp6 other");
        assert_eq!(run(&f, &other), 0, "IPv6 UDP elsewhere");
        assert_eq!(run(&drop_all(), &udp4), 0);
    }

    /// A SYN flood from spoofed addresses at the lab's port does not grow the decoder's
    /// table of flows without bound, and each new flow still starts at seq=0.
    #[test]
    fn flow_table_is_bounded() {
        let mut decoder = Decoder::new();
        for i in 0..3 * MAX_FLOWS as u32 {
            let [_, a, b, c] = i.to_be_bytes();
            let syn = PacketBuilder::ethernet2([0; 6], [0; 6])
                .ipv4([10, a, b, c], [127, 0, 0, 1], 64)
                .tcp(40000, 65432, i.wrapping_mul(7919), 100)
                .syn();
            let info = decoder
                .decode(u64::from(i), &frame(syn, b""), Duration::ZERO)
                .expect("a SYN decodes");
            assert_eq!(info.seq, Some(0));
            assert!(
                decoder.isn.len() <= MAX_FLOWS,
                "{} flows",
                decoder.isn.len()
            );
        }
    }

    /// Flag names as the ladder prints them.
    #[test]
    fn flag_names() {
        assert_eq!(flag_name(0x02), "SYN");
        assert_eq!(flag_name(0x12), "SYN-ACK");
        assert_eq!(flag_name(0x18), "PSH-ACK");
        assert_eq!(flag_name(0x11), "FIN-ACK");
        assert_eq!(flag_name(0x04), "RST");
    }
}
