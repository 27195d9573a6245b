#!/usr/bin/env bash
# One run of a lab's demo, seen three ways: our narration, strace, and tshark; then
# totals (syscalls, packets, bytes on the wire) for the TCP-vs-UDP table.
# Used to (re)make the outputs shown in docs/tcp.md and docs/udp.md. Needs root (or
# capture rights), strace and tshark. Talks only to 127.0.0.1.
#   scripts/three-views.sh tcp [--lang pt-BR] > /tmp/tcp-views.txt
#   scripts/three-views.sh udp > /tmp/udp-views.txt
set -euo pipefail
cd "$(dirname "$0")/.."
proto=${1:?usage: scripts/three-views.sh tcp|udp [raw-tcp/raw-udp options]}
shift
cargo build -q -p "raw-$proto"
bin=target/debug/raw-$proto
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

tshark -q -i lo -f "$proto port $port" -w "$out/demo.pcap" 2>"$out/tshark.err" &
tshark_pid=$!
for _ in $(seq 50); do grep -q "Capturing on" "$out/tshark.err" 2>/dev/null && break; sleep 0.1; done

strace -f -qq -e signal=none -e trace=%network,close -o "$out/demo.strace" \
    "$bin" "$@" demo --port "$port" > "$out/narration.txt"
sleep 0.5
kill -INT "$tshark_pid"; wait "$tshark_pid" || true

echo "=== narration (raw-$proto demo --port $port $*)"
cat "$out/narration.txt"
echo
echo "=== strace -f -e trace=%network,close (socket calls only)"
# Keep network calls and close() of socket fds, as the tests compare them.
awk '{ sub(/^[0-9]+ +/, "") } /^close\(/ { fd=$0; sub(/^close\(/,"",fd); sub(/\).*/,"",fd); if (open[fd]) { print; delete open[fd] } ; next }
     /^(socket|accept4)\(/ { n=split($0,a," = "); open[a[n]+0]=1 } { print }' "$out/demo.strace" > "$out/calls.txt"
cat "$out/calls.txt"
echo
echo "=== tshark -r demo.pcap"
tshark -r "$out/demo.pcap" 2>/dev/null
echo
echo "=== totals"
echo "syscalls (strace, socket calls incl. state probes): $(wc -l < "$out/calls.txt")"
echo "packets on port $port: $(tshark -r "$out/demo.pcap" 2>/dev/null | wc -l)"
echo "bytes on the wire (frames): $(tshark -r "$out/demo.pcap" -T fields -e frame.len 2>/dev/null | awk '{s+=$1} END {print s+0}')"

# A second run with our own capture: the ladder the program prints, and tshark's
# reading of the pcap file it wrote.
"$bin" "$@" demo --capture "$out/ours.pcap" > "$out/ladder-run.txt"
echo
echo "=== ladder (raw-$proto demo --capture lab.pcap: the [wire] lines)"
grep '^\[wire\]' "$out/ladder-run.txt"
echo
echo "=== tshark -r lab.pcap"
tshark -r "$out/ours.pcap" 2>/dev/null

if [ "$proto" = tcp ]; then
    # Two errors a student meets first: no server yet, and a port already taken.
    echo
    echo "=== errors"
    echo "\$ raw-tcp client --port 1"
    "$bin" "$@" -q client --port 1 2>&1 || true
    "$bin" "$@" -q server --port "$port" > /dev/null 2>&1 &
    holder=$!
    for _ in $(seq 100); do ss -Htln "sport = :$port" | grep -q . && break; sleep 0.05; done
    case "$*" in
        *pt*) note="enquanto outro servidor ocupa a porta" ;;
        *) note="while another server holds the port" ;;
    esac
    echo "\$ raw-tcp server --port $port      # $note"
    "$bin" "$@" -q server --port "$port" 2>&1 | grep -v -E "^(Listening|Escutando)" || true
    kill "$holder" 2>/dev/null || true
    wait "$holder" 2>/dev/null || true
fi
