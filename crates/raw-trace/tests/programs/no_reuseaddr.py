# Mistake: no-reuseaddr. A server restarted while its old connection sits in TIME-WAIT:
# bind fails with EADDRINUSE because SO_REUSEADDR was never set (the test makes the
# TIME-WAIT first). Usage: python3 no_reuseaddr.py PORT
import socket
import sys

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(("127.0.0.1", int(sys.argv[1])))  # EADDRINUSE: raises OSError, exit 1
    s.listen()
