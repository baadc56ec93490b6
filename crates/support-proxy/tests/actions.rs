//! Refund requests and cancellations (`POST /v1/orders/{id}/refund-request`, `…/cancel`), on
//! SQLite and on PostgreSQL: decided on the server with the core's rules, made once in one
//! transaction with their record, replayed when asked again, refused with the verdict's tag,
//! never an enumeration oracle, never a 500 for a bad body, and rate limited.

mod common;
mod fresh;

use axum::http::StatusCode;
use common::{error_message, get, send, Proxy};
use fresh::*;
use serde_json::{json, Value};
use support_proxy::actions::{MAX_BODY_BYTES, MAX_REASON_CHARS};

fn refund_path(id: &str) -> String {
    format!("/v1/orders/{id}/refund-request")
}

fn cancel_path(id: &str) -> String {
    format!("/v1/orders/{id}/cancel")
}

fn reason() -> Value {
    json!({"reason": "  It arrived scratched.  "})
}

async fn rows(p: &Proxy, id: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM refund_requests WHERE order_id = '{id}'");
    count(p, &sql).await
}

/// The order as the lookup now gives it.
async fn looked_up(p: &Proxy, id: &str) -> Value {
    let (status, _, body) = send(p, get(&format!("/v1/orders/{id}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

#[tokio::test]
async fn a_delivered_order_is_refunded_once_and_replayed_after() {
    for backend in backends() {
        let p = fresh(backend, &[]).await;
        let yesterday = days_ago(1);
        add_order(
            &p,
            "ORD-9001",
            "delivered",
            Some(&yesterday),
            "a@shop.example",
        )
        .await;
        let (status, first) = post_json(&p, &refund_path("ord%209001"), &reason()).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {first}");
        assert_eq!(first["replayed"], false);
        let request = &first["request"];
        assert!(request["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("R-")));
        assert_eq!(
            (&request["order_id"], &request["kind"], &request["reason"]),
            (
                &json!("ORD-9001"),
                &json!("refund"),
                &json!("It arrived scratched.")
            )
        );
        assert!(request["created_at"].as_i64().is_some_and(|t| t > 0));
        assert_eq!(first["order"]["status"], "refund_requested");
        assert_eq!(first["order"]["refund_requested_date"], json!(days_ago(0)));
        assert_eq!(looked_up(&p, "ORD-9001").await, first["order"]);
        assert_eq!(rows(&p, "ORD-9001").await, 1);

        let other = json!({"reason": "Asking again"});
        let (status, again) = post_json(&p, &refund_path("ORD-9001"), &other).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["replayed"], true);
        assert_eq!(again["request"], first["request"]);
        assert_eq!(again["order"], first["order"]);
        assert_eq!(rows(&p, "ORD-9001").await, 1);

        // A cancellation of the same order is its own request, and not allowed now.
        let (status, cancel) = post_json(&p, &cancel_path("ORD-9001"), &reason()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{cancel}");
        assert_eq!(cancel["error"]["code"], "already_requested");
    }
}

#[tokio::test]
async fn a_processing_order_is_cancelled() {
    for backend in backends() {
        let p = fresh(backend, &[]).await;
        add_order(&p, "ORD-9002", "processing", None, "a@shop.example").await;
        let (status, body) = post_json(&p, &cancel_path("ORD-9002"), &reason()).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        assert_eq!(body["request"]["kind"], "cancel");
        assert_eq!(body["order"]["status"], "cancelled");
        assert_eq!(body["order"]["cancelled_date"], json!(days_ago(0)));
        let row = sqlx::query_as::<_, (String, String)>(
            "SELECT previous_status, new_status FROM refund_requests WHERE order_id = 'ORD-9002'",
        )
        .fetch_one(p.orders.pool())
        .await
        .expect("row");
        assert_eq!(row, ("processing".to_owned(), "cancelled".to_owned()));
        assert_eq!(looked_up(&p, "ORD-9002").await["status"], "cancelled");
    }
}

/// Each refusal: 409, the verdict's tag and sentence, the order as it was, nothing recorded.
#[tokio::test]
async fn refusals_carry_the_verdict_and_change_nothing() {
    for backend in backends() {
        let p = fresh(backend, &[("RETURN_WINDOW_DAYS", "14")]).await;
        let (long_ago, recent) = (days_ago(40), days_ago(15));
        add_order(&p, "ORD-9003", "processing", None, "a@shop.example").await;
        add_order(&p, "ORD-9004", "shipped", None, "a@shop.example").await;
        add_order(
            &p,
            "ORD-9005",
            "delivered",
            Some(&long_ago),
            "a@shop.example",
        )
        .await;
        add_order(&p, "ORD-9006", "delivered", Some(&recent), "a@shop.example").await;
        add_order(
            &p,
            "ORD-9007",
            "delivered",
            Some(&days_ago(2)),
            "a@shop.example",
        )
        .await;
        let cases = [
            (refund_path("ORD-9003"), "cancel_instead", "cancelled"),
            (refund_path("ORD-9004"), "await_delivery", "2099-01-02"),
            (cancel_path("ORD-9004"), "await_delivery", "delivered"),
            (refund_path("ORD-9005"), "window_closed", &long_ago),
            (refund_path("ORD-9006"), "window_closed", "14 days"),
            (cancel_path("ORD-9007"), "refund_instead", "refund"),
            (refund_path("ORD-1001"), "already_refunded", "2026-10-09"),
            (cancel_path("ORD-1006"), "already_cancelled", "cancelled"),
        ];
        for (path, code, words) in cases {
            let id = path.split('/').nth(3).expect("id").to_owned();
            let before = looked_up(&p, &id).await;
            let (status, body) = post_json(&p, &path, &reason()).await;
            assert_eq!(status, StatusCode::CONFLICT, "{backend:?} {path}: {body}");
            assert_eq!(body["error"]["type"], "not_eligible", "{path}");
            assert_eq!(body["error"]["code"], code, "{path}");
            let message = error_message(&body.to_string());
            assert!(message.contains(words), "{path}: {message}");
            assert_eq!(body["order"], before, "{path}");
            assert_eq!(looked_up(&p, &id).await, before, "{path}");
            assert_eq!(rows(&p, &id).await, 0, "{path}");
        }
    }
}

#[tokio::test]
async fn unknown_orders_and_wrong_emails_are_the_same_404() {
    let p = fresh(Backend::Sqlite, &[("ORDER_LOOKUP_REQUIRE_EMAIL", "true")]).await;
    add_order(&p, "ORD-9008", "processing", None, "Sam.Lee@Shop.example").await;
    let with = |email: &str| json!({"reason": "Ordered twice", "email": email});
    let (status, unknown) = post_json(&p, &cancel_path("ORD-0404"), &with("a@b.example")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown["error"],
        json!({"message": "Order not found", "type": "not_found_error", "code": 404})
    );
    let (status, wrong) = post_json(&p, &cancel_path("ORD-9008"), &with("x@shop.example")).await;
    assert_eq!((status, &wrong), (StatusCode::NOT_FOUND, &unknown));
    let (status, missing) = post_json(&p, &cancel_path("ORD-9008"), &reason()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{missing}");
    assert_eq!(rows(&p, "ORD-9008").await, 0);
    let (status, body) = post_json(
        &p,
        &cancel_path("ORD-9008"),
        &with(" sam.lee@shop.EXAMPLE "),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Replays are behind the same check.
    let (status, _) = post_json(&p, &cancel_path("ORD-9008"), &with("x@shop.example")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn malformed_requests_are_4xx_errors_and_change_nothing() {
    let p = fresh(Backend::Sqlite, &[]).await;
    add_order(&p, "ORD-9009", "processing", None, "a@shop.example").await;
    let path = cancel_path("ORD-9009");
    let long = "x".repeat(10 * 1024);
    let cases: Vec<(String, &str, StatusCode)> = vec![
        (
            "{not json".into(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        ("".into(), "application/json", StatusCode::BAD_REQUEST),
        (
            r#"["Ordered twice"]"#.into(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"reason": 42}"#.into(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"reason": null}"#.into(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (r#"{}"#.into(), "application/json", StatusCode::BAD_REQUEST),
        (
            r#"{"reason": "x", "refund": true}"#.into(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"reason": "x", "email": 7}"#.into(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"reason": "   "}"#.into(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"reason": long}).to_string(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"reason": "x".repeat(MAX_BODY_BYTES)}).to_string(),
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            reason().to_string(),
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            reason().to_string(),
            "application/x-www-form-urlencoded",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (body, content_type, expected) in cases {
        let shown: String = body.chars().take(40).collect();
        let request = post_from(&path, body, content_type, [10, 0, 0, 9]);
        let (status, _, text) = send(&p, request).await;
        assert_eq!(status, expected, "{shown} as {content_type}: {text}");
        assert!(!error_message(&text).is_empty(), "{shown}: {text}");
    }
    for bad_id in ["DROP%20TABLE", "%FF", "ORD-12345678901234"] {
        let (status, body) = post_json(&p, &cancel_path(bad_id), &reason()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad_id}: {body}");
        assert!(!error_message(&body.to_string()).is_empty());
    }
    let max = json!({"reason": "é".repeat(MAX_REASON_CHARS)});
    assert_eq!(looked_up(&p, "ORD-9009").await["status"], "processing");
    assert_eq!(rows(&p, "ORD-9009").await, 0);
    assert_eq!(post_json(&p, &path, &max).await.0, StatusCode::OK);
}

/// Eight requests at once for one order: one changes it, the others answer as replays, and
/// there is one row.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_change_the_order_once() {
    for backend in backends() {
        let p = std::sync::Arc::new(fresh(backend, &[]).await);
        add_order(
            &p,
            "ORD-9010",
            "delivered",
            Some(&days_ago(3)),
            "a@shop.example",
        )
        .await;
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let p = p.clone();
                tokio::spawn(
                    async move { post_json(&p, &refund_path("ORD-9010"), &reason()).await },
                )
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.expect("task"));
        }
        assert!(
            answers.iter().all(|(s, _)| *s == StatusCode::OK),
            "{backend:?}: {answers:?}"
        );
        let made = answers
            .iter()
            .filter(|(_, b)| b["replayed"] == false)
            .count();
        assert_eq!(made, 1, "{backend:?}: {answers:?}");
        let ids: std::collections::HashSet<&Value> =
            answers.iter().map(|(_, b)| &b["request"]["id"]).collect();
        assert_eq!(ids.len(), 1);
        assert_eq!(rows(&p, "ORD-9010").await, 1);
    }
}

#[tokio::test]
async fn changes_have_a_tighter_limit_of_their_own() {
    let p = fresh(Backend::Sqlite, &[("ACTIONS_RATE_LIMIT_PER_MINUTE", "4")]).await;
    add_order(&p, "ORD-9011", "processing", None, "a@shop.example").await;
    assert_eq!(
        post_json(&p, &cancel_path("ORD-9011"), &reason()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        post_json(&p, &cancel_path("ORD-9011"), &reason()).await.0,
        StatusCode::OK
    );
    let request = post_from(
        &cancel_path("ORD-9011"),
        reason().to_string(),
        "application/json",
        [10, 0, 0, 9],
    );
    let (status, headers, body) = send(&p, request).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(headers.contains_key("retry-after"));
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("JSON")["error"]["type"],
        "rate_limit_error"
    );
    // Another client, and lookups, are not held back.
    let other = post_from(
        &cancel_path("ORD-9011"),
        reason().to_string(),
        "application/json",
        [10, 0, 0, 10],
    );
    assert_eq!(send(&p, other).await.0, StatusCode::OK);
    assert_eq!(looked_up(&p, "ORD-9011").await["status"], "cancelled");
}
