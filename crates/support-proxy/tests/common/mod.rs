//! The proxy under test: a scripted upstream on 127.0.0.1, a real SQLite file, and the router
//! driven with `oneshot`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use support_proxy::config::ProxyConfig;
use support_proxy::db::OrderStore;
use support_proxy::{app, AppState};
use tower::ServiceExt;

/// The URL of a service of `scripts/test-services.sh` from `variable`, or `None` to skip a
/// test that needs it. With `REQUIRE_SERVICES=1`, which that script sets, a missing service
/// fails the test instead of letting it pass unrun.
pub fn service(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if services_required() => {
            panic!("{variable} is not set, and REQUIRE_SERVICES says this run must use it")
        }
        _ => {
            eprintln!("{variable} is not set: skipped (scripts/test-services.sh sets it)");
            None
        }
    }
}

pub fn services_required() -> bool {
    std::env::var("REQUIRE_SERVICES").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// What the scripted upstream does with the next request.
#[derive(Clone)]
pub enum Script {
    Stream {
        chunks: Vec<&'static str>,
        gap: Duration,
    },
    Status {
        status: u16,
        body: &'static str,
        retry_after: Option<&'static str>,
    },
    /// No headers for 30 s.
    Hang,
    /// 200 and an event stream: these pieces, then nothing, ever.
    StallAfter(Vec<&'static str>),
    /// An error status whose body never comes.
    StatusThenStall(u16),
    /// An error status with a body of this many bytes (made as it is read).
    HugeError { status: u16, bytes: usize },
    /// 200 and an event stream: these pieces, then the connection breaks.
    CloseAfter(Vec<&'static str>),
    /// 200 and an event stream: a piece every `gap`, for ever.
    Drip(Duration),
    /// 200 and an event stream: complete events for ever, each ready as soon as it is asked for.
    Flood,
    /// 200 and an event stream: one event that never ends, its bytes always ready.
    FloodNoBoundary,
}

#[derive(Clone, Default)]
pub struct Upstream {
    pub script: Arc<Mutex<Vec<Script>>>,
    /// Headers, the parsed body and the body as sent.
    pub seen: Arc<Mutex<Vec<(HeaderMap, Value, String)>>>,
    /// Bodies the proxy let go of before they ended (their connection was dropped).
    pub dropped: Arc<AtomicUsize>,
    /// Body bytes handed to the connection.
    pub sent: Arc<AtomicUsize>,
}

/// Counts a body as dropped when it is, unless it ended.
struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

type Piece = Result<Bytes, std::io::Error>;

/// `pieces`, then `tail`, counting bytes in `up.sent` and the drop in `up.dropped`.
fn body<S>(up: &Upstream, pieces: Vec<&'static str>, tail: S) -> Body
where
    S: futures_util::Stream<Item = Piece> + Send + 'static,
{
    let guard = DropGuard(up.dropped.clone());
    let sent = up.sent.clone();
    let head = futures_util::stream::iter(pieces.into_iter().map(|p| Ok(Bytes::from(p))));
    Body::from_stream(head.chain(tail).map(move |piece: Piece| {
        let _ = &guard;
        if let Ok(bytes) = &piece {
            sent.fetch_add(bytes.len(), Ordering::SeqCst);
        }
        piece
    }))
}

fn sse(body: Body) -> Response {
    ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
}

fn faulty(up: &Upstream, script: Script) -> Response {
    match script {
        Script::StallAfter(pieces) => sse(body(up, pieces, futures_util::stream::pending())),
        Script::StatusThenStall(status) => (
            StatusCode::from_u16(status).expect("status"),
            body(up, vec![], futures_util::stream::pending()),
        )
            .into_response(),
        Script::HugeError { status, bytes } => {
            let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
            let chunks = futures_util::stream::repeat(chunk)
                .take(bytes / (64 * 1024))
                .map(Ok);
            let head = vec!["{\"error\":{\"type\":\"huge\",\"message\":\""];
            (
                StatusCode::from_u16(status).expect("status"),
                body(up, head, chunks),
            )
                .into_response()
        }
        Script::CloseAfter(pieces) => {
            let broken = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(std::io::Error::other("connection lost"))
            });
            sse(body(up, pieces, broken))
        }
        Script::Drip(gap) => {
            let drip = futures_util::stream::unfold((), move |()| async move {
                tokio::time::sleep(gap).await;
                Some((Ok(Bytes::from_static(SSE[0].as_bytes())), ()))
            });
            sse(body(up, vec![], drip))
        }
        Script::Flood => {
            let events = SSE[0].repeat(300);
            let flood = futures_util::stream::repeat(Bytes::from(events)).map(Ok);
            sse(body(up, vec![], flood))
        }
        Script::FloodNoBoundary => {
            let flood = futures_util::stream::repeat(Bytes::from(vec![b'x'; 16 * 1024])).map(Ok);
            sse(body(up, vec!["data: "], flood))
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub async fn upstream_handler(
    State(up): State<Upstream>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    up.seen.lock().expect("lock").push((
        headers,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
        String::from_utf8_lossy(&body).into_owned(),
    ));
    let script = up
        .script
        .lock()
        .expect("lock")
        .pop()
        .unwrap_or(Script::Status {
            status: 500,
            body: "{}",
            retry_after: None,
        });
    match script {
        Script::Stream { chunks, gap } => {
            let stream =
                futures_util::stream::unfold(chunks.into_iter(), move |mut rest| async move {
                    let next = rest.next()?;
                    tokio::time::sleep(gap).await;
                    Some((Ok::<_, std::io::Error>(next.to_owned()), rest))
                });
            (
                [(header::CONTENT_TYPE, "text/event-stream")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        Script::Status {
            status,
            body,
            retry_after,
        } => {
            let mut response =
                (StatusCode::from_u16(status).expect("status"), body).into_response();
            if let Some(value) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, value.parse().expect("header"));
            }
            response
        }
        Script::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::OK.into_response()
        }
        other => faulty(&up, other),
    }
}

pub async fn start_upstream(up: &Upstream) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = Router::new()
        .route("/v1/chat/completions", post(upstream_handler))
        .with_state(up.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

pub struct Proxy {
    pub router: Router,
    pub upstream: Upstream,
    pub orders: OrderStore,
    _db: tempfile::TempDir,
}

impl Proxy {
    /// The answer to the valid chat request, as a client gets it.
    pub async fn chat_request(&self) -> Response {
        self.router
            .clone()
            .oneshot(chat(valid_body()))
            .await
            .expect("response")
    }
}

/// A scripted upstream on 127.0.0.1, replying with `script` in order.
pub async fn scripted(script: Vec<Script>) -> (Upstream, SocketAddr) {
    let upstream = Upstream::default();
    *upstream.script.lock().expect("lock") = script.into_iter().rev().collect();
    let addr = start_upstream(&upstream).await;
    (upstream, addr)
}

pub async fn proxy(env: &[(&str, &str)], script: Vec<Script>) -> Proxy {
    let (upstream, addr) = scripted(script).await;
    let db = tempfile::tempdir().expect("tempdir");
    let mut vars: HashMap<String, String> = HashMap::from([
        ("UPSTREAM_BASE_URL".into(), format!("http://{addr}/v1")),
        ("UPSTREAM_API_KEY".into(), "server-key".into()),
        (
            "DATABASE_URL".into(),
            format!("sqlite://{}", db.path().join("orders.db").display()),
        ),
        ("RATE_LIMIT_PER_MINUTE".into(), "1000".into()),
        ("RATE_LIMIT_BURST".into(), "1000".into()),
        (
            "STATIC_DIR".into(),
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/static").into(),
        ),
    ]);
    for (k, v) in env {
        vars.insert(k.to_string(), v.to_string());
    }
    let config = ProxyConfig::from_env(|name| vars.get(name).cloned().filter(|v| !v.is_empty()))
        .expect("valid config");
    let orders = OrderStore::open(&config.database_url)
        .await
        .expect("sqlite opens");
    Proxy {
        router: app(AppState::new(config, orders.clone()).expect("state")),
        upstream,
        orders,
        _db: db,
    }
}

pub fn chat(body: Value) -> Request<Body> {
    Request::post("/v1/chat/completions")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Bearer client-supplied-key")
        .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5000))))
        .body(Body::from(body.to_string()))
        .expect("request")
}

pub fn chat_text(body: String) -> Request<Body> {
    Request::post("/v1/chat/completions")
        .header(header::CONTENT_TYPE, "application/json")
        .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5000))))
        .body(Body::from(body))
        .expect("request")
}

pub fn valid_body() -> Value {
    json!({"model": "llama-3.3-70b", "messages": [{"role": "user", "content": "hi"}], "stream": true, "max_tokens": 512,
           "tools": lookup_order_tools(), "tool_choice": "auto"})
}

/// The upstream's one scripted reply, streamed at once.
pub fn instant_reply() -> Vec<Script> {
    vec![Script::Stream {
        chunks: SSE.to_vec(),
        gap: Duration::ZERO,
    }]
}

pub async fn send(proxy: &Proxy, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response = proxy
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("response");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

pub fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub const SSE: [&str; 3] = [
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n",
    "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n",
    "data: [DONE]\n\n",
];

pub fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 1))))
        .body(Body::empty())
        .expect("request")
}

/// A GET from this client address.
pub fn get_from(path: &str, ip: &str) -> Request<Body> {
    let ip: std::net::IpAddr = ip.parse().expect("address");
    Request::get(path)
        .extension(ConnectInfo(SocketAddr::new(ip, 1)))
        .body(Body::empty())
        .expect("request")
}

/// The body's pieces as they arrive, with when each came (from `started`).
pub async fn pieces(response: Response, started: std::time::Instant) -> Vec<(Duration, String)> {
    let mut body = response.into_body();
    let mut pieces = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            pieces.push((started.elapsed(), "<error>".to_owned()));
            break;
        };
        if let Ok(data) = frame.into_data() {
            pieces.push((
                started.elapsed(),
                String::from_utf8_lossy(&data).into_owned(),
            ));
        }
    }
    pieces
}

/// The widget's tool definitions, as the widget sends them.
pub fn lookup_order_tools() -> serde_json::Value {
    serde_json::to_value(support_core::ToolRegistry::default().definitions()).expect("JSON")
}

/// The client's copy of a reply: its pieces, the time it ended, and the error event it ended
/// with, if any.
pub async fn reply(p: &Proxy) -> (Vec<String>, Duration, Option<Value>) {
    let started = std::time::Instant::now();
    let response = p.chat_request().await;
    assert_eq!(response.status(), StatusCode::OK);
    let pieces = tokio::time::timeout(Duration::from_secs(10), pieces(response, started))
        .await
        .expect("the reply ends");
    let ended = started.elapsed();
    let texts: Vec<String> = pieces.into_iter().map(|(_, t)| t).collect();
    let error = texts
        .last()
        .and_then(|t| t.strip_prefix("data: "))
        .and_then(|t| serde_json::from_str::<Value>(t.trim()).ok())
        .filter(|v| v.get("error").is_some());
    (texts, ended, error)
}
