# Mistake: udp-truncated, proved by MSG_TRUNC: asked with that flag, the kernel returns the
# datagram's real size (100) although the buffer holds 16; the other 84 bytes are gone.
import socket

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
    server.bind(("127.0.0.1", 0))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.sendto(b"x" * 100, server.getsockname())
        data, addr = server.recvfrom(16, socket.MSG_TRUNC)
        print(f"the datagram had {len(data)} bytes; 16 were kept")
