
## crates/raw-udp/src/client.rs

udp-client-received = Recebido: { $readable }
udp-client-ignored-datagram-from-not-server = Ignoramos um datagrama de { $from }: não veio do servidor a quem perguntamos.
udp-client-sent = Enviado: { $readable }
udp-client-message = Mensagem:

## crates/raw-udp/src/demo.rs

udp-demo-strace-also-shows-getsockopt-tcp = (o strace também mostra as { $looks } chamadas getsockopt(TCP_INFO) que a narração acrescenta para ler cada estado TCP: não fazem parte da troca e não entram na conta abaixo.)
udp-demo-no-listen-no-accept-nothing = Sem listen(), sem accept(): nada espera conexões, porque elas não existem.
udp-demo-now-same-message-over-tcp = Agora a mesma mensagem por TCP (a demo do raw-tcp, só as linhas do strace):
udp-demo-syscalls-this-run = syscalls nesta execução
udp-demo-payload-bytes-each-way = bytes de dados em cada sentido
udp-demo-connection-set-up = abertura de conexão
udp-demo-none = nenhuma
udp-demo-teardown = encerramento
udp-demo-none-2 = nenhum
udp-demo-message-boundaries = limites de mensagem
udp-demo-kept-one-sendto-one-recvfrom = mantidos: um sendto = um recvfrom
udp-demo-none-byte-stream = nenhum: fluxo de bytes
udp-demo-lost-data = dados perdidos
udp-demo-gone-app-must-retry = perdidos; a aplicação reenvia
udp-demo-retransmitted-by-kernel = retransmitidos pelo kernel
udp-demo-server-sockets = sockets do servidor
udp-demo-1-every-client = 1 para todos os clientes
udp-demo-1-listening-1-per-client = 1 de escuta + 1 por cliente
udp-demo-packets-wire = pacotes na rede
udp-demo-see-docs-udp-md-tshark = veja docs/udp.md (tshark)
udp-demo-see-docs-tcp-md-tshark = veja docs/tcp.md (tshark)
udp-demo-udp-versus-tcp-same-message = UDP versus TCP, a mesma mensagem:

## crates/raw-udp/src/hardening.rs

udp-hardening-rate-limiter-already-keeps-bucket = Ignorado um datagrama de { $from }: o limitador de taxa já guarda um balde para { $sources } origens, todas ativas no último segundo (uma enxurrada de origens forjadas?). Origens novas ficam sem resposta até os baldes antigos encherem de novo, e assim a memória continua limitada. Avisamos uma vez só até abrir espaço.
udp-hardening-rate-limit-reached-source-bucket = Limite de taxa atingido para a origem { $ip }: o balde dela está vazio (o balde é reabastecido a { $per_second } fichas por segundo). Não respondemos; os próximos datagramas dela serão descartados sem mais avisos até o balde encher de novo. Um serviço de eco não pode virar amplificador de tráfego, nem ficar trocando o mesmo datagrama para sempre com outro serviço de eco com outro serviço de eco.
udp-hardening-source-port-0-invalid-ports = Ignorado um datagrama de { $from }: a porta de origem 0 é inválida e as portas 7, 9, 13, 17, 19 e 37 são serviços UDP clássicos que respondem; responder poderia iniciar um eco sem fim ou atender uma origem forjada.
udp-hardening-source-this-machine-at-our = Ignorado um datagrama de { $from }: a origem é esta própria máquina, na nossa própria porta: foi forjada (ou outro servidor usa a mesma porta). Responder mandaria a resposta para nós mesmos; responderíamos a ela também, e um único datagrama ficaria num laço sem fim, com a CPU a 100%.
udp-hardening-rate-limit-at-most-replies = Limite de taxa: no máximo { $per_second } respostas por segundo para cada endereço de origem, em rajadas de até { $per_second2 } (um balde de fichas, ou token bucket, por origem; --rate-limit muda isso). Datagramas desta máquina vindos da nossa própria porta, e das portas de origem 0, 7, 9, 13, 17, 19 e 37, nunca são respondidos.
udp-hardening-warning-rate-limit-0-turns = aviso: --rate-limit 0 desliga o limite de taxa por origem. Quem forjar um endereço de origem pode agora usar este servidor como amplificador de tráfego contra uma vítima, ou fazer um datagrama quicar para sempre entre ele e outro serviço de eco (CERT CA-1996-01). Rode assim só onde ninguém mais consegue alcançá-lo.

## crates/raw-udp/src/lab.rs

udp-lab-no-server-connected-socket-unconnected = nenhum servidor em { $nobody }: socket conectado: { $name }, socket não conectado: { $name2 }.
udp-lab-udp-keeps-message-boundaries-each = O UDP mantém os limites das mensagens (cada datagrama é lido inteiro, ou cortado); o TCP é um fluxo de bytes, então quem recebe precisa delimitar as mensagens.
udp-lab-kernel-answers-datagram-closed-port = o kernel responde a um datagrama enviado a uma porta fechada com um ICMP port-unreachable; só um socket UDP conectado tem um destino fixo ao qual associar esse erro, então só ele recebe ECONNREFUSED. O não conectado só espera o prazo acabar (EAGAIN).

## crates/raw-udp/src/server.rs

udp-server-received-server-stops-after-closes = { $signal } recebido: o servidor para { $served ->
    [0] sem ter enviado nenhuma resposta
    [one] depois de 1 resposta
   *[other] depois de { $served } respostas
}; ele fecha o socket e sai com 0.
udp-server-waiting-datagrams-udp-try-raw = Esperando datagramas em { $bound } (UDP) — experimente: raw-udp client --port { $port }   |   nc -u { $ip } { $port2 }
udp-server-no-listen-no-accept-udp = Sem listen() e sem accept(): o UDP não tem conexões, nem handshake, nem estado. Este único socket recebe os datagramas de todos os clientes, e o recvfrom diz quem mandou cada um.
udp-server-not-answering-cut-datagram-echoing = Não respondemos a um datagrama cortado: ecoar só um pedaço seria fingir que a mensagem está inteira.
udp-server-only-this-reply-lost-server = Só esta resposta se perde; o servidor continua.
udp-lab-boundaries-seen = UDP: dois datagramas de { $first } + { $second } bytes, duas recepções; um datagrama de { $real } bytes lido num buffer de 5 foi cortado, e o MSG_TRUNC ainda informou { $real }. { $merged_all ->
    [yes] TCP: os mesmos dois envios chegaram num só recv de { $merged } bytes.
   *[no] TCP: desta vez o primeiro recv devolveu { $merged } dos { $both } bytes (um fluxo pode dividir ou juntar os envios como quiser).
}
