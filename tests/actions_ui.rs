//! Acting for the customer in a real browser against a scripted `window.fetch`, in proxy mode:
//! the confirmation card and what its buttons send, and the hand-off form from the header
//! with its email check.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_key(name: &str) -> String {
    let key = format!("test-actions-{name}");
    let _ = local_storage().remove_item(&format!("{key}.history.v1"));
    key
}

fn proxy_config(key: &str) -> support_core::config::WidgetConfig {
    config(key, json!({"orders": "https://proxy.test/v1"}))
}

/// A model's reply asking for a refund of ORD-1004.
fn sse_refund() -> String {
    let args = json!({"order_id": "ORD-1004", "reason": "It flickers"}).to_string();
    let chunk = json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "r1", "type": "function", "function": {"name": "request_refund", "arguments": args}}]}, "finish_reason": "tool_calls"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n")
}

/// ORD-1004, delivered yesterday, with `status`.
fn order(status: &str) -> Value {
    let yesterday = js_sys::Date::new(&(js_sys::Date::now() - 86_400_000.0).into())
        .to_iso_string()
        .as_string()
        .unwrap_or_default()[..10]
        .to_owned();
    json!({"order_id": "ORD-1004", "status": status, "item": "27-inch 4K Monitor", "amount": 329.99,
           "currency": "USD", "order_date": "2026-10-28", "delivery_date": yesterday})
}

fn json_reply(status: u16, body: Value) -> Value {
    json!({ "status": status, "headers": {"content-type": "application/json"}, "chunks": [body.to_string()] })
}

fn tool_result(n: usize) -> Value {
    let message = last_message_sent(n);
    assert_eq!(message["role"], "tool", "{message}");
    serde_json::from_str(message["content"].as_str().unwrap_or_default()).expect("JSON")
}

fn count() -> usize {
    requests().as_array().map_or(0, Vec::len)
}

#[wasm_bindgen_test]
async fn confirm_posts_the_refund_request_and_the_card_shows_the_new_status() {
    let key = fresh_key("confirm");
    let mut after = order("refund_requested");
    after["refund_requested_date"] = json!("2026-12-01");
    install_fetch_double(json!([
        { "chunks": [sse_refund()] },
        json_reply(200, order("delivered")),
        json_reply(200, json!({"request": {"id": "R-ABC", "order_id": "ORD-1004", "kind": "refund",
            "reason": "It flickers", "created_at": 1}, "order": after, "replayed": false})),
        { "chunks": [sse_text("Your refund was requested."), sse_end()] },
    ]));
    let w = mount(Ok(proxy_config(&key)));
    w.click("launcher").await;
    w.say("I want a refund for ORD-1004").await;
    until(3000, "the card", || w.find("action-card").is_some()).await;
    let card = w.get("action-card").text_content().unwrap_or_default();
    assert!(card.contains("27-inch 4K Monitor"), "{card}");
    assert!(card.contains("$329.99"), "{card}");
    assert!(card.contains("It flickers"), "{card}");
    assert_eq!(count(), 2, "nothing is sent before the click");
    assert_eq!(requests()[1]["method"], "GET");

    w.click("action-confirm").await;
    // A second click while the change is carried out sends nothing more.
    if let Some(button) = w.find("action-confirm") {
        button.click();
    }
    until(3000, "the reply", || w.messages("assistant").len() == 1).await;
    let posted = &requests()[2];
    assert_eq!(posted["method"], "POST");
    assert_eq!(
        posted["url"],
        "https://proxy.test/v1/orders/ORD-1004/refund-request"
    );
    assert_eq!(posted["body"], json!({"reason": "It flickers"}));
    assert_eq!(posted["credentials"], "omit");
    assert_eq!(count(), 4);
    let result = tool_result(3);
    assert_eq!(result["customer_choice"], "confirmed");
    assert_eq!(result["changed"], true);
    assert_eq!(result["reference"], "R-ABC");
    assert!(w.find("action-card").is_none());
    let shown = w.get("order-card").text_content().unwrap_or_default();
    assert!(shown.contains("Refund requested"), "{shown}");
}

#[wasm_bindgen_test]
async fn not_now_sends_nothing_and_the_model_is_told() {
    let key = fresh_key("decline");
    install_fetch_double(json!([
        { "chunks": [sse_refund()] },
        json_reply(200, order("delivered")),
        { "chunks": [sse_text("Nothing was changed."), sse_end()] },
    ]));
    let w = mount(Ok(proxy_config(&key)));
    w.click("launcher").await;
    w.say("refund ORD-1004").await;
    until(3000, "the card", || w.find("action-card").is_some()).await;
    w.click("action-decline").await;
    until(3000, "the reply", || w.messages("assistant").len() == 1).await;
    assert_eq!(count(), 3);
    assert!(requests()
        .as_array()
        .is_some_and(|r| r.iter().all(|r| r["method"] != "POST"
            || r["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/chat/completions")))));
    assert_eq!(tool_result(2)["customer_choice"], "declined");
}

#[wasm_bindgen_test]
async fn a_refused_change_shows_no_card() {
    let key = fresh_key("refused");
    install_fetch_double(json!([
        { "chunks": [sse_refund()] },
        json_reply(200, order("refunded")),
        { "chunks": [sse_text("It was already refunded."), sse_end()] },
    ]));
    let w = mount(Ok(proxy_config(&key)));
    w.click("launcher").await;
    w.say("refund ORD-1004").await;
    until(3000, "the reply", || w.messages("assistant").len() == 1).await;
    assert!(w.find("action-card").is_none());
    assert_eq!(tool_result(2)["changed"], false);
}

#[wasm_bindgen_test]
async fn the_header_hand_off_checks_the_email_and_posts_the_conversation() {
    let key = fresh_key("handoff");
    install_fetch_double(json!([
        { "chunks": [sse_text("Hello."), sse_end()] },
        json_reply(201, json!({"ticket": {"reference": "H-42", "status": "open", "created_at": 1}})),
    ]));
    let w = mount(Ok(proxy_config(&key)));
    w.click("launcher").await;
    w.say("My monitor flickers").await;
    until(3000, "the reply", || w.messages("assistant").len() == 1).await;
    w.click("handoff").await;
    let email: web_sys::HtmlInputElement = w.get("handoff-email").unchecked_into();
    let type_email = |text: &str| {
        email.set_value(text);
        let input = web_sys::Event::new("input").expect("event");
        email.dispatch_event(&input).expect("dispatched");
    };
    type_email("sam@");
    w.click("handoff-send").await;
    assert!(w.find("handoff-email-error").is_some());
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(count(), 1, "nothing is sent with a bad email");

    type_email("Sam@Example.com");
    w.click("handoff-send").await;
    until(3000, "the confirmation", || {
        w.messages("assistant").len() == 2
    })
    .await;
    let posted = &requests()[1];
    assert_eq!(posted["url"], "https://proxy.test/v1/handoffs");
    assert_eq!(posted["body"]["email"], "sam@example.com");
    assert_eq!(
        posted["body"]["conversation"],
        json!([{"role": "user", "content": "My monitor flickers"}, {"role": "assistant", "content": "Hello."}])
    );
    assert!(w.messages("assistant")[1].contains("H-42"));
    assert!(w.find("handoff-form").is_none());
}

#[wasm_bindgen_test]
async fn with_handoff_event_the_page_gets_the_hand_off_and_nothing_is_posted() {
    let key = fresh_key("handoff-event");
    install_fetch_double(json!([]));
    let w = mount_as_host(Ok(config(
        &key,
        json!({"orders": "https://proxy.test/v1", "handoff": "event", "customerEmail": "Ann@Shop.example"}),
    )));
    js_sys::Reflect::set(&js_sys::global(), &"__host".into(), &w.root).expect("set");
    js_sys::eval(
        "window.__handoffs = []; \
         window.__host.addEventListener('support-widget:handoff', (e) => window.__handoffs.push(e.detail));",
    )
    .expect("listener");
    w.click("launcher").await;
    w.click("handoff").await;
    let email: web_sys::HtmlInputElement = w.get("handoff-email").unchecked_into();
    until(1000, "the store's email filled in", || {
        email.value() == "ann@shop.example"
    })
    .await;
    w.click("handoff-send").await;
    until(3000, "the confirmation", || {
        w.messages("assistant").len() == 1
    })
    .await;
    assert_eq!(
        count(),
        0,
        "the page's helpdesk takes over: nothing is posted"
    );
    let detail = js_sys::eval("JSON.stringify(window.__handoffs)")
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let detail: Value = serde_json::from_str(&detail).expect("JSON");
    assert_eq!(detail[0]["reference"], Value::Null);
    assert_eq!(detail[0]["email"], "ann@shop.example");
    assert_eq!(
        detail[0]["summary"],
        "The customer asked to talk to a person."
    );
    assert!(w.messages("assistant")[0].contains("connected to our team"));
}

/// The test id of the focused element.
fn focused() -> Option<String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.get_attribute("data-testid"))
}

/// A model's reply handing the conversation to a person.
fn sse_handoff() -> String {
    let args = json!({"summary": "The monitor flickers."}).to_string();
    let chunk = json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "h1", "type": "function", "function": {"name": "handoff_to_human", "arguments": args}}]}, "finish_reason": "tool_calls"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n")
}

// Regression: focus went to Confirm, where a key pressed while still typing confirmed a change,
// and after an answer the card went away with the focus, which fell to the page.
#[wasm_bindgen_test]
async fn the_card_takes_focus_itself_and_gives_it_to_the_message_box_once_answered() {
    let key = fresh_key("card-focus");
    install_fetch_double(json!([
        { "chunks": [sse_refund()] },
        json_reply(200, order("delivered")),
        { "delayMs": 50, "chunks": [sse_text("Nothing was changed."), sse_end()] },
    ]));
    let w = mount(Ok(proxy_config(&key)));
    w.click("launcher").await;
    w.say("refund ORD-1004").await;
    until(3000, "the card", || w.find("action-card").is_some()).await;
    until(1000, "the card to take focus", || {
        focused().as_deref() == Some("action-card")
    })
    .await;
    let card = w.get("action-card");
    assert_eq!(card.get_attribute("tabindex").as_deref(), Some("-1"));
    let described = card.get_attribute("aria-describedby").unwrap_or_default();
    let description: String = described
        .split(' ')
        .map(|id| {
            let part = w.root.query_selector(&format!("#{id}")).ok().flatten();
            part.and_then(|p| p.text_content())
                .expect("each part is there")
        })
        .collect();
    for fact in ["27-inch 4K Monitor", "ORD-1004", "$329.99", "It flickers"] {
        assert!(description.contains(fact), "{fact} in {description}");
    }

    let decline = w.get("action-decline");
    decline.focus().expect("focus");
    w.click("action-decline").await;
    assert_eq!(focused().as_deref(), Some("composer"), "after answering");
    until(3000, "the reply", || w.messages("assistant").len() == 1).await;
    assert_eq!(
        focused().as_deref(),
        Some("composer"),
        "once the card is gone"
    );
}

// Regression: the two hand-off forms shared their ids, so the second form's label and name
// pointed at the first; and cancelling the model's form dropped focus to the page.
#[wasm_bindgen_test]
async fn two_hand_off_forms_have_ids_of_their_own_and_cancelling_gives_focus_back() {
    let key = fresh_key("handoff-ids");
    install_fetch_double(json!([
        { "chunks": [sse_handoff()] },
        { "chunks": [sse_text("Fine, I am here."), sse_end()] },
    ]));
    let w = mount(Ok(proxy_config(&key)));
    w.click("launcher").await;
    w.say("I want a person").await;
    until(3000, "the model's form", || {
        w.find("handoff-form").is_some()
    })
    .await;
    w.click("handoff").await;
    let forms = w.all("[data-testid=handoff-form]");
    assert_eq!(forms.len(), 2, "the header's form and the model's");
    let ids: Vec<String> = w.all("[id]").iter().map(Element::id).collect();
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    for form in &forms {
        let label = form.query_selector("label").ok().flatten().expect("label");
        let target = label.get_attribute("for").unwrap_or_default();
        let input = form.query_selector("input").ok().flatten().expect("input");
        assert_eq!(input.id(), target, "the label names its own form's field");
        let title = form.get_attribute("aria-labelledby").unwrap_or_default();
        assert!(form
            .query_selector(&format!("#{title}"))
            .ok()
            .flatten()
            .is_some());
    }

    let cancel: web_sys::HtmlElement = forms[1]
        .query_selector("[data-testid=handoff-cancel]")
        .ok()
        .flatten()
        .expect("Not now")
        .unchecked_into();
    cancel.focus().expect("focus");
    cancel.click();
    leptos::task::tick().await;
    until(3000, "the reply", || w.messages("assistant").len() == 1).await;
    assert_eq!(w.all("[data-testid=handoff-form]").len(), 1);
    assert_eq!(focused().as_deref(), Some("composer"));
}
