#!/usr/bin/env bash
# One run of `raw-tcp demo`, seen three ways: our narration, strace, and tshark.
# Used to (re)make the outputs shown in docs/tcp.md. Needs root (or capture rights),
# strace and tshark. Talks only to 127.0.0.1.
#   scripts/tcp-run-three-views.sh [--lang pt-BR] > /tmp/views.txt
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p raw-tcp
bin=target/debug/raw-tcp
out=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

tshark -q -i lo -f "tcp port $port" -w "$out/demo.pcap" 2>"$out/tshark.err" &
tshark_pid=$!
# Wait (bounded) until tshark is capturing.
for _ in $(seq 50); do grep -q "Capturing on" "$out/tshark.err" 2>/dev/null && break; sleep 0.1; done

strace -f -qq -e signal=none -e trace=%network,close -o "$out/demo.strace" \
    "$bin" "$@" demo --port "$port" > "$out/narration.txt"
sleep 0.5
kill -INT "$tshark_pid"; wait "$tshark_pid" || true

echo "=== narration (raw-tcp demo --port $port $*)"
cat "$out/narration.txt"
echo
echo "=== strace -f -e trace=%network,close (socket calls only)"
# Keep network calls and close() of socket fds, as the tests compare them.
awk '{ sub(/^[0-9]+ +/, "") } /^close\(/ { fd=$0; sub(/^close\(/,"",fd); sub(/\).*/,"",fd); if (open[fd]) { print; delete open[fd] } ; next }
     /^(socket|accept4)\(/ { n=split($0,a," = "); open[a[n]+0]=1 } { print }' "$out/demo.strace"
echo
echo "=== tshark -r demo.pcap"
tshark -r "$out/demo.pcap" -o tcp.relative_sequence_numbers:TRUE 2>/dev/null
rm -rf "$out"
