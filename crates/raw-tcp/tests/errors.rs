//! Errors teach: each failure a student meets is provoked for real and must end with
//! exit code 1 (2 for bad usage), a message naming the syscall and the errno, and a
//! hint — in English and in Portuguese. Never a panic.

use raw_testkit::{free_port, is_root, run, skip, tool, Server, DEADLINE};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_raw-tcp");

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Checks exit 1, no panic, and that stderr has every expected piece.
fn assert_teaches(out: &Output, pieces: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "exit code; stderr: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "panic: {err}"
    );
    for piece in pieces {
        assert!(err.contains(piece), "missing {piece:?} in: {err}");
    }
}

fn both_langs(args: &[&str], prefix: Option<&[&str]>, en: &[&str], pt: &[&str]) {
    for (lang, pieces) in [("en", en), ("pt-BR", pt)] {
        let mut cmd = match prefix {
            Some(p) => {
                let mut c = Command::new(p[0]);
                c.args(&p[1..]).arg(BIN);
                c
            }
            None => Command::new(BIN),
        };
        cmd.args(["--lang", lang]).args(args);
        assert_teaches(&run(&mut cmd, b"", DEADLINE), pieces);
    }
}

/// The client started before the server: connection refused.
#[test]
fn connection_refused_says_start_the_server_first() {
    let port = free_port().to_string();
    both_langs(
        &["client", "--port", &port],
        None,
        &[
            "connect(2) failed: ECONNREFUSED (Connection refused)",
            "hint:",
            "Start the server first",
            "check: ss -ltnp 'sport = :",
            "(on the server's machine)",
        ],
        &[
            "connect(2) falhou: ECONNREFUSED",
            "dica:",
            "Inicie o servidor primeiro",
            "verifique: ss -ltnp",
            "(na máquina do servidor)",
        ],
    );
}

/// A second server on a port a running server holds: the message names that process.
#[test]
fn port_in_use_names_the_process_holding_it() {
    let srv = Server::start(Command::new(BIN).args(["--json", "server", "--port", "0"]));
    let port = srv.port().to_string();
    let pid = srv.child.as_ref().expect("child").id().to_string();
    both_langs(
        &["server", "--port", &port],
        None,
        &[
            "bind(2) failed: EADDRINUSE (Address already in use)",
            &format!("process {pid} (raw-tcp)"),
        ],
        &[
            "bind(2) falhou: EADDRINUSE",
            &format!("o processo {pid} (raw-tcp)"),
        ],
    );
}

/// Ports below 1024 need privilege. As root we drop CAP_NET_BIND_SERVICE with setpriv;
/// as a normal user the kernel already refuses.
#[test]
fn privileged_port_is_permission_denied() {
    let start: u32 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1024);
    if start <= 1023 {
        skip(
            "privileged_port_is_permission_denied",
            "ip_unprivileged_port_start lets anyone bind port 1023 here",
        );
        return;
    }
    let drop_caps: Option<Vec<String>> = if is_root() {
        match tool("setpriv", "privileged_port_is_permission_denied") {
            Some(p) => Some(vec![
                p.to_string_lossy().into_owned(),
                "--bounding-set=-net_bind_service".into(),
                "--inh-caps=-net_bind_service".into(),
            ]),
            None => return,
        }
    } else {
        None
    };
    let prefix: Option<Vec<&str>> = drop_caps
        .as_ref()
        .map(|v| v.iter().map(String::as_str).collect());
    both_langs(
        &["server", "--port", "1023"],
        prefix.as_deref(),
        &[
            "bind(2) failed: EACCES (Permission denied)",
            "below 1024",
            "65432",
        ],
        &["bind(2) falhou: EACCES", "abaixo de 1024", "65432"],
    );
}

/// A network namespace we create, with no interfaces up: a name cannot be resolved
/// and 127.0.0.1 is unreachable. No packet can leave it.
fn in_empty_netns(test: &str) -> Option<Vec<String>> {
    if !is_root() {
        skip(test, "creating a network namespace (unshare -n) needs root");
        return None;
    }
    let unshare = tool("unshare", test)?;
    Some(vec![unshare.to_string_lossy().into_owned(), "-n".into()])
}

/// A host name that does not resolve.
#[test]
fn unknown_host_is_explained() {
    let Some(prefix) = in_empty_netns("unknown_host_is_explained") else {
        return;
    };
    let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
    both_langs(
        &["client", "--host", "no-such-host.invalid"],
        Some(&prefix),
        &[
            "getaddrinfo(3) could not resolve \"no-such-host.invalid\"",
            "hint:",
        ],
        &[
            "getaddrinfo(3) não conseguiu resolver \"no-such-host.invalid\"",
            "dica:",
        ],
    );
}

/// No route to the server (loopback down inside a fresh namespace).
#[test]
fn unreachable_network_is_explained() {
    let Some(prefix) = in_empty_netns("unreachable_network_is_explained") else {
        return;
    };
    let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
    both_langs(
        &["client", "--host", "127.0.0.1"],
        Some(&prefix),
        &[
            "connect(2) failed: ENETUNREACH",
            "no route",
            "check: ip route get 127.0.0.1",
        ],
        &[
            "connect(2) falhou: ENETUNREACH",
            "não há rota",
            "verifique: ip route get 127.0.0.1",
        ],
    );
}

/// A listener whose accept queue is full drops our SYN: with `--timeout 1` the client
/// gives up after a second and says no answer came.
#[test]
fn connect_timeout_is_explained() {
    let Some(python) = tool("python3", "connect_timeout_is_explained") else {
        return;
    };
    let script = r#"
import socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(0)
fill = []
for _ in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(l.getsockname())
    except BlockingIOError: pass
    fill.append(c)
print(l.getsockname()[1], flush=True)
sys.stdin.read()
"#;
    let (mut holder, port) = raw_testkit::python_peer(&python, script);
    let port = port.to_string();
    both_langs(
        &["client", "--port", &port, "--timeout", "1"],
        None,
        &["connect(2) failed:", "no answer to our SYN (1 s)"],
        &["connect(2) falhou:", "nenhuma resposta ao SYN (1 s)"],
    );
    let _ = holder.kill();
    let _ = holder.wait();
}

/// The server resets the connection (SO_LINGER 0) instead of answering. The hint
/// names the server and the command to watch for the RST names its real port (it
/// used to print a literal `PORT`).
#[test]
fn peer_reset_mid_exchange_is_explained() {
    let Some(python) = tool("python3", "peer_reset_mid_exchange_is_explained") else {
        return;
    };
    let script = r#"
import socket, struct, sys
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(8)
print(l.getsockname()[1], flush=True)
for _ in range(4):
    c, _ = l.accept()
    c.recv(100)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
"#;
    let (mut rst, port) = raw_testkit::python_peer(&python, script);
    let server = format!("127.0.0.1:{port}");
    let tshark = format!("tshark -i any -f 'tcp port {port}' -Y 'tcp.flags.reset == 1'");
    let port = port.to_string();
    both_langs(
        &["client", "--port", &port],
        None,
        &[
            "recvfrom(2) failed: ECONNRESET (Connection reset by peer)",
            "RST",
            &format!("the peer ({server}) reset the connection"),
            &format!("check: {tshark}"),
        ],
        &[
            "recvfrom(2) falhou: ECONNRESET",
            "RST",
            &format!("o outro lado ({server}) abortou a conexão com RST"),
            &format!("verifique: {tshark}"),
        ],
    );
    for lang in ["en", "pt-BR"] {
        let out = run(
            Command::new(BIN).args(["--lang", lang, "client", "--port", &port]),
            b"",
            DEADLINE,
        );
        assert!(
            !stderr(&out).contains("PORT"),
            "a placeholder: {}",
            stderr(&out)
        );
    }
    let _ = rst.kill();
    let _ = rst.wait();
}

/// A server that accepts and never answers: with `--timeout 0.5` the client's recv
/// gives up (EAGAIN), and the message names the server, the time (0,5 s in
/// Portuguese) and a command with the real port.
#[test]
fn silent_server_timeout_names_the_server() {
    let Some(python) = tool("python3", "silent_server_timeout_names_the_server") else {
        return;
    };
    let script = r#"
import socket, sys
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(8)
print(l.getsockname()[1], flush=True)
held = []
for _ in range(2):
    c, _ = l.accept(); held.append(c)
sys.stdin.read()
"#;
    let (mut silent, port) = raw_testkit::python_peer(&python, script);
    let server = format!("127.0.0.1:{port}");
    let ss = format!("ss -tanp 'dport = :{port}'");
    both_langs(
        &["client", "--port", &port.to_string(), "--timeout", "0.5"],
        None,
        &[
            "recvfrom(2) failed: EAGAIN",
            &format!("no reply from {server} within 0.5 s (SO_RCVTIMEO)"),
            &format!("check: {ss}"),
        ],
        &[
            "recvfrom(2) falhou: EAGAIN",
            &format!("nenhuma resposta de {server} em 0,5 s (SO_RCVTIMEO)"),
            &format!("verifique: {ss}"),
        ],
    );
    let _ = silent.kill();
    let _ = silent.wait();
}

/// Bad usage exits 2 with clap's message, never 1 and never a panic.
#[test]
fn bad_usage_exits_2() {
    for args in [
        vec!["client", "--port", "70000"],
        vec!["--lang", "xx", "demo"],
        vec!["server", "--buffer", "0"],
        vec!["client", "--timeout", "soon"],
        vec!["nonsense"],
    ] {
        let out = run(Command::new(BIN).args(&args), b"", DEADLINE);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
    let help = run(Command::new(BIN).arg("--help"), b"", DEADLINE);
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("strace") && text.contains("tshark"),
        "--help should teach: {text}"
    );
}
