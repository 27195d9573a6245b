# Shared pieces of the docs scripts (sourced, not run). Everything talks to 127.0.0.1
# only, and every wait is bounded.

# The programs: built once by the caller (scripts/docs.sh builds them all).
bin=${RAW_BIN:-$PWD/target/debug}

# A port that was free a moment ago, for TCP and UDP, above the kernel's ephemeral range
# (ip_local_port_range, 32768-60999 by default): no client of another program gets it
# at connect, so a capture filtered by this port sees only the lab's own packets.
free_port() {
    python3 -c '
import random, socket
low, high = (int(x) for x in open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
ports = [p for p in range(high + 1, 65536) if p not in (65431, 65432)] or list(range(1024, low))
random.shuffle(ports)
for port in ports:
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            s.bind(("127.0.0.1", port))
            s.close()
    except OSError:
        continue
    print(port)
    break
'
}

# Waits (at most 10 s) until something listens on TCP port $1; fails otherwise.
wait_listen() {
    for _ in $(seq 200); do ss -Htln "sport = :$1" | grep -q . && return 0; sleep 0.05; done
    echo "nothing listening on port $1" >&2
    return 1
}

# Waits (at most 10 s) until a UDP socket is bound to port $1.
wait_udp() {
    for _ in $(seq 200); do ss -Huan "sport = :$1" | grep -q . && return 0; sleep 0.05; done
    echo "nothing bound to UDP port $1" >&2
    return 1
}

# start_tshark FILE FILTER: tshark writes every packet on lo matching FILTER to FILE,
# in the background; returns once it says "Capturing on" (at most 30 s). Its pid is
# left in $tshark_pid. stop_tshark stops it and waits for it to write the file.
start_tshark() {
    local err="$1.err"
    tshark -q -i lo -f "$2" -w "$1" 2>"$err" &
    tshark_pid=$!
    for _ in $(seq 300); do
        grep -q "Capturing on" "$err" 2>/dev/null && { sleep 0.2; return 0; }
        sleep 0.1
    done
    echo "tshark did not start capturing: $(cat "$err")" >&2
    return 1
}
stop_tshark() {
    sleep 0.3 # the last packets reach the capture
    kill -INT "$tshark_pid" 2>/dev/null || true
    wait "$tshark_pid" 2>/dev/null || true
}

# Packets in a capture file.
count_packets() { tshark -r "$1" 2>/dev/null | wc -l; }

# Fails loudly unless $1 (a number) equals $2; $3 says what was compared.
same_count() {
    if [ "$1" != "$2" ]; then
        echo "$3: $1 != $2" >&2
        return 1
    fi
}
