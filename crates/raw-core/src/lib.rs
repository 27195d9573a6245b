//! # raw-core: the shared teaching library of raw-sockets
//!
//! This crate is read aloud in lectures. It holds everything the lab binaries
//! (`raw-tcp`, `raw-udp`, `raw-multi`) share, so each lab's own code is only its
//! syscall sequence:
//!
//! The modules are layers, listed here bottom-up, in the order a lecture would teach
//! them: what happened (the event), who shows it (the views), who tells them (the
//! narrator), and a step. A module never imports one above it (a test checks).
//!
//! | layer | module | what it holds |
//! |---|---|---|
//! | 1 | [`sys`] | the calls that need `unsafe`, in one room, split by topic |
//! | 2 | [`lang`] | English or Brazilian Portuguese |
//! | 3 | [`trace`] | what happened, as data: strace's notation, a message in no language yet, a failure, the TCP state, **the event**, the fd table, and [`trace::call::Call`], the one shape of a step |
//! | 4 | [`catalog`] | the message catalog (Project Fluent, `catalog/<lang>/*.ftl`): every sentence, per language |
//! | 5 | [`sentences`] | what each syscall means: one catalog message per meaning, for the labs and `raw-trace` |
//! | 6 | [`error`] | failures that teach: the errno's name, a hint, the command that checks it |
//! | 7 | [`views`] | **the sinks**: text, JSON, strace lines, counters, the state timeline, `--svg`, `--html` |
//! | 8 | [`capture`] | `--capture FILE.pcap`: AF_PACKET + BPF, a pcap file, the decoder, the ladder |
//! | 9 | [`tracepoint`] | the kernel's own word on each TCP state change (`sock:inet_sock_set_state` through a tracefs instance), and what caused it |
//! | 10 | [`narrate`] | **the narrator**: language, mode, role, and the views it feeds |
//! | 11 | [`steps`] | **a step**: one function per syscall (`socket`, `bind`, ..., fork, epoll, io_uring) |
//! | 12 | [`interfaces`], [`resolve`] | this machine's addresses (`getifaddrs`), `--host` → addresses |
//! | 13 | [`echo`], [`demo`] | the echo loop every TCP server model reuses; lab 1's demo (`raw-tcp demo`, and `raw-udp demo`'s TCP comparison) |
//! | 14 | [`help`], [`cli`] | `--help`, usage errors, man pages; `--json`, `--quiet`, `--capture`, exit codes |
//!
//! Sockets are made with socket2 (the socket's lifecycle) and nix (data transfer,
//! errno names); every step maps to exactly one syscall. `unsafe` appears only where a
//! syscall demands it and neither crate offers a safe call, and only in [`sys`]:
//! `accept4` with our own address storage (so a failed call's pointer is known, as
//! strace shows it), `recvfrom(MSG_TRUNC)`, `getsockopt(TCP_INFO)`, `sigaction`,
//! `SO_ATTACH_FILTER`, `fork`, `wait4`, `mmap`, `PR_SET_PDEATHSIG` and io_uring's
//! submission queue; each carries a `SAFETY:` note.
//! Every other module says `#![forbid(unsafe_code)]`, and so does every other crate.

#![deny(unsafe_code)]

/// A step's doc line linking its man page on man7.org, as socket2's `man_links!` does:
/// `#[doc = man_links!(bind(2))]`.
#[macro_export]
macro_rules! man_links {
    ($page:ident ($section:literal)) => {
        concat!(
            "\n\n**Man page:** [`",
            stringify!($page),
            "(",
            $section,
            ")`](https://man7.org/linux/man-pages/man",
            $section,
            "/",
            stringify!($page),
            ".",
            $section,
            ".html)"
        )
    };
}

pub mod capture;
pub mod catalog;
pub mod cli;
pub mod demo;
pub mod echo;
pub mod error;
pub mod help;
pub mod interfaces;
pub mod lang;
pub mod narrate;
pub mod resolve;
pub mod sentences;
pub mod steps;
pub mod sys;
pub mod trace;
pub mod tracepoint;
pub mod views;

pub use catalog::{num, Text};
pub use error::{Fact, Failure};
pub use lang::Lang;
pub use narrate::{Mode, Narrator};

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// The modules bottom-up, as `lib.rs`'s table lists them: each may import only
    /// itself and the modules before it.
    const LAYERS: &[&str] = &[
        "sys",
        "lang",
        "trace::strace",
        "trace::text",
        "trace::failure",
        "trace::tcp_state",
        "trace::kernel_table",
        "trace::event",
        "trace::fds",
        "trace::call",
        "trace",
        "catalog",
        "sentences",
        "error",
        "views",
        "capture",
        "tracepoint",
        "narrate",
        "steps::signals",
        "steps::sockets",
        "steps::process",
        "steps::multiplex",
        "steps::uring",
        "steps::workers",
        "steps",
        "interfaces",
        "resolve",
        "echo",
        "demo",
        "help",
        "cli",
    ];

    /// Every `.rs` file under `dir`, recursively.
    fn sources(dir: &Path) -> Vec<PathBuf> {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(dir).expect("src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                all.extend(sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                all.push(path);
            }
        }
        all.sort();
        all
    }

    /// `steps/process.rs` → `steps::process`, `capture/mod.rs` → `capture`.
    fn module_of(src: &Path, file: &Path) -> String {
        let rel = file
            .strip_prefix(src)
            .expect("under src")
            .with_extension("");
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .filter(|c| c != "mod")
            .collect();
        parts.join("::")
    }

    /// Where a module path sits in [`LAYERS`]: its longest listed prefix.
    fn layer(module: &str) -> Option<usize> {
        LAYERS
            .iter()
            .enumerate()
            .filter(|(_, l)| module == **l || module.starts_with(&format!("{l}::")))
            .max_by_key(|(_, l)| l.len())
            .map(|(i, _)| i)
    }

    /// The imports go one way: no module names a module above it (`crate::…` in a
    /// `use` line or in a path), outside its tests. So the module graph has no cycle,
    /// and `lib.rs` lists the layers in the order a lecture would teach them.
    #[test]
    fn imports_go_one_way() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut upward = Vec::new();
        for file in sources(&src) {
            let module = module_of(&src, &file);
            if module == "lib" {
                continue;
            }
            let Some(own) = layer(&module) else {
                panic!("{module} is not in LAYERS: place it in lib.rs's table and here");
            };
            let text = std::fs::read_to_string(&file).expect("source");
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("#[cfg(test)]") {
                    break; // the tests may use anything
                }
                if code.starts_with("//") {
                    continue;
                }
                for (at, _) in code.match_indices("crate::") {
                    let path: String = code[at + 7..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                        .collect();
                    let path = path.trim_end_matches(':');
                    let target = layer(path);
                    // The message table says what calls mean, never how they are made.
                    let unsafe_room = module == "sentences" && path.starts_with("sys");
                    if unsafe_room || target.is_some_and(|t| t > own) {
                        upward.push(format!(
                            "{}:{}: {module} imports {path}",
                            file.display(),
                            n + 1
                        ));
                    }
                }
            }
        }
        assert!(
            upward.is_empty(),
            "imports that go up a layer:\n{}",
            upward.join("\n")
        );
    }

    /// Every step's doc (`/// **Syscall:** ...`) links its man page with `man_links!`
    /// (the `sys` room, whose functions are not steps, excepted).
    #[test]
    fn every_step_links_its_man_page() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        for path in sources(&src) {
            if path.starts_with(src.join("sys")) {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if !line.trim_start().starts_with("/// **Syscall:**") {
                    continue;
                }
                let after = lines[i..]
                    .iter()
                    .find(|l| !l.trim_start().starts_with("///"))
                    .copied()
                    .unwrap_or("");
                if !after.contains("man_links!") {
                    missing.push(format!("{}:{}", path.display(), i + 1));
                }
            }
        }
        assert!(missing.is_empty(), "no man page link: {missing:?}");
    }
}
