# Clean: the same restart with SO_REUSEADDR set before bind; bind succeeds although the
# port's old connection is in TIME-WAIT. Usage: python3 reuseaddr_restart.py PORT
import socket
import sys

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen()
