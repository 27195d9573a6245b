# What each syscall means, one sentence per meaning: said by the labs' steps after their
# own calls and by raw-trace after the calls of any program it traces. Variables hold
# only what the call's strace line shows.

## socket, setsockopt

sys-socket = The kernel made a new socket, not yet tied to a local address or a destination; nothing on the wire. Its file descriptor is { $fd }.
sys-reuseaddr-tcp = SO_REUSEADDR on: bind may reuse a port whose old connections still sit in TIME-WAIT.
sys-reuseaddr-udp = SO_REUSEADDR on, as the assignment's server does. UDP has no TIME-WAIT; on Linux this even lets a second UDP socket that also sets it bind the same port (then only one of them gets each datagram).
sys-v6only-on = IPV6_V6ONLY on: IPv6 clients only.
sys-v6only-off = IPV6_V6ONLY off: this IPv6 socket also takes IPv4 clients; they will show as ::ffff:a.b.c.d (IPv4-mapped IPv6 addresses).
sys-nodelay = TCP_NODELAY on: small writes leave at once (no Nagle delay); accepted sockets inherit it.
sys-rcvtimeo = A receive timeout: a blocking recv gives up with EAGAIN instead of waiting forever.
sys-sndtimeo = A send timeout; for TCP it also bounds how long connect() waits for the handshake.
sys-reuseport = SO_REUSEPORT on: other sockets that also set it may bind the very same address and port; the kernel then spreads the incoming connections among their listen queues (by a hash of each connection's 4-tuple).
sys-setsockopt-other = Option { $option } set on this socket: the kernel changes how it treats it; no packets.
sys-getsockopt = The program asked the kernel for this socket's { $option }; nothing changes, no packets.
sys-so-error = { $value ->
    [0] SO_ERROR is 0: the connection attempt succeeded (the handshake is complete).
   *[other] SO_ERROR is { $value }: the connection attempt failed with this errno number.
}

## bind, getsockname, listen, accept, connect

sys-bind = Bound: the socket now owns { $addr }. Still no packets.
sys-bind-port-zero = Bound to { $ip }, port 0: port 0 asks the kernel to choose a free port, and it chose one now; getsockname shows which. Still no packets.
# $from: bind-zero (bind asked for port 0), connect or first-send (an implicit bind),
# accept (an accepted connection), other (nothing to add). $wildcard: yes or no.
sys-getsockname = The kernel says this socket's local address is { $addr }.{ $from ->
    [bind-zero] {" "}Because bind asked for port 0, the kernel chose this free port, { $port }, right then.
    [connect] {" "}This socket never called bind: the kernel chose the local address and a free (ephemeral) port by itself at connect, an implicit bind.
    [first-send] {" "}This socket never called bind: the kernel chose a free (ephemeral) port at its first sendto, an implicit bind.
    [accept] {" "}An accepted connection has the listener's local port.
   *[other] {""}
}{ $wildcard ->
    [yes] {" "}The wildcard address means 'any of this machine's addresses': what is sent to any of them, on this port, reaches this socket.
   *[no] {""}
}
sys-getpeername = The kernel says the other end of this socket is { $addr }.
sys-listen = Listening: the kernel now completes TCP handshakes for this port by itself and queues finished connections for accept(); queue length { $backlog }.
# $mapped: yes when the peer is an IPv4 client seen through a dual-stack IPv6 socket.
sys-accept = Connected by { $peer }. A new socket for this client only: fd { $fd }; the listening fd { $listener } stays in LISTEN, on the same port.{ $mapped ->
    [yes] {" "}The peer is an IPv4 client seen through a dual-stack IPv6 socket, so the kernel writes its address as ::ffff:a.b.c.d.
   *[no] {""}
}
sys-accept-unnamed = A client connected (the program did not ask for its address). A new socket for this client only: fd { $fd }; the listening fd { $listener } stays in LISTEN, on the same port.
sys-silent-since-connect = { $silent ->
    [no] The client has sent data already (tcpi_bytes_received > 0): it waits unread.
   *[yes] The client has sent nothing since its handshake, { $ms } ms ago (tcpi_last_data_recv), time it spent waiting in the accept queue.
}
sys-connect-tcp = Connected to { $addr }: SYN →, ← SYN-ACK, ACK →. The handshake is complete.
sys-connect-udp = UDP 'connect' to { $addr }. No packet is sent: the kernel only records a default destination, filters datagrams from anyone else, and reports ICMP errors (ECONNREFUSED) to us.
sys-connect-in-progress = In progress: the socket is non-blocking, so connect returned at once; the SYN is out and the handshake goes on without the program. It waits until the socket is writable (poll), then reads SO_ERROR for the result.
sys-socket-not-ip = The kernel made a new socket, fd { $fd }: an { $family } socket, not an IP one. Nothing it carries reaches the network (the C library uses such sockets to ask local services: AF_NETLINK for this machine's addresses, AF_UNIX for nscd).
sys-not-ip = An { $family } socket, not an IP one: nothing it carries reaches the network (the C library uses such sockets to ask local services: AF_NETLINK for this machine's addresses, AF_UNIX for nscd).

## send, recv, datagrams

sys-send = Sent { $count } bytes (copied into the kernel's send buffer; TCP delivers them).
sys-send-short = Short write: the kernel took { $count } of { $offered }; the rest must be sent later.
sys-recv = Received { $count } bytes: { $data }
sys-recv-shown = Received { $count } bytes; strace shows the first { $shown }: { $data }...
sys-recv-eof = 0 bytes: end of stream. The peer sent FIN (it closed or shut down its side); nothing more will arrive.
sys-nothing-to-read = Would block: nothing has arrived yet on this non-blocking socket; the program must wait (poll) and try again.
sys-datagram-in = One datagram: { $count } bytes from { $from }: { $data }
sys-datagram-in-truncated = TRUNCATED: the datagram had { $real } bytes but the buffer holds { $offered }: the kernel dropped the rest (MSG_TRUNC told us).
# $from is empty when the call's line names no sender (a connected socket); $cut: yes
# when strace shows only the beginning.
sys-datagram-in-seen = One datagram: { $count } bytes { $from ->
    [none] from the connected peer
   *[other] from { $from }
}: { $data }{ $cut ->
    [yes] ...
   *[no] {""}
}
sys-datagram-out = { $to ->
    [none] One datagram of { $count } bytes. No handshake, no acknowledgement: the kernel sends it and forgets it.
   *[other] One datagram of { $count } bytes → { $to }. No handshake, no acknowledgement: the kernel sends it and forgets it.
}

## shutdown, close

sys-shutdown-write = Our side is done sending: the kernel sends FIN. We can still receive.
sys-shutdown-read = Our side will read no more: recv now returns 0. No packet is sent.
sys-shutdown-both = Both directions shut: the kernel sends FIN, and recv now returns 0.
sys-shutdown-both-wakes = Both directions shut: the thread blocked in recv on this socket wakes up with 0 (end of stream).
sys-close-listener = The listening socket is closed: the port stops accepting (a new SYN gets RST), and connections still waiting in the accept queue are reset.
sys-close-tcp = The fd is released; the kernel itself completes the connection's close.
sys-close-udp = The fd is released. UDP has no connection to close: no packet, no TIME-WAIT.
sys-close = The fd is released.

## failures

# $errno is the errno's name (ECONNREFUSED), $text strace's text for it.
sys-failed = Failed: { $errno } ({ $text }).
sys-failed-expected = Failed: { $errno } ({ $text }). { $why }
sys-accept-aborted = The client gave up while queued: harmless, calling accept again.
sys-accept-would-block = Would block: no more finished connections in the queue right now.
sys-accept-interrupted = Interrupted by a signal before a client arrived.
sys-send-would-block = Would block: the send buffer is full; keep the rest and wait until the socket is writable.
sys-send-epipe = The peer is gone: MSG_NOSIGNAL spared us the SIGPIPE.
sys-wait-no-child = No child left to wait for: every child has been reaped.
sys-recv-interrupted = Interrupted by a signal: the program gets EINTR (strace shows the kernel's ERESTARTSYS, since the handler was installed without SA_RESTART).
sys-ended-inside = The process ended inside this call (killed, or another thread ended the process): it never returned.

## poll, select, epoll_wait

# $watched: how many fds the call was given (poll's nfds).
sys-waited = { $ready ->
    [0] { $syscall }: the time ran out and no fd was ready.
   *[other] { $syscall ->
        [poll] poll: the kernel checked all { $watched } entries; { $ready } ready.
        [select] select: the kernel checked every fd in both bitmaps; { $ready } ready.
        [pselect6] pselect6: the kernel checked every fd in both bitmaps; { $ready } ready.
        [epoll_wait] { $ready } ready: epoll_wait returns only the ready sockets, however many are idle.
        [epoll_pwait] { $ready } ready: epoll_pwait returns only the ready sockets, however many are idle.
       *[other] { $syscall }: { $ready } of the watched fds ready; the program can now use { $ready ->
            [one] it
           *[other] them
        } without blocking.
    }
}

## processes and threads

sys-forked = A new process, pid { $child }: a copy of this one, with a copy of every open file descriptor, sockets included. fork returns the child's pid here, in the parent, and 0 in the child. When the child ends, its parent must reap it with wait, or it stays a zombie.
sys-thread-created = A new thread, { $tid }: it shares this process's memory and file descriptors (the very same sockets).
# $how: exited (with $code), signaled (by $signal) or other.
sys-reaped = Child { $child } { $how ->
    [exited] exited with status { $code }
    [signaled] was ended by { $signal }
   *[other] changed state
} and is reaped: the kernel frees its entry in the process table, so no zombie is left.
sys-nothing-reaped = 0: children remain, but none has ended; with WNOHANG the call returns at once instead of waiting.
sys-tgkill = { $signal } sent to thread { $tid } only: its blocked call returns EINTR, and it sees that the server stops.

## io_uring

sys-uring-setup = A new io_uring, fd { $fd }: a queue of { $sq } requests we write and a queue of { $cq } completions the kernel writes, both in memory this process shares with the kernel. From now on accept, recv, send and close are requests written there, not syscalls: strace will see only io_uring_enter.
sys-uring-buf-ring = A ring of { $entries } buffers of { $size } bytes, registered as buffer group 0: when data arrives on any connection, the kernel takes a buffer from here and says which in the completion. A silent client ties up no buffer; giving one back is a store to shared memory, no syscall.
sys-sqe-accept-multishot = Queued, no syscall yet: one request that accepts every connection that arrives, one completion each (multishot), until cancelled.
sys-sqe-accept = Queued, no syscall yet: accept one connection (one at a time: close to --max-clients, a multishot accept could take the whole backlog at once).
sys-sqe-recv-multishot = Queued, no syscall yet: receive on this connection every time data arrives, into a buffer the kernel picks from the ring (multishot).
sys-sqe-send = Queued, no syscall yet: send these bytes back; the ring keeps them until the completion says how many went.
sys-sqe-close = Queued, no syscall yet: close this connection (FIN to the client).
sys-sqe-cancel = Queued, no syscall yet: cancel that armed request; its last completion will say ECANCELED.
sys-uring-enter = { $want ->
    [0] The one syscall: the kernel took the { $submitted } queued { $submitted ->
        [one] request
       *[other] requests
    }, without waiting for completions.
   *[other] The one syscall: the kernel took the { $submitted } queued { $submitted ->
        [one] request
       *[other] requests
    } and this thread slept until a completion was posted. Every accept, recv, send and close below happened inside it, unseen by strace.
}
# $more: yes while the request stays armed (IORING_CQE_F_MORE).
sys-cqe-failed = Failed: { $errno } ({ $text }). { $more ->
    [yes] The request stays armed.
   *[no] The request is over (no IORING_CQE_F_MORE).
}
sys-cqe-accept = A connection accepted on { $fd }: the kernel made socket fd { $new }.{ $more ->
    [yes] {" "}Still armed (IORING_CQE_F_MORE).
   *[no] {""}
}
sys-cqe-recv = { $count } bytes received into a buffer of the ring; we copy them out and give the buffer back.{ $more ->
    [yes] {" "}Still armed (IORING_CQE_F_MORE).
   *[no] {""}
}
sys-cqe-recv-eof = 0 bytes: the client closed its side (FIN). The multishot recv ends.
sys-cqe-send = { $count } bytes sent back, all of them.
sys-cqe-send-short = { $count } of { $offered } bytes sent (a short send): the rest goes in the next request.
sys-cqe-close = Closed: the kernel sends FIN; the fd number is free again.
sys-cqe-cancel = The request was found and cancelled.
sys-uring-close = The io_uring is closed: the kernel cancels every request still armed (the accept, each connection's recv).
