
## crates/raw-multi/src/clients.rs

multi-clients-client = client
multi-clients-local-ephemeral = local (ephemeral)
multi-clients-remote = remote
multi-clients-reply = reply
multi-clients-holding-connections-open-s = Holding the connections open for { $secs } s…
multi-clients-each-connection-got-own-ephemeral = Each connection got its own ephemeral local port from the kernel; the server's port is the same for all. Together, (local IP, local port, remote IP, remote port) is unique per connection.

## crates/raw-multi/src/lab.rs

multi-lab-before-reaping-after = { $before ->
    [one] 1 zombie
   *[other] { $before } zombies
} before reaping; { $after ->
    [one] 1 zombie
   *[other] { $after } zombies
} after.
multi-lab-proc-no-children-left = {" "} /proc: no children left
multi-lab-proc-child-state = {" "} /proc: child { $pid }, state { $state }{ $zombie ->
    [yes] {" "}<defunct> (a zombie)
   *[no] {" "}
}
multi-lab-sockets-server-s-port-listen = { $server_side } sockets on the server's port { $port } ({ $listening } LISTEN + { $established } ESTABLISHED); { $ephemeral } different client ports: { $ephemeral2 }.
multi-lab-kernel-s-table-this-port = The kernel's table for this port (as ss -tan shows it):
multi-lab-accept-gives-each-connection-new = accept gives each connection a new socket on the same local port; the port that differs is the client's, chosen by its kernel at connect. Connections are told apart by the whole 4-tuple.
multi-lab-without-waitpid-children-have-exited = Without waitpid: the children have exited, but the kernel keeps each one's exit status until the parent collects it.
multi-lab-now-reaping-waitpid-1-wnohang = Now reaping: waitpid(-1, WNOHANG) in a loop, as the fork server does on each SIGCHLD.
multi-lab-exited-child-keeps-process-table = an exited child keeps its process-table entry until the parent waits for it. A server reaps in a waitpid(WNOHANG) loop (signals do not queue); its SIGCHLD handler only sets a flag, since printing is not async-signal-safe.

## crates/raw-multi/src/models/event_loop.rs

multi-event-loop-idle-too-long-idle-timeout = { $peer }: idle too long (--idle-timeout): dropping this client.
multi-event-loop-only-this-connection-ends = Only this connection ends.
multi-event-loop-not-watching-listener-100-ms = Not watching the listener for 100 ms; the clients already connected are still served.
multi-event-loop-server-goes-accepting = The server goes on accepting.

## crates/raw-multi/src/models/fork.rs

multi-fork-this-client-dropped = This client is dropped.

## crates/raw-multi/src/models/io_uring.rs

multi-io-uring-not-accepting-100-ms-clients = Not accepting for 100 ms; the clients already connected are still served.

## crates/raw-multi/src/models/mod.rs

multi-reached-clients-are-being-served = { $option } { $max } reached: { $max } clients are being served; new ones wait in the kernel's accept queue (the listen backlog) until one of them leaves.
multi-connections-each-worker-got-from = Connections each worker got from the kernel: { $shares }.
multi-summary = Summary: { $connections ->
    [one] 1 connection served
   *[other] { $connections } connections served
}; { $bytes ->
    [one] 1 byte echoed
   *[other] { $bytes } bytes echoed
}.
multi-rlimit-nofile-raised-hard-limit = RLIMIT_NOFILE raised to the hard limit (every client is a file descriptor): { $soft } → { $hard }.
multi-connection-fd-same-local-port = Connection fd { $fd }: { $local } ↔ { $peer }. Same local port as the listener; the client's side is a new ephemeral port. The kernel tells connections apart by this 4-tuple.
multi-listening-model-try-raw-multi = Listening on { $bound } (model { $name }) — try: raw-multi clients --count 5 --port { $port }
multi-backing-off-100-ms-clients = Backing off 100 ms; the clients already connected are still served.

## crates/raw-multi/src/models/prefork.rs

multi-prefork-silent-since-connected-longer-than = { $peer }: silent since it connected, longer than the idle timeout (--idle-timeout, 5 s by default for prefork): dropped at once, so the clients behind it in the accept queue get a child.
multi-prefork-this-child-stops = This child stops.

## crates/raw-multi/src/models/reuseport.rs

multi-reuseport-one-worker-fewer-listening-socket = One worker fewer: its listening socket is closed, and the kernel spreads the connections among the others.

## crates/raw-multi/src/models/select.rs

multi-select-fd-select-can-only-watch = fd { $fd }: select() can only watch fds below FD_SETSIZE (1024): this client is refused and closed. The poll and epoll models have no such ceiling.

## crates/raw-multi/src/models/thread.rs

multi-thread-no-thread-this-client-connection = No thread for this client: its connection is closed; the others are still served.

## crates/raw-multi/src/sockets.rs

multi-sockets-listen-established-with-local-port = { $listening } LISTEN, { $established } ESTABLISHED with local port { $port }. Every accepted connection keeps the server's port; only the peer's port differs. The kernel matches each packet to a socket by the 4-tuple.
multi-sockets-state = State
multi-sockets-local = Local
multi-sockets-peer = Peer
multi-sockets-process = Process
