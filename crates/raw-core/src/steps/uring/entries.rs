//! Requests (SQEs) and completions (CQEs): the tag each request carries in its
//! `user_data`, and the lines that say a request when it is written and a completion
//! when it is read, each written like the syscall it replaces.

#![forbid(unsafe_code)]

use crate::narrate::{Event, Kind, Narrator};
use crate::text;
use crate::trace::strace;
use nix::errno::Errno;
use std::os::fd::RawFd;

use crate::sys::{Cqe, Sqe};

/// What a request asks for, as the model's event loop switches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `accept4` on the listener (multishot or single).
    Accept,
    /// A multishot `recv` on a connection.
    Recv,
    /// A `sendto` on a connection.
    Send,
    /// A `close` of a connection.
    Close,
    /// The cancel of an armed request.
    Cancel,
}

/// What a request is, kept in the upper half of its `user_data` (the fd in the lower
/// half), so that a completion says what it completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    AcceptMulti = 1,
    Accept = 2,
    RecvMulti = 3,
    Send = 4,
    Close = 5,
    CancelAccept = 6,
    CancelRecv = 7,
}

/// The `user_data` of request `tag` on `fd`.
pub(super) fn tag(tag: Tag, fd: RawFd) -> u64 {
    ((tag as u64) << 32) | u64::from(fd as u32)
}

/// The request and fd a `user_data` names.
pub(super) fn untag(user_data: u64) -> Option<(Tag, RawFd)> {
    let fd = (user_data & 0xffff_ffff) as u32 as RawFd;
    let tag = match user_data >> 32 {
        1 => Tag::AcceptMulti,
        2 => Tag::Accept,
        3 => Tag::RecvMulti,
        4 => Tag::Send,
        5 => Tag::Close,
        6 => Tag::CancelAccept,
        7 => Tag::CancelRecv,
        _ => return None,
    };
    Some((tag, fd))
}

/// A completion the kernel posted, not read yet.
#[derive(Debug)]
pub struct Posted(pub(super) Cqe);

/// One completion, said and handed to the model: which request it completes, on which
/// fd, what it returned (bytes, the new fd, 0, or `-errno`), whether the request stays
/// armed (`IORING_CQE_F_MORE`), and the bytes a recv brought or a send took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What the request asked for.
    pub op: Op,
    /// The fd it acted on (the listener for an accept).
    pub fd: RawFd,
    /// What it returned: bytes, a new fd, 0, or `-errno`.
    pub result: i32,
    /// The request stays armed: more completions follow (multishot).
    pub more: bool,
    /// The bytes a recv brought, or the bytes a send was given.
    pub data: Vec<u8>,
}

impl Completion {
    /// The errno, when the request failed.
    pub fn errno(&self) -> Option<Errno> {
        (self.result < 0).then(|| Errno::from_raw(-self.result))
    }
}

/// `IORING_CQE_F_MORE`: the request stays armed (multishot), more completions follow.
pub(super) fn more(cqe: &Cqe) -> bool {
    io_uring::cqueue::more(cqe.flags)
}

/// The provided buffer a completion filled, if any.
pub(super) fn buffer(cqe: &Cqe) -> Option<u16> {
    io_uring::cqueue::buffer_select(cqe.flags)
}

/// A request as the syscall it replaces: `accept4(3, NULL, NULL, SOCK_CLOEXEC)`.
pub(super) fn asked(sqe: &Sqe, size: u32) -> String {
    match sqe {
        Sqe::Accept { fd, .. } => format!("accept4({fd}, NULL, NULL, SOCK_CLOEXEC)"),
        Sqe::RecvMulti { fd } => format!("recv({fd}, <buffer of group 0>, {size}, 0)"),
        Sqe::Send { fd, data } => format!(
            "sendto({fd}, {}, {}, MSG_NOSIGNAL, NULL, 0)",
            strace::quoted(data),
            data.len()
        ),
        Sqe::Close { fd } => format!("close({fd})"),
        Sqe::Cancel { target } => format!("cancel(user_data={target:#x})"),
    }
}

/// The opcode's name, as `<linux/io_uring.h>` writes it.
pub(super) fn opcode(sqe: &Sqe) -> &'static str {
    match sqe {
        Sqe::Accept { .. } => "IORING_OP_ACCEPT",
        Sqe::RecvMulti { .. } => "IORING_OP_RECV",
        Sqe::Send { .. } => "IORING_OP_SEND",
        Sqe::Close { .. } => "IORING_OP_CLOSE",
        Sqe::Cancel { .. } => "IORING_OP_ASYNC_CANCEL",
    }
}

/// Says one completion as a line `cqe: ...`: what was asked (from its `user_data`),
/// what it returned, and its flags. `data` is what a recv brought, for the line.
pub(super) fn completed(n: &Narrator, cqe: &Cqe, asked_as: &Sqe, size: u32, data: Option<&[u8]>) {
    if !n.verbose() {
        return;
    }
    let ret = if cqe.result < 0 {
        let errno = Errno::from_raw(-cqe.result);
        format!("-1 {errno:?} ({})", strace::errno_text(errno))
    } else {
        cqe.result.to_string()
    };
    let mut flags = Vec::new();
    if more(cqe) {
        flags.push("IORING_CQE_F_MORE".to_string());
    }
    if let Some(bid) = buffer(cqe) {
        flags.push(format!("IORING_CQE_F_BUFFER (buffer {bid})"));
    }
    let shown = match (asked_as, data) {
        (Sqe::RecvMulti { fd }, Some(bytes)) => {
            format!("recv({fd}, {}, {size}, 0)", strace::quoted(bytes))
        }
        _ => asked(asked_as, size),
    };
    let line = format!(
        "{} {shown} = {ret}, user_data={:#x}, flags={}",
        opcode(asked_as),
        cqe.user_data,
        if flags.is_empty() {
            "0".to_string()
        } else {
            flags.join("|")
        }
    );
    let sentence = cqe_sentence(asked_as, cqe.result, more(cqe));
    let bytes = data.map(<[u8]>::len);
    let fd = match asked_as {
        Sqe::Accept { .. } if cqe.result >= 0 => Some(cqe.result),
        Sqe::Accept { fd, .. }
        | Sqe::RecvMulti { fd }
        | Sqe::Send { fd, .. }
        | Sqe::Close { fd } => Some(*fd),
        Sqe::Cancel { .. } => None,
    };
    say(n, "cqe", line, sentence, fd, bytes);
}

/// One `sqe` or `cqe` line: a note carrying the request as `call`, never a syscall event
/// (the counters and strace comparisons count only syscalls).
pub(super) fn say(
    n: &Narrator,
    which: &str,
    line: String,
    sentence: crate::catalog::Text,
    fd: Option<RawFd>,
    bytes: Option<usize>,
) {
    n.emit(Event {
        kind: Some(Kind::Note),
        fd,
        bytes,
        text: format!("{which}: {line} — {}", sentence.render(n.lang)),
        text_other: n
            .bilingual
            .then(|| format!("{which}: {line} — {}", sentence.render(n.lang.other()))),
        call: Some(format!("{which}: {line}")),
        ..Event::default()
    });
}

/// A request written into the submission queue (not a syscall).
pub(super) fn sqe_sentence(sqe: &Sqe) -> crate::catalog::Text {
    match sqe {
        Sqe::Accept {
            multishot: true, ..
        } => text!("sys-sqe-accept-multishot"),
        Sqe::Accept { .. } => text!("sys-sqe-accept"),
        Sqe::RecvMulti { .. } => text!("sys-sqe-recv-multishot"),
        Sqe::Send { .. } => text!("sys-sqe-send"),
        Sqe::Close { .. } => text!("sys-sqe-close"),
        Sqe::Cancel { .. } => text!("sys-sqe-cancel"),
    }
}

/// A completion of `asked` with `result` (`-errno` on failure); `more`: still armed.
pub(super) fn cqe_sentence(asked: &Sqe, result: i32, more: bool) -> crate::catalog::Text {
    let more = if more { "yes" } else { "no" };
    if result < 0 {
        let errno = Errno::from_raw(-result);
        let text = strace::errno_text(errno);
        return text!("sys-cqe-failed", errno = format!("{errno:?}"), text, more);
    }
    match (asked, result) {
        (Sqe::Accept { fd, .. }, new) => text!("sys-cqe-accept", fd, new, more),
        (Sqe::RecvMulti { .. }, 0) => text!("sys-cqe-recv-eof"),
        (Sqe::RecvMulti { .. }, count) => text!("sys-cqe-recv", count, more),
        (Sqe::Send { data, .. }, count) if (count as usize) < data.len() => {
            text!("sys-cqe-send-short", count, offered = data.len())
        }
        (Sqe::Send { .. }, count) => text!("sys-cqe-send", count),
        (Sqe::Close { .. }, _) => text!("sys-cqe-close"),
        (Sqe::Cancel { .. }, _) => text!("sys-cqe-cancel"),
    }
}
