
## crates/raw-udp/src/client.rs

udp-client-received = Received: { $readable }
udp-client-ignored-datagram-from-not-server = Ignored a datagram from { $from }: not the server we asked.
udp-client-sent = Sent: { $readable }
udp-client-message = Message:

## crates/raw-udp/src/demo.rs

udp-demo-strace-also-shows-getsockopt-tcp = (strace also shows the { $looks } getsockopt(TCP_INFO) calls the narration adds to read each TCP state: they are not part of the exchange and are not counted below.)
udp-demo-no-listen-no-accept-nothing = No listen(), no accept(): nothing waits for connections, because there are none.
udp-demo-now-same-message-over-tcp = Now the same message over TCP (the raw-tcp demo, strace lines only):
udp-demo-syscalls-this-run = syscalls in this run
udp-demo-payload-bytes-each-way = payload bytes each way
udp-demo-connection-set-up = connection set-up
udp-demo-none = none
udp-demo-teardown = teardown
udp-demo-none-2 = none
udp-demo-message-boundaries = message boundaries
udp-demo-kept-one-sendto-one-recvfrom = kept: one sendto = one recvfrom
udp-demo-none-byte-stream = none: a byte stream
udp-demo-lost-data = lost data
udp-demo-gone-app-must-retry = gone; the app must retry
udp-demo-retransmitted-by-kernel = retransmitted by the kernel
udp-demo-server-sockets = server sockets
udp-demo-1-every-client = 1 for every client
udp-demo-1-listening-1-per-client = 1 listening + 1 per client
udp-demo-packets-wire = packets on the wire
udp-demo-see-docs-udp-md-tshark = see docs/udp.md (tshark)
udp-demo-see-docs-tcp-md-tshark = see docs/tcp.md (tshark)
udp-demo-udp-versus-tcp-same-message = UDP versus TCP, the same message:

## crates/raw-udp/src/hardening.rs

udp-hardening-rate-limiter-already-keeps-bucket = Ignored a datagram from { $from }: the rate limiter already keeps a bucket for { $sources } sources, all active in the last second (a flood of forged sources?). New sources are not answered until old buckets are full again, so memory stays bounded. Said once until there is room.
udp-hardening-rate-limit-reached-source-bucket = Rate limit reached for source { $ip }: its bucket is empty (tokens drip back in at { $per_second } per second). Not answering; its next datagrams are dropped without another word until the bucket is full again. An echo service must not become a traffic amplifier, nor bounce one datagram forever with another echo service.
udp-hardening-source-port-0-invalid-ports = Ignored a datagram from { $from }: source port 0 is invalid and ports 7, 9, 13, 17, 19 and 37 are classic UDP services that answer back; replying could start an endless echo loop or answer a spoofed source.
udp-hardening-source-this-machine-at-our = Ignored a datagram from { $from }: the source is this machine at our own port: it was forged (or another server shares our port). Answering would send the reply to ourselves; we would answer that too, and one datagram would loop forever at 100% CPU.
udp-hardening-rate-limit-at-most-replies = Rate limit: at most { $per_second } replies per second to each source address, in bursts of up to { $per_second2 } (a token bucket per source; --rate-limit changes it). Datagrams from this machine at our own port, and from source ports 0, 7, 9, 13, 17, 19 and 37, are never answered.
udp-hardening-warning-rate-limit-0-turns = warning: --rate-limit 0 turns the per-source rate limit off. Anyone who forges a source address can now use this server as a traffic amplifier against a victim, or bounce one datagram forever between it and another echo service (CERT CA-1996-01). Run it like this only where no one else can reach it.

## crates/raw-udp/src/lab.rs

udp-lab-no-server-connected-socket-unconnected = no server on { $nobody }: connected socket: { $name }, unconnected socket: { $name2 }.
udp-lab-udp-keeps-message-boundaries-each = UDP keeps message boundaries (each datagram is read whole, or cut); TCP is a byte stream, so the receiver must frame messages itself.
udp-lab-kernel-answers-datagram-closed-port = the kernel answers a datagram to a closed port with ICMP port-unreachable; only a connected UDP socket has a peer to match it to, so only it reports ECONNREFUSED. The unconnected one just times out (EAGAIN).

## crates/raw-udp/src/server.rs

udp-server-received-server-stops-after-closes = { $signal } received: the server stops after { $served ->
    [one] 1 reply
   *[other] { $served } replies
}; it closes its socket and exits 0.
udp-server-waiting-datagrams-udp-try-raw = Waiting for datagrams on { $bound } (UDP) — try: raw-udp client --port { $port }   |   nc -u { $ip } { $port2 }
udp-server-no-listen-no-accept-udp = No listen() and no accept(): UDP has no connections, no handshake and no state. This one socket receives every client's datagrams, and recvfrom tells us who sent each.
udp-server-not-answering-cut-datagram-echoing = Not answering a cut datagram: echoing part of it would pass a cut message off as whole.
udp-server-only-this-reply-lost-server = Only this reply is lost; the server goes on.
udp-lab-boundaries-seen = UDP: two datagrams of { $first } + { $second } bytes, two receives; a { $real }-byte datagram read into a 5-byte buffer was cut, and MSG_TRUNC still reported { $real }. { $merged_all ->
    [yes] TCP: the same two sends arrived in one recv of { $merged } bytes.
   *[no] TCP: this time the first recv returned { $merged } of the { $both } bytes (a stream may split or merge sends, as it likes).
}
