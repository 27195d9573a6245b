//! The course's own Python scripts, traced: each socket call printed exactly as strace
//! printed it, marked with its pid, with the labs' sentence and the TCP state after
//! it; the packets between them with --capture; the same events as pictures.

mod common;

use common::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

/// The calls of strace's own output that raw-trace narrates for a Python program
/// (the network class, and `close` of a socket), with strace's padding and the
/// `(DELAYED)` mark of raw-trace's hold taken off.
fn strace_network_lines(raw: &str) -> Vec<String> {
    raw_testkit::strace_network_calls(&raw.replace(" (DELAYED)\n", "\n"))
}

/// The state that follows each syscall event (the `note` raw-trace adds), by call;
/// packets and the kernel's own transitions may come between them.
fn states(events: &[Value]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if e["kind"] != "syscall" {
            continue;
        }
        let next = events[i + 1..]
            .iter()
            .find(|n| n["kind"] != "packet" && n["kind"] != "transition")
            .filter(|n| n["kind"] == "note" && n["state"].is_string());
        if let Some(n) = next {
            let name = e["syscall"].as_str().unwrap_or_default().to_string();
            out.push((name, n["state"].as_str().unwrap_or_default().to_string()));
        }
    }
    out
}

/// `raw-trace --json -- python3 echo-server.py` (the assignment's script, on a free
/// port) and a client: every narrated line is strace's own line for the same call, in
/// the same order; the states are CLOSED, CLOSED, LISTEN, ESTABLISHED...; the script's
/// own prints come through; no mistake is reported; exit 0.
#[test]
fn echo_server_lines_are_strace_lines_with_states() {
    let test = "echo_server_lines_are_strace_lines_with_states";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let dir = tempdir("echo-server");
    let port = raw_testkit::free_port();
    let script = on_port(&example("echo-server.py"), port, &dir);
    let raw = dir.join("strace.txt");
    let raw_arg = raw.display().to_string();
    let child = start(raw_trace(
        &["--json", "--strace-out", &raw_arg],
        &[&python, &script],
    ));
    assert_eq!(echo(port, b"Hello, world"), b"HELLO, WORLD");
    let out = finish(child);
    assert!(out.status.success(), "{}", show(&out));
    let events = events(&out);
    let narrated = calls(&events);
    let traced = strace_network_lines(&std::fs::read_to_string(&raw).expect("raw"));
    raw_testkit::assert_same_calls("echo-server.py", &narrated, &traced);
    assert!(narrated[0].starts_with("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3"));
    let names: Vec<&str> = events
        .iter()
        .filter(|e| e["kind"] == "syscall")
        .filter_map(|e| e["syscall"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "socket",
            "bind",
            "listen",
            "accept4",
            "getsockname",
            "recvfrom",
            "sendto",
            "recvfrom",
            "close",
            "close"
        ]
    );
    let states = states(&events);
    let state_of = |name: &str| {
        states
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
    };
    assert_eq!(state_of("socket"), Some("CLOSED"));
    assert_eq!(state_of("bind"), Some("CLOSED"));
    assert_eq!(state_of("listen"), Some("LISTEN"));
    assert_eq!(state_of("accept4"), Some("ESTABLISHED"));
    // Every event says which process made it.
    let pid = events
        .iter()
        .find(|e| e["kind"] == "syscall")
        .and_then(|e| e["role"].as_str())
        .expect("role")
        .to_string();
    assert!(pid.starts_with("pid "), "{pid}");
    assert!(events
        .iter()
        .filter(|e| e["kind"] == "syscall")
        .all(|e| e["role"] == pid.as_str()));
    // The sentences are the labs' own.
    let bind = events
        .iter()
        .find(|e| e["syscall"] == "bind")
        .expect("bind");
    assert_eq!(
        bind["text"],
        format!("Bound: the socket now owns 127.0.0.1:{port}. Still no packets.")
    );
    assert_eq!(mistakes(&events), Vec::<String>::new());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "Vinculado",
        "Escutando",
        "Conectando",
        "b'Hello, world'",
        "b''",
    ] {
        assert!(stdout.lines().any(|l| l == line), "no {line:?} in {stdout}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The assignment's client against a server of the test's own, traced in text: it
/// prints `Received b'HELLO, WORLD'`; each syscall line starts with `[pid N] ` and is
/// followed by its sentence and state; the connect says the handshake.
#[test]
fn echo_client_text_is_marked_by_pid_with_states() {
    let test = "echo_client_text_is_marked_by_pid_with_states";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut buf = [0u8; 12];
        conn.read_exact(&mut buf).expect("read");
        conn.write_all(&buf.to_ascii_uppercase()).expect("write");
        let mut rest = Vec::new();
        let _ = conn.read_to_end(&mut rest);
    });
    let dir = tempdir("echo-client");
    let script = on_port(&example("echo-client.py"), port, &dir);
    let out = run(raw_trace(&["--lang", "en"], &[&python, &script]));
    let _ = server.join();
    assert!(out.status.success(), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l == "Received b'HELLO, WORLD'"),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    let connect = lines
        .iter()
        .position(|l| l.contains("connect(3, {sa_family=AF_INET,"))
        .expect("connect line");
    assert!(lines[connect].starts_with("[pid "), "{}", lines[connect]);
    assert!(lines[connect].ends_with("= 0   # echo-client.py"));
    assert!(lines[connect + 1].trim_start().starts_with(&format!(
        "Connected to 127.0.0.1:{port}: SYN →, ← SYN-ACK, ACK →."
    )));
    assert!(lines[connect + 2]
        .trim_start()
        .starts_with("TCP state: ESTABLISHED   (the kernel's socket table, socket inode "));
    assert!(text.contains("No mistake shows in this trace"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The threaded multi-client server with two clients at once, one of them idle: the
/// threads' lines carry their own pids; every narrated line is strace's, the halves
/// strace split (`<unfinished ...>` / `resumed>`) joined; the idle client does not stall
/// this server (no blocked-accept). Ctrl-C (SIGINT) to raw-trace stops the script:
/// exit 130, as the shell reports a SIGINT death, and nothing is left running.
#[test]
fn threaded_server_is_joined_per_thread_and_stops_on_sigint() {
    let test = "threaded_server_is_joined_per_thread_and_stops_on_sigint";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let dir = tempdir("multi");
    let port = raw_testkit::free_port();
    let script = on_port(&example("multi-server.py"), port, &dir);
    let raw = dir.join("strace.txt");
    let raw_arg = raw.display().to_string();
    let child = start(raw_trace(
        &["--json", "--strace-out", &raw_arg],
        &[&python, &script],
    ));
    let rt = child.id();
    let idle = connect(port);
    let mut busy = connect(port);
    for word in [&b"one"[..], b"two", b"three"] {
        busy.write_all(word).expect("send");
        let mut reply = vec![0u8; word.len()];
        busy.read_exact(&mut reply).expect("reply");
        assert_eq!(reply, word.to_ascii_uppercase());
    }
    std::thread::sleep(Duration::from_millis(1500)); // idle, longer than a stall counts
    drop(busy);
    drop(idle);
    std::thread::sleep(Duration::from_millis(300));
    let script_pid = std::fs::read_to_string(format!("/proc/{rt}/task/{rt}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .and_then(|p| p.parse::<u32>().ok())
        .expect("the traced script is raw-trace's child");
    let _ = std::process::Command::new("kill")
        .args(["-INT", &rt.to_string()])
        .status();
    let out = finish(child);
    assert_eq!(out.status.code(), Some(130), "{}", show(&out));
    assert!(
        !std::path::Path::new(&format!("/proc/{script_pid}")).exists()
            || std::fs::read_to_string(format!("/proc/{script_pid}/status"))
                .is_ok_and(|s| s.contains("State:\tZ")),
        "the script still runs"
    );
    let events = events(&out);
    assert_eq!(mistakes(&events), Vec::<String>::new(), "{}", show(&out));
    let roles: std::collections::BTreeSet<&str> = events
        .iter()
        .filter(|e| e["kind"] == "syscall")
        .filter_map(|e| e["role"].as_str())
        .collect();
    assert!(
        roles.len() >= 3,
        "main thread and two client threads: {roles:?}"
    );
    // Every line is one strace printed whole, or the two halves it printed apart.
    let raw = std::fs::read_to_string(&raw).expect("raw");
    // Lines strace printed whole: `PID  name(args)    = ret`, padding and mark off.
    let whole: Vec<String> = raw
        .lines()
        .filter(|l| !l.contains("<unfinished ...>") && !l.contains(" resumed>"))
        .filter_map(|l| l.split_once(' ').map(|(_, call)| call.trim_start()))
        .filter_map(|call| {
            let (args, ret) = call.rsplit_once(" = ")?;
            Some(format!(
                "{} = {}",
                args.trim_end(),
                ret.trim_end_matches(" (DELAYED)")
            ))
        })
        .collect();
    let heads: Vec<(String, String)> = raw
        .lines()
        .filter_map(|l| l.strip_suffix(" <unfinished ...>"))
        .filter_map(|l| l.split_once(' '))
        .map(|(pid, head)| (pid.to_string(), head.trim_start().to_string()))
        .collect();
    let tails: Vec<(String, String)> = raw
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(pid, rest)| {
            let rest = rest.trim_start().strip_prefix("<... ")?;
            let (_, tail) = rest.split_once(" resumed>")?;
            let (args, ret) = tail.rsplit_once(" = ")?;
            let ret = ret.trim_end_matches(" (DELAYED)");
            Some((pid.to_string(), format!("{} = {ret}", args.trim_end())))
        })
        .collect();
    let mut joined = 0;
    for e in events.iter().filter(|e| e["kind"] == "syscall") {
        let call = e["call"].as_str().expect("call");
        if whole.iter().any(|w| w == call) {
            continue;
        }
        let pid = e["role"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("pid ");
        let halves = heads
            .iter()
            .any(|(p, h)| p == pid && call.starts_with(h.as_str()))
            && tails
                .iter()
                .any(|(p, t)| p == pid && call.ends_with(t.as_str()));
        assert!(halves, "{call:?} is not a line strace printed");
        joined += 1;
    }
    assert!(joined > 0, "threads interleave: some lines were joined");
    assert!(!calls(&events).iter().any(|c| c.contains("resumed>")));
    let _ = std::fs::remove_dir_all(dir);
}

/// The UDP server and client of the assignment: datagrams narrated with their sender;
/// the client's lines typed on stdin come back upper-cased; SIGTERM to raw-trace stops
/// the server (exit 143: killed by SIGTERM, as Python has no handler for it).
#[test]
fn udp_scripts_are_narrated_and_the_server_stops_on_sigterm() {
    let test = "udp_scripts_are_narrated_and_the_server_stops_on_sigterm";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let dir = tempdir("udp");
    let port = raw_testkit::free_udp_port();
    let server = on_port(&example("udp-server.py"), port, &dir);
    let client = on_port(&example("udp-client.py"), port, &dir);
    let srv = start(raw_trace(&["--json"], &[&python, &server]));
    assert!(raw_testkit::wait_for_udp(port));
    let mut cmd = raw_trace(&["--json"], &[&python, &client]);
    cmd.stdin(std::process::Stdio::piped());
    cmd.stdout(std::process::Stdio::piped());
    let out = raw_testkit::run(&mut cmd, b"hello\nwho is there\n", LIMIT);
    assert!(out.status.success(), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Received: HELLO"), "{text}");
    assert!(text.contains("Received: WHO IS THERE"), "{text}");
    let events = events(&out);
    assert_eq!(mistakes(&events), Vec::<String>::new());
    let sent = events
        .iter()
        .find(|e| e["syscall"] == "sendto")
        .expect("sendto");
    assert_eq!(
        sent["text"],
        format!("One datagram of 5 bytes → 127.0.0.1:{port}. No handshake, no acknowledgement: the kernel sends it and forgets it.")
    );
    let got = events
        .iter()
        .find(|e| e["syscall"] == "recvfrom")
        .expect("recvfrom");
    assert!(
        got["text"].as_str().is_some_and(|t| t.starts_with(&format!(
            "One datagram: 5 bytes from 127.0.0.1:{port}: \"HELLO\""
        ))),
        "{got}"
    );
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &srv.id().to_string()])
        .status();
    let out = finish(srv);
    assert_eq!(out.status.signal(), None, "raw-trace itself exits");
    assert_eq!(out.status.code(), Some(143), "{}", show(&out));
    assert_eq!(mistakes(&events_of(&out)), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(dir);
}

fn events_of(out: &std::process::Output) -> Vec<Value> {
    events(out)
}

/// With --capture (root or CAP_NET_RAW), the packets come between the syscalls: the
/// handshake before accept's state, the data, the FINs; and a pcap file is written.
#[test]
fn capture_puts_the_packets_between_the_syscalls() {
    let test = "capture_puts_the_packets_between_the_syscalls";
    if raw_testkit::tool("strace", test).is_none() || !raw_testkit::can_capture(test) {
        return;
    }
    let Some(python) = python(test) else { return };
    let dir = tempdir("capture");
    let port = raw_testkit::free_port();
    let script = on_port(&example("echo-server.py"), port, &dir);
    let pcap = dir.join("echo.pcap");
    let pcap_arg = pcap.display().to_string();
    let child = start(raw_trace(
        &["--json", "--capture", &pcap_arg],
        &[&python, &script],
    ));
    assert_eq!(echo(port, b"Hello, world"), b"HELLO, WORLD");
    let out = finish(child);
    assert!(out.status.success(), "{}", show(&out));
    let events = events(&out);
    let kinds: Vec<String> = events
        .iter()
        .map(|e| {
            if e["kind"] == "packet" {
                format!("packet {}", e["packet"]["flags"].as_str().unwrap_or(""))
            } else {
                format!(
                    "{} {}",
                    e["kind"].as_str().unwrap_or(""),
                    e["syscall"].as_str().unwrap_or("")
                )
            }
        })
        .collect();
    let at = |what: &str| {
        kinds
            .iter()
            .position(|k| k == what)
            .unwrap_or_else(|| panic!("no {what} in {kinds:#?}"))
    };
    assert!(at("syscall listen") < at("packet SYN"));
    assert!(at("packet SYN") < at("packet SYN-ACK"));
    // The client's data may arrive before the server's accept4 returns (the kernel
    // finished the handshake and queued it), so that order is not fixed; what is, is
    // that the reply's segment comes right after the sendto that made it.
    assert!(at("syscall accept4") < at("syscall sendto"), "{kinds:#?}");
    assert_eq!(
        kinds.get(at("syscall sendto") + 1).map(String::as_str),
        Some("packet PSH-ACK"),
        "{kinds:#?}"
    );
    assert!(kinds.iter().any(|k| k == "packet FIN-ACK"));
    assert!(std::fs::metadata(&pcap).is_ok_and(|m| m.len() > 24));
    let _ = std::fs::remove_dir_all(dir);
}

/// In Portuguese, the same run says the labs' Portuguese sentences and `estado TCP`.
#[test]
fn portuguese_narration() {
    let test = "portuguese_narration";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let dir = tempdir("pt");
    let port = raw_testkit::free_port();
    let script = on_port(&example("echo-server.py"), port, &dir);
    let child = start(raw_trace(&["--lang", "pt-BR"], &[&python, &script]));
    assert_eq!(echo(port, b"Hello, world"), b"HELLO, WORLD");
    let out = finish(child);
    assert!(out.status.success(), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        format!(
            "Vinculado: o socket agora está associado ao endereço 127.0.0.1:{port}. Nenhum pacote por enquanto."
        ),
        "Estado TCP: LISTEN   (tabela de sockets do kernel, inode do socket".to_string(),
        "Escutando: o próprio kernel agora completa os handshakes TCP".to_string(),
        "0 bytes: fim do fluxo.".to_string(),
        "Nenhum erro aparece neste rastreamento".to_string(),
    ] {
        assert!(text.contains(&expected), "no {expected:?} in\n{text}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// --svg and --html are drawn from the same events (through raw_core::cli::run).
#[test]
fn pictures_from_the_same_events() {
    let test = "pictures_from_the_same_events";
    if raw_testkit::tool("strace", test).is_none() {
        return;
    }
    let Some(python) = python(test) else { return };
    let dir = tempdir("pictures");
    let (svg, html) = (dir.join("run.svg"), dir.join("run.html"));
    let (svg_arg, html_arg) = (svg.display().to_string(), html.display().to_string());
    let script = program("udp_big_buffer.py");
    let out = run(raw_trace(
        &["--svg", &svg_arg, "--html", &html_arg],
        &[&python, &script],
    ));
    assert!(out.status.success(), "{}", show(&out));
    let svg = std::fs::read_to_string(&svg).expect("svg");
    assert!(svg.contains("<svg") && svg.contains("recvfrom(3"), "{svg}");
    let html = std::fs::read_to_string(&html).expect("html");
    assert!(html.contains("<html") && html.contains("recvfrom(3"));
    let _ = std::fs::remove_dir_all(dir);
}
