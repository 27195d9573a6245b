
## crates/raw-core/src/tracepoint/cause.rs

states-listen = listen(): a partir de agora o kernel completa os handshakes em nome deste socket.
states-connect-sends-syn = connect(): o kernel envia o SYN.
states-syn-ack-arrived = Chegou o SYN-ACK e o kernel respondeu com ACK: conectado, antes de o connect() retornar.
states-syn-arrived = Chegou um SYN: o kernel criou um socket novo para esta conexão e mandou o SYN-ACK por conta própria, antes de qualquer accept() (o ss escreve esse estado como SYN-RECV).
states-handshake-done-accept-queue = Chegou o último ACK do handshake: a conexão está pronta e espera na fila de accept do socket que escuta.
states-our-fin-out = Nosso FIN saiu (shutdown ou close): deste lado não sai mais nada.
states-peer-fin-arrived = Chegou o FIN do outro lado: ele não manda mais nada, e o próximo recv retorna 0.
states-fin-acked = Chegou o ACK do nosso FIN.
states-fin-acked-after = Chegou o ACK do nosso FIN, { $ms } ms depois dele (o Linux segura um ACK por até 40 ms, esperando mandá-lo junto com dados).
states-simultaneous-close = O FIN do outro lado chegou antes do ACK do nosso: os dois lados fecharam ao mesmo tempo (fechamento simultâneo).
states-time-wait-entry = Chegou o FIN do outro lado e o kernel confirmou com ACK. O kernel informa CLOSED: este socket dá lugar a uma entrada pequena de TIME-WAIT, que o tracepoint nunca informa (o ss -tan mostra).
states-time-wait-entry-left = Chegou o FIN do outro lado e o kernel confirmou com ACK. O kernel informa CLOSED: este socket dá lugar a uma entrada pequena de TIME-WAIT, que o tracepoint nunca informa; a tabela do kernel mostra, com { $left } s restantes no timer (ss -tano).
states-close-our-fin-out = close(): nosso FIN saiu; agora é esperar o ACK dele.
states-last-ack-done = Chegou o ACK do nosso FIN: a conexão acabou, sem TIME-WAIT deste lado (quem fecha primeiro é que fica com ele).
states-listener-closed = O socket que escutava foi fechado: um SYN novo nesta porta agora recebe RST.
states-closed-at-once = Fechado na hora pela chamada: saiu um RST, ou ainda não havia conexão.
states-reset-arrived = Chegou um RST: a conexão acabou.
states-given-up = O kernel desistiu desta conexão (um timer estourou, sem FIN e sem RST).
states-changed = O kernel mudou o estado do socket.
states-retransmitted = O kernel mandou um segmento de novo (uma retransmissão), em { $state }.
states-syn-ack-retransmitted = O kernel mandou o SYN-ACK de novo: o ACK do handshake não veio.
states-reset-sent = O kernel mandou um RST nesta conexão.
states-reset-received = Chegou um RST para esta conexão.

## crates/raw-core/src/narrate.rs

narrate-states-from-the-kernel = Estados direto do kernel: o tracepoint sock:inet_sock_set_state, lido pela instância de tracefs { $dir } (removida no fim). Cada mudança aparece quando acontece, com a causa.
narrate-states-need-root = As mudanças de estado que o kernel faz sozinho (SYN-RECEIVED, LAST-ACK...) precisam de root: sudo, ou CAP_PERFMON e acesso a /sys/kernel/tracing. No lugar delas: o estado lido depois de cada chamada nossa (getsockopt TCP_INFO), que não vê as mudanças que o kernel faz por conta própria.
narrate-states-unavailable = Não dá para ler aqui as mudanças de estado do próprio kernel ({ $why }): no lugar delas, o estado lido depois de cada chamada nossa (getsockopt TCP_INFO).

## crates/raw-core/src/views/printer.rs

views-transition = [kernel] { $local } ↔ { $remote }  { $from } → { $to }  ({ $cause }) { $text }
views-kernel-event = [kernel] { $local } ↔ { $remote }  { $text }
views-cause-syscall = uma syscall
views-cause-packet = um pacote
views-cause-timer = um timer
