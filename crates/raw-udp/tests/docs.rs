//! The docs show real runs of the current code: the narration on docs/udp.md must be
//! what `raw-udp demo` prints now (ports and TCP_INFO bytes aside). When this fails, the
//! page drifted: regenerate it (README, "Regenerating the docs' outputs").

use raw_testkit::{docs_block, free_port, normalize_run, run_ok};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-udp");

#[test]
fn udp_page_shows_the_current_narration() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/udp.md"))
        .expect("docs/udp.md");
    let shown = normalize_run(&docs_block(&page, "narration"));
    let out = run_ok(Command::new(BIN).args([
        "--lang",
        "en",
        "demo",
        "--port",
        &free_port().to_string(),
    ]));
    let now = normalize_run(&String::from_utf8_lossy(&out.stdout));
    if shown.trim_end() != now.trim_end() {
        let first = shown
            .lines()
            .zip(now.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "docs/udp.md drifted from the code (first difference at line {}):\n  page: {}\n  now:  {}\nregenerate it: see README, \"Regenerating the docs' outputs\"",
            first + 1,
            shown.lines().nth(first).unwrap_or(""),
            now.lines().nth(first).unwrap_or("")
        );
    }
}
