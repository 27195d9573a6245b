//! The kernel-side filter: a classic BPF program that keeps only this lab's port,
//! attached with `SO_ATTACH_FILTER`.

#![forbid(unsafe_code)]

use nix::errno::Errno;
use nix::sys::socket::MsgFlags;
use socket2::Socket;
use std::os::fd::AsRawFd;

/// A classic BPF instruction (`struct sock_filter`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Insn(pub u16, pub u8, pub u8, pub u32);

// Opcodes (linux/filter.h): load, jump, return, and their modes.
pub(super) const LD_H_ABS: u16 = 0x28; // A = halfword at [k]
pub(super) const LD_B_ABS: u16 = 0x30; // A = byte at [k]
pub(super) const LD_H_IND: u16 = 0x48; // A = halfword at [X + k]
pub(super) const LDX_B_MSH: u16 = 0xb1; // X = 4 * ([k] & 0xf)  (the IPv4 header length)
pub(super) const JEQ_K: u16 = 0x15; // if A == k goto jt else jf
pub(super) const JSET_K: u16 = 0x45; // if A & k goto jt else jf
pub(super) const RET_K: u16 = 0x06; // accept k bytes (0 = drop)

/// `ret #0`: drop everything (until the port is known).
pub(super) fn drop_all() -> Vec<Insn> {
    vec![Insn(RET_K, 0, 0, 0)]
}

/// `tcp port P or udp port P` over Ethernet, for IPv4 (not later fragments) and IPv6
/// (no extension headers): the logic of `tcpdump -d 'port P'`, written out. Jump
/// offsets count the instructions skipped after the current one.
pub(super) fn port_filter(port: u16) -> Vec<Insn> {
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
#[doc = crate::man_links!(setsockopt(2))]
pub(super) fn attach_filter(sock: &Socket, program: &[Insn]) -> Result<(), Errno> {
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

/// Reads and drops every frame already queued on the (non-blocking) packet socket:
/// those that arrived before the filter was attached.
pub(super) fn flush(sock: &Socket) {
    let mut sink = [0u8; 2048];
    while nix::sys::socket::recv(
        sock.as_raw_fd(),
        &mut sink,
        MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC,
    )
    .is_ok()
    {}
}
