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

pub mod bpf;
pub mod decode;
pub mod ladder;
pub mod pcap;

use bpf::{attach_filter, drop_all, flush, port_filter};
pub use decode::Decoder;
pub use ladder::{flag_name, ladder_line};
use pcap::Writer;

pub use crate::trace::event::PacketInfo;

use crate::error::Failure;
use crate::lang::Lang;
use crate::text;
use crate::trace::event::{Event, Kind};
use nix::errno::Errno;
use nix::sys::socket::{recvmsg, setsockopt, sockopt, ControlMessageOwned, LinkAddr, MsgFlags};
use socket2::{Domain, Protocol, Socket, Type};
use std::io::IoSliceMut;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `ETH_P_ALL`: every protocol.
const ETH_P_ALL: u16 = 0x0003;

/// `PACKET_OUTGOING` in `sockaddr_ll.sll_pkttype`.
const PACKET_OUTGOING: u8 = 4;

/// `ARPHRD_LOOPBACK` in `sockaddr_ll.sll_hatype`.
const ARPHRD_LOOPBACK: u16 = 772;

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
        let writer = Writer::create(path)?;
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
            // Without narration (-q) no syscall is reported, so the cause is unknown: no
            // comment rather than a wrong one.
            let comment = (commented && self.writer.takes_comments()).then(|| {
                let info = decoded.as_ref().map(|(info, _)| info);
                let what = match info {
                    Some(i) if i.proto == "UDP" => "UDP".to_string(),
                    Some(i) => i.flags.clone(),
                    None => String::new(),
                };
                let why = match (cause, info) {
                    (Some(c), Some(i)) if made_by(c.syscall, i) => c.text.to_string(),
                    (Some(_), Some(i)) => on_its_own(lang, i).to_string(),
                    (Some(c), None) => c.text.to_string(),
                    (None, _) => lang.say(text!("capture-kernel-own-timer")),
                };
                format!("{what} <- {why}")
            });
            self.writer
                .write(stamp, truncated_len as u32, &frame, comment);
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

#[cfg(test)]
mod tests {
    use super::bpf::*;
    use super::decode::MAX_FLOWS;
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
