//! The socket steps, in the order of a connection's life; each one syscall, narrated.
//!
//! | file | steps |
//! |---|---|
//! | [`create`] | `socket`, and the options set before `bind` (`setsockopt`: `SO_REUSEADDR`, `IPV6_V6ONLY`, `TCP_NODELAY`, `SO_RCVTIMEO`/`SO_SNDTIMEO`) |
//! | [`connection`] | `bind`, `getsockname`, `listen`, `accept4`, `connect` |
//! | [`data`] | `sendto`, `recvfrom` (TCP's byte stream and UDP's datagrams) |
//! | [`ending`] | `shutdown`, `close`, and the state probe (`getsockopt(TCP_INFO)`) |

#![forbid(unsafe_code)]

use nix::errno::Errno;

pub mod connection;
pub mod create;
pub mod data;
pub mod ending;

pub use crate::sentences::PortFrom;
pub use connection::*;
pub use create::*;
pub use data::*;
pub use ending::*;

/// `EINTR` that asks nothing of us: a signal arrived before the call moved any byte,
/// and it was not SIGINT/SIGTERM (which ask the program to stop): make the call again.
pub(crate) fn only_interrupted(errno: Errno) -> bool {
    errno == Errno::EINTR && !crate::steps::signals::stop_requested()
}
