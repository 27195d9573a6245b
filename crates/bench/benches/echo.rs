//! Criterion benchmarks of the echo paths (`cargo bench -p bench`; HTML reports in
//! `target/criterion/`). The servers are the labs' own code, each in its own process
//! (`raw-bench serve`); the clients are plain std sockets with TCP_NODELAY.
//!
//! Groups:
//! - `roundtrip`: one client, ping-pong, TCP and UDP, 64 B, 1 KiB, 16 KiB
//!   (time per round trip, and bytes/s through the echo);
//! - `multi`: every server model with 1, 16 and 128 concurrent clients, 64 B
//!   (round trips/s; prefork with 128 children, one per client);
//! - `bulk`: one TCP connection streaming 64 KiB writes through the echo (bytes/s);
//! - `connect`: connect + one echo + close, per model (connections/s).

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use bench::{Client, Proto, ServerKind, MODELS};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_raw-bench"))
}

fn roundtrip(c: &mut Criterion) {
    let mut group = c.benchmark_group("roundtrip");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for proto in [Proto::Tcp, Proto::Udp] {
        let server = bench::start(
            &exe(),
            if proto == Proto::Tcp {
                ServerKind::Tcp
            } else {
                ServerKind::Udp
            },
        )
        .expect("start server");
        for size in [64usize, 1024, 16384] {
            let mut client = Client::connect(proto, server.addr).expect("connect");
            let out = vec![b'x'; size];
            let mut back = vec![0u8; size];
            group.throughput(Throughput::Bytes(2 * size as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("{proto:?}"), size),
                &size,
                |b, _| {
                    b.iter(|| client.roundtrip(&out, &mut back).expect("round trip"));
                },
            );
        }
    }
    group.finish();
}

fn multi(c: &mut Criterion) {
    let mut group = c.benchmark_group("multi");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for model in MODELS {
        // prefork serves as many clients at once as it has children: one per client.
        let options = bench::ServeOptions {
            workers: (model == raw_multi::models::Model::Prefork).then_some(128),
            report: None,
        };
        let server =
            bench::start_with(&exe(), ServerKind::Multi(model), &options).expect("start server");
        for clients in [1usize, 16, 128] {
            let mut streams: Vec<_> = (0..clients)
                .map(|_| bench::tcp_client(server.addr).expect("connect"))
                .collect();
            group.throughput(Throughput::Elements(1));
            group.bench_with_input(
                BenchmarkId::new(bench::model_name(model), clients),
                &clients,
                |b, _| {
                    // iters round trips in total, spread over the clients, all in
                    // flight at once, driven by one thread with poll (the other core
                    // is the server's).
                    b.iter_custom(|iters| {
                        bench::pingpong_many(&mut streams, 64, iters).expect("round trips")
                    });
                },
            );
        }
    }
    group.finish();
}

fn bulk(c: &mut Criterion) {
    let mut group = c.benchmark_group("bulk");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(3));
    let server = bench::start(&exe(), ServerKind::Multi(raw_multi::models::Model::Epoll))
        .expect("start server");
    group.throughput(Throughput::Bytes(65536));
    group.bench_function("tcp-64KiB-writes", |b| {
        b.iter_custom(|iters| {
            let mut writer = bench::tcp_client(server.addr).expect("connect");
            let mut reader = writer.try_clone().expect("clone");
            let total = iters * 65536;
            let start = Instant::now();
            std::thread::scope(|scope| {
                scope.spawn(move || {
                    let mut buf = vec![0u8; 1 << 20];
                    let mut got = 0u64;
                    while got < total {
                        got += reader.read(&mut buf).expect("read") as u64;
                    }
                });
                let chunk = vec![b'x'; 65536];
                for _ in 0..iters {
                    writer.write_all(&chunk).expect("write");
                }
            });
            start.elapsed()
        });
    });
    group.finish();
}

fn connect(c: &mut Criterion) {
    let mut group = c.benchmark_group("connect");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for model in MODELS {
        let server = bench::start(&exe(), ServerKind::Multi(model)).expect("start server");
        group.throughput(Throughput::Elements(1));
        group.bench_function(bench::model_name(model), |b| {
            b.iter(|| {
                let mut s = bench::tcp_client(server.addr).expect("connect");
                s.write_all(b"ping").expect("write");
                let mut back = [0u8; 4];
                s.read_exact(&mut back).expect("read");
            });
        });
    }
    group.finish();
}

criterion_group!(benches, roundtrip, multi, bulk, connect);
criterion_main!(benches);
