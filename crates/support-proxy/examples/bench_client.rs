//! The load side of `scripts/bench-proxy.sh`, bounded in count and time, loopback only.
//!
//! `bench_client concurrent URL [CONCURRENCY] [ROUNDS]`: ROUNDS (default 5) rounds of
//! CONCURRENCY (default 200) streamed chat requests sent at once; prints the p50 and p99 of the
//! time to each reply's last byte, in milliseconds.
//!
//! `bench_client slow HOST:PORT URL [SLOW] [SECONDS]`: the latency of normal requests to URL
//! (p50 and max, ms) alone, then while SLOW (default 200) connections to HOST:PORT send their
//! headers a byte a second for SECONDS (default 12); prints both, and how many of the slow
//! connections the server had closed by the end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BODY: &str = r#"{"model":"llama-3.3-70b","stream":true,"max_tokens":512,"messages":[{"role":"user","content":"How long will the refund take?"}]}"#;
const TIMEOUT: Duration = Duration::from_secs(30);

fn client(pool: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(pool)
        .timeout(TIMEOUT)
        .build()
        .expect("an HTTP client")
}

/// Time to the last byte of one streamed reply.
async fn one(client: &reqwest::Client, url: &str) -> Option<Duration> {
    let started = Instant::now();
    let mut response = client
        .post(url)
        .header("content-type", "application/json")
        .body(BODY)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    while response.chunk().await.ok()?.is_some() {}
    Some(started.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

async fn concurrent(url: String, concurrency: usize, rounds: usize) {
    let client = client(concurrency);
    let mut times = Vec::new();
    let mut failed = 0;
    for round in 0..=rounds {
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, url) = (client.clone(), url.clone());
                tokio::spawn(async move { one(&client, &url).await })
            })
            .collect();
        for task in tasks {
            match task.await.ok().flatten() {
                // Round 0 warms the connection pools up.
                Some(time) if round > 0 => times.push(time),
                Some(_) => {}
                None => failed += 1,
            }
        }
    }
    times.sort();
    println!(
        "{:.2} {:.2} {failed}",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
}

/// `count` normal requests one after another: their p50 and max, ms.
async fn sequential(client: &reqwest::Client, url: &str, count: usize) -> (f64, f64) {
    let mut times = Vec::new();
    for _ in 0..count {
        times.extend(one(client, url).await);
    }
    times.sort();
    let max = times.last().map_or(f64::NAN, |t| t.as_secs_f64() * 1000.0);
    (percentile(&times, 0.5), max)
}

/// A connection that sends a request's headers a byte a second and never finishes them.
async fn slow_client(addr: String, until: Instant, closed: Arc<AtomicUsize>) {
    let Ok(mut stream) = tokio::net::TcpStream::connect(&addr).await else {
        return;
    };
    let head = b"POST /v1/chat/completions HTTP/1.1\r\nHost: bench\r\nX-Slow: ";
    let mut buf = [0; 256];
    for n in 0.. {
        if Instant::now() >= until {
            return;
        }
        let byte = head.get(n).copied().unwrap_or(b'a');
        if stream.write_all(&[byte]).await.is_err() {
            break;
        }
        match tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await {
            Err(_) => {}
            Ok(_) => break,
        }
    }
    closed.fetch_add(1, Ordering::SeqCst);
}

async fn slow(addr: String, url: String, count: usize, seconds: u64) {
    let client = client(4);
    sequential(&client, &url, 20).await;
    let alone = sequential(&client, &url, 100).await;
    let until = Instant::now() + Duration::from_secs(seconds);
    let closed = Arc::new(AtomicUsize::new(0));
    let slow: Vec<_> = (0..count)
        .map(|_| tokio::spawn(slow_client(addr.clone(), until, closed.clone())))
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let beside = sequential(&client, &url, 100).await;
    for task in slow {
        let _ = task.await;
    }
    println!(
        "{:.2} {:.2} {:.2} {:.2} {}",
        alone.0,
        alone.1,
        beside.0,
        beside.1,
        closed.load(Ordering::SeqCst)
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg =
        |n: usize, default: usize| args.get(n).and_then(|a| a.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("concurrent") if args.len() > 1 => {
            concurrent(args[1].clone(), arg(2, 200), arg(3, 5)).await
        }
        Some("slow") if args.len() > 2 => {
            slow(
                args[1].clone(),
                args[2].clone(),
                arg(3, 200),
                arg(4, 12) as u64,
            )
            .await
        }
        _ => eprintln!(
            "usage: bench_client concurrent URL [N] [ROUNDS] | slow HOST:PORT URL [SLOW] [SECONDS]"
        ),
    }
}
