//! docs/trace.md and docs/pt-BR/trace.md stay true to the code: they list every
//! mistake raw-trace names and every script of examples/python/, and their sample lines
//! say what the code says today. The scripts keep the assignment's code.

use raw_core::Lang;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn page(lang: Lang) -> String {
    let path = match lang {
        Lang::En => root().join("docs/trace.md"),
        Lang::PtBr => root().join("docs/pt-BR/trace.md"),
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A student looks a mistake up on the page: every id is in the table, in both languages.
#[test]
fn pages_list_every_mistake() {
    for lang in [Lang::En, Lang::PtBr] {
        let text = page(lang);
        for mistake in raw_trace::report::ALL {
            assert!(
                text.contains(&format!("| `{}` |", mistake.id())),
                "{lang:?} page lacks {}",
                mistake.id()
            );
        }
    }
}

/// Every script of examples/python/ is shown on both pages, and each says in its
/// header how to run it under raw-trace.
#[test]
fn pages_show_every_script() {
    let dir = root().join("examples/python");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/python")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 5, "{names:?}");
    for name in &names {
        let script = std::fs::read_to_string(dir.join(name)).expect("script");
        assert!(
            script.starts_with("# Traced with raw-trace"),
            "{name} has no header on how to trace it"
        );
        for lang in [Lang::En, Lang::PtBr] {
            assert!(
                page(lang).contains(name.as_str()),
                "{lang:?} page lacks {name}"
            );
        }
    }
}

/// The sample lines are today's sentences (sentences.rs) and today's state wording.
#[test]
fn sample_lines_are_current() {
    let addr = "127.0.0.1:65432".parse().expect("addr");
    for (lang, state) in [
        (
            Lang::En,
            "TCP state: LISTEN   (the kernel's socket table, socket inode",
        ),
        (
            Lang::PtBr,
            "Estado TCP: LISTEN   (tabela de sockets do kernel, inode do socket",
        ),
    ] {
        let text = page(lang);
        for sentence in [
            raw_core::sentences::bind(addr),
            raw_core::sentences::listen(128),
            raw_core::sentences::recv(b""),
            raw_core::sentences::datagram_out(12, Some("127.0.0.1:65431".parse().expect("a"))),
        ] {
            let sentence = sentence.render(lang);
            assert!(text.contains(&sentence), "{lang:?} page lacks {sentence:?}");
        }
        assert!(text.contains(state), "{lang:?}");
        assert!(text.contains("-e inject=%network:delay_exit=15ms"));
    }
}

/// examples/python/echo-server.py is the assignment's script: its code lines, in order.
#[test]
fn echo_server_is_the_assignments() {
    let script =
        std::fs::read_to_string(root().join("examples/python/echo-server.py")).expect("script");
    let code: Vec<&str> = script
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .collect();
    assert_eq!(
        code,
        [
            "import socket",
            "HOST = \"127.0.0.1\"  # Standard loopback interface address (localhost)",
            "PORT = 65432  # Port to listen on (non-privileged ports are > 1023)",
            "with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:",
            "    s.bind((HOST, PORT))",
            "    print(\"Vinculado\")",
            "    s.listen()",
            "    print(\"Escutando\")",
            "    conn, addr = s.accept()",
            "    print(\"Conectando\")",
            "    with conn:",
            "        print(f\"Conectado por {addr}\")",
            "        while True:",
            "            data = conn.recv(1024)",
            "            print(str(data))",
            "            if not data:",
            "                break",
            "            conn.sendall(data.upper())",
        ]
    );
}
