#!/usr/bin/env python3
"""Splits an `strace -f -e trace=%network,close,openat -o TRACE` file in two.

  scripts/strace-split.py TRACE sockets   # the socket calls: what the narration says
  scripts/strace-split.py TRACE other     # every other line: what the docs leave out

"sockets" keeps the calls of strace's %network class and close() of an fd that socket()
or accept4() returned (the same rule as raw-testkit's strace_socket_calls, which the
tests use). "other" is the rest: the files the program opened and closed that are not
sockets (the dynamic loader's libraries, /proc/self/maps, /proc/net/tcp...). The pid
column is removed; everything else is strace's text, unchanged.
"""
import re
import sys

NETWORK = {
    "socket", "socketpair", "bind", "listen", "accept", "accept4", "connect", "getsockname",
    "getpeername", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown", "setsockopt",
    "getsockopt",
}


def split(text):
    sockets, other, open_fds = [], [], set()
    for raw in text.splitlines():
        line = re.sub(r"^\d+\s+", "", raw)
        if line.startswith(("---", "+++")) or "<unfinished" in line or "resumed>" in line:
            continue
        m = re.match(r"(\w+)\((\d*)", line)
        if not m:
            continue
        name, first = m.group(1), m.group(2)
        ret = line.rsplit(" = ", 1)[-1].split()[0] if " = " in line else ""
        if name == "close":
            if first in open_fds:
                open_fds.discard(first)
                sockets.append(line)
            else:
                other.append(line)
        elif name in NETWORK:
            if name in ("socket", "accept", "accept4") and ret.isdigit():
                open_fds.add(ret)
            sockets.append(line)
        else:
            other.append(line)
    return sockets, other


def main():
    path, which = sys.argv[1], sys.argv[2]
    sockets, other = split(open(path, encoding="utf-8", errors="replace").read())
    print("\n".join(sockets if which == "sockets" else other))


if __name__ == "__main__":
    main()
