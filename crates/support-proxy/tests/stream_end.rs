//! Regression: a provider that stalled right after its headers ended the client's stream with
//! the code 504, which the widget read as an overload of the provider and asked again twice,
//! each time waiting `UPSTREAM_IDLE_TIMEOUT_SECS`. The proxy's own end-of-stream code is now a
//! stall the widget reads as a time-out before the reply started, and does not retry. (A test
//! binary of its own: its second of waiting would otherwise run beside `faults.rs`'s log test,
//! whose thread-local subscriber then misses events.)

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::*;
use serde_json::Value;
use support_core::decode::decode_pieces;
use support_core::Outcome;
use tower::ServiceExt;

#[tokio::test]
async fn a_reply_that_never_starts_ends_with_a_stall_the_widget_does_not_retry() {
    let p = proxy(
        &[("UPSTREAM_IDLE_TIMEOUT_SECS", "1")],
        vec![Script::StallAfter(vec![])],
    )
    .await;
    let started = Instant::now();
    let response = p
        .router
        .clone()
        .oneshot(chat(valid_body()))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let pieces = tokio::time::timeout(Duration::from_secs(10), pieces(response, started))
        .await
        .expect("the reply ends");
    let texts: Vec<String> = pieces.into_iter().map(|(_, t)| t).collect();
    assert_eq!(texts.len(), 1, "only the error event: {texts:?}");
    let event: Value =
        serde_json::from_str(texts[0].strip_prefix("data: ").expect("an event").trim())
            .expect("json");
    assert_eq!(event["error"]["code"], "upstream_stalled");
    let reply = decode_pieces([texts[0].as_bytes()], &[]);
    assert_eq!(reply.outcome, Outcome::Stalled { started: false });
}
