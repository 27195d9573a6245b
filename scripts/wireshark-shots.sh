#!/usr/bin/env bash
# The screenshots of docs/wireshark.md and docs/pt-BR/wireshark.md: the real Wireshark
# (wireshark-qt) under a virtual X display (Xvfb), opening the pcapng files that real
# runs of the labs write with --capture, driven with command-line options (-Y, -o, -g,
# -z) and xdotool keys for what has no option (Flow Graph, Follow TCP Stream); each
# picture is `import -window root`, cropped to the window. Nothing is drawn by hand.
#
#   scripts/wireshark-shots.sh            # as root: both languages
#   scripts/wireshark-shots.sh en         # one language
#
# Needs root (captures, two network namespaces for lab 4) and:
#   apt-get install -y wireshark xvfb xdotool imagemagick
# Talks only to 127.0.0.1 and to the namespaces of scripts/two-hosts.sh.
# The GUI is Wireshark's own language (English when no pt_BR translation is
# installed); the packet comments come from the programs, in the page's language.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
for tool in wireshark Xvfb xdotool import convert tshark; do
    command -v "$tool" >/dev/null || {
        echo "wireshark-shots.sh: $tool is missing: apt-get install -y wireshark xvfb xdotool imagemagick" >&2
        exit 1
    }
done
[ -x "$bin/raw-tcp" ] && [ -x "$bin/raw-udp" ] && [ -x "$bin/raw-multi" ] ||
    cargo build -q -p raw-tcp -p raw-udp -p raw-multi
langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=(en pt-BR)

work=$(mktemp -d)
xvfb_pid=
ws_pid=
cleanup() {
    [ -n "$ws_pid" ] && kill "$ws_pid" 2>/dev/null
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
    RS_PREFIX=rsws scripts/two-hosts.sh down 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A virtual screen, and a Wireshark profile of our own (nothing of the user's is read).
W=1400 H=860
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 "${W}x${H}x24" -nolisten tcp > "$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=$display HOME=$work/home XDG_RUNTIME_DIR=$work/run
mkdir -p "$HOME/.config/wireshark" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
cat > "$HOME/.config/wireshark/preferences" <<'EOF'
gui.ask_unsaved: FALSE
gui.packet_list_show_minimap: FALSE
EOF
# Column widths (pixels), so that the comment column is read whole.
cat > "$HOME/.config/wireshark/recent" <<'EOF'
column.width: %m, 52, %t, 95, %s, 110, %d, 110, %p, 65, %L, 55, %i, 480, %Cus:frame.comment:0:R, 430, %Cus:tcp.stream:0:R, 80, %Cus:tcp.srcport:0:R, 80, %Cus:tcp.dstport:0:R, 80
EOF
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done

# Columns: Wireshark's own, plus the packet comment our programs write into the pcapng.
col() { printf '"%s","%s",' "$@"; }
base=$(col No. %m Time %t Source %s Destination %d Protocol %p Length %L)
comment_cols="gui.column.format:${base}$(col Info %i)\"Comment (our syscall)\",\"%Cus:frame.comment:0:R\""
stream_cols="gui.column.format:$(col No. %m 'tcp.stream' '%Cus:tcp.stream:0:R' Source %s 'Src port' '%Cus:tcp.srcport:0:R' Destination %d 'Dst port' '%Cus:tcp.dstport:0:R' Length %L)\"Info\",\"%i\""
plain_cols="gui.column.format:${base}\"Info\",\"%i\""

# ws_start ARGS...: opens Wireshark, waits for its main window, puts it at 0,0 full size.
ws_start() {
    wireshark "$@" > "$work/wireshark.log" 2>&1 &
    ws_pid=$!
    main=
    for _ in $(seq 300); do
        main=$(xdotool search --onlyvisible --pid "$ws_pid" 2>/dev/null | tail -n 1 || true)
        [ -n "$main" ] && break
        sleep 0.1
    done
    [ -n "$main" ] || { echo "Wireshark opened no window: $(cat "$work/wireshark.log")" >&2; exit 1; }
    xdotool windowsize "$main" "$W" "$H" windowmove "$main" 0 0
    # No window manager here: keys go to the focused window, the pointer stays aside.
    xdotool windowfocus --sync "$main" mousemove $((W - 1)) $((H - 1))
    sleep 3 # the file is read and the panes drawn
}
ws_stop() {
    kill "$ws_pid" 2>/dev/null || true
    wait "$ws_pid" 2>/dev/null || true
    ws_pid=
}
# keys K...: xdotool key presses into the focused window, with a pause after each.
keys() {
    for k in "$@"; do
        xdotool key --clearmodifiers "$k"
        sleep 0.4
    done
}
# newest_window: the window Wireshark opened last (a dialog), placed at 0,0 full size.
newest_window() {
    local win
    sleep 2
    win=$(xdotool search --onlyvisible --pid "$ws_pid" 2>/dev/null | grep -v -x "$main" | sort -n | tail -n 1)
    [ -n "$win" ] || { echo "wireshark-shots.sh: the dialog did not open" >&2; exit 1; }
    xdotool windowsize "$win" "$W" "$H" windowmove "$win" 0 0 windowfocus "$win"
    sleep 2
}
# shot NAME: the screen (one window, full size) saved as a small palette PNG.
shot() {
    import -window root "$work/shot.png"
    convert "$work/shot.png" -crop "${W}x${H}+0+0" +repage -colors 256 "PNG8:$out/wireshark-$1.png"
    echo "  $out/wireshark-$1.png" >&2
}

for lang in "${langs[@]}"; do
    if [ "$lang" = en ]; then out=docs/img; else out=docs/pt-BR/img; fi
    mkdir -p "$out"
    caps=$work/$lang
    mkdir -p "$caps"
    echo "wireshark-shots.sh: $lang" >&2

    # The captures, from real runs, on the assignment's ports; each retried (three times
    # at most) until it holds only its own port's packets: --capture can catch a few
    # packets of other traffic on lo before its port filter is attached.
    lab1() { "$bin/raw-tcp" --lang "$lang" --capture "$caps/lab1.pcapng" demo --port 65432 > /dev/null; }
    lab2() { "$bin/raw-udp" --lang "$lang" --capture "$caps/lab2.pcapng" demo --port 65431 > /dev/null; }
    lab3() {
        "$bin/raw-multi" --lang "$lang" --capture "$caps/lab3.pcapng" server --model thread --port 65432 > /dev/null 2>&1 &
        local server=$!
        wait_listen 65432
        "$bin/raw-multi" -q clients --count 5 --port 65432 > /dev/null
        sleep 0.3
        kill -TERM "$server"
        wait "$server" || true
    }
    clean_capture() { # make, file, display filter of its own packets
        for _ in 1 2 3; do
            "$1"
            [ "$(tshark -r "$2" -Y "!($3)" 2>/dev/null | wc -l)" = 0 ] && return 0
            echo "wireshark-shots.sh: $2 caught other traffic; once more" >&2
        done
        return 1
    }
    clean_capture lab1 "$caps/lab1.pcapng" 'tcp.port == 65432'
    clean_capture lab2 "$caps/lab2.pcapng" 'udp.port == 65431'
    clean_capture lab3 "$caps/lab3.pcapng" 'tcp.port == 65432'
    RS_PREFIX=rsws scripts/two-hosts.sh down 2>/dev/null || true
    RS_PREFIX=rsws scripts/two-hosts.sh up > /dev/null
    ip netns exec rsws-a "$bin/raw-tcp" --lang "$lang" --capture "$caps/lab4.pcapng" server --host 0.0.0.0 > /dev/null 2>&1 &
    server=$!
    for _ in $(seq 100); do ip netns exec rsws-a ss -Htln 'sport = :65432' | grep -q . && break; sleep 0.05; done
    ip netns exec rsws-b "$bin/raw-tcp" -q client --host 198.18.0.1 > /dev/null
    wait "$server"
    RS_PREFIX=rsws scripts/two-hosts.sh down

    # 1. The capture filter, typed before capturing (the welcome screen, lo chosen).
    ws_start -i lo -o "$plain_cols"
    xdotool mousemove 690 201 click 1 sleep 0.3 type --delay 60 'tcp port 65432'
    xdotool mousemove $((W - 1)) $((H - 1))
    sleep 1.5 # the field turns green once the filter compiles
    shot capture-filter
    ws_stop

    # 2. A display filter by port, and the comment our programs wrote on each packet.
    ws_start -r "$caps/lab1.pcapng" -Y 'tcp.port == 65432' -o "$comment_cols"
    shot display-filter
    ws_stop

    # 3. One packet opened: the kernel's own delayed ACK (frame 9), its comment on top.
    ws_start -r "$caps/lab1.pcapng" -g 9 -o "$comment_cols"
    xdotool mousemove 200 $((H * 62 / 100)) click 1 mousemove $((W - 1)) $((H - 1))
    keys Home Right # the details pane's first line, "Packet comments", opened
    shot packet-comment
    ws_stop

    # 4. Statistics → Flow Graph (no option opens it: the menu, by keys), on lab 4's
    # capture: two hosts, so two timelines (on loopback both ends are 127.0.0.1).
    ws_start -r "$caps/lab4.pcapng" -o "$plain_cols"
    keys alt+s
    for _ in $(seq 16); do xdotool key Down; done
    keys Return
    newest_window
    shot flow-graph
    ws_stop

    # 5. Analyze → Follow → TCP Stream (Ctrl+Alt+Shift+T) on the first packet.
    ws_start -r "$caps/lab1.pcapng" -g 1 -o "$plain_cols"
    keys ctrl+alt+shift+t
    newest_window
    shot follow-stream
    ws_stop

    # 6. Lab 3: Statistics → Conversations, TCP tab: one row per client. (Wireshark 4.0's
    # -z conv,tcp does not open it in the GUI: the menu, by keys.)
    ws_start -r "$caps/lab3.pcapng" -o "$plain_cols"
    keys alt+s Down Down Down Return
    newest_window
    xdotool mousemove 490 26 click 1 mousemove $((W - 1)) $((H - 1)) # the "TCP" tab
    sleep 1
    shot conversations
    ws_stop

    # 7. Lab 3: columns tcp.stream, source and destination ports.
    ws_start -r "$caps/lab3.pcapng" -Y 'tcp.port == 65432' -o "$stream_cols"
    shot stream-column
    ws_stop

    # 8. Lab 3: only the clients' SYNs: five connections, five client ports, one server port.
    ws_start -r "$caps/lab3.pcapng" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -o "$stream_cols"
    shot syn-only
    ws_stop

    # 9. Lab 2: the UDP exchange.
    ws_start -r "$caps/lab2.pcapng" -Y 'udp.port == 65431' -o "$comment_cols"
    shot udp
    ws_stop

    # 10. Lab 4: two hosts, filtered by port.
    ws_start -r "$caps/lab4.pcapng" -Y 'tcp.port == 65432' -o "$comment_cols"
    shot remote
    ws_stop
done
