# Mistake: udp-truncated. A 100-byte datagram read into a 16-byte buffer: UDP keeps the
# first 16 bytes and drops the rest.
import socket

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
    server.bind(("127.0.0.1", 0))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.sendto(b"x" * 100, server.getsockname())
        data, addr = server.recvfrom(16)
        print(len(data), addr)
