
## crates/raw-trace/src/lints/

trace-lints-while-pid-sat-blocked-waiting = enquanto o pid { $pid } estava bloqueado em { $call }({ $reader }) esperando um cliente, { $queued ->
    [one] 1 conexão pronta esperava
   *[other] { $queued } conexões prontas esperavam
} na fila de accept do fd de escuta { $listener }{ $local } havia mais de { $seconds } s: este servidor só volta ao accept quando o cliente atual sai, então um cliente parado trava todos os outros (os handshakes deles terminam mesmo assim: quem os faz é o kernel; o ss -ltn os mostra em Recv-Q).
trace-lints-recvfrom-udp-fd-filled-whole = o recvfrom no fd UDP { $fd } encheu o buffer inteiro ({ $offered } bytes): o datagrama tinha pelo menos esse tamanho, e o que vinha depois foi descartado. O UDP corta o datagrama no tamanho do buffer em que é lido, e o resto se perde de vez.
trace-lints-recvfrom-udp-fd-offered-buffer = o recvfrom no fd UDP { $fd } ofereceu um buffer de { $offered } bytes para um datagrama de { $count }: o kernel guardou os primeiros { $offered } e descartou o resto (o MSG_TRUNC diz isso).
trace-lints-connect-1-ipv6-loopback-which = o connect em [::1]:{ $port } — o loopback IPv6, que 'localhost' nomeia primeiro em muitos sistemas (/etc/hosts: ::1 localhost) — foi recusado (ECONNREFUSED), enquanto um servidor escutava em IPv4 { $v4 }: cada conexão paga uma tentativa recusada (um SYN respondido com RST), e um cliente que tenta só o primeiro endereço falha.
trace-lints-process-state-z-ps-while = o processo { $pid } { $count ->
    [one] criou o filho { $list }, que terminou, e { $pid } nunca o recolheu (nenhum wait4/waitid o devolveu): ele ficou zumbi
   *[other] criou { $count } filhos ({ $list }) que terminaram, e { $pid } nunca os recolheu (nenhum wait4/waitid os devolveu): eles ficaram zumbis
} (estado Z no ps) enquanto o pai viveu. Um servidor que cria um filho por cliente enche a tabela de processos assim.
trace-lints-fd-took-only-bytes-socket = o { $call } no fd { $fd } só aceitou { $count } de { $offered } bytes (o buffer de envio do socket estava cheio), e o programa nunca enviou o resto: { $saturating_sub } bytes perdidos sem aviso.
trace-lints-fd-returned-0-end-stream = o { $call } no fd { $fd } devolveu 0 — fim do fluxo: o outro lado fechou — e o programa chamou de novo no mesmo socket, { $repeats ->
    [one] mais 1 vez
   *[other] mais { $repeats } vezes
}, recebendo 0 a cada vez: um laço que gira com a CPU a toda e nunca termina sozinho.
trace-lints-bind-port-failed-with-eaddrinuse = o bind na porta { $port } falhou com EADDRINUSE, e este socket nunca ativou SO_REUSEADDR. Nenhum programa escutava na porta: só { $held } a ocupavam, e o kernel as mantém por 60 s depois de um close. Cada reinício do servidor falha até elas sumirem.
trace-lints-connections-time-wait = conexões em TIME-WAIT ({ $list })
trace-lints-old-connections-kernel-keeps-after = conexões antigas que o kernel mantém depois de um close
trace-lints-set-so-reuseaddr-before-bind = ative SO_REUSEADDR antes do bind — Python: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); C: int one = 1; setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one). Ou espere o TIME-WAIT acabar (ss -tan state time-wait).
trace-lints-when-recv-returns-0-bytes = quando o recv devolver 0 bytes (b'' em Python), saia do laço e feche o socket — Python: if not data: break; C: if (n == 0) break;
trace-lints-send-until-every-byte-taken = envie até o kernel aceitar todos os bytes — Python: s.sendall(data); C: um laço de send/write que avança pelo valor devolvido (e espera com poll quando vier EAGAIN).
trace-lints-reap-every-child-sigchld-call = recolha cada filho: no SIGCHLD, chame waitpid(-1, WNOHANG) em laço até devolver 0 (Python: os.waitpid(-1, os.WNOHANG)), ou espere pelo filho onde se sabe que ele termina; signal.signal(signal.SIGCHLD, signal.SIG_IGN) também faz o kernel recolhê-los.
trace-lints-connect-127-0-0-1 = conecte em 127.0.0.1, o endereço em que o servidor fez bind, em vez de localhost; ou faça o servidor escutar nos dois: bind em '::' com IPV6_V6ONLY desativado (raw-tcp server --host ::).
trace-lints-give-recvfrom-buffer-as-large = dê ao recvfrom um buffer do tamanho do maior datagrama que o protocolo envia (até 65507 bytes sobre IPv4), ou passe MSG_TRUNC para saber o tamanho real de cada datagrama.
trace-lints-serve-each-client-apart-from = atenda cada cliente fora do laço do accept: uma thread por cliente (threading.Thread, como em examples/python/multi-server.py), um processo por cliente (os.fork, recolhendo os filhos) ou um só laço com select/poll (o raw-multi mostra os três).

## crates/raw-trace/src/main.rs

trace-step-labs-raw-trace-cannot = --step é para os laboratórios: o raw-trace não pausa outro programa entre as syscalls dele (tente --hold 1000 para deixá-lo mais lento)

## crates/raw-trace/src/report.rs

trace-report-fix = { $id }: { $what } Correção: { $fix }
trace-report-mistakes-this-trace-shows = Erros que este rastreamento mostra: { $findings }{"\u000A"}
trace-report-no-mistake-shows-this-trace = Nenhum erro aparece neste rastreamento (verificados: { $ids }).{"\u000A"}
trace-report-proof = prova:
trace-report-fix-2 = correção:

## crates/raw-trace/src/session/

trace-session-closed-fd-closed-kernel-s = { $state }: CLOSED   (fd fechado; a tabela de sockets do kernel já não lista { $local } ↔ { $peer })
trace-session-fd-closed-kernel-s-socket = { $state }: { $s }   (fd fechado; a tabela de sockets do kernel ainda lista { $local } ↔ { $peer })
trace-session-closed-kernel-s-socket-table = { $state }: CLOSED   (a tabela de sockets do kernel não o lista: nem escutando nem conectado)
trace-session-kernel-s-socket-table-socket = { $state }: { $s }   (tabela de sockets do kernel, inode do socket { $inode })
trace-session-tcp-state = Estado TCP

## crates/raw-trace/src/tracer.rs

trace-tracer-raw-trace-got-passing-traced = o raw-trace recebeu { $signal }: repassando ao programa rastreado; o que dele ainda estiver rodando em 2 s é morto (SIGKILL).
trace-tracer-tracing-pid-strace-f-e = Rastreando o pid { $root }: strace -f -e trace={ $TRACED } -- { $command }. Cada linha é a do próprio strace, depois o que ela significa e o estado TCP do socket; a saída do próprio programa aparece no meio.
trace-tracer-cannot-start = não foi possível iniciar { $value }: { $e }
trace-tracer-cannot-write = não foi possível gravar { $path }: { $e }
trace-tracer-cannot-run-no-such-program = não dá para rodar '{ $to_string_lossy }': não existe esse programa no PATH, nem esse arquivo — dica: confira o nome, ou dê o caminho (./servidor)
trace-tracer-cannot-create-hint-set-tmpdir = não foi possível criar { $dir }: { $e } — dica: aponte TMPDIR para uma pasta onde você pode escrever
trace-tracer-strace-not-installed-raw-trace = o strace não está instalado: o raw-trace roda o seu programa sob o strace(1), que mostra cada syscall que ele faz — dica: sudo apt-get install strace
trace-tracer-strace-could-not-trace-program = o strace não conseguiu rastrear o programa (a mensagem dele está acima) — dica: num contêiner, o ptrace precisa de --cap-add=SYS_PTRACE; fora dele, confira /proc/sys/kernel/yama/ptrace_scope
