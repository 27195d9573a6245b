# Traced with raw-trace (from the repository's root), in one terminal:
#     cargo run -q -p raw-trace -- python3 examples/python/multi-server.py
# then run several clients at once, in other terminals (or leave one idle: nc 127.0.0.1 65432):
#     python3 examples/python/echo-client.py
# Each client gets a thread of its own ([pid N] in raw-trace's output is the thread), and
# each connection a new socket with the client's own port: the server's port stays 65432.
# It serves forever: stop it with Ctrl-C. Written in the style of the assignment's echo-server.py.
    # multi-server.py
import socket
import threading
HOST = "127.0.0.1"  # Standard loopback interface address (localhost)
PORT = 65432  # Port to listen on (non-privileged ports are > 1023)

    # atende um cliente até ele fechar a conexão (roda numa thread só dele)
def atende(conn, addr):
    with conn:
        # imprimi msg na tela e o endereço do cliente
        print(f"Conectado por {addr}")
        while True:
            # atribui o conteúdo recebido a variável 'data'
            data = conn.recv(1024)
            # encerra na medida em que a variável data estiver vazia
            if not data:
                break
            # retorna a mensagem do cliente para o cliente com as letras maíusculas
            conn.sendall(data.upper())

    # cria um contexto associando o socket com a variável 's'
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    # socket vincula o host e a port definida nas variáveis
    s.bind((HOST, PORT))
    # imprimi msg na tela
    print("Vinculado")
    # socket fica auscultando a porta definida pela variável e ip definido
    s.listen()
    # imprimi msg na tela
    print("Escutando")
    # inicializa um loop: a thread principal só aceita conexões
    while True:
        # espera o próximo cliente; cada um ganha um socket novo
        conn, addr = s.accept()
        # imprimi msg na tela
        print("Conectando")
        # uma thread por cliente: o accept volta logo a esperar o próximo
        threading.Thread(target=atende, args=(conn, addr), daemon=True).start()
