#!/usr/bin/env bash
# Rehearse the "classmate's machine" lab on one machine: two network namespaces (two
# "hosts", each with its own network stack) joined by a veth pair (a virtual cable).
#
#   sudo scripts/two-hosts.sh up      # host A = 198.18.0.1, host B = 198.18.0.2
#   sudo scripts/two-hosts.sh run     # up, TCP and UDP labs from B to a server on A, capture, down
#   sudo scripts/two-hosts.sh down
#
# Then, by hand (after `cargo build --workspace`):
#   sudo ip netns exec rs-a target/debug/raw-tcp server --host 0.0.0.0
#   sudo ip netns exec rs-b target/debug/raw-tcp client --host 198.18.0.1
#   sudo ip netns exec rs-a tshark -i rs-va -f 'tcp port 65432'
#
# Addresses come from 198.18.0.0/15 (RFC 2544, set aside for benchmark tests), and the
# script creates, uses and removes only its own namespaces: nothing leaves them.
# RS_PREFIX changes the names (the tests use one per run).
set -euo pipefail
prefix=${RS_PREFIX:-rs}
a=$prefix-a
b=$prefix-b
ip_a=198.18.0.1
ip_b=198.18.0.2
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${RS_BIN:-$here/target/debug}

up() {
    ip netns add "$a"
    ip netns add "$b"
    # One veth pair: one end in each namespace, like a cable between two machines.
    ip link add "$prefix-va" netns "$a" type veth peer name "$prefix-vb" netns "$b"
    ip -n "$a" addr add "$ip_a/24" dev "$prefix-va"
    ip -n "$b" addr add "$ip_b/24" dev "$prefix-vb"
    for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
    ip -n "$a" link set "$prefix-va" up
    ip -n "$b" link set "$prefix-vb" up
    echo "host A: namespace $a, $ip_a on $prefix-va; host B: namespace $b, $ip_b on $prefix-vb"
}

down() {
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
}

# Waits (at most 5 s) for a listening TCP or bound UDP socket in a namespace. Only
# TCP and UDP are asked for: `ss -a` would also ask for socket families a fresh
# namespace does not support, and print "RTNETLINK answers: Invalid argument".
wait_port() { # namespace, ss filter
    for _ in $(seq 100); do
        ip netns exec "$1" ss -Htuln "$2" | grep -q . && return 0
        sleep 0.05
    done
    echo "nothing listening in $1 ($2)" >&2
    return 1
}

# The lab's programs must be built before anything is set up.
need_binaries() {
    local missing=()
    for prog in raw-tcp raw-udp; do
        [ -x "$bin/$prog" ] || missing+=("$bin/$prog")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "$0: ${missing[*]} not built yet. Build them first:" >&2
        echo "    cargo build --workspace" >&2
        exit 1
    fi
}

run() {
    need_binaries
    up
    trap down EXIT
    ip netns exec "$a" "$bin/raw-tcp" --capture /tmp/two-hosts-tcp.pcap server --host 0.0.0.0 --port 65432 &
    wait_port "$a" "sport = :65432"
    ip netns exec "$b" "$bin/raw-tcp" client --host "$ip_a" --port 65432
    wait
    ip netns exec "$a" "$bin/raw-udp" --capture /tmp/two-hosts-udp.pcap server --host 0.0.0.0 --port 65431 &
    server=$!
    wait_port "$a" "sport = :65431"
    ip netns exec "$b" "$bin/raw-udp" client --host "$ip_a" --port 65431 --message "Hello, world"
    kill -TERM "$server"
    wait "$server" || true
    echo "captures: /tmp/two-hosts-tcp.pcap /tmp/two-hosts-udp.pcap (open them in Wireshark)"
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    run) run ;;
    *) echo "usage: $0 up|down|run" >&2; exit 2 ;;
esac
