#!/usr/bin/env python3
"""Fills marked blocks of a docs page with sections of a views file.

  scripts/fill-docs.py PAGE VIEWS NAME="=== heading prefix" [...]

A block in PAGE reads
    <!-- begin:NAME -->
    ...replaced...
    <!-- end:NAME -->
and receives, as a ```text block, the lines of VIEWS under the first heading that
starts with the given prefix (up to the next "=== " heading). VIEWS comes from
scripts/three-views.sh or scripts/multi-views.sh, i.e. from a real run.
"""
import re
import sys


def section(views: str, prefix: str) -> str:
    out, taking = [], False
    for line in views.splitlines():
        if line.startswith("=== "):
            if taking:
                break
            taking = line.startswith(prefix)
            continue
        if taking:
            out.append(line)
    if not taking and not out:
        sys.exit(f"no section starting with {prefix!r}")
    return "\n".join(out).strip("\n")


def main() -> None:
    page, views_path, *pairs = sys.argv[1:]
    text = open(page, encoding="utf-8").read()
    views = open(views_path, encoding="utf-8").read()
    for pair in pairs:
        name, prefix = pair.split("=", 1)
        body = section(views, prefix)
        pattern = re.compile(rf"(<!-- begin:{re.escape(name)} -->\n).*?(<!-- end:{re.escape(name)} -->)", re.S)
        if not pattern.search(text):
            sys.exit(f"{page}: no block {name}")
        text = pattern.sub(lambda m: f"{m.group(1)}```text\n{body}\n```\n{m.group(2)}", text)
    open(page, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    main()
