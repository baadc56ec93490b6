//! Helpers for tests of the stored conversation: entries, whole turns, and the `storage` event
//! another tab causes.

use support_core::history::{Entry, EntryStatus};
use support_core::Message;
use wasm_bindgen::JsCast;

use super::local_storage;

pub fn entry(id: &str, at_ms: u64, message: Message) -> Entry {
    Entry {
        id: id.into(),
        at_ms,
        message,
        status: EntryStatus::Complete,
    }
}

pub fn turn(prefix: &str, at_ms: u64, size: usize) -> Vec<Entry> {
    vec![
        entry(
            &format!("{prefix}-q"),
            at_ms,
            Message::user(format!("question {prefix} {}", "x".repeat(size))),
        ),
        entry(
            &format!("{prefix}-a"),
            at_ms + 1,
            Message::assistant(format!("answer {prefix}"), vec![]),
        ),
    ]
}

/// Tells the page what the browser tells it when another tab writes `key`: a `storage` event
/// with the value now stored.
pub async fn another_tab_wrote(key: &str) {
    let init = web_sys::StorageEventInit::new();
    init.set_key(Some(key));
    init.set_new_value(local_storage().get_item(key).expect("get").as_deref());
    let event = web_sys::StorageEvent::new_with_event_init_dict("storage", &init).expect("event");
    web_sys::window()
        .expect("window")
        .dispatch_event(event.unchecked_ref())
        .expect("dispatched");
    leptos::task::tick().await;
}
