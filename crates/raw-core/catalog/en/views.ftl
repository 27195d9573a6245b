
## crates/raw-core/src/capture/

capture-packets-written-open-with-wireshark = { $count } packets written to { $path } — open it with: wireshark { $path } or tshark -r { $path }
capture-capturing-fd-socket-af-packet = Capturing to { $path } (fd { $as_raw_fd }: socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)); its reads are not narrated)
capture-listening-side-s-kernel-answering = the listening side's kernel, answering the SYN (no syscall)
capture-receiving-kernel-own-ack-what = the receiving kernel on its own: an ACK of what arrived (no syscall)
capture-kernel-own-no-syscall = the kernel on its own (no syscall)

## crates/raw-core/src/views/diagram/

diagram-kernel-table = { $name } (kernel table)
diagram-client = client { $peer }
diagram-no-capture-syscalls-states-only = No capture: syscalls and states only. Run as root (or with CAP_NET_RAW) to see the packets.

## crates/raw-core/src/views/replay.rs


## crates/raw-core/src/views/

views-kernel-table-fd-closed = { $state } (kernel table, fd closed)
views-tcp-state-tcp-info = { $indent }  TCP state: { $state }   ({ $short }, TCP_INFO, ...) = { $ret }){"\u000A"}

## crates/raw-core/src/capture/

capture-kernel-own-timer = the kernel on its own (timer)
replay-back = back
replay-next = next
replay-english = English
replay-portuguese = Português
replay-code = Our code
replay-syscall = The syscall, as strace shows it
replay-packets = Packets it caused
replay-states = Every socket's state
replay-keys = Keys: ← → step; Home and End go to the first and the last step; click any syscall or packet in the diagram.
replay-no-source = (no source line: the kernel sent it on its own, e.g. a delayed ACK)
replay-none = none
replay-closed = closed (close released the fd)
replay-no-socket = no socket yet
