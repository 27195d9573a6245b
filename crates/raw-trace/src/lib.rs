//! # raw-trace: narrate any program's socket syscalls
//!
//! The labs (`raw-tcp`, `raw-udp`, `raw-multi`) narrate their own calls. `raw-trace`
//! narrates anyone's: the course's Python scripts first, a student's C server, a
//! shell running a server and a client. It runs the program under `strace` and, for
//! each socket call, prints strace's own line, the sentence the labs say for that call
//! (from [`raw_core::sentences`], the one source of the sentences), and the socket's
//! TCP state after it, read from the kernel's table. With `--capture`, the packets
//! come in between; `--svg` and `--html` draw the same events. After the run it names
//! the classic mistakes the trace proves, each with its strace line and its fix.
//!
//! ```text
//! raw-trace -- python3 examples/python/echo-server.py      # one terminal
//! python3 examples/python/echo-client.py                   # another
//! sudo raw-trace --capture run.pcap -- python3 examples/python/echo-server.py
//! raw-trace --lang pt-BR -- ./meu_servidor 5000
//! ```
//!
//! | module | what it holds |
//! |---|---|
//! | [`tracer`] | strace's command line, the FIFO it writes into, the read loop, a clean stop |
//! | [`line`] | strace's lines: pids, `<unfinished ...>`/`resumed>` halves joined, padding undone |
//! | [`notation`] | strace's notation read back: addresses, quoted buffers, `[128 => 16]` |
//! | [`session`] | each call → the lab's sentence, the event every view gets, the state after it |
//! | [`sockets`] | the traced programs' sockets, per fd table (threads share one, `fork` copies it) |
//! | [`diag`] | the kernel's TCP table asked as `ss` asks it (`sock_diag` netlink), filtered in the kernel |
//! | [`procfs`] | `/proc`: an fd's socket inode, parents, the syscall a process is blocked in, accept queues |
//! | [`lints`] | the mistakes: `no-reuseaddr`, `eof-ignored`, `short-send`, `zombie`, `localhost-ipv6`, `udp-truncated`, `blocked-accept` |
//! | [`report`] | how the mistakes are printed (text, `--json`, `-q`) |

#![forbid(unsafe_code)]

pub mod diag;
pub mod line;
pub mod lints;
pub mod notation;
pub mod procfs;
pub mod report;
pub mod session;
pub mod sockets;
pub mod tracer;

pub use tracer::{run, Options, Outcome};
