
## crates/raw-core/src/cli.rs

cli-cannot-write-hint-pick-path = cannot write { $path }: { $e } — hint: pick a path in a folder you can write to, e.g. /tmp/run.{ $ext }
cli-step-by-step-replay-written = Step-by-step replay written to { $path } (open it in any browser)
cli-sequence-diagram-written = Sequence diagram written to { $path }
cli-no-capture-pictures-needs-root = No capture for the pictures (it needs root or CAP_NET_RAW): they will show syscalls and states only.
cli-error = error

## crates/raw-core/src/interfaces.rs

interfaces-give-them-host-port = {" "} { $iface } { $ip } give them: { $client } --host { $host } --port { $port }
interfaces-bound-every-interface-getifaddrs-3 = Bound to every interface. getifaddrs(3) (a library call; strace shows its netlink socket) lists this machine's addresses a classmate can use:
interfaces-none-this-machine-has-no = {" "} (none: this machine has no address but loopback; check with: ip -br addr)

## crates/raw-core/src/steps/multiplex.rs

multiplex-fd-leaves-kernel-s-interest = fd { $fd } leaves the kernel's interest list.
multiplex-fd-everything-was-sent-no = fd { $fd }: { $wanted }. Everything was sent: no longer asking whether it is writable (it nearly always is, and epoll_wait would wake us for nothing).
multiplex-fd-replies-wait-be-sent = fd { $fd }: { $wanted }. Replies wait to be sent, so we also want to hear when it is writable. The kernel's list changes only when our interest does.
multiplex-fd-joins-interest-list-kernel = fd { $fd } joins the interest list the kernel keeps ({ $wanted }): from now on epoll_wait reports it when it is ready, without our passing it again.
multiplex-new-epoll-instance-from-now = A new epoll instance: from now on the kernel keeps our interest list.
multiplex-interrupted-by-signal-loop-checks = Interrupted by a signal: the loop checks whether it asks us to stop and, if not, waits again.

## crates/raw-core/src/narrate.rs

narrate-warning = { $prefix }warning: { $text }{"\u000A"}
narrate-why = Why:  { $why }
narrate-seen = Seen: { $seen }
narrate-capture-filter-port-classic-bpf = Capture filter: port { $port } (a classic BPF program attached with setsockopt(SO_ATTACH_FILTER), as tcpdump does: the kernel drops every other frame).
narrate-next-enter-runs-look-with = { $prefix }⏸  next: { $what }  [Enter runs it; look with ss -tan or Wireshark first]{" "}
narrate-so-attach-filter-was-refused = SO_ATTACH_FILTER was refused: nothing will be captured.

## crates/raw-core/src/steps/process.rs

process-process-ends-with-status-kernel = The process ends with status { $code }: the kernel closes every fd it still holds (a connected socket among them sends its FIN) and sends the parent SIGCHLD. Until the parent's wait4, it is a zombie.
process-gets-default-action-back-end = { $name } gets its default action back (end the process): the parent's kill(pid, SIGTERM) ends this child wherever it is, even just before a blocking recv, where the inherited handler's flag would be seen too late.
process-signal-sent = Signal { $signal } sent to { $pid }.
process-sigterm-sent-polite-way-ask = SIGTERM sent to { $pid }: the polite way to ask a process to stop. Its handler runs (a blocked call returns EINTR), or, without one, the default action ends it.
process-too-many-processes-this-user = Too many processes for this user (ulimit -u) or for the system (pid_max).
process-interrupted-by-signal-before-any = Interrupted by a signal before any child ended.
process-sigchld-child-ended-now-runs = SIGCHLD (a child ended) now runs our handler, which only sets a flag. SA_NOCLDSTOP: not when a child is merely stopped (SIGSTOP). No SA_RESTART: a blocked accept returns EINTR, so the parent reaps the child at once.
process-only-this-process-s-copy = Only this process's copy is closed: the socket lives on while the other process (fork made the copy) still holds it, so no packet is sent.
process-one-page-memory-shared-with = One page of memory shared with every child forked from now on (MAP_SHARED). After fork, parent and child share nothing else: this is where the children add up the bytes they echo.

## crates/raw-core/src/trace/call.rs


## crates/raw-core/src/steps/signals.rs

signals-sigint-ctrl-c-now-runs = SIGINT (Ctrl-C) now runs our handler, which only sets a flag. Without SA_RESTART, the { $blocked_in } the server waits in returns EINTR, and the server closes its sockets and exits 0 instead of being killed mid-call. (SA_RESTORER and sa_restorer are the C library's return trampoline; strace prints its address, written 0x... here.)
signals-sigterm-what-kill-sends-by = SIGTERM (what `kill` sends by default) gets the same handler: the server stops the same clean way.

## crates/raw-core/src/steps/sockets/

steps-looking-at-state-again = Looking at the state again.

## crates/raw-core/src/steps/uring/

uring-io-uring-setup-2-failed = io_uring_setup(2) failed: { $errno } ({ $errno_text }) — hint: { $hint } — check: sysctl kernel.io_uring_disabled; uname -r
uring-this-kernel-has-no-io = this kernel has no io_uring (built without CONFIG_IO_URING), or a seccomp filter refuses the call (Docker's default profile does: run the container with --security-opt seccomp=unconfined, or use another model)
uring-io-uring-switched-off-this = io_uring is switched off for this process: the sysctl kernel.io_uring_disabled is 2 (off for everyone), or 1 (only root and the group in kernel.io_uring_group may use it); a seccomp filter can refuse it with EPERM too (Docker's default profile does). As root: sysctl -w kernel.io_uring_disabled=0, or use another model (--model epoll)
uring-this-kernel-refused-setup-flag = this kernel refused a setup flag: the io-uring model needs Linux 6.1 or later (IORING_SETUP_DEFER_TASKRUN; multishot recv needs 6.0); use another model (--model epoll)
uring-kernel-could-not-allocate-rings = the kernel could not allocate the rings: too little locked memory allowed (ulimit -l) on kernels before 5.12
uring-io-uring-could-not-be = io_uring could not be set up here; use another model (--model epoll)

## crates/raw-core/src/steps/workers.rs

workers-when-parent-dies-however-dies = { $signal } when the parent dies, however it dies: a child that never ends by itself does not outlive its server.
workers-page-shared-with-children-come = A page shared with the children to come: { $count } counters, one per child (Stevens' meter): each child adds one per connection it accepts, and the parent reads them all at the end.

## crates/raw-core/src/cli.rs

cli-step-waits-enter-before-each = --step waits for Enter before each syscall, so it needs a terminal on standard input; run it in a terminal, without a pipe or redirection on stdin.
interfaces-wsl2-warning = Warning, WSL2: this Linux sits behind a NAT inside Windows, and classmates cannot reach its address. Use WSL's mirrored networking (networkingMode=mirrored in %UserProfile%\.wslconfig), or forward the port on Windows (PowerShell as administrator): netsh interface portproxy add v4tov4 listenport={ $port } connectport={ $port } connectaddress=$(wsl hostname -I), and allow port { $port } in the Windows firewall.
role = { $role ->
    [server] server
    [client] client
    [parent] parent
    [child] child
    [thread] thread
    [worker] worker
    [main] main
    [restart] restart
    [setup] setup
    [connected] connected
    [unconnected] unconnected
    [program] program
    [pid] pid
   *[other] { $role }
}{ $rest }
cli-too-long = '{ $text }' is longer than { $longest } s (one hour), the longest any of these programs waits or runs; for a longer run, run it again
cli-not-seconds = '{ $text }' is not a positive number of seconds (e.g. 2, 0.5, 1500ms)

## crates/raw-core/src/steps/process.rs (unshare)

process-network-namespace-of-its-own = A network namespace of its own: its own interfaces (only lo, still down), routes, ports and firewall. Nothing done here is seen from the rest of the machine, and it ends with this process.
