# The words of every binary's --help, man page and completions: one message per command
# (help-<binary>-<subcommand>, its .long attribute the long help) and per option
# (help-<command>--<option>, or help-arg-<option> where every command shares it).

help-raw-tcp = A TCP echo server and client that print every syscall they make, the way strace prints it, with the TCP state after each one
    .long =
        A TCP echo server and client that print every syscall they make, the way strace
        prints it, with the TCP state after each one.

        Run the whole lab in one terminal:      raw-tcp demo
        Or in two terminals, as in the assignment:
            raw-tcp server                        (binds 127.0.0.1:65432)
            raw-tcp client                        (sends "Hello, world", prints the reply)
        Watch the kernel's side at the same time:
            strace -f -e trace=%network raw-tcp server
            tshark -i lo -f 'tcp port 65432'
            ss -tan 'sport = :65432 or dport = :65432'
help-raw-tcp-server = rt_sigaction(SIGINT, SIGTERM) → socket → setsockopt(SO_REUSEADDR) → bind → listen → accept → recv/send until the client closes → close. Serves one client, like the assignment's server (--forever: one after another); Ctrl-C or kill stops it cleanly, exit 0
help-raw-tcp-client = socket → connect (the three-way handshake) → send → recv the whole reply → shutdown → close. Prints `Received "HELLO, WORLD"`
help-raw-tcp-demo = Server and client in one process on a free port, their syscalls interleaved in the order the kernel sees them, with each socket's TCP state after every step: CLOSED → LISTEN, ESTABLISHED, FIN-WAIT-2 / CLOSE-WAIT, TIME-WAIT
help-raw-tcp-lab = The classic TCP surprises, reproduced, shown, then explained: time-wait, partial, backlog, nagle, localhost; and states, all eleven TCP states
    .long =
        The classic TCP surprises, reproduced, shown, then explained: time-wait, partial, backlog, nagle, localhost; and states, all eleven TCP states

        Each lab runs its server and clients in this one process, narrated syscall by syscall, and ends with what was seen and why.
help-raw-tcp-lab-time-wait = Who holds TIME-WAIT: when the client closes first, its own port (the server restarts at once); when the server closes first, the server's port: a restart without SO_REUSEADDR fails (EADDRINUSE), with it, it binds
help-raw-tcp-lab-partial = One large send, read with a small buffer: many recvs (a stream has no message boundaries, so the echo loop must loop)
help-raw-tcp-lab-backlog = listen(fd, 1) and no accept: which clients complete the handshake (the accept queue) and which are left waiting (SYN-SENT), then accept them all
help-raw-tcp-lab-nagle = Two small writes then a read: with Nagle the second write waits for the delayed ACK (about 40 ms); with TCP_NODELAY it does not
help-raw-tcp-lab-localhost = A server on 127.0.0.1 only, a client asked for "localhost": the resolver's answers in order, the one refused, the fallback to the next
help-raw-tcp-lab-states = All eleven TCP states, reached for real and told by the kernel (its tracepoint, as root): a connection closed the usual way, then a simultaneous close for CLOSING, in a network namespace of its own where nftables drops one FIN
help-raw-udp = A UDP echo server and client that print every syscall they make, the way strace prints it. Compare with raw-tcp: no listen, no accept, no handshake, no states
    .long =
        A UDP echo server and client that print every syscall they make, the way strace
        prints it. Compare with raw-tcp: no listen, no accept, no handshake, no states.

        Run the whole lab in one terminal:      raw-udp demo
        Or in two terminals, as in the assignment:
            raw-udp server                        (binds 127.0.0.1:65431, serves until Ctrl-C)
            raw-udp client                        (prompts "Message:", sends each line)
        Watch the kernel's side at the same time:
            strace -f -e trace=%network raw-udp server
            tshark -i lo -f 'udp port 65431'
            ss -uan 'sport = :65431'
help-raw-udp-server = socket(SOCK_DGRAM) → setsockopt(SO_REUSEADDR) → bind → recvfrom/sendto forever, one socket for every client, until Ctrl-C (SIGINT) or SIGTERM; then exit 0
help-raw-udp-client = socket(SOCK_DGRAM) → sendto → recvfrom (with a timeout: UDP never retransmits) → close. Without --message, prompts "Message:" for each line, like the assignment
help-raw-udp-demo = Server and client in one process, interleaved, then the same message over TCP, with the count of syscalls each needed
help-raw-udp-lab = What makes UDP different, reproduced and shown: boundaries, refused
    .long =
        What makes UDP different, reproduced and shown: boundaries, refused

        Each lab runs its sockets in this one process, narrated syscall by syscall, and ends with what was seen and why.
help-raw-udp-lab-boundaries = Two sends are two datagrams (two receives); the same two sends over TCP may arrive as one read; a datagram larger than the buffer is cut (MSG_TRUNC)
help-raw-udp-lab-refused = Sending to a port with no server: connected UDP gets ECONNREFUSED (from the ICMP error), unconnected UDP hears nothing until its timeout
help-raw-multi = One echo service, eight server models, and the answer to "why does the port change at each connection?"
    .long =
        One echo service, eight server models, and the answer to "why does the port change
        at each connection?".

            raw-multi server --model thread        (fork | thread | select | poll | epoll |
                                                    io-uring | reuseport | prefork)
            raw-multi clients --count 5            (another terminal: 5 connections at once)
            raw-multi sockets                      (the kernel's table: 1 LISTEN + 5 ESTABLISHED)
        Watch it from the kernel's side:
            strace -f -e trace=%network,close,clone,wait4,kill,rt_sigaction raw-multi server --model fork
            tshark -i lo -f 'tcp port 65432'
            ss -tanp 'sport = :65432 or dport = :65432'
help-raw-multi-server = Serve many clients at once: fork (a process per client), thread (a thread per client), select / poll / epoll (one thread, non-blocking sockets, readiness), io-uring (requests and completions, one syscall), reuseport (an epoll loop per core, SO_REUSEPORT), prefork (children forked before any client)
help-raw-multi-clients = Open N connections at once, echo over each, and print which local (ephemeral) port each one got
help-raw-multi-sockets = The kernel's table of TCP sockets on a port, like `ss -tanp`
help-raw-multi-lab = The multi-client lessons, reproduced and shown: zombies, port-change
    .long =
        The multi-client lessons, reproduced and shown: zombies, port-change

        Each lab runs its processes or sockets in this one program, narrated syscall by syscall, and ends with what was seen and why.
help-raw-multi-lab-zombies = Exited children stay zombies (<defunct>) until the parent reaps them
    .long =
        Exited children stay zombies (<defunct>) until the parent reaps them

        Forks three children that exit at once, shows them as zombies in /proc, then reaps them with a waitpid(-1, WNOHANG) loop, as the fork server does on SIGCHLD.
help-raw-multi-lab-port-change = The server's port never changes; each client gets its own ephemeral port
    .long =
        The server's port never changes; each client gets its own ephemeral port

        N clients connect to one listening socket: the 4-tuples and the kernel's table (as ss -tan shows it) answer "why does the port change at each connection?".
help-raw-trace = Runs a program under strace and narrates each of its socket syscalls the way the labs narrate their own: strace's line, what it means, the socket's TCP state
    .long =
        Runs a program under strace and narrates each of its socket syscalls the way the
        labs narrate their own: strace's line, what it means, the socket's TCP state.

            raw-trace -- python3 examples/python/echo-server.py
            python3 examples/python/echo-client.py            (in another terminal)

        Each syscall line is exactly what strace printed (marked [pid N]: processes and
        threads are told apart), followed by the sentence the labs say for that call and
        the socket's TCP state right after it, read from the kernel's table
        (/proc/PID/fd/N → socket:[inode] → /proc/net/tcp). The program's own output
        (print) appears in between. With --capture (root or CAP_NET_RAW) the packets come
        between the syscalls, as [wire] lines, and go into a pcap file for Wireshark.

        After the run, raw-trace names the mistakes the trace proves, each with the strace
        line that shows it and the fix:
          no-reuseaddr     bind = EADDRINUSE, SO_REUSEADDR never set, the port held by TIME-WAIT
          eof-ignored      recv returned 0 (the peer closed) and the program read again: a spin
          short-send       send took fewer bytes than offered and the rest was never sent
          zombie           a child ended and its parent never reaped it (no wait4)
          localhost-ipv6   connect to ::1 refused while the server listens on IPv4 only
          udp-truncated    a UDP recvfrom buffer smaller than the datagram
          blocked-accept   a server blocked reading one idle client while others wait in accept

        Exit code: the traced program's (128+N if signal N killed it); 1 if strace is
        missing or cannot trace; 2 for bad usage. Ctrl-C stops the program too: raw-trace
        passes the signal on and kills whatever still runs 2 s later.
help-raw-bench = Measure the echo paths: latency percentiles against any echo server (ours started for you when no --target is given), load across many connections, and a comparison with sockperf's own ping-pong on this machine
    .long =
        Measure the echo paths: latency percentiles against any echo server (ours started
        for you when no --target is given), load across many connections, and a comparison
        with sockperf's own ping-pong on this machine.

            raw-bench latency --proto tcp --size 64 --duration 10s
            raw-bench load --clients 128 --model epoll --duration 10s
            raw-bench load --clients 128 --rate 50000          (open loop: no coordinated omission)
            raw-bench load --target 127.0.0.1:65432 --clients 16 --duration 5s
            raw-bench compare --duration 5s
            raw-bench costs --duration 1s --rounds 3     (every model: round trips/s, syscalls,
                                                         context switches and CPU per round trip)

        Run it from a release build (cargo run --release -p bench --bin raw-bench -- ...).
        Every process it starts (our server, sockperf, python3, iperf3) dies with it.
help-raw-bench-latency = Ping-pong on one connection: p50, p90, p99, p99.9 and max of the round trip
help-raw-bench-load = Many connections at once: round trips per second and latency percentiles
help-raw-bench-compare = Our TCP and UDP round trips against sockperf's, and the server models against each other and a Python threaded server, with ratios
help-raw-bench-costs = What each server model costs at 1, 16 and 128 clients: round trips per second, syscalls, context switches and CPU time per round trip, beside tokio and a Python threaded server
help-raw-bench-serve = (internal) run one of the labs' servers silently, for the benchmarks

help-arg-backlog = listen() backlog: how many finished handshakes the kernel queues for accept()
help-arg-buffer = recv() buffer size in bytes: a message larger than this arrives in pieces
help-raw-udp-server--buffer = recvfrom() buffer in bytes: a larger datagram is cut (and we say so, and do not answer it)
help-raw-udp-client--buffer = recvfrom() buffer in bytes: a larger reply is cut by the kernel (MSG_TRUNC)
help-raw-multi-server--buffer = recv() buffer size in bytes
help-arg-capture = Capture this lab's packets into a pcap file (open it in Wireshark) and print each one as a line of a ladder diagram between the syscalls. Needs root or CAP_NET_RAW
help-arg-clients = How many clients
help-raw-bench-load--clients = Connections at once (1 to 50000; each is a file descriptor and an ephemeral port)
help-raw-bench-compare--clients = Connections for the server-model comparison (1 to 50000)
help-raw-bench-costs--clients = Connections at once, for each column (comma-separated, each 1 to 50000)
help-arg-command = The program to trace and its arguments; put them after --
help-arg-connect = connect() the UDP socket first: a default peer, replies from others filtered, ICMP errors reported as ECONNREFUSED
help-arg-connect_timeout = How long to wait for the connections to be made before measuring with those that were (a server whose accept queue is full drops SYNs: they are sent again after 1 s, 3 s, 7 s, ...)
help-raw-bench-costs--connect_timeout = How long to wait for each cell's connections to be made
help-arg-count = How many connections to open at once
help-arg-duration = How long to measure (e.g. 10s, 500ms)
help-raw-bench-load--duration = How long to measure, once every connection is made
help-raw-bench-compare--duration = Time for each measurement (each is run twice, alternating)
help-raw-bench-costs--duration = How long to measure each cell, once its clients are connected (e.g. 1s, 300ms)
help-arg-forever = Keep accepting, one client after another (an iterative server), instead of exiting after the first client
help-arg-hold = Keep the connections open this long before closing (to look at them with `raw-multi sockets` or `ss`)
help-raw-trace--hold = After each network syscall, strace holds the program this many milliseconds while raw-trace reads the socket's state, so the state shown is the one right after that call (0: no hold; states may then lag a call behind; at most 10000)
help-arg-host = Address to bind: 127.0.0.1 (this machine only), 0.0.0.0 (every IPv4 interface: needed for a classmate to reach you), ::1, or :: (IPv6 and IPv4 together)
help-raw-tcp-client--host = Server host: an IP (127.0.0.1, ::1, a classmate's address) or a name
help-raw-tcp-demo--host = Address for the server (and for the client to reach it)
help-raw-udp-server--host = Address to bind: 127.0.0.1, 0.0.0.0 (every interface), ::1, or :: (dual stack)
help-raw-udp-client--host = Server host: an IP (127.0.0.1, ::1, a classmate's address) or a name
help-raw-udp-demo--host = Address for the server (and for the client to reach it)
help-raw-multi-clients--host = Server host
help-arg-html = Write the run as one self-contained HTML page to replay step by step: source line, strace line, packets and socket states side by side, with the diagram
help-arg-idle_timeout = Drop a client that sends nothing for this long (e.g. 30, 1.5, 500ms) [default: no limit; 5 s for prefork, whose N children N silent clients would otherwise hold]
help-arg-json = Print one JSON object per line on stdout for every event (syscall, state, data, error) and nothing else on stdout
help-arg-kind = Which server to run: tcp, udp, multi (one of raw-multi's models, --model) or tokio
help-arg-lang = Language of the narration and the errors: en or pt-BR [default: from LC_ALL, LC_MESSAGES or LANG; pt* means pt-BR]
help-arg-max_clients = Most clients served at once; the others wait in the backlog [default: 1024, 256 for fork]
help-arg-max_others = Set aside a sample taken while other processes on the machine used more than this share of a core (percent), and measure that cell again in a later round (at most three times as many rounds in all); 100 keeps every sample
help-arg-message = The client's message
help-raw-tcp-client--message = The message to send
help-raw-udp-client--message = Send this one message and exit; without it, prompt "Message:" for each line until end of input (Ctrl-D), like the assignment's client
help-raw-multi-clients--message = The message each client sends
help-arg-model = Which server model to run
help-raw-bench-load--model = The server model to start when no --target is given
help-raw-bench-serve--model = The raw-multi model to run with --kind multi
help-arg-no_reuseaddr = Do not set SO_REUSEADDR: a restart then fails with EADDRINUSE while old connections sit in TIME-WAIT (try it!)
help-arg-nodelay = Set TCP_NODELAY (no Nagle delay for small replies), as latency benchmarks do
help-raw-multi-server--nodelay = Set TCP_NODELAY on the listener (accepted sockets inherit it), as latency benchmarks do
help-arg-only = Only these servers (comma-separated: fork, thread, select, poll, epoll, io-uring, reuseport, prefork, tokio, python); default: all
help-arg-port = Server port
help-raw-tcp-server--port = Port to bind; 0 lets the kernel pick a free one (the bound port is printed)
help-raw-tcp-demo--port = Server port; 0 (the default) picks a free one so the demo never collides
help-raw-udp-server--port = Port to bind; 0 lets the kernel pick one (the bound port is printed)
help-raw-udp-demo--port = Server port; 0 (the default) picks a free one
help-raw-multi-server--port = Port to bind; 0 lets the kernel pick a free one (the bound port is printed)
help-raw-multi-sockets--port = Show the sockets whose local or remote port is this
help-raw-bench-serve--port = Port to bind; 0 lets the kernel pick a free one
help-arg-proto = tcp or udp
help-arg-quiet = Print only the data (what arrived, the replies): no syscalls, no states. Twice (-qq): print nothing but errors (and a server's address, on stderr)
help-arg-rate = Open loop at this many requests per second in total (default: closed loop)
help-arg-rate_limit = Answer each source address at most N times a second, in bursts of up to N. A token bucket per source: it holds N tokens, each reply takes one, and they drip back in at N a second. A person typing never runs out; two echo servers bouncing one forged datagram stop after about N replies each. 0: no limit (a warning says the server can then be used as a traffic amplifier)
help-arg-report = When the server stops (SIGTERM), write the syscalls its steps made here (JSON)
help-arg-rounds = Rounds: each measures every server once, in turn, so that drift hits all alike; the table shows the median of the rounds
help-arg-size = Message size in bytes (1 to 16777216)
help-raw-bench-compare--size = Message size in bytes (1 to 65507: the UDP round trips use it too)
help-arg-stdin = Send each line read from standard input (without its newline) and print each reply, until end of input (Ctrl-D)
help-arg-step = Before each syscall, print what is about to happen and wait for Enter (look with `ss -tan` or Wireshark in between). Needs a terminal on stdin
help-arg-strace_out = Also keep strace's own output, unedited (pids, padding, the <unfinished ...> and resumed> halves), in this file
help-arg-svg = Draw the run as a sequence diagram (one timeline per socket endpoint, an arrow per packet, the syscalls in the margins, the TCP states): an SVG file for slides and reports. The packets need root or CAP_NET_RAW (as --capture)
help-arg-target = An echo server to measure (HOST:PORT); default: start ours
help-raw-bench-load--target = An echo server to load (HOST:PORT); default: start ours with --model
help-arg-timeout = Give up after this many seconds without an answer (connect and each recv), instead of waiting for the kernel's own limits (minutes)
help-raw-udp-client--timeout = How long to wait for each reply (UDP does not retransmit a lost datagram)
help-arg-transform = What to do to the bytes before echoing them: upper (ASCII letters only) or none
help-arg-workers = reuseport: worker threads [default: the number of cores]; prefork: children, the most clients served at once [default: 16]
help-raw-bench-serve--workers = reuseport's threads, prefork's children
help-completions = Print a shell completion script (bash, zsh or fish): { $binary } completions bash > ~/.local/share/bash-completion/completions/{ $binary }
help-arg-shell = The shell to complete for
help-usage-heading = Usage:
help-heading-options = Options
help-heading-arguments = Arguments
help-heading-commands = Commands
help-flag-help = Print help (this text)
help-flag-version = Print the version
help-possible = [possible values: { $values }]
help-default = [default: { $value }]
help-more = For more information, try '--help'.
help-completions-shell = completions takes one shell: bash, zsh or fish (tcsh and others are not offered) — hint: { $binary } completions bash
help-value = { $name ->
    [PORT] PORT
    [HOST] HOST
    [COMMAND] COMMAND
    [OPTIONS] OPTIONS
   *[other] { $name }
}
help-error = { $kind ->
    [out-of-range] invalid value '{ $value }' for '{ $arg }': it takes { $min } to { $max }
    [refused] invalid value for '{ $arg }': { $why }
    [missing-value] '{ $arg }' needs a value — hint: --help says what it takes
    [invalid-choice] invalid value '{ $value }' for '{ $arg }' — hint: it takes { $valid }
    [invalid-value] invalid value '{ $value }' for '{ $arg }' — hint: see what it takes with --help
    [unknown-argument] unexpected argument '{ $arg }'{ $suggested ->
        [none] {""}
       *[other] {" "}— hint: did you mean '{ $suggested }'?
    }
    [unknown-command] unknown subcommand '{ $subcommand }'{ $valid_subcommands ->
        [none] {""}
       *[other] {" "}— hint: did you mean '{ $valid_subcommands }'?
    }
    [missing-argument] a required argument is missing: { $arg }
    [missing-command] a subcommand is needed — hint: --help lists them
    [conflict] '{ $arg }' cannot be used with '{ $prior }'
    [wrong-count] wrong number of values for '{ $arg }'
    [no-equals] '{ $arg }' needs its value after '=' (--option=value)
   *[other] this command line cannot be parsed — hint: --help shows what it takes
}
help-value-fork = A process per client: accept, then fork; the child serves, the parent accepts
help-value-thread = A thread per client, each blocked in its own recv
help-value-select = One thread watching every socket with select() (at most FD_SETSIZE = 1024 fds)
help-value-poll = One thread watching every socket with poll() (no fd ceiling)
help-value-epoll = One thread with epoll: the kernel keeps the interest list, epoll_wait returns only the ready sockets
help-value-io-uring = One thread with io_uring: accept, recv, send and close are requests in a queue shared with the kernel; io_uring_enter is the only syscall left
help-value-reuseport = One epoll thread per core, each with its own listening socket on the same port (SO_REUSEPORT): the kernel spreads the connections among them
help-value-prefork = Stevens' preforked server: N children forked before any client, all blocked in accept on the one listening socket
help-value-upper = ASCII letters upper-cased, every other byte unchanged (the assignment's server)
help-value-none = Bytes echoed unchanged (benchmarks, binary data)
help-value-tcp = TCP ping-pong on one connection
help-value-udp = UDP ping-pong, one datagram each way
help-value-en = English
help-value-pt-BR = Português do Brasil (the assignment's language)
help-man-name = NAME
help-man-synopsis = SYNOPSIS
help-man-description = DESCRIPTION
help-man-version = VERSION
help-man-manual = General Commands Manual
