# Traced with raw-trace (from the repository's root), once udp-server.py runs:
#     cargo run -q -p raw-trace -- python3 examples/python/udp-client.py
# Type a message and Enter; Ctrl-D (end of input) ends it. Or feed it lines:
#     printf 'hello\nworld\n' | cargo run -q -p raw-trace -- python3 examples/python/udp-client.py
# Written in the style of the assignment's echo-server.py.
    # udp-client.py
import socket
HOST = "127.0.0.1"  # The server's hostname or IP address
PORT = 65431  # The port used by the server
    # cria o socket UDP; o kernel escolhe a porta local no primeiro sendto
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    # inicializa um loop: uma mensagem por volta
    while True:
        # lê uma mensagem do teclado; o fim da entrada (Ctrl-D) encerra o cliente
        try:
            message = input("Message: ")
        except EOFError:
            break
        # envia um datagrama ao servidor: nenhum handshake antes
        s.sendto(message.encode(), (HOST, PORT))
        # recebe a resposta (até 1024 bytes) e o endereço de quem respondeu
        data, addr = s.recvfrom(1024)
        # imprimi msg na tela
        print(f"Sent: {message}")
        print(f"Received: {data.decode()}")
