# Clean: the same fork, and the parent reaps its child with waitpid.
import os
import socket
import time

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    s.listen()
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)
    time.sleep(0.3)
