//! `raw-bench serve` (hidden): runs one of the labs' servers silently, for the
//! benchmarks, which start it as a child process.

use crate::ServerKind;
use clap::Args;
use raw_core::text;
use raw_core::Failure;
use raw_multi::models::Model;

/// Options of `raw-bench serve` (internal).
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long)]
    kind: String,
    #[arg(long, value_enum, default_value_t = Model::Epoll)]
    model: Model,
    #[arg(long)]
    port: u16,
    /// reuseport's threads, prefork's children
    #[arg(long)]
    workers: Option<u32>,
    /// When the server stops (SIGTERM), write the syscalls its steps made here (JSON)
    #[arg(long)]
    report: Option<std::path::PathBuf>,
}

/// The body of `raw-bench serve`.
pub fn run(args: &ServeArgs) -> Result<(), Failure> {
    let kind = match args.kind.as_str() {
        "tcp" => ServerKind::Tcp,
        "udp" => ServerKind::Udp,
        "multi" => ServerKind::Multi(args.model),
        "tokio" => ServerKind::Tokio,
        other => return Err(Failure::Usage(text!("bench-unknown-kind", kind = other))),
    };
    let options = crate::ServeOptions {
        workers: args.workers,
        report: args.report.clone(),
    };
    crate::serve_with(kind, args.port, &options)
}
