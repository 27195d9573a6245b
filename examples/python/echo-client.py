# Traced with raw-trace (from the repository's root), once echo-server.py runs:
#     cargo run -q -p raw-trace -- python3 examples/python/echo-client.py
# It connects to the server, sends "Hello, world" and prints Received b'HELLO, WORLD'.
# Written in the style of the assignment's echo-server.py (its comments in Portuguese).
    # echo-client.py
import socket
HOST = "127.0.0.1"  # The server's hostname or IP address
PORT = 65432  # The port used by the server
    # cria o socket TCP (AF_INET: IPv4, SOCK_STREAM: TCP) e o fecha ao sair do bloco
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    # conecta ao servidor: aqui acontece o handshake de três vias (SYN, SYN-ACK, ACK)
    s.connect((HOST, PORT))
    # envia a mensagem inteira (sendall repete o send até todos os bytes saírem)
    s.sendall(b"Hello, world")
    # recebe até 1024 bytes da resposta
    data = s.recv(1024)

# imprimi msg na tela com a resposta do servidor
print(f"Received {data!r}")
