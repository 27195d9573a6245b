#!/usr/bin/env bash
# scripts/docs.sh — regenerates every output of docs/ and docs/pt-BR/ from real runs of
# the current code, then checks the pages. The one command to run after changing what a
# program prints:
#
#   sudo scripts/docs.sh                 # everything (about 6 minutes)
#   sudo scripts/docs.sh --no-shots      # without the Wireshark screenshots
#   sudo scripts/docs.sh --no-pictures   # without the --svg/--html pictures
#   sudo scripts/docs.sh --no-check      # without the final `cargo test -p docs-check`
#
# What it runs, per language (en → docs/, pt-BR → docs/pt-BR/):
#   scripts/three-views.sh tcp|udp   → tcp.md, udp.md (narration, strace, tshark, ladder, ...)
#   scripts/step-views.py            → tcp.md (ss between the server's syscalls)
#   scripts/multi-views.sh           → multi.md
#   scripts/remote-views.sh          → remote.md (two network namespaces)
#   scripts/exercise-views.sh        → exercises.md / exercicios.md
# and then scripts/syscall-map.py (syscall-map.md), scripts/pictures.sh (img/*.svg,
# img/*.html), scripts/wireshark-shots.sh (img/wireshark-*.png), the commands of the
# pages that need a second terminal (cargo test -p docs-check --test commands --
# --ignored), and the checks (cargo test -p docs-check). scripts/fill-docs.py fails when
# a block of a page gets no output, so no block is left stale or empty.
#
# Needs root (captures, network namespaces) and: strace tshark python3 iproute2 nftables
# iputils-ping netcat-openbsd, and for the screenshots wireshark xvfb xdotool imagemagick.
# Talks only to 127.0.0.1 and to its own network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
shots=1 pictures=1 check=1
for arg in "$@"; do
    case $arg in
        --no-shots) shots=0 ;;
        --no-pictures) pictures=0 ;;
        --no-check) check=0 ;;
        *) echo "usage: $0 [--no-shots] [--no-pictures] [--no-check]" >&2; exit 2 ;;
    esac
done
if [ "$(id -u)" != 0 ]; then
    echo "scripts/docs.sh: run it as root (captures and network namespaces): sudo scripts/docs.sh" >&2
    exit 1
fi
need=(strace tshark python3 ss ip nft ping nc)
[ "$shots" = 1 ] && need+=(wireshark Xvfb xdotool import)
missing=()
for tool in "${need[@]}"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
packages="strace tshark python3 iproute2 nftables iputils-ping netcat-openbsd"
[ "$shots" = 1 ] && packages="$packages wireshark xvfb xdotool imagemagick"
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
    # As root (docs.sh needs root anyway), install what is missing, as scripts/test does.
    echo "scripts/docs.sh: installing $packages (apt-get) for ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086 # one word per package
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $packages >/dev/null ||
        echo "scripts/docs.sh: apt-get failed" >&2
    missing=()
    for tool in "${need[@]}"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "scripts/docs.sh: missing ${missing[*]}; install with:" >&2
    echo "    apt-get install -y $packages" >&2
    exit 1
fi

start=$(date +%s)
step() { echo "docs.sh [$(($(date +%s) - start)) s] $*" >&2; }
# views OUT SCRIPT ARGS...: a views script, tried up to three times. The scripts refuse
# a run whose counts disagree (tshark, the ladder, the file it wrote), which other
# traffic on lo can cause on a busy machine; a fresh run is then the honest answer.
views() {
    local out=$1
    shift
    for attempt in 1 2 3; do
        if "$@" > "$out"; then return 0; fi
        echo "docs.sh: $* failed (attempt $attempt of 3)" >&2
    done
    return 1
}
step "building"
cargo build -q -p raw-tcp -p raw-udp -p raw-multi
views=$(mktemp -d)
trap 'rm -rf "$views"' EXIT

for lang in en pt-BR; do
    if [ "$lang" = en ]; then dir=docs ex=exercises.md; else dir=docs/pt-BR ex=exercicios.md; fi
    v=$views/$lang
    mkdir -p "$v"
    step "$lang: lab 1 and 2 (three views)"
    views "$v/tcp.txt" scripts/three-views.sh tcp --lang "$lang"
    views "$v/udp.txt" scripts/three-views.sh udp --lang "$lang"
    views "$v/steps.txt" scripts/step-views.py --lang "$lang"
    scripts/compare-views.py "$v/tcp.txt" "$v/udp.txt" "$lang" > "$v/compare.txt"
    step "$lang: lab 3"
    views "$v/multi.txt" scripts/multi-views.sh --lang "$lang"
    step "$lang: lab 4 (two network namespaces)"
    views "$v/remote.txt" scripts/remote-views.sh --lang "$lang"
    step "$lang: exercises"
    views "$v/ex.txt" scripts/exercise-views.sh --lang "$lang"

    scripts/fill-docs.py "$dir/tcp.md" "$v/tcp.txt" "$v/steps.txt"
    scripts/fill-docs.py "$dir/udp.md" "$v/udp.txt" "$v/compare.txt"
    scripts/fill-docs.py "$dir/multi.md" "$v/multi.txt"
    scripts/fill-docs.py "$dir/remote.md" "$v/remote.txt"
    scripts/fill-docs.py "$dir/$ex" "$v/ex.txt"
done

step "syscall map"
scripts/syscall-map.py
if [ "$pictures" = 1 ]; then
    step "pictures (--svg, --html)"
    scripts/pictures.sh > /dev/null
fi
if [ "$shots" = 1 ]; then
    step "Wireshark screenshots"
    scripts/wireshark-shots.sh
fi
step "the pages' commands that need a second terminal"
cargo test -q -p docs-check --test commands -- --ignored --test-threads=1
if [ "$check" = 1 ]; then
    step "checks: cargo test -p docs-check"
    cargo test -q -p docs-check
fi
step "done"
