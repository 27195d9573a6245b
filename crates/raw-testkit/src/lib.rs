//! Test helpers shared by every crate's integration tests: start the real binaries,
//! read their JSON events, find external tools (strace, socat, nc, python3, tshark),
//! and parse strace output.
//!
//! A test that needs a tool calls [`tool`]: when the tool is missing it prints a loud
//! `SKIPPED` line and the test returns early, unless `RAW_REQUIRE_TOOLS=1` (set by
//! `.ci/run`), in which case the test fails. Every wait here is bounded in time.
//!
//! | file | helpers |
//! |---|---|
//! | [`tools`] | Finding the external tools a test needs (strace, socat, nc, python3, tshark), and skipping loudly, or failing under `RAW_REQUIRE_TOOLS=1`, when one is missing. |
//! | [`process`] | Running the real binaries and the peers no one here wrote: bounded waits, process groups, what a process sleeps in. |
//! | [`lab`] | A lab's binary (raw-tcp, raw-udp) run as a student types it, under strace or in another host, and its JSON events read by the syscall they narrate. |
//! | [`server`] | A lab's server started for a test, on a free port, its JSON events read as they come. |
//! | [`sockets`] | Ports and socket states, as the kernel lists them (`ss`, a tool no one here wrote). |
//! | [`strace`] | strace's own lines, read back, and compared with the narration. |
//! | [`wire`] | The packets on the wire, as tshark and as our ladder see them. |
//! | [`hosts`] | Two hosts in network namespaces the test makes and removes (lab 4). |
//! | [`docs`] | A docs page's blocks against a real run of the current code. |
//! | [`svg`] | The SVG pictures read back: their texts, overlaps and packet arrows. |
//! | [`tracefs`] | The kernel's TCP state changes read by the test's own tracefs instance, to compare with what a program narrates. |

#![forbid(unsafe_code)]

use std::time::Duration;

pub mod docs;
pub mod hosts;
pub mod lab;
pub mod process;
pub mod server;
pub mod sockets;
pub mod strace;
pub mod svg;
pub mod tools;
pub mod tracefs;
pub mod wire;

pub use docs::*;
pub use hosts::*;
pub use lab::*;
pub use process::*;
pub use server::*;
pub use sockets::*;
pub use strace::*;
pub use svg::*;
pub use tools::*;
pub use tracefs::*;
pub use wire::*;

/// How long any one helper waits before giving up (a hung test must fail, not hang).
pub const DEADLINE: Duration = Duration::from_secs(30);
