
## crates/raw-core/src/capture/

capture-packets-written-open-with-wireshark = { $count } pacotes gravados em { $path } — abra com: wireshark { $path } ou tshark -r { $path }
capture-capturing-fd-socket-af-packet = Capturando em { $path } (fd { $as_raw_fd }: socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)); suas leituras não são narradas)
capture-listening-side-s-kernel-answering = o kernel do lado que escuta, respondendo ao SYN (sem syscall)
capture-receiving-kernel-own-ack-what = o kernel que recebeu, por conta própria: um ACK do que chegou (sem syscall)
capture-kernel-own-no-syscall = o próprio kernel (sem syscall)

## crates/raw-core/src/views/diagram/

diagram-kernel-table = { $name } (tabela do kernel)
diagram-client = cliente { $peer }
diagram-no-capture-syscalls-states-only = Sem captura: só syscalls e estados. Rode como root (ou com CAP_NET_RAW) para ver os pacotes.

## crates/raw-core/src/views/replay.rs


## crates/raw-core/src/views/

views-kernel-table-fd-closed = { $state } (tabela do kernel, fd fechado)
views-tcp-state-tcp-info = { $indent }  Estado TCP: { $state }   ({ $short }, TCP_INFO, ...) = { $ret }){"\u000A"}

## crates/raw-core/src/capture/

capture-kernel-own-timer = o próprio kernel (temporizador)
replay-back = voltar
replay-next = avançar
replay-english = English
replay-portuguese = Português
replay-code = Nosso código
replay-syscall = A syscall, como o strace mostra
replay-packets = Pacotes que ela causou
replay-states = Estado de cada socket
replay-keys = Teclas: ← → andam um passo; Home e End vão para o primeiro e o último passo; clique em qualquer syscall ou pacote no diagrama.
replay-no-source = (sem linha de código: o próprio kernel enviou, por exemplo um ACK atrasado)
replay-none = nenhum
replay-closed = fechado (o close liberou o fd)
replay-no-socket = nenhum socket ainda
