//! What a run measured: the latency histogram, its percentiles, the one-connection
//! latency run, and the median of several runs.

use crate::{Client, Proto, Result, Trip};
use hdrhistogram::Histogram;
use serde::Serialize;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Round-trip latencies (nanoseconds) and how many round trips per second.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Latency histogram, in nanoseconds.
    pub hist: Histogram<u64>,
    /// Round trips completed.
    pub count: u64,
    /// Round trips lost (UDP timeouts) or failed.
    pub errors: u64,
    /// Wall time of the measurement (the window only, never the connect phase).
    pub elapsed: Duration,
    /// Connections that completed no round trip in the window (load only).
    pub silent_clients: usize,
    /// Requests sent (load only): the round trips completed plus those still in flight
    /// when the window closed, which the server echoes all the same.
    pub requests: u64,
}

/// Percentiles as `raw-bench` prints them.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Round trips completed.
    pub round_trips: u64,
    /// Round trips lost or failed.
    pub errors: u64,
    /// Round trips per second.
    pub per_second: f64,
    /// Median, in microseconds.
    pub p50_us: f64,
    /// 90th percentile, µs.
    pub p90_us: f64,
    /// 99th percentile, µs.
    pub p99_us: f64,
    /// 99.9th percentile, µs.
    pub p999_us: f64,
    /// Slowest, µs.
    pub max_us: f64,
    /// The measuring window, in seconds.
    pub window_s: f64,
    /// Connections that completed no round trip in the window (load only).
    pub silent_clients: usize,
}

impl Measured {
    pub(crate) fn new() -> Measured {
        Measured {
            hist: new_hist(),
            count: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            silent_clients: 0,
            requests: 0,
        }
    }

    /// The percentiles.
    pub fn summary(&self) -> Summary {
        let us = |q: f64| self.hist.value_at_quantile(q) as f64 / 1000.0;
        Summary {
            round_trips: self.count,
            errors: self.errors,
            per_second: self.count as f64 / self.elapsed.as_secs_f64().max(1e-9),
            p50_us: us(0.5),
            p90_us: us(0.9),
            p99_us: us(0.99),
            p999_us: us(0.999),
            max_us: self.hist.max() as f64 / 1000.0,
            window_s: self.elapsed.as_secs_f64(),
            silent_clients: self.silent_clients,
        }
    }
}

fn new_hist() -> Histogram<u64> {
    // 1 ns .. 60 s, 3 significant digits.
    Histogram::new_with_bounds(1, 60_000_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!("3 digits is valid")))
}

/// Ping-pong on one connection for `duration`: the latency of each round trip.
/// `tick` is called about every 100 ms with the fraction done (for a progress bar).
pub fn latency(
    proto: Proto,
    addr: SocketAddr,
    size: usize,
    duration: Duration,
    mut tick: impl FnMut(f64),
) -> Result<Measured> {
    let mut client = Client::connect(proto, addr)?;
    // A server that never answers ends the run within its --duration, not 10 s later.
    client.reply_timeout(duration.clamp(Duration::from_millis(100), Duration::from_secs(10)))?;
    let out = vec![b'x'; size];
    let mut back = vec![0u8; size.max(1)];
    // Warm up: let caches, the scheduler and TCP settle (bounded: at most 1 s).
    let warm = Instant::now();
    for _ in 0..200 {
        client.roundtrip(&out, &mut back)?;
        if warm.elapsed() > Duration::from_secs(1) {
            break;
        }
    }
    let mut m = Measured::new();
    let start = Instant::now();
    let mut next_tick = start;
    while start.elapsed() < duration {
        let t0 = Instant::now();
        match client.roundtrip(&out, &mut back)? {
            Trip::Done => {
                let _ = m.hist.record(t0.elapsed().as_nanos().max(1) as u64);
                m.count += 1;
            }
            Trip::Lost => m.errors += 1,
        }
        if t0 >= next_tick {
            tick(start.elapsed().as_secs_f64() / duration.as_secs_f64());
            next_tick = t0 + Duration::from_millis(100);
        }
    }
    m.elapsed = start.elapsed();
    Ok(m)
}

/// The median of `values` (0 for none).
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}
