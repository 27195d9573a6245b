#!/usr/bin/env bash
# crates/raw-trace/docs/make.sh — remakes docs/trace.md and docs/pt-BR/trace.md from real
# runs of raw-trace on the course's Python scripts (examples/python/), in both languages.
#
#   sudo crates/raw-trace/docs/make.sh     # root for --capture; about 3 minutes: it waits
#                                          # out TIME-WAIT on port 65432 between runs
#
# The pages' text is in trace.en.md.in and trace.pt-BR.md.in, beside this script; each
# @@name@@ there is replaced by the output of one run below. The runs happen in a network
# namespace of their own (unshare --net), on the assignment's ports 65431 and 65432.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ -z "${RAW_TRACE_DOCS_NETNS:-}" ]; then
    cargo build -q -p raw-trace -p raw-tcp
    # A network namespace of our own: the assignment's ports are ours alone there, and
    # nothing else running on this machine shows up in the runs (or takes the ports).
    exec unshare --net env RAW_TRACE_DOCS_NETNS=1 "$0" "$@"
fi
ip link set lo up
rt=target/debug/raw-trace
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export PYTHONUNBUFFERED=1 # each print reaches the terminal when it is made, as on a tty

listening() { # PORT PROTO(t|u): wait (5 s at most) until something listens there
    for _ in $(seq 100); do
        ss -"$2"ln | grep -q ":$1 " && return 0
        sleep 0.05
    done
    echo "nothing listens on $1" >&2
    return 1
}
quiet_port() { # wait (75 s at most) until nothing holds local port 65432 (an old
    # connection in TIME-WAIT, or another program's server: other tests use the port too)
    for _ in $(seq 75); do
        [ -z "$(ss -Htan '( sport = :65432 )')" ] && return 0
        sleep 1
    done
    echo "port 65432 is still held:" >&2
    ss -tan '( sport = :65432 )' >&2
    return 1
}
stop() { # PATTERN: Ctrl-C to that raw-trace, as a terminal would send it
    pkill -INT -f "$1" || true
    sleep 3
}

for lang in en pt-BR; do
    # Lab 1: the server (with the packets) and the client, in two "terminals".
    quiet_port
    pcap=/tmp/echo.pcap; [ "$lang" = en ] || pcap=/tmp/eco.pcap
    $rt --lang "$lang" --capture "$pcap" -- python3 examples/python/echo-server.py \
        >"$out/lab1-server.$lang" 2>&1 &
    listening 65432 t
    $rt --lang "$lang" -- python3 examples/python/echo-client.py >"$out/lab1-client.$lang" 2>&1
    wait
    grep -A3 '^\[pid [0-9]*\] bind(' "$out/lab1-server.$lang" | grep -v '^\[wire\]' | head -4 \
        >"$out/sample.$lang"

    # Lab 2: the UDP server, one line typed into the client, Ctrl-C.
    $rt --lang "$lang" -- python3 examples/python/udp-server.py >"$out/lab2-server.$lang" 2>&1 &
    listening 65431 u
    printf 'Hello, world\n' | $rt --lang "$lang" -- python3 examples/python/udp-client.py \
        >"$out/lab2-client.$lang" 2>&1
    stop "raw-trace --lang $lang -- python3 examples/python/udp-server.py"

    # Lab 3: one idle client, one echo-client.py meanwhile, then Ctrl-C.
    quiet_port
    $rt --lang "$lang" -- python3 examples/python/multi-server.py >"$out/lab3-server.$lang" 2>&1 &
    listening 65432 t
    python3 - <<'PY'
import socket, subprocess, time
idle = socket.create_connection(("127.0.0.1", 65432))
time.sleep(0.5)
subprocess.run(["python3", "examples/python/echo-client.py"], check=True, stdout=subprocess.DEVNULL)
time.sleep(0.5)
idle.close()
PY
    sleep 0.8
    stop "raw-trace --lang $lang -- python3 examples/python/multi-server.py"

    # The restart that SO_REUSEADDR would allow: the server stopped while a client is
    # connected leaves its side in TIME-WAIT; started again at once, bind fails.
    quiet_port
    $rt -qq -- python3 examples/python/echo-server.py >/dev/null 2>&1 &
    listening 65432 t
    python3 - <<'PY' &
import socket
c = socket.create_connection(("127.0.0.1", 65432))
c.settimeout(10)
c.recv(100)  # the server's FIN, when it is stopped
c.close()
PY
    sleep 0.8
    stop "raw-trace -qq -- python3 examples/python/echo-server.py"
    wait
    $rt --lang "$lang" -- python3 examples/python/echo-server.py >"$out/restart.$lang" 2>&1 || true

    # A mistake: the iterative server of the lint tests.
    $rt --lang "$lang" -q -- python3 crates/raw-trace/tests/programs/blocking_server.py \
        >"$out/blocking.$lang" 2>&1
done

python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
for lang, page in [("en", "docs/trace.md"), ("pt-BR", "docs/pt-BR/trace.md")]:
    text = open(f"crates/raw-trace/docs/trace.{lang}.md.in").read()
    for name in ["sample", "lab1-server", "lab1-client", "restart", "lab2-server",
                 "lab2-client", "lab3-server", "blocking"]:
        run = open(f"{out}/{name}.{lang}").read().rstrip("\n")
        text = text.replace(f"@@{name}@@", run)
    assert "@@" not in text, page
    open(page, "w").write(text)
    print("wrote", page)
PY
