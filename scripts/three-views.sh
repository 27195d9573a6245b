#!/usr/bin/env bash
# The outputs of docs/tcp.md and docs/udp.md (and their docs/pt-BR/ mirrors), from
# real runs of the current code. Each "=== NAME: what" section fills the page's
# <!-- begin:NAME --> block (scripts/fill-docs.py). Needs root (or capture rights),
# strace and tshark. Talks only to 127.0.0.1. Called by scripts/docs.sh:
#   scripts/three-views.sh tcp|udp [--lang pt-BR] > views.txt
#
#   narration, strace, strace-other, tshark   run 1: `demo` traced by strace (with
#                      openat, to say what the strace block leaves out) while tshark
#                      captures the port: one run, three views
#   ladder, ladder-tshark   run 2: `demo --capture lab.pcap` (the [wire] lines), while
#                      tshark captures too; then tshark reading the file the demo wrote
#   totals             syscalls, packets and bytes of run 1 (for the TCP/UDP table)
#   errors, two-terminals, client-end (tcp only)   the standalone server and client
set -euo pipefail
cd "$(dirname "$0")/.."
proto=${1:?usage: scripts/three-views.sh tcp|udp [--lang pt-BR]}
shift
lang=en
if [ "${1:-}" = --lang ]; then lang=$2; fi
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
[ -x "$bin/raw-$proto" ] || cargo build -q -p "raw-$proto"
prog=$bin/raw-$proto
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT
pt() { [ "$lang" = pt-BR ]; }

# ---- run 1: one demo, three views --------------------------------------------------
port=$(free_port)
start_tshark "$out/demo.pcap" "$proto port $port"
strace -f -qq -e signal=none -e trace=%network,close,openat -o "$out/demo.strace" \
    "$prog" --lang "$lang" demo --port "$port" > "$out/narration.txt"
stop_tshark
scripts/strace-split.py "$out/demo.strace" sockets > "$out/calls.txt"
scripts/strace-split.py "$out/demo.strace" other > "$out/other.txt"
live=$(count_packets "$out/demo.pcap")
[ "$live" -gt 0 ] || { echo "run 1: tshark captured nothing on port $port" >&2; exit 1; }

echo "=== narration: raw-$proto --lang $lang demo --port $port"
cat "$out/narration.txt"
echo
echo "=== strace: the socket calls of the same run (strace -f -e trace=%network,close,openat)"
cat "$out/calls.txt"
echo
echo "=== strace-other: the lines of the same trace that the strace block leaves out"
cat "$out/other.txt"
echo
echo "=== tshark: tshark -i lo -f '$proto port $port', during the same run"
tshark -r "$out/demo.pcap" 2>/dev/null
echo
# The UDP demo then sends the same message over TCP: that part is not UDP's to count.
if [ "$proto" = udp ]; then
    sed -n '/^socket(AF_INET, SOCK_STREAM/q;p' "$out/calls.txt" > "$out/own.txt"
else
    cp "$out/calls.txt" "$out/own.txt"
fi
echo "=== totals: run 1, counted (the lab's own socket calls)"
echo "syscalls $(grep -c -v -E '^getsockopt\(.*TCP_INFO' "$out/own.txt")"
echo "probes $(grep -c -E '^getsockopt\(.*TCP_INFO' "$out/own.txt" || true)"
echo "packets $live"
echo "bytes $(tshark -r "$out/demo.pcap" -T fields -e frame.len 2>/dev/null | awk '{s+=$1} END {print s+0}')"

# ---- run 2: the program's own capture ------------------------------------------------
port=$(free_port)
start_tshark "$out/live2.pcap" "$proto port $port"
"$prog" --lang "$lang" --capture "$out/lab.pcap" demo --port "$port" > "$out/ladder-run.txt"
stop_tshark
grep '^\[wire\]' "$out/ladder-run.txt" > "$out/ladder.txt"
same_count "$(wc -l < "$out/ladder.txt")" "$(count_packets "$out/lab.pcap")" "run 2: ladder vs the file it wrote"
same_count "$(wc -l < "$out/ladder.txt")" "$(count_packets "$out/live2.pcap")" "run 2: ladder vs tshark's own capture"
if [ "$proto" = tcp ]; then
    same_count "$live" "$(wc -l < "$out/ladder.txt")" "run 1 (tshark) vs run 2 (ladder)"
fi
echo
echo "=== ladder: raw-$proto --lang $lang --capture lab.pcap demo --port $port (the [wire] lines)"
cat "$out/ladder.txt"
echo
echo "=== ladder-tshark: tshark -r lab.pcap (the file of that same run)"
tshark -r "$out/lab.pcap" 2>/dev/null

[ "$proto" = tcp ] || exit 0

# ---- the errors a student meets first ----------------------------------------------------
echo
echo "=== errors: no server yet, and a port already taken"
echo "\$ target/debug/raw-tcp client --port 1"
"$prog" --lang "$lang" -q client --port 1 2>&1 || true
port=$(free_port)
"$prog" --lang "$lang" -q server --port "$port" > /dev/null 2>&1 &
holder=$!
wait_listen "$port"
if pt; then note="enquanto outro servidor ocupa a porta"; else note="while another server holds the port"; fi
echo "\$ target/debug/raw-tcp server --port $port      # $note"
"$prog" --lang "$lang" -q server --port "$port" 2>&1 | grep -v -E "^(Listening|Escutando)" || true
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true

# ---- two terminals: the server (with --capture) and the client, two processes ---------
port=$(free_port)
"$prog" --lang "$lang" --capture "$out/two.pcap" server --port "$port" > "$out/server.txt" 2>&1 &
server=$!
wait_listen "$port"
"$prog" --lang "$lang" client --port "$port" > "$out/client.txt" 2>&1
wait "$server"
echo
echo "=== two-terminals: the server's syscalls and packets when client and server are two processes"
echo "\$ sudo target/debug/raw-tcp --capture two.pcapng server --port $port | grep -E '^(accept4|recvfrom|sendto|close)|^\\[wire\\]'"
if pt; then echo "# (noutro terminal: target/debug/raw-tcp client --port $port)"; else echo "# (in another terminal: target/debug/raw-tcp client --port $port)"; fi
grep -E '^(accept4|recvfrom|sendto|close)|^\[wire\]' "$out/server.txt"

# ---- the standalone client's last states, and the kernel's table after it exited -------
port=$(free_port)
"$prog" --lang "$lang" -q server --port "$port" > /dev/null 2>&1 &
server=$!
wait_listen "$port"
"$prog" --lang "$lang" client --port "$port" > "$out/client2.txt" 2>&1
wait "$server"
echo
echo "=== client-end: the standalone client, from shutdown on, then ss once it has exited"
if pt; then other="servidor noutro terminal"; else other="server in another terminal"; fi
echo "\$ target/debug/raw-tcp client --port $port      # ($other: target/debug/raw-tcp -q server --port $port)"
sed -n '/^shutdown(/,$p' "$out/client2.txt"
echo "\$ ss -tan state time-wait 'dport = :$port'"
ss -tan state time-wait "dport = :$port"

# ---- all eleven states: raw-tcp lab states (as root: the kernel's tracepoint, and a
# network namespace of the lab's own for CLOSING) -------------------------------------
if [ "$proto" = tcp ]; then
    "$prog" --lang "$lang" lab states > "$out/states.txt" 2>&1
    echo
    echo "=== states-lab: raw-tcp lab states, its notes, [kernel] lines and summary"
    echo "\$ sudo target/debug/raw-tcp --lang $lang lab states"
    grep -E '^\[kernel\]|^(Part|Parte) [12]|^(Ran|Executado):|^(Seen|Why|Observado|Explicação):' "$out/states.txt"
fi
