//! From `--host` and `--port` to socket addresses.
//!
//! An IP literal (`127.0.0.1`, `::1`, `::`) is parsed directly: no lookup, no syscall.
//! A name (`localhost`, a classmate's host name) goes through `getaddrinfo(3)`: a C
//! library call, not a syscall. strace shows no `getaddrinfo` line; it may show the
//! resolver's own work (reading `/etc/hosts`, a UDP query to port 53).

#![forbid(unsafe_code)]

use crate::error::Failure;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// Every address for `host:port`, in the resolver's order (a client tries them in
/// turn, as `curl` and Python's `create_connection` do).
pub fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Failure> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    match (bare, port).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(Failure::Resolve {
                    host: host.to_string(),
                    detail: "no addresses".to_string(),
                })
            } else {
                Ok(addrs)
            }
        }
        Err(e) => Err(Failure::Resolve {
            host: host.to_string(),
            detail: e.to_string(),
        }),
    }
}
