
## crates/bench/src (the raw-bench subcommands)

bench-target = { $what }: { $value } (meta { $target }): { $met ->
    [yes] atingida
   *[no] não atingida
}{ $detail }
bench-measured-round-trips-per-syscall = medido: { $e } idas e voltas por syscall: com tão poucos clientes, cada io_uring_enter encontra poucas conclusões para recolher
bench-io-uring-syscalls-rt-at = io-uring syscalls/rt com { $top } clientes
bench-epoll-python-threads-at-clients = epoll / python threads com { $top } clientes
bench-io-uring-epoll-at-clients = io-uring / epoll com { $top } clientes
bench-best-ours-tokio-at-clients = o melhor dos nossos / tokio com { $top } clientes
bench-measured-load-generator-ran-core = medido: o gerador de carga usou { $a } { $generator }% / { $b } { $generator2 }% de um núcleo; CPU do servidor por ida e volta: { $a2 }: { $cpu_us } µs, { $b2 }: { $cpu_us2 } µs; outros processos na máquina enquanto isso { $others }% / { $others2 }%
bench-clients-never-answered = { $silent } clientes nunca respondidos
bench-samples-set-aside-other-processes = Amostras deixadas de lado: { $set_aside } (outros processos usaram mais de { $max_others }% de um núcleo enquanto isso; cada célula foi medida de novo).
bench-server = servidor
bench-clients = clientes
bench-round-trips-s = idas-voltas/s
bench-switches-rt = trocas/rt
bench-cpu-s-rt = CPU µs/rt
bench-load-gen = gerador
bench-others = outros
bench-raw-bench-costs-b-round = raw-bench, custos: idas e voltas de { $size } B, laço fechado, { $as_secs_f64 } s por célula, mediana de { $rounds } rodadas alternadas
bench-no-server-named = nenhum servidor chamado { $name }: { $subjects }
bench-bulk-echo-64-kib-writes = eco em massa, escritas de 64 KiB: { $gb } GB/s (o iperf3 não está instalado: apt-get install iperf3)
bench-bulk-echo-64-kib-writes-2 = eco em massa, escritas de 64 KiB: { $gb } GB/s; iperf3 só ida: { $gb2 } GB/s; razão { $ratio }
bench-clients-closed-loop = { $clients } clientes (laço fechado)
bench-round-trips-s-2 = idas e voltas/s
bench-b-ours-vs-sockperf = { $proto } { $size } B, nosso vs sockperf
bench-round-trip-s-full-rtt = ida e volta, µs (RTT completo)
bench-ours-p50 = nosso p50
bench-ratio = razão
bench-ours-p99 = nosso p99
bench-clients-2 = { $server_name } { $established } clientes, { $mode }
bench-open-loop-s = laço aberto { $r }/s
bench-note-server-started-here-serves = nota: o servidor iniciado aqui atende no máximo { $SERVE_MAX_CLIENTS } clientes ao mesmo tempo (--max-clients); os outros esperam na fila de accept, ou por espaço nela.
bench-measuring-s-from-now = Medindo por { $as_secs_f64 } s a partir de agora.
bench-meanwhile-this-machine-s-kernel = {" "} Enquanto isso o kernel desta máquina contou { $listen_overflows } estouro(s) da fila de accept (TcpExtListenOverflows) e retransmitiu { $retransmitted } segmento(s): a fila de accept do servidor estava cheia — o backlog do listen() dele é menor que o número de clientes conectando ao mesmo tempo, ou ele aceita devagar demais.
bench-failed = {" "} { $failed } falharam ({ $first_errno }).
bench-still-had-no-answer-after = {" "} { $timed_out } continuavam sem resposta depois de { $as_secs_f64 } s (--connect-timeout) e foram abandonadas; medindo com as { $established } que conectaram.
bench-them-took-over-1-s = {" "} { $slow } delas levaram mais de 1 s: o primeiro SYN ficou sem resposta e foi reenviado quando o temporizador de retransmissão de 1 s expirou.
bench-connect-connection-s-made-s = connect: { $established } de { $wanted } conexão(ões) feitas em { $seconds } s.
bench-no-round-trip-completed-s = nenhuma ida e volta se completou em { $as_secs_f64 } s: { $established } conexão(ões) foram feitas, mas nenhuma recebeu de volta seus { $size } bytes — dica: { $addr } é um servidor de eco que atende todos os clientes ao mesmo tempo? Um que atende um cliente por vez, ou que nunca lê, deixa os outros esperando. — verifique: ss -tn 'sport = :{ $port }' (Recv-Q: bytes que chegaram e o servidor não leu)
bench-no-round-trip-completed-s-2 = nenhuma ida e volta se completou em { $as_secs_f64 } s: { $errors } datagrama(s) ficaram sem resposta (cada um esperou 1 s). Há mesmo um servidor de eco rodando em { $addr }? — verifique: ss -uanp 'sport = :{ $port }'
bench-warning-connection-s-completed-no = aviso: { $silent_clients } conexão(ões) não completaram nenhuma ida e volta na janela: o servidor nunca respondeu (ainda estão na fila de accept, ou ele atende um cliente por vez). Os números acima vêm só das outras.
bench-round-trips-s-lost-p50 = { $label }: { $round_trips } idas e voltas ({ $per_second }/s, { $errors } perdidas) p50 { $f } µs  p90 { $f2 }  p99 { $f3 }  p99,9 { $f4 }  máx { $f5 }
bench-check-nstat-az-tcpextlistenoverflows-tcpextliste = {" "} verifique: nstat -az TcpExtListenOverflows TcpExtListenDrops
bench-closed-loop = laço fechado
bench-sockperf-not-installed-apt-get = {" "} o sockperf não está instalado: apt-get install sockperf
bench-note-python3-not-installed-so = nota: o python3 não está instalado, então a referência em Python fica de fora: apt-get install python3
bench-no-quiet-sample-other-processes = nenhuma amostra quieta: outros processos competiram em todas
bench-no-server-listening = nenhum servidor escutando na porta { $port } depois de 10 s — dica: o processo do servidor não iniciou ou morreu logo de cara — verifique: ss -tulnp 'sport = :{ $port }'
bench-reader-panicked = a thread que lê as respostas parou com um panic: a medição se perdeu — dica: rode de novo; se repetir, informe o problema com a linha de comando usada
bench-no-report = { $model }: o raw-bench serve não escreveu o relatório ao parar — dica: ele terminou direito com o SIGTERM? — verifique: { $exe } serve --kind multi --model { $model } --port 0 --report /tmp/r.json
bench-no-python = o python3 não está instalado: a referência em Python não pode rodar — dica: apt-get install python3
bench-unknown-kind = tipo de servidor desconhecido: { $kind } — dica: use tcp, udp, multi ou tokio
