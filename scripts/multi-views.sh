#!/usr/bin/env bash
# The outputs of docs/multi.md (and docs/pt-BR/multi.md), from real runs of the current
# code. Each "=== NAME: what" section fills the page's <!-- begin:NAME --> block
# (scripts/fill-docs.py). Needs root (or capture rights) and tshark. Talks only to
# 127.0.0.1. Called by scripts/docs.sh:
#   scripts/multi-views.sh [--lang pt-BR] > views.txt
#
#   MODEL-short, MODEL-full   each server model while two clients echo at once: the
#                      syscall lines, and the whole run
#   sockets, clients, syn     three clients held open: the kernel's table, the clients'
#                      own table, and the three SYNs seen by tshark
#   ladder, ladder-tshark     the epoll server's own capture with three clients
#   conversations             five clients, one row each (tshark -z conv,tcp)
set -euo pipefail
cd "$(dirname "$0")/.."
lang=en
if [ "${1:-}" = --lang ]; then lang=$2; fi
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
[ -x "$bin/raw-multi" ] || cargo build -q -p raw-multi
prog=$bin/raw-multi
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT

# The excerpt of each model: its syscall lines (the sentences are in the whole run).
declare -A keep=(
    [fork]='\[parent\] (accept4|clone|close|waitpid)|\[child [0-9]+\] (close|recvfrom|sendto)|Summary|Resumo'
    [thread]='\[main\] (accept4|shutdown)|\[thread [0-9]+\] (recvfrom|sendto|close)|Summary|Resumo'
    [select]='^(pselect6|accept4|recvfrom|sendto|close)\('
    [poll]='^(poll|accept4|recvfrom|sendto|close)\('
    [epoll]='^(epoll_[a-z0-9]+|accept4|recvfrom|sendto|close)\('
)

for model in fork thread select poll epoll; do
    port=$(free_port)
    "$prog" --lang "$lang" server --model "$model" --port "$port" > "$out/$model.txt" 2>&1 &
    server=$!
    wait_listen "$port"
    "$prog" -q clients --count 2 --port "$port" > /dev/null
    sleep 0.3
    kill -TERM "$server"
    wait "$server" || true
    echo "=== $model-short: raw-multi server --model $model, two clients (the syscall lines)"
    echo "\$ target/debug/raw-multi server --model $model --port $port"
    grep -E "${keep[$model]}" "$out/$model.txt"
    echo
    echo "=== $model-full: raw-multi server --model $model, two clients (the whole run)"
    echo "\$ target/debug/raw-multi server --model $model --port $port"
    cat "$out/$model.txt"
    echo
done

# Three clients held open: the kernel's table, the clients' table, the SYNs.
port=$(free_port)
"$prog" -qq server --model epoll --port "$port" 2>/dev/null &
server=$!
wait_listen "$port"
start_tshark "$out/multi.pcap" "tcp port $port"
"$prog" --lang "$lang" clients --count 3 --port "$port" --hold 2 > "$out/clients.txt" &
clients=$!
sleep 1
"$prog" --lang "$lang" sockets --port "$port" > "$out/sockets.txt"
wait "$clients"
stop_tshark
kill -TERM "$server"
wait "$server" || true
echo "=== sockets: raw-multi sockets, while three clients are connected"
echo "\$ target/debug/raw-multi sockets --port $port"
cat "$out/sockets.txt"
echo
echo "=== clients: raw-multi clients --count 3 --hold 2 (its table)"
echo "\$ target/debug/raw-multi clients --count 3 --port $port --hold 2"
sed -n '/^\(client\|cliente\) /,$p' "$out/clients.txt" | grep -v '^\[' || true
echo
echo "=== syn: the SYNs of the same three clients"
echo "\$ tshark -r multi.pcap -Y 'tcp.flags.syn == 1'"
tshark -r "$out/multi.pcap" -Y 'tcp.flags.syn == 1' 2>/dev/null

# The server's own capture: the ladder for three clients, and tshark reading the file.
port=$(free_port)
"$prog" --lang "$lang" --capture "$out/lab.pcap" server --model epoll --port "$port" > "$out/ladder-run.txt" 2>&1 &
server=$!
wait_listen "$port"
"$prog" -q clients --count 3 --port "$port" > /dev/null
sleep 0.3
kill -TERM "$server"
wait "$server" || true
grep '^\[wire\]' "$out/ladder-run.txt" > "$out/ladder.txt"
same_count "$(wc -l < "$out/ladder.txt")" "$(count_packets "$out/lab.pcap")" "ladder vs the file it wrote"
# Every packet of the ladder is on the server's port (a packet of another program,
# caught before the capture's port filter was attached, makes this run worthless).
if grep -v -- ":$port " "$out/ladder.txt" | grep -q .; then
    echo "multi-views.sh: the ladder holds packets of other ports:" >&2
    grep -v -- ":$port " "$out/ladder.txt" >&2
    exit 1
fi
echo
echo "=== ladder: raw-multi --capture lab.pcap server --model epoll; three clients (the [wire] lines)"
cat "$out/ladder.txt"
echo
echo "=== ladder-tshark: tshark -r lab.pcap (the file of that same run)"
tshark -r "$out/lab.pcap" 2>/dev/null

# Lab 3's question 5 in one table: five clients, five conversations, one server port.
port=$(free_port)
"$prog" -qq --capture "$out/five.pcapng" server --model thread --port "$port" 2>/dev/null &
server=$!
wait_listen "$port"
"$prog" -q clients --count 5 --port "$port" > /dev/null
sleep 0.3
kill -TERM "$server"
wait "$server" || true
tshark -r "$out/five.pcapng" -q -z conv,tcp 2>/dev/null > "$out/conv.txt"
if grep -- '<->' "$out/conv.txt" | grep -v -q -- ":$port "; then
    echo "multi-views.sh: the five clients' capture holds other conversations:" >&2
    cat "$out/conv.txt" >&2
    exit 1
fi
echo
echo "=== conversations: five clients, one row per connection"
echo "\$ tshark -r five.pcapng -q -z conv,tcp"
cat "$out/conv.txt"
