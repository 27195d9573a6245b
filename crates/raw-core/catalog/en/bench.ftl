
## crates/bench/src (the raw-bench subcommands)

bench-target = { $what }: { $value } (target { $target }): { $met ->
    [yes] met
   *[no] missed
}{ $detail }
bench-measured-round-trips-per-syscall = measured: { $e } round trips per syscall: with this few clients each io_uring_enter finds few completions to collect
bench-io-uring-syscalls-rt-at = io-uring syscalls/rt at { $top } clients
bench-epoll-python-threads-at-clients = epoll / python threads at { $top } clients
bench-io-uring-epoll-at-clients = io-uring / epoll at { $top } clients
bench-best-ours-tokio-at-clients = best of ours / tokio at { $top } clients
bench-measured-load-generator-ran-core = measured: the load generator ran { $a } { $generator }% / { $b } { $generator2 }% of a core; server CPU per round trip: { $a2 }: { $cpu_us } µs, { $b2 }: { $cpu_us2 } µs; other processes on the machine meanwhile { $others }% / { $others2 }%
bench-clients-never-answered = { $silent } clients never answered
bench-samples-set-aside-other-processes = Samples set aside: { $set_aside } (other processes used more than { $max_others }% of a core meanwhile; each cell was measured again).
bench-server = server
bench-clients = clients
bench-round-trips-s = round trips/s
bench-switches-rt = switches/rt
bench-cpu-s-rt = CPU µs/rt
bench-load-gen = load gen
bench-others = others
bench-raw-bench-costs-b-round = raw-bench costs: { $size } B round trips, closed loop, { $as_secs_f64 } s per cell, median of { $rounds } alternating rounds
bench-no-server-named = no server named { $name }: { $subjects }
bench-bulk-echo-64-kib-writes = bulk echo 64 KiB writes: { $gb } GB/s (iperf3 is not installed: apt-get install iperf3)
bench-bulk-echo-64-kib-writes-2 = bulk echo 64 KiB writes: { $gb } GB/s; iperf3 one-way: { $gb2 } GB/s; ratio { $ratio }
bench-clients-closed-loop = { $clients } clients (closed loop)
bench-round-trips-s-2 = round trips/s
bench-b-ours-vs-sockperf = { $proto } { $size } B, ours vs sockperf
bench-round-trip-s-full-rtt = round trip, µs (full RTT)
bench-ours-p50 = ours p50
bench-ratio = ratio
bench-ours-p99 = ours p99
bench-clients-2 = { $server_name } { $established } clients, { $mode }
bench-open-loop-s = open loop { $r }/s
bench-note-server-started-here-serves = note: the server started here serves at most { $SERVE_MAX_CLIENTS } clients at once (--max-clients); the others wait in its accept queue, or for room in it.
bench-measuring-s-from-now = Measuring for { $as_secs_f64 } s from now.
bench-meanwhile-this-machine-s-kernel = {" "} Meanwhile this machine's kernel counted { $listen_overflows } accept-queue overflow(s) (TcpExtListenOverflows) and retransmitted { $retransmitted } segment(s): the server's accept queue was full — its listen() backlog is smaller than the number of clients connecting at once, or it accepts too slowly.
bench-failed = {" "} { $failed } failed ({ $first_errno }).
bench-still-had-no-answer-after = {" "} { $timed_out } still had no answer after { $as_secs_f64 } s (--connect-timeout) and were given up; measuring with the { $established } that connected.
bench-them-took-over-1-s = {" "} { $slow } of them took over 1 s: their first SYN went unanswered and was sent again when the 1 s retransmission timer ran out.
bench-connect-connection-s-made-s = connect: { $established } of { $wanted } connection(s) made in { $seconds } s.
bench-no-round-trip-completed-s = no round trip completed in { $as_secs_f64 } s: { $established } connection(s) were made, but none got its { $size } bytes back — hint: is { $addr } an echo server that answers every client at once? One that serves one client at a time, or never reads, leaves the others waiting. — check: ss -tn 'sport = :{ $port }' (Recv-Q: bytes that arrived and the server has not read)
bench-no-round-trip-completed-s-2 = no round trip completed in { $as_secs_f64 } s: { $errors } datagram(s) went unanswered (each waited 1 s). Is an echo server running at { $addr } — check: ss -uanp 'sport = :{ $port }'
bench-warning-connection-s-completed-no = warning: { $silent_clients } connection(s) completed no round trip in the window: the server never answered them (still in its accept queue, or it serves one client at a time). The figures above come from the others only.
bench-round-trips-s-lost-p50 = { $label }: { $round_trips } round trips ({ $per_second }/s, { $errors } lost) p50 { $f } µs  p90 { $f2 }  p99 { $f3 }  p99.9 { $f4 }  max { $f5 }
bench-check-nstat-az-tcpextlistenoverflows-tcpextliste = {" "} check: nstat -az TcpExtListenOverflows TcpExtListenDrops
bench-closed-loop = closed loop
bench-sockperf-not-installed-apt-get = {" "} sockperf is not installed: apt-get install sockperf
bench-note-python3-not-installed-so = note: python3 is not installed, so the Python reference is left out: apt-get install python3
bench-no-quiet-sample-other-processes = no quiet sample: other processes competed in every one
bench-no-server-listening = no server listening on port { $port } after 10 s — hint: the server process did not start or died at once — check: ss -tulnp 'sport = :{ $port }'
bench-reader-panicked = the thread that reads the replies stopped with a panic: the measurement is lost — hint: run it again; if it repeats, report it with the command line
bench-no-report = { $model }: raw-bench serve wrote no report when stopped — hint: did it exit cleanly on SIGTERM? — check: { $exe } serve --kind multi --model { $model } --port 0 --report /tmp/r.json
bench-no-python = python3 is not installed: the Python reference cannot run — hint: apt-get install python3
bench-unknown-kind = unknown server kind { $kind } — hint: use tcp, udp, multi or tokio
