# Clean: the same 8 MB on a socket with a timeout (non-blocking underneath), sent with
# sendall while a thread reads: short sends are followed by more until all is sent.
import socket
import threading

def drain(conn):
    with conn:
        while conn.recv(1 << 20):
            pass

with socket.socket() as server:
    server.bind(("127.0.0.1", 0))
    server.listen()
    with socket.create_connection(server.getsockname()) as c:
        conn, _ = server.accept()
        reader = threading.Thread(target=drain, args=(conn,))
        reader.start()
        c.settimeout(10)
        c.sendall(b"x" * 8_000_000)
        c.shutdown(socket.SHUT_WR)
        reader.join()
