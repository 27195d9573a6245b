//! `--step`: before each syscall the program says what comes next and waits for Enter,
//! so a class can look with `ss -tan` or Wireshark between `bind` and `listen`.

use raw_testkit::{run, tool, DEADLINE};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-tcp");

/// Without a terminal on stdin, `--step` cannot wait for anyone: it says so, exit 2.
#[test]
fn step_without_a_terminal_exits_2() {
    for (lang, piece) in [
        ("en", "needs a terminal"),
        ("pt-BR", "precisa de um terminal"),
    ] {
        let out = run(
            Command::new(BIN).args(["--lang", lang, "--step", "demo"]),
            b"\n\n",
            DEADLINE,
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(piece));
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("socket("),
            "no syscall before the refusal"
        );
    }
}

/// In a terminal (a pseudo-terminal here), each syscall is announced before it runs,
/// and runs only after Enter: one pause per syscall line, each naming that syscall.
#[test]
fn step_pauses_before_each_syscall() {
    let Some(python) = tool("python3", "step_pauses_before_each_syscall") else {
        return;
    };
    let script = r#"
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen([sys.argv[1], "--lang", "en", "--step", "demo"], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(slave)
os.write(master, b"\n" * 100)  # the terminal buffers them: one Enter per pause
out, err = p.communicate(timeout=30)
sys.stdout.write(out.decode())
sys.exit(p.returncode)
"#;
    let out = run(
        Command::new(python).args(["-c", script, BIN]),
        b"",
        DEADLINE,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pauses: Vec<&str> = text.split("⏸  next: ").skip(1).collect();
    let syscalls = text.lines().filter(|l| l.contains("   # demo.rs:")).count();
    assert_eq!(pauses.len(), syscalls, "one pause per syscall\n{text}");
    // Each pause names the call that then runs: the first is socket, then setsockopt...
    assert!(
        pauses[0].starts_with("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP)"),
        "{}",
        pauses[0]
    );
    assert!(pauses.iter().any(|p| p.starts_with("listen(")));
    assert!(pauses.iter().any(|p| p.starts_with("connect(")));
}
