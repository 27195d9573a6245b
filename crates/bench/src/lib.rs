//! # bench: what the echo paths cost
//!
//! The servers under test are the labs' own code, run as separate processes through
//! the hidden `raw-bench serve` subcommand (which calls `raw_tcp::server::run`,
//! `raw_udp::server::run` or `raw_multi::models::run`, silently, with `TCP_NODELAY`).
//! A separate process keeps the fork model safe (no fork from a multi-threaded
//! benchmark) and measures the server as it runs in production. The load is driven
//! with plain std sockets, as fast as they go.
//!
//! Used by `benches/echo.rs` (criterion) and by the `raw-bench` CLI (latency
//! percentiles, load, and the comparison with sockperf).
//!
//! Three promises, each tested in `tests/cli/`:
//! - **No wrong figure.** A failure names the syscall that failed (`connect(2)
//!   ECONNREFUSED`, `sendto(2) EMSGSIZE`); the load's measuring window opens only once
//!   every connection is made, and how long that took (and why) is reported beside it.
//! - **No hang.** The connect phase has a deadline; every wait is bounded.
//! - **No leak.** Every child (our server, sockperf, python3, iperf3) is started with
//!   [`raw_core::sys::die_with_parent`] and killed when its guard is dropped.
//!
//! ## Layout
//!
//! | file | what it holds |
//! |------|---------------|
//! | `proto.rs` | [`Proto`], [`Result`], [`failed`]: the failure that names its syscall |
//! | `server.rs` | the servers under test ([`start`], [`serve`]) and their [`Guard`] |
//! | `client.rs` | one connection: [`Client`], its round trips, [`bulk`] |
//! | `connect.rs` | the load's connect phase: [`connect_all`], its report ([`Connected`]) |
//! | `drive.rs` | the load generator: [`load`] on connections made, [`pingpong_many`] |
//! | `measure.rs` | [`Measured`], [`Summary`], [`latency`] on one connection, [`median`] |
//! | `reference.rs` | [`sockperf`], [`iperf3`], the [`python_threaded_server`] |
//! | `procstat.rs` | from `/proc`: [`Usage`], [`machine_busy_ns`], [`kernel_counter`] |
//! | `costs.rs` | one cell of `raw-bench costs`: [`Subject`], [`Cell`], [`cost_cell`] |
//! | `commands/` | the `raw-bench` subcommands, one file each |
//!
//! The public items of all but `commands/` are also at the crate root (`bench::start`).

#![forbid(unsafe_code)]

pub mod client;
pub mod commands;
pub mod connect;
pub mod costs;
pub mod drive;
pub mod measure;
pub mod procstat;
pub mod proto;
pub mod reference;
pub mod server;

pub use client::{bulk, tcp_client, udp_client, Client, Trip};
pub use connect::{connect_all, Connected};
pub use costs::{cost_cell, Cell, Subject};
pub use drive::{load, load_then, pingpong_many};
pub use measure::{latency, median, Measured, Summary};
pub use procstat::{kernel_counter, machine_busy_ns, usage_of_this_thread, usage_of_tree, Usage};
pub use proto::{failed, Proto, Result};
pub use reference::{iperf3, python_threaded_server, sockperf, PYTHON_THREADED_SERVER};
pub use server::{
    free_port, model_name, serve, serve_with, start, start_with, tokio_echo, Guard, Report,
    Running, ServeOptions, ServerKind, MODELS, SERVE_MAX_CLIENTS,
};
