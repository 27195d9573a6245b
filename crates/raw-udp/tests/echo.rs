//! Lab 2 against the real binaries: datagram truths the code must show, not hide.
//! Our server with our client, with Python's socket module, socat and nc; our client
//! with a socat UDP echo.

use raw_testkit::{run_ok, tool, Events, Lab};
use std::process::Command;

fn lab() -> Lab {
    Lab::udp(env!("CARGO_BIN_EXE_raw-udp"))
}

fn python(test: &str, script: &str, args: &[String]) -> Option<std::process::Output> {
    let python = tool("python3", test)?;
    Some(run_ok(Command::new(python).args(["-c", script]).args(args)))
}

/// The assignment's exchange: `Hello, world` comes back as `HELLO, WORLD`; the server
/// says who wrote, and stops cleanly (exit 0) on SIGTERM.
#[test]
fn hello_world_comes_back_upper_case() {
    let srv = lab().server(&["--port", "0"]);
    let out = lab().client(srv.port(), &["--quiet", "--message", "Hello, world"]);
    out.assert_ok();
    assert_eq!(
        out.text(),
        "Sent: \"Hello, world\"\nReceived: \"HELLO, WORLD\"\n"
    );
    let (status, events, _) = srv.terminate();
    assert!(status.success(), "server exit after SIGTERM: {status:?}");
    let got = events.call("recvfrom");
    assert!(got["peer"]
        .as_str()
        .expect("peer")
        .starts_with("127.0.0.1:"));
    assert!(
        events.iter().any(|e| e["syscall"] == "close"),
        "the socket is closed before exit"
    );
    assert!(!events
        .iter()
        .any(|e| e["syscall"] == "listen" || e["syscall"] == "accept4"));
    let absent = events.iter().any(|e| {
        e["text"]
            .as_str()
            .is_some_and(|t| t.contains("No listen() and no accept()"))
    });
    assert!(absent, "the narration says what is absent");
}

/// The interactive client of the assignment: a `Message:` prompt per line.
#[test]
fn interactive_client_prompts_for_each_line() {
    let srv = lab().server(&["--port", "0"]);
    let port = srv.port().to_string();
    let out = lab().run(&["client", "--port", &port], b"one\ntwo\n");
    assert!(out.status.success());
    let text = out.text();
    assert_eq!(text.matches("Message: ").count(), 3, "{text}");
    assert!(
        text.contains("Sent: \"one\"") && text.contains("Received: \"ONE\""),
        "{text}"
    );
    assert!(text.contains("Received: \"TWO\""), "{text}");
}

/// 1,000 random datagrams of 0 to 65,507 bytes come back identical with
/// `--transform none`: every size, including empty datagrams and the IPv4 maximum.
/// (`--rate-limit 0`: one source sending a thousand datagrams in a second is what the
/// default limit is for; this test is about the bytes.)
#[test]
fn a_thousand_random_datagrams_come_back_identical() {
    let srv = lab().server(&[
        "--port",
        "0",
        "--transform",
        "none",
        "--quiet",
        "--rate-limit",
        "0",
    ]);
    let script = r#"
import random, socket, sys
port = int(sys.argv[1])
rng = random.Random(20261124)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
sizes = [0, 1, 65507] + [rng.randint(0, 65507) for _ in range(997)]
for i, n in enumerate(sizes):
    data = rng.randbytes(n)
    s.sendto(data, ("127.0.0.1", port))
    back, peer = s.recvfrom(70000)
    assert back == data, f"datagram {i} of {n} bytes came back as {len(back)} bytes"
print(len(sizes))
"#;
    let Some(out) = python(
        "a_thousand_random_datagrams_come_back_identical",
        script,
        &[srv.port().to_string()],
    ) else {
        return;
    };
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1000");
    assert!(srv.terminate().0.success());
}

/// Message boundaries are kept: two sends are two receives, an empty datagram is
/// echoed as an empty datagram, and three interleaved clients each get their own
/// replies; bytes that are not UTF-8 never crash the server.
#[test]
fn boundaries_empty_datagrams_and_interleaved_clients() {
    let srv = lab().server(&["--port", "0"]);
    let script = r#"
import socket, sys
addr = ("127.0.0.1", int(sys.argv[1]))
def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5); return s
a, b, c = sock(), sock(), sock()
a.sendto(b"one", addr); a.sendto(b"two", addr)
assert a.recvfrom(100)[0] == b"ONE"
assert a.recvfrom(100)[0] == b"TWO"
a.sendto(b"", addr)
assert a.recvfrom(100)[0] == b""
for s, m in ((a, b"from a"), (b, b"from b"), (c, b"\xff\xfe from c \xc3\xa9")):
    s.sendto(m, addr)
assert c.recvfrom(100)[0] == b"\xff\xfe FROM C \xc3\xa9"
assert b.recvfrom(100)[0] == b"FROM B"
assert a.recvfrom(100)[0] == b"FROM A"
print("ok")
"#;
    let Some(out) = python(
        "boundaries_empty_datagrams_and_interleaved_clients",
        script,
        &[srv.port().to_string()],
    ) else {
        return;
    };
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
    assert!(srv.terminate().0.success());
}

/// socat, a client no one here wrote, gets the reply.
#[test]
fn socat_talks_to_our_server() {
    let Some(socat) = tool("socat", "socat_talks_to_our_server") else {
        return;
    };
    let srv = lab().server(&["--port", "0"]);
    let out = lab().socat(&socat, srv.port(), b"Hello, world\n");
    assert_eq!(out.stdout, b"HELLO, WORLD\n", "{}", out.errors());
    assert!(srv.terminate().0.success());
}

/// OpenBSD netcat in UDP mode gets the reply.
#[test]
fn nc_talks_to_our_server() {
    let Some(nc) = tool("nc", "nc_talks_to_our_server") else {
        return;
    };
    let srv = lab().server(&["--port", "0"]);
    let out = lab().nc(&nc, srv.port(), b"Hello, world\n");
    assert_eq!(out.stdout, b"HELLO, WORLD\n", "{}", out.errors());
    assert!(srv.terminate().0.success());
}

/// Our client against socat's UDP echo (`PIPE` sends back what it reads).
#[test]
fn our_client_talks_to_a_socat_udp_echo() {
    let Some(socat) = tool("socat", "our_client_talks_to_a_socat_udp_echo") else {
        return;
    };
    let echo = lab().socat_echo(&socat);
    let out = lab().client(echo.port, &["--quiet", "--message", "Hello, world"]);
    drop(echo);
    out.assert_ok();
    assert_eq!(
        out.text(),
        "Sent: \"Hello, world\"\nReceived: \"Hello, world\"\n"
    );
}

/// IPv6 works, and the largest IPv6 payload (65,527 bytes) goes through.
#[test]
fn ipv6_works() {
    if !raw_testkit::has_ipv6() {
        raw_testkit::skip("ipv6_works", "no IPv6 loopback here");
        return;
    }
    let srv = lab().server(&["--host", "::1", "--port", "0"]);
    let out = lab().client(srv.port(), &["--quiet", "--host", "::1", "--message", "hi"]);
    out.assert_ok();
    assert!(out.text().contains("Received: \"HI\""));
    let big = "x".repeat(raw_udp::MAX_PAYLOAD_V6);
    let out = lab()
        .json()
        .client(srv.port(), &["--host", "::1", "--message", &big]);
    out.assert_ok();
    let events = out.events();
    assert!(events
        .iter()
        .any(|e| e["kind"] == "data" && e["bytes"] == raw_udp::MAX_PAYLOAD_V6));
    assert!(srv.terminate().0.success());
}

/// Datagrams from the classic small-service ports (here 7, echo) are ignored, with a
/// sentence saying why; binding port 7 needs root.
#[test]
fn small_service_source_ports_are_ignored() {
    if !raw_testkit::is_root() {
        raw_testkit::skip(
            "small_service_source_ports_are_ignored",
            "sending from port 7 needs root",
        );
        return;
    }
    let srv = lab().server(&["--port", "0"]);
    let script = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7)); s.settimeout(1)
s.sendto(b"loop?", ("127.0.0.1", int(sys.argv[1])))
try:
    s.recvfrom(100); print("answered")
except socket.timeout:
    print("ignored")
"#;
    let Some(out) = python(
        "small_service_source_ports_are_ignored",
        script,
        &[srv.port().to_string()],
    ) else {
        return;
    };
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ignored");
    let (_, events, _) = srv.terminate();
    assert!(events.iter().any(|e| e["text"]
        .as_str()
        .is_some_and(|t| t.contains("Ignored a datagram from 127.0.0.1:7"))));
    assert!(
        !events.iter().any(|e| e["syscall"] == "sendto"),
        "no reply was sent"
    );
}

/// `--rate-limit 2`: five datagrams sent at once from one source get fewer than five
/// replies, and the server says why.
#[test]
fn rate_limit_caps_replies_per_source() {
    let srv = lab().server(&["--port", "0", "--rate-limit", "2"]);
    let script = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
for i in range(5):
    s.sendto(b"x%d" % i, ("127.0.0.1", int(sys.argv[1])))
got = 0
try:
    while True:
        s.recvfrom(100); got += 1
except socket.timeout:
    pass
print(got)
"#;
    let Some(out) = python(
        "rate_limit_caps_replies_per_source",
        script,
        &[srv.port().to_string()],
    ) else {
        return;
    };
    let got: u32 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("count");
    assert!((2..5).contains(&got), "replies: {got}");
    let (_, events, _) = srv.terminate();
    assert!(events.iter().any(|e| e["text"]
        .as_str()
        .is_some_and(|t| t.contains("Rate limit reached"))));
}

/// A server with a small buffer cuts a large datagram, says so, and does not answer it.
#[test]
fn server_detects_truncation_and_does_not_answer() {
    let srv = lab().server(&["--port", "0", "--buffer", "5"]);
    let out = lab().client(
        srv.port(),
        &["--timeout", "0.5", "--message", "Hello, world"],
    );
    assert_eq!(out.status.code(), Some(1));
    let (_, events, _) = srv.terminate();
    let cut = events.call("recvfrom");
    assert!(
        cut["call"].as_str().expect("call").ends_with("= 12"),
        "MSG_TRUNC gives the real size: {cut}"
    );
    assert!(cut["text"].as_str().expect("text").contains("TRUNCATED"));
    assert!(!events.iter().any(|e| e["syscall"] == "sendto"));
}

/// A Brazilian student runs the interactive client with --lang pt-BR and types
/// "ação": the prompt, the data lines and the reply are in Portuguese ("Mensagem:",
/// "Enviado:", "Recebido:"), the text is shown decoded (the server upper-cases ASCII
/// only, so "AçãO" comes back), while the strace line keeps strace's octal escapes.
#[test]
fn portuguese_client_speaks_portuguese_and_shows_text_decoded() {
    let srv = lab().server(&["--port", "0", "--lang", "pt-BR"]);
    let port = srv.port().to_string();
    let out = lab()
        .lang("pt-BR")
        .run(&["client", "--port", &port], "ação\n".as_bytes());
    out.assert_ok();
    let text = out.text();
    assert_eq!(text.matches("Mensagem: ").count(), 2, "{text}");
    assert!(!text.contains("Message:"), "{text}");
    assert!(text.contains("Enviado: \"ação\""), "{text}");
    assert!(text.contains("Recebido: \"AçãO\""), "{text}");
    assert!(
        text.contains(r#"sendto(3, "a\303\247\303\243o", 6, 0, "#),
        "strace's escapes stay in the syscall line: {text}"
    );
    let quiet = lab()
        .lang("pt-BR")
        .client(srv.port(), &["-q", "--message", "ação"]);
    quiet.assert_ok();
    assert_eq!(quiet.text(), "Enviado: \"ação\"\nRecebido: \"AçãO\"\n");
    let (status, events, _) = srv.terminate();
    assert!(status.success());
    let data: Vec<&str> = events
        .iter()
        .filter(|e| e["kind"] == "data")
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(
        data.iter().all(|t| t.ends_with("→ \"ação\"")),
        "the server's data line decodes UTF-8 too: {data:?}"
    );
}

/// The client never calls `bind`: its `getsockname` says the kernel chose the port at the
/// first `sendto` (with `--connect`: at `connect`), an implicit bind; never "the port
/// bind gave it". Both languages, the plain client and the demo.
#[test]
fn the_clients_port_comes_from_an_implicit_bind() {
    let srv = lab().server(&["--port", "0"]);
    let port = srv.port().to_string();
    for lang in ["en", "pt-BR"] {
        for (extra, expect) in [
            (None, ["first sendto", "primeiro sendto"]),
            (Some("--connect"), ["at connect", "no connect"]),
        ] {
            let mut args = vec![
                "client",
                "--port",
                port.as_str(),
                "--message",
                "Hello, world",
            ];
            args.extend(extra);
            let events = lab().lang(lang).events(&args);
            let said = events.call("getsockname")["text"]
                .as_str()
                .expect("the client's getsockname is narrated")
                .to_string();
            assert!(
                said.contains(expect[0]) || said.contains(expect[1]),
                "{lang} {extra:?}: {said}"
            );
            assert!(
                !said.contains("bind gave") && !said.contains("bind deu"),
                "{lang}: {said}"
            );
        }
        let demo = lab().lang(lang).events(&["demo"]);
        let client = demo
            .iter()
            .find(|e| e["role"] == "client" && e["syscall"] == "getsockname")
            .and_then(|e| e["text"].as_str())
            .expect("the demo's client getsockname");
        assert!(
            client.contains("implicit bind") || client.contains("bind implícito"),
            "{lang}: {client}"
        );
    }
    srv.terminate();
}
