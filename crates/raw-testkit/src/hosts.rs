//! Two hosts in network namespaces the test makes and removes (lab 4).

#![forbid(unsafe_code)]

use crate::*;
use std::path::PathBuf;
use std::process::{Command, Output};

/// Two network namespaces joined by a veth pair, made by `scripts/two-hosts.sh up`
/// with a name prefix of their own, removed when dropped. Host A is 198.18.0.1, host
/// B is 198.18.0.2; nothing leaves the namespaces.
pub struct TwoHosts {
    prefix: String,
    script: PathBuf,
}

impl TwoHosts {
    /// The address of host A, where the server runs.
    pub const A: &'static str = "198.18.0.1";
    /// The address of host B, where the client runs.
    pub const B: &'static str = "198.18.0.2";

    /// Makes the two hosts, or skips loudly (not root, no `ip`).
    pub fn up(test: &str) -> Option<TwoHosts> {
        if !is_root() {
            skip(test, "network namespaces need root");
            return None;
        }
        tool("ip", test)?;
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/two-hosts.sh");
        let prefix = format!("rs{}", std::process::id() % 100_000);
        let hosts = TwoHosts { prefix, script };
        hosts.script_cmd("down"); // leftovers of an earlier, killed run
        let out = hosts.script_cmd("up");
        assert!(
            out.status.success(),
            "two-hosts.sh up failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(hosts)
    }

    fn script_cmd(&self, verb: &str) -> Output {
        run(
            Command::new("bash")
                .arg(&self.script)
                .arg(verb)
                .env("RS_PREFIX", &self.prefix),
            b"",
            DEADLINE,
        )
    }

    /// A command run inside host A (`ip netns exec PREFIX-a ...`).
    pub fn on_a(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &format!("{}-a", self.prefix), program]);
        cmd
    }

    /// A command run inside host B.
    pub fn on_b(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &format!("{}-b", self.prefix), program]);
        cmd
    }
}

impl Drop for TwoHosts {
    fn drop(&mut self) {
        self.script_cmd("down");
    }
}
