//! The fd table of each traced process, as the session reads it: which socket an fd
//! names, and the entry a new socket gets ([`crate::sockets::Registry`] keeps them).

#![forbid(unsafe_code)]

use super::Session;
use crate::sockets::Sock;
use raw_core::trace::fds::SocketKind;

impl Session<'_> {
    /// The socket behind `fd`. For `read`/`write` (`plain_io`) only a socket the
    /// trace already showed: strace does not hold the program after those calls, so
    /// by the time raw-trace looks at `/proc/PID/fd`, the number may name another
    /// file (Python reads its libraries on fd 3 just before its socket gets fd 3).
    pub(super) fn socket(&mut self, pid: u32, fd: i32, plain_io: bool) -> Option<Sock> {
        if plain_io {
            self.sockets.get(pid, fd).cloned()
        } else {
            self.sockets.resolve(pid, fd)
        }
    }

    /// A socket just made, with a new identity: no address yet, not listening, no
    /// option set.
    pub(super) fn new_sock(
        &mut self,
        family: String,
        kind: Option<SocketKind>,
        inode: Option<u64>,
    ) -> Sock {
        Sock {
            id: self.sockets.new_id(),
            family,
            kind,
            inode,
            local: None,
            peer: None,
            listening: false,
            reuseaddr: false,
            accepted: None,
            port_from: None,
        }
    }
}
