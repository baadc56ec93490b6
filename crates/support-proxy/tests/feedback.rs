//! `POST /v1/feedback`: stored with the time and nothing about the customer, refused when it
//! is not JSON, malformed or too large, and rate limited like the other routes.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use sqlx::Row;
use support_proxy::feedback::{MAX_SOURCES, MAX_TEXT_CHARS};

fn feedback(body: String, content_type: &str) -> Request<Body> {
    Request::post("/v1/feedback")
        .header(header::CONTENT_TYPE, content_type)
        .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 7], 1))))
        .body(Body::from(body))
        .expect("request")
}

async fn post(p: &Proxy, body: Value) -> (StatusCode, String) {
    let (status, _, text) = send(p, feedback(body.to_string(), "application/json")).await;
    (status, text)
}

/// Every stored row: rating, text, sources (JSON), created_at.
async fn stored(p: &Proxy) -> Vec<(String, String, Value, i64)> {
    let rows =
        sqlx::query("SELECT rating, text, sources, created_at FROM feedback ORDER BY created_at")
            .fetch_all(p.orders.pool())
            .await
            .expect("query");
    rows.iter()
        .map(|r| {
            let sources: String = r.get("sources");
            (
                r.get("rating"),
                r.get("text"),
                serde_json::from_str(&sources).expect("JSON"),
                r.get("created_at"),
            )
        })
        .collect()
}

#[tokio::test]
async fn feedback_is_stored_with_the_time_and_no_identity() {
    let p = proxy(&[], vec![]).await;
    let body = json!({"rating": "up", "text": "Card refunds take 5 to 10 business days.",
                      "sources": ["https://voltaire.example/help/refund-timing"]});
    assert_eq!(post(&p, body).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        post(&p, json!({"rating": "down"})).await.0,
        StatusCode::NO_CONTENT
    );
    let rows = stored(&p).await;
    assert_eq!(rows.len(), 2);
    let (rating, text, sources, at) = &rows[0];
    assert_eq!(
        (rating.as_str(), text.as_str()),
        ("up", "Card refunds take 5 to 10 business days.")
    );
    assert_eq!(
        sources,
        &json!(["https://voltaire.example/help/refund-timing"])
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    assert!((now - at).abs() < 60, "{at} vs {now}");
    let columns: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info('feedback')")
        .fetch_all(p.orders.pool())
        .await
        .expect("columns")
        .iter()
        .map(|r| r.get("name"))
        .collect();
    assert_eq!(columns, ["id", "rating", "text", "sources", "created_at"]);
}

#[tokio::test]
async fn bad_feedback_is_a_400_and_nothing_is_stored() {
    let p = proxy(&[], vec![]).await;
    let url = "https://voltaire.example/help/x";
    let cases = [
        json!({"rating": "meh"}),
        json!({"text": "no rating"}),
        json!({"rating": "up", "email": "jordan@example.com"}),
        json!({"rating": "up", "text": "x".repeat(MAX_TEXT_CHARS + 1)}),
        json!({"rating": "up", "sources": vec![url; MAX_SOURCES + 1]}),
        json!({"rating": "up", "sources": ["javascript:alert(1)"]}),
        json!({"rating": "up", "sources": [format!("https://x.example/{}", "a".repeat(3000))]}),
        json!({"rating": "up", "sources": "https://x.example"}),
        json!(["up"]),
    ];
    for body in cases {
        let (status, text) = post(&p, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {text}");
        assert!(!error_message(&text).is_empty(), "{text}");
    }
    let (status, _, _) = send(&p, feedback("{not json".into(), "application/json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = send(
        &p,
        feedback(json!({"rating": "up"}).to_string(), "text/plain"),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = json!({"rating": "up", "text": "x".repeat(100_000)}).to_string();
    let (status, _, _) = send(&p, feedback(huge, "application/json")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let max = json!({"rating": "down", "text": "é".repeat(MAX_TEXT_CHARS), "sources": vec![url; MAX_SOURCES]});
    assert_eq!(post(&p, max).await.0, StatusCode::NO_CONTENT);
    assert_eq!(stored(&p).await.len(), 1);
}

#[tokio::test]
async fn feedback_is_rate_limited_like_the_other_routes() {
    let p = proxy(
        &[("RATE_LIMIT_PER_MINUTE", "6"), ("RATE_LIMIT_BURST", "2")],
        vec![],
    )
    .await;
    let body = json!({"rating": "up"});
    assert_eq!(post(&p, body.clone()).await.0, StatusCode::NO_CONTENT);
    assert_eq!(post(&p, body.clone()).await.0, StatusCode::NO_CONTENT);
    assert_eq!(post(&p, body).await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(stored(&p).await.len(), 2);
}

/// Against the real PostgreSQL of `scripts/test-services.sh` (`TEST_DATABASE_URL`).
#[tokio::test]
async fn feedback_is_stored_in_postgres() {
    let Some(url) = service("TEST_DATABASE_URL") else {
        return;
    };
    let p = proxy(&[("DATABASE_URL", &url)], vec![]).await;
    let marker = uuid::Uuid::new_v4().to_string();
    let body = json!({"rating": "down", "text": marker, "sources": ["https://voltaire.example/help/shipping"]});
    assert_eq!(post(&p, body).await.0, StatusCode::NO_CONTENT);
    let row = sqlx::query("SELECT rating, sources, created_at FROM feedback WHERE text = $1")
        .bind(marker)
        .fetch_one(p.orders.pool())
        .await
        .expect("stored");
    assert_eq!(row.get::<String, _>("rating"), "down");
    assert!(row.get::<i64, _>("created_at") > 0);
}
