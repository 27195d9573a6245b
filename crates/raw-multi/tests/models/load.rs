//! Many clients at once: every byte echoed, idle and slow clients never delaying the
//! others, a reset never hurting another client.

use super::*;
use raw_testkit::pseudo_random;
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

/// Sends `data` while reading the echo on another thread; returns what came back.
fn echo_concurrently(addr: SocketAddr, data: Vec<u8>) -> Vec<u8> {
    let mut stream = connect(addr);
    let mut writer = stream.try_clone().expect("clone");
    let sender = thread::spawn(move || {
        for chunk in data.chunks(16 * 1024) {
            writer.write_all(chunk).expect("write");
        }
        writer.shutdown(Shutdown::Write).expect("shutdown");
    });
    let mut back = Vec::new();
    stream.read_to_end(&mut back).expect("read echo");
    sender.join().expect("sender");
    back
}

/// 200 clients at once, each sending 256 KiB of its own random bytes: every byte
/// comes back, in order, to the client that sent it.
fn two_hundred_clients(model: &str) {
    let srv = server(model, &["--transform", "none"]);
    let addr = srv.addr;
    let clients: Vec<_> = (0..200u64)
        .map(|i| {
            thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn(move || {
                    let data = pseudo_random(256 * 1024, 1000 + i);
                    echo_concurrently(addr, data.clone()) == data
                })
                .expect("spawn client")
        })
        .collect();
    let ok = clients
        .into_iter()
        .map(|c| c.join().unwrap_or(false))
        .filter(|&ok| ok)
        .count();
    assert_eq!(
        ok, 200,
        "{model}: {ok} of 200 clients got their bytes back intact"
    );
    let (status, _, _) = srv.terminate();
    assert!(status.success(), "{model}: exit after SIGTERM {status:?}");
}

per_model!(two_hundred_clients:
    fork = "fork",
    thread = "thread",
    select = "select",
    poll = "poll",
    epoll = "epoll",
    io_uring = "io-uring",
    reuseport = "reuseport",
    prefork = "prefork",
);

/// 50 idle clients do not delay a new client's echo, and `--idle-timeout` drops them.
fn idle_clients(model: &str) {
    let srv = server(model, &["--idle-timeout", "1"]);
    let idle: Vec<TcpStream> = (0..50).map(|_| connect(srv.addr)).collect();
    let mut fresh = connect(srv.addr);
    fresh.write_all(b"still served").expect("write");
    let mut reply = [0u8; 12];
    fresh
        .read_exact(&mut reply)
        .expect("a new client is answered while 50 sit idle");
    assert_eq!(&reply, b"STILL SERVED");
    for mut s in idle {
        let mut byte = [0u8; 1];
        // The server closes a silent client: we read end-of-stream (0), not a timeout.
        match s.read(&mut byte) {
            Ok(0) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            other => panic!("{model}: idle client not dropped: {other:?}"),
        }
    }
    assert!(srv.terminate().0.success());
}

// Not fork and prefork, whose each idle client holds a whole process (prefork's 16 are
// all held by 50 idle clients: a new one waits for --idle-timeout, as UNP §30.6 says),
// nor select, as before.
per_model!(idle_clients:
    thread = "thread",
    poll = "poll",
    epoll = "epoll",
    io_uring = "io-uring",
    reuseport = "reuseport",
);

/// 200 clients that reset their connection (SO_LINGER 0) while 50 others echo: the
/// server stays up and the well-behaved clients see no error.
#[test]
fn resets_never_hurt_other_clients() {
    for model in MODELS {
        let srv = server(model, &[]);
        let addr = srv.addr;
        let good: Vec<_> = (0..50u64)
            .map(|i| {
                thread::spawn(move || {
                    let data = pseudo_random(64 * 1024, 7 + i);
                    let upper: Vec<u8> = data.to_ascii_uppercase();
                    echo_concurrently(addr, data) == upper
                })
            })
            .collect();
        for _ in 0..200 {
            let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("socket");
            s.connect(&addr.into()).expect("connect");
            let _ = s.send(b"about to vanish");
            s.set_linger(Some(Duration::ZERO)).expect("linger 0");
            drop(s); // RST
        }
        let ok = good
            .into_iter()
            .filter_map(|g| g.join().ok())
            .filter(|&ok| ok)
            .count();
        assert_eq!(ok, 50, "{model}: well-behaved clients hurt");
        let mut after = connect(addr);
        after.write_all(b"ok?").expect("write");
        let mut reply = [0u8; 3];
        after.read_exact(&mut reply).expect("server still up");
        assert_eq!(&reply, b"OK?", "{model}");
        assert!(srv.terminate().0.success(), "{model}");
    }
}

/// A client that sends 4 MiB without reading fills its buffers; the event-loop server
/// stops reading from it (its replies pile up) but keeps serving everyone else, and
/// once it reads, every byte comes back: buffered, never lost.
#[test]
fn a_slow_reader_never_blocks_the_others() {
    for model in ["select", "poll", "epoll", "io-uring", "reuseport"] {
        let srv = server(model, &["--transform", "none"]);
        let addr = srv.addr;
        let data = pseudo_random(4 << 20, 99);
        let mut slow = connect(addr);
        let mut writer = slow.try_clone().expect("clone");
        let sent = data.clone();
        // Writes until the kernel's buffers on both sides are full, then blocks.
        let pusher = thread::spawn(move || {
            writer.write_all(&sent).expect("write");
            writer.shutdown(Shutdown::Write).expect("shutdown");
        });
        thread::sleep(Duration::from_millis(300));
        for i in 0..10 {
            let mut other = connect(addr);
            other.write_all(b"are you there?").expect("write");
            let mut reply = [0u8; 14];
            other.read_exact(&mut reply).unwrap_or_else(|e| {
                panic!("{model}: client {i} blocked behind a slow reader: {e}")
            });
            assert_eq!(&reply, b"are you there?");
        }
        let mut back = Vec::new();
        slow.read_to_end(&mut back).expect("read");
        pusher.join().expect("pusher");
        assert!(
            back == data,
            "{model}: the slow reader lost bytes ({} of {})",
            back.len(),
            data.len()
        );
        assert!(srv.terminate().0.success(), "{model}");
    }
}
