//! The proxy's other routes: CORS, rate limits, order lookups in SQLite and PostgreSQL, health
//! and static files.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use support_proxy::db::OrderStore;

#[tokio::test]
async fn cors_allows_only_the_listed_origins() {
    let p = proxy(&[("ALLOWED_ORIGINS", "https://shop.example")], vec![]).await;
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/v1/chat/completions")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
            .body(Body::empty())
            .expect("request")
    };
    let (status, headers, _) = send(&p, preflight("https://shop.example")).await;
    assert!(status.is_success());
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example"
    );
    let (_, headers, _) = send(&p, preflight("https://evil.example")).await;
    assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));

    let mut request = chat(json!({"model": "nope", "messages": []}));
    request.headers_mut().insert(
        header::ORIGIN,
        "https://shop.example".parse().expect("header"),
    );
    let (_, headers, _) = send(&p, request).await;
    let exposed = headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(exposed.contains("retry-after"), "{exposed}");
}

#[tokio::test]
async fn clients_are_rate_limited_after_their_burst() {
    let p = proxy(
        &[("RATE_LIMIT_PER_MINUTE", "6"), ("RATE_LIMIT_BURST", "2")],
        vec![],
    )
    .await;
    let lookup = |ip: [u8; 4]| {
        Request::get("/v1/orders/ORD-1001")
            .extension(ConnectInfo(SocketAddr::from((ip, 1))))
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(send(&p, lookup([10, 0, 0, 1])).await.0, StatusCode::OK);
    assert_eq!(send(&p, lookup([10, 0, 0, 1])).await.0, StatusCode::OK);
    let (status, headers, text) = send(&p, lookup([10, 0, 0, 1])).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=10).contains(&wait), "{wait}");
    assert!(error_message(&text).contains("too many requests"));
    assert_eq!(
        send(&p, lookup([10, 0, 0, 2])).await.0,
        StatusCode::OK,
        "another client has its own bucket"
    );
}

#[tokio::test]
async fn orders_are_looked_up_in_the_sqlite_file() {
    let p = proxy(&[], vec![]).await;
    let (status, _, text) = send(&p, get("/v1/orders/ord-1002")).await;
    assert_eq!(status, StatusCode::OK);
    let order: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        (order["item"].as_str(), order["amount"].as_f64()),
        (Some("Mechanical Keyboard"), Some(89.5))
    );
    assert!(
        order.get("customer_email").is_none(),
        "the email is never returned"
    );
    let (status, _, text) = send(&p, get("/v1/orders/ORD-9999")).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::NOT_FOUND, r#"{"error":"Order not found"}"#)
    );
    let (status, _, text) = send(&p, get("/v1/orders/DROP%20TABLE")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("is not an order id"));
}

#[tokio::test]
async fn with_the_email_check_a_wrong_email_looks_like_no_order() {
    let p = proxy(&[("ORDER_LOOKUP_REQUIRE_EMAIL", "true")], vec![]).await;
    assert_eq!(
        send(&p, get("/v1/orders/ORD-1002")).await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, _, text) = send(&p, get("/v1/orders/ORD-1002?email=someone%40else.example")).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::NOT_FOUND, r#"{"error":"Order not found"}"#)
    );
    let (status, _, _) = send(
        &p,
        get("/v1/orders/ORD-1002?email=%20Sam.Lee%40example.com"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, missing) =
        send(&p, get("/v1/orders/ORD-9999?email=sam.lee%40example.com")).await;
    assert_eq!(
        (status, missing.as_str()),
        (StatusCode::NOT_FOUND, r#"{"error":"Order not found"}"#)
    );
}

#[tokio::test]
async fn health_and_static_files() {
    let p = proxy(&[], vec![]).await;
    let (status, _, text) = send(&p, get("/healthz")).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::OK, r#"{"status":"ok"}"#)
    );
    let (status, _, text) = send(&p, get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("support-proxy static test page"));
    assert_eq!(send(&p, get("/missing.js")).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn static_files_with_a_build_id_are_cached_for_good_and_others_revalidated() {
    let p = proxy(&[], vec![]).await;
    let cache = |headers: &HeaderMap| {
        headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().expect("ascii").to_owned())
    };
    let (status, headers, _) = send(&p, get("/index.html?v=0123456789abcdef")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cache(&headers).as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let (status, headers, _) = send(&p, get("/index.html?retry=1&v=0123456789abcdef")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cache(&headers).as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let (status, headers, _) = send(&p, get("/index.html")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache(&headers).as_deref(), Some("no-cache"));
    let (status, headers, _) = send(&p, get("/index.html?dev=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache(&headers).as_deref(), Some("no-cache"));
    // Errors are not cached, and the API is not a static file.
    let (status, headers, _) = send(&p, get("/missing.js?v=0123456789abcdef")).await;
    assert_eq!((status, cache(&headers)), (StatusCode::NOT_FOUND, None));
    let (_, headers, _) = send(&p, get("/healthz")).await;
    assert_eq!(cache(&headers), None);
}

/// Runs against a real PostgreSQL when `TEST_DATABASE_URL` names one (the README's test command
/// starts one on 127.0.0.1); otherwise there is nothing to run against.
#[tokio::test]
async fn orders_are_looked_up_in_postgres() {
    let Some(url) = service("TEST_DATABASE_URL") else {
        return;
    };
    let store = OrderStore::open(&url).await.expect("postgres connects");
    store.seed().await.expect("seeded");
    assert_eq!(store.seed().await.expect("seeding twice is harmless"), 0);
    let record = store
        .find("ORD-1003")
        .await
        .expect("query")
        .expect("present");
    assert_eq!(record.order.item, "Noise-Cancelling Headphones");
    assert_eq!(
        record.customer_email.as_deref(),
        Some("jordan.diaz@example.com")
    );
    assert!(store.find("ORD-0000").await.expect("query").is_none());
}

/// Runs against the real Redis that `scripts/test-services.sh` starts (`TEST_REDIS_URL`): two
/// proxies share one bucket per client, `Retry-After` says when, and the key expires.
#[tokio::test]
async fn buckets_in_redis_are_shared_and_expire() {
    let Some(url) = service("TEST_REDIS_URL") else {
        return;
    };
    let env = [
        ("RATE_LIMIT_REDIS_URL", url.as_str()),
        ("RATE_LIMIT_PER_MINUTE", "6"),
        ("RATE_LIMIT_BURST", "2"),
    ];
    let (a, b) = (proxy(&env, vec![]).await, proxy(&env, vec![]).await);
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let ip = format!("2001:db8:{:x}{:x}::1", bytes[0], bytes[1]);
    let lookup = || get_from("/v1/orders/ORD-1001", &ip);
    assert_eq!(send(&a, lookup()).await.0, StatusCode::OK);
    assert_eq!(send(&b, lookup()).await.0, StatusCode::OK);
    let (status, headers, _) = send(&a, lookup()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((9..=10).contains(&wait), "one interval of 10 s: {wait}");
    let client = redis::Client::open(url.as_str()).expect("url");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis answers");
    let network: std::net::IpAddr = format!("2001:db8:{:x}{:x}::", bytes[0], bytes[1])
        .parse()
        .expect("network");
    let key = format!("support-proxy:rl:api:{network}");
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .expect("PTTL");
    assert!(
        (1..=20_000).contains(&ttl),
        "{key} expires when full again: {ttl} ms"
    );
}

/// A `redis-server` of this test's own on 127.0.0.1, which it can stop and start again.
struct OwnRedis {
    port: u16,
    child: Option<std::process::Child>,
}

impl OwnRedis {
    fn start(port: u16) -> Self {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--dir", "/tmp"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server runs (scripts/install-prereqs.sh installs it)");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "redis-server starts"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Self {
            port,
            child: Some(child),
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Redis goes away mid-run and comes back: requests are served from each instance's own
/// buckets meanwhile (fail open, never a 500), and the limit is shared again once it answers.
#[tokio::test]
async fn a_redis_that_goes_away_and_comes_back() {
    if service("TEST_REDIS_URL").is_none() {
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut redis = OwnRedis::start(port);
    let url = format!("redis://127.0.0.1:{}/0", redis.port);
    let env = [
        ("RATE_LIMIT_REDIS_URL", url.as_str()),
        ("RATE_LIMIT_PER_MINUTE", "6"),
        ("RATE_LIMIT_BURST", "2"),
    ];
    let (a, b) = (proxy(&env, vec![]).await, proxy(&env, vec![]).await);
    let (a, b) = (&a, &b);
    let shared = |n: u16| async move {
        let ip = format!("2001:db8:{n:x}::1");
        let lookup = || get_from("/v1/orders/ORD-1001", &ip);
        [
            send(a, lookup()).await.0,
            send(b, lookup()).await.0,
            send(a, lookup()).await.0,
        ]
    };
    let (ok, limited) = (StatusCode::OK, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(shared(1).await, [ok, ok, limited], "shared through Redis");
    redis.stop();
    assert_eq!(shared(2).await, [ok, ok, ok], "each instance's own buckets");
    let _redis = OwnRedis::start(port);
    let started = std::time::Instant::now();
    for n in 3.. {
        if shared(n).await == [ok, ok, limited] {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "the limit is shared again once Redis answers"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}
