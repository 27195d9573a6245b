# Clean: the same datagram read into a buffer as large as any UDP datagram.
import socket

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
    server.bind(("127.0.0.1", 0))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.sendto(b"x" * 100, server.getsockname())
        data, addr = server.recvfrom(65535)
        print(len(data), addr)
