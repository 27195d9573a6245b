
## crates/raw-tcp/src/client.rs

tcp-client-received = Received { $readable }
tcp-client-no-luck-with-trying-next = No luck with { $addr }; trying the next address, { $i }.

## crates/raw-core/src/demo.rs (raw-tcp demo)

tcp-demo-kernel-table-proc-net-tcp = Kernel table (/proc/net/tcp, as `ss -tan` shows it): { $local } → { $remote }: { $seen }. The fd is gone but the kernel keeps the connection for 2*MSL (60 s on Linux), so stray late packets cannot be mistaken for a new connection on the same 4-tuple.
tcp-demo-usually-fin-wait-1-here = Usually FIN-WAIT-1 here: our FIN is not acknowledged yet, because Linux delays ACKs (40 to 200 ms) hoping to piggyback them on data. Waiting for that ACK (watching /proc/net/tcp), then looking at the client again.
tcp-demo-server-s-fin-arrived-client = The server's FIN arrived. The client's fd now reads CLOSED: the kernel moved the connection into a small TIME-WAIT entry of its own table.
tcp-demo-tcp-state-timeline-per-socket = TCP state timeline, per socket:

## crates/raw-tcp/src/lab.rs

tcp-lab-tried-connected = tried { $order }: connected to { $last }.
tcp-lab-getaddrinfo-localhost-answered-this-order = getaddrinfo("localhost") answered, in this order: { $answers }
tcp-lab-slowest-write-write-read-with = slowest write-write-read with Nagle: { $ms } ms; with TCP_NODELAY: { $ms2 } ms.
tcp-lab-each-request-reply-took-ms = each request and its reply took: { $as_secs_f64 } ms
tcp-lab-listen-fd-1-clients-finished = listen(fd, 1), { $CLIENTS } clients: { $queued } finished the handshake and waited in the accept queue, { $waiting } stayed in SYN-SENT (their SYN was dropped); accepted in the end: { $total }.
tcp-lab-restarting-port-right-away-first = Restarting on port { $port } right away, first WITHOUT SO_REUSEADDR (this lab leaves it off on purpose, to show the refusal):
tcp-lab-restarting-port-right-away-without = Restarting on port { $port } right away, WITHOUT SO_REUSEADDR:
tcp-lab-kernel-table-time-wait = Kernel table: { $local } → { $remote }: TIME-WAIT
tcp-lab-time-wait-60-s-kept = TIME-WAIT (60 s) is kept by the side that closes first, on that side's own port. When the client closes first, its ephemeral port holds it and the server's port is free; when the server closes first (a server stopped while clients are connected), the server's port holds it, and the kernel will not bind that port again unless both the old socket and the new one set SO_REUSEADDR; that is why every server sets it.
tcp-lab-part-1-client-closes-first = Part 1: the client closes first, as in lab 1.
tcp-lab-part-2-server-closes-first = Part 2: the server closes first (it is stopped while its client is connected).
tcp-lab-same-restart-this-time-with = The same restart, this time WITH SO_REUSEADDR, as every server does:
tcp-lab-tcp-byte-stream-with-no = TCP is a byte stream with no message boundaries: recv returns whatever is there, up to the buffer, so a server must loop on recv (and on send) until it has everything.
tcp-lab-clients-side-from-kernel-s = The clients' side, from the kernel's table, before any accept:
tcp-lab-kernel-completes-handshakes-server-s = the kernel completes handshakes on the server's behalf and queues them for accept, up to the backlog (plus one on Linux); beyond it, it drops SYNs and the clients retry after 1 s, 3 s... A server that accepts slowly makes clients wait before they are even connected.
tcp-lab-nagle-holds-small-segment-while = Nagle holds a small segment while earlier data is unacknowledged, and the receiver delays its ACK (40 ms or more) hoping to piggyback it on a reply; together they stall a request sent in pieces. Send it in one write, or set TCP_NODELAY. (Run with --capture to see the held segment.)
tcp-lab-this-machine-s-resolver-gives = This machine's resolver gives only 127.0.0.1 (see /etc/hosts). Many give ::1 first; trying what such a resolver would answer: [::1], then 127.0.0.1.
tcp-lab-localhost-name-resolver-may-answer = "localhost" is a name, and the resolver may answer ::1 before 127.0.0.1; a server bound to 127.0.0.1 does not listen on ::1, so that first try is refused (RST) and a good client falls back to the next address. Bind to :: (dual stack) or connect to 127.0.0.1 to avoid the detour.

## crates/raw-tcp/src/server.rs

tcp-server-listening-try-raw-tcp-client = Listening on { $bound } — try: raw-tcp client --host { $host } --port { $port }   |   nc { $host } { $port }
tcp-server-iterative-server-forever-one-client = An iterative server (--forever): one client at a time. While one is being served, the next client's handshake still completes (the kernel does it, not accept) and its connection waits in the accept queue. See it as Recv-Q of the LISTEN socket in ss -ltn 'sport = :{ $port }' — to serve several clients at once, see raw-multi (fork, threads, poll, epoll).
tcp-server-received-server-stops-after-serving = { $signal } received: the server stops after serving { $served ->
    [one] 1 client
   *[other] { $served } clients
}; it closes its listening socket and exits 0.
tcp-server-waiting-accept-client-blocks-until = Waiting in accept() for a client (blocks until a handshake completes)...
tcp-server-only-this-client-lost-waiting = Only this client is lost; waiting for the next one.
tcp-client-stdin-failed = cannot read standard input: { $error } — hint: --stdin sends each line typed (or piped) as one message; end it with Ctrl-D.
tcp-client-no-address = the host named no address to connect to — hint: use an IP address (127.0.0.1, ::1) or a name from /etc/hosts. — check: getent ahosts localhost
tcp-lab-time-wait-seen = Client closed first (lab 1's order): TIME-WAIT on the client's port { $client_port }, none on the server's; { $free ->
    [yes] the server's restart without SO_REUSEADDR: bound.
   *[no] yet the server's restart without SO_REUSEADDR failed here.
} Server closed first: { $lingering ->
    [one] 1 connection in TIME-WAIT on the server's port { $port }
   *[other] { $lingering } connections in TIME-WAIT on the server's port { $port }
}; { $refused ->
    [yes] bind without SO_REUSEADDR: EADDRINUSE; with SO_REUSEADDR: bound.
   *[no] yet bind without SO_REUSEADDR succeeded here (no TIME-WAIT left?).
}
tcp-lab-partial-seen = one send of { $sent } bytes arrived in { $reads } recv calls of at most { $buffer } bytes ({ $total } bytes in all).

## crates/raw-tcp/src/states.rs

tcp-lab-states-part-1 = Part 1: one connection, closed the usual way (the client first). Watch the [kernel] lines: SYN-RECEIVED before accept, LAST-ACK between the server's close and the last ACK.
tcp-lab-states-part-2 = Part 2: a simultaneous close, in a network namespace of this process's own. An nftables rule drops the client's first FIN on its way out, so the server's FIN reaches a client still in FIN-WAIT-1 (its own FIN not acknowledged): CLOSING. Then the kernel sends the lost FIN again.
tcp-lab-states-needs-root = Part 2 (CLOSING) needs root: unshare(CLONE_NEWNET) and nftables. Skipped; run it with sudo.
tcp-lab-states-lo-up = Ran: ip link set lo up (the new namespace's loopback, down until now).
tcp-lab-states-fin-dropped = Ran: nft add rule inet raw_sockets_states out tcp sport { $port } tcp flags fin drop: the client's FIN will be dropped once, on its way out.
tcp-lab-states-rule-removed = Ran: nft delete table inet raw_sockets_states. The client's FIN was refused on its way out, so TCP still has it to send: it goes with the client's next segment (here, the ACK of the server's FIN), or when the retransmission timer runs out.
tcp-lab-states-waiting = Waiting for the client's FIN to be sent again and acknowledged (watching /proc/net/tcp, for 3 s at the most).
tcp-lab-states-tool-failed = { $tool } failed ({ $why }): part 2 cannot drop the FIN, so it stops here. Check with: { $check }
tcp-lab-states-seen = States reached in this run: { $seen } ({ $count } of 11).
tcp-lab-states-missing = Not reached this time: { $missing }.
tcp-lab-states-why = Eleven states, as RFC 793 draws them; the kernel passes each only when a call or a packet asks it to. TIME-WAIT is read from the kernel's table (the tracepoint never reports it).
