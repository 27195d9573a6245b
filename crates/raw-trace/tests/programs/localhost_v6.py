# Mistake: localhost-ipv6. A server on IPv4 127.0.0.1 and a client that connects to
# "localhost" the way socket.create_connection does where /etc/hosts lists
# "::1 localhost" first (Debian, Ubuntu): ::1 is refused, then 127.0.0.1 works. Written
# out here so the test does not depend on this machine's /etc/hosts.
import socket

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    for family, host in [(socket.AF_INET6, "::1"), (socket.AF_INET, "127.0.0.1")]:
        c = socket.socket(family, socket.SOCK_STREAM)
        try:
            c.connect((host, port))
            break
        except ConnectionRefusedError:
            c.close()
    c.sendall(b"hi")
    conn, _ = server.accept()
    print(conn.recv(16))
    conn.close()
    c.close()
