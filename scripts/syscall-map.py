#!/usr/bin/env python3
"""Writes docs/syscall-map.md and docs/pt-BR/syscall-map.md from real runs.

For each syscall the TCP and UDP labs make: the source line in demo.rs and the same call in
server.rs / client.rs (they make the same calls in the same order), the man page, the
packets it caused (from --capture, in the same process) and the TCP state after it.
Needs root (for --capture). Run from the repository: scripts/syscall-map.py
"""
import json
import os
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
                 "standalone `server` and `client`, which make the same calls in the same order.",
        "head": "| # | side | call | demo.rs | server.rs / client.rs | man page | packets it caused | TCP state after |",
        "kernel": "(the kernel, on its own: a delayed ACK)",
        "none": "—",
        "tcp": "## Lab 1: `raw-tcp`",
        "udp": "## Lab 2: `raw-udp` (UDP has no states)",
    },
    "pt-BR": {
        "title": "# Mapa das syscalls: linha do código → syscall → página de manual → pacotes → estado",
        "intro": "Feito por `scripts/syscall-map.py` a partir de execuções reais do código atual: `demo` "
                 "(servidor e cliente num só processo, então cada pacote é atribuído à chamada que o causou) "
                 "e os programas `server` e `client` separados, que fazem as mesmas chamadas na mesma ordem.",
        "head": "| # | lado | chamada | demo.rs | server.rs / client.rs | página de manual | pacotes que causou | estado TCP depois |",
        "kernel": "(o próprio kernel: um ACK atrasado)",
        "none": "—",
        "tcp": "## Laboratório 1: `raw-tcp`",
        "udp": "## Laboratório 2: `raw-udp` (o UDP não tem estados)",
    },
}


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


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


def table(program, udp, lang):
    t = TEXT[lang]
    pcap = tempfile.mktemp(suffix=".pcap")
    port = free_port(socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    evs = events([os.path.join(BIN, program), "--json", "--lang", lang, "--capture", pcap, "demo", "--port", str(port)])
    os.unlink(pcap)
    same = standalone(program, udp)
    seen = {"server": 0, "client": 0}
    rows, n, last = [], 0, None
    for e in evs:
        kind = e.get("kind")
        if kind == "note" and udp and ("TCP" in e.get("text", "")) and rows:
            break  # the UDP demo's TCP comparison follows: not this lab's calls
        if kind == "syscall":
            n += 1
            role = e.get("role", "")
            # The same call in server.rs / client.rs: the next one of that name, in order
            # (the standalone programs make a few more calls, e.g. the client's timeout).
            other = same.get(role, [])
            k = seen.get(role, 0)
            while k < len(other) and other[k][0] != e["syscall"]:
                k += 1
            match = other[k][1] if k < len(other) else t["none"]
            seen[role] = k + 1
            rows.append({"n": n, "role": role, "call": call_of(e), "demo": e["source"].rsplit("/", 1)[-1],
                         "same": match, "man": MAN.get(e["syscall"], ""),
                         "packets": [], "state": e.get("state") or t["none"]})
            last = "syscall"
        elif kind == "packet":
            p = e["packet"]
            label = p["flags"] if p["proto"] == "TCP" else "UDP"
            if p["len"]:
                label += f" {p['len']} B"
            arrow = "→" if last == "syscall" or last == "packet" else ""
            if last in ("syscall", "packet") and rows:
                rows[-1]["packets"].append(label)
                last = "packet"
            else:
                rows.append({"n": "", "role": "", "call": t["kernel"], "demo": "", "same": "", "man": "",
                             "packets": [label], "state": ""})
                last = "packet"
            _ = arrow
        else:
            last = kind
    body = [t["head"], "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        packets = ", ".join(r["packets"]) if r["packets"] else t["none"]
        body.append(f"| {r['n']} | {r['role']} | {r['call']} | {r['demo']} | {r['same']} | {r['man']} | {packets} | {r['state']} |")
    return "\n".join(body)


def main():
    for lang, path in (("en", "docs/syscall-map.md"), ("pt-BR", "docs/pt-BR/syscall-map.md")):
        t = TEXT[lang]
        text = "\n\n".join([t["title"], t["intro"], t["tcp"], table("raw-tcp", False, lang), t["udp"], table("raw-udp", True, lang)]) + "\n"
        with open(os.path.join(ROOT, path), "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote", path)


if __name__ == "__main__":
    sys.exit(main())
