//! The mistakes, said after the run: in text, a numbered list with each proof and fix;
//! with `--json`, one `warning` event per mistake (its id first in `text`, the proving
//! strace line in `call`); with `-q`, the text list alone; with `-qq`, nothing.

#![forbid(unsafe_code)]

use crate::lints::{Finding, Mistake};
use raw_core::text;
use raw_core::trace::event::{Event, Kind};
use raw_core::views::write_stdout;
use raw_core::{Mode, Narrator};

/// Every mistake id, in the order the docs list them.
pub const ALL: [Mistake; 7] = [
    Mistake::NoReuseaddr,
    Mistake::EofIgnored,
    Mistake::ShortSend,
    Mistake::Zombie,
    Mistake::LocalhostIpv6,
    Mistake::UdpTruncated,
    Mistake::BlockedAccept,
];

/// `[pid 4242] recvfrom(...) = 0` → `recvfrom(...) = 0`.
fn without_pid(line: &str) -> &str {
    match line.strip_prefix("[pid ") {
        Some(rest) => rest.split_once("] ").map(|(_, l)| l).unwrap_or(line),
        None => line,
    }
}

/// The findings as the text view prints them.
pub fn text(n: &Narrator, findings: &[Finding]) -> String {
    let mut out = format!("{}\n", "─".repeat(10));
    if findings.is_empty() {
        let ids: Vec<&str> = ALL.iter().map(|m| m.id()).collect();
        out.push_str(&n.say(text!(
            "trace-report-no-mistake-shows-this-trace",
            ids = ids.join(", ")
        )));
        return out;
    }
    out.push_str(&n.say(text!(
        "trace-report-mistakes-this-trace-shows",
        findings = findings.len()
    )));
    let (proof, fix) = (
        n.say(text!("trace-report-proof")),
        n.say(text!("trace-report-fix-2")),
    );
    let width = proof.chars().count().max(fix.chars().count());
    for (i, f) in findings.iter().enumerate() {
        out.push_str(&format!(
            "{}. [{}] {}\n",
            i + 1,
            f.mistake.id(),
            f.what(n.lang)
        ));
        for (j, line) in f.proof.iter().enumerate() {
            let label = if j == 0 { proof.as_str() } else { "" };
            out.push_str(&format!("   {label:<width$} {line}\n"));
        }
        out.push_str(&format!("   {fix:<width$} {}\n", f.fix(n.lang)));
    }
    out
}

/// Says the findings in the narrator's mode.
pub fn findings(n: &Narrator, findings: &[Finding]) {
    match n.mode {
        // In text, the findings are one block of the report (stdout), not a warning line.
        Mode::Text => n.emit(Event {
            kind: Some(Kind::Note),
            text: text(n, findings).trim_end().to_string(),
            ..Event::default()
        }),
        Mode::Quiet => write_stdout(&text(n, findings)),
        Mode::Silent => {}
        Mode::Json => {
            for f in findings {
                let call = f.proof.first().map(|l| without_pid(l).to_string());
                let syscall = call.as_deref().and_then(|c| {
                    let name = c.split('(').next()?;
                    crate::session::NARRATED
                        .iter()
                        .find(|s| **s == name)
                        .copied()
                });
                n.emit(Event {
                    role: Some(format!("pid {}", f.pid).into()),
                    kind: Some(Kind::Warning),
                    syscall,
                    call,
                    text: n.say(text!(
                        "trace-report-fix",
                        id = f.mistake.id(),
                        what = f.what(n.lang),
                        fix = f.fix(n.lang)
                    )),
                    ..Event::default()
                });
            }
            if findings.is_empty() {
                n.note(text(n, findings).trim().trim_start_matches('─').trim());
            }
        }
    }
}
