# A forking server in miniature: fork a child that connects, poll for it, accept, reap.
import os
import select
import socket

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    s.listen()
    child = os.fork()
    if child == 0:
        with socket.create_connection(s.getsockname()) as c:
            c.sendall(b"hi")
        os._exit(0)
    p = select.poll()
    p.register(s, select.POLLIN)
    p.poll(5000)
    conn, _ = s.accept()
    conn.close()
    os.waitpid(child, 0)
