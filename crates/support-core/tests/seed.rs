//! The seed's three-turn conversation, against a scripted transport: a refund request without
//! an id, the id, a follow-up. Four completion requests; the third carries the assistant tool
//! call and its tool result with the order's data. The exact requests are fixture files.
//! Run with `UPDATE_EXPECT=1` to rewrite them, then review the diff.

mod harness;

use harness::{fixture, ok, Harness};
use serde_json::{json, Value};
use support_core::{Phase, Settings};

#[test]
fn seed_conversation_sends_exactly_the_expected_requests() {
    let mut h = Harness::new(Settings::default());
    h.script((1..=4).map(|n| ok(fixture(&format!("seed/reply-{n}.sse")))));

    h.say("I want a refund for my keyboard");
    assert_eq!(h.conversation.phase(), &Phase::Idle);
    h.say("It's ORD-1002");
    h.say("How long will the refund take?");

    assert_eq!(h.requests.len(), 4);
    assert_eq!(
        h.tools_run,
        ["LookupOrder { order_id: \"ORD-1002\", email: None }"]
    );
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    for (n, request) in h.requests.iter().enumerate() {
        let got = serde_json::to_value(request).expect("serialisable");
        let path = format!(
            "{}/tests/fixtures/seed/request-{}.json",
            env!("CARGO_MANIFEST_DIR"),
            n + 1
        );
        if update {
            std::fs::write(
                &path,
                serde_json::to_string_pretty(&got).expect("json") + "\n",
            )
            .expect("writable");
            continue;
        }
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json");
        assert_eq!(got, expected, "request {}", n + 1);
    }

    // The third request carries the tool call and the order's data, as the seed's does.
    let third = serde_json::to_value(&h.requests[2]).expect("json");
    let messages = third["messages"].as_array().expect("messages");
    let call = &messages[messages.len() - 2];
    assert_eq!(call["role"], "assistant");
    assert!(
        call.get("content").is_none(),
        "tool-call-only message has no content key"
    );
    assert_eq!(
        call["tool_calls"][0]["function"]["arguments"],
        "{\"order_id\": \"ORD-1002\"}"
    );
    let result = &messages[messages.len() - 1];
    assert_eq!(result["role"], "tool");
    assert_eq!(result["tool_call_id"], call["tool_calls"][0]["id"]);
    let data: Value =
        serde_json::from_str(result["content"].as_str().expect("text")).expect("JSON result");
    assert_eq!(data["status"], "processing");
    assert_eq!(data["item"], "Mechanical Keyboard");
    assert_eq!(data["amount"], json!(89.5));

    let texts: Vec<&str> = h
        .conversation
        .history()
        .entries()
        .iter()
        .filter_map(|e| match &e.message {
            support_core::Message::Assistant {
                content: Some(text),
                ..
            } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            "I can help with that. Could you please provide your order ID?",
            "I found your order for Mechanical Keyboard. The refund is currently processing.",
            "Refunds typically take 3 to 5 business days to complete once they are in processing status.",
        ]
    );
}
