//! The conversation log's nodes: a message that has not changed keeps its node when others come
//! and go, and one whose content changed under the same id is drawn again.

#![cfg(target_arch = "wasm32")]

mod common;

use common::history::*;
use common::*;
use serde_json::json;
use support_core::history::{encode, History};
use support_core::Message;
use support_widget::storage::HistoryStore;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Marks the message nodes now in the log, to tell later whether they were drawn again.
fn mark_messages(w: &Mounted) -> usize {
    let messages = w.all("[data-testid=message]");
    for message in &messages {
        message.set_attribute("data-mark", "").expect("marked");
    }
    messages.len()
}

#[wasm_bindgen_test]
async fn the_storage_cap_drops_the_oldest_turn_without_redrawing_the_rest() {
    let key = "test-cap-log";
    let _ = local_storage().remove_item(&format!("{key}.history.v1"));
    let replies: Vec<_> = (0..6)
        .map(|i| json!({ "chunks": [sse_text(&format!("Reply {i}")), sse_end()] }))
        .collect();
    install_fetch_double(serde_json::Value::Array(replies));
    let w = mount(Ok(config(key, json!({"maxStoredMessages": 10}))));
    w.click("launcher").await;
    for i in 0..5 {
        w.say(&format!("q{i}")).await;
        until(3000, "a reply", || w.messages("assistant").len() == i + 1).await;
    }
    assert_eq!(mark_messages(&w), 10);

    w.say("q5").await;
    until(3000, "the sixth reply", || {
        w.messages("assistant")
            .last()
            .is_some_and(|m| m.contains("Reply 5"))
    })
    .await;
    leptos::task::tick().await;
    assert_eq!(w.all("[data-testid=message]").len(), 10, "capped at 10");
    assert_eq!(
        w.all("[data-testid=message][data-mark]").len(),
        8,
        "the eight messages that stay keep their nodes"
    );
    assert!(
        w.messages("user")[0].contains("q1"),
        "{:?}",
        w.messages("user")
    );
}

#[wasm_bindgen_test]
async fn another_tabs_earlier_turn_goes_before_ours_without_redrawing_ours() {
    let key = "test-merge-log";
    let storage_key = format!("{key}.history.v1");
    let _ = local_storage().remove_item(&storage_key);
    install_fetch_double(json!([{ "chunks": [sse_text("Answer for this tab."), sse_end()] }]));
    let w = mount(Ok(config(key, json!({}))));
    w.click("launcher").await;
    w.say("from this tab").await;
    until(3000, "our reply", || w.messages("assistant").len() == 1).await;
    assert_eq!(mark_messages(&w), 2);

    // The other tab's turn is older than ours, so the merged log puts it first.
    let ours = HistoryStore::with_storage(Some(local_storage()), &storage_key, 30, 200)
        .load(support_widget::config::now_ms());
    let mut entries = turn("other", 1, 1);
    entries.extend(ours.entries().iter().cloned());
    let raw = encode(&History::new(entries), 2);
    local_storage().set_item(&storage_key, &raw).expect("set");
    another_tab_wrote(&storage_key).await;

    let users = w.messages("user");
    assert_eq!(users.len(), 2, "{users:?}");
    assert!(users[0].contains("question other"), "{users:?}");
    assert!(users[1].contains("from this tab"), "{users:?}");
    assert_eq!(w.all("[data-testid=message][data-mark]").len(), 2);
    assert!(w
        .all("[data-testid=message][data-mark]")
        .iter()
        .all(|m| m.is_connected()));
}

#[wasm_bindgen_test]
async fn an_entry_changed_under_the_same_id_is_drawn_again() {
    let key = "test-changed-entry";
    let storage_key = format!("{key}.history.v1");
    let now = support_widget::config::now_ms();
    let answer = |text: &str, at_ms| {
        vec![
            entry(
                "t1-q",
                now - 60_000,
                Message::user("Where is my order?".to_owned()),
            ),
            entry("t1-a", at_ms, Message::assistant(text.to_owned(), vec![])),
        ]
    };
    let raw = encode(
        &History::new(answer("It has not shipped yet.", now - 59_000)),
        now,
    );
    local_storage().set_item(&storage_key, &raw).expect("set");
    let w = mount(Ok(config(key, json!({}))));
    w.click("launcher").await;
    assert_eq!(
        w.messages("assistant"),
        ["Assistant: It has not shipped yet."]
    );
    assert_eq!(mark_messages(&w), 2);

    // The tab that owns the turn replaced its reply (a retry): same ids, new content, later.
    let raw = encode(
        &History::new(answer("It shipped this morning.", now - 1_000)),
        now,
    );
    local_storage().set_item(&storage_key, &raw).expect("set");
    another_tab_wrote(&storage_key).await;
    until(2000, "the new reply", || {
        w.messages("assistant") == ["Assistant: It shipped this morning."]
    })
    .await;
    assert_eq!(
        w.all("[data-testid=message][data-mark]").len(),
        1,
        "the unchanged question keeps its node; the changed reply is a new one"
    );
}
