//! Regression: a provider that stalled right after its headers ended the client's stream with
//! the code 504, which the widget read as an overload of the provider and asked again twice,
//! each time waiting `UPSTREAM_IDLE_TIMEOUT_SECS`. The proxy's own end-of-stream code is now a
//! stall the widget reads as a time-out before the reply started, and does not retry. (A test
//! binary of its own: its second of waiting would otherwise run beside `faults.rs`'s log test,
//! whose thread-local subscriber then misses events.)

mod common;

use common::*;
use serde_json::Value;
use support_core::decode::decode_pieces;
use support_core::Outcome;

#[tokio::test]
async fn a_reply_that_never_starts_ends_with_a_stall_the_widget_does_not_retry() {
    let p = proxy(
        &[("UPSTREAM_IDLE_TIMEOUT_SECS", "1")],
        vec![Script::StallAfter(vec![])],
    )
    .await;
    let (texts, _, _) = reply(&p).await;
    assert_eq!(texts.len(), 1, "only the error event: {texts:?}");
    let event: Value =
        serde_json::from_str(texts[0].strip_prefix("data: ").expect("an event").trim())
            .expect("json");
    assert_eq!(event["error"]["code"], "upstream_stalled");
    let reply = decode_pieces([texts[0].as_bytes()], &[]);
    assert_eq!(reply.outcome, Outcome::Stalled { started: false });
}
