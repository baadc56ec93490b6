//! Hand-offs to a person (`POST /v1/handoffs`), on SQLite and on PostgreSQL: the ticket is
//! stored with its conversation and answered at once; with a webhook it is delivered signed
//! (HMAC-SHA256 over the exact body), retried with backoff, and kept as `delivery_failed`
//! when the help desk never answers; bad bodies are refused; the binary will not start with
//! an unsigned webhook, nor wait for a delivery at shutdown.

mod common;
mod fresh;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use common::{error_message, send, Proxy};
use fresh::*;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::Row;
use support_proxy::handoff::{MAX_MESSAGES, MAX_MESSAGE_CHARS, MAX_SUMMARY_CHARS};

const SECRET: &str = "a shared secret of the help desk";

fn handoff() -> Value {
    json!({
        "email": " jordan.diaz@example.com ",
        "summary": "Wants to change the delivery address of ORD-1003.",
        "conversation": [
            {"role": "user", "content": "Can I send ORD-1003 to my office?"},
            {"role": "assistant", "content": "I cannot change addresses; let me hand you over."},
        ],
    })
}

/// A help desk on 127.0.0.1 that answers each delivery with the next of `statuses` (then
/// 200), and keeps what it was sent.
#[derive(Clone, Default)]
struct Desk {
    statuses: Arc<Mutex<Vec<u16>>>,
    seen: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    /// How long each answer takes.
    delay: Arc<Mutex<Duration>>,
    /// Deliveries being answered now, and the most there were at once.
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
}

async fn receive(State(desk): State<Desk>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let now = desk.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    desk.most_in_flight.fetch_max(now, Ordering::SeqCst);
    desk.seen.lock().expect("lock").push((headers, body));
    let delay = *desk.delay.lock().expect("lock");
    tokio::time::sleep(delay).await;
    desk.in_flight.fetch_sub(1, Ordering::SeqCst);
    let next = desk.statuses.lock().expect("lock").pop().unwrap_or(200);
    StatusCode::from_u16(next).expect("status")
}

/// The signature the desk expects: HMAC-SHA256 of `"{timestamp}.{body}"`.
fn expected_signature(headers: &HeaderMap, body: &[u8]) -> String {
    let timestamp = headers["x-support-timestamp"].to_str().expect("ASCII");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn start_desk(statuses: &[u16]) -> (Desk, String) {
    let desk = Desk::default();
    *desk.statuses.lock().expect("lock") = statuses.iter().rev().copied().collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = Router::new()
        .route("/hooks/support", post(receive))
        .with_state(desk.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (desk, format!("http://{addr}/hooks/support"))
}

fn webhook_env(url: &str) -> Vec<(&str, &str)> {
    vec![
        ("HANDOFF_WEBHOOK_URL", url),
        ("HANDOFF_WEBHOOK_SECRET", SECRET),
        ("HANDOFF_WEBHOOK_ATTEMPTS", "3"),
        ("HANDOFF_WEBHOOK_BACKOFF_MS", "20"),
        ("HANDOFF_WEBHOOK_TIMEOUT_SECS", "2"),
    ]
}

/// The ticket's row: status, attempts, last error, email, summary, conversation.
async fn row(p: &Proxy, reference: &str) -> (String, i64, Option<String>, String, String, Value) {
    let r = sqlx::query(
        "SELECT status, attempts, last_error, email, summary, conversation FROM handoffs
         WHERE reference = $1",
    )
    .bind(reference.to_owned())
    .fetch_one(p.orders.pool())
    .await
    .expect("stored");
    let conversation: String = r.get("conversation");
    (
        r.get("status"),
        r.get("attempts"),
        r.get("last_error"),
        r.get("email"),
        r.get("summary"),
        serde_json::from_str(&conversation).expect("JSON"),
    )
}

/// Waits (at most 10 s) for the ticket to leave `open`.
async fn settled(p: &Proxy, reference: &str) -> (String, i64, Option<String>) {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, attempts, error, ..) = row(p, reference).await;
        if status != "open" || Instant::now() > until {
            return (status, attempts, error);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn create(p: &Proxy) -> String {
    let (status, body) = post_json(p, "/v1/handoffs", &handoff()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["ticket"]["reference"]
        .as_str()
        .expect("reference")
        .to_owned()
}

#[tokio::test]
async fn a_ticket_is_stored_with_its_conversation() {
    for backend in backends() {
        let p = fresh(backend, &[]).await;
        let (status, body) = post_json(&p, "/v1/handoffs", &handoff()).await;
        assert_eq!(status, StatusCode::CREATED, "{backend:?}: {body}");
        let ticket = &body["ticket"];
        let reference = ticket["reference"].as_str().expect("reference");
        assert!(
            reference.starts_with("H-") && reference.len() == 14,
            "{reference}"
        );
        assert_eq!(ticket["status"], "open");
        assert!(ticket["created_at"].as_i64().is_some_and(|t| t > 0));
        assert_eq!(ticket.as_object().map(|o| o.len()), Some(3), "{ticket}");
        let (status, attempts, error, email, summary, conversation) = row(&p, reference).await;
        assert_eq!((status.as_str(), attempts, error), ("open", 0, None));
        assert_eq!(email, "jordan.diaz@example.com");
        assert_eq!(summary, handoff()["summary"]);
        assert_eq!(conversation, handoff()["conversation"]);
    }
}

#[tokio::test]
async fn the_webhook_gets_the_ticket_signed() {
    for backend in backends() {
        let (desk, url) = start_desk(&[]).await;
        let p = fresh(backend, &webhook_env(&url)).await;
        let reference = create(&p).await;
        assert_eq!(settled(&p, &reference).await, ("delivered".into(), 1, None));
        let seen = desk.seen.lock().expect("lock").clone();
        assert_eq!(seen.len(), 1);
        let (headers, body) = &seen[0];
        let timestamp: i64 = headers["x-support-timestamp"]
            .to_str()
            .expect("ASCII")
            .parse()
            .expect("seconds");
        let now = support_proxy::body::now_secs();
        assert!((now - 60..=now).contains(&timestamp), "{timestamp}");
        let expected = expected_signature(headers, body);
        assert_eq!(headers["x-support-signature"], expected.as_str());
        // The body alone no longer verifies: a captured delivery carries its time.
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
        mac.update(body);
        let body_only = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_ne!(headers["x-support-signature"], body_only.as_str());
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["x-support-reference"], reference.as_str());
        let sent: Value = serde_json::from_slice(body).expect("JSON");
        assert_eq!(sent["event"], "handoff");
        assert_eq!(sent["ticket"]["reference"], reference.as_str());
        assert_eq!(sent["ticket"]["email"], "jordan.diaz@example.com");
        assert_eq!(sent["ticket"]["conversation"], handoff()["conversation"]);
        assert!(!String::from_utf8_lossy(body).contains(SECRET));
    }
}

#[tokio::test]
async fn a_failing_webhook_is_retried_until_it_takes_the_ticket() {
    let (desk, url) = start_desk(&[500, 503]).await;
    let p = fresh(Backend::Sqlite, &webhook_env(&url)).await;
    let reference = create(&p).await;
    assert_eq!(settled(&p, &reference).await, ("delivered".into(), 3, None));
    let seen = desk.seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 3);
    // Every attempt is the same body, signed with the attempt's own time.
    assert!(seen.windows(2).all(|w| w[0].1 == w[1].1));
    for (headers, body) in &seen {
        assert_eq!(
            headers["x-support-signature"],
            expected_signature(headers, body).as_str()
        );
    }
}

/// Regression: every ticket's delivery ran at once, however many were waiting on a slow or
/// failing desk.
#[tokio::test]
async fn deliveries_under_way_at_once_are_capped() {
    let (desk, url) = start_desk(&[]).await;
    *desk.delay.lock().expect("lock") = Duration::from_millis(300);
    let mut env = webhook_env(&url);
    env.push(("HANDOFF_WEBHOOK_CONCURRENCY", "1"));
    env.push(("ACTIONS_RATE_LIMIT_PER_MINUTE", "100"));
    let p = fresh(Backend::Sqlite, &env).await;
    let mut references = Vec::new();
    for _ in 0..3 {
        references.push(create(&p).await);
    }
    for reference in &references {
        assert_eq!(settled(&p, reference).await.0, "delivered");
    }
    assert_eq!(desk.seen.lock().expect("lock").len(), 3);
    assert_eq!(desk.most_in_flight.load(Ordering::SeqCst), 1);
}

/// The help desk is down (nothing listens on its port): the customer's answer does not wait
/// for the attempts (which take at least 3 s here), and the ticket is kept.
#[tokio::test]
async fn a_webhook_that_is_down_leaves_the_ticket_kept_and_failed() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://{}/hooks/support",
        closed.local_addr().expect("addr")
    );
    drop(closed);
    let mut env = webhook_env(&url);
    env.push(("HANDOFF_WEBHOOK_BACKOFF_MS", "1000"));
    let p = fresh(Backend::Sqlite, &env).await;
    let started = Instant::now();
    let reference = create(&p).await;
    let answered = started.elapsed();
    assert!(
        answered < Duration::from_millis(900),
        "answered after {answered:?}"
    );
    let (status, attempts, error) = settled(&p, &reference).await;
    assert_eq!((status.as_str(), attempts), ("delivery_failed", 3));
    assert!(started.elapsed() >= Duration::from_secs(3));
    let error = error.expect("the last error is kept");
    assert!(!error.contains(&url) && !error.contains(SECRET), "{error}");
}

#[tokio::test]
async fn bad_tickets_are_refused_and_nothing_is_stored() {
    let p = fresh(Backend::Sqlite, &[]).await;
    let with = |key: &str, value: Value| {
        let mut body = handoff();
        body[key] = value;
        body
    };
    let message = json!({"role": "user", "content": "hello"});
    let unprocessable = [
        with("email", json!("jordan")),
        with("email", json!("jordan@localhost")),
        with("email", json!("jordan diaz@example.com")),
        with("email", json!(format!("{}@example.com", "a".repeat(250)))),
        with("summary", json!("  ")),
        with("summary", json!("x".repeat(MAX_SUMMARY_CHARS + 1))),
        with("conversation", json!(vec![message; MAX_MESSAGES + 1])),
        with(
            "conversation",
            json!([{"role": "user", "content": "x".repeat(MAX_MESSAGE_CHARS + 1)}]),
        ),
    ];
    for body in unprocessable {
        let (status, answer) = post_json(&p, "/v1/handoffs", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["type"], "invalid_request_error");
        assert!(!error_message(&answer.to_string()).is_empty());
    }
    let (_, email) = post_json(&p, "/v1/handoffs", &with("email", json!("x"))).await;
    assert!(
        error_message(&email.to_string()).contains("email"),
        "{email}"
    );
    let bad_requests = [
        with("email", json!(42)),
        with(
            "conversation",
            json!([{"role": "system", "content": "obey"}]),
        ),
        with("conversation", json!([{"role": "user"}])),
        with("conversation", json!("hello")),
        with("cc", json!("boss@example.com")),
        json!({"email": "jordan.diaz@example.com"}),
        json!([]),
    ];
    for body in bad_requests {
        let (status, answer) = post_json(&p, "/v1/handoffs", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(!error_message(&answer.to_string()).is_empty());
    }
    let plain = post_from(
        "/v1/handoffs",
        handoff().to_string(),
        "text/plain",
        [10, 0, 0, 9],
    );
    assert_eq!(send(&p, plain).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = with("summary", json!("x".repeat(300 * 1024))).to_string();
    let huge = post_from("/v1/handoffs", huge, "application/json", [10, 0, 0, 9]);
    let (status, _, text) = send(&p, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(!error_message(&text).is_empty());
    assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM handoffs").await, 0);
}

#[tokio::test]
async fn hand_offs_count_in_the_bucket_of_changes() {
    let p = fresh(Backend::Sqlite, &[("ACTIONS_RATE_LIMIT_PER_MINUTE", "4")]).await;
    create(&p).await;
    create(&p).await;
    let (status, body) = post_json(&p, "/v1/handoffs", &handoff()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM handoffs").await, 2);
}
