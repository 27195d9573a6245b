# Traced with raw-trace (from the repository's root), in one terminal:
#     cargo run -q -p raw-trace -- python3 examples/python/udp-server.py
# then, in another terminal, type messages into:
#     python3 examples/python/udp-client.py
# It serves forever: stop it with Ctrl-C (raw-trace passes the signal on, then prints the
# mistakes the trace shows). Written in the style of the assignment's echo-server.py.
    # udp-server.py
import socket
HOST = "127.0.0.1"  # Standard loopback interface address (localhost)
PORT = 65431  # Port to listen on (non-privileged ports are > 1023)
    # cria o socket UDP (SOCK_DGRAM): sem conexão, sem listen, sem accept
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    # socket vincula o host e a port definida nas variáveis
    s.bind((HOST, PORT))
    # imprimi msg na tela
    print("Vinculado")
    # inicializa um loop: cada volta atende um datagrama, de quem quer que seja
    while True:
        # recebe um datagrama (até 1024 bytes) e o endereço de quem o enviou
        data, addr = s.recvfrom(1024)
        # imprimi msg na tela: quem escreveu e o quê
        print(f"{addr} escreveu: {data!r}")
        # responde a quem enviou, com as letras maiúsculas
        s.sendto(data.upper(), addr)
