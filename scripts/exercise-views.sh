#!/usr/bin/env bash
# The answers of docs/exercises.md (and docs/pt-BR/exercicios.md), from real runs of
# the current code: each "=== NAME: what" section fills the page's <!-- begin:NAME -->
# block (scripts/fill-docs.py); each starts with the command a student types to check
# the answer. Needs root (for --capture). Talks only to 127.0.0.1. Called by
# scripts/docs.sh:
#   scripts/exercise-views.sh [--lang pt-BR] > views.txt
set -euo pipefail
cd "$(dirname "$0")/.."
lang=en
if [ "${1:-}" = --lang ]; then lang=$2; fi
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
[ -x "$bin/raw-tcp" ] && [ -x "$bin/raw-udp" ] && [ -x "$bin/raw-multi" ] ||
    cargo build -q -p raw-tcp -p raw-udp -p raw-multi
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT
tcp=$bin/raw-tcp
udp=$bin/raw-udp
multi=$bin/raw-multi
# The summary a lab prints at its end: from the ────── line on.
summary() { sed -n '/^──────────/,$p'; }

# ---- lab 1 -------------------------------------------------------------------------
port=$(free_port)
"$tcp" --lang "$lang" --capture "$out/start.pcapng" server --port "$port" > "$out/start.txt" 2>&1 &
server=$!
wait_listen "$port"
sleep 0.3
kill -INT "$server"
wait "$server" || true
echo "=== ex-listen-packets: the server started, then stopped with Ctrl-C before any client"
echo "\$ sudo target/debug/raw-tcp --capture start.pcapng server --port $port      # then Ctrl-C"
grep -E '^(SIGINT|close\(|[0-9]+ (packets|pacotes))' "$out/start.txt" | sed "s#$out/##g"
echo

for lab in time-wait backlog partial nagle; do
    echo "=== ex-$lab: raw-tcp lab $lab, its summary"
    echo "\$ target/debug/raw-tcp lab $lab"
    "$tcp" --lang "$lang" lab "$lab" 2>&1 | summary
    echo
done

# ---- lab 2 -------------------------------------------------------------------------
port=$(free_port)
"$udp" --lang "$lang" -q server --port "$port" > /dev/null 2>&1 &
server=$!
wait_udp "$port"
echo "=== ex-udp-unconn: ss while the UDP server waits"
echo "\$ ss -uan 'sport = :$port'"
ss -uan "sport = :$port" | sed 's/ *$//'
kill -TERM "$server"
wait "$server" || true
echo

port=$(free_port)
echo "=== ex-udp-timeout: an unconnected UDP client, no server"
echo "\$ target/debug/raw-udp -q client --port $port --message hi"
"$udp" --lang "$lang" -q client --port "$port" --message hi 2>&1 || true
echo
echo "=== ex-udp-refused: the same, connected"
echo "\$ target/debug/raw-udp -q client --connect --port $port --message hi"
"$udp" --lang "$lang" -q client --connect --port "$port" --message hi 2>&1 || true
echo
echo "=== ex-udp-emsgsize: one byte more than a UDP datagram can carry over IPv4"
printf '%s\n' "\$ target/debug/raw-udp -q client --port $port --message \"\$(head -c 65508 /dev/zero | tr '\\0' x)\""
"$udp" --lang "$lang" -q client --port "$port" --message "$(head -c 65508 /dev/zero | tr '\0' x)" 2>&1 || true
echo
echo "=== ex-boundaries: raw-udp lab boundaries, its summary"
echo "\$ target/debug/raw-udp lab boundaries"
"$udp" --lang "$lang" lab boundaries 2>&1 | summary

# ---- lab 3 -------------------------------------------------------------------------
for model in fork thread; do
    port=$(free_port)
    "$multi" --lang "$lang" -qq server --model "$model" --port "$port" > /dev/null 2>&1 &
    server=$!
    wait_listen "$port"
    "$multi" -q clients --count 3 --port "$port" --hold 2 > /dev/null &
    clients=$!
    sleep 1
    echo
    if [ "$model" = fork ]; then
        echo "=== ex-fork-ps: the fork server's processes while three clients are connected"
        echo "\$ ps -o pid,ppid,stat,comm --ppid $server -p $server"
        ps -o pid,ppid,stat,comm --ppid "$server" -p "$server"
    else
        echo "=== ex-thread-ps: the thread server's threads while three clients are connected"
        echo "\$ ps -L -o pid,lwp,stat,comm -p $server"
        ps -L -o pid,lwp,stat,comm -p "$server"
    fi
    wait "$clients"
    kill -TERM "$server"
    wait "$server" || true
done

for lab in zombies port-change; do
    echo
    echo "=== ex-$lab: raw-multi lab $lab, its summary"
    echo "\$ target/debug/raw-multi lab $lab"
    "$multi" --lang "$lang" lab "$lab" 2>&1 | summary
done
