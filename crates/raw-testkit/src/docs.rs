//! A docs page's blocks against a real run of the current code.

#![forbid(unsafe_code)]

use crate::*;
use std::path::PathBuf;
use std::process::Command;

/// Replaces what legitimately differs between two runs of the same program (ports,
/// the bytes of `struct tcp_info`) with placeholders, so that a docs page's output can
/// be compared with a fresh run of the current code.
pub fn normalize_run(text: &str) -> String {
    // (A text may end with a port number: every index below is checked.)
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let starts = |i: usize, pat: &str| {
        chars[i..]
            .iter()
            .take(pat.chars().count())
            .copied()
            .eq(pat.chars())
    };
    while i < chars.len() {
        // htons(NNNN) and "port NNNN"
        for pat in ["htons(", "port "] {
            if starts(i, pat) && chars.get(i + pat.len()).is_some_and(|c| c.is_ascii_digit()) {
                out.push_str(pat);
                out.push_str("PORT");
                i += pat.len();
                while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
            }
        }
        // The port ran to the end of the text: nothing left to look at.
        if i >= chars.len() {
            break;
        }
        // ADDRESS:NNNN (after a digit or ']')
        if chars[i] == ':'
            && i > 0
            && (chars[i - 1].is_ascii_digit() || chars[i - 1] == ']')
            && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())
        {
            out.push_str(":PORT");
            i += 1;
            while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                i += 1;
            }
            continue;
        }
        // TCP_INFO, "<bytes>"..., [
        if starts(i, "TCP_INFO, \"") {
            let rest: String = chars[i..].iter().collect();
            if let Some(end) = rest.find("\"..., [") {
                out.push_str("TCP_INFO, \"...\"..., [");
                i += rest[..end + 7].chars().count();
                continue;
            }
        }
        if i < chars.len() {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The kernel's state changes (`[kernel]` lines) are said when the kernel makes them:
/// where one falls among a program's lines depends on timing (whether a peer in another
/// process has run yet), not on the code, and so do the times they carry. So they are
/// compared as a set, every number in them masked, after the other lines, which keep
/// their order; and the tracefs instance's pid (`raw-sockets-PID`) is masked.
pub fn kernel_lines_as_a_set(text: &str) -> String {
    let masked = |line: &str, all_numbers: bool| {
        let mut out = String::with_capacity(line.len());
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_ascii_digit() && (all_numbers || out.ends_with("raw-sockets-")) {
                out.push(if all_numbers { 'N' } else { 'P' });
                while chars.peek().is_some_and(|c| c.is_ascii_digit()) {
                    chars.next();
                }
                if !all_numbers {
                    out.push_str("ID");
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    let (mut kernel, mut lines): (Vec<String>, Vec<String>) = text
        .lines()
        .map(|l| masked(l.trim_end(), false))
        .partition(|l| l.trim_start().starts_with("[kernel]"));
    if !kernel.is_empty() {
        kernel = kernel.iter().map(|l| masked(l, true)).collect();
        kernel.sort_unstable();
        lines.push("[kernel] lines, in any order:".to_string());
        lines.extend(kernel);
    }
    lines.join("\n")
}

/// The text inside a docs page's `<!-- begin:NAME -->` block (without the fences).
pub fn docs_block(page: &str, name: &str) -> String {
    let begin = format!("<!-- begin:{name} -->\n```text\n");
    let start = page
        .find(&begin)
        .map(|i| i + begin.len())
        .unwrap_or_else(|| panic!("no block {name}"));
    let end = page[start..]
        .find("\n```\n<!-- end:")
        .map(|i| start + i)
        .unwrap_or_else(|| panic!("block {name} not closed"));
    page[start..end].to_string()
}

/// Fails unless the narration block of a docs page (`page_path`, from the repository
/// root) is what `bin demo` prints now in `lang`, ports and TCP_INFO bytes aside.
pub fn assert_docs_page_current(bin: &str, page_path: &str, lang: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let page = std::fs::read_to_string(root.join(page_path))
        .unwrap_or_else(|e| panic!("{page_path}: {e}"));
    let shown = kernel_lines_as_a_set(&normalize_run(&docs_block(&page, "narration")));
    let out = run_ok(Command::new(bin).args([
        "--lang",
        lang,
        "demo",
        "--port",
        &free_port().to_string(),
    ]));
    let now = kernel_lines_as_a_set(&normalize_run(&String::from_utf8_lossy(&out.stdout)));
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
