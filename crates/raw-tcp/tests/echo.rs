//! Lab 1 against the real binaries: our server with our client, and with clients no one
//! here wrote (Python's socket module, socat, nc); our client with a socat echo server.

use raw_testkit::{pseudo_random, run, tool, Events, Lab, DEADLINE};
use std::process::Command;
use std::time::Duration;

fn lab() -> Lab {
    Lab::tcp(env!("CARGO_BIN_EXE_raw-tcp"))
}

/// A student runs the server, then the client: the client prints the upper-cased
/// reply and both exit 0; the server says who connected and what arrived.
#[test]
fn hello_world_comes_back_upper_case() {
    let srv = lab().server(&["--port", "0"]);
    let out = lab().client(srv.port(), &["--quiet", "--lang", "en"]);
    out.assert_ok();
    assert_eq!(out.text(), "Received \"HELLO, WORLD\"\n");
    let (status, events, _) = srv.finish(DEADLINE);
    assert!(status.success(), "server exit: {status:?}");
    let accepted = events.call("accept4");
    assert!(accepted["peer"]
        .as_str()
        .expect("peer")
        .starts_with("127.0.0.1:"));
    assert!(accepted["text"]
        .as_str()
        .expect("text")
        .contains("Connected by 127.0.0.1:"));
    let data = events
        .iter()
        .find(|e| e["kind"] == "data")
        .expect("data event");
    assert_eq!(data["data"], "\"Hello, world\"");
}

/// In Portuguese the server uses the assignment's words.
#[test]
fn portuguese_uses_the_assignments_words() {
    let srv = lab().lang("pt-BR").server(&["--port", "0"]);
    let text: String = srv
        .early
        .iter()
        .map(|e| e["text"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        text.contains("Vinculado") && text.contains("Escutando"),
        "{text}"
    );
    let out = lab().client(srv.port(), &["--lang", "pt-BR"]);
    assert!(out.status.success());
    assert!(out.text().contains("Recebido \"HELLO, WORLD\""));
    let (_, events, _) = srv.finish(DEADLINE);
    let all: String = events.texts().concat();
    assert!(
        all.contains("Esperando um cliente no accept()")
            && all.contains("Conectado por 127.0.0.1:"),
        "{all}"
    );
}

/// Python script: send stdin to the server while reading the echo concurrently, then
/// write what came back to stdout.
const PY_ECHO: &str = r#"
import socket, sys, threading
host, port = sys.argv[1], int(sys.argv[2])
data = sys.stdin.buffer.read()
s = socket.create_connection((host, port))
got = bytearray()
def reader():
    while True:
        b = s.recv(65536)
        if not b:
            break
        got.extend(b)
t = threading.Thread(target=reader)
t.start()
s.sendall(data)
s.shutdown(socket.SHUT_WR)
t.join()
sys.stdout.buffer.write(got)
"#;

/// 1 MiB of random bytes through `--transform none` comes back byte-identical: no
/// byte lost to short reads or short writes.
#[test]
fn one_mib_of_binary_comes_back_identical() {
    let Some(python) = tool("python3", "one_mib_of_binary_comes_back_identical") else {
        return;
    };
    let srv = lab().server(&["--port", "0", "--transform", "none", "--quiet"]);
    let payload = pseudo_random(1 << 20, 0x5eed);
    let out = run(
        Command::new(python).args(["-c", PY_ECHO, "127.0.0.1", &srv.port().to_string()]),
        &payload,
        DEADLINE,
    );
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), payload.len());
    assert!(out.stdout == payload, "echoed bytes differ");
    let (status, _, _) = srv.finish(DEADLINE);
    assert!(status.success());
}

/// Bytes that are not UTF-8 (and a UTF-8 character) pass through upper-casing
/// untouched, and the server neither crashes nor changes the length.
#[test]
fn non_utf8_input_never_crashes_the_server() {
    let Some(python) = tool("python3", "non_utf8_input_never_crashes_the_server") else {
        return;
    };
    let srv = lab().server(&["--port", "0"]);
    let input = b"\xff\xfe\xc3 abc \x00 \xc3\xa9z".to_vec();
    let out = run(
        Command::new(python).args(["-c", PY_ECHO, "127.0.0.1", &srv.port().to_string()]),
        &input,
        DEADLINE,
    );
    assert!(out.status.success());
    assert_eq!(out.stdout, b"\xff\xfe\xc3 ABC \x00 \xc3\xa9Z".to_vec());
    let (status, events, _) = srv.finish(DEADLINE);
    assert!(status.success());
    assert!(events.iter().any(|e| e["kind"] == "data"));
}

/// socat, a client no one here wrote, gets the upper-cased line back.
#[test]
fn socat_talks_to_our_server() {
    let Some(socat) = tool("socat", "socat_talks_to_our_server") else {
        return;
    };
    let srv = lab().server(&["--port", "0"]);
    let out = lab().socat(&socat, srv.port(), b"Hello, world\n");
    out.assert_ok();
    assert_eq!(out.stdout, b"HELLO, WORLD\n");
    assert!(srv.finish(DEADLINE).0.success());
}

/// OpenBSD netcat (`nc -N` closes its side at end of input) gets the reply too.
#[test]
fn nc_talks_to_our_server() {
    let Some(nc) = tool("nc", "nc_talks_to_our_server") else {
        return;
    };
    let srv = lab().server(&["--port", "0"]);
    let out = lab().nc(&nc, srv.port(), b"Hello, world\n");
    out.assert_ok();
    assert_eq!(out.stdout, b"HELLO, WORLD\n");
    assert!(srv.finish(DEADLINE).0.success());
}

/// Our client against socat's echo server (`PIPE` sends back what it reads).
#[test]
fn our_client_talks_to_a_socat_echo_server() {
    let Some(socat) = tool("socat", "our_client_talks_to_a_socat_echo_server") else {
        return;
    };
    let echo = lab().socat_echo(&socat);
    let out = lab().client(echo.port, &["--quiet"]);
    drop(echo);
    out.assert_ok();
    assert_eq!(out.text(), "Received \"Hello, world\"\n");
}

/// `--stdin` sends each typed line and prints each reply, on one connection.
#[test]
fn stdin_mode_sends_each_line() {
    let srv = lab().server(&["--port", "0"]);
    let port = srv.port().to_string();
    let out = lab().run(
        &["client", "--quiet", "--stdin", "--port", &port],
        b"one\ntwo words\n",
    );
    assert!(out.status.success());
    assert_eq!(out.text(), "Received \"ONE\"\nReceived \"TWO WORDS\"\n");
    assert!(srv.finish(DEADLINE).0.success());
}

/// `--forever` serves one client after another on the same listening socket.
#[test]
fn forever_serves_clients_one_after_another() {
    let mut srv = lab().server(&["--port", "0", "--forever"]);
    for msg in ["first", "second", "third"] {
        let out = lab().client(srv.port(), &["--quiet", "--message", msg]);
        assert!(out.status.success());
        assert_eq!(out.text(), format!("Received \"{}\"\n", msg.to_uppercase()));
    }
    srv.kill();
}

/// `--json` prints only JSON lines, each with a kind; the ready event carries the port.
#[test]
fn json_mode_prints_only_json() {
    let srv = lab().server(&["--port", "0"]);
    let out = lab().json().client(srv.port(), &[]);
    assert!(out.status.success());
    let events = out.events();
    assert!(events.iter().all(|e| e["kind"].is_string()));
    assert!(events
        .iter()
        .any(|e| e["syscall"] == "connect" && e["state"] == "ESTABLISHED"));
    let ready = &srv.early.last().expect("ready");
    assert_eq!(ready["local"], format!("127.0.0.1:{}", srv.port()));
    let _ = srv.finish(DEADLINE);
}

/// IPv6 loopback works end to end.
#[test]
fn ipv6_loopback_works() {
    if !raw_testkit::has_ipv6() {
        raw_testkit::skip(
            "ipv6_loopback_works",
            "this machine has no IPv6 loopback (::1)",
        );
        return;
    }
    let srv = lab().server(&["--host", "::1", "--port", "0"]);
    assert!(srv.addr.is_ipv6());
    let out = lab().client(srv.port(), &["--quiet", "--host", "::1"]);
    assert!(out.status.success());
    assert_eq!(out.text(), "Received \"HELLO, WORLD\"\n");
    let (_, events, _) = srv.finish(DEADLINE);
    assert!(events.call("bind")["call"]
        .as_str()
        .expect("call")
        .contains("inet_pton(AF_INET6, \"::1\""));
}

/// `--host ::` is dual stack: IPV6_V6ONLY is set to 0 explicitly, and an IPv4 client
/// shows up as ::ffff:127.0.0.1, with a sentence saying why.
#[test]
fn dual_stack_shows_ipv4_mapped_peers() {
    if !raw_testkit::has_ipv6() {
        raw_testkit::skip(
            "dual_stack_shows_ipv4_mapped_peers",
            "this machine has no IPv6",
        );
        return;
    }
    let srv = lab().server(&["--host", "::", "--port", "0"]);
    assert!(srv.early.iter().any(|e| e["call"]
        .as_str()
        .is_some_and(|c| c.contains("IPV6_V6ONLY, [0], 4) = 0"))));
    let out = lab().client(srv.port(), &["--quiet", "--host", "127.0.0.1"]);
    assert!(out.status.success());
    let (_, events, _) = srv.finish(DEADLINE);
    let accepted = events.call("accept4");
    assert!(
        accepted["peer"]
            .as_str()
            .expect("peer")
            .starts_with("[::ffff:127.0.0.1]:"),
        "{accepted}"
    );
    assert!(
        accepted["text"]
            .as_str()
            .expect("text")
            .contains("IPv4-mapped")
            || accepted["text"]
                .as_str()
                .expect("text")
                .contains("::ffff:a.b.c.d")
    );
}

/// A host *name* works: `localhost` comes from /etc/hosts (no DNS). If it resolves to
/// ::1 first, the client narrates the refusal and falls back to 127.0.0.1.
#[test]
fn host_names_resolve_and_fall_back() {
    let srv = lab().server(&["--port", "0"]);
    let port = srv.port().to_string();
    let out = run(
        &mut lab()
            .json()
            .command(&["client", "--host", "localhost", "--port", &port]),
        b"",
        Duration::from_secs(20),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = raw_testkit::json_lines(&out.stdout);
    let connects: Vec<_> = events
        .iter()
        .filter(|e| e["syscall"] == "connect")
        .collect();
    // Every syscall event carries its return value: 0 for the connect that worked,
    // -1 and the errno for any refused one before it (::1 first, then 127.0.0.1).
    assert_eq!(connects.last().expect("a connect")["ret"], 0);
    for refused in &connects[..connects.len() - 1] {
        assert_eq!(refused["ret"], -1, "{refused}");
        assert_eq!(refused["errno"], "ECONNREFUSED", "{refused}");
        assert!(
            refused["text"]
                .as_str()
                .unwrap_or("")
                .starts_with("Failed: ECONNREFUSED"),
            "a failed call never gets the success sentence: {refused}"
        );
    }
    assert!(events
        .iter()
        .any(|e| e["kind"] == "data" && e["data"] == "\"HELLO, WORLD\""));
    let _ = srv.finish(DEADLINE);
}

/// A Brazilian student sends "ação" with --lang pt-BR: the reply line is in Portuguese
/// and decoded ("AçãO": the server upper-cases ASCII letters only), while the strace
/// lines keep strace's octal escapes for the same bytes.
#[test]
fn utf8_text_is_shown_decoded_in_portuguese() {
    let mut srv = lab().server(&["--port", "0", "--forever"]);
    let out = lab().client(srv.port(), &["--lang", "pt-BR", "--message", "ação"]);
    out.assert_ok();
    let text = out.text();
    assert!(text.contains("Recebido \"AçãO\"\n"), "{text}");
    assert!(
        text.contains(r#"sendto(3, "a\303\247\303\243o", 6, MSG_NOSIGNAL, NULL, 0) = 6"#),
        "{text}"
    );
    assert!(
        text.contains(r#"recvfrom(3, "A\303\247\303\243O", 6, 0, NULL, NULL) = 6"#),
        "{text}"
    );
    let quiet = lab().client(srv.port(), &["-q", "--lang", "pt-BR", "--message", "ação"]);
    assert_eq!(quiet.text(), "Recebido \"AçãO\"\n");
    srv.kill();
}
