//! The packet storm an echo server must not start (CERT CA-1996-01), reproduced for
//! real. Each test makes a network namespace of its own (only a loopback, nothing
//! reaches the outside), starts the real `raw-udp server` in it, and forges ONE
//! datagram with a raw socket (python3, `SOCK_RAW` + `IPPROTO_RAW`, a hand-built IPv4
//! and UDP header). Then it counts the packets the namespace's `lo` sent in 2 s.
//!
//! Before `hardening.rs`, the self-loop sent about 400,000 packets in those 2 s at
//! 100% CPU, and two servers bouncing one datagram about 120,000. Each defence is
//! proven on its own: the own-address check with the rate limit off, the rate limit
//! with two servers on different ports (which no address check can recognise), and a
//! control run with the limit off, where the storm is real.
//!
//! Needs root (namespaces, raw sockets), `ip` and `python3`; without them each test
//! skips loudly (or fails under `RAW_REQUIRE_TOOLS=1`).

use raw_testkit::{is_root, run, run_ok, skip, tool, Server, DEADLINE};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_raw-udp");

/// How long the packets are counted after the forged datagram.
const WINDOW: Duration = Duration::from_secs(2);

/// Fewer packets than this in [`WINDOW`] is calm; a storm is thousands.
const CALM: u64 = 100;

/// One IPv4 + UDP datagram from 127.0.0.1:argv[1] to 127.0.0.1:argv[2], headers
/// written by hand. UDP checksum 0 means "none", which IPv4 allows; the kernel fills in
/// the IP checksum and length (`IPPROTO_RAW` implies `IP_HDRINCL`).
const FORGE: &str = r#"
import socket, struct, sys
src, dst = int(sys.argv[1]), int(sys.argv[2])
payload = b"storm?"
udp = struct.pack("!HHHH", src, dst, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
                 socket.inet_aton("127.0.0.1"), socket.inet_aton("127.0.0.1"))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip + udp, ("127.0.0.1", 0))
"#;

/// A plain client on an ephemeral port: sends up to 5 times, 1 s apart, and prints
/// the first reply.
const CLIENT: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for _ in range(5):
    s.sendto(b"still there?", ("127.0.0.1", int(sys.argv[1])))
    try:
        print(s.recvfrom(100)[0].decode()); break
    except socket.timeout:
        pass
"#;

/// A network namespace of this test's own, deleted when dropped (on panic too), after
/// any process still inside it is killed.
struct Netns {
    name: String,
    python: PathBuf,
}

impl Netns {
    /// Makes the namespace with its loopback up, or skips loudly.
    fn new(test: &str, case: &str) -> Option<Netns> {
        if !is_root() {
            skip(test, "network namespaces and raw sockets need root");
            return None;
        }
        tool("ip", test)?;
        let python = tool("python3", test)?;
        let ns = Netns {
            name: format!("rsstorm{}{case}", std::process::id()),
            python,
        };
        ns.delete(); // a leftover of an earlier, killed run
        run_ok(Command::new("ip").args(["netns", "add", &ns.name]));
        run_ok(ns.exec("ip").args(["link", "set", "lo", "up"]));
        Some(ns)
    }

    /// A command run inside the namespace (`ip netns exec NAME program`).
    fn exec(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name]).arg(program);
        cmd
    }

    /// `raw-udp --json server --port 0 ARGS` inside the namespace, once ready.
    fn server(&self, args: &[&str]) -> Server {
        Server::start(
            self.exec(BIN)
                .args(["--json", "server", "--port", "0"])
                .args(args),
        )
    }

    /// Packets sent on the namespace's `lo` so far (every packet on loopback is sent
    /// once and received once).
    fn tx_packets(&self) -> u64 {
        let out = run_ok(
            self.exec("cat")
                .arg("/sys/class/net/lo/statistics/tx_packets"),
        );
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("tx_packets is a number")
    }

    /// Forges one datagram from 127.0.0.1:`src` to 127.0.0.1:`dst` and returns the
    /// packets `lo` sent during the next [`WINDOW`], that datagram included.
    fn packets_after_forging(&self, src: u16, dst: u16) -> u64 {
        let before = self.tx_packets();
        run_ok(
            self.exec(&self.python)
                .args(["-c", FORGE, &src.to_string(), &dst.to_string()]),
        );
        thread::sleep(WINDOW);
        let packets = self.tx_packets() - before;
        println!("forged 127.0.0.1:{src} -> 127.0.0.1:{dst}: {packets} packets in {WINDOW:?}");
        packets
    }

    /// What a plain client gets back from 127.0.0.1:`port`.
    fn ask(&self, port: u16) -> String {
        let out = run_ok(
            self.exec(&self.python)
                .args(["-c", CLIENT, &port.to_string()]),
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn delete(&self) {
        let pids = run(
            Command::new("ip").args(["netns", "pids", &self.name]),
            b"",
            DEADLINE,
        );
        for pid in String::from_utf8_lossy(&pids.stdout).split_whitespace() {
            let _ = run(Command::new("kill").args(["-KILL", pid]), b"", DEADLINE);
        }
        let _ = run(
            Command::new("ip").args(["netns", "del", &self.name]),
            b"",
            DEADLINE,
        );
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        self.delete();
    }
}

/// The notes among a server's events whose text contains `needle`.
fn notes_with(events: &[Value], needle: &str) -> usize {
    events
        .iter()
        .filter(|e| e["kind"] == "note" && e["text"].as_str().is_some_and(|t| t.contains(needle)))
        .count()
}

/// The replies a server sent.
fn replies(events: &[Value]) -> usize {
    events.iter().filter(|e| e["syscall"] == "sendto").count()
}

/// A student forges one datagram whose source is the server itself, 127.0.0.1 at the
/// server's own port, with the rate limit OFF: the own-address check alone must stop
/// the self-loop (bound to 127.0.0.1, and bound to every interface), say why, and the
/// server must still answer a normal client.
#[test]
fn a_datagram_forged_from_our_own_address_is_not_answered() {
    let test = "a_datagram_forged_from_our_own_address_is_not_answered";
    let Some(ns) = Netns::new(test, "own") else {
        return;
    };
    for host in ["127.0.0.1", "0.0.0.0"] {
        let srv = ns.server(&["--host", host, "--rate-limit", "0"]);
        let port = srv.port();
        let packets = ns.packets_after_forging(port, port);
        assert!(
            packets < CALM,
            "bound to {host}: one datagram from our own address became {packets} packets in {WINDOW:?}"
        );
        assert_eq!(ns.ask(port), "STILL THERE?", "bound to {host}");
        let (status, events, stderr) = srv.terminate();
        assert!(status.success(), "{status:?}: {stderr}");
        assert_eq!(
            notes_with(&events, "this machine at our own port"),
            1,
            "bound to {host}: the refusal is narrated"
        );
        assert_eq!(replies(&events), 1, "only the normal client was answered");
        assert!(stderr.contains("--rate-limit 0"), "the warning: {stderr}");
    }
}

/// Two servers with the default limit, on ports P and Q; one forged datagram to P
/// claiming to come from Q. They bounce it a burst's worth of times (10 replies each)
/// and then the rate limit drops it: tens of packets, not thousands, said once. Both
/// still answer a normal client.
#[test]
fn two_servers_bouncing_one_datagram_are_stopped_by_the_rate_limit() {
    let test = "two_servers_bouncing_one_datagram_are_stopped_by_the_rate_limit";
    let Some(ns) = Netns::new(test, "bounce") else {
        return;
    };
    let p = ns.server(&[]);
    let q = ns.server(&[]);
    let packets = ns.packets_after_forging(q.port(), p.port());
    assert!(
        packets < CALM,
        "two servers bounced one datagram {packets} times in {WINDOW:?}"
    );
    assert!(
        packets > 2,
        "they did bounce it ({packets} packets): the rate limit is what stopped them"
    );
    assert_eq!(ns.ask(p.port()), "STILL THERE?");
    assert_eq!(ns.ask(q.port()), "STILL THERE?");
    let (p_status, p_events, _) = p.terminate();
    let (q_status, q_events, _) = q.terminate();
    assert!(p_status.success() && q_status.success());
    assert_eq!(
        notes_with(&p_events, "Rate limit reached") + notes_with(&q_events, "Rate limit reached"),
        1,
        "one datagram dropped, one line saying why"
    );
}

/// The control: with `--rate-limit 0` on both servers the same forged datagram is a
/// storm, thousands of packets in 2 s, so the counts above are the defences at work
/// and not a quiet machine. (The own-address check cannot help: P and Q are
/// different ports.) And each server printed the warning that says so, even with -qq.
#[test]
fn without_the_rate_limit_two_servers_bounce_forever() {
    let test = "without_the_rate_limit_two_servers_bounce_forever";
    let Some(ns) = Netns::new(test, "free") else {
        return;
    };
    let quiet = || {
        Server::start_quiet(ns.exec(BIN).args([
            "-qq",
            "server",
            "--port",
            "0",
            "--rate-limit",
            "0",
        ]))
    };
    let (p, q) = (quiet(), quiet());
    let packets = ns.packets_after_forging(q.port(), p.port());
    assert!(
        packets > 1000,
        "with no rate limit two echo servers should bounce one datagram thousands of times; saw {packets}"
    );
    drop((p, q)); // killed: the storm would not end by itself
}

/// One source sending 200 datagrams at once to a default server: a burst of 10 is
/// answered, the rest dropped, and the server says so in one line, not 190.
#[test]
fn a_flood_from_one_source_is_told_once() {
    let test = "a_flood_from_one_source_is_told_once";
    let Some(python) = tool("python3", test) else {
        return;
    };
    let srv = Server::start(Command::new(BIN).args(["--json", "server", "--port", "0"]));
    let script = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for i in range(200):
    s.sendto(b"flood %d" % i, ("127.0.0.1", int(sys.argv[1])))
got = 0
try:
    while True:
        s.recvfrom(100); got += 1
except socket.timeout:
    pass
print(got)
"#;
    let out = run_ok(Command::new(python).args(["-c", script, &srv.port().to_string()]));
    let got: usize = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("count");
    assert!((10..=20).contains(&got), "replies to a flood of 200: {got}");
    let (status, events, stderr) = srv.terminate();
    assert!(status.success());
    assert_eq!(replies(&events), got);
    assert_eq!(notes_with(&events, "Rate limit reached"), 1);
    assert!(
        !stderr.contains("--rate-limit 0"),
        "no warning when the limit is on: {stderr}"
    );
}

/// `--rate-limit 0` prints its warning on stderr in every output mode (text, --json,
/// -q, -qq) and in both languages.
#[test]
fn rate_limit_0_warns_in_every_mode_and_language() {
    for (lang, needle) in [
        ("en", "traffic amplifier"),
        ("pt-BR", "amplificador de tráfego"),
    ] {
        for mode in [&[][..], &["--json"], &["-q"], &["-qq"]] {
            let mut cmd = Command::new(BIN);
            cmd.args(["--lang", lang])
                .args(mode)
                .args(["server", "--port", "0", "--rate-limit", "0"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .process_group(0);
            let mut child = cmd.spawn().expect("spawn server");
            let stderr = child.stderr.take().expect("stderr");
            let (tx, rx) = mpsc::channel();
            thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            let deadline = Instant::now() + DEADLINE;
            let mut seen = Vec::new();
            let warned = loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match rx.recv_timeout(left) {
                    Ok(line) if line.contains(needle) => break true,
                    Ok(line) => seen.push(line),
                    Err(_) => break false,
                }
            };
            let _ = child.kill();
            let _ = child.wait();
            assert!(
                warned,
                "--lang {lang} {mode:?}: no warning on stderr; saw {seen:?}"
            );
        }
    }
}
