//! The docs show real runs of the current code: the narration on docs/udp.md (English)
//! and docs/pt-BR/udp.md (Portuguese) must be what `raw-udp demo` prints now, in that
//! language (ports and TCP_INFO bytes aside). When this fails, a page drifted:
//! regenerate it (README, "Regenerating the docs' outputs").

use raw_testkit::{docs_block, free_port, normalize_run, run_ok};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_raw-udp");

fn check(page_path: &str, lang: &str) {
    let page = std::fs::read_to_string(format!("{}/../../{page_path}", env!("CARGO_MANIFEST_DIR")))
        .expect("page");
    let shown = normalize_run(&docs_block(&page, "narration"));
    let out = run_ok(Command::new(BIN).args([
        "--lang",
        lang,
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
            "{page_path} drifted from the code (first difference at line {}):\n  page: {}\n  now:  {}\nregenerate it: see README, \"Regenerating the docs' outputs\"",
            first + 1,
            shown.lines().nth(first).unwrap_or(""),
            now.lines().nth(first).unwrap_or("")
        );
    }
}

#[test]
fn english_page_shows_the_current_narration() {
    check("docs/udp.md", "en");
}

#[test]
fn portuguese_page_shows_the_current_narration() {
    check("docs/pt-BR/udp.md", "pt-BR");
}
