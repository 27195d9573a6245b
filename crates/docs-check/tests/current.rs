//! Every output block of the docs is what the current programs print: a page that
//! drifts from the code fails here, with the first line that differs and the command
//! that regenerates it (`sudo scripts/docs.sh`).
//!
//! - The narration of lab 1 and lab 2 against a fresh `demo` (both languages; no tool).
//! - The strace blocks against a fresh `strace` of `demo` (strace needed).
//! - As root: the scripts that made the pages, run again, section by section against
//!   the page's block: text blocks line for line, packet blocks by their packets (flags
//!   and lengths), the multi-client runs (whose order depends on the scheduler) by the
//!   set of their lines. Ports, pids and times are normalised first
//!   (`docs_check::normalize`). A comparison that fails is tried again with a fresh run
//!   (three at most), since the scheduler and the delayed-ACK timer can reorder a run.

use docs_check::{bin, block, mask_readiness, normalize, packet_shapes, read, root, sections};
use raw_testkit::{free_port, is_root, run, skip, strace_socket_calls, tool};
use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

fn page_of(lang: &str, name: &str) -> String {
    if lang == "en" {
        format!("docs/{name}")
    } else {
        format!(
            "docs/pt-BR/{}",
            if name == "exercises.md" {
                "exercicios.md"
            } else {
                name
            }
        )
    }
}

/// Fails with the first differing line unless `shown` and `now` are equal.
fn same_text(what: &str, shown: &str, now: &str) -> Result<(), String> {
    if shown == now {
        return Ok(());
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (shown.lines().collect(), now.lines().collect());
    let i = (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .unwrap_or(0);
    Err(format!(
        "{what} drifted from the code (line {}):\n  page: {}\n  now:  {}\nregenerate the docs: sudo scripts/docs.sh",
        i + 1,
        a.get(i).unwrap_or(&"<nothing>"),
        b.get(i).unwrap_or(&"<nothing>")
    ))
}

// ---- narration ---------------------------------------------------------------------

fn check_narration(program: &str, page: &str, lang: &str) {
    let out = run(
        Command::new(bin(program)).args([
            "--lang",
            lang,
            "demo",
            "--port",
            &free_port().to_string(),
        ]),
        b"",
        Duration::from_secs(30),
    );
    assert!(
        out.status.success(),
        "{program} demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let now = normalize(&String::from_utf8_lossy(&out.stdout));
    if let Err(e) = same_text(
        &format!("{page} (narration)"),
        &normalize(&block(page, "narration")),
        &now,
    ) {
        panic!("{e}");
    }
}

/// A student runs `raw-tcp demo` and reads along docs/tcp.md: every line is there.
#[test]
fn lab1_narration_is_current() {
    check_narration("raw-tcp", "docs/tcp.md", "en");
    check_narration("raw-tcp", "docs/pt-BR/tcp.md", "pt-BR");
}

/// The same for `raw-udp demo` and docs/udp.md.
#[test]
fn lab2_narration_is_current() {
    check_narration("raw-udp", "docs/udp.md", "en");
    check_narration("raw-udp", "docs/pt-BR/udp.md", "pt-BR");
}

// ---- strace --------------------------------------------------------------------------

/// The socket calls strace shows for `demo`, as the pages' strace blocks keep them.
fn traced_calls(program: &str) -> Vec<String> {
    let strace = tool("strace", "strace_blocks_are_current").expect("strace");
    let dir = std::env::temp_dir().join(format!("docs-check-{}-{program}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let trace = dir.join("demo.strace");
    let out =
        run(
            raw_testkit::strace_command(&strace, &trace, bin(program).to_str().expect("path"))
                .args(["demo", "--port", &free_port().to_string()]),
            b"",
            Duration::from_secs(30),
        );
    assert!(
        out.status.success(),
        "strace {program} demo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&trace).expect("trace");
    let _ = std::fs::remove_dir_all(&dir);
    strace_socket_calls(&text)
        .into_iter()
        .map(|c| normalize(&c.call))
        .collect()
}

/// The strace block of each lab page is what strace prints for `demo` now (its socket
/// calls), and the block of what it left out holds only files (`openat`, `close`),
/// the reads of /proc/net/tcp among them.
#[test]
fn strace_blocks_are_current() {
    if tool("strace", "strace_blocks_are_current").is_none() {
        return;
    }
    for (program, page) in [("raw-tcp", "tcp.md"), ("raw-udp", "udp.md")] {
        let now = traced_calls(program);
        for lang in ["en", "pt-BR"] {
            let page = page_of(lang, page);
            let shown: Vec<String> = strace_socket_calls(&block(&page, "strace"))
                .into_iter()
                .map(|c| normalize(&c.call))
                .collect();
            if let Err(e) = same_text(
                &format!("{page} (strace)"),
                &shown.join("\n"),
                &now.join("\n"),
            ) {
                panic!("{e}");
            }
            let other = block(&page, "strace-other");
            for line in other.lines() {
                assert!(
                    line.starts_with("openat(") || line.starts_with("close("),
                    "{page}: strace-other should hold only files' openat and close: {line}"
                );
            }
            assert!(
                other.contains("/proc/net/tcp"),
                "{page}: strace-other should show the /proc/net/tcp reads"
            );
        }
    }
}

// ---- the scripts that made the pages (root) ----------------------------------------------

/// How a block is compared with a fresh run of its script.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Line for line, normalised.
    Text,
    /// The packets, in order (flags and payload length).
    Packets,
    /// The packets, in any order (several clients at once).
    PacketSet,
    /// The set of normalised lines (several processes or threads print at once).
    Lines,
    /// Checked by strace_blocks_are_current instead.
    Elsewhere,
}

fn kind(name: &str, page: &str) -> Kind {
    let multi = page.ends_with("multi.md");
    match name {
        "tshark" | "ladder" | "ladder-tshark" if multi => Kind::PacketSet,
        "syn" => Kind::PacketSet,
        "tshark" | "ladder" | "ladder-tshark" => Kind::Packets,
        "strace" | "strace-other" | "narration" => Kind::Elsewhere,
        "sockets" | "clients" | "conversations" | "ping" | "ex-fork-ps" | "ex-thread-ps"
        | "two-terminals" => Kind::Lines,
        n if n.ends_with("-short") || n.ends_with("-full") => Kind::Lines,
        _ => Kind::Text,
    }
}

/// The block's text made comparable: normalised, and for the one line whose value is a
/// race by nature (the standalone client's state right after `shutdown`, FIN-WAIT-1 or
/// already CLOSED) the value masked.
fn comparable(name: &str, text: &str) -> String {
    let text = normalize(text);
    if name != "client-end" {
        return text;
    }
    let mut out = Vec::new();
    let mut after_shutdown = false;
    for line in text.lines() {
        if line.starts_with("shutdown(") {
            after_shutdown = true;
        } else if after_shutdown && (line.contains("TCP state:") || line.contains("Estado TCP:")) {
            out.push("  TCP state: (FIN-WAIT-1 or CLOSED, a race)".to_string());
            after_shutdown = false;
            continue;
        } else if !line.starts_with("  ") {
            after_shutdown = false;
        }
        out.push(line.to_string());
    }
    out.join("\n")
}

/// Compares a page's block with the same section of one or more fresh runs. Text and
/// packets must equal one of the runs. Lines (several processes or threads printing at
/// once, where a line may appear in one run and not in the next) must all appear in
/// some run, and every line that all runs print must be on the page.
/// Lines whose presence depends on how the kernel schedules the fork model's children,
/// not on the code: a `wait4(WNOHANG)` that finds children alive but none ended yet
/// (and its sentence) appears when one SIGCHLD lands while another child still runs.
fn scheduling_dependent(line: &str) -> bool {
    line.contains("WNOHANG, NULL) = 0")
        || line
            .trim_start()
            .starts_with("0: children remain, but none has ended")
        || line
            .trim_start()
            .starts_with("0: ainda há filhos, mas nenhum terminou")
}

fn compare(name: &str, page: &str, shown: &str, runs: &[&str]) -> Result<(), String> {
    let what = format!("{page} (block {name})");
    let mut first_error = None;
    match kind(name, page) {
        Kind::Elsewhere => return Ok(()),
        Kind::Lines => {
            let set = |t: &str| -> BTreeSet<String> {
                normalize(t)
                    .lines()
                    .filter(|l| !scheduling_dependent(l))
                    .map(mask_readiness)
                    .collect()
            };
            let page_lines = set(shown);
            let sets: Vec<BTreeSet<String>> = runs.iter().map(|r| set(r)).collect();
            let union: BTreeSet<String> = sets.iter().flatten().cloned().collect();
            let mut always = sets[0].clone();
            for s in &sets[1..] {
                always = always.intersection(s).cloned().collect();
            }
            let only_page: Vec<&String> = page_lines.difference(&union).take(3).collect();
            let only_now: Vec<&String> = always.difference(&page_lines).take(3).collect();
            if only_page.is_empty() && only_now.is_empty() {
                return Ok(());
            }
            return Err(format!(
                "{what} drifted from the code:\n  on the page, printed by no run now: {only_page:?}\n  printed by every run now, not on the page: {only_now:?}\nregenerate the docs: sudo scripts/docs.sh"
            ));
        }
        _ => {}
    }
    for now in runs {
        let result = match kind(name, page) {
            Kind::Text => same_text(&what, &comparable(name, shown), &comparable(name, now)),
            Kind::Packets | Kind::PacketSet => {
                let (mut a, mut b) = (packet_shapes(shown), packet_shapes(now));
                if a.is_empty() {
                    return Err(format!("{what}: no packet"));
                }
                if matches!(kind(name, page), Kind::PacketSet) {
                    a.sort();
                    b.sort();
                }
                same_text(&what, &a.join("\n"), &b.join("\n"))
            }
            Kind::Lines | Kind::Elsewhere => Ok(()),
        };
        match result {
            Ok(()) => return Ok(()),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_default())
}

/// Runs a script (as `scripts/docs.sh` does) and returns its sections. A script refuses
/// a run whose counts disagree (tshark, the ladder, the file it wrote), which other
/// traffic on lo can cause (see scripts/docs.sh): it gets three tries, as there.
fn script(args: &[&str]) -> std::collections::BTreeMap<String, String> {
    let mut last = String::new();
    for _ in 0..3 {
        let out = run(
            Command::new(root().join(args[0]))
                .args(&args[1..])
                .current_dir(root()),
            b"",
            Duration::from_secs(120),
        );
        if out.status.success() {
            return sections(&String::from_utf8_lossy(&out.stdout));
        }
        last = String::from_utf8_lossy(&out.stderr).into_owned();
    }
    panic!("{args:?} failed three times: {last}");
}

/// Compares every block of `pages` that the script prints a section for; a failure is
/// retried with fresh runs of the script (three at most).
fn check_script(test: &str, args: &[&str], pages: &[String]) {
    if !is_root() {
        skip(
            test,
            "the scripts capture packets (tshark, --capture): root only",
        );
        return;
    }
    for tool_name in ["tshark", "strace", "python3"] {
        if tool(tool_name, test).is_none() {
            return;
        }
    }
    bin("raw-tcp");
    // More runs only when the first disagrees (three at most): the scheduler and the
    // delayed-ACK timer can reorder a run, and a line one run prints may be missing from
    // the next.
    let mut runs = Vec::new();
    let mut errors = Vec::new();
    for _attempt in 0..3 {
        runs.push(script(args));
        errors.clear();
        for page in pages {
            let shown_blocks =
                docs_check::blocks(&read(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
            for b in shown_blocks {
                let fresh: Vec<&str> = runs
                    .iter()
                    .filter_map(|r| r.get(&b.name).map(String::as_str))
                    .collect();
                if fresh.is_empty() {
                    continue;
                }
                let shown = b.text.clone().unwrap_or_default();
                if let Err(e) = compare(&b.name, page, &shown, &fresh) {
                    errors.push(e);
                }
            }
        }
        if errors.is_empty() {
            return;
        }
    }
    panic!("{}", errors.join("\n\n"));
}

fn lang_flag(lang: &str) -> [&str; 2] {
    ["--lang", lang]
}

macro_rules! script_tests {
    ($($name:ident: $lang:literal, $script:literal, $args:expr, $pages:expr;)*) => {$(
        /// The page's blocks are what the script that made them prints now.
        #[test]
        fn $name() {
            let mut args = vec![$script];
            args.extend_from_slice(&$args);
            args.extend_from_slice(&lang_flag($lang));
            let pages: Vec<String> = $pages.iter().map(|p| page_of($lang, p)).collect();
            check_script(stringify!($name), &args, &pages);
        }
    )*};
}

script_tests! {
    lab1_blocks_en: "en", "scripts/three-views.sh", ["tcp"], ["tcp.md"];
    lab1_blocks_pt: "pt-BR", "scripts/three-views.sh", ["tcp"], ["tcp.md"];
    lab1_ss_steps_en: "en", "scripts/step-views.py", [], ["tcp.md"];
    lab1_ss_steps_pt: "pt-BR", "scripts/step-views.py", [], ["tcp.md"];
    lab2_blocks_en: "en", "scripts/three-views.sh", ["udp"], ["udp.md"];
    lab2_blocks_pt: "pt-BR", "scripts/three-views.sh", ["udp"], ["udp.md"];
    lab3_blocks_en: "en", "scripts/multi-views.sh", [], ["multi.md"];
    lab3_blocks_pt: "pt-BR", "scripts/multi-views.sh", [], ["multi.md"];
    exercise_blocks_en: "en", "scripts/exercise-views.sh", [], ["exercises.md"];
    exercise_blocks_pt: "pt-BR", "scripts/exercise-views.sh", [], ["exercises.md"];
}

/// Lab 4's blocks, in both languages, one after the other: the script makes the network
/// namespaces rs-a and rs-b, which only one run at a time may hold.
#[test]
fn lab4_blocks() {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if is_root() {
        for name in ["ip", "nft", "ping"] {
            if tool(name, "lab4_blocks").is_none() {
                return;
            }
        }
    }
    for lang in ["en", "pt-BR"] {
        check_script(
            "lab4_blocks",
            &["scripts/remote-views.sh", "--lang", lang],
            &[page_of(lang, "remote.md")],
        );
    }
}

/// The syscall map (both languages) is what scripts/syscall-map.py writes now.
#[test]
fn syscall_map_is_current() {
    if !is_root() {
        skip(
            "syscall_map_is_current",
            "the map's packets come from --capture: root only",
        );
        return;
    }
    bin("raw-tcp");
    let out = run(
        Command::new(root().join("scripts/syscall-map.py"))
            .arg("--stdout")
            .current_dir(root()),
        b"",
        Duration::from_secs(120),
    );
    assert!(
        out.status.success(),
        "syscall-map.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let now = sections(&String::from_utf8_lossy(&out.stdout));
    for lang in ["en", "pt-BR"] {
        let page = page_of(lang, "syscall-map.md");
        let fresh = now
            .get(lang)
            .unwrap_or_else(|| panic!("syscall-map.py printed no {lang} page"));
        if let Err(e) = same_text(&page, &normalize(&read(&page)), &normalize(fresh)) {
            panic!("{e}");
        }
    }
}
