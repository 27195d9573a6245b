//! The sequence diagram (`--svg`) is a pure function of the events: the same events
//! always draw the same picture (a golden file), the picture is valid XML, no two
//! labels overlap (for the demo and a five-client server), and without a capture it
//! says that it shows syscalls and states only.
//!
//! `UPDATE_GOLDEN=1 cargo test -p raw-core --test diagram` rewrites the golden files
//! after an intended change; look at them (e.g. in a browser) before committing.

use raw_core::trace::event::{Event, Kind, PacketInfo};
use raw_core::trace::tcp_state::TcpState;
use raw_core::views::diagram::{layout, svg, Stamped};
use raw_core::Lang;

struct Run {
    t: f64,
    events: Vec<Stamped>,
}

impl Run {
    fn new() -> Run {
        Run {
            t: 1000.0,
            events: Vec::new(),
        }
    }

    fn push(&mut self, dt_ms: f64, event: Event) {
        self.t += dt_ms / 1000.0;
        self.events.push(Stamped {
            t: self.t,
            event,
            cause: None,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        role: &str,
        name: &'static str,
        fd: i32,
        ret: i64,
        call: &str,
        local: Option<&str>,
        peer: Option<&str>,
        bytes: Option<usize>,
    ) {
        self.push(
            0.1,
            Event {
                role: Some(role.into()),
                kind: Some(Kind::Syscall),
                syscall: Some(name),
                call: Some(format!("{call} = {ret}")),
                ret: Some(ret),
                fd: Some(fd),
                local: local.map(String::from),
                peer: peer.map(String::from),
                bytes,
                ..Event::default()
            },
        );
    }

    fn state(&mut self, role: &str, fd: i32, state: TcpState) {
        self.push(
            0.01,
            Event {
                role: Some(role.into()),
                kind: Some(Kind::Probe),
                syscall: Some("getsockopt"),
                fd: Some(fd),
                state: Some(state),
                ..Event::default()
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn packet(
        &mut self,
        dt_ms: f64,
        no: u64,
        src: &str,
        dst: &str,
        flags: &str,
        seq: u32,
        ack: Option<u32>,
        len: usize,
    ) {
        let t = self.t + dt_ms / 1000.0;
        self.push(
            dt_ms,
            Event {
                kind: Some(Kind::Packet),
                packet: Some(PacketInfo {
                    no,
                    proto: "TCP",
                    src: src.into(),
                    dst: dst.into(),
                    flags: flags.into(),
                    flag_bits: 0,
                    seq: Some(seq),
                    ack,
                    len,
                    time: t,
                }),
                ..Event::default()
            },
        );
    }
}

const S: &str = "127.0.0.1:65432";
const C: &str = "127.0.0.1:51234";

/// The demo's exchange: handshake, one echo, the goodbye with a delayed ACK.
fn demo(with_packets: bool) -> Vec<Stamped> {
    let mut r = Run::new();
    r.call(
        "server",
        "socket",
        3,
        3,
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP)",
        None,
        None,
        None,
    );
    r.state("server", 3, TcpState::Closed);
    r.call(
        "server",
        "bind",
        3,
        0,
        "bind(3, {...}, 16)",
        Some(S),
        None,
        None,
    );
    r.call("server", "listen", 3, 0, "listen(3, 128)", None, None, None);
    r.state("server", 3, TcpState::Listen);
    r.call(
        "client",
        "socket",
        4,
        4,
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP)",
        None,
        None,
        None,
    );
    r.call(
        "client",
        "connect",
        4,
        0,
        "connect(4, {...}, 16)",
        None,
        Some(S),
        None,
    );
    if with_packets {
        r.packet(0.01, 1, C, S, "SYN", 0, None, 0);
        r.packet(0.01, 2, S, C, "SYN-ACK", 0, Some(1), 0);
        r.packet(0.01, 3, C, S, "ACK", 1, Some(1), 0);
    }
    r.state("client", 4, TcpState::Established);
    r.call(
        "client",
        "getsockname",
        4,
        0,
        "getsockname(4, {...}, [128 => 16])",
        Some(C),
        None,
        None,
    );
    r.call(
        "server",
        "accept4",
        5,
        5,
        "accept4(3, {...}, [128 => 16], SOCK_CLOEXEC)",
        None,
        Some(C),
        None,
    );
    r.state("server", 5, TcpState::Established);
    r.call(
        "client",
        "sendto",
        4,
        12,
        "sendto(4, \"Hello, world\", 12, MSG_NOSIGNAL, NULL, 0)",
        None,
        None,
        Some(12),
    );
    if with_packets {
        r.packet(0.01, 4, C, S, "PSH-ACK", 1, Some(1), 12);
        r.packet(0.01, 5, S, C, "ACK", 1, Some(13), 0);
    }
    r.call(
        "server",
        "recvfrom",
        5,
        12,
        "recvfrom(5, \"Hello, world\", 1024, 0, NULL, NULL)",
        None,
        None,
        Some(12),
    );
    r.call(
        "server",
        "sendto",
        5,
        12,
        "sendto(5, \"HELLO, WORLD\", 12, MSG_NOSIGNAL, NULL, 0)",
        None,
        None,
        Some(12),
    );
    if with_packets {
        r.packet(0.01, 6, S, C, "PSH-ACK", 1, Some(13), 12);
        r.packet(0.01, 7, C, S, "ACK", 13, Some(13), 0);
    }
    r.call(
        "client",
        "recvfrom",
        4,
        12,
        "recvfrom(4, \"HELLO, WORLD\", 12, 0, NULL, NULL)",
        None,
        None,
        Some(12),
    );
    r.call(
        "client",
        "shutdown",
        4,
        0,
        "shutdown(4, SHUT_WR)",
        None,
        None,
        None,
    );
    if with_packets {
        r.packet(0.01, 8, C, S, "FIN-ACK", 13, Some(13), 0);
    }
    r.state("client", 4, TcpState::FinWait1);
    r.call(
        "server",
        "recvfrom",
        5,
        0,
        "recvfrom(5, \"\", 1024, 0, NULL, NULL)",
        None,
        None,
        Some(0),
    );
    r.state("server", 5, TcpState::CloseWait);
    if with_packets {
        r.packet(40.0, 9, S, C, "ACK", 13, Some(14), 0); // the delayed ACK
    }
    r.state("client", 4, TcpState::FinWait2);
    r.call("server", "close", 5, 0, "close(5)", None, None, None);
    if with_packets {
        r.packet(0.01, 10, S, C, "FIN-ACK", 13, Some(14), 0);
        r.packet(0.01, 11, C, S, "ACK", 14, Some(14), 0);
    }
    r.call("client", "close", 4, 0, "close(4)", None, None, None);
    r.push(
        0.1,
        Event {
            role: Some("client".into()),
            kind: Some(Kind::Note),
            fd: Some(4),
            state: Some(TcpState::TimeWait),
            from_table: true,
            ..Event::default()
        },
    );
    r.call("server", "close", 3, 0, "close(3)", None, None, None);
    r.events
}

/// A server with five clients in other processes: one lane each, by ephemeral port.
fn five_clients() -> Vec<Stamped> {
    let mut r = Run::new();
    r.call(
        "server",
        "socket",
        3,
        3,
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP)",
        None,
        None,
        None,
    );
    r.call(
        "server",
        "bind",
        3,
        0,
        "bind(3, {...}, 16)",
        Some(S),
        None,
        None,
    );
    r.call("server", "listen", 3, 0, "listen(3, 128)", None, None, None);
    r.state("server", 3, TcpState::Listen);
    for i in 0..5u64 {
        let c = format!("127.0.0.1:{}", 40000 + i);
        r.packet(0.01, 1 + i * 3, &c, S, "SYN", 0, None, 0);
        r.packet(0.01, 2 + i * 3, S, &c, "SYN-ACK", 0, Some(1), 0);
        r.packet(0.01, 3 + i * 3, &c, S, "ACK", 1, Some(1), 0);
        let fd = 4 + i as i32;
        r.call(
            "main",
            "accept4",
            fd,
            fd.into(),
            "accept4(3, {...}, [128 => 16], SOCK_CLOEXEC)",
            None,
            Some(&c),
            None,
        );
        r.state(&format!("thread {}", i + 1), fd, TcpState::Established);
    }
    for i in 0..5u64 {
        let c = format!("127.0.0.1:{}", 40000 + i);
        let fd = 4 + i as i32;
        r.packet(0.01, 20 + i * 2, &c, S, "PSH-ACK", 1, Some(1), 12);
        r.call(
            &format!("thread {}", i + 1),
            "recvfrom",
            fd,
            12,
            &format!("recvfrom({fd}, \"Hello, world\", 16384, 0, NULL, NULL)"),
            None,
            None,
            Some(12),
        );
        r.call(
            &format!("thread {}", i + 1),
            "sendto",
            fd,
            12,
            &format!("sendto({fd}, \"HELLO, WORLD\", 12, MSG_NOSIGNAL, NULL, 0)"),
            None,
            None,
            Some(12),
        );
        r.packet(0.01, 21 + i * 2, S, &c, "PSH-ACK", 1, Some(13), 12);
    }
    r.events
}

fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write golden");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no golden file {}: run with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    assert_eq!(
        actual, expected,
        "{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"
    );
}

/// A lecturer's slide: the demo's eleven packets between two timelines, client on the
/// left, server on the right, syscalls in the margins, states on the timelines, and
/// the delayed ACK's gap marked with its Δt.
#[test]
fn the_demo_draws_like_a_stevens_figure() {
    let events = demo(true);
    let l = layout(&events, Lang::En);
    assert_eq!(l.lanes.len(), 2);
    assert!(
        l.lanes[0].title.starts_with("client 127.0.0.1:51234"),
        "{:?}",
        l.lanes
    );
    assert!(
        l.lanes[1].title.starts_with("server 127.0.0.1:65432"),
        "{:?}",
        l.lanes
    );
    let picture = svg(&l, "raw-tcp demo", Lang::En);
    assert_eq!(
        picture,
        svg(&layout(&events, Lang::En), "raw-tcp demo", Lang::En),
        "deterministic"
    );
    let packets = raw_testkit::svg_packets(&picture);
    let flags: Vec<&str> = packets.iter().map(|(_, f, _, _)| f.as_str()).collect();
    assert_eq!(
        flags,
        [
            "SYN", "SYN-ACK", "ACK", "PSH-ACK", "ACK", "PSH-ACK", "ACK", "FIN-ACK", "ACK",
            "FIN-ACK", "ACK"
        ]
    );
    for state in [
        "LISTEN",
        "ESTABLISHED",
        "FIN-WAIT-1",
        "FIN-WAIT-2",
        "CLOSE-WAIT",
        "TIME-WAIT (kernel table)",
    ] {
        assert!(
            picture.contains(&format!(">{state}")) || picture.contains(state),
            "state {state} missing"
        );
    }
    assert!(
        picture.contains("Δt = 40.0 ms"),
        "the delayed ACK's gap is marked"
    );
    let overlaps = raw_testkit::svg_overlaps(&picture);
    assert!(overlaps.is_empty(), "overlapping labels: {overlaps:?}");
    golden("demo.svg", &picture);
}

/// In Portuguese the labels are Portuguese, and Δt uses the decimal comma.
#[test]
fn portuguese_labels() {
    let mut events = demo(true);
    // The delayed ACK 24.5 ms later: one decimal, written with a comma.
    if let Some(e) = events
        .iter_mut()
        .find(|e| e.event.packet.as_ref().is_some_and(|p| p.no == 9))
    {
        e.t -= 0.0155;
    }
    let l = layout(&events, Lang::PtBr);
    assert!(
        l.lanes[0].title.starts_with("client"),
        "a role keeps its name"
    );
    let picture = svg(&l, "raw-tcp demo", Lang::PtBr);
    assert!(picture.contains("Δt = 24,5 ms"), "decimal comma");
    assert!(picture.contains("TIME-WAIT (tabela do kernel)"));
    let no_capture = svg(
        &layout(&demo(false), Lang::PtBr),
        "raw-tcp demo",
        Lang::PtBr,
    );
    assert!(no_capture.contains("Sem captura: só syscalls e estados"));
}

/// Without packets the picture still shows the syscalls and states, and says why
/// there are no arrows.
#[test]
fn without_a_capture_it_says_so() {
    let picture = svg(&layout(&demo(false), Lang::En), "raw-tcp demo", Lang::En);
    assert!(raw_testkit::svg_packets(&picture).is_empty());
    assert!(picture.contains("No capture: syscalls and states only"));
    assert!(picture.contains("connect(4) = 0"));
    assert!(raw_testkit::svg_overlaps(&picture).is_empty());
}

/// Five clients in other processes: the server's timeline first, then one per client
/// named by its ephemeral port — the lab 3 question, drawn — and no label overlaps.
#[test]
fn five_clients_get_a_timeline_each() {
    let events = five_clients();
    let l = layout(&events, Lang::En);
    let titles: Vec<&str> = l.lanes.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles.len(), 6, "{titles:?}");
    assert!(
        titles[0].starts_with("server 127.0.0.1:65432"),
        "{titles:?}"
    );
    for i in 0..5 {
        assert_eq!(titles[1 + i], format!("client 127.0.0.1:{}", 40000 + i));
    }
    let picture = svg(&l, "raw-multi server --model thread", Lang::En);
    assert_eq!(raw_testkit::svg_packets(&picture).len(), 25);
    let overlaps = raw_testkit::svg_overlaps(&picture);
    assert!(overlaps.is_empty(), "overlapping labels: {overlaps:?}");
    golden("five-clients.svg", &picture);
}
