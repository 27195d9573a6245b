# The failures: what went wrong (the syscall and its errno, as strace names them), a
# hint, and the command that checks the cause.

# $check is the command to run, or none; $on says where to run it or what it shows;
# $port is the port a second command watches.
err-sys = { $syscall }(2) failed: { $errno } ({ $text }) — hint: { $hint }{ $check ->
    [none] {""}
   *[other] {" "}— check: { $check }{ $on ->
        [server] {" "}(on the server's machine)
        [server-then-tshark] {" "}(on the server's machine); tshark -i any -f 'udp port { $port }'
        [mtu] {" "}(the MTU of each interface)
       *[here] {""}
    }
}
# What the tests split a message at, to find the command.
err-check = {" "}— check:{" "}
# Two clauses of one hint.
err-both = { $first }; { $second }
err-that-address = that address
err-that-port = that port
err-lingering = { $count ->
    [one] 1 connection on port { $port } still sits in TIME-WAIT ({ $list })
   *[other] { $count } connections on port { $port } still sit in TIME-WAIT ({ $list })
}
err-held-by = process { $pid } ({ $command }) is already listening on port { $port }: stop it (kill { $pid }) or pick another port (--port)
err-time-wait-no-reuse = this socket did not set SO_REUSEADDR, and { $held }: the side that closed first keeps each such connection for up to 60 s, and without SO_REUSEADDR the kernel refuses the bind while any is left. Set SO_REUSEADDR before bind, as every server should, or wait for TIME-WAIT to end
err-time-wait = { $held }, and the socket that held the port did not set SO_REUSEADDR: Linux lets bind reuse the port only if both the old socket and the new one set it. TIME-WAIT stays with the side that closed first, for up to 60 s — whoever held port { $port }: a server, or a client that got it as its ephemeral port. Wait for TIME-WAIT to end, and set SO_REUSEADDR in servers
err-addr-in-use = another socket is already bound to { $addr }: is a server still running? Pick another port (--port), or stop whoever holds it.{ $reuse ->
    [off] {" "}SO_REUSEADDR was not set on this socket, so even a connection on the port that is still closing blocks the bind.
   *[on] {""}
}
err-privileged-port = ports below 1024 are privileged: only root (or a process with CAP_NET_BIND_SERVICE) may bind port { $port }. Use a port from 1024 up, like the assignment's 65432.
err-not-local = { $addr } is not an address of this machine. Use 127.0.0.1, 0.0.0.0 (every interface) or one of the addresses `ip -br addr` lists.
err-refused = connection refused by { $addr }: either nothing listens there (the kernel there answered our SYN with RST) or a firewall rejects the port (with an ICMP "port unreachable", nftables' default `reject`; `reject with tcp reset` answers with an RST instead). Start the server first and check host and port. If the server is on another machine it must listen on 0.0.0.0, not 127.0.0.1, and its firewall must allow the port.
err-no-route = there is no route to { $addr }: this machine has no path to that network. Check the address, and that both machines are on the same network.
err-host-unreachable = host { $addr } does not answer on the local network (no ARP reply), or a router said it is unreachable. Is it up and on the same network?
# $timed: yes when the call gave up after $seconds.
err-no-syn-answer = no answer to our SYN{ $timed ->
    [yes] {" "}({ $seconds } s)
   *[no] {""}
}: packets to { $addr } vanish (a connect cut short by SO_SNDTIMEO reports EINPROGRESS). A firewall dropping the port? A wrong address? Is the server on another network? Or its accept queue is full and the kernel drops new SYNs.
err-udp-no-reply = no reply from { $addr }{ $timed ->
    [yes] {" "}within { $seconds } s
   *[no] {""}
}. UDP does not retransmit: the server may be down, or the request or the reply was lost. Check that a UDP server runs on { $addr }, then try again.
err-too-big = a UDP datagram carries at most 65507 bytes over IPv4 (65535 minus the 20-byte IP and 8-byte UDP headers) and 65527 over IPv6. Send a shorter message, split it, or use TCP, which is a byte stream.
err-port-unreachable = an ICMP 'port unreachable' came back from { $addr }: no process there has a UDP socket on port { $port }. Only a connected UDP socket (--connect) hears about it; an unconnected one just waits until its timeout. Start the server first and check host and port.
err-no-reply = no reply from { $addr }{ $timed ->
    [yes] {" "}within { $seconds } s
   *[no] {""}
} (SO_RCVTIMEO). Is the server alive? Does it answer at all?
# $peer: the peer's address, or none.
err-reset = the peer{ $peer ->
    [none] {""}
   *[other] {" "}({ $peer })
} reset the connection (an RST arrived): it crashed, was killed, or closed with data still unread. Whatever was in flight is lost; reconnect.
err-epipe = the peer is gone: we wrote to a connection it already closed. MSG_NOSIGNAL turned the fatal SIGPIPE into this error, so only this connection ends.
err-no-fds = out of file descriptors: every socket is one. Raise the limit (ulimit -n) or close idle connections.
err-no-family = this address family is not available here (IPv6 disabled?). Try an IPv4 address such as 127.0.0.1.
err-see-man = see `man 2 { $syscall }`, section ERRORS, for { $errno }.
err-resolve = getaddrinfo(3) could not resolve "{ $host }": { $detail } — hint: check the spelling; use an IP address (127.0.0.1, ::1) or a name from /etc/hosts. In a remote lab, ask your classmate for their IP address. — check: getent ahosts { $host }
err-short-reply = the server closed the connection after { $got } of { $expected } bytes of the reply (recv returned 0) — hint: is it an echo server? Did it crash?
err-truncated = the reply was a { $real }-byte datagram but the receive buffer holds { $got }: the kernel kept the first { $got } bytes and dropped the rest (recvfrom reported MSG_TRUNC) — hint: a datagram is read whole or cut, never in pieces; use a larger --buffer.
err-no-capture-privilege = socket(2) failed: { $errno } ({ $text }) — hint: --capture opens an AF_PACKET socket, which needs the CAP_NET_RAW capability. Run it with sudo, or give the binary that one capability once: sudo setcap cap_net_raw+ep $(command -v raw-tcp) (the same for raw-udp, raw-multi). No socket of the lab was opened. — check: id -u; getcap $(command -v raw-tcp)
err-capture-file = cannot create the capture file { $path }: { $detail } — hint: pick a path in a folder you can write to, e.g. /tmp/lab.pcap
err-output-closed = standard output was closed by its reader (EPIPE)
