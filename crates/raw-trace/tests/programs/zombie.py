# Mistake: zombie. A forking server's parent that never reaps: the child ends and stays
# a zombie while the parent lives on.
import os
import socket
import time

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    s.listen()
    if os.fork() == 0:
        os._exit(0)  # the child serves nobody and ends at once
    time.sleep(0.6)  # the parent goes on, never calling wait
