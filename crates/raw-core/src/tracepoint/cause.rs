//! Why the kernel changed a socket's state, and the sentence that says so.
//!
//! The tracepoint says in which context it fired. Outside a softirq, a process was in
//! a syscall: `listen`, `connect`, `shutdown`, `close` move the state themselves. In a
//! softirq, the kernel was handling a packet that arrived (a SYN, an ACK, a FIN, an
//! RST), or a timer that ran out: the edges of RFC 793's diagram say which, since only
//! a timer ends a connection towards CLOSED without a FIN or an RST (the kernel gave up
//! retransmitting). A FIN-WAIT-1 that waited tens of milliseconds for its ACK met the
//! peer's delayed ACK, a timer on the other side.

#![forbid(unsafe_code)]

use super::parse::What;
use super::Seen;
use crate::catalog::Text;
use crate::lang::Lang;
use crate::text;
use crate::trace::event::{Event, Kind};
use crate::trace::tcp_state::TcpState;

/// What made the kernel change the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A process's syscall (the tracepoint fired outside a softirq).
    Syscall,
    /// A packet that arrived.
    Packet,
    /// A timer that ran out (a retransmission, a connection given up).
    Timer,
}

impl Cause {
    /// The name the JSON carries: `syscall`, `packet`, `timer`.
    pub fn name(self) -> &'static str {
        match self {
            Cause::Syscall => "syscall",
            Cause::Packet => "packet",
            Cause::Timer => "timer",
        }
    }
}

/// Why the kernel did what `seen` says; `reset_before`: an RST for this socket arrived
/// just before. Most edges of the diagram have one cause: only a packet moves a socket
/// out of SYN-SENT into ESTABLISHED (the SYN-ACK), even when the kernel handles that
/// packet inside our `connect` (on loopback it does, outside a softirq); only a call
/// moves ESTABLISHED to FIN-WAIT-1. Towards CLOSED the context decides: a call, or, in a
/// softirq, a packet (a FIN's ACK, an RST) or a timer (the kernel gave up).
pub fn of(seen: &Seen, reset_before: bool) -> Cause {
    use TcpState::*;
    let line = &seen.line;
    match line.what {
        What::State { from, to } => match (from, to) {
            (Closed, Listen | SynSent) | (Established, FinWait1) | (CloseWait, LastAck) => {
                Cause::Syscall
            }
            (FinWait2 | Closing | LastAck, Closed) => Cause::Packet, // the FIN, the last ACK
            (_, Closed) if !line.softirq => Cause::Syscall,
            (FinWait1, Closed) => Cause::Packet, // FIN and ACK at once
            (_, Closed) if !reset_before => Cause::Timer, // no FIN, no RST: the kernel gave up
            _ => Cause::Packet,
        },
        What::SentReset if !line.softirq => Cause::Syscall,
        What::Retransmit(_) | What::RetransmitSynAck => Cause::Timer,
        _ => Cause::Packet,
    }
}

/// The sentence for a state change.
fn state_sentence(
    from: TcpState,
    to: TcpState,
    cause: Cause,
    waited_ms: Option<f64>,
    time_wait_left: Option<f64>,
) -> Text {
    use TcpState::*;
    match (from, to, cause) {
        (Closed, Listen, _) => text!("states-listen"),
        (Closed, SynSent, _) => text!("states-connect-sends-syn"),
        (SynSent, Established, _) => text!("states-syn-ack-arrived"),
        (Listen, SynReceived, _) => text!("states-syn-arrived"),
        (SynReceived, Established, _) => text!("states-handshake-done-accept-queue"),
        (Established, FinWait1, _) => text!("states-our-fin-out"),
        (Established, CloseWait, _) => text!("states-peer-fin-arrived"),
        (FinWait1, FinWait2, _) => match waited_ms {
            Some(ms) => text!(
                "states-fin-acked-after",
                ms = crate::trace::text::num(ms, 0)
            ),
            None => text!("states-fin-acked"),
        },
        (FinWait1, Closing, _) => text!("states-simultaneous-close"),
        (FinWait1 | FinWait2 | Closing, Closed, Cause::Packet) => match time_wait_left {
            Some(left) => text!(
                "states-time-wait-entry-left",
                left = crate::trace::text::num(left, 1)
            ),
            None => text!("states-time-wait-entry"),
        },
        (CloseWait, LastAck, _) => text!("states-close-our-fin-out"),
        (LastAck, Closed, _) => text!("states-last-ack-done"),
        (Listen, Closed, _) => text!("states-listener-closed"),
        (_, Closed, Cause::Syscall) => text!("states-closed-at-once"),
        (_, Closed, Cause::Packet) => text!("states-reset-arrived"),
        (_, Closed, Cause::Timer) => text!("states-given-up"),
        _ => text!("states-changed"),
    }
}

/// The event for what the tracepoint said, in `lang`. `waited_ms`: how long the socket
/// had been in its previous state (for FIN-WAIT-1, whether the ACK was delayed).
pub fn event(seen: &Seen, cause: Cause, waited_ms: Option<f64>, lang: Lang) -> Event {
    let line = &seen.line;
    let (kind, from, to, text) = match line.what {
        What::State { from, to } => {
            // Only these edges leave a TIME-WAIT entry behind (LAST-ACK never does).
            let to_time_wait = matches!(
                (from, to),
                (
                    TcpState::FinWait1 | TcpState::FinWait2 | TcpState::Closing,
                    TcpState::Closed
                )
            );
            let left = (to_time_wait && cause == Cause::Packet)
                .then(|| crate::trace::kernel_table::time_wait_left(line.local, line.remote))
                .flatten();
            let text = state_sentence(from, to, cause, waited_ms, left);
            (Kind::Transition, Some(from), Some(to), text)
        }
        What::Retransmit(state) => (
            Kind::Retransmit,
            None,
            None,
            text!("states-retransmitted", state = state.name()),
        ),
        What::RetransmitSynAck => (
            Kind::Retransmit,
            None,
            None,
            text!("states-syn-ack-retransmitted"),
        ),
        What::SentReset => (Kind::Reset, None, None, text!("states-reset-sent")),
        What::ReceivedReset => (Kind::Reset, None, None, text!("states-reset-received")),
    };
    Event {
        kind: Some(kind),
        from,
        to,
        local: Some(line.local.to_string()),
        remote: Some(line.remote.to_string()),
        cause: Some(cause.name()),
        source: Some("tracepoint".to_string()),
        t: Some(seen.t),
        mono: Some(line.mono),
        text: text.render(lang),
        ..Event::default()
    }
}

/// Without the tracepoint: a change between two of our looks at `fd` (`source: probe`).
/// The cause is the edge's, as RFC 793's diagram gives it; when it was made, and what
/// happened between the looks, no one saw.
pub fn probed(fd: i32, from: TcpState, to: TcpState, lang: Lang) -> Event {
    use TcpState::*;
    let cause = match (from, to) {
        (Closed, Listen | SynSent) | (Established, FinWait1) | (CloseWait, LastAck) => {
            Cause::Syscall
        }
        _ => Cause::Packet,
    };
    Event {
        kind: Some(Kind::Transition),
        fd: Some(fd),
        from: Some(from),
        to: Some(to),
        cause: Some(cause.name()),
        source: Some("probe".to_string()),
        text: state_sentence(from, to, cause, None, None).render(lang),
        ..Event::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracepoint::parse::Line;

    fn seen(from: TcpState, to: TcpState, softirq: bool) -> Seen {
        Seen {
            line: Line {
                comm: "t".into(),
                tid: 1,
                tgid: Some(1),
                softirq,
                mono: 0.0,
                local: "127.0.0.1:1".parse().expect("address"),
                remote: "127.0.0.1:2".parse().expect("address"),
                what: What::State { from, to },
            },
            t: 0.0,
            here: true,
            previous: None,
        }
    }

    /// A syscall outside softirq; a packet inside; a timer where no packet explains
    /// the edge.
    #[test]
    fn causes_follow_the_context_and_the_edge() {
        use TcpState::*;
        assert_eq!(of(&seen(Closed, Listen, false), false), Cause::Syscall);
        assert_eq!(of(&seen(SynSent, Established, false), false), Cause::Packet);
        assert_eq!(of(&seen(Established, Closed, false), false), Cause::Syscall);
        assert_eq!(of(&seen(Listen, SynReceived, true), false), Cause::Packet);
        assert_eq!(of(&seen(FinWait2, Closed, true), false), Cause::Packet);
        assert_eq!(of(&seen(LastAck, Closed, true), false), Cause::Packet);
        assert_eq!(of(&seen(SynSent, Closed, true), false), Cause::Timer);
        assert_eq!(of(&seen(Established, Closed, true), true), Cause::Packet);
    }
}
