
## crates/raw-trace/src/lints/

trace-lints-while-pid-sat-blocked-waiting = while pid { $pid } sat blocked in { $call }({ $reader }) waiting for one client, { $queued ->
    [one] 1 finished connection waited
   *[other] { $queued } finished connections waited
} in the accept queue of listening fd { $listener }{ $local } for over { $seconds } s: this server returns to accept only after the current client leaves, so one idle client holds up everyone else (their handshakes complete anyway: the kernel does them; ss -ltn shows them in Recv-Q).
trace-lints-recvfrom-udp-fd-filled-whole = recvfrom on UDP fd { $fd } filled its whole buffer ({ $offered } bytes): the datagram was at least that long, and whatever followed was dropped. UDP cuts a datagram to the buffer it is read into, and the rest is gone for good.
trace-lints-recvfrom-udp-fd-offered-buffer = recvfrom on UDP fd { $fd } offered a buffer of { $offered } bytes for a datagram of { $count }: the kernel kept the first { $offered } and dropped the rest (MSG_TRUNC says so).
trace-lints-connect-1-ipv6-loopback-which = connect to [::1]:{ $port } — the IPv6 loopback, which 'localhost' names first on many systems (/etc/hosts: ::1 localhost) — was refused (ECONNREFUSED), while a server listened on IPv4 { $v4 }: every connection pays one refused attempt (a SYN answered by RST), and a client that tries only the first address fails.
trace-lints-process-state-z-ps-while = process { $pid } { $count ->
    [one] made child { $list }, which ended, and { $pid } never reaped it (no wait4/waitid returned it): it stayed a zombie
   *[other] made { $count } children ({ $list }) that ended, and { $pid } never reaped them (no wait4/waitid returned them): they stayed zombies
} (state Z in ps) while their parent lived. A server that forks a child per client fills the process table this way.
trace-lints-fd-took-only-bytes-socket = { $call } on fd { $fd } took only { $count } of { $offered } bytes (the socket's send buffer was full), and the program never sent the rest: { $saturating_sub } bytes silently lost.
trace-lints-fd-returned-0-end-stream = { $call } on fd { $fd } returned 0 — end of stream: the peer closed — and the program called it again on the same socket { $repeats ->
    [one] once more
   *[other] { $repeats } more times
}, getting 0 each time: a loop that spins at full CPU and never ends by itself.
trace-lints-bind-port-failed-with-eaddrinuse = bind to port { $port } failed with EADDRINUSE, and this socket never set SO_REUSEADDR. No program listened on the port: only { $held } held it, and the kernel keeps them for 60 s after a close. Each restart of the server fails until they are gone.
trace-lints-connections-time-wait = connections in TIME-WAIT ({ $list })
trace-lints-old-connections-kernel-keeps-after = old connections the kernel keeps after a close
trace-lints-set-so-reuseaddr-before-bind = set SO_REUSEADDR before bind — Python: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); C: int one = 1; setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one). Or wait until TIME-WAIT ends (ss -tan state time-wait).
trace-lints-when-recv-returns-0-bytes = when recv returns 0 bytes (b'' in Python), leave the loop and close the socket — Python: if not data: break; C: if (n == 0) break;
trace-lints-send-until-every-byte-taken = send until every byte is taken — Python: s.sendall(data); C: a loop over send/write that advances by the count returned (and waits with poll on EAGAIN).
trace-lints-reap-every-child-sigchld-call = reap every child: on SIGCHLD, call waitpid(-1, WNOHANG) in a loop until it returns 0 (Python: os.waitpid(-1, os.WNOHANG)), or wait for the child where it is known to end; signal.signal(signal.SIGCHLD, signal.SIG_IGN) also makes the kernel reap them.
trace-lints-connect-127-0-0-1 = connect to 127.0.0.1, the address the server bound, instead of localhost; or make the server listen on both: bind '::' with IPV6_V6ONLY off (raw-tcp server --host ::).
trace-lints-give-recvfrom-buffer-as-large = give recvfrom a buffer as large as the largest datagram the protocol sends (up to 65507 bytes over IPv4), or pass MSG_TRUNC to learn each datagram's real size.
trace-lints-serve-each-client-apart-from = serve each client apart from the accept loop: a thread per client (threading.Thread, as examples/python/multi-server.py does), a process per client (os.fork, reaping the children), or one loop over select/poll (raw-multi shows all three).

## crates/raw-trace/src/main.rs

trace-step-labs-raw-trace-cannot = --step is for the labs: raw-trace cannot pause another program between its syscalls (try --hold 1000 to slow it down instead)

## crates/raw-trace/src/report.rs

trace-report-fix = { $id }: { $what } Fix: { $fix }
trace-report-mistakes-this-trace-shows = Mistakes this trace shows: { $findings }{"\u000A"}
trace-report-no-mistake-shows-this-trace = No mistake shows in this trace (checked: { $ids }).{"\u000A"}
trace-report-proof = proof:
trace-report-fix-2 = fix:

## crates/raw-trace/src/session/

trace-session-closed-fd-closed-kernel-s = { $state }: CLOSED   (fd closed; the kernel's socket table no longer lists { $local } ↔ { $peer })
trace-session-fd-closed-kernel-s-socket = { $state }: { $s }   (fd closed; the kernel's socket table still lists { $local } ↔ { $peer })
trace-session-closed-kernel-s-socket-table = { $state }: CLOSED   (the kernel's socket table does not list it: neither listening nor connected)
trace-session-kernel-s-socket-table-socket = { $state }: { $s }   (the kernel's socket table, socket inode { $inode })
trace-session-tcp-state = TCP state

## crates/raw-trace/src/tracer.rs

trace-tracer-raw-trace-got-passing-traced = raw-trace got { $signal }: passing it on to the traced program; whatever of it still runs in 2 s is killed (SIGKILL).
trace-tracer-tracing-pid-strace-f-e = Tracing pid { $root }: strace -f -e trace={ $TRACED } -- { $command }. Each line is strace's own, then what it means and the socket's TCP state; the program's own output comes in between.
trace-tracer-cannot-start = cannot start { $value }: { $e }
trace-tracer-cannot-write = cannot write { $path }: { $e }
trace-tracer-cannot-run-no-such-program = cannot run '{ $to_string_lossy }': no such program on PATH, nor such a file — hint: check the name, or give its path (./server)
trace-tracer-cannot-create-hint-set-tmpdir = cannot create { $dir }: { $e } — hint: set TMPDIR to a folder you can write to
trace-tracer-strace-not-installed-raw-trace = strace is not installed: raw-trace runs your program under strace(1), which shows every syscall it makes — hint: sudo apt-get install strace
trace-tracer-strace-could-not-trace-program = strace could not trace the program (its own message is above) — hint: in a container, ptrace needs --cap-add=SYS_PTRACE; elsewhere check /proc/sys/kernel/yama/ptrace_scope
