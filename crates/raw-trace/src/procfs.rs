//! What `/proc` says about the traced processes, read while they run (as `ss -p`,
//! `ps` and `lsof` read it): which socket an fd is (`/proc/PID/fd/N` →
//! `socket:[inode]`), a process's parent and thread group, the syscall it is blocked
//! in (`/proc/PID/syscall`), and how many finished handshakes wait in a listener's
//! accept queue (`/proc/net/tcp`, the `Recv-Q` that `ss -ltn` shows).
//!
//! None of this is a syscall of the traced program: strace does not show it, and the
//! narration says where each fact comes from. Anything unreadable (the process
//! already gone) gives `None`: a teaching aid never fails for it.

#![forbid(unsafe_code)]

/// The socket inode behind `fd` of `pid`, if that fd is a socket right now.
pub fn fd_inode(pid: u32, fd: i32) -> Option<u64> {
    let link = std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).ok()?;
    let link = link.to_str()?;
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// Whether a local (`AF_UNIX`) socket has this inode (`/proc/net/unix`, column 7).
pub fn unix_inode(inode: u64) -> bool {
    std::fs::read_to_string("/proc/net/unix").is_ok_and(|text| {
        text.lines()
            .skip(1)
            .any(|l| l.split_whitespace().nth(6).and_then(|i| i.parse().ok()) == Some(inode))
    })
}

/// Whether `fd` of `pid` is open right now (a socket or anything else).
pub fn fd_open(pid: u32, fd: i32) -> bool {
    std::fs::symlink_metadata(format!("/proc/{pid}/fd/{fd}")).is_ok()
}

/// A field of `/proc/PID/status` (`Tgid`, `PPid`, `SigIgn`, `State`).
fn status_field(pid: u32, key: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(|v| v.trim().to_string())
}

/// The thread group (the process) of a thread id; a process's own pid for a process.
pub fn tgid(pid: u32) -> Option<u32> {
    status_field(pid, "Tgid")?.parse().ok()
}

/// The parent process.
pub fn ppid(pid: u32) -> Option<u32> {
    status_field(pid, "PPid")?.parse().ok()
}

/// Who traces `pid` (strace's own pid, for raw-trace's tracees).
pub fn tracer(pid: u32) -> Option<u32> {
    status_field(pid, "TracerPid")?
        .parse()
        .ok()
        .filter(|p| *p != 0)
}

/// Whether `pid` still runs (exists and is not a zombie).
pub fn alive(pid: u32) -> bool {
    status_field(pid, "State").is_some_and(|s| !s.starts_with('Z') && !s.starts_with('X'))
}

/// Whether `pid` ignores SIGCHLD (then the kernel reaps its children itself: no zombies).
pub fn ignores_sigchld(pid: u32) -> bool {
    let Some(mask) = status_field(pid, "SigIgn") else {
        return false;
    };
    u64::from_str_radix(&mask, 16).is_ok_and(|m| m & (1 << (libc::SIGCHLD - 1)) != 0)
}

/// A short name for the program `pid` runs, for the end of each line: the script for
/// an interpreter (`echo-server.py`), else the program's file name (`echo_server`).
pub fn label(pid: u32) -> Option<String> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let argv: Vec<String> = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    let program = base(argv.first()?);
    let interpreter = ["python", "perl", "ruby", "node", "bash", "sh"]
        .iter()
        .any(|i| program.starts_with(i));
    if interpreter {
        if let Some(script) = argv.iter().skip(1).find(|a| !a.starts_with('-')) {
            if argv.iter().skip(1).any(|a| a == "-c") {
                return Some(format!("{program} -c"));
            }
            return Some(base(script));
        }
    }
    Some(program)
}

/// The syscall `pid` is blocked in, and its first argument, from `/proc/PID/syscall`
/// (`45 0x4 0x7ffd... 0x400 ...`: number and arguments; `running` when it runs).
pub fn blocked_in(pid: u32) -> Option<(i64, i64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/syscall")).ok()?;
    let mut words = text.split_whitespace();
    let nr: i64 = words.next()?.parse().ok()?;
    if nr < 0 {
        return None;
    }
    let first = words.next()?;
    let arg = i64::from_str_radix(first.trim_start_matches("0x"), 16).ok()?;
    Some((nr, arg))
}

/// What kind of wait a blocked syscall number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// `accept`/`accept4` on its first argument.
    Accept,
    /// `poll`, `select`, `epoll_wait`...: may be watching a listener.
    Multiplex,
    /// `read`/`recvfrom`/`recvmsg` on its first argument.
    Read,
    /// Anything else.
    Other,
}

/// Classifies a syscall number of this machine's architecture.
pub fn waiting(nr: i64) -> Waiting {
    let accept = [libc::SYS_accept, libc::SYS_accept4];
    let read = [
        libc::SYS_read,
        libc::SYS_recvfrom,
        libc::SYS_recvmsg,
        libc::SYS_readv,
    ];
    let multiplex = [
        libc::SYS_ppoll,
        libc::SYS_pselect6,
        libc::SYS_epoll_pwait,
        #[cfg(target_arch = "x86_64")]
        libc::SYS_poll,
        #[cfg(target_arch = "x86_64")]
        libc::SYS_select,
        #[cfg(target_arch = "x86_64")]
        libc::SYS_epoll_wait,
    ];
    if accept.contains(&nr) {
        Waiting::Accept
    } else if read.contains(&nr) {
        Waiting::Read
    } else if multiplex.contains(&nr) {
        Waiting::Multiplex
    } else {
        Waiting::Other
    }
}

/// The name of a reading syscall number (for [`Waiting::Read`]).
pub fn read_name(nr: i64) -> &'static str {
    if nr == libc::SYS_read {
        "read"
    } else if nr == libc::SYS_recvfrom {
        "recvfrom"
    } else if nr == libc::SYS_recvmsg {
        "recvmsg"
    } else {
        "readv"
    }
}

/// How many finished connections wait in the accept queue of the listening socket
/// with this inode: the `rx_queue` of its LISTEN row in `/proc/net/tcp{,6}` (what
/// `ss -ltn` shows as `Recv-Q`).
pub fn accept_queue(inode: u64) -> Option<u32> {
    for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
            if cols.len() < 10 || cols[3] != "0A" || cols[9].parse::<u64>().ok() != Some(inode) {
                continue;
            }
            let rx = cols[4].split(':').nth(1)?;
            return u32::from_str_radix(rx, 16).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This test process: a thread group of its own, a parent, a socket fd with an
    /// inode, and it is blocked in nothing while it reads its own /proc.
    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        assert_eq!(tgid(me), Some(me));
        assert!(ppid(me).is_some());
        assert!(alive(me));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let fd = std::os::fd::AsRawFd::as_raw_fd(&listener);
        let inode = fd_inode(me, fd).expect("a socket");
        assert_eq!(accept_queue(inode), Some(0));
        let port = listener.local_addr().expect("addr").port();
        let _client = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        assert_eq!(
            accept_queue(inode),
            Some(1),
            "one handshake done, not accepted"
        );
        assert_eq!(fd_inode(me, 0).filter(|_| false), None);
        assert_eq!(waiting(libc::SYS_accept4), Waiting::Accept);
        assert_eq!(waiting(libc::SYS_recvfrom), Waiting::Read);
    }
}
