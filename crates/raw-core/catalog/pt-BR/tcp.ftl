
## crates/raw-tcp/src/client.rs

tcp-client-received = Recebido { $readable }
tcp-client-no-luck-with-trying-next = Não deu certo com { $addr }; tentando o próximo endereço, { $i }.

## crates/raw-core/src/demo.rs (raw-tcp demo)

tcp-demo-kernel-table-proc-net-tcp = Tabela do kernel (/proc/net/tcp, como o `ss -tan` mostra): { $local } → { $remote }: { $seen }. O fd não existe mais, mas o kernel guarda a conexão por 2*MSL (60 s no Linux), para que pacotes atrasados não se confundam com uma nova conexão na mesma quádrupla.
tcp-demo-usually-fin-wait-1-here = Em geral FIN-WAIT-1 aqui: nosso FIN ainda não foi confirmado, porque o Linux atrasa ACKs (de 40 a 200 ms) esperando pegar carona em dados. Vamos aguardar esse ACK, acompanhando o /proc/net/tcp, e consultar o estado do cliente outra vez.
tcp-demo-server-s-fin-arrived-client = Chegou o FIN do servidor. O fd do cliente agora diz CLOSED: o kernel passou a conexão para uma pequena entrada TIME-WAIT na sua tabela.
tcp-demo-tcp-state-timeline-per-socket = Linha do tempo dos estados TCP, por socket:

## crates/raw-tcp/src/lab.rs

tcp-lab-tried-connected = tentou { $order }: conectou em { $last }.
tcp-lab-getaddrinfo-localhost-answered-this-order = getaddrinfo("localhost") respondeu, nesta ordem: { $answers }
tcp-lab-slowest-write-write-read-with = a escrita-escrita-leitura mais lenta com Nagle: { $ms } ms; com TCP_NODELAY: { $ms2 } ms.
tcp-lab-each-request-reply-took-ms = cada pedido com sua resposta levou: { $as_secs_f64 } ms
tcp-lab-listen-fd-1-clients-finished = listen(fd, 1), { $CLIENTS } clientes: { $queued } terminaram o handshake e esperaram na fila de accept, { $waiting } ficaram em SYN-SENT (o SYN deles foi descartado); aceitos no fim: { $total }.
tcp-lab-restarting-port-right-away-first = Reiniciando na porta { $port } logo em seguida, primeiro SEM SO_REUSEADDR (este laboratório o deixa desligado de propósito, para mostrar a recusa):
tcp-lab-restarting-port-right-away-without = Reiniciando na porta { $port } logo em seguida, SEM SO_REUSEADDR:
tcp-lab-kernel-table-time-wait = Tabela do kernel: { $local } → { $remote }: TIME-WAIT
tcp-lab-time-wait-60-s-kept = O TIME-WAIT (60 s) fica com o lado que fecha primeiro, na porta desse lado. Quando o cliente fecha primeiro, é a porta efêmera dele que fica presa e a porta do servidor está livre; quando o servidor fecha primeiro (um servidor parado com clientes conectados), quem fica presa é a porta do servidor, e o kernel recusa um novo bind nela a menos que o socket antigo e o novo tenham ativado o SO_REUSEADDR; por isso todo servidor o ativa.
tcp-lab-part-1-client-closes-first = Parte 1: o cliente fecha primeiro, como no lab 1.
tcp-lab-part-2-server-closes-first = Parte 2: o servidor fecha primeiro (paramos o servidor com o cliente ainda conectado).
tcp-lab-same-restart-this-time-with = O mesmo reinício, agora COM SO_REUSEADDR, como todo servidor faz:
tcp-lab-tcp-byte-stream-with-no = O TCP é um fluxo de bytes sem limites de mensagem: o recv devolve o que houver, até o tamanho do buffer, então o servidor precisa repetir o recv (e o send) até ter tudo.
tcp-lab-clients-side-from-kernel-s = O lado dos clientes, na tabela do kernel, antes de qualquer accept:
tcp-lab-kernel-completes-handshakes-server-s = o kernel completa os handshakes no lugar do servidor e os enfileira para o accept, até o backlog (mais um, no Linux); passado esse limite, ele descarta os SYNs e os clientes tentam de novo depois de 1 s, 3 s... Um servidor que aceita devagar faz os clientes esperarem antes mesmo de conectar.
tcp-lab-nagle-holds-small-segment-while = O Nagle segura um segmento pequeno enquanto há dados sem confirmação, e o receptor atrasa o ACK (40 ms ou mais) esperando pegar carona numa resposta; juntos, travam um pedido enviado em pedaços. Envie numa só escrita, ou ative o TCP_NODELAY. (Rode com --capture para ver o segmento retido.)
tcp-lab-this-machine-s-resolver-gives = O resolvedor desta máquina só devolve 127.0.0.1 (veja o /etc/hosts). Muitos devolvem ::1 primeiro; vamos tentar o que um resolvedor desses responderia: [::1], depois 127.0.0.1.
tcp-lab-localhost-name-resolver-may-answer = "localhost" é um nome, e o resolvedor pode responder ::1 antes de 127.0.0.1; um servidor vinculado a 127.0.0.1 não escuta em ::1, então essa primeira tentativa é recusada (RST) e um bom cliente passa ao próximo endereço. Use :: (pilha dupla) no servidor, ou conecte em 127.0.0.1, para evitar o desvio.

## crates/raw-tcp/src/server.rs

tcp-server-listening-try-raw-tcp-client = Escutando em { $bound } — experimente: raw-tcp client --host { $host } --port { $port }   |   nc { $host } { $port }
tcp-server-iterative-server-forever-one-client = Um servidor iterativo (--forever): um cliente de cada vez. Enquanto um é atendido, o handshake do próximo se completa mesmo assim (quem faz é o kernel, não o accept) e a conexão dele espera na fila de accept. Veja isso no Recv-Q do socket LISTEN em ss -ltn 'sport = :{ $port }' — para atender vários clientes ao mesmo tempo, veja o raw-multi (fork, threads, poll, epoll).
tcp-server-received-server-stops-after-serving = { $signal } recebido: o servidor para { $served ->
    [0] sem ter atendido nenhum cliente
    [one] depois de atender 1 cliente
   *[other] depois de atender { $served } clientes
}; ele fecha o socket de escuta e sai com 0.
tcp-server-waiting-accept-client-blocks-until = Esperando um cliente no accept() (ele fica bloqueado até um handshake terminar)...
tcp-server-only-this-client-lost-waiting = Só este cliente se perde; esperando o próximo.
tcp-client-stdin-failed = não foi possível ler a entrada padrão: { $error } — dica: com --stdin, cada linha digitada (ou recebida por pipe) vira uma mensagem; termine com Ctrl-D.
tcp-client-no-address = o host não tem nenhum endereço para conectar — dica: use um endereço IP (127.0.0.1, ::1) ou um nome do /etc/hosts. — verifique: getent ahosts localhost
tcp-lab-time-wait-seen = O cliente fechou primeiro (a ordem do lab 1): TIME-WAIT na porta do cliente { $client_port }, nenhum na do servidor; { $free ->
    [yes] o reinício do servidor sem SO_REUSEADDR: vinculado.
   *[no] mas o reinício do servidor sem SO_REUSEADDR falhou aqui.
} O servidor fechou primeiro: { $lingering ->
    [0] nenhuma conexão em TIME-WAIT na porta { $port } do servidor
    [one] 1 conexão em TIME-WAIT na porta { $port } do servidor
   *[other] { $lingering } conexões em TIME-WAIT na porta { $port } do servidor
}; { $refused ->
    [yes] bind sem SO_REUSEADDR: EADDRINUSE; com SO_REUSEADDR: vinculado.
   *[no] mas o bind sem SO_REUSEADDR funcionou aqui (não sobrou nenhum TIME-WAIT?).
}
tcp-lab-partial-seen = um único send de { $sent } bytes chegou em { $reads } chamadas de recv de no máximo { $buffer } bytes ({ $total } bytes no total).

## crates/raw-tcp/src/states.rs

tcp-lab-states-part-1 = Parte 1: uma conexão, fechada do jeito de sempre (o cliente primeiro). Repare nas linhas [kernel]: SYN-RECEIVED antes do accept, LAST-ACK entre o close do servidor e o último ACK.
tcp-lab-states-part-2 = Parte 2: um fechamento simultâneo, num namespace de rede só deste processo. Uma regra do nftables descarta o primeiro FIN do cliente na saída; assim o FIN do servidor chega a um cliente ainda em FIN-WAIT-1 (o FIN dele não foi confirmado): CLOSING. Depois o kernel manda de novo o FIN perdido.
tcp-lab-states-needs-root = A parte 2 (CLOSING) precisa de root: unshare(CLONE_NEWNET) e nftables. Pulada; rode com sudo.
tcp-lab-states-lo-up = Executado: ip link set lo up (o loopback do namespace novo, desligado até agora).
tcp-lab-states-fin-dropped = Executado: nft add rule inet raw_sockets_states out tcp sport { $port } tcp flags fin drop: o FIN do cliente vai ser descartado uma vez, na saída.
tcp-lab-states-rule-removed = Executado: nft delete table inet raw_sockets_states. O FIN do cliente foi barrado na saída, então o TCP ainda tem esse FIN para mandar: ele sai junto com o próximo segmento do cliente (aqui, o ACK do FIN do servidor), ou quando o timer de retransmissão estourar.
tcp-lab-states-waiting = Esperando o FIN do cliente ser reenviado e confirmado (olhando /proc/net/tcp, por no máximo 3 s).
tcp-lab-states-tool-failed = { $tool } falhou ({ $why }): a parte 2 não consegue descartar o FIN e para aqui. Confira com: { $check }
tcp-lab-states-seen = Estados alcançados nesta execução: { $seen } ({ $count } de 11).
tcp-lab-states-missing = Não alcançados desta vez: { $missing }.
tcp-lab-states-why = Onze estados, como a RFC 793 desenha; o kernel só passa por cada um quando uma chamada ou um pacote pede. O TIME-WAIT é lido da tabela do kernel (o tracepoint nunca informa esse estado).
