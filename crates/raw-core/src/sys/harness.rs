//! For programs that start other programs (the benchmarks, the tests): a child that
//! dies with its parent, a child whose `io_uring_setup` is refused. These run between
//! `fork` and `execve` of a child; no lab calls them.

#![allow(unsafe_code)]

use nix::errno::Errno;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Makes `cmd`'s child receive `SIGKILL` when this process dies, whatever kills it
/// (SIGTERM, SIGKILL, a panic): a benchmark that is stopped must not leave its echo
/// server or its sockperf peers running.
///
/// **Syscall:** in the child, between `fork` and `execve`:
/// `prctl(PR_SET_PDEATHSIG, SIGKILL)`, see `PR_SET_PDEATHSIG(2const)` and `prctl(2)`;
/// then `getppid(2)`: if the parent already died before the `prctl`, the child has been
/// adopted by another process and kills itself at once.
///
/// The signal is tied to the *thread* that forked: spawn from a thread that lives as
/// long as the child should (the benchmark spawns from its main thread).
pub fn die_with_parent(cmd: &mut Command) -> &mut Command {
    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs in the forked child before `execve`, where only
    // async-signal-safe work is allowed. It makes three plain syscalls (prctl, getppid,
    // kill through `raise`), allocates nothing, takes no lock and touches no state shared
    // with other threads of the parent; `parent` is a copied integer.
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                .map_err(|e| std::io::Error::from_raw_os_error(e as i32))?;
            if nix::unistd::getppid() != parent {
                let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
            }
            Ok(())
        })
    }
}

/// The audit architecture seccomp reports for this build's syscalls
/// (`AUDIT_ARCH_X86_64`, `AUDIT_ARCH_AARCH64` in `<linux/audit.h>`).
#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;

#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

/// Makes `cmd`'s program find `io_uring_setup(2)` refused with `errno`, as a container
/// whose seccomp profile blocks io_uring does (Docker's default profile answers
/// `EPERM`): how the tests show what the io-uring model says when io_uring is not there,
/// without switching it off for the whole machine (`sysctl kernel.io_uring_disabled`).
///
/// **Syscall:** in the child, between `fork` and `execve`:
/// `prctl(PR_SET_NO_NEW_PRIVS, 1)` (required to install a filter without privilege),
/// then `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)`, see `seccomp(2)`: a classic
/// BPF program the kernel runs at every syscall of that process and its children.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub fn refuse_io_uring_setup(cmd: &mut Command, errno: Errno) -> &mut Command {
    let stmt = |code: u32, k: u32| libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let jump = |k: u32, jt: u8, jf: u8| libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    };
    let load = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    // struct seccomp_data { int nr; __u32 arch; ... }: nr at offset 0, arch at 4.
    let mut program = vec![
        stmt(load, 4),                               // 0: A = arch
        jump(AUDIT_ARCH, 0, 3),                      // 1: another ABI: allow
        stmt(load, 0),                               // 2: A = syscall number
        jump(libc::SYS_io_uring_setup as u32, 0, 1), // 3: io_uring_setup?
        stmt(
            libc::BPF_RET,
            libc::SECCOMP_RET_ERRNO | (errno as u32 & 0xffff),
        ), // 4: refuse
        stmt(libc::BPF_RET, libc::SECCOMP_RET_ALLOW), // 5: anything else: allow
    ];
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_mut_ptr(),
    };
    // The closure owns the program (allocated here, before fork) and the header
    // pointing at it; the child only reads them.
    struct Filter(#[allow(dead_code)] Vec<libc::sock_filter>, libc::sock_fprog);
    // SAFETY: the program is plain data, only read (in the child, after fork), and the
    // pointer in `sock_fprog` points into the Vec the closure owns alongside it.
    unsafe impl Send for Filter {}
    unsafe impl Sync for Filter {}
    impl Filter {
        fn header(&self) -> *const libc::sock_fprog {
            &self.1
        }
    }
    let filter = Filter(program, prog);
    // SAFETY: the closure runs in the forked child before `execve`, where only
    // async-signal-safe work is allowed: two prctl syscalls, no allocation, no lock. The
    // program it points at lives in the closure, which outlives the call.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
                || libc::prctl(
                    libc::PR_SET_SECCOMP,
                    libc::SECCOMP_MODE_FILTER,
                    filter.header(),
                ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}
