# Mistake: eof-ignored. The echo loop without `if not data: break`: once the client
# closes, recv returns b'' forever. (Bounded here to 20 reads so the test ends.)
import socket
import threading

def client(port):
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(b"hello")
        c.recv(1024)

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    s.listen()
    threading.Thread(target=client, args=(s.getsockname()[1],)).start()
    conn, addr = s.accept()
    with conn:
        for _ in range(20):
            data = conn.recv(1024)
            conn.sendall(data.upper())
