#!/usr/bin/env bash
# The outputs of docs/remote.md (and docs/pt-BR/remote.md): the classmate's-machine lab
# rehearsed with two network namespaces (scripts/two-hosts.sh up, the same names the
# page's commands use: rs-a and rs-b), including its classic failures. Each
# "=== NAME: what" section fills the page's <!-- begin:NAME --> block. Needs root,
# iproute2 and tshark. Called by scripts/docs.sh:
#   scripts/remote-views.sh [--lang pt-BR] > views.txt
set -euo pipefail
cd "$(dirname "$0")/.."
lang=en
if [ "${1:-}" = --lang ]; then lang=$2; fi
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
[ -x "$bin/raw-tcp" ] && [ -x "$bin/raw-udp" ] || cargo build -q -p raw-tcp -p raw-udp
captures=${DOCS_CAPTURES:-$PWD/target/docs-captures}
mkdir -p "$captures"
export RS_PREFIX=rs
if ip netns list | grep -qE '^rs-(a|b)( |$)'; then
    echo "remote-views.sh: the namespaces rs-a/rs-b exist already (yours?); run scripts/two-hosts.sh down first" >&2
    exit 1
fi
out=$(mktemp -d)
scripts/two-hosts.sh up > "$out/up.txt"
trap 'kill $(jobs -p) 2>/dev/null || true; scripts/two-hosts.sh down; rm -rf "$out"' EXIT
A="ip netns exec rs-a"
B="ip netns exec rs-b"
wait_port() { for _ in $(seq 200); do $A ss -Htuln "sport = :$1" | grep -q . && return 0; sleep 0.05; done; return 1; }
tcp=$bin/raw-tcp
udp=$bin/raw-udp

echo "=== hosts: sudo scripts/two-hosts.sh up"
echo "\$ sudo scripts/two-hosts.sh up"
cat "$out/up.txt"
echo
echo "=== ip-addr: host A's addresses"
echo "\$ sudo ip netns exec rs-a ip -br addr"
$A ip -br addr
echo
echo "=== ping: host B reaches host A"
echo "\$ sudo ip netns exec rs-b ping -c 2 198.18.0.1"
$B ping -c 2 198.18.0.1
echo

# The lab: server on A (capturing, as Wireshark would on A's interface), client on B.
$A "$tcp" --lang "$lang" --capture "$captures/remote-$lang.pcapng" server --host 0.0.0.0 > "$out/server.txt" 2>&1 &
server=$!
wait_port 65432
$B "$tcp" --lang "$lang" client --host 198.18.0.1 > "$out/client.txt" 2>&1
wait "$server"
echo "=== server: host A, raw-tcp server --host 0.0.0.0 (the lines about addresses)"
echo "\$ sudo ip netns exec rs-a target/debug/raw-tcp server --host 0.0.0.0"
grep -A3 -E "^(Bound to every interface|Vinculado a todas as interfaces)" "$out/server.txt" | grep -E "^(Bound|Vinculado|  )" | grep -v -E '^  (TCP|Estado)' | head -n 3
echo
echo "=== client: host B, raw-tcp client --host 198.18.0.1 (the result)"
echo "\$ sudo ip netns exec rs-b target/debug/raw-tcp -q client --host 198.18.0.1"
grep -E '^Rece' "$out/client.txt"
echo
echo "=== tshark: host A's capture, read by tshark"
echo "\$ tshark -r remote.pcapng"
tshark -r "$captures/remote-$lang.pcapng" 2>/dev/null
echo

$A "$tcp" --lang "$lang" -q server --host 127.0.0.1 > /dev/null 2>&1 &
server=$!
wait_port 65432
echo "=== refused: the server listens on 127.0.0.1 only"
echo "\$ sudo ip netns exec rs-b target/debug/raw-tcp -q client --host 198.18.0.1"
$B "$tcp" --lang "$lang" -q client --host 198.18.0.1 2>&1 || true
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
echo
echo "=== noroute: a wrong address, on no network of ours"
echo "\$ sudo ip netns exec rs-b target/debug/raw-tcp -q client --host 198.19.0.1"
$B "$tcp" --lang "$lang" -q client --host 198.19.0.1 2>&1 || true
echo

# A firewall on host A (nftables, in A's namespace only): first dropping the SYNs, then
# rejecting them.
$A "$tcp" --lang "$lang" -q server --host 0.0.0.0 --forever > /dev/null 2>&1 &
server=$!
wait_port 65432
$A nft add table inet lab
$A nft add chain inet lab input '{ type filter hook input priority 0; }'
$A nft add rule inet lab input tcp dport 65432 drop
echo "=== firewall-drop: host A's firewall drops the port"
echo "\$ sudo ip netns exec rs-a nft add table inet lab"
echo "\$ sudo ip netns exec rs-a nft add chain inet lab input '{ type filter hook input priority 0; }'"
echo "\$ sudo ip netns exec rs-a nft add rule inet lab input tcp dport 65432 drop"
echo "\$ sudo ip netns exec rs-b target/debug/raw-tcp -q client --host 198.18.0.1 --timeout 3"
$B "$tcp" --lang "$lang" -q client --host 198.18.0.1 --timeout 3 2>&1 || true
echo
$A nft flush chain inet lab input
$A nft add rule inet lab input tcp dport 65432 reject
echo "=== firewall-reject: host A's firewall rejects the port"
echo "\$ sudo ip netns exec rs-a nft flush chain inet lab input"
echo "\$ sudo ip netns exec rs-a nft add rule inet lab input tcp dport 65432 reject"
echo "\$ sudo ip netns exec rs-b target/debug/raw-tcp -q client --host 198.18.0.1 --timeout 3"
$B "$tcp" --lang "$lang" -q client --host 198.18.0.1 --timeout 3 2>&1 || true
$A nft delete table inet lab
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
echo

$A "$udp" --lang "$lang" -q server --host 0.0.0.0 > "$out/udp-server.txt" 2>&1 &
server=$!
wait_port 65431
echo "=== udp: the same across the two hosts with UDP"
echo "\$ sudo ip netns exec rs-b target/debug/raw-udp -q client --host 198.18.0.1 --message 'Hello, world'"
$B "$udp" --lang "$lang" -q client --host 198.18.0.1 --message 'Hello, world' 2>&1
kill -TERM "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
