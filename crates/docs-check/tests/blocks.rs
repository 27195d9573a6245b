//! The pages hold together, before any program runs: every output block is closed,
//! filled and known; no marker of the scripts' views format leaked in; the packet counts
//! on a page agree with each other; every picture exists and parses; every link
//! resolves; both languages have the same pages and blocks; the syscall map shows the
//! same fds and source lines as the lab pages. Fast, and needs no tool.

use docs_check::{
    anchors, block, blocks, links, mirror, packet_lines, packet_shapes, pages, path, read,
};
use std::collections::BTreeSet;

/// The blocks each page must have, in this order (English and Portuguese alike). A new
/// block on a page fails here until it is listed, so that `tests/current.rs` checks it.
const BLOCKS: &[(&str, &[&str])] = &[
    (
        "tcp.md",
        &[
            "ss-steps",
            "client-end",
            "narration",
            "states-lab",
            "strace",
            "strace-other",
            "tshark",
            "two-terminals",
            "ladder",
            "ladder-tshark",
            "errors",
        ],
    ),
    (
        "udp.md",
        &[
            "narration",
            "strace",
            "strace-other",
            "tshark",
            "ladder",
            "ladder-tshark",
            "compare",
        ],
    ),
    (
        "multi.md",
        &[
            "fork-short",
            "fork-full",
            "thread-short",
            "thread-full",
            "select-short",
            "select-full",
            "poll-short",
            "poll-full",
            "epoll-short",
            "epoll-full",
            "clients",
            "ladder",
            "ladder-tshark",
            "sockets",
            "syn",
            "conversations",
        ],
    ),
    (
        "remote.md",
        &[
            "hosts",
            "server",
            "ip-addr",
            "ping",
            "client",
            "tshark",
            "refused",
            "noroute",
            "firewall-drop",
            "firewall-reject",
            "udp",
        ],
    ),
    (
        "exercises.md",
        &[
            "ex-listen-packets",
            "ex-time-wait",
            "ex-backlog",
            "ex-partial",
            "ex-nagle",
            "ex-udp-unconn",
            "ex-udp-timeout",
            "ex-udp-refused",
            "ex-udp-emsgsize",
            "ex-boundaries",
            "ex-fork-ps",
            "ex-thread-ps",
            "ex-zombies",
            "ex-port-change",
        ],
    ),
];

fn both(page: &str) -> [String; 2] {
    let en = format!("docs/{page}");
    let pt = mirror(&en);
    [en, pt]
}

/// A lecturer found ~60 lines of the scripts' own format (`=== ladder ...`) pasted into
/// a page: no line of any page may start with `=== `.
#[test]
fn no_stray_generator_markers() {
    let mut bad = Vec::new();
    for page in pages() {
        for (i, line) in read(&page).lines().enumerate() {
            if line.starts_with("=== ") {
                bad.push(format!("{page}:{}: {line}", i + 1));
            }
        }
    }
    assert!(bad.is_empty(), "stray '=== ' lines:\n{}", bad.join("\n"));
}

/// Every block is closed, holds exactly one ```text fence, and is not empty.
#[test]
fn every_block_is_closed_and_filled() {
    let mut bad = Vec::new();
    for page in pages() {
        match blocks(&read(&page)) {
            Err(e) => bad.push(format!("{page}: {e}")),
            Ok(list) => {
                for b in list {
                    match &b.text {
                        None => bad.push(format!(
                            "{page}:{}: block {} is not one ```text fence (empty, or unfilled)",
                            b.line, b.name
                        )),
                        Some(t) if t.trim().is_empty() => {
                            bad.push(format!("{page}:{}: block {} is empty", b.line, b.name))
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Each page has exactly the blocks listed above, in both languages; pages without
/// blocks have none.
#[test]
fn every_block_is_known() {
    let mut bad = Vec::new();
    for page in pages() {
        let name = page
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .replace("exercicios.md", "exercises.md");
        let expected: Vec<&str> = BLOCKS
            .iter()
            .find(|(p, _)| *p == name && page != "README.md")
            .map(|(_, b)| b.to_vec())
            .unwrap_or_default();
        let found: Vec<String> = blocks(&read(&page))
            .unwrap_or_default()
            .into_iter()
            .map(|b| b.name)
            .collect();
        if found != expected {
            bad.push(format!("{page}: blocks {found:?}, expected {expected:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every English page has its Portuguese mirror and the other way round.
#[test]
fn both_languages_have_the_same_pages() {
    let en: BTreeSet<String> = pages()
        .into_iter()
        .filter(|p| p.starts_with("docs/") && !p.starts_with("docs/pt-BR/"))
        .collect();
    let pt: BTreeSet<String> = pages()
        .into_iter()
        .filter(|p| p.starts_with("docs/pt-BR/"))
        .collect();
    let mirrored: BTreeSet<String> = en.iter().map(|p| mirror(p)).collect();
    assert_eq!(mirrored, pt, "docs/ and docs/pt-BR/ must mirror each other");
}

/// One run, three views: the live tshark capture, the ladder the program printed and
/// tshark reading the file it wrote show the same packets (count and flags), on the lab
/// pages of both languages; lab 3's ladder matches its file; lab 4 shows the 10 packets
/// of two separate programs, as lab 1's two-terminal run does.
#[test]
fn packet_counts_agree_on_each_page() {
    for page in both("tcp.md").iter().chain(both("udp.md").iter()) {
        let tshark = block(page, "tshark");
        let ladder = block(page, "ladder");
        let file = block(page, "ladder-tshark");
        assert!(
            packet_lines(&tshark) > 0,
            "{page}: the tshark block shows no packet"
        );
        assert_eq!(
            packet_lines(&tshark),
            packet_lines(&ladder),
            "{page}: tshark's count differs from the ladder's"
        );
        assert_eq!(
            packet_shapes(&tshark),
            packet_shapes(&ladder),
            "{page}: tshark and ladder disagree"
        );
        assert_eq!(
            packet_shapes(&ladder),
            packet_shapes(&file),
            "{page}: the ladder and its own file disagree"
        );
    }
    for page in both("tcp.md") {
        assert_eq!(
            packet_lines(&block(&page, "tshark")),
            11,
            "{page}: the demo makes 11 packets"
        );
        assert_eq!(
            packet_lines(&block(&page, "two-terminals")),
            10,
            "{page}: two programs make 10 packets"
        );
    }
    for page in both("udp.md") {
        assert_eq!(
            packet_lines(&block(&page, "tshark")),
            2,
            "{page}: one datagram each way"
        );
    }
    for page in both("multi.md") {
        let mut ladder = packet_shapes(&block(&page, "ladder"));
        let mut file = packet_shapes(&block(&page, "ladder-tshark"));
        assert!(!ladder.is_empty(), "{page}: empty ladder");
        ladder.sort();
        file.sort();
        assert_eq!(ladder, file, "{page}: the ladder and its own file disagree");
        // Every packet is the server's: one server port on the right of every line (a
        // capture can catch other traffic before its port filter is attached).
        let ladder_text = block(&page, "ladder");
        let servers: BTreeSet<&str> = block_text_ports(&ladder_text);
        assert_eq!(
            servers.len(),
            1,
            "{page}: the ladder holds packets of other ports: {servers:?}"
        );
        assert_eq!(
            packet_lines(&block(&page, "syn")),
            6,
            "{page}: three SYNs and three SYN-ACKs"
        );
    }
    for page in both("remote.md") {
        let tcp = if page.contains("pt-BR") {
            "docs/pt-BR/tcp.md"
        } else {
            "docs/tcp.md"
        };
        assert_eq!(
            packet_shapes(&block(&page, "tshark")),
            packet_shapes(&block(tcp, "two-terminals")),
            "{page}: two hosts make the packets of two programs"
        );
    }
}

/// The server-side ports of a ladder: the address on the right of each `[wire]` line.
fn block_text_ports(ladder: &str) -> BTreeSet<&str> {
    ladder
        .lines()
        .filter(|l| l.starts_with("[wire]"))
        .filter_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with("127.0.0.1:") && l.find(w) > l.find('─'))
        })
        .filter_map(|w| w.rsplit(':').next())
        .collect()
}

/// Every picture a page shows or links exists; SVGs are well-formed XML whose root is
/// `<svg>`; PNGs are PNG files of a real size; every screenshot in img/ is used.
#[test]
fn pictures_exist_and_parse() {
    let mut bad = Vec::new();
    let mut used = BTreeSet::new();
    for page in pages() {
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        for (file, _) in links(&read(&page)) {
            let rel = if dir.is_empty() {
                file.clone()
            } else {
                format!("{dir}/{file}")
            };
            let p = path(&rel);
            if !docs_check::is_picture(&p) {
                continue;
            }
            used.insert(p.canonicalize().unwrap_or(p.clone()));
            let Ok(bytes) = std::fs::read(&p) else {
                bad.push(format!("{page}: {file} does not exist"));
                continue;
            };
            match p.extension().and_then(|e| e.to_str()) {
                Some("svg") => {
                    let text = String::from_utf8_lossy(&bytes);
                    match roxmltree::Document::parse(&text) {
                        Ok(doc) if doc.root_element().tag_name().name() == "svg" => {}
                        Ok(_) => bad.push(format!("{page}: {file}: the root element is not <svg>")),
                        Err(e) => bad.push(format!("{page}: {file}: not well-formed XML: {e}")),
                    }
                }
                Some("png") => {
                    let png = bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 24;
                    let w = if png {
                        u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]])
                    } else {
                        0
                    };
                    let h = if png {
                        u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]])
                    } else {
                        0
                    };
                    if !png || w < 400 || h < 300 {
                        bad.push(format!("{page}: {file}: not a PNG screenshot ({w}x{h})"));
                    }
                }
                _ => {
                    if !String::from_utf8_lossy(&bytes).contains("<html") {
                        bad.push(format!("{page}: {file}: not an HTML page"));
                    }
                }
            }
        }
    }
    for dir in ["docs/img", "docs/pt-BR/img"] {
        for entry in std::fs::read_dir(path(dir)).expect("img folder").flatten() {
            let p = entry.path().canonicalize().expect("path");
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("wireshark-") && !used.contains(&p) {
                bad.push(format!("{dir}/{name} is not used by any page"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every relative link points to a file that exists, and every `#anchor` to a heading
/// of that page (as GitHub names headings).
#[test]
fn links_resolve() {
    let mut bad = Vec::new();
    for page in pages() {
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        let text = read(&page);
        for (file, anchor) in links(&text) {
            let target = if file.is_empty() {
                page.clone()
            } else if dir.is_empty() {
                file.clone()
            } else {
                format!("{dir}/{file}")
            };
            let p = path(&target);
            if !p.exists() {
                bad.push(format!("{page}: link to {file}: no such file"));
                continue;
            }
            if let Some(anchor) = anchor {
                if target.ends_with(".md") {
                    let heads = anchors(&std::fs::read_to_string(&p).unwrap_or_default());
                    if !heads.contains(&anchor) {
                        bad.push(format!("{page}: link to {file}#{anchor}: no such heading"));
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The syscall map shows the calls of the lab pages: the same fd numbers and the same
/// source lines in demo.rs (a lecturer found other fds there, from a run with
/// --capture, whose capture socket takes fds 3 and 4).
#[test]
fn syscall_map_agrees_with_the_lab_pages() {
    let row = regex::Regex::new(
        r"^\| (\d+) \| (\w+) \| `([a-z0-9_]+)\((\d+)?[^`]*` \| demo\.rs:(\d+) \|",
    )
    .expect("regex");
    for (map, lab_pages) in [
        ("docs/syscall-map.md", ["docs/tcp.md", "docs/udp.md"]),
        (
            "docs/pt-BR/syscall-map.md",
            ["docs/pt-BR/tcp.md", "docs/pt-BR/udp.md"],
        ),
    ] {
        let text = read(map);
        let mut parts = text.split("\n## ").skip(1);
        for lab in lab_pages {
            let table = parts
                .next()
                .unwrap_or_else(|| panic!("{map}: a table per lab"));
            let narration = block(lab, "narration");
            let mut rows = 0;
            for line in table.lines() {
                let Some(m) = row.captures(line) else {
                    continue;
                };
                rows += 1;
                let (role, name, fd, src) = (&m[2], &m[3], m.get(4).map(|f| f.as_str()), &m[5]);
                let wanted = match fd {
                    Some(fd) => format!("[{role}] {name}({fd}"),
                    None => format!("[{role}] {name}("),
                };
                let found = narration
                    .lines()
                    .any(|l| l.starts_with(&wanted) && l.ends_with(&format!("# demo.rs:{src}")));
                assert!(
                    found,
                    "{map}: `{wanted}... # demo.rs:{src}` is not in {lab}'s narration"
                );
            }
            assert!(rows > 5, "{map}: no rows for {lab}");
        }
    }
}

/// Portuguese pages write numbers with the decimal comma, in their prose (code, outputs
/// and commands keep what the programs print).
#[test]
fn portuguese_prose_uses_the_decimal_comma() {
    let number = regex::Regex::new(r"\b\d+\.\d+ ?(s|ms|µs|KiB|MiB|GB/s|x)\b").expect("regex");
    let mut bad = Vec::new();
    for page in pages().into_iter().filter(|p| p.starts_with("docs/pt-BR/")) {
        let mut in_code = false;
        for (i, line) in read(&page).lines().enumerate() {
            if line.starts_with("```") {
                in_code = !in_code;
                continue;
            }
            if in_code {
                continue;
            }
            // Inline code is code.
            let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
            if let Some(m) = number.find(&prose) {
                bad.push(format!("{page}:{}: {}", i + 1, m.as_str()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "decimal point in Portuguese prose:\n{}",
        bad.join("\n")
    );
}
