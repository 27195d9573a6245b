
help-completions = Imprime um script de completação para o shell (bash, zsh ou fish): { $binary } completions bash > ~/.local/share/bash-completion/completions/{ $binary }
help-arg-shell = O shell para o qual completar
help-arg-kind = Qual servidor rodar: tcp, udp, multi (um dos modelos do raw-multi, --model) ou tokio
help-raw-bench-serve--model = O modelo do raw-multi a rodar com --kind multi
help-raw-bench-serve--port = Porta para o bind; 0 deixa o kernel escolher uma livre
help-usage-heading = Uso:
help-heading-options = Opções
help-heading-arguments = Argumentos
help-heading-commands = Comandos
help-flag-help = Mostra a ajuda (este texto)
help-flag-version = Mostra a versão
help-possible = [valores possíveis: { $values }]
help-default = [padrão: { $value }]
help-more = Para saber mais, use '--help'.
help-completions-shell = completions recebe um shell: bash, zsh ou fish (tcsh e outros não são oferecidos) — dica: { $binary } completions bash
help-value = { $name ->
    [PORT] PORTA
    [HOST] HOST
    [COMMAND] COMANDO
    [OPTIONS] OPÇÕES
    [FILE] ARQUIVO
    [MS] MS
    [SECONDS] SEGUNDOS
    [BYTES] BYTES
    [N] N
    [TEXT] TEXTO
    [MESSAGE] MENSAGEM
    [ADDR] ENDEREÇO
    [LANG] IDIOMA
    [MODEL] MODELO
    [KIND] TIPO
    [SHELL] SHELL
    [RATE] TAXA
    [CLIENTS] CLIENTES
    [SIZE] TAMANHO
    [DURATION] DURAÇÃO
    [TRANSFORM] TRANSFORMAÇÃO
    [BUFFER] TAMANHO_DO_BUFFER
    [BACKLOG] BACKLOG
    [MAX_CLIENTS] MÁX_CLIENTES
    [IDLE_TIMEOUT] PRAZO_OCIOSO
    [TARGET] ALVO
    [PROTO] PROTOCOLO
    [TIMEOUT] PRAZO
    [COUNT] QUANTIDADE
    [WORKERS] WORKERS
   *[other] { $name }
}
help-error = { $kind ->
    [out-of-range] valor inválido '{ $value }' para '{ $arg }': ele aceita de { $min } a { $max }
    [refused] valor inválido para '{ $arg }': { $why }
    [missing-value] '{ $arg }' precisa de um valor — dica: o --help diz o que ele aceita
    [invalid-choice] valor inválido '{ $value }' para '{ $arg }' — dica: os valores aceitos são { $valid }
    [invalid-value] valor inválido '{ $value }' para '{ $arg }' — dica: veja com --help o que a opção aceita
    [unknown-argument] argumento inesperado '{ $arg }'{ $suggested ->
        [none] {""}
       *[other] {" "}— dica: você quis dizer '{ $suggested }'?
    }
    [unknown-command] subcomando desconhecido '{ $subcommand }'{ $valid_subcommands ->
        [none] {""}
       *[other] {" "}— dica: você quis dizer '{ $valid_subcommands }'?
    }
    [missing-argument] falta um argumento obrigatório: { $arg }
    [missing-command] é preciso um subcomando — dica: o --help lista todos
    [conflict] '{ $arg }' não pode ser usado junto com '{ $prior }'
    [wrong-count] número errado de valores para '{ $arg }'
    [no-equals] '{ $arg }' precisa do valor depois de '=' (--opcao=valor)
   *[other] não foi possível entender esta linha de comando — dica: o --help mostra o que ela aceita
}
help-raw-tcp = Um servidor e um cliente de eco TCP que imprimem cada syscall que fazem, do jeito que o strace imprime, com o estado TCP depois de cada uma
    .long =
        Um servidor e um cliente de eco TCP que imprimem cada syscall que fazem, do jeito que o strace
        imprime, com o estado TCP depois de cada uma.

        Rode todo o laboratório num terminal:   raw-tcp demo
        Ou em dois terminais, como pede o trabalho:
            raw-tcp server                        (faz o bind em 127.0.0.1:65432)
            raw-tcp client                        (envia "Hello, world" e imprime a resposta)
        Ao mesmo tempo, observe o lado do kernel:
            strace -f -e trace=%network raw-tcp server
            tshark -i lo -f 'tcp port 65432'
            ss -tan 'sport = :65432 or dport = :65432'
help-raw-tcp-server = rt_sigaction(SIGINT, SIGTERM) → socket → setsockopt(SO_REUSEADDR) → bind → listen → accept → recv/send até o cliente fechar → close. Atende um cliente, como o servidor do trabalho (com --forever, um depois do outro); Ctrl-C ou kill o encerram de forma limpa, com código de saída 0
help-raw-tcp-client = socket → connect (o handshake de três vias) → send → recv da resposta inteira → shutdown → close. Imprime `Recebido "HELLO, WORLD"`
help-raw-tcp-demo = Servidor e cliente num só processo, numa porta livre, com as syscalls dos dois intercaladas na ordem em que o kernel as vê e o estado TCP de cada socket depois de cada passo: CLOSED → LISTEN, ESTABLISHED, FIN-WAIT-2 / CLOSE-WAIT, TIME-WAIT
help-raw-tcp-lab = As surpresas clássicas do TCP, reproduzidas, mostradas e depois explicadas: time-wait, partial, backlog, nagle, localhost; e states, os onze estados do TCP
    .long =
        As surpresas clássicas do TCP, reproduzidas, mostradas e depois explicadas: time-wait, partial, backlog, nagle, localhost; e states, os onze estados do TCP

        Cada laboratório roda o servidor e os clientes neste mesmo processo, narrando syscall por syscall, e termina com o que foi observado e o porquê.
help-raw-tcp-lab-time-wait = Quem fica com o TIME-WAIT: quando o cliente fecha primeiro, a porta dele (o servidor reinicia na hora); quando o servidor fecha primeiro, a porta do servidor: um reinício sem SO_REUSEADDR falha (EADDRINUSE), e com ele o bind funciona
help-raw-tcp-lab-partial = Um único send grande, lido com um buffer pequeno: muitas chamadas de recv (um fluxo de bytes não tem limites de mensagem, então o laço de eco precisa repetir o recv)
help-raw-tcp-lab-backlog = listen(fd, 1) e nenhum accept: quais clientes completam o handshake (a fila de accept) e quais ficam esperando (SYN-SENT); depois, aceita todos
help-raw-tcp-lab-nagle = Duas escritas pequenas e depois uma leitura: com o Nagle, a segunda escrita espera o ACK atrasado (uns 40 ms); com TCP_NODELAY, não espera
help-raw-tcp-lab-localhost = Um servidor só em 127.0.0.1 e um cliente que pede "localhost": as respostas do resolvedor em ordem, a que é recusada e a passagem para a próxima
help-raw-tcp-lab-states = Os onze estados do TCP, alcançados de verdade e contados pelo kernel (o tracepoint dele, como root): uma conexão fechada do jeito de sempre e depois um fechamento simultâneo para chegar a CLOSING, num namespace de rede próprio onde o nftables descarta um FIN
help-raw-udp = Um servidor e um cliente de eco UDP que imprimem cada syscall que fazem, do jeito que o strace imprime. Compare com o raw-tcp: sem listen, sem accept, sem handshake, sem estados
    .long =
        Um servidor e um cliente de eco UDP que imprimem cada syscall que fazem, do jeito que o strace
        imprime. Compare com o raw-tcp: sem listen, sem accept, sem handshake, sem estados.

        Rode todo o laboratório num terminal:   raw-udp demo
        Ou em dois terminais, como pede o trabalho:
            raw-udp server                        (faz o bind em 127.0.0.1:65431 e atende até o Ctrl-C)
            raw-udp client                        (pede "Mensagem:" e envia cada linha)
        Ao mesmo tempo, observe o lado do kernel:
            strace -f -e trace=%network raw-udp server
            tshark -i lo -f 'udp port 65431'
            ss -uan 'sport = :65431'
help-raw-udp-server = socket(SOCK_DGRAM) → setsockopt(SO_REUSEADDR) → bind → recvfrom/sendto sem parar, um só socket para todos os clientes, até o Ctrl-C (SIGINT) ou um SIGTERM; aí sai com código 0
help-raw-udp-client = socket(SOCK_DGRAM) → sendto → recvfrom (com prazo: o UDP nunca retransmite) → close. Sem --message, pede "Mensagem:" a cada linha, como no trabalho
help-raw-udp-demo = Servidor e cliente num só processo, intercalados; depois, a mesma mensagem por TCP, com a contagem de syscalls de que cada um precisou
help-raw-udp-lab = O que torna o UDP diferente, reproduzido e mostrado: boundaries, refused
    .long =
        O que torna o UDP diferente, reproduzido e mostrado: boundaries, refused

        Cada laboratório roda os seus sockets neste mesmo processo, narrando syscall por syscall, e termina com o que foi observado e o porquê.
help-raw-udp-lab-boundaries = Dois sends são dois datagramas (duas recepções); os mesmos dois sends por TCP podem chegar numa só leitura; um datagrama maior que o buffer é cortado (MSG_TRUNC)
help-raw-udp-lab-refused = Enviar para uma porta sem servidor: o UDP conectado recebe ECONNREFUSED (vindo do erro ICMP); o UDP não conectado não fica sabendo de nada até o prazo acabar
help-raw-multi = Um serviço de eco, oito modelos de servidor e a resposta para "por que a porta muda a cada conexão?"
    .long =
        Um serviço de eco, oito modelos de servidor e a resposta para "por que a porta muda
        a cada conexão?".

            raw-multi server --model thread        (fork | thread | select | poll | epoll |
                                                    io-uring | reuseport | prefork)
            raw-multi clients --count 5            (em outro terminal: 5 conexões ao mesmo tempo)
            raw-multi sockets                      (a tabela do kernel: 1 LISTEN + 5 ESTABLISHED)
        Observe pelo lado do kernel:
            strace -f -e trace=%network,close,clone,wait4,kill,rt_sigaction raw-multi server --model fork
            tshark -i lo -f 'tcp port 65432'
            ss -tanp 'sport = :65432 or dport = :65432'
help-raw-multi-server = Atende muitos clientes ao mesmo tempo: fork (um processo por cliente), thread (uma thread por cliente), select / poll / epoll (uma thread, sockets não bloqueantes, aviso de prontidão), io-uring (pedidos e conclusões, uma syscall só), reuseport (um laço de epoll por núcleo, SO_REUSEPORT), prefork (filhos criados com fork antes de chegar qualquer cliente)
help-raw-multi-clients = Abre N conexões ao mesmo tempo, faz o eco em cada uma e mostra qual porta local (efêmera) cada uma recebeu
help-raw-multi-sockets = A tabela de sockets TCP do kernel numa porta, como o `ss -tanp`
help-raw-multi-lab = As lições de vários clientes, reproduzidas e mostradas: zombies, port-change
    .long =
        As lições de vários clientes, reproduzidas e mostradas: zombies, port-change

        Cada laboratório roda os seus processos ou sockets neste mesmo programa, narrando syscall por syscall, e termina com o que foi observado e o porquê.
help-raw-multi-lab-zombies = Filhos que já terminaram continuam zumbis (<defunct>) até o pai recolhê-los
    .long =
        Filhos que já terminaram continuam zumbis (<defunct>) até o pai recolhê-los

        Cria com fork três filhos que terminam na hora, mostra-os como zumbis no /proc e depois os recolhe com um laço de waitpid(-1, WNOHANG), como o servidor fork faz ao receber SIGCHLD.
help-raw-multi-lab-port-change = A porta do servidor nunca muda; cada cliente ganha a sua própria porta efêmera
    .long =
        A porta do servidor nunca muda; cada cliente ganha a sua própria porta efêmera

        N clientes se conectam a um único socket de escuta: as quádruplas e a tabela do kernel (como o ss -tan a mostra) respondem "por que a porta muda a cada conexão?".
help-raw-trace = Roda um programa sob o strace e narra cada syscall de socket que ele faz do jeito que os laboratórios narram as deles: a linha do strace, o que ela significa, o estado TCP do socket
    .long =
        Roda um programa sob o strace e narra cada syscall de socket que ele faz do jeito que os
        laboratórios narram as deles: a linha do strace, o que ela significa, o estado TCP do socket.

            raw-trace -- python3 examples/python/echo-server.py
            python3 examples/python/echo-client.py            (em outro terminal)

        Cada linha de syscall é exatamente o que o strace imprimiu (marcada com [pid N]: processos e
        threads aparecem separados), seguida da frase que os laboratórios dizem para aquela chamada e
        do estado TCP do socket logo depois dela, lido da tabela do kernel
        (/proc/PID/fd/N → socket:[inode] → /proc/net/tcp). A saída do próprio programa
        (os print) aparece no meio. Com --capture (root ou CAP_NET_RAW), os pacotes aparecem
        entre as syscalls, como linhas [wire], e vão para um arquivo pcap para o Wireshark.

        Terminada a execução, o raw-trace aponta os erros que o rastreamento comprova, cada um com a linha
        do strace que o mostra e a correção:
          no-reuseaddr     bind = EADDRINUSE, SO_REUSEADDR nunca ativado, a porta presa pelo TIME-WAIT
          eof-ignored      recv retornou 0 (o outro lado fechou) e o programa leu de novo: um laço girando em falso
          short-send       o send aceitou menos bytes do que recebeu e o resto nunca foi enviado
          zombie           um filho terminou e o pai nunca o recolheu (nenhum wait4)
          localhost-ipv6   connect em ::1 recusado, enquanto o servidor só escuta em IPv4
          udp-truncated    um buffer de recvfrom UDP menor que o datagrama
          blocked-accept   um servidor bloqueado lendo um cliente ocioso enquanto outros esperam no accept

        Código de saída: o do programa rastreado (128+N se o sinal N o matou); 1 se o strace
        não estiver instalado ou não conseguir rastrear; 2 para uso incorreto. O Ctrl-C também interrompe o programa: o raw-trace
        repassa o sinal e mata o que ainda estiver rodando 2 s depois.
help-raw-bench = Mede os caminhos do eco: percentis de latência contra qualquer servidor de eco (o nosso é iniciado para você quando não se passa --target), carga com muitas conexões e uma comparação com o ping-pong do próprio sockperf nesta máquina
    .long =
        Mede os caminhos do eco: percentis de latência contra qualquer servidor de eco (o nosso é iniciado
        para você quando não se passa --target), carga com muitas conexões e uma comparação
        com o ping-pong do próprio sockperf nesta máquina.

            raw-bench latency --proto tcp --size 64 --duration 10s
            raw-bench load --clients 128 --model epoll --duration 10s
            raw-bench load --clients 128 --rate 50000          (laço aberto: sem omissão coordenada)
            raw-bench load --target 127.0.0.1:65432 --clients 16 --duration 5s
            raw-bench compare --duration 5s
            raw-bench costs --duration 1s --rounds 3     (todos os modelos: idas e voltas/s, syscalls,
                                                         trocas de contexto e CPU por ida e volta)

        Rode a partir de um build de release (cargo run --release -p bench --bin raw-bench -- ...).
        Todo processo que ele inicia (nosso servidor, sockperf, python3, iperf3) morre junto com ele.
help-raw-bench-latency = Ping-pong numa só conexão: p50, p90, p99, p99.9 e máximo da ida e volta
help-raw-bench-load = Muitas conexões ao mesmo tempo: idas e voltas por segundo e percentis de latência
help-raw-bench-compare = Nossas idas e voltas TCP e UDP contra as do sockperf, e os modelos de servidor uns contra os outros e contra um servidor Python com threads, com as razões entre eles
help-raw-bench-costs = Quanto custa cada modelo de servidor com 1, 16 e 128 clientes: idas e voltas por segundo, syscalls, trocas de contexto e tempo de CPU por ida e volta, ao lado do tokio e de um servidor Python com threads
help-raw-bench-serve = (interno) roda em silêncio um dos servidores dos laboratórios, para os benchmarks

help-arg-backlog = Backlog do listen(): quantos handshakes concluídos o kernel deixa na fila para o accept()
help-arg-buffer = Tamanho do buffer do recv(), em bytes: uma mensagem maior que isso chega em pedaços
help-raw-udp-server--buffer = Buffer do recvfrom(), em bytes: um datagrama maior é cortado (nós avisamos e não respondemos a ele)
help-raw-udp-client--buffer = Buffer do recvfrom(), em bytes: uma resposta maior é cortada pelo kernel (MSG_TRUNC)
help-raw-multi-server--buffer = Tamanho do buffer do recv(), em bytes
help-arg-capture = Captura os pacotes deste laboratório num arquivo pcap (abra no Wireshark) e mostra cada um como uma linha de um diagrama em escada, entre as syscalls. Requer root ou CAP_NET_RAW
help-arg-clients = Quantos clientes
help-raw-bench-load--clients = Conexões simultâneas (de 1 a 50000; cada uma ocupa um descritor de arquivo e uma porta efêmera)
help-raw-bench-compare--clients = Conexões para a comparação entre os modelos de servidor (de 1 a 50000)
help-raw-bench-costs--clients = Conexões simultâneas, para cada coluna (separadas por vírgula, cada uma de 1 a 50000)
help-arg-command = O programa a rastrear e os argumentos dele; coloque-os depois de --
help-arg-connect = Faz connect() no socket UDP antes de tudo: fica um destino padrão, as respostas de outros endereços são filtradas e os erros ICMP chegam como ECONNREFUSED
help-arg-connect_timeout = Quanto tempo esperar as conexões se estabelecerem antes de medir com as que conseguiram (um servidor com a fila de accept cheia descarta SYNs, que são reenviados depois de 1 s, 3 s, 7 s, ...)
help-raw-bench-costs--connect_timeout = Quanto tempo esperar as conexões de cada célula se estabelecerem
help-arg-count = Quantas conexões abrir ao mesmo tempo
help-arg-duration = Por quanto tempo medir (por exemplo, 10s, 500ms)
help-raw-bench-load--duration = Por quanto tempo medir, depois que todas as conexões estiverem estabelecidas
help-raw-bench-compare--duration = Tempo de cada medição (cada uma roda duas vezes, alternando)
help-raw-bench-costs--duration = Por quanto tempo medir cada célula, depois que os clientes dela estiverem conectados (por exemplo, 1s, 300ms)
help-arg-forever = Continua aceitando, um cliente depois do outro (um servidor iterativo), em vez de sair depois do primeiro cliente
help-arg-hold = Mantém as conexões abertas por esse tempo antes de fechá-las (para examiná-las com `raw-multi sockets` ou `ss`)
help-raw-trace--hold = Depois de cada syscall de rede, o strace segura o programa por essa quantidade de milissegundos enquanto o raw-trace lê o estado do socket, para que o estado mostrado seja o de logo depois daquela chamada (0: sem pausa, e aí os estados podem ficar uma chamada atrasados; no máximo 10000)
help-arg-host = Endereço para o bind: 127.0.0.1 (só esta máquina), 0.0.0.0 (todas as interfaces IPv4: necessário para um colega conseguir alcançar você), ::1, ou :: (IPv6 e IPv4 juntos)
help-raw-tcp-client--host = Host do servidor: um IP (127.0.0.1, ::1, o endereço de um colega) ou um nome
help-raw-tcp-demo--host = Endereço do servidor (e que o cliente usa para alcançá-lo)
help-raw-udp-server--host = Endereço para o bind: 127.0.0.1, 0.0.0.0 (todas as interfaces), ::1, ou :: (pilha dupla)
help-raw-udp-client--host = Host do servidor: um IP (127.0.0.1, ::1, o endereço de um colega) ou um nome
help-raw-udp-demo--host = Endereço do servidor (e que o cliente usa para alcançá-lo)
help-raw-multi-clients--host = Host do servidor
help-arg-html = Grava a execução como uma única página HTML autocontida, para rever passo a passo: linha do código-fonte, linha do strace, pacotes e estados dos sockets lado a lado, com o diagrama
help-arg-idle_timeout = Derruba um cliente que passa esse tempo sem enviar nada (por exemplo, 30, 1.5, 500ms) [padrão: sem limite; 5 s no prefork, em que N clientes calados prenderiam os N filhos]
help-arg-json = Imprime na saída padrão um objeto JSON por linha para cada evento (syscall, estado, dados, erro), e nada mais na saída padrão
help-arg-lang = Idioma da narração e dos erros: en ou pt-BR [padrão: vem de LC_ALL, LC_MESSAGES ou LANG; pt* quer dizer pt-BR]
help-arg-max_clients = Máximo de clientes atendidos ao mesmo tempo; os demais esperam no backlog [padrão: 1024; 256 no fork]
help-arg-max_others = Deixa de lado uma amostra colhida enquanto outros processos da máquina usavam mais do que esta fração de um núcleo (em porcentagem) e mede essa célula de novo numa rodada posterior (no máximo o triplo de rodadas no total); 100 mantém todas as amostras
help-arg-message = A mensagem do cliente
help-raw-tcp-client--message = A mensagem a enviar
help-raw-udp-client--message = Envia só esta mensagem e sai; sem ela, pede "Mensagem:" a cada linha até o fim da entrada (Ctrl-D), como o cliente do trabalho
help-raw-multi-clients--message = A mensagem que cada cliente envia
help-arg-model = Qual modelo de servidor rodar
help-raw-bench-load--model = O modelo de servidor a iniciar quando não se passa --target
help-arg-no_reuseaddr = Não ativa o SO_REUSEADDR: aí um reinício falha com EADDRINUSE enquanto houver conexões antigas em TIME-WAIT (experimente!)
help-arg-nodelay = Ativa o TCP_NODELAY (sem o atraso do Nagle nas respostas pequenas), como fazem os benchmarks de latência
help-raw-multi-server--nodelay = Ativa o TCP_NODELAY no socket de escuta (os sockets aceitos herdam a opção), como fazem os benchmarks de latência
help-arg-only = Só estes servidores (separados por vírgula: fork, thread, select, poll, epoll, io-uring, reuseport, prefork, tokio, python); padrão: todos
help-arg-port = Porta do servidor
help-raw-tcp-server--port = Porta para o bind; 0 deixa o kernel escolher uma livre (a porta vinculada é impressa)
help-raw-tcp-demo--port = Porta do servidor; 0 (o padrão) escolhe uma livre, para que a demo nunca esbarre em outra
help-raw-udp-server--port = Porta para o bind; 0 deixa o kernel escolher uma (a porta vinculada é impressa)
help-raw-udp-demo--port = Porta do servidor; 0 (o padrão) escolhe uma livre
help-raw-multi-server--port = Porta para o bind; 0 deixa o kernel escolher uma livre (a porta vinculada é impressa)
help-raw-multi-sockets--port = Mostra os sockets cuja porta local ou remota é esta
help-arg-proto = tcp ou udp
help-arg-quiet = Imprime só os dados (o que chegou, as respostas): sem syscalls, sem estados. Duas vezes (-qq): não imprime nada além dos erros (e do endereço do servidor, na stderr)
help-arg-rate = Laço aberto com esta quantidade de requisições por segundo, no total (padrão: laço fechado)
help-arg-rate_limit = Responde a cada endereço de origem no máximo N vezes por segundo, em rajadas de até N. Um balde de fichas (token bucket) por origem: cabem N fichas nele, cada resposta gasta uma, e elas voltam a pingar à razão de N por segundo. Uma pessoa digitando nunca esvazia o balde; dois servidores de eco rebatendo um datagrama forjado param depois de umas N respostas cada um. 0: sem limite (um aviso diz que o servidor pode então ser usado como amplificador de tráfego)
help-arg-report = Quando o servidor parar (SIGTERM), grava aqui as syscalls que cada passo dele fez (JSON)
help-arg-rounds = Rodadas: cada uma mede todos os servidores uma vez, um de cada vez, para que a deriva afete todos por igual; a tabela mostra a mediana das rodadas
help-arg-size = Tamanho da mensagem em bytes (de 1 a 16777216)
help-raw-bench-compare--size = Tamanho da mensagem em bytes (de 1 a 65507, porque as idas e voltas UDP também o usam)
help-arg-stdin = Envia cada linha lida da entrada padrão (sem a quebra de linha) e imprime cada resposta, até o fim da entrada (Ctrl-D)
help-arg-step = Antes de cada syscall, mostra o que está para acontecer e espera o Enter (nesse meio-tempo, olhe com `ss -tan` ou Wireshark). Precisa de um terminal na entrada padrão
help-arg-strace_out = Guarda também, neste arquivo, a saída original do strace, sem edição (pids, alinhamento, as metades <unfinished ...> e resumed>)
help-arg-svg = Desenha a execução como um diagrama de sequência (uma linha do tempo por ponta de socket, uma seta por pacote, as syscalls nas margens, os estados TCP): um arquivo SVG para slides e relatórios. Os pacotes exigem root ou CAP_NET_RAW (como no --capture)
help-arg-target = Um servidor de eco a medir (HOST:PORTA); padrão: iniciar o nosso
help-raw-bench-load--target = Um servidor de eco para pôr sob carga (HOST:PORTA); padrão: iniciar o nosso com --model
help-arg-timeout = Desiste depois de tantos segundos sem resposta (no connect e em cada recv), em vez de esperar pelos limites do próprio kernel (minutos)
help-raw-udp-client--timeout = Quanto tempo esperar por cada resposta (o UDP não retransmite um datagrama perdido)
help-arg-transform = O que fazer com os bytes antes de devolvê-los no eco: upper (só letras ASCII) ou none
help-arg-workers = reuseport: threads worker [padrão: o número de núcleos]; prefork: filhos, que são o máximo de clientes atendidos ao mesmo tempo [padrão: 16]
help-raw-bench-serve--workers = As threads do reuseport, os filhos do prefork
help-value-fork = Um processo por cliente: accept e depois fork; o filho atende, o pai volta ao accept
help-value-thread = Uma thread por cliente, cada uma bloqueada no seu próprio recv
help-value-select = Uma thread observando todos os sockets com select() (no máximo FD_SETSIZE = 1024 fds)
help-value-poll = Uma thread observando todos os sockets com poll() (sem limite de fds)
help-value-epoll = Uma thread com epoll: o kernel guarda a lista de interesse, e o epoll_wait devolve só os sockets prontos
help-value-io-uring = Uma thread com io_uring: accept, recv, send e close viram pedidos numa fila compartilhada com o kernel; io_uring_enter é a única syscall que sobra
help-value-reuseport = Uma thread com epoll por núcleo, cada uma com seu próprio socket de escuta na mesma porta (SO_REUSEPORT): o kernel reparte as conexões entre elas
help-value-prefork = O servidor pré-criado de Stevens (prefork): N filhos criados antes de qualquer cliente, todos bloqueados no accept do mesmo socket de escuta
help-value-upper = Letras ASCII em maiúsculas, todos os outros bytes inalterados (o servidor do trabalho)
help-value-none = Bytes ecoados sem alteração (benchmarks, dados binários)
help-value-tcp = Pingue-pongue TCP numa só conexão
help-value-udp = Pingue-pongue UDP, um datagrama em cada sentido
help-value-en = English
help-value-pt-BR = Português do Brasil (a língua do trabalho)
help-man-name = NOME
help-man-synopsis = SINOPSE
help-man-description = DESCRIÇÃO
help-man-version = VERSÃO
help-man-manual = Manual de comandos gerais
