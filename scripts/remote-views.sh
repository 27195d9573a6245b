#!/usr/bin/env bash
# Real outputs for docs/remote.md: the classmate's-machine lab rehearsed with two
# network namespaces (scripts/two-hosts.sh), including its classic failures.
# Needs root, iproute2 and tshark.   scripts/remote-views.sh [--lang pt-BR] > /tmp/remote.txt
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p raw-tcp
export RS_PREFIX=rsdoc
bin=$PWD/target/debug/raw-tcp
out=$(mktemp -d)
scripts/two-hosts.sh down >/dev/null 2>&1 || true
scripts/two-hosts.sh up > "$out/up.txt"
trap 'scripts/two-hosts.sh down; rm -rf "$out"' EXIT
A="ip netns exec rsdoc-a"; B="ip netns exec rsdoc-b"
wait_port() { for _ in $(seq 100); do $A ss -Htln "sport = :$1" | grep -q . && return 0; sleep 0.05; done; return 1; }

echo "=== two hosts"
cat "$out/up.txt"
echo
echo "=== host A: ip -br addr"
$A ip -br addr
echo
$A "$bin" "$@" --capture "$out/remote.pcap" server --host 0.0.0.0 > "$out/server.txt" 2>&1 &
wait_port 65432
$B "$bin" "$@" client --host 198.18.0.1 > "$out/client.txt" 2>&1
wait
echo "=== host A: raw-tcp server --host 0.0.0.0 (the lines about addresses)"
grep -E "every interface|todas as interfaces|give them|passe ao colega" "$out/server.txt" || true
echo
echo "=== host B: raw-tcp client --host 198.18.0.1 (the result)"
grep -E '^Rece' "$out/client.txt"
echo
echo "=== host A: the capture, tshark -r remote.pcap"
tshark -r "$out/remote.pcap" 2>/dev/null
echo
$A "$bin" "$@" server --host 127.0.0.1 > /dev/null 2>&1 &
server=$!
wait_port 65432
echo "=== host B: the server listens on 127.0.0.1 only"
$B "$bin" "$@" -q client --host 198.18.0.1 2>&1 || true
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
echo
echo "=== host B: a wrong address, on no network of ours"
$B "$bin" "$@" -q client --host 198.19.0.1 2>&1 || true
