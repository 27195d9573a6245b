#!/usr/bin/env python3
"""The TCP-versus-UDP counts of docs/udp.md, from the totals of the two lab runs that
scripts/three-views.sh made (the same runs the pages show). Prints the section
"=== compare: ..." for scripts/fill-docs.py:

  scripts/compare-views.py TCP_VIEWS UDP_VIEWS en|pt-BR
"""
import re
import sys

ROWS = {
    "en": ["the same 12-byte message, echoed", "socket calls (strace)",
           "+ getsockopt(TCP_INFO), the narration's states", "packets on the wire",
           "bytes on the wire (whole frames)"],
    "pt-BR": ["a mesma mensagem de 12 bytes, ecoada", "chamadas de socket (strace)",
              "+ getsockopt(TCP_INFO), os estados da narração", "pacotes na rede",
              "bytes na rede (quadros inteiros)"],
}


def totals(path):
    text = open(path, encoding="utf-8").read()
    part = text.split("=== totals:", 1)[1].split("\n=== ", 1)[0]
    return dict(re.findall(r"^(\w+) (\d+)$", part, re.M))


def main():
    tcp, udp, lang = totals(sys.argv[1]), totals(sys.argv[2]), sys.argv[3]
    rows = ROWS[lang]
    print("=== compare: UDP and TCP counts, from the runs of both lab pages")
    print(f"{rows[0]:<48} {'UDP':>5} {'TCP':>5}")
    for label, key in ((rows[1], "syscalls"), (rows[2], "probes"), (rows[3], "packets"), (rows[4], "bytes")):
        print(f"{label:<48} {udp[key]:>5} {tcp[key]:>5}")


if __name__ == "__main__":
    main()
