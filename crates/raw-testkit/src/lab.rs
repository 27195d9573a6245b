//! A lab's binary (raw-tcp, raw-udp) as its tests drive it: the server, the client, the
//! demo and the labs, run as a student types them, under strace or in another host when
//! asked; and the JSON events they print, read back by the syscall they narrate.
//!
//! ```ignore
//! fn lab() -> Lab {
//!     Lab::tcp(env!("CARGO_BIN_EXE_raw-tcp"))
//! }
//! let srv = lab().server(&["--port", "0"]);
//! let events = lab().json().client(srv.port(), &["--message", "hi"]).events();
//! assert_eq!(events.call("connect")["ret"], 0);
//! ```

#![forbid(unsafe_code)]

use crate::*;
use serde_json::Value;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output};

/// Which protocol a lab's binary speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    /// raw-tcp.
    Tcp,
    /// raw-udp.
    Udp,
}

/// A lab's binary, with the options it is run with: `BIN [OPTIONS] COMMAND ARGS`, or
/// that line behind a launcher (`strace ... BIN`, `ip netns exec HOST BIN`).
#[derive(Debug, Clone)]
pub struct Lab {
    bin: String,
    proto: Proto,
    /// The program and arguments in front of the command line, ending in `bin`; empty
    /// when `bin` runs by itself.
    launcher: Vec<OsString>,
    /// The options before the command (`--json`, `--lang`, `--capture`).
    options: Vec<OsString>,
}

impl Lab {
    /// The binary at `bin` (the test's `env!("CARGO_BIN_EXE_...")`), speaking `proto`.
    pub fn new(bin: &str, proto: Proto) -> Lab {
        Lab {
            bin: bin.to_string(),
            proto,
            launcher: Vec::new(),
            options: Vec::new(),
        }
    }

    /// raw-tcp, at `bin`.
    pub fn tcp(bin: &str) -> Lab {
        Lab::new(bin, Proto::Tcp)
    }

    /// raw-udp, at `bin`.
    pub fn udp(bin: &str) -> Lab {
        Lab::new(bin, Proto::Udp)
    }

    /// The binary's path.
    pub fn bin(&self) -> &str {
        &self.bin
    }

    /// The program's name, `raw-tcp` or `raw-udp`.
    pub fn name(&self) -> &'static str {
        match self.proto {
            Proto::Tcp => "raw-tcp",
            Proto::Udp => "raw-udp",
        }
    }

    /// The same lab with `options` added before the command (`-q`, `--lang pt-BR`).
    pub fn with(&self, options: &[&str]) -> Lab {
        let mut lab = self.clone();
        lab.options.extend(options.iter().map(OsString::from));
        lab
    }

    /// With `--json` (first): JSON events on stdout.
    pub fn json(&self) -> Lab {
        let mut lab = self.clone();
        lab.options.insert(0, "--json".into());
        lab
    }

    /// With `--lang LANG`.
    pub fn lang(&self, lang: &str) -> Lab {
        self.with(&["--lang", lang])
    }

    /// With `--capture FILE` (a `.pcap` or `.pcapng` file).
    pub fn capture(&self, file: &Path) -> Lab {
        let mut lab = self.with(&["--capture"]);
        lab.options.push(file.into());
        lab
    }

    /// The same lab run by the command `wrap` makes of the binary's path (its program
    /// and arguments, not its environment): `lab.under(|bin| hosts.on_a(bin))`.
    pub fn under(&self, wrap: impl FnOnce(&str) -> Command) -> Lab {
        let cmd = wrap(&self.bin);
        let mut lab = self.clone();
        lab.launcher = std::iter::once(cmd.get_program())
            .chain(cmd.get_args())
            .map(OsString::from)
            .collect();
        lab
    }

    /// The same lab traced by `strace -f` with [`LAB_TRACE`] into the file `out`; see
    /// [`Lab::assert_narration_is_strace`].
    pub fn strace(&self, strace: &Path, out: &Path) -> Lab {
        self.under(|bin| strace_tracing(strace, out, LAB_TRACE, bin))
    }

    /// Runs `BIN --json OPTIONS ARGS` under [`Lab::strace`] (it must exit 0) and fails
    /// unless its narration is strace's trace, line for line; returns the events.
    pub fn traced(&self, strace: &Path, args: &[&str]) -> Vec<Value> {
        let trace = self.scratch(&args.join("-")).join("run.strace");
        let events = self.strace(strace, &trace).events(args);
        self.assert_narration_is_strace(&events, &trace);
        events
    }

    /// `BIN OPTIONS ARGS` (behind the launcher, if any), not started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = match self.launcher.split_first() {
            Some((program, rest)) => {
                let mut cmd = Command::new(program);
                cmd.args(rest);
                cmd
            }
            None => Command::new(&self.bin),
        };
        cmd.args(&self.options).args(args);
        cmd
    }

    /// Runs `BIN OPTIONS ARGS` with `stdin` fed in, bounded by [`DEADLINE`].
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Run {
        run(&mut self.command(args), stdin, DEADLINE).into()
    }

    /// Runs `BIN OPTIONS ARGS` and fails the test unless it exits 0.
    pub fn run_ok(&self, args: &[&str]) -> Run {
        run_ok(&mut self.command(args)).into()
    }

    /// `BIN --json OPTIONS server ARGS`, started and ready.
    pub fn server(&self, args: &[&str]) -> Server {
        Server::start(&mut self.json().command(&[&["server"], args].concat()))
    }

    /// Runs `BIN OPTIONS client --port PORT ARGS` to its end (bounded), with no input.
    pub fn client(&self, port: u16, args: &[&str]) -> Run {
        let port = port.to_string();
        self.run(&[&["client", "--port", &port], args].concat(), b"")
    }

    /// The events of `BIN --json OPTIONS ARGS`, which must exit 0.
    pub fn events(&self, args: &[&str]) -> Vec<Value> {
        self.json().run_ok(args).events()
    }

    /// The events of `BIN --json lab NAME`, once `BIN --lang pt-BR lab NAME` ran too
    /// (each lab runs in Portuguese as well); both must exit 0.
    pub fn run_lab(&self, name: &str) -> Vec<Value> {
        self.lang("pt-BR").run_ok(&["lab", name]);
        self.events(&["lab", name])
    }

    /// Runs `BIN --json --capture FILE OPTIONS ARGS` (bounded, exit 0) and fails unless
    /// the packets its ladder shows are those tshark reads in FILE; returns the events
    /// and the packets.
    pub fn captured(
        &self,
        tshark: &Path,
        file: &Path,
        args: &[&str],
    ) -> (Vec<Value>, Vec<WirePacket>) {
        let events = self.json().capture(file).run_ok(args).events();
        let theirs = tshark_packets(tshark, file);
        assert_eq!(
            ladder_packets(&events),
            theirs,
            "our ladder and tshark disagree"
        );
        (events, theirs)
    }

    /// socat, a client no one here wrote, sending `input` to 127.0.0.1:`port` and
    /// printing what comes back: `socat -t 5 - TCP:...`, or `-t 0.5 - UDP:...` (a UDP
    /// reply has no end of stream: socat waits half a second after its input ends).
    pub fn socat(&self, socat: &Path, port: u16, input: &[u8]) -> Run {
        let (wait, proto) = match self.proto {
            Proto::Tcp => ("5", "TCP"),
            Proto::Udp => ("0.5", "UDP"),
        };
        let peer = format!("{proto}:127.0.0.1:{port}");
        run(
            Command::new(socat).args(["-t", wait, "-", &peer]),
            input,
            DEADLINE,
        )
        .into()
    }

    /// OpenBSD netcat sending `input` to 127.0.0.1:`port`: `nc -N` (it closes its side
    /// at end of input), or `nc -u -w 1` (UDP: it waits a second for the reply).
    pub fn nc(&self, nc: &Path, port: u16, input: &[u8]) -> Run {
        let port = port.to_string();
        let how: &[&str] = match self.proto {
            Proto::Tcp => &["-N"],
            Proto::Udp => &["-u", "-w", "1"],
        };
        let mut cmd = Command::new(nc);
        cmd.args(how).args(["127.0.0.1", &port]);
        run(&mut cmd, input, DEADLINE).into()
    }

    /// socat's echo server (`PIPE` sends back what it reads) on a free port of
    /// 127.0.0.1, once the kernel lists its socket; killed when dropped.
    pub fn socat_echo(&self, socat: &Path) -> Peer {
        let (port, listen) = match self.proto {
            Proto::Tcp => {
                let port = free_port();
                (port, format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr"))
            }
            Proto::Udp => {
                let port = free_udp_port();
                (port, format!("UDP-LISTEN:{port},bind=127.0.0.1"))
            }
        };
        let child = Command::new(socat)
            .args([&listen, "PIPE"])
            .spawn()
            .expect("socat");
        let peer = Peer { child, port };
        let bound = match self.proto {
            Proto::Tcp => wait_for_state(port, "LISTEN"),
            Proto::Udp => wait_for_udp(port),
        };
        assert!(bound, "socat never bound port {port}");
        peer
    }

    /// The classmate's-machine lab rehearsed: two hosts ([`TwoHosts::up`]), tshark to
    /// read the server's capture, and the right to capture; `None` after a loud skip.
    pub fn two_hosts(&self, test: &str) -> Option<Classmates> {
        let hosts = TwoHosts::up(test)?;
        let tshark = tool("tshark", test)?;
        if !can_capture(test) {
            return None;
        }
        Some(Classmates {
            pcap: self.scratch("two-hosts").join("server.pcap"),
            lab: self.clone(),
            tshark,
            hosts,
        })
    }

    /// A fresh folder of this test binary for `tag`'s files (`/tmp/raw-tcp-TAG-PID`).
    pub fn scratch(&self, tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("{}-{tag}-{}", self.name(), std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    /// Fails unless the narrated calls of `events` are the calls of the trace file
    /// `trace` written by [`Lab::strace`], line for line ([`assert_narration_is_strace`]).
    pub fn assert_narration_is_strace(&self, events: &[Value], trace: &Path) {
        assert_narration_is_strace(self.name(), events, trace);
    }
}

/// A peer no one here wrote, running in the background on `port`; killed when dropped.
pub struct Peer {
    child: std::process::Child,
    /// The port it is bound to.
    pub port: u16,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A lab's server in host A and its client in host B ([`Lab::two_hosts`]); the hosts
/// are removed when dropped.
pub struct Classmates {
    lab: Lab,
    /// The two hosts.
    pub hosts: TwoHosts,
    tshark: PathBuf,
    /// The server's capture.
    pub pcap: PathBuf,
}

impl Classmates {
    /// `BIN --json --capture PCAP server --host 0.0.0.0 --port 0` in host A, ready.
    pub fn server(&self) -> Server {
        self.lab
            .under(|bin| self.hosts.on_a(bin))
            .capture(&self.pcap)
            .server(&["--host", "0.0.0.0", "--port", "0"])
    }

    /// `BIN -q client --host A --port PORT ARGS` in host B, which must exit 0.
    pub fn client(&self, server: &Server, args: &[&str]) -> Run {
        let port = server.port().to_string();
        self.lab
            .under(|bin| self.hosts.on_b(bin))
            .with(&["-q"])
            .run_ok(&[&["client", "--host", TwoHosts::A, "--port", &port], args].concat())
    }

    /// The packets of the server's `events`, which must be those tshark reads in its
    /// capture.
    pub fn packets(&self, events: &[Value]) -> Vec<WirePacket> {
        let ours = ladder_packets(events);
        assert_eq!(
            ours,
            tshark_packets(&self.tshark, &self.pcap),
            "ladder and tshark agree"
        );
        ours
    }
}

/// A finished run: its exit status and what it printed.
#[derive(Debug)]
pub struct Run {
    /// How it exited.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: Vec<u8>,
    /// Its standard error.
    pub stderr: Vec<u8>,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            status: out.status,
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }
}

impl Run {
    /// Its stdout as JSON events (it ran with `--json`).
    pub fn events(&self) -> Vec<Value> {
        json_lines(&self.stdout)
    }

    /// Its stdout as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Its stderr as text.
    pub fn errors(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Fails the test, with its stderr, unless it exited 0.
    pub fn assert_ok(&self) -> &Run {
        assert!(
            self.status.success(),
            "{:?}: {}",
            self.status,
            self.errors()
        );
        self
    }
}

/// A program's JSON events, read by what they narrate.
pub trait Events {
    /// The first event narrating the syscall `name` (its `syscall` field); panics,
    /// naming the syscalls there are, when there is none.
    fn call(&self, name: &str) -> &Value;
    /// The `call` of every narrated syscall and probe, in order ([`narrated_calls`]).
    fn calls(&self) -> Vec<String>;
    /// The `call` lines of the syscall events of `name`, in order.
    fn calls_of(&self, name: &str) -> Vec<&str>;
    /// Every event's `text`, in order.
    fn texts(&self) -> Vec<String>;
}

impl Events for [Value] {
    fn call(&self, name: &str) -> &Value {
        self.iter()
            .find(|e| e["syscall"] == name)
            .unwrap_or_else(|| {
                let names: Vec<&str> = self.iter().filter_map(|e| e["syscall"].as_str()).collect();
                panic!("no {name} narrated; the syscalls: {names:?}")
            })
    }

    fn calls(&self) -> Vec<String> {
        narrated_calls(self)
    }

    fn calls_of(&self, name: &str) -> Vec<&str> {
        self.iter()
            .filter(|e| e["syscall"] == name && e["kind"] == "syscall")
            .filter_map(|e| e["call"].as_str())
            .collect()
    }

    fn texts(&self) -> Vec<String> {
        self.iter()
            .filter_map(|e| e["text"].as_str().map(str::to_string))
            .collect()
    }
}

/// The commands a `--help` lists in its `Commands:` section, each with its
/// description, without `help`.
pub fn listed_commands(help: &str) -> Vec<(String, String)> {
    help.split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or("")
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let name = words.next()?.to_string();
            Some((name, words.collect::<Vec<_>>().join(" ")))
        })
        .filter(|(name, _)| name != "help")
        .collect()
}
