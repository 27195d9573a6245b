# Traced with raw-trace (from the repository's root), in one terminal:
#     cargo run -q -p raw-trace -- python3 examples/python/echo-server.py
# then, in another terminal:
#     python3 examples/python/echo-client.py
# raw-trace prints each syscall this script makes, exactly as strace prints it, what it
# means and the TCP state after it; add --capture /tmp/echo.pcap (as root) for the packets,
# --lang pt-BR for Portuguese. What follows is the course's script, exactly as the
# assignment shows it.
    # echo-server.py
import socket
HOST = "127.0.0.1"  # Standard loopback interface address (localhost)
PORT = 65432  # Port to listen on (non-privileged ports are > 1023)
    # cria um contexto associando o socket com a variável 's' para simplificar a escrita do codigo
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    # socket vincula o host e a port definida nas variáveis
    s.bind((HOST, PORT))
    # imprimi msg na tela
    print("Vinculado")
    # socket fica auscultando a porta definida pela variável e ip definido
    s.listen()
    # imprimi msg na tela
    print("Escutando")
    # disponibilidade de aceite de mensagem conforme endereço 
    conn, addr = s.accept()
    # imprimi msg na tela
    print("Conectando")

    with conn:
        # imprimi msg na tela e o endereço do cliente
        print(f"Conectado por {addr}")
        # inicializa um loop
        while True:
            # atribui o conteúdo recebido a variável 'data'
            data = conn.recv(1024)
            # imprimi msg na tela com o conteudo da variavel 'data'
            print(str(data))
            # encerra na medida em que a variável data estiver vazia
            if not data:
                break
            # retorna a mensagem do cliente para o cliente com as letras maíusculas
            conn.sendall(data.upper())
