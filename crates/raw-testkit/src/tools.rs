//! Finding the external tools a test needs (strace, socat, nc, python3, tshark), and
//! skipping loudly, or failing under `RAW_REQUIRE_TOOLS=1`, when one is missing.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;

/// Whether missing tools are failures (`RAW_REQUIRE_TOOLS=1`).
pub fn tools_required() -> bool {
    std::env::var("RAW_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Finds `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The tool's path, or `None` after a loud skip message. Panics (fails the test) when
/// the tool is missing and `RAW_REQUIRE_TOOLS=1`.
pub fn tool(name: &str, test: &str) -> Option<PathBuf> {
    match which(name) {
        Some(p) => Some(p),
        None => {
            skip(
                test,
                &format!("`{name}` is not installed (scripts/test installs it as root, or: sudo apt-get install it)"),
            );
            None
        }
    }
}

/// Skips a test loudly, or fails it under `RAW_REQUIRE_TOOLS=1`.
///
/// The harness captures a passing test's stderr, so the notice alone would go unseen
/// and the test would be counted as passed. When `RAW_SKIP_LOG` names a file (as
/// `scripts/test` sets it), one line `package/target::test: why` is appended to it, and the
/// script counts it as skipped, not passed, and names it.
pub fn skip(test: &str, why: &str) {
    if tools_required() {
        panic!("{test}: {why}, and RAW_REQUIRE_TOOLS=1 forbids skipping");
    }
    eprintln!("\n*** SKIPPED {test}: {why} ***\n");
    if let Some(log) = std::env::var_os("RAW_SKIP_LOG") {
        // Cargo runs each test binary with CARGO_PKG_NAME set; the binary is named
        // after its test target plus a hash (`echo-0123abcd`).
        let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
        let target = std::env::current_exe()
            .ok()
            .and_then(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
            .map(|stem| {
                stem.rsplit_once('-')
                    .map_or(stem.clone(), |(t, _)| t.to_string())
            })
            .unwrap_or_default();
        let line = format!("{package}/{target}::{test}: {why}\n");
        // One write(2) in append mode: lines from parallel tests never mix.
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .and_then(|mut f| f.write_all(line.as_bytes()));
    }
}

/// Whether we run as root (needed for namespaces, dropping capabilities, capture).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Whether this machine has IPv6 loopback (`::1`).
pub fn has_ipv6() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

/// Whether this process may capture packets (root, or CAP_NET_RAW): tests that need
/// it skip loudly otherwise (or fail under `RAW_REQUIRE_TOOLS=1`).
pub fn can_capture(test: &str) -> bool {
    if is_root() {
        return true;
    }
    skip(test, "capturing packets needs root (or CAP_NET_RAW)");
    false
}
