# Mistake: blocked-accept. The assignment's server made to serve clients one after the
# other: while the first client sits idle, the second one's connection waits in the
# accept queue (its handshake done by the kernel) and nobody accepts it.
import socket
import threading
import time

def idle_client(port):
    with socket.create_connection(("127.0.0.1", port)):
        time.sleep(1.8)  # connected, saying nothing

def busy_client(port):
    time.sleep(0.2)
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(b"hello")
        c.recv(1024)

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    threading.Thread(target=idle_client, args=(port,)).start()
    threading.Thread(target=busy_client, args=(port,)).start()
    for _ in range(2):
        conn, addr = s.accept()
        with conn:
            while True:
                data = conn.recv(1024)
                if not data:
                    break
                conn.sendall(data.upper())
