# Mistake: localhost-ipv6, the way it fails: a client that tries only the first address
# "localhost" gives where /etc/hosts lists "::1 localhost" first, against a server on
# IPv4 only. The connection is refused and the program exits 1.
import socket
import sys

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    server.bind(("127.0.0.1", 0))
    server.listen()
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as c:
        try:
            c.connect(("::1", server.getsockname()[1]))
        except ConnectionRefusedError as e:
            print(f"refused: {e}")
            sys.exit(1)
