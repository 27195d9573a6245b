
## crates/raw-core/src/cli.rs

cli-cannot-write-hint-pick-path = não foi possível gravar { $path }: { $e } — dica: escolha um caminho numa pasta onde você pode escrever, como /tmp/run.{ $ext }
cli-step-by-step-replay-written = Reprodução passo a passo gravada em { $path } (abra em qualquer navegador)
cli-sequence-diagram-written = Diagrama de sequência gravado em { $path }
cli-no-capture-pictures-needs-root = Sem captura para as figuras (ela precisa de root ou CAP_NET_RAW): elas vão mostrar só syscalls e estados.
cli-error = erro

## crates/raw-core/src/interfaces.rs

interfaces-give-them-host-port = {" "} { $iface } { $ip } passe ao colega: { $client } --host { $host } --port { $port }
interfaces-bound-every-interface-getifaddrs-3 = Vinculado a todas as interfaces. O getifaddrs(3) (uma chamada de biblioteca; o strace mostra o socket netlink dele) lista os endereços desta máquina que um colega pode usar:
interfaces-none-this-machine-has-no = {" "} (nenhum: esta máquina só tem loopback; verifique com: ip -br addr)

## crates/raw-core/src/steps/multiplex.rs

multiplex-fd-leaves-kernel-s-interest = fd { $fd } sai da lista de interesse do kernel.
multiplex-fd-everything-was-sent-no = fd { $fd }: { $wanted }. Tudo foi enviado: deixamos de perguntar se ele está pronto para escrita (quase sempre está, e o epoll_wait nos acordaria à toa).
multiplex-fd-replies-wait-be-sent = fd { $fd }: { $wanted }. Há respostas esperando para sair, então também queremos saber quando ele ficar pronto para escrita. A lista do kernel só muda quando o nosso interesse muda.
multiplex-fd-joins-interest-list-kernel = fd { $fd } entra na lista de interesse que o kernel guarda ({ $wanted }): daqui em diante o epoll_wait avisa quando ele estiver pronto, sem precisarmos passá-lo de novo.
multiplex-new-epoll-instance-from-now = Uma nova instância epoll: daqui em diante o kernel guarda a nossa lista de interesse.
multiplex-interrupted-by-signal-loop-checks = Interrompido por um sinal: o laço confere se ele pede para parar e, se não, volta a esperar.

## crates/raw-core/src/narrate.rs

narrate-warning = { $prefix }aviso: { $text }{"\u000A"}
narrate-why = Explicação: { $why }
narrate-seen = Observado: { $seen }
narrate-capture-filter-port-classic-bpf = Filtro de captura: porta { $port } (um programa BPF clássico anexado com setsockopt(SO_ATTACH_FILTER), como o tcpdump faz: o kernel descarta todos os outros quadros).
narrate-next-enter-runs-look-with = { $prefix }⏸  próximo: { $what }  [Enter executa; antes, olhe com ss -tan ou Wireshark]{" "}
narrate-so-attach-filter-was-refused = SO_ATTACH_FILTER foi recusado: nada será capturado.

## crates/raw-core/src/steps/process.rs

process-process-ends-with-status-kernel = O processo termina com status { $code }: o kernel fecha todos os fds que ele ainda tem (se um deles for um socket conectado, sai o FIN) e envia SIGCHLD ao pai. Até o wait4 do pai, ele é um zumbi.
process-gets-default-action-back-end = { $name } volta à ação padrão (encerrar o processo): o kill(pid, SIGTERM) do pai encerra este filho onde quer que ele esteja, mesmo logo antes de um recv bloqueante, onde a flag do tratador herdado seria vista tarde demais.
process-signal-sent = Sinal { $signal } enviado para { $pid }.
process-sigterm-sent-polite-way-ask = SIGTERM enviado para { $pid }: o jeito educado de pedir que um processo pare. O tratador dele roda (uma chamada bloqueada retorna EINTR) ou, se não houver tratador, a ação padrão o encerra.
process-too-many-processes-this-user = Processos demais para este usuário (ulimit -u) ou para o sistema (pid_max).
process-interrupted-by-signal-before-any = Interrompido por um sinal antes de algum filho terminar.
process-sigchld-child-ended-now-runs = O SIGCHLD (um filho terminou) agora executa o nosso tratador, que só marca uma flag. SA_NOCLDSTOP: nada de sinal quando um filho é só suspenso (SIGSTOP). Sem SA_RESTART: um accept bloqueado retorna EINTR, e o pai recolhe o filho na hora.
process-only-this-process-s-copy = Fecha só o descritor deste processo: o fork duplicou os descritores, então o socket continua aberto no outro, e nenhum pacote é enviado.
process-one-page-memory-shared-with = Uma página de memória compartilhada com todos os filhos criados daqui em diante (MAP_SHARED). Depois do fork, pai e filho não compartilham mais nada: é aqui que os filhos somam os bytes que ecoam.

## crates/raw-core/src/trace/call.rs


## crates/raw-core/src/steps/signals.rs

signals-sigint-ctrl-c-now-runs = O SIGINT (Ctrl-C) agora executa o nosso tratador, que só marca uma flag. Sem SA_RESTART, o { $blocked_in } em que o servidor espera retorna EINTR, e o servidor fecha seus sockets e sai com 0 em vez de ser morto no meio da chamada. (SA_RESTORER e sa_restorer são o trampolim de retorno da biblioteca C; o strace mostra o endereço dele, aqui escrito 0x...)
signals-sigterm-what-kill-sends-by = O SIGTERM (o que o `kill` envia por padrão) ganha o mesmo tratador: o servidor para do mesmo jeito, de forma limpa.

## crates/raw-core/src/steps/sockets/

steps-looking-at-state-again = Olhando o estado de novo.

## crates/raw-core/src/steps/uring/

uring-io-uring-setup-2-failed = io_uring_setup(2) falhou: { $errno } ({ $errno_text }) — dica: { $hint } — verifique: sysctl kernel.io_uring_disabled; uname -r
uring-this-kernel-has-no-io = este kernel não tem io_uring (compilado sem CONFIG_IO_URING), ou um filtro seccomp recusa a chamada (o perfil padrão do Docker recusa: rode o contêiner com --security-opt seccomp=unconfined, ou use outro modelo)
uring-io-uring-switched-off-this = o io_uring está desligado para este processo: o sysctl kernel.io_uring_disabled vale 2 (desligado para todos), ou 1 (só o root e o grupo em kernel.io_uring_group podem usar); um filtro seccomp também pode recusá-lo com EPERM (o perfil padrão do Docker recusa). Como root: sysctl -w kernel.io_uring_disabled=0, ou use outro modelo (--model epoll)
uring-this-kernel-refused-setup-flag = este kernel recusou uma flag do setup: o modelo io-uring precisa do Linux 6.1 ou mais novo (IORING_SETUP_DEFER_TASKRUN; o recv multishot precisa do 6.0); use outro modelo (--model epoll)
uring-kernel-could-not-allocate-rings = o kernel não conseguiu alocar os anéis: pouca memória travada permitida (ulimit -l) em kernels anteriores ao 5.12
uring-io-uring-could-not-be = não foi possível criar o io_uring aqui; use outro modelo (--model epoll)

## crates/raw-core/src/steps/workers.rs

workers-when-parent-dies-however-dies = { $signal } quando o pai morrer, seja como for: um filho que nunca termina sozinho não sobrevive ao seu servidor.
workers-page-shared-with-children-come = Uma página compartilhada com os filhos que virão: { $count } contadores, um por filho (o meter de Stevens): cada filho soma um a cada conexão que aceita, e o pai lê todos no fim.

## crates/raw-core/src/cli.rs

cli-step-waits-enter-before-each = --step espera Enter antes de cada syscall, então precisa de um terminal na entrada padrão; rode num terminal, sem pipe nem redirecionamento no stdin.
interfaces-wsl2-warning = Atenção, WSL2: este Linux fica atrás de um NAT dentro do Windows, e os colegas não alcançam o endereço dele. Use a rede espelhada do WSL (networkingMode=mirrored em %UserProfile%\.wslconfig), ou encaminhe a porta no Windows (PowerShell como administrador): netsh interface portproxy add v4tov4 listenport={ $port } connectport={ $port } connectaddress=$(wsl hostname -I) e libere a porta { $port } no firewall do Windows.
role = { $role ->
    [server] servidor
    [client] cliente
    [parent] pai
    [child] filho
    [thread] thread
    [worker] worker
    [main] principal
    [restart] reinício
    [setup] preparação
    [connected] conectado
    [unconnected] não conectado
    [program] programa
    [pid] pid
   *[other] { $role }
}{ $rest }
cli-too-long = '{ $text }' passa de { $longest } s (uma hora), o máximo que qualquer um destes programas espera ou roda; para uma execução mais longa, rode de novo
cli-not-seconds = '{ $text }' não é um número positivo de segundos (por exemplo 2, 0.5 — com ponto, não vírgula — ou 1500ms)

## crates/raw-core/src/steps/process.rs (unshare)

process-network-namespace-of-its-own = Um namespace de rede só deste processo: interfaces próprias (só o lo, ainda desligado), rotas, portas e firewall. Nada do que acontece aqui aparece para o resto da máquina, e tudo some quando o processo termina.
