#!/usr/bin/env python3
"""Dev helper: replace (or add) messages in both catalogs.
Input on stdin: blocks separated by lines '==== FILE ID'; in each block the English
message body, a line '----', the Portuguese body. Bodies are Fluent patterns (the
text after 'id = '); multi-line bodies keep their indentation."""
import sys, re, os
CAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../crates/raw-core/catalog")
blocks = re.split(r'^==== ', sys.stdin.read(), flags=re.M)
for b in blocks:
    if not b.strip():
        continue
    head, body = b.split('\n', 1)
    ftl, mid = head.split()
    en, pt = body.split('\n----\n')
    for lang, text in (("en", en), ("pt-BR", pt)):
        p = os.path.join(CAT, lang, ftl + ".ftl")
        s = open(p).read() if os.path.exists(p) else ""
        entry = f"{mid} = {text.rstrip()}\n"
        # an entry: its first line, then indented continuation lines
        pat = re.compile(r'^' + re.escape(mid) + r' = .*\n(?:[ \t]+.*\n|\}\n)*', re.M)
        if pat.search(s):
            s = pat.sub(lambda m: entry, s, count=1)
        else:
            s = s.rstrip('\n') + '\n' + entry
        open(p, 'w').write(s)
