# Mistake: zombie, the classic way: a forking server whose children each serve one client
# and end, while the parent goes back to accept and never calls wait. (The two clients
# are forked here too, and reaped: only the server's children are left as zombies.)
import os
import socket
import time

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    clients = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            s.close()
            with socket.create_connection(("127.0.0.1", port)) as c:
                c.sendall(b"hi")
                c.recv(16)
            os._exit(0)
        clients.append(pid)
    for _ in range(2):
        conn, _ = s.accept()
        if os.fork() == 0:  # the child serves this client, then ends
            s.close()
            conn.sendall(conn.recv(16).upper())
            conn.close()
            os._exit(0)
        conn.close()  # the parent goes back to accept: no wait for that child
    for pid in clients:
        os.waitpid(pid, 0)
    time.sleep(0.5)
