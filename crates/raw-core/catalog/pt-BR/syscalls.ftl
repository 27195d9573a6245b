# O que cada syscall significa, uma frase por significado: dita pelos passos dos
# laboratórios depois das próprias chamadas e pelo raw-trace depois das chamadas de
# qualquer programa que ele acompanha. As variáveis guardam só o que a linha do strace mostra.

## socket, setsockopt

sys-socket = O kernel criou um socket novo, ainda sem endereço local nem destino; nenhum pacote saiu pela rede. O descritor de arquivo dele é { $fd }.
sys-reuseaddr-tcp = SO_REUSEADDR ativado: o bind pode reutilizar uma porta cujas conexões antigas ainda estão em TIME-WAIT.
sys-reuseaddr-udp = SO_REUSEADDR ativado, como no servidor do roteiro. O UDP não tem TIME-WAIT; no Linux isso até deixa um segundo socket UDP que também ative a opção usar a mesma porta (e só um deles recebe cada datagrama).
sys-v6only-on = IPV6_V6ONLY ativado: só clientes IPv6.
sys-v6only-off = IPV6_V6ONLY desativado: este socket IPv6 também aceita clientes IPv4; eles aparecem como ::ffff:a.b.c.d (endereços IPv4 mapeados em IPv6).
sys-nodelay = TCP_NODELAY ativado: escritas pequenas saem na hora (sem o atraso do algoritmo de Nagle); os sockets aceitos herdam a opção.
sys-rcvtimeo = Um prazo de recepção: um recv bloqueante desiste com EAGAIN em vez de esperar para sempre.
sys-sndtimeo = Um prazo de envio; no TCP ele também limita quanto tempo o connect() espera pelo handshake.
sys-reuseport = SO_REUSEPORT ativado: outros sockets que também ativem a opção podem fazer bind no mesmo endereço e porta; o kernel então reparte as conexões que chegam entre as filas de listen deles (por um hash da quádrupla de cada conexão).
sys-setsockopt-other = Opção { $option } ajustada neste socket: muda como o kernel trata o socket; nenhum pacote.
sys-getsockopt = O programa perguntou ao kernel o valor de { $option } deste socket; nada muda, nenhum pacote.
sys-so-error = { $value ->
    [0] SO_ERROR é 0: a tentativa de conexão deu certo (o handshake terminou).
   *[other] SO_ERROR é { $value }: a tentativa de conexão falhou com este número de errno.
}

## bind, getsockname, listen, accept, connect

sys-bind = Vinculado: o socket agora está associado ao endereço { $addr }. Nenhum pacote por enquanto.
sys-bind-port-zero = Vinculado a { $ip }, porta 0: a porta 0 pede ao kernel que escolha uma porta livre, e ele escolheu agora; o getsockname mostra qual. Nenhum pacote por enquanto.
# $from: bind-zero (o bind pediu a porta 0), connect ou first-send (bind implícito),
# accept (conexão aceita), other (nada a acrescentar). $wildcard: yes ou no.
sys-getsockname = O kernel diz que o endereço local deste socket é { $addr }.{ $from ->
    [bind-zero] {" "}Como o bind pediu a porta 0, o kernel escolheu esta porta livre, { $port }, naquela hora.
    [connect] {" "}Este socket nunca chamou bind: o próprio kernel escolheu o endereço local e uma porta livre (efêmera) no connect, um bind implícito.
    [first-send] {" "}Este socket nunca chamou bind: o kernel escolheu uma porta livre (efêmera) no primeiro sendto, um bind implícito.
    [accept] {" "}Uma conexão aceita usa a mesma porta local do socket de escuta.
   *[other] {""}
}{ $wildcard ->
    [yes] {" "}O endereço curinga quer dizer "qualquer endereço desta máquina": o que for enviado a qualquer um deles, nesta porta, chega a este socket.
   *[no] {""}
}
sys-getpeername = O kernel diz que a outra ponta deste socket é { $addr }.
sys-listen = Escutando: o próprio kernel agora completa os handshakes TCP nesta porta e enfileira as conexões prontas para o accept(); tamanho da fila: { $backlog }.
# $mapped: yes quando o cliente é IPv4, visto por um socket IPv6 de pilha dupla.
sys-accept = Conectado por { $peer }. Um socket novo só para este cliente: fd { $fd }; o fd de escuta { $listener } continua em LISTEN, na mesma porta.{ $mapped ->
    [yes] {" "}O cliente é IPv4, visto por um socket IPv6 de pilha dupla, por isso o kernel escreve o endereço dele como ::ffff:a.b.c.d.
   *[no] {""}
}
sys-accept-unnamed = Um cliente conectou (o programa não pediu o endereço dele). Um socket novo só para este cliente: fd { $fd }; o fd de escuta { $listener } continua em LISTEN, na mesma porta.
sys-silent-since-connect = { $silent ->
    [no] O cliente já enviou dados (tcpi_bytes_received > 0): eles estão esperando para ser lidos.
   *[yes] O cliente não enviou nada desde o handshake, há { $ms } ms (tcpi_last_data_recv), tempo que ele passou esperando na fila de accept.
}
sys-connect-tcp = Conectado a { $addr }: SYN →, ← SYN-ACK, ACK →. O handshake foi concluído.
sys-connect-udp = 'connect' UDP para { $addr }. Nenhum pacote sai: o kernel só guarda um destino padrão, filtra datagramas vindos de outros endereços e nos repassa erros ICMP (ECONNREFUSED).
sys-connect-in-progress = Em andamento: o socket é não bloqueante, então o connect voltou na hora; o SYN já saiu e o handshake continua sem o programa. Ele espera o socket ficar pronto para escrita (poll) e depois lê SO_ERROR para saber o resultado.
sys-socket-not-ip = O kernel criou um socket novo, fd { $fd }: um socket { $family }, não IP. Nada do que ele transporta chega à rede (a biblioteca C usa sockets assim para consultar serviços locais: AF_NETLINK para os endereços desta máquina, AF_UNIX para o nscd).
sys-not-ip = Um socket { $family }, não IP: nada do que ele transporta chega à rede (a biblioteca C usa sockets assim para consultar serviços locais: AF_NETLINK para os endereços desta máquina, AF_UNIX para o nscd).

## send, recv, datagramas

sys-send = { $count ->
    [0] Enviados { $count } bytes (copiados para o buffer de envio do kernel; o TCP cuida da entrega).
    [one] Enviado { $count } byte (copiado para o buffer de envio do kernel; o TCP cuida da entrega).
   *[other] Enviados { $count } bytes (copiados para o buffer de envio do kernel; o TCP cuida da entrega).
}
sys-send-short = Escrita parcial: o kernel aceitou { $count } de { $offered } bytes; o resto precisa ser enviado depois.
sys-recv = { $count ->
    [0] Recebidos { $count } bytes: { $data }
    [one] Recebido { $count } byte: { $data }
   *[other] Recebidos { $count } bytes: { $data }
}
sys-recv-shown = Recebidos { $count } bytes; o strace mostra os primeiros { $shown }: { $data }...
sys-recv-eof = 0 bytes: fim do fluxo. O outro lado enviou FIN (fechou ou encerrou o lado dele); nada mais vai chegar.
sys-nothing-to-read = Bloquearia: nada chegou ainda neste socket não bloqueante; o programa precisa esperar (poll) e tentar de novo.
sys-datagram-in = Um datagrama: { $count } bytes de { $from }: { $data }
sys-datagram-in-truncated = TRUNCADO: o datagrama tinha { $real } bytes, mas o buffer só comporta { $offered }: o kernel descartou o resto (o MSG_TRUNC nos avisou).
# $from vale none quando a linha não diz o remetente (socket conectado); $cut: yes quando
# o strace mostra só o começo.
sys-datagram-in-seen = Um datagrama: { $count } bytes { $from ->
    [none] do endereço conectado
   *[other] de { $from }
}: { $data }{ $cut ->
    [yes] ...
   *[no] {""}
}
sys-datagram-out = { $to ->
    [none] Um datagrama de { $count } bytes. Sem handshake, sem confirmação: o kernel envia e esquece.
   *[other] Um datagrama de { $count } bytes → { $to }. Sem handshake, sem confirmação: o kernel envia e esquece.
}

## shutdown, close

sys-shutdown-write = Nosso lado terminou de enviar: o kernel envia FIN. Ainda podemos receber.
sys-shutdown-read = Nosso lado não vai ler mais: o recv agora devolve 0. Nenhum pacote é enviado.
sys-shutdown-both = As duas direções encerradas: o kernel envia FIN, e o recv agora devolve 0.
sys-shutdown-both-wakes = As duas direções encerradas: a thread bloqueada no recv deste socket acorda com 0 (fim do fluxo).
sys-close-listener = O socket de escuta foi fechado: a porta para de aceitar conexões (um SYN novo recebe RST), e as conexões que ainda esperavam na fila de accept recebem RST.
sys-close-tcp = O fd foi liberado; o próprio kernel conclui o encerramento da conexão.
sys-close-udp = O fd foi liberado. O UDP não tem conexão para encerrar: nenhum pacote, nenhum TIME-WAIT.
sys-close = O fd foi liberado.

## falhas

# $errno é o nome do errno (ECONNREFUSED), $text o texto que o strace mostra para ele.
sys-failed = Falhou: { $errno } ({ $text }).
sys-failed-expected = Falhou: { $errno } ({ $text }). { $why }
sys-accept-aborted = O cliente desistiu enquanto esperava na fila: inofensivo, o programa chama o accept de novo.
sys-accept-would-block = Bloquearia: não há mais conexões prontas na fila agora.
sys-accept-interrupted = Interrompido por um sinal antes de chegar um cliente.
sys-send-would-block = Bloquearia: o buffer de envio está cheio; guarde o resto e espere o socket ficar pronto para escrita.
sys-send-epipe = O outro lado foi embora: o MSG_NOSIGNAL nos poupou do SIGPIPE.
sys-wait-no-child = Nenhum filho para esperar: todos já foram recolhidos.
sys-recv-interrupted = Interrompido por um sinal: o programa recebe EINTR (o strace mostra o ERESTARTSYS do kernel, porque o tratador foi instalado sem SA_RESTART).
sys-ended-inside = O processo terminou dentro desta chamada (foi morto, ou outra thread encerrou o processo): ela nunca retornou.

## poll, select, epoll_wait

# $watched: quantos fds a chamada recebeu (o nfds do poll).
sys-waited = { $ready ->
    [0] { $syscall }: o tempo acabou e nenhum fd ficou pronto.
   *[other] { $syscall ->
        [poll] poll: o kernel verificou todas as { $watched } entradas; { $ready ->
            [one] { $ready } pronta
           *[other] { $ready } prontas
        }.
        [select] select: o kernel verificou cada fd dos dois mapas de bits; { $ready ->
            [one] { $ready } pronto
           *[other] { $ready } prontos
        }.
        [pselect6] pselect6: o kernel verificou cada fd dos dois mapas de bits; { $ready ->
            [one] { $ready } pronto
           *[other] { $ready } prontos
        }.
        [epoll_wait] { $ready ->
            [one] { $ready } pronto
           *[other] { $ready } prontos
        }: o epoll_wait devolve só os sockets prontos, por mais sockets ociosos que existam.
        [epoll_pwait] { $ready ->
            [one] { $ready } pronto
           *[other] { $ready } prontos
        }: o epoll_pwait devolve só os sockets prontos, por mais sockets ociosos que existam.
       *[other] { $syscall }: { $ready ->
            [one] 1 dos fds observados está pronto; o programa já pode usá-lo sem bloquear.
           *[other] { $ready } dos fds observados estão prontos; o programa já pode usá-los sem bloquear.
        }
    }
}

## processos e threads

sys-forked = Um processo novo, pid { $child }: uma cópia deste, com uma cópia de cada descritor de arquivo aberto, sockets incluídos. O fork devolve o pid do filho aqui, no pai, e 0 no filho. Quando o filho terminar, o pai precisa recolhê-lo com wait, senão ele fica zumbi.
sys-thread-created = Uma thread nova, { $tid }: ela compartilha a memória e os descritores de arquivo deste processo (os mesmos sockets).
# $how: exited (com $code), signaled (por $signal) ou other.
sys-reaped = O filho { $child } { $how ->
    [exited] terminou com status { $code }
    [signaled] foi encerrado pelo { $signal }
   *[other] mudou de estado
} e foi recolhido: o kernel libera a entrada dele na tabela de processos, e não sobra zumbi.
sys-nothing-reaped = 0: ainda há filhos, mas nenhum terminou; com WNOHANG a chamada volta na hora em vez de esperar.
sys-tgkill = { $signal } enviado só para a thread { $tid }: a chamada bloqueada dela retorna EINTR, e ela vê que o servidor vai parar.

## io_uring

sys-uring-setup = Um io_uring novo, fd { $fd }: uma fila de { $sq } pedidos que nós escrevemos e uma fila de { $cq } conclusões que o kernel escreve, ambas em memória que este processo compartilha com o kernel. Daqui em diante accept, recv, send e close são pedidos escritos ali, não syscalls: o strace só vai ver io_uring_enter.
sys-uring-buf-ring = Um anel de { $entries } buffers de { $size } bytes, registrado como grupo de buffers 0: quando chegam dados em qualquer conexão, o kernel pega um buffer daqui e diz qual na conclusão. Um cliente calado não prende buffer nenhum; devolver um buffer é uma escrita na memória compartilhada, sem syscall.
sys-sqe-accept-multishot = Na fila, ainda sem syscall: um pedido que aceita cada conexão que chegar, uma conclusão para cada (multishot), até ser cancelado.
sys-sqe-accept = Na fila, ainda sem syscall: aceitar uma conexão (uma por vez: perto de --max-clients, um accept multishot poderia pegar o backlog inteiro de uma vez).
sys-sqe-recv-multishot = Na fila, ainda sem syscall: receber nesta conexão toda vez que chegarem dados, num buffer que o kernel escolhe do anel (multishot).
sys-sqe-send = Na fila, ainda sem syscall: enviar estes bytes de volta; o anel os guarda até a conclusão dizer quantos foram.
sys-sqe-close = Na fila, ainda sem syscall: fechar esta conexão (FIN para o cliente).
sys-sqe-cancel = Na fila, ainda sem syscall: cancelar aquele pedido armado; a última conclusão dele vai dizer ECANCELED.
sys-uring-enter = { $want ->
    [0] A única syscall: { $submitted ->
        [0] nenhum pedido saiu da fila
        [one] o kernel pegou { $submitted } pedido da fila
       *[other] o kernel pegou os { $submitted } pedidos da fila
    }, sem esperar conclusões.
   *[other] A única syscall: { $submitted ->
        [0] nenhum pedido saiu da fila
        [one] o kernel pegou { $submitted } pedido da fila
       *[other] o kernel pegou os { $submitted } pedidos da fila
    }, e esta thread dormiu até sair uma conclusão. Cada accept, recv, send e close abaixo aconteceu dentro dela, sem o strace ver.
}
# $more: yes enquanto o pedido continua armado (IORING_CQE_F_MORE).
sys-cqe-failed = Falhou: { $errno } ({ $text }). { $more ->
    [yes] O pedido continua armado.
   *[no] O pedido acabou (sem IORING_CQE_F_MORE).
}
sys-cqe-accept = Uma conexão aceita no { $fd }: o kernel criou o socket fd { $new }.{ $more ->
    [yes] {" "}Continua armado (IORING_CQE_F_MORE).
   *[no] {""}
}
sys-cqe-recv = { $count } bytes recebidos num buffer do anel; copiamos os bytes e devolvemos o buffer.{ $more ->
    [yes] {" "}Continua armado (IORING_CQE_F_MORE).
   *[no] {""}
}
sys-cqe-recv-eof = 0 bytes: o cliente fechou o lado dele (FIN). O recv multishot termina.
sys-cqe-send = { $count } bytes enviados de volta, todos.
sys-cqe-send-short = { $count } de { $offered } bytes enviados (envio parcial): o resto vai no próximo pedido.
sys-cqe-close = Fechado: o kernel envia FIN; o número do fd fica livre de novo.
sys-cqe-cancel = O pedido foi encontrado e cancelado.
sys-uring-close = O io_uring foi fechado: o kernel cancela todo pedido ainda armado (o accept, o recv de cada conexão).
