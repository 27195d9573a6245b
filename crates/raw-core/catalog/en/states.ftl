
## crates/raw-core/src/tracepoint/cause.rs

states-listen = listen(): from now on the kernel completes handshakes on this socket's behalf.
states-connect-sends-syn = connect(): the kernel sends the SYN.
states-syn-ack-arrived = The SYN-ACK arrived and the kernel answered ACK: connected, before connect() returns.
states-syn-arrived = A SYN arrived: the kernel made a new socket for this connection and sent the SYN-ACK on its own, before any accept() (ss writes this state SYN-RECV).
states-handshake-done-accept-queue = The handshake's last ACK arrived: the connection is ready and waits in the listener's accept queue.
states-our-fin-out = Our FIN is out (shutdown or close): this side sends nothing more.
states-peer-fin-arrived = The peer's FIN arrived: it sends nothing more, and the next recv returns 0.
states-fin-acked = The ACK of our FIN arrived.
states-fin-acked-after = The ACK of our FIN arrived, { $ms } ms after it (Linux delays an ACK by up to 40 ms, hoping to send it with data).
states-simultaneous-close = The peer's FIN arrived before the ACK of ours: both sides closed at once (a simultaneous close).
states-time-wait-entry = The peer's FIN arrived and the kernel acknowledged it. The kernel reports CLOSED: this socket gives way to a small TIME-WAIT entry, which the tracepoint never reports (ss -tan shows it).
states-time-wait-entry-left = The peer's FIN arrived and the kernel acknowledged it. The kernel reports CLOSED: this socket gives way to a small TIME-WAIT entry, which the tracepoint never reports; the kernel's table shows it, { $left } s left on its timer (ss -tano).
states-close-our-fin-out = close(): our FIN is out; waiting for its ACK.
states-last-ack-done = The ACK of our FIN arrived: the connection is over, with no TIME-WAIT on this side (the side that closed first keeps it).
states-listener-closed = The listening socket is closed: a new SYN on this port now gets RST.
states-closed-at-once = Closed at once by the call: an RST went out, or nothing was connected yet.
states-reset-arrived = An RST arrived: the connection is gone.
states-given-up = The kernel gave up on this connection (a timer ran out, with no FIN and no RST).
states-changed = The kernel changed the socket's state.
states-retransmitted = The kernel sent a segment again (a retransmission), in { $state }.
states-syn-ack-retransmitted = The kernel sent the SYN-ACK again: the handshake's ACK has not come.
states-reset-sent = The kernel sent an RST on this connection.
states-reset-received = An RST arrived for this connection.

## crates/raw-core/src/narrate.rs

narrate-states-from-the-kernel = States from the kernel: the tracepoint sock:inet_sock_set_state, read through the tracefs instance { $dir } (removed at the end). Each change is said as it happened, with its cause.
narrate-states-need-root = The kernel's own state changes (SYN-RECEIVED, LAST-ACK...) need root: sudo, or CAP_PERFMON and access to /sys/kernel/tracing. Shown instead: the state read after each of our calls (getsockopt TCP_INFO), which misses the changes the kernel makes on its own.
narrate-states-unavailable = The kernel's own state changes cannot be read here ({ $why }): shown instead, the state read after each of our calls (getsockopt TCP_INFO).

## crates/raw-core/src/views/printer.rs

views-transition = [kernel] { $local } ↔ { $remote }  { $from } → { $to }  ({ $cause }) { $text }
views-kernel-event = [kernel] { $local } ↔ { $remote }  { $text }
views-cause-syscall = a syscall
views-cause-packet = a packet
views-cause-timer = a timer
