//! The release or debug binary itself, as an operator runs it (issue 13): shutdown with a
//! stalled reply in flight, slow clients, and rate limits shared by two processes through a
//! real Redis (`TEST_REDIS_URL`, which `scripts/test-services.sh` starts) or kept per process
//! when Redis does not answer.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{scripted, service, valid_body, Script, SSE};

/// A running `support-proxy`, killed if the test ends before it does.
struct Running {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(upstream: std::net::SocketAddr, env: &[(&str, &str)]) -> Running {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_support-proxy"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("BIND", "127.0.0.1:0")
            .env("UPSTREAM_BASE_URL", format!("http://{upstream}/v1"))
            .env("UPSTREAM_API_KEY", "server-key")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("orders.db").display()),
            )
            .env("STATIC_DIR", dir.path())
            .env("LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = err.read(&mut buf) {
                sink.lock()
                    .expect("lock")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let url = lines
            .find_map(|line| Some(line.ok()?.split_once("serving on ")?.1.to_owned()))
            .expect("the proxy says where it serves");
        Running {
            child,
            url,
            stderr,
            _dir: dir,
        }
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// The exit code, waiting at most `within`.
    fn exit_code(&mut self, within: Duration) -> Option<i32> {
        let until = Instant::now() + within;
        while Instant::now() < until {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn log(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    /// Whether the log shows `text` within two seconds: stderr is read by a thread of its own,
    /// so a line written before the proxy said where it serves may not have been collected yet.
    fn logged(&self, text: &str) -> bool {
        let until = Instant::now() + Duration::from_secs(2);
        loop {
            if self.log().contains(text) {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

async fn ask(proxy: &Running) -> reqwest::Response {
    let response = client()
        .post(format!("{}/v1/chat/completions", proxy.url))
        .header("content-type", "application/json")
        .body(valid_body().to_string())
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), 200);
    response
}

/// Regression: with a stalled reply in flight, SIGTERM did not stop the proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_stalled_reply_in_flight_exits_0_after_the_grace() {
    let (_up, addr) = scripted(vec![Script::StallAfter(vec![SSE[0]])]).await;
    let env = [
        ("SHUTDOWN_GRACE_SECS", "1"),
        ("UPSTREAM_IDLE_TIMEOUT_SECS", "600"),
    ];
    let mut proxy = Running::start(addr, &env);
    let mut response = ask(&proxy).await;
    let first = response
        .chunk()
        .await
        .expect("a piece")
        .expect("not the end");
    assert_eq!(first, SSE[0].as_bytes());
    let signalled = Instant::now();
    proxy.terminate();
    assert_eq!(
        proxy.exit_code(Duration::from_secs(5)),
        Some(0),
        "{}",
        proxy.log()
    );
    let took = signalled.elapsed();
    assert!(
        (Duration::from_millis(900)..Duration::from_secs(5)).contains(&took),
        "{took:?}"
    );
    assert!(proxy.logged("grace period over"), "{}", proxy.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_request_in_flight_finish() {
    let script = Script::Stream {
        chunks: SSE.to_vec(),
        gap: Duration::from_millis(300),
    };
    let (_up, addr) = scripted(vec![script]).await;
    let mut proxy = Running::start(addr, &[("SHUTDOWN_GRACE_SECS", "10")]);
    let mut response = ask(&proxy).await;
    let mut body = response
        .chunk()
        .await
        .expect("a piece")
        .expect("not the end")
        .to_vec();
    proxy.terminate();
    while let Some(piece) = response.chunk().await.expect("the reply goes on") {
        body.extend_from_slice(&piece);
    }
    assert_eq!(String::from_utf8_lossy(&body), SSE.concat());
    assert_eq!(
        proxy.exit_code(Duration::from_secs(5)),
        Some(0),
        "{}",
        proxy.log()
    );
}

/// Connections that send their headers a byte a second hold nobody up, and are closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_delay_no_one_and_are_disconnected() {
    let (_up, addr) = scripted(vec![]).await;
    let proxy = Running::start(addr, &[]);
    let host = proxy.url.trim_start_matches("http://").to_owned();
    let mut slow: Vec<std::net::TcpStream> = (0..20)
        .map(|_| std::net::TcpStream::connect(&host).expect("connect"))
        .collect();
    for stream in &mut slow {
        stream.write_all(b"G").expect("write");
    }
    let started = Instant::now();
    let health = client()
        .get(format!("{}/healthz", proxy.url))
        .send()
        .await
        .expect("answer");
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // A header that never ends, a byte a second: the header time limit (10 s) closes it.
    let mut stream = slow.pop().expect("a slow client");
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("timeout");
    let head = b"ET /healthz HTTP/1.1\r\nX-Slow: ";
    let mut buf = [0; 512];
    let until = Instant::now() + Duration::from_secs(15);
    for n in 0.. {
        assert!(Instant::now() < until, "a slow client was kept for 15 s");
        let byte = head.get(n).copied().unwrap_or(b'a');
        if stream.write_all(&[byte]).is_err() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(_) => break,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "closed by the time limit: {:?}",
        started.elapsed()
    );
}

fn limited_env(redis: &str) -> Vec<(&'static str, String)> {
    vec![
        ("RATE_LIMIT_REDIS_URL", redis.to_owned()),
        ("RATE_LIMIT_PER_MINUTE", "6".into()),
        ("RATE_LIMIT_BURST", "3".into()),
        ("TRUST_X_FORWARDED_FOR", "true".into()),
    ]
}

/// Order lookups from one client address through `proxies` in turn: their statuses.
async fn lookups(proxies: &[&Running], count: usize) -> Vec<u16> {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let client_ip = format!("198.18.{}.{}", bytes[0], bytes[1]);
    let mut statuses = Vec::new();
    for n in 0..count {
        let proxy = proxies[n % proxies.len()];
        let response = client()
            .get(format!("{}/v1/orders/ORD-1001", proxy.url))
            .header("x-forwarded-for", &client_ip)
            .send()
            .await
            .expect("answer");
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_one_limit_through_redis() {
    let Some(redis) = service("TEST_REDIS_URL") else {
        return;
    };
    let (_up, addr) = scripted(vec![]).await;
    let env = limited_env(&redis);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = Running::start(addr, &env);
    let b = Running::start(addr, &env);
    for proxy in [&a, &b] {
        assert!(proxy.logged("shared through Redis"), "{}", proxy.log());
    }
    assert_eq!(
        lookups(&[&a, &b], 6).await,
        [200, 200, 200, 429, 429, 429],
        "one burst of 3 for both"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_each_process_keeps_its_own_buckets_and_says_so() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let (_up, addr) = scripted(vec![]).await;
    let env = limited_env(&format!("redis://127.0.0.1:{port}/0"));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = Running::start(addr, &env);
    let b = Running::start(addr, &env);
    assert_eq!(
        lookups(&[&a, &b], 8).await,
        [200, 200, 200, 200, 200, 200, 429, 429],
        "fails open to a burst of 3 each"
    );
    assert!(a.logged("Redis does not answer"), "{}", a.log());
    assert!(
        !a.log().contains(&port.to_string()) || !a.log().contains("redis://"),
        "the URL is not logged"
    );
}

/// `MAX_CONNECTIONS` connections at once: one more waits to be accepted until one ends.
#[tokio::test]
async fn connections_past_the_cap_wait_for_one_to_end() {
    let (_up, addr) = scripted(vec![]).await;
    let proxy = Running::start(addr, &[("MAX_CONNECTIONS", "2")]);
    let host = proxy.url.trim_start_matches("http://").to_owned();
    let idle: Vec<std::net::TcpStream> = (0..2)
        .map(|_| std::net::TcpStream::connect(&host).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut third = std::net::TcpStream::connect(&host).expect("the backlog takes it");
    third
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("timeout");
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut buf = [0; 512];
    assert!(third.read(&mut buf).is_err(), "not served past the cap");
    drop(idle);
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let n = third
        .read(&mut buf)
        .expect("served once a connection ended");
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
}
