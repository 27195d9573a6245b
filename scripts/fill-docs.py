#!/usr/bin/env python3
"""Fills every output block of a docs page from views files made by real runs.

  scripts/fill-docs.py PAGE VIEWS [VIEWS...]

A block in PAGE reads
    <!-- begin:NAME -->
    ...replaced...
    <!-- end:NAME -->
and receives, as a ```text block, the lines of the section "=== NAME: ..." of the
views files (up to the next "=== " line). The views files come from the scripts that
run the programs (three-views.sh, multi-views.sh, remote-views.sh, step-views.py, ...),
called by scripts/docs.sh.

Strict, so that no page keeps a stale or broken block: it fails when a block of the
page has no section, when a section is empty, when a section's text contains a line
starting with "=== " (a marker of the views format), or when a begin has no end.
"""
import re
import sys

SECTION = re.compile(r"^=== ([A-Za-z0-9_-]+):")


def sections(text):
    out, name, lines = {}, None, []
    for line in text.splitlines():
        m = SECTION.match(line)
        if m or line.startswith("=== "):
            if name is not None:
                out[name] = "\n".join(lines).strip("\n")
            if not m:
                sys.exit(f"not a section heading (=== NAME: what): {line!r}")
            name, lines = m.group(1), []
            continue
        if name is not None:
            lines.append(line)
    if name is not None:
        out[name] = "\n".join(lines).strip("\n")
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    page, views = sys.argv[1], sys.argv[2:]
    found = {}
    for path in views:
        found.update(sections(open(path, encoding="utf-8").read()))
    text = open(page, encoding="utf-8").read()
    names = re.findall(r"<!-- begin:([A-Za-z0-9_-]+) -->", text)
    if len(names) != len(set(names)):
        sys.exit(f"{page}: a block name is used twice")
    for name in names:
        if name not in found:
            sys.exit(f"{page}: block {name!r} has no section '=== {name}:' in {' '.join(views)}")
        body = found[name]
        if not body.strip():
            sys.exit(f"{page}: the section for block {name!r} is empty")
        if any(line.startswith("=== ") for line in body.splitlines()):
            sys.exit(f"{page}: the section for block {name!r} contains a '=== ' line")
        pattern = re.compile(rf"(<!-- begin:{re.escape(name)} -->\n).*?(<!-- end:{re.escape(name)} -->)", re.S)
        if not pattern.search(text):
            sys.exit(f"{page}: block {name!r} has no end marker")
        text = pattern.sub(lambda m: f"{m.group(1)}```text\n{body}\n```\n{m.group(2)}", text)
    open(page, "w", encoding="utf-8").write(text)
    print(f"{page}: {len(names)} blocks filled", file=sys.stderr)


if __name__ == "__main__":
    main()
