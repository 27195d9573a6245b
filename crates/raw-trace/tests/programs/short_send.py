# Mistake: short-send. One send on a non-blocking socket whose peer does not read: the
# kernel takes what fits in the buffers and the program never sends the rest.
import socket

with socket.socket() as server:
    server.bind(("127.0.0.1", 0))
    server.listen()
    with socket.create_connection(server.getsockname()) as c:
        conn, _ = server.accept()  # never reads
        c.setblocking(False)
        sent = c.send(b"x" * 8_000_000)
        print(f"sent {sent} of 8000000 bytes")
        conn.close()
