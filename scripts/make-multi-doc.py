#!/usr/bin/env python3
# Fills scripts/multi.md.in with the outputs of scripts/multi-views.sh and writes docs/multi.md:
#   scripts/multi-views.sh > /tmp/multi-views.txt && scripts/make-multi-doc.py /tmp/multi-views.txt
#   scripts/multi-views.sh --lang pt-BR > /tmp/mv-pt.txt && \
#     scripts/make-multi-doc.py /tmp/mv-pt.txt scripts/multi.pt-BR.md.in docs/pt-BR/multi.md
import os, re, sys
v=open(sys.argv[1]).read()
def model(m):
    part=v.split('=== model %s ' % m)[1].split('\n',1)[1]
    return part.split('\n=== ')[0].strip('\n')
def short(m, pattern, n=14):
    lines=[l for l in model(m).split('\n') if re.search(pattern,l)]
    return '\n'.join(lines[:n])
sec=v.split('=== raw-multi sockets')[1]
sock_head=sec.split('\n',1)[0]
socks=sec.split('\n',1)[1].split('\n=== ')[0].strip('\n')
clients=v.split('=== raw-multi clients')[1].split('\n',1)[1].split('\n=== ')[0].strip('\n')
ts=v.split("=== tshark -r multi.pcap -Y 'tcp.flags.syn == 1'\n")[1].strip('\n')
port=re.search(r'--port (\d+)',sock_head).group(1)
X={
 'clients':clients,'socks':socks,'ts':ts,'port':port,
 'fork_short':short('fork', r'\[parent\] (accept4|clone|close|waitpid)|\[child \d+\] (close|recvfrom|sendto)|Summary', 24),
 'thread_short':short('thread', r'\[main\] (accept4|shutdown)|\[thread \d+\] (recvfrom|sendto|close)|Summary'),
 'select_short':short('select', r'^(pselect6|accept4|recvfrom|sendto|close)'),
 'poll_short':short('poll', r'^(poll|accept4|recvfrom|sendto|close)'),
 'epoll_short':short('epoll', r'^(epoll_|accept4|recvfrom|sendto|close)'),
}
for m in ['fork','thread','select','poll','epoll']:
    X[m+'_full']=model(m)
template = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), 'multi.md.in')
output = sys.argv[3] if len(sys.argv) > 3 else 'docs/multi.md'
tmpl=open(template).read()
for k,val in X.items():
    tmpl=tmpl.replace('{{'+k+'}}',val)
open(output,'w').write(tmpl)
