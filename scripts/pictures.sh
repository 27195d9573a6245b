#!/usr/bin/env bash
# The pictures of the docs: each lab's real run drawn as a sequence diagram (--svg)
# and saved as a step-by-step replay page (--html), in English (docs/img/) and in
# Portuguese (docs/pt-BR/img/). Needs root (or CAP_NET_RAW) for the packets.
# Talks only to 127.0.0.1.
#   scripts/pictures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p raw-tcp -p raw-udp -p raw-multi
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

for lang in en pt-BR; do
    if [ "$lang" = en ]; then out=docs/img; else out=docs/pt-BR/img; fi
    mkdir -p "$out"
    pics() { echo --svg "$out/$1.svg" --html "$out/$1.html"; }
    # shellcheck disable=SC2046
    "$bin/raw-tcp" --lang "$lang" demo $(pics tcp-demo) > /dev/null
    "$bin/raw-udp" --lang "$lang" demo $(pics udp-demo) > /dev/null
    for lab in time-wait backlog nagle; do
        "$bin/raw-tcp" --lang "$lang" lab "$lab" $(pics "tcp-lab-$lab") > /dev/null
    done
    "$bin/raw-udp" --lang "$lang" lab refused $(pics udp-lab-refused) > /dev/null
    # Lab 3: a threaded server and five clients of another process (nc).
    port=$(free_port)
    "$bin/raw-multi" --lang "$lang" server --model thread --port "$port" $(pics multi-5-clients) > /dev/null &
    server=$!
    for _ in $(seq 50); do ss -ltn "sport = :$port" | grep -q LISTEN && break; sleep 0.1; done
    for i in 1 2 3 4 5; do printf 'Hello, world %s' "$i" | timeout 3 nc -q 1 127.0.0.1 "$port" > /dev/null & sleep 0.05; done
    wait_clients=$(jobs -p | grep -v "^$server\$" || true)
    for pid in $wait_clients; do wait "$pid" || true; done
    kill -INT "$server"; wait "$server" || true
done
# The replay pages embed the source excerpts of this checkout: no absolute paths.
ls -la docs/img docs/pt-BR/img
