//! The widget's focus, announcements and scrolling in a real browser, against a scripted
//! `window.fetch`: the keyboard stays in the message box, the status line is announced once per
//! change, and the log follows new text until the customer scrolls up.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// One streamed reply calling `lookup_order` twice, for these two orders.
fn sse_two_calls(first: &str, second: &str) -> String {
    let call = |index: u32, id: &str, order_id: &str| {
        let args = json!({"order_id": order_id}).to_string();
        json!({"index": index, "id": id, "type": "function", "function": {"name": "lookup_order", "arguments": args}})
    };
    let chunk = json!({"choices": [{"index": 0, "delta": {"tool_calls": [call(0, "c1", first), call(1, "c2", second)]}, "finish_reason": "tool_calls"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n")
}

#[wasm_bindgen_test]
async fn the_status_line_is_written_once_per_change_not_per_token_or_tool() {
    let key = fresh_key("status-writes");
    let mut words: Vec<String> = (0..30).map(|i| sse_text(&format!("word{i} "))).collect();
    words.push(sse_end());
    install_fetch_double(json!([
        { "delayMs": 20, "chunks": [sse_two_calls("ORD-1004", "ORD-1003")] },
        { "delayMs": 20, "chunks": words },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    // Every write of the live region, counted as it happens.
    let status = w.all("[role=status]").remove(0);
    js_sys::Reflect::set(&js_sys::global(), &"__statusLine".into(), &status).expect("set");
    js_sys::eval(
        "window.__statusWrites = 0; \
         new MutationObserver((records) => { window.__statusWrites += records.length; }) \
           .observe(window.__statusLine, { childList: true, characterData: true, subtree: true });",
    )
    .expect("observer");
    w.say("Where are ORD-1004 and ORD-1003?").await;
    until(5000, "the finished reply", || {
        w.messages("assistant").len() == 1
    })
    .await;
    let writes = page_number("__statusWrites");
    // "Typing…", "Looking up your order…", "Typing…" again for the answer, then cleared by its
    // first word: four changes, each announced once. Writing the same words again as the
    // reply starts, as each lookup finishes or for each word would announce them again.
    assert_eq!(writes, 4.0, "writes to the status line");
    assert_eq!(status.text_content().unwrap_or_default(), "");
    assert_eq!(
        orders_fetched(),
        1.0,
        "the round's two lookups share one fetch"
    );
    assert_eq!(w.all("[data-testid=order-card]").len(), 2);
}

#[wasm_bindgen_test]
async fn the_keyboard_stays_in_the_message_box_and_lookups_are_announced() {
    let key = fresh_key("a11y");
    install_fetch_double(json!([
        { "chunks": [sse_call("c1", "ORD-1002")] },
        { "delayMs": 400, "chunks": ["{\"order_id\":\"ORD-1002\",\"status\":\"processing\",\"item\":\"Mechanical Keyboard\",\"amount\":89.5,\"currency\":\"USD\",\"order_date\":\"2026-11-18\"}"], "headers": {"content-type": "application/json"} },
        { "chunks": [sse_text("It is processing."), sse_end()] },
    ]));
    let w = mount(Ok(config(
        &key,
        json!({"orders": "https://backend.shop.test"}),
    )));
    w.click("launcher").await;
    w.say("ORD-1002?").await;
    let active = || {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| e.get_attribute("data-testid"))
    };
    assert_eq!(
        active().as_deref(),
        Some("composer"),
        "focus is not lost when Send turns into Stop"
    );
    let status = || {
        w.all("[role=status]")
            .first()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    until(2000, "the lookup status", || {
        status() == "Looking up your order…"
    })
    .await;
    until(3000, "the answer", || w.messages("assistant").len() == 1).await;
    assert_eq!(status(), "", "the status clears when the reply is in");

    w.click("reset").await;
    leptos::task::tick().await;
    let focused = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.text_content());
    assert_eq!(
        focused.as_deref(),
        Some("Cancel"),
        "the question takes focus"
    );
}

#[wasm_bindgen_test]
async fn auto_scroll_follows_new_text_until_the_customer_scrolls_up() {
    let (w, log) = long_answer_followed("scroll", 300).await;

    // The customer scrolls up to read; the next reply must not pull them down.
    log.set_scroll_top(0);
    log.dispatch_event(&web_sys::Event::new("scroll").expect("event"))
        .expect("dispatched");
    w.say("more").await;
    until(3000, "the second answer", || {
        w.messages("assistant").len() == 2
    })
    .await;
    assert_eq!(log.scroll_top(), 0, "reading position kept");
}

#[wasm_bindgen_test]
async fn a_restored_conversation_opens_at_its_last_message() {
    use support_core::history::{encode, Entry, EntryStatus, History};
    use support_core::Message;
    let key = fresh_key("restored-scroll");
    let now = js_sys::Date::now() as u64;
    let entries = (0..30)
        .flat_map(|n| {
            let answer =
                format!("Answer **{n}**:\n\n- first point\n- second point\n\nA closing line.");
            [
                Message::user(format!("Question {n}")),
                Message::assistant(answer, vec![]),
            ]
        })
        .enumerate()
        .map(|(i, message)| Entry {
            id: format!("r{i}"),
            at_ms: now - 60_000 + i as u64,
            message,
            status: EntryStatus::Complete,
        })
        .collect();
    local_storage()
        .set_item(
            &format!("{key}.history.v1"),
            &encode(&History::new(entries), now),
        )
        .expect("stored");
    let w = mount(Ok(config(&key, json!({}))));
    w.style();
    w.click("launcher").await;
    until(2000, "the restored messages", || {
        w.messages("assistant").len() == 30
    })
    .await;
    let log: web_sys::Element = w.all(".sw-log").remove(0);
    assert!(
        log.scroll_height() > log.client_height() * 3,
        "the list is long"
    );
    until(1000, "the list to rest at its last message", || {
        at_end(&log)
    })
    .await;
}

#[wasm_bindgen_test]
async fn text_that_lands_before_the_widgets_own_scroll_event_does_not_stop_the_following() {
    let (w, log) = long_answer_followed("scroll-race", 200).await;
    // Let the scroll events of the answer settle first.
    support_widget::transport::sleep(100).await;

    // More content arrives, and only then the scroll event of the widget's last follow: the
    // list is now far from its end, but the customer never moved.
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let tall = document.create_element("div").expect("div");
    tall.set_attribute("style", "height: 600px").expect("style");
    log.append_child(&tall).expect("appended");
    log.dispatch_event(&web_sys::Event::new("scroll").expect("event"))
        .expect("dispatched");
    w.say("more").await;
    until(3000, "the second answer", || {
        w.messages("assistant").len() == 2
    })
    .await;
    until(1000, "the log to keep following", || at_end(&log)).await;
}

/// True when the list is scrolled to its end.
fn at_end(log: &web_sys::Element) -> bool {
    log.scroll_height() - log.scroll_top() - log.client_height() < 2
}

/// A styled, open widget showing an answer longer than its log, which it has followed to the
/// end; the second scripted reply comes after `second_delay_ms`. Returns the widget and the log.
async fn long_answer_followed(name: &str, second_delay_ms: u32) -> (Mounted, web_sys::Element) {
    let key = fresh_key(name);
    let long: String = (0..40)
        .map(|n| format!("Line {n} of a long answer.\n\n"))
        .collect();
    install_fetch_double(json!([
        { "chunks": [sse_text(&long), sse_end()] },
        { "delayMs": second_delay_ms, "chunks": [sse_text("More"), sse_text(" text"), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.style();
    w.click("launcher").await;
    w.say("long please").await;
    until(3000, "the long answer", || {
        w.messages("assistant").len() == 1
    })
    .await;
    let log: web_sys::Element = w.all(".sw-log").remove(0);
    assert!(
        log.scroll_height() > log.client_height() * 2,
        "the answer overflows the log"
    );
    until(1000, "the log to follow the answer", || at_end(&log)).await;
    (w, log)
}

/// The test id of the focused element.
fn focused() -> Option<String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.get_attribute("data-testid"))
}

// Regression: Retry took the banner away with its focused button, and focus fell to the page.
#[wasm_bindgen_test]
async fn retry_hands_the_keyboard_to_the_message_box() {
    let key = fresh_key("retry-focus");
    install_fetch_double(json!([
        { "status": 400, "headers": {"content-type": "application/json"}, "chunks": ["{\"error\":{\"message\":\"bad\"}}"] },
        { "delayMs": 50, "chunks": [sse_text("Hello."), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("hi").await;
    until(3000, "the error", || w.find("retry").is_some()).await;
    w.get("retry").focus().expect("focus");
    w.click("retry").await;
    until(3000, "the answer", || w.messages("assistant").len() == 1).await;
    assert_eq!(focused().as_deref(), Some("composer"));
}

// Regression: Stop was a button of its own, removed with the focus when the reply ended.
#[wasm_bindgen_test]
async fn a_focused_stop_gives_the_keyboard_to_the_message_box_when_the_reply_ends() {
    let key = fresh_key("stop-focus");
    install_fetch_double(json!([
        { "delayMs": 150, "chunks": [sse_text("One"), sse_text(" two"), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("count").await;
    until(1000, "Stop", || w.find("stop").is_some()).await;
    w.get("stop").focus().expect("focus");
    assert_eq!(focused().as_deref(), Some("stop"));
    until(3000, "the answer", || w.messages("assistant").len() == 1).await;
    leptos::task::tick().await;
    assert_eq!(focused().as_deref(), Some("composer"));
    assert!(w.find("send").is_some());
}
