#!/usr/bin/env python3
"""Writes docs/syscall-map.md and docs/pt-BR/syscall-map.md from real runs.

For each syscall the TCP and UDP labs make: the source line in demo.rs and the same call in
server.rs / client.rs (they make the same calls in the same order), the man page, the
packets it caused and the TCP state after it.

Two runs of `demo`: the calls, fds, source lines and states come from a plain run, the same
as the narration on docs/tcp.md and docs/udp.md (so the fd numbers are the page's); the
packets come from a second run with --capture, whose capture socket takes fds 3 and 4 (so
its calls are matched to the first run's by position, and must be the same syscalls).
Needs root (for --capture). Run from the repository:
  scripts/syscall-map.py            # writes docs/syscall-map.md and docs/pt-BR/syscall-map.md
  scripts/syscall-map.py --stdout   # prints both pages instead (the tests compare them)
"""
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "debug")
MAN = {
    "socket": "socket(2)", "setsockopt": "setsockopt(2)", "bind": "bind(2)", "getsockname": "getsockname(2)",
    "listen": "listen(2)", "accept4": "accept(2)", "connect": "connect(2)", "sendto": "send(2)",
    "recvfrom": "recv(2)", "shutdown": "shutdown(2)", "close": "close(2)",
}
TEXT = {
    "en": {
        "title": "# Syscall map: source line → syscall → man page → packets → state",
        "intro": "Made by `scripts/syscall-map.py` from real runs of the current code: `demo` (server and "
                 "client in one process, so each packet is attributed to the call that caused it), and the "
                 "standalone `server` and `client`, which make the same calls in the same order. The calls, "
                 "fds and states are those of a plain `demo` run, as on [lab 1](tcp.md) and [lab 2](udp.md); "
                 "the packets come from a second run with `--capture`, whose own capture socket takes fds 3 "
                 "and 4 (there the lab's sockets are 5, 6 and 7), matched call by call.",
        "head": "| # | side | call | demo.rs | server.rs / client.rs | man page | packets it caused | TCP state after |",
        "kernel": "(the kernel, on its own: a delayed ACK)",
        "roles": {"server": "server", "client": "client"},
        "none": "—",
        "tcp": "## Lab 1: `raw-tcp`",
        "udp": "## Lab 2: `raw-udp` (UDP has no states)",
    },
    "pt-BR": {
        "title": "# Mapa das syscalls: linha do código → syscall → página de manual → pacotes → estado",
        "intro": "Feito por `scripts/syscall-map.py` a partir de execuções reais do código atual: `demo` "
                 "(servidor e cliente num só processo, então cada pacote é atribuído à chamada que o causou) "
                 "e os programas `server` e `client` separados, que fazem as mesmas chamadas na mesma ordem. "
                 "As chamadas, os fds e os estados são os de uma execução simples da `demo`, como no "
                 "[laboratório 1](tcp.md) e no [laboratório 2](udp.md); os pacotes vêm de uma segunda "
                 "execução com `--capture`, cujo socket de captura ocupa os fds 3 e 4 (nela os sockets do "
                 "laboratório são 5, 6 e 7), casada chamada a chamada.",
        "head": "| # | lado | chamada | demo.rs | server.rs / client.rs | página de manual | pacotes que causou | estado TCP depois |",
        "kernel": "(o próprio kernel: um ACK atrasado)",
        # The sides as the narration names them (catalog message `role`).
        "roles": {"server": "servidor", "client": "cliente"},
        "none": "—",
        "tcp": "## Laboratório 1: `raw-tcp`",
        "udp": "## Laboratório 2: `raw-udp` (o UDP não tem estados)",
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


def events(args):
    out = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def standalone(program, udp):
    """Source lines of the server's and the client's syscalls, in order, per role."""
    port = free_port(socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    server = subprocess.Popen([os.path.join(BIN, program), "--json", "server", "--port", str(port)],
                              stdout=subprocess.PIPE, text=True)
    time.sleep(0.4)
    extra = ["--message", "Hello, world"] if udp else []
    client = events([os.path.join(BIN, program), "--json", "client", "--port", str(port)] + extra)
    if udp:
        time.sleep(0.2)
        server.terminate()
    out, _ = server.communicate(timeout=30)
    srv = [json.loads(line) for line in out.splitlines() if line.strip()]
    lines = {}
    for role, evs in (("server", srv), ("client", client)):
        lines[role] = [(e["syscall"], e["source"].rsplit("/", 1)[-1]) for e in evs if e.get("kind") == "syscall"]
    return lines


def call_of(e):
    call = e["call"]
    name, _, rest = call.partition("(")
    args = rest.rsplit(") = ", 1)[0]
    ret = call.rsplit(" = ", 1)[-1]
    if len(args) > 38:
        args = args[:35] + "..."
    return f"`{name}({args}) = {ret}`".replace("|", "\\|")


def syscalls(evs, udp):
    """The lab's own syscalls, in order (the UDP demo's TCP comparison left out)."""
    out = []
    for e in evs:
        if udp and e.get("kind") == "note" and "TCP" in e.get("text", "") and out:
            break
        if e.get("kind") == "syscall":
            out.append(e)
    return out


def table(program, udp, lang):
    t = TEXT[lang]
    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
    plain = events([os.path.join(BIN, program), "--json", "--lang", lang, "demo", "--port", str(free_port(kind))])
    pcap = tempfile.mktemp(suffix=".pcap")
    captured = events([os.path.join(BIN, program), "--json", "--lang", lang, "--capture", pcap,
                       "demo", "--port", str(free_port(kind))])
    os.unlink(pcap)
    calls = syscalls(plain, udp)
    names = [e["syscall"] for e in calls]
    # The packets of the captured run, attributed to the syscall (by position) after which
    # they were seen; packets before any of the lab's syscalls, or after a note (the kernel
    # on its own), get a row of their own.
    packets_after = {}
    n, last = -1, None
    for e in captured:
        kind_ = e.get("kind")
        if udp and kind_ == "note" and "TCP" in e.get("text", "") and n >= 0:
            break
        if kind_ == "syscall":
            n += 1
            last = "syscall"
        elif kind_ == "packet":
            p = e["packet"]
            label = p["flags"] if p["proto"] == "TCP" else "UDP"
            if p["len"]:
                label += f" {p['len']} B"
            key = n if last in ("syscall", "packet") else ("kernel", n)
            packets_after.setdefault(key, []).append(label)
            last = "packet"
        elif kind_ in ("note",):
            last = kind_
    seen = [e["syscall"] for e in syscalls(captured, udp)]
    if seen != names:
        sys.exit(f"{program}: the captured run made other syscalls than the plain run:\n{seen}\n{names}")
    same = standalone(program, udp)
    taken = {"server": 0, "client": 0}
    body = [t["head"], "|---|---|---|---|---|---|---|---|"]
    for i, e in enumerate(calls):
        role = e.get("role", "")
        # The same call in server.rs / client.rs: the next one of that name, in order
        # (the standalone programs make a few more calls, e.g. the client's timeout).
        other = same.get(role, [])
        k = taken.get(role, 0)
        while k < len(other) and other[k][0] != e["syscall"]:
            k += 1
        match = other[k][1] if k < len(other) else t["none"]
        taken[role] = k + 1
        packets = ", ".join(packets_after.get(i, [])) or t["none"]
        body.append(f"| {i + 1} | {t['roles'].get(role, role)} | {call_of(e)} | {e['source'].rsplit('/', 1)[-1]} | {match} | "
                    f"{MAN.get(e['syscall'], '')} | {packets} | {e.get('state') or t['none']} |")
        if ("kernel", i) in packets_after:
            body.append(f"|  |  | {t['kernel']} |  |  |  | {', '.join(packets_after[('kernel', i)])} |  |")
    return "\n".join(body)


def main():
    to_stdout = "--stdout" in sys.argv[1:]
    for lang, path in (("en", "docs/syscall-map.md"), ("pt-BR", "docs/pt-BR/syscall-map.md")):
        t = TEXT[lang]
        text = "\n\n".join([t["title"], t["intro"], t["tcp"], table("raw-tcp", False, lang), t["udp"],
                             table("raw-udp", True, lang)]) + "\n"
        if to_stdout:
            print(f"=== {lang}: {path}")
            print(text)
            continue
        with open(os.path.join(ROOT, path), "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
