//! One line of a tracefs instance's `trace_pipe`, read back: who was running when the
//! tracepoint fired (command, thread id, process id: the instance records the tgid), in
//! which context (a softirq: the kernel handling a packet or a timer, not a syscall of
//! that process), when (the instance's clock is `mono`, `CLOCK_MONOTONIC`), and what.
//!
//! ```text
//!  python3-13515   (  13515) [001] ..s2. 47869.829445: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=45200 dport=41378 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_LISTEN newstate=TCP_SYN_RECV
//! ```
//!
//! The fields are the tracepoints' own `print fmt` (`events/sock/inet_sock_set_state/format`).

#![forbid(unsafe_code)]

use crate::trace::tcp_state::TcpState;
use std::net::{IpAddr, SocketAddr};

/// What a tracepoint said.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// `sock:inet_sock_set_state`: a TCP socket changed state.
    State {
        /// The state it left.
        from: TcpState,
        /// The state it entered.
        to: TcpState,
    },
    /// `tcp:tcp_retransmit_skb`: a segment sent again (its socket's state then).
    Retransmit(TcpState),
    /// `tcp:tcp_retransmit_synack`: a SYN-ACK sent again.
    RetransmitSynAck,
    /// `tcp:tcp_send_reset`: this host sent RST.
    SentReset,
    /// `tcp:tcp_receive_reset`: an RST arrived for this socket.
    ReceivedReset,
}

/// One line of `trace_pipe`.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The command of the task that was running (`python3`, `<idle>`).
    pub comm: String,
    /// Its thread id.
    pub tid: u32,
    /// Its process id (thread group), when the instance records it.
    pub tgid: Option<u32>,
    /// Whether the tracepoint fired in a softirq (the `s` of the flags).
    pub softirq: bool,
    /// `CLOCK_MONOTONIC`, in seconds.
    pub mono: f64,
    /// The socket's local address and port (`saddr`, `sport`).
    pub local: SocketAddr,
    /// The peer's address and port (`daddr`, `dport`).
    pub remote: SocketAddr,
    /// What happened.
    pub what: What,
}

/// The kernel's `TCP_*` name (`TCP_SYN_RECV`) as a state.
fn state(name: &str) -> Option<TcpState> {
    Some(match name.strip_prefix("TCP_")? {
        "ESTABLISHED" => TcpState::Established,
        "SYN_SENT" => TcpState::SynSent,
        "SYN_RECV" => TcpState::SynReceived,
        "FIN_WAIT1" => TcpState::FinWait1,
        "FIN_WAIT2" => TcpState::FinWait2,
        "TIME_WAIT" => TcpState::TimeWait,
        "CLOSE" => TcpState::Closed,
        "CLOSE_WAIT" => TcpState::CloseWait,
        "LAST_ACK" => TcpState::LastAck,
        "LISTEN" => TcpState::Listen,
        "CLOSING" => TcpState::Closing,
        "NEW_SYN_RECV" => TcpState::NewSynRecv,
        _ => return None,
    })
}

/// The value of `key=` in a tracepoint's fields.
fn field<'a>(fields: &'a str, key: &str) -> Option<&'a str> {
    fields
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

/// The two addresses of a line with `family`, `sport`, `dport`, `saddr`, `daddr` (and
/// the `v6` pair for AF_INET6).
fn addresses(fields: &str) -> Option<(SocketAddr, SocketAddr)> {
    let v6 = field(fields, "family") == Some("AF_INET6");
    let (s, d) = if v6 {
        ("saddrv6", "daddrv6")
    } else {
        ("saddr", "daddr")
    };
    let ip = |key| field(fields, key)?.parse::<IpAddr>().ok();
    let port = |key| field(fields, key)?.parse::<u16>().ok();
    Some((
        SocketAddr::new(ip(s)?, port("sport")?),
        SocketAddr::new(ip(d)?, port("dport")?),
    ))
}

/// `src=127.0.0.1:45201 dest=127.0.0.1:33592` (tcp_send_reset writes socket addresses).
fn endpoints(fields: &str) -> Option<(SocketAddr, SocketAddr)> {
    Some((
        field(fields, "src")?.parse().ok()?,
        field(fields, "dest")?.parse().ok()?,
    ))
}

/// Reads one line of `trace_pipe`; `None` for any other line (a comment, a tracepoint
/// this module does not know, a line cut short).
pub fn line(text: &str) -> Option<Line> {
    // "<comm>-<tid> (<tgid>) [cpu] flags seconds: event: fields"; comm may hold spaces
    // and dashes, so the task is read back from its last dash.
    let (head, rest) = text.split_once(": ")?;
    let (event, fields) = rest.split_once(": ")?;
    let mut words: Vec<&str> = head.split_whitespace().collect();
    let mono: f64 = words.pop()?.parse().ok()?;
    let flags = words.pop()?;
    let _cpu = words.pop().filter(|w| w.starts_with('['))?;
    let joined = words.join(" ");
    let (task, tgid) = match joined.rsplit_once('(') {
        Some((task, tgid)) => (task.trim(), tgid.trim_end_matches(')').trim().parse().ok()),
        None => (joined.as_str(), None),
    };
    let (comm, tid) = task.rsplit_once('-')?;
    let what = match event {
        "inet_sock_set_state" => {
            if field(fields, "protocol") != Some("IPPROTO_TCP") {
                return None;
            }
            What::State {
                from: state(field(fields, "oldstate")?)?,
                to: state(field(fields, "newstate")?)?,
            }
        }
        "tcp_retransmit_skb" => What::Retransmit(state(field(fields, "state")?)?),
        "tcp_retransmit_synack" => What::RetransmitSynAck,
        "tcp_send_reset" => What::SentReset,
        "tcp_receive_reset" => What::ReceivedReset,
        _ => return None,
    };
    let (local, remote) = match what {
        What::SentReset => endpoints(fields)?,
        _ => addresses(fields)?,
    };
    Some(Line {
        comm: comm.to_string(),
        tid: tid.parse().ok()?,
        tgid,
        softirq: flags.contains('s'),
        mono,
        local,
        remote,
        what,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYN_RECV: &str = "         python3-13515   (  13515) [001] ..s2. 47869.829445: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=45200 dport=41378 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_LISTEN newstate=TCP_SYN_RECV";

    /// A line as this kernel writes it, with the tgid recorded.
    #[test]
    fn a_state_change_is_read_back() {
        let l = line(SYN_RECV).expect("parsed");
        assert_eq!(l.comm, "python3");
        assert_eq!((l.tid, l.tgid), (13515, Some(13515)));
        assert!(l.softirq);
        assert!((l.mono - 47869.829445).abs() < 1e-9);
        assert_eq!(l.local.to_string(), "127.0.0.1:45200");
        assert_eq!(l.remote.to_string(), "127.0.0.1:41378");
        assert_eq!(
            l.what,
            What::State {
                from: TcpState::Listen,
                to: TcpState::SynReceived
            }
        );
    }

    /// Commands with spaces and dashes, the idle task, no tgid, IPv6, resets.
    #[test]
    fn odd_tasks_and_other_tracepoints() {
        let idle = "          <idle>-0       [000] ..s1. 5.000001: inet_sock_set_state: family=AF_INET6 protocol=IPPROTO_TCP sport=1 dport=2 saddr=0.0.0.0 daddr=0.0.0.0 saddrv6=::1 daddrv6=::1 oldstate=TCP_FIN_WAIT1 newstate=TCP_FIN_WAIT2";
        let l = line(idle).expect("idle");
        assert_eq!((l.comm.as_str(), l.tid, l.tgid), ("<idle>", 0, None));
        assert_eq!(l.local.to_string(), "[::1]:1");
        let dashed = " tokio-rt-worker-77 (   70) [001] ..... 1.5: tcp_send_reset: skbaddr=0 skaddr=0 src=127.0.0.1:45201 dest=127.0.0.1:33592 state=TCP_CLOSE reason=TCP_STATE";
        let l = line(dashed).expect("reset");
        assert_eq!(
            (l.comm.as_str(), l.tid, l.tgid),
            ("tokio-rt-worker", 77, Some(70))
        );
        assert_eq!(l.what, What::SentReset);
        assert!(!l.softirq);
        let ours = "         raw-tcp-20736   (  20736) [000] ..... 48527.370810: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=0 dport=42575 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT";
        let l = line(ours).expect("ours");
        assert_eq!(
            (l.comm.as_str(), l.tid, l.tgid),
            ("raw-tcp", 20736, Some(20736))
        );
        assert_eq!(line("# tracer: nop"), None);
        assert_eq!(line(&SYN_RECV[..60]), None);
        let mptcp = SYN_RECV.replace("IPPROTO_TCP", "IPPROTO_MPTCP");
        assert_eq!(line(&mptcp), None);
    }
}
