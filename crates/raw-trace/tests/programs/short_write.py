# Mistake: short-send, with write(2) as a C program would make it (os.write on the
# socket's fd): the kernel takes what fits, the rest is never written.
import os
import socket

with socket.socket() as server:
    server.bind(("127.0.0.1", 0))
    server.listen()
    with socket.create_connection(server.getsockname()) as c:
        conn, _ = server.accept()  # never reads
        c.setblocking(False)
        written = os.write(c.fileno(), b"x" * 8_000_000)
        print(f"wrote {written} of 8000000 bytes")
        conn.close()
