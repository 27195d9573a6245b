# As falhas: o que deu errado (a syscall e o errno, com os nomes que o strace usa), uma
# dica e o comando que confere a causa.

# $check é o comando a rodar, ou none; $on diz onde rodá-lo ou o que ele mostra;
# $port é a porta que um segundo comando observa.
err-sys = { $syscall }(2) falhou: { $errno } ({ $text }) — dica: { $hint }{ $check ->
    [none] {""}
   *[other] {" "}— verifique: { $check }{ $on ->
        [server] {" "}(na máquina do servidor)
        [server-then-tshark] {" "}(na máquina do servidor); tshark -i any -f 'udp port { $port }'
        [mtu] {" "}(o MTU de cada interface)
       *[here] {""}
    }
}
# Onde os testes cortam a mensagem para achar o comando.
err-check = {" "}— verifique:{" "}
# Duas partes de uma mesma dica.
err-both = { $first }; { $second }
err-that-address = esse endereço
err-that-port = essa porta
err-lingering = { $count ->
    [one] 1 conexão na porta { $port } ainda está em TIME-WAIT ({ $list })
   *[other] { $count } conexões na porta { $port } ainda estão em TIME-WAIT ({ $list })
}
err-held-by = o processo { $pid } ({ $command }) já escuta na porta { $port }: encerre-o (kill { $pid }) ou use outra porta (--port)
err-time-wait-no-reuse = este socket não ativou o SO_REUSEADDR, e { $held }: o lado que fechou primeiro mantém cada conexão assim por até 60 s, e sem SO_REUSEADDR o kernel recusa o bind enquanto houver alguma. Ative o SO_REUSEADDR antes do bind, como todo servidor deveria fazer, ou espere o TIME-WAIT acabar
err-time-wait = { $held }, e o socket que usava a porta não tinha SO_REUSEADDR: o Linux só deixa o bind reutilizar a porta se o socket antigo e o novo ativarem a opção. O TIME-WAIT fica com quem fechou primeiro, por até 60 s — seja quem for que tinha a porta { $port }: um servidor, ou um cliente que a recebeu como porta efêmera. Espere o TIME-WAIT acabar, e ative o SO_REUSEADDR nos servidores
err-addr-in-use = outro socket já está associado ao endereço { $addr }: será que um servidor ainda está rodando? Use outra porta (--port), ou encerre quem está nela.{ $reuse ->
    [off] {" "}Este socket não ativou o SO_REUSEADDR, então até uma conexão dessa porta que ainda está terminando bloqueia o bind.
   *[on] {""}
}
err-privileged-port = portas abaixo de 1024 são privilegiadas: só o root (ou quem tem CAP_NET_BIND_SERVICE) pode usar a porta { $port }. Use uma porta a partir de 1024, como a 65432 do roteiro.
err-not-local = { $addr } não é um endereço desta máquina. Use 127.0.0.1, 0.0.0.0 (todas as interfaces) ou um dos endereços que o `ip -br addr` mostra.
err-refused = conexão recusada por { $addr }: ou ninguém escuta lá (o kernel de lá respondeu ao nosso SYN com RST), ou um firewall rejeita a porta (com um ICMP "port unreachable", o `reject` padrão do nftables; com `reject with tcp reset` a resposta é um RST). Inicie o servidor primeiro e confira o host e a porta. Se o servidor estiver em outra máquina, ele precisa escutar em 0.0.0.0, não em 127.0.0.1, e o firewall dela precisa liberar a porta.
err-no-route = não há rota até { $addr }: esta máquina não tem caminho para essa rede. Confira o endereço e se as duas máquinas estão na mesma rede.
err-host-unreachable = a máquina { $addr } não responde na rede local (nenhuma resposta ao ARP), ou um roteador avisou que ela está inalcançável. Ela está ligada e na mesma rede?
# $timed: yes quando a chamada desistiu depois de $seconds.
err-no-syn-answer = nenhuma resposta ao SYN{ $timed ->
    [yes] {" "}({ $seconds } s)
   *[no] {""}
}: os pacotes para { $addr } somem no caminho (um connect cortado pelo SO_SNDTIMEO informa EINPROGRESS). Um firewall descartando a porta? Um endereço errado? O servidor está em outra rede? Ou a fila de accept dele está cheia e o kernel descarta os SYNs novos.
err-udp-no-reply = nenhuma resposta de { $addr }{ $timed ->
    [yes] {" "}em { $seconds } s
   *[no] {""}
}. O UDP não retransmite: o servidor pode estar parado, ou o pedido ou a resposta se perdeu. Confira se há um servidor UDP rodando em { $addr } e tente de novo.
err-too-big = um datagrama UDP leva no máximo 65507 bytes sobre IPv4 (65535 menos os cabeçalhos IP de 20 bytes e UDP de 8 bytes) e 65527 sobre IPv6. Envie uma mensagem menor, divida-a, ou use TCP, que é um fluxo de bytes.
err-port-unreachable = voltou um ICMP 'port unreachable' de { $addr }: lá, nenhum processo tem um socket UDP na porta { $port }. Só um socket UDP conectado (--connect) fica sabendo disso; um não conectado só espera o prazo acabar. Inicie o servidor primeiro e confira o host e a porta.
err-no-reply = nenhuma resposta de { $addr }{ $timed ->
    [yes] {" "}em { $seconds } s
   *[no] {""}
} (SO_RCVTIMEO). O servidor está vivo? Ele chega a responder?
# $peer: o endereço do outro lado, ou none.
err-reset = o outro lado{ $peer ->
    [none] {""}
   *[other] {" "}({ $peer })
} abortou a conexão com RST: ele caiu, foi morto ou fechou com dados ainda não lidos. O que estava em trânsito se perdeu; conecte de novo.
err-epipe = o outro lado foi embora: escrevemos numa conexão que ele já tinha fechado. O MSG_NOSIGNAL transformou o SIGPIPE, que seria fatal, neste erro, e só esta conexão termina.
err-no-fds = os descritores de arquivo acabaram: cada socket é um. Aumente o limite (ulimit -n) ou feche conexões ociosas.
err-no-family = esta família de endereços não está disponível aqui (IPv6 desativado?). Tente um endereço IPv4, como 127.0.0.1.
err-see-man = veja `man 2 { $syscall }`, seção ERRORS, sobre { $errno }.
err-resolve = getaddrinfo(3) não conseguiu resolver "{ $host }": { $detail } — dica: confira a grafia; use um endereço IP (127.0.0.1, ::1) ou um nome do /etc/hosts. No laboratório remoto, peça o IP da máquina do colega. — verifique: getent ahosts { $host }
err-short-reply = o servidor fechou a conexão depois de { $got } de { $expected } bytes da resposta (o recv devolveu 0) — dica: é mesmo um servidor de eco? Ele caiu?
err-truncated = a resposta era um datagrama de { $real } bytes, mas o buffer de recepção só comporta { $got }: o kernel guardou os primeiros { $got } bytes e descartou o resto (o recvfrom informou MSG_TRUNC) — dica: um datagrama é lido inteiro ou cortado, nunca em pedaços; use um --buffer maior.
err-no-capture-privilege = socket(2) falhou: { $errno } ({ $text }) — dica: --capture abre um socket AF_PACKET, que exige a capacidade CAP_NET_RAW. Rode com sudo, ou dê ao binário só essa capacidade, uma vez: sudo setcap cap_net_raw+ep $(command -v raw-tcp) (o mesmo para raw-udp, raw-multi). Nenhum socket do laboratório foi aberto. — verifique: id -u; getcap $(command -v raw-tcp)
err-capture-file = não foi possível criar o arquivo de captura { $path }: { $detail } — dica: escolha um caminho numa pasta onde você pode escrever, como /tmp/lab.pcap
err-output-closed = a saída padrão foi fechada por quem a lia (EPIPE)
