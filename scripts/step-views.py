#!/usr/bin/env python3
"""What `ss` shows between the server's syscalls: a real `raw-tcp --step server` run,
driven through a pseudo-terminal (as a student pressing Enter), with `ss` run at the
moments a lecture stops at. Prints the section "=== ss-steps: ..." for docs/tcp.md
(scripts/fill-docs.py). Talks only to 127.0.0.1; every wait is bounded.

  scripts/step-views.py [--lang pt-BR]

The moments: after bind (ss shows nothing: a socket that is bound but does not listen
is in none of the tables ss reads), after listen (LISTEN, Recv-Q 0), after a client
connected and sent while the server has not called accept yet (Recv-Q 1 on the
listener: one finished handshake waiting; Recv-Q 12 on the new connection: the bytes
waiting), after accept, and after both programs exited (the client's TIME-WAIT).
"""
import os
import random
import pty
import re
import select
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("RAW_BIN", os.path.join(ROOT, "target", "debug"))
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

TEXT = {
    "en": {
        "t1": "terminal 1: Enter runs each syscall",
        "t2": "terminal 2",
        "t3": "terminal 3, while the server waits before accept",
        "after": "after {call}",
        "both": "after both programs exited",
    },
    "pt-BR": {
        "t1": "terminal 1: Enter executa cada syscall",
        "t2": "terminal 2",
        "t3": "terminal 3, enquanto o servidor espera antes do accept",
        "after": "depois do {call}",
        "both": "depois que os dois programas terminaram",
    },
}


def free_port(kind=socket.SOCK_STREAM):
    """A port free a moment ago (TCP and UDP), above the kernel's ephemeral range, so
    that no other program's client gets it at connect while we capture or list it."""
    low, high = (int(x) for x in open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
    ports = [p for p in range(high + 1, 65536) if p not in (65431, 65432)] or list(range(1024, low))
    random.shuffle(ports)
    for port in ports:
        try:
            for k in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(socket.AF_INET, k)
                s.bind(("127.0.0.1", port))
                s.close()
        except OSError:
            continue
        return port
    raise SystemExit("no free port")


class Stepper:
    """The server under a pseudo-terminal: reads what it prints, presses Enter."""

    def __init__(self, args):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(args[0], args)
        self.buf = ""

    def read_until(self, pattern, limit=10.0):
        end = time.time() + limit
        while time.time() < end:
            m = re.search(pattern, self.buf)
            if m:
                before, self.buf = self.buf[: m.end()], self.buf[m.end():]
                return before
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    self.buf += ANSI.sub("", os.read(self.fd, 65536).decode("utf-8", "replace")).replace("\r", "")
                except OSError:
                    break
        sys.exit(f"step-views: the server never printed {pattern!r}; got: {self.buf!r}")

    def next_prompt(self):
        """Output up to the next '⏸  next:' prompt (the syscall about to run)."""
        return self.read_until(r"⏸[^\n]*\n?")

    def enter(self):
        os.write(self.fd, b"\n")

    def run_to_exit(self, limit=20.0):
        """Presses Enter at every prompt until the program exits; returns its output."""
        end, text = time.time() + limit, ""
        while time.time() < end:
            if "⏸" in self.buf:
                head, _, rest = self.buf.partition("⏸")
                nl = rest.find("\n")
                text += head + "⏸" + (rest[: nl + 1] if nl >= 0 else rest)
                self.buf = rest[nl + 1:] if nl >= 0 else ""
                self.enter()
                continue
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                self.buf += ANSI.sub("", data.decode("utf-8", "replace")).replace("\r", "")
        text, self.buf = text + self.buf, ""
        return text

    def wait(self):
        end = time.time() + 10
        while time.time() < end:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    os.read(self.fd, 65536)
                except OSError:
                    pass
        os.kill(self.pid, 9)
        sys.exit("step-views: the server did not exit")


def syscall_lines(text):
    """The result lines of the syscalls (`name(...) = ret   # file.rs:N`)."""
    return [l.strip() for l in text.splitlines() if re.match(r"\s*[a-z_0-9]+\(.*\) = .*# \w+\.rs:\d+$", l)]


def ss(port, extra=""):
    cmd = ["ss", "-tan" + extra, f"sport = :{port} or dport = :{port}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout
    head, *rows = [line.rstrip() for line in out.splitlines()]
    # ss lists sockets in the kernel's hash order: sorted here (LISTEN first), so that
    # two runs print them alike.
    rows.sort(key=lambda r: (not r.startswith("LISTEN"), r))
    return "\n".join([head, *rows])


def main():
    lang = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--lang" else "en"
    t = TEXT[lang]
    port = free_port()
    out = []
    say = out.append
    srv = Stepper([os.path.join(BIN, "raw-tcp"), "--lang", lang, "--step", "server", "--port", str(port)])
    say(f"$ target/debug/raw-tcp --step server --port {port}      # {t['t1']}")
    shown = set()

    def run_until(name):
        """Press Enter until the syscall `name` has run; print the syscall lines."""
        while True:
            prompt = srv.next_prompt()
            for line in syscall_lines(prompt):
                if line not in shown:
                    shown.add(line)
                    say(line)
            if re.search(rf"^{name}\(", "\n".join(syscall_lines(prompt)), re.M):
                return
            srv.enter()

    def look(what, extra=""):
        say(f"$ ss -tan{extra} 'sport = :{port} or dport = :{port}'      # {t['t2']}, {what}")
        say(ss(port, extra))

    run_until("bind")
    look(t["after"].format(call="bind"))
    srv.enter()
    run_until("listen")
    look(t["after"].format(call="listen"))
    # The server now waits before accept4 (the prompt is shown): a client connects.
    say(f"$ target/debug/raw-tcp -q client --port {port}      # {t['t3']}")
    client = subprocess.Popen([os.path.join(BIN, "raw-tcp"), "--lang", lang, "-q", "client", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for _ in range(100):  # the handshake and the client's bytes reach the kernel
        if "ESTAB" in ss(port) and re.search(r"ESTAB\s+12\s", ss(port)):
            break
        time.sleep(0.05)
    look(t["after"].format(call="connect + send"))
    srv.enter()
    run_until("accept4")
    look(t["after"].format(call="accept4"))
    # Enter at every prompt until the server exits (recv, send, recv = 0, close...).
    srv.enter()
    for line in syscall_lines(srv.run_to_exit()):
        if line not in shown:
            shown.add(line)
            say(line)
    reply = client.communicate(timeout=10)[0]
    srv.wait()
    say(reply.rstrip())
    look(t["both"])
    print("=== ss-steps: raw-tcp --step server, and ss between its syscalls")
    print("\n".join(out))


if __name__ == "__main__":
    main()
