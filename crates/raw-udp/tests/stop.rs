//! Stopping the UDP server: Ctrl-C (SIGINT) or `kill` (SIGTERM) interrupts its
//! `recvfrom`; it closes its socket with a narrated `close`, says which signal stopped
//! it and after how many replies, and exits 0. The two `rt_sigaction` calls that make
//! this possible are narrated as strace prints them, in English and in Portuguese.

use raw_testkit::Lab;
use serde_json::Value;

fn lab() -> Lab {
    Lab::udp(env!("CARGO_BIN_EXE_raw-udp"))
}

/// A student starts the server and presses Ctrl-C (then, in another run, uses
/// `kill`): two rt_sigaction lines at start, the interrupted recvfrom, the stop
/// sentence in the student's language, the close, exit 0.
#[test]
fn a_signal_stops_the_server_cleanly() {
    for signal in ["INT", "TERM"] {
        for lang in ["en", "pt-BR"] {
            let srv = lab().lang(lang).server(&["--port", "0"]);
            let installed: Vec<&Value> = srv
                .early
                .iter()
                .filter(|e| e["syscall"] == "rt_sigaction")
                .collect();
            assert_eq!(
                installed.len(),
                2,
                "two syscall lines, not a hand-written note"
            );
            for (event, name) in installed.iter().zip(["SIGINT", "SIGTERM"]) {
                let call = event["call"].as_str().expect("call");
                assert!(
                    call.starts_with(&format!("rt_sigaction({name}, {{sa_handler=0x")),
                    "{call}"
                );
                assert!(call.ends_with(", 8) = 0"), "{call}");
                assert_eq!(event["kind"], "syscall");
            }
            let sigint_text = installed[0]["text"].as_str().expect("text");
            let expected = match lang {
                "en" => "the recvfrom the server waits in returns EINTR",
                _ => "o recvfrom em que o servidor espera retorna EINTR",
            };
            assert!(sigint_text.contains(expected), "{sigint_text}");
            assert!(
                !srv.early.iter().any(|e| e["kind"] == "note"
                    && e["text"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("rt_sigaction"))),
                "no hand-written rt_sigaction note any more"
            );

            let (status, events, stderr) = srv.stop(signal);
            assert!(status.success(), "SIG{signal} {lang}: {status:?} {stderr}");
            let said = match lang {
                "en" => format!("SIG{signal} received: the server stops after 0 replies; it closes its socket and exits 0."),
                _ => format!("SIG{signal} recebido: o servidor para sem ter enviado nenhuma resposta; ele fecha o socket e sai com 0."),
            };
            assert!(
                events.iter().any(|e| e["text"] == said.as_str()),
                "missing {said:?}"
            );
            let last = events.last().expect("events");
            assert_eq!(last["syscall"], "close", "{last}");
            assert!(last["call"].as_str().is_some_and(|c| c.ends_with("= 0")));
        }
    }
}
