#!/usr/bin/env bash
# Real outputs for docs/multi.md: each server model's narration while two clients
# echo, then three clients held open seen by `raw-multi sockets` and by tshark.
# Needs root (or capture rights) and tshark. Talks only to 127.0.0.1.
#   scripts/multi-views.sh [--lang pt-BR] > /tmp/multi-views.txt
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p raw-multi
bin=target/debug/raw-multi
out=$(mktemp -d)
trap 'rm -rf "$out"; kill $(jobs -p) 2>/dev/null || true' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_listen() { for _ in $(seq 100); do ss -Htln "sport = :$1" | grep -q . && return; sleep 0.05; done; }

for model in fork thread select poll epoll; do
    port=$(free_port)
    "$bin" "$@" server --model "$model" --port "$port" > "$out/$model.txt" 2>&1 &
    server=$!
    wait_listen "$port"
    "$bin" -q clients --count 2 --port "$port" > /dev/null
    sleep 0.3
    kill -TERM "$server"; wait "$server" || true
    echo "=== model $model (raw-multi server --model $model; raw-multi clients --count 2)"
    cat "$out/$model.txt"
    echo
done

port=$(free_port)
"$bin" -qq server --model epoll --port "$port" 2>/dev/null &
server=$!
wait_listen "$port"
tshark -q -i lo -f "tcp port $port" -w "$out/multi.pcap" 2>"$out/tshark.err" &
tshark_pid=$!
for _ in $(seq 50); do grep -q "Capturing on" "$out/tshark.err" 2>/dev/null && break; sleep 0.1; done
"$bin" "$@" clients --count 3 --port "$port" --hold 2 > "$out/clients.txt" &
clients=$!
sleep 1
echo "=== raw-multi sockets --port $port (while 3 clients are connected)"
"$bin" "$@" sockets --port "$port"
wait "$clients"
echo
echo "=== raw-multi clients --count 3 --port $port --hold 2 (table)"
sed -n '/^client /,$p' "$out/clients.txt" | grep -v '^\[' || true
sleep 0.5
kill -INT "$tshark_pid"; wait "$tshark_pid" || true
kill -TERM "$server"; wait "$server" || true
echo
echo "=== tshark -r multi.pcap -Y 'tcp.flags.syn == 1'"
tshark -r "$out/multi.pcap" -Y 'tcp.flags.syn == 1' 2>/dev/null

# Our own capture: the ladder the server prints for three clients, and tshark's
# reading of the file it wrote.
port=$(free_port)
"$bin" "$@" --capture "$out/ours.pcap" server --model epoll --port "$port" > "$out/ladder-run.txt" 2>&1 &
server=$!
wait_listen "$port"
"$bin" -q clients --count 3 --port "$port" > /dev/null
sleep 0.3
kill -TERM "$server"; wait "$server" || true
echo
echo "=== ladder (raw-multi --capture lab.pcap server --model epoll; 3 clients)"
grep '^\[wire\]' "$out/ladder-run.txt"
echo
echo "=== tshark -r lab.pcap"
tshark -r "$out/ours.pcap" 2>/dev/null
