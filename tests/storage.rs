//! History in localStorage: round trip, corrupt data, a full quota, no storage at all, expiry,
//! and two tabs writing at once.

#![cfg(target_arch = "wasm32")]

mod common;

use common::history::*;
use common::*;
use serde_json::json;
use support_core::history::{encode, Entry, History};
use support_widget::storage::HistoryStore;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

fn store(name: &str) -> (HistoryStore, String) {
    let key = format!("storage-test-{name}.history.v1");
    let _ = local_storage().remove_item(&key);
    (
        HistoryStore::with_storage(Some(local_storage()), &key, 30, 200),
        key,
    )
}

#[wasm_bindgen_test]
fn round_trip() {
    let (store, _) = store("roundtrip");
    assert_eq!(store.load(1000), History::default(), "nothing stored yet");
    let history = History::new(turn("t1", 1000, 5));
    assert_eq!(store.save(&history, 1000), history);
    assert_eq!(store.load(2000), history);
}

#[wasm_bindgen_test]
fn corrupt_or_unknown_data_starts_fresh_and_is_overwritten() {
    let (store, key) = store("corrupt");
    for bad in [
        "{not json",
        "[]",
        r#"{"version": 99, "entries": []}"#,
        r#"{"version":1,"entries":[{"id":1}]}"#,
    ] {
        local_storage().set_item(&key, bad).expect("set");
        assert_eq!(store.load(1000), History::default(), "{bad}");
        assert_eq!(
            local_storage().get_item(&key).expect("get"),
            None,
            "unusable data is removed"
        );
    }
    let history = History::new(turn("t1", 1000, 5));
    store.save(&history, 1000);
    assert_eq!(store.load(1000), history);
}

#[wasm_bindgen_test]
fn one_unreadable_entry_costs_only_itself() {
    // Regression: one bad entry threw the whole conversation away.
    let (store, key) = store("one-bad-entry");
    let mut entries = turn("t1", 1000, 5);
    entries.extend(turn("t2", 2000, 5));
    store.save(&History::new(entries), 2000);
    let stored = local_storage()
        .get_item(&key)
        .expect("get")
        .expect("stored");
    let mut file: serde_json::Value = serde_json::from_str(&stored).expect("JSON");
    file["entries"][3]["message"] = json!(42);
    local_storage()
        .set_item(&key, &file.to_string())
        .expect("set");
    let loaded = store.load(2000);
    let ids: Vec<&str> = loaded.entries().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids[..3], ["t1-q", "t1-a", "t2-q"]);
    assert!(!ids.contains(&"t2-a"), "the unreadable answer is left out");
}

#[wasm_bindgen_test]
fn unreadable_entries_are_warned_about_once() {
    let (store, key) = store("warn-once");
    store.save(&History::new(turn("t1", 1000, 5)), 1000);
    let stored = local_storage()
        .get_item(&key)
        .expect("get")
        .expect("stored");
    let mut file: serde_json::Value = serde_json::from_str(&stored).expect("JSON");
    file["entries"][1]["message"] = json!("not a message");
    let corrupt = file.to_string();
    local_storage().set_item(&key, &corrupt).expect("set");
    js_sys::eval(
        "window.__warnings = 0; window.__warn = console.warn; \
         console.warn = (...args) => { window.__warnings++; window.__warn(...args); };",
    )
    .expect("console.warn counted");
    store.load(1000);
    // Another tab writes the same damaged copy back: still the same warning.
    local_storage().set_item(&key, &corrupt).expect("set");
    store.load(1000);
    js_sys::eval("console.warn = window.__warn;").expect("console.warn restored");
    assert_eq!(
        page_number("__warnings"),
        1.0,
        "one warning, not one per read"
    );
}

#[wasm_bindgen_test]
fn expired_conversations_are_forgotten() {
    let (store, key) = store("expiry");
    let history = History::new(turn("t1", 1000, 5));
    store.save(&history, 1000);
    assert_eq!(store.load(1000 + 29 * DAY_MS), history);
    assert_eq!(store.load(1002 + 30 * DAY_MS), History::default());
    assert_eq!(local_storage().get_item(&key).expect("get"), None);
}

#[wasm_bindgen_test]
fn the_cap_drops_whole_old_turns() {
    let key = "storage-test-cap.history.v1";
    let store = HistoryStore::with_storage(Some(local_storage()), key, 30, 10);
    let entries: Vec<Entry> = (0..8)
        .flat_map(|n| turn(&format!("t{n}"), 1000 + n * 10, 1))
        .collect();
    let saved = store.save(&History::new(entries), 2000);
    assert_eq!(saved.entries().len(), 10);
    assert_eq!(saved.entries()[0].id, "t3-q");
}

/// Fills localStorage to the brim except for about `room` characters; returns the filler keys.
fn fill_storage(room: usize) -> Vec<String> {
    let storage = local_storage();
    storage
        .set_item("reserve", &"r".repeat(room))
        .expect("room for the reserve");
    let mut keys = Vec::new();
    let mut size = 1 << 20;
    while size >= 16 {
        let key = format!("filler-{}", keys.len());
        if storage.set_item(&key, &"f".repeat(size)).is_ok() {
            keys.push(key);
        } else {
            size /= 2;
        }
    }
    storage.remove_item("reserve").expect("reserve freed");
    keys
}

#[wasm_bindgen_test]
fn a_full_quota_drops_old_turns_then_falls_back_to_memory() {
    let (store, key) = store("quota");
    let fillers = fill_storage(15_000);
    // Three large turns cannot fit; the newest alone can.
    let entries: Vec<Entry> = (0..3)
        .flat_map(|n| turn(&format!("t{n}"), 1000 + n, 6_000))
        .collect();
    let history = History::new(entries);
    let saved = store.save(&history, 2000);
    assert_eq!(
        saved, history,
        "the conversation in memory keeps every turn"
    );
    let stored = store.load(2000);
    assert!(!store.is_in_memory());
    assert!(
        !stored.is_empty() && stored.entries().len() < 6,
        "only the newest turns were stored"
    );
    assert_eq!(stored.last().map(|e| e.id.as_str()), Some("t2-a"));

    // A turn bigger than all the room left: the store carries on in memory.
    let huge = History::new(turn("big", 3000, 400_000));
    assert_eq!(store.save(&huge, 3000), merge_of(&stored, &huge));
    assert!(store.is_in_memory());
    for filler in fillers {
        let _ = local_storage().remove_item(&filler);
    }
    let _ = local_storage().remove_item(&key);
}

fn merge_of(a: &History, b: &History) -> History {
    let mut merged = support_core::history::merge(b, a);
    merged.cap(200);
    merged
}

#[wasm_bindgen_test]
async fn no_storage_at_all_means_a_working_widget_in_memory() {
    js_sys::eval(
        "window.__storage = Object.getOwnPropertyDescriptor(window, 'localStorage') \
           ?? Object.getOwnPropertyDescriptor(Window.prototype, 'localStorage'); \
         Object.defineProperty(window, 'localStorage', { configurable: true, \
           get() { throw new DOMException('denied', 'SecurityError'); } })",
    )
    .expect("storage blocked");
    let store = HistoryStore::open("blocked", 30, 200);
    assert!(store.is_in_memory());
    install_fetch_double(json!([{ "chunks": [sse_text("Works without storage."), sse_end()] }]));
    let w = mount(Ok(config("blocked", json!({}))));
    w.click("launcher").await;
    w.say("hello").await;
    until(2000, "the reply", || w.messages("assistant").len() == 1).await;
    assert!(w
        .root
        .text_content()
        .unwrap_or_default()
        .contains("won't be saved"));
    js_sys::eval("Object.defineProperty(window, 'localStorage', window.__storage)")
        .expect("storage restored");
    assert!(web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some());
}

#[wasm_bindgen_test]
async fn two_tabs_sending_at_once_lose_no_message() {
    let key = "test-tabs";
    let storage_key = format!("{key}.history.v1");
    let _ = local_storage().remove_item(&storage_key);
    install_fetch_double(
        json!([{ "delayMs": 100, "chunks": [sse_text("Answer for this tab."), sse_end()] }]),
    );
    let w = mount(Ok(config(key, json!({}))));
    w.click("launcher").await;
    w.say("from this tab").await;

    // Meanwhile the other tab stores its own turn and the browser tells us.
    let other = History::new(turn("other", 1, 1));
    let raw = encode(&other, 2);
    local_storage().set_item(&storage_key, &raw).expect("set");
    until(3000, "our reply", || w.messages("assistant").len() == 2).await;
    another_tab_wrote(&storage_key).await;

    let users = w.messages("user");
    assert!(
        users.iter().any(|m| m.contains("question other")),
        "{users:?}"
    );
    assert!(
        users.iter().any(|m| m.contains("from this tab")),
        "{users:?}"
    );
    let stored = local_storage()
        .get_item(&storage_key)
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(
        stored.contains("question other")
            && stored.contains("from this tab")
            && stored.contains("Answer for this tab.")
    );
}
