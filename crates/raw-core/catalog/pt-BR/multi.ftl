
## crates/raw-multi/src/clients.rs

multi-clients-client = cliente
multi-clients-local-ephemeral = local (efêmera)
multi-clients-remote = remoto
multi-clients-reply = resposta
multi-clients-holding-connections-open-s = Mantendo as conexões abertas por { $secs } s…
multi-clients-each-connection-got-own-ephemeral = Cada conexão ganhou do kernel sua própria porta local efêmera; a porta do servidor é a mesma para todas. Juntas, (IP local, porta local, IP remoto, porta remota) são únicas por conexão.

## crates/raw-multi/src/lab.rs

multi-lab-before-reaping-after = { $before ->
    [0] nenhum zumbi
    [one] 1 zumbi
   *[other] { $before } zumbis
} antes de recolher; { $after ->
    [0] nenhum
    [one] 1
   *[other] { $after }
} depois.
multi-lab-proc-no-children-left = {" "} /proc: nenhum filho restante
multi-lab-proc-child-state = {" "} /proc: filho { $pid }, estado { $state }{ $zombie ->
    [yes] {" "}<defunct> (um zumbi)
   *[no] {" "}
}
multi-lab-sockets-server-s-port-listen = { $server_side } sockets na porta do servidor { $port } ({ $listening } LISTEN + { $established } ESTABLISHED); { $ephemeral } portas de cliente diferentes: { $ephemeral2 }.
multi-lab-kernel-s-table-this-port = A tabela do kernel para esta porta (como o ss -tan mostra):
multi-lab-accept-gives-each-connection-new = o accept dá a cada conexão um socket novo na mesma porta local; a porta que muda é a do cliente, escolhida pelo kernel dele no connect. As conexões se distinguem pela quádrupla inteira.
multi-lab-without-waitpid-children-have-exited = Sem waitpid: os filhos terminaram, mas o kernel guarda o status de saída de cada um até o pai recolhê-lo.
multi-lab-now-reaping-waitpid-1-wnohang = Agora recolhendo: waitpid(-1, WNOHANG) em laço, como o servidor fork faz a cada SIGCHLD.
multi-lab-exited-child-keeps-process-table = um filho que terminou mantém sua entrada na tabela de processos até o pai esperar por ele. Um servidor recolhe num laço de waitpid(WNOHANG) (sinais não se acumulam); seu tratador de SIGCHLD só marca uma flag, pois imprimir não é seguro dentro de um tratador de sinal.

## crates/raw-multi/src/models/event_loop.rs

multi-event-loop-idle-too-long-idle-timeout = { $peer }: ocioso demais (--idle-timeout): desconectando este cliente.
multi-event-loop-only-this-connection-ends = Só esta conexão termina.
multi-event-loop-not-watching-listener-100-ms = Deixando de vigiar o socket de escuta por 100 ms; os clientes já conectados continuam sendo atendidos.
multi-event-loop-server-goes-accepting = O servidor continua aceitando conexões.

## crates/raw-multi/src/models/fork.rs

multi-fork-this-client-dropped = Este cliente é descartado.

## crates/raw-multi/src/models/io_uring.rs

multi-io-uring-not-accepting-100-ms-clients = Sem aceitar conexões por 100 ms; os clientes já conectados continuam sendo atendidos.

## crates/raw-multi/src/models/mod.rs

multi-reached-clients-are-being-served = { $option } { $max } atingido: { $max } clientes em atendimento; os novos esperam na fila de accept do kernel (o backlog do listen) até um deles sair.
multi-connections-each-worker-got-from = Conexões que cada worker recebeu do kernel: { $shares }.
multi-summary = Resumo: { $connections ->
    [0] nenhuma conexão atendida
    [one] 1 conexão atendida
   *[other] { $connections } conexões atendidas
}; { $bytes ->
    [0] nenhum byte ecoado
    [one] 1 byte ecoado
   *[other] { $bytes } bytes ecoados
}.
multi-rlimit-nofile-raised-hard-limit = RLIMIT_NOFILE elevado ao limite rígido (cada cliente é um descritor de arquivo): { $soft } → { $hard }.
multi-connection-fd-same-local-port = Conexão fd { $fd }: { $local } ↔ { $peer }. Mesma porta local do socket de escuta; do lado do cliente, uma porta efêmera nova. O kernel distingue as conexões por esta quádrupla.
multi-listening-model-try-raw-multi = Escutando em { $bound } (modelo { $name }) — experimente: raw-multi clients --count 5 --port { $port }
multi-backing-off-100-ms-clients = Esperando 100 ms; os clientes já conectados continuam sendo atendidos.

## crates/raw-multi/src/models/prefork.rs

multi-prefork-silent-since-connected-longer-than = { $peer }: calado desde que conectou, por mais tempo que o prazo de ociosidade (--idle-timeout, 5 s por padrão no prefork): descartado na hora, para que os clientes atrás dele na fila de accept ganhem um filho.
multi-prefork-this-child-stops = Este filho para.

## crates/raw-multi/src/models/reuseport.rs

multi-reuseport-one-worker-fewer-listening-socket = Um worker a menos: o socket de escuta dele é fechado, e o kernel reparte as conexões entre os outros.

## crates/raw-multi/src/models/select.rs

multi-select-fd-select-can-only-watch = fd { $fd }: o select() só vigia fds abaixo de FD_SETSIZE (1024): este cliente é recusado e fechado. Os modelos poll e epoll não têm esse teto.

## crates/raw-multi/src/models/thread.rs

multi-thread-no-thread-this-client-connection = Sem thread para este cliente: a conexão dele é fechada; os outros continuam sendo atendidos.

## crates/raw-multi/src/sockets.rs

multi-sockets-listen-established-with-local-port = { $listening } LISTEN, { $established } ESTABLISHED com porta local { $port }. Toda conexão aceita mantém a porta do servidor; só a porta do cliente muda. O kernel associa cada pacote a um socket pela quádrupla.
multi-sockets-state = Estado
multi-sockets-local = Local
multi-sockets-peer = Remoto
multi-sockets-process = Processo
