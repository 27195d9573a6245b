//! # raw-core: the shared teaching library of raw-sockets
//!
//! This crate is read aloud in lectures. It holds everything the lab binaries
//! (`raw-tcp`, `raw-udp`, `raw-multi`) share, so each lab's own code is only its
//! syscall sequence:
//!
//! | module | what it holds |
//! |---|---|
//! | [`steps`] | one function per syscall (`socket`, `bind`, `listen`, `accept`, ...), each narrated |
//! | [`process`] | fork (as `clone`), `wait4`, `kill`, the SIGCHLD handler, `exit_group`: the fork model's steps |
//! | [`uring`] | the io-uring model's requests and completions (setup, submit, the buffer ring), narrated |
//! | [`workers`] | `SO_REUSEPORT`, `tgkill`, the prefork meter page, `PR_SET_PDEATHSIG` |
//! | [`uring`] | the io-uring model's requests and completions (setup, submit, the buffer ring), narrated |
//! | [`workers`] | `SO_REUSEPORT`, `tgkill`, the prefork meter page, `PR_SET_PDEATHSIG` |
//! | [`multiplex`] | `epoll_create1`/`epoll_ctl`/`epoll_wait`, `poll`, `pselect6`: the event loops' steps |
//! | [`catalog`] | the message catalog (Project Fluent, `catalog/<lang>/*.ftl`): every sentence, per language |
//! | [`sentences`] | what each syscall means: one catalog message per meaning, for the labs and `raw-trace` |
//! | [`help`] | `--help`, usage errors, man pages and completions, from the catalog |
//! | [`record`] | the one shape of a step: a [`record::Call`] opened, the syscall, the call finished |
//! | [`narrate`] | the narrator: language, mode, role, and the views it feeds |
//! | [`event`] | the events every view receives (syscall, probe, note, data, packet, warning) |
//! | [`views`] | the views: text, JSON, strace lines, counters, the state timeline |
//! | [`diagram`], [`replay`] | `--svg` (a Stevens-style sequence diagram) and `--html` (a replay page) |
//! | [`strace`] | the exact notation strace uses for addresses, buffers and errors |
//! | [`tcp_state`] | TCP states (RFC 793 names) read with `getsockopt(TCP_INFO)` |
//! | [`kernel_table`] | the kernel's socket table (`/proc/net/tcp`): TIME-WAIT, who holds a port |
//! | [`echo`] | the echo loop every TCP server model reuses |
//! | [`error`] | failures that name the syscall and errno and say what to try |
//! | [`capture`] | `--capture FILE.pcap`: AF_PACKET + BPF, a pcap file and a ladder diagram |
//! | [`resolve`] | `--host` → addresses |
//! | [`interfaces`] | this machine's addresses, for a classmate (`getifaddrs`) |
//! | [`signals`] | SIGINT/SIGTERM → a flag, so servers stop cleanly |
//! | [`lang`], [`cli`] | English or Brazilian Portuguese, `--json`, `--quiet`, exit codes |
//! | [`sys`] | the calls that need `unsafe`, in one room (a child that dies with its parent) |
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
pub mod diagram;
pub mod echo;
pub mod error;
pub mod event;
pub mod fds;
pub mod help;
pub mod interfaces;
pub mod kernel_table;
pub mod lang;
pub mod multiplex;
pub mod narrate;
pub mod process;
pub mod record;
pub mod replay;
pub mod resolve;
pub mod sentences;
pub mod signals;
pub mod steps;
pub mod strace;
pub mod sys;
pub mod tcp_state;
pub mod uring;
pub mod views;
pub mod workers;

pub use catalog::{num, Text};
pub use error::{Fact, Failure};
pub use lang::Lang;
pub use narrate::{Mode, Narrator};

#[cfg(test)]
mod tests {
    /// Every step's doc (`/// **Syscall:** ...`) links its man page with `man_links!`
    /// (the harness pieces in `sys`, which run between fork and execve, excepted).
    #[test]
    fn every_step_links_its_man_page() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).expect("src").flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("sys.rs") {
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
