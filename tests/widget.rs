//! The widget in a real browser, against a scripted `window.fetch`: streamed and plain replies,
//! the tool round trip with its order card, Stop, Retry, time-outs and bad configuration.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_streamed_reply_shows_typing_then_tokens_then_is_saved() {
    let key = fresh_key("stream");
    install_fetch_double(
        json!([{ "delayMs": 150, "chunks": [sse_text("Hello"), sse_text(", how can"), sse_text(" I help?"), sse_end()] }]),
    );
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    assert_eq!(
        w.get("launcher").get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    w.say("hi").await;
    assert_eq!(w.messages("user"), ["You: hi"]);
    until(1000, "the typing indicator", || {
        !w.all(".sw-typing").is_empty()
    })
    .await;
    until(1000, "the first token", || w.find("streaming").is_some()).await;
    assert!(
        w.messages("assistant").is_empty(),
        "a streaming reply is not a finished message yet"
    );
    until(3000, "the finished reply", || {
        w.messages("assistant").len() == 1
    })
    .await;
    assert_eq!(
        w.messages("assistant"),
        ["Assistant: Hello, how can I help?"]
    );
    let stored = local_storage()
        .get_item(&format!("{key}.history.v1"))
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(stored.contains("Hello, how can I help?"), "{stored}");
    let sent = &requests()[0];
    assert_eq!(sent["url"], "https://llm.test/v1/chat/completions");
    assert_eq!(sent["body"]["stream"].as_bool(), Some(true));
    assert_eq!(sent["body"]["tools"][0]["function"]["name"], "lookup_order");
    assert_eq!(
        sent["auth"],
        serde_json::Value::Null,
        "no key configured, no Authorization header"
    );
}

#[wasm_bindgen_test]
async fn a_page_that_resets_on_every_message_does_not_break_the_widget() {
    let key = fresh_key("reset-on-message");
    install_fetch_double(json!([{ "delayMs": 300, "chunks": [sse_text("Hello"), sse_end()] }]));
    let w = mount_as_host(Ok(config(&key, json!({}))));
    js_sys::Reflect::set(&js_sys::global(), &"__host".into(), &w.root).expect("set");
    // The page acts on the widget from inside the widget's own event.
    js_sys::eval(
        "window.__resets = 0; \
         window.__host.addEventListener('support-widget:message', () => { \
           window.__resets++; window.__host.supportWidget.reset(); });",
    )
    .expect("listener");
    w.click("launcher").await;
    w.say("hi").await;
    until(2000, "the reset", || page_number("__resets") == 1.0).await;
    until(2000, "an empty conversation", || {
        w.messages("user").is_empty()
    })
    .await;
    support_widget::transport::sleep(700).await;
    assert!(
        w.messages("assistant").is_empty() && w.find("streaming").is_none(),
        "the reset stopped the turn"
    );
    assert!(w.find("composer").is_some(), "the widget is still there");
}

#[wasm_bindgen_test]
async fn a_plain_json_reply_works_when_streaming_is_off() {
    let key = fresh_key("plain");
    let body = json!({"choices": [{"message": {"role": "assistant", "content": "Plain *answer*"}, "finish_reason": "stop"}]});
    install_fetch_double(
        json!([{ "chunks": [body.to_string()], "headers": {"content-type": "application/json"} }]),
    );
    let w = mount(Ok(config(
        &key,
        json!({"stream": false, "apiKey": "dev-key"}),
    )));
    w.click("launcher").await;
    w.say("hello").await;
    until(2000, "the reply", || w.messages("assistant").len() == 1).await;
    assert_eq!(w.messages("assistant"), ["Assistant: Plain answer"]);
    assert_eq!(w.all("[data-role=assistant] em").len(), 1);
    let sent = &requests()[0];
    assert!(sent["body"].get("stream").is_none());
    assert_eq!(sent["auth"], "Bearer dev-key");
}

#[wasm_bindgen_test]
async fn a_tool_round_trip_shows_the_order_card_from_the_result() {
    let key = fresh_key("tool");
    install_fetch_double(json!([
        { "chunks": [sse_call("call_1", "ord-1004")] },
        { "chunks": [sse_text("It was delivered on 3 November."), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("Where is ORD-1004?").await;
    until(3000, "the final answer", || {
        w.messages("assistant").len() == 1
    })
    .await;
    let card = w.get("order-card").text_content().unwrap_or_default();
    assert!(
        card.contains("27-inch 4K Monitor")
            && card.contains("Delivered")
            && card.contains("Nov 3, 2026"),
        "{card}"
    );
    assert_eq!(
        w.all("time[datetime='2026-11-03']").len(),
        1,
        "dates keep their ISO form for machines"
    );
    let result = last_message_sent(1);
    assert_eq!(result["role"], "tool");
    assert!(result["content"]
        .as_str()
        .unwrap_or_default()
        .contains("\"status\":\"delivered\""));
}

#[wasm_bindgen_test]
async fn the_bundled_orders_are_fetched_for_the_first_lookup_only() {
    let key = fresh_key("orders-once");
    install_fetch_double(json!([
        { "chunks": [sse_call("call_1", "ORD-1004")] },
        { "chunks": [sse_text("Delivered."), sse_end()] },
        { "chunks": [sse_call("call_2", "ORD-1003")] },
        { "chunks": [sse_text("Shipped."), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    assert_eq!(orders_fetched(), 0.0, "nothing is fetched before a lookup");
    w.say("Where is ORD-1004?").await;
    until(3000, "the first answer", || {
        w.messages("assistant").len() == 1
    })
    .await;
    w.say("And ORD-1003?").await;
    until(3000, "the second answer", || {
        w.messages("assistant").len() == 2
    })
    .await;
    assert_eq!(w.all("[data-testid=order-card]").len(), 2);
    assert_eq!(
        orders_fetched(),
        1.0,
        "the dataset is kept after the first lookup"
    );
}

#[wasm_bindgen_test]
async fn missing_bundled_orders_tell_the_model_the_service_is_down() {
    let key = fresh_key("orders-missing");
    install_fetch_double(json!([
        { "chunks": [sse_call("call_1", "ORD-1004")] },
        { "chunks": [sse_text("The order service is down; please try later."), sse_end()] },
    ]));
    js_sys::eval("window.__ordersStatus = 404").expect("set");
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("Where is ORD-1004?").await;
    until(3000, "the answer", || w.messages("assistant").len() == 1).await;
    let result = last_message_sent(1);
    assert_eq!(result["role"], "tool");
    assert!(
        result["content"]
            .as_str()
            .unwrap_or_default()
            .contains("unavailable"),
        "{result}"
    );
    assert!(w.find("order-card").is_none());
    assert!(w.find("error").is_none(), "the turn itself goes on");
}

#[wasm_bindgen_test]
async fn a_not_found_lookup_shows_no_card() {
    let key = fresh_key("notfound");
    install_fetch_double(json!([
        { "chunks": [sse_call("call_1", "ORD-9999")] },
        { "chunks": [sse_text("I couldn't find that order."), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("ORD-9999").await;
    until(3000, "the answer", || w.messages("assistant").len() == 1).await;
    assert!(w.find("order-card").is_none());
}

#[wasm_bindgen_test]
async fn stop_aborts_the_request_and_keeps_what_arrived() {
    let key = fresh_key("stop");
    install_fetch_double(json!([{ "chunks": [sse_text("Once upon a time")], "stallAfter": 1 }]));
    let w = mount(Ok(config(&key, json!({"idleTimeoutMs": 60000}))));
    w.click("launcher").await;
    w.say("story").await;
    until(2000, "the first words", || w.find("streaming").is_some()).await;
    w.click("stop").await;
    until(1000, "the abort", || aborts() == 1).await;
    assert_eq!(
        w.messages("assistant"),
        ["Assistant: Once upon a timeStopped"]
    );
    assert!(w.find("send").is_some(), "the composer is ready again");
    assert!(w.find("error").is_none());
}

#[wasm_bindgen_test]
async fn an_error_keeps_the_message_and_retry_resends_it() {
    let key = fresh_key("retry");
    install_fetch_double(json!([
        { "status": 401, "chunks": ["{\"error\":{\"message\":\"Invalid API key\"}}"], "headers": {"content-type": "application/json"} },
        { "chunks": [sse_text("Back online."), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("are you there?").await;
    until(2000, "the error", || w.find("error").is_some()).await;
    assert!(w
        .get("error")
        .text_content()
        .unwrap_or_default()
        .contains("unavailable"));
    assert_eq!(w.messages("user"), ["You: are you there?"]);
    assert_eq!(
        requests().as_array().map(Vec::len),
        Some(1),
        "401 is not retried"
    );
    w.click("retry").await;
    until(2000, "the answer", || w.messages("assistant").len() == 1).await;
    assert!(w.find("error").is_none());
    assert_eq!(
        requests()[1]["body"]["messages"],
        requests()[0]["body"]["messages"]
    );
}

#[wasm_bindgen_test]
async fn an_idle_stream_times_out_and_is_marked_interrupted() {
    let key = fresh_key("idle");
    install_fetch_double(json!([{ "chunks": [sse_text("Half an ans")], "stallAfter": 1 }]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("question").await;
    until(3000, "the time-out", || w.find("error").is_some()).await;
    assert_eq!(
        w.messages("assistant"),
        ["Assistant: Half an ansInterrupted"]
    );
    assert_eq!(
        requests().as_array().map(Vec::len),
        Some(1),
        "no retry after text was shown"
    );
    assert!(aborts() >= 1, "the stalled request was aborted");
}

/// Regression: a provider that sent nothing was retried twice, so the customer waited three
/// first-byte time-outs.
#[wasm_bindgen_test]
async fn no_first_byte_is_reported_within_the_time_out_and_not_retried() {
    let key = fresh_key("firstbyte");
    install_fetch_double(json!([{ "hang": true }, { "hang": true }]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("hello?").await;
    until(1600, "the error", || w.find("error").is_some()).await;
    assert_eq!(requests().as_array().map(Vec::len), Some(1), "no retry");
    assert!(w
        .get("error")
        .text_content()
        .unwrap_or_default()
        .contains("took too long"));
}

#[wasm_bindgen_test]
async fn a_request_without_any_response_is_retried_then_blames_the_connection() {
    let key = fresh_key("offline");
    install_fetch_double(
        json!([{ "networkError": true }, { "networkError": true }, { "networkError": true }]),
    );
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("hello?").await;
    until(4000, "the error", || w.find("error").is_some()).await;
    assert_eq!(requests().as_array().map(Vec::len), Some(3), "two retries");
    assert!(w
        .get("error")
        .text_content()
        .unwrap_or_default()
        .contains("connect"));
}

#[wasm_bindgen_test]
async fn new_conversation_asks_first_then_clears() {
    let key = fresh_key("reset");
    install_fetch_double(json!([{ "chunks": [sse_text("Hi!"), sse_end()] }]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("hello").await;
    until(2000, "the reply", || w.messages("assistant").len() == 1).await;
    w.click("reset").await;
    assert_eq!(
        w.messages("user").len(),
        1,
        "nothing is cleared before confirming"
    );
    w.click("reset-confirm").await;
    until(1000, "the cleared log", || w.messages("user").is_empty()).await;
    assert!(local_storage()
        .get_item(&format!("{key}.history.v1"))
        .ok()
        .flatten()
        .is_none_or(|s| !s.contains("hello")));
}

#[wasm_bindgen_test]
async fn model_html_is_shown_as_text_and_unsafe_links_are_dropped() {
    let key = fresh_key("hostile");
    let hostile = "<img src=x onerror=\"window.__pwned=1\"> [click](javascript:window.__pwned=2) [docs](https://shop.test/faq)";
    install_fetch_double(json!([{ "chunks": [sse_text(hostile), sse_end()] }]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("hi").await;
    until(2000, "the reply", || w.messages("assistant").len() == 1).await;
    assert!(w.all("[data-role=assistant] img").is_empty());
    let links = w.all("[data-role=assistant] a");
    assert_eq!(links.len(), 1);
    assert_eq!(
        links[0].get_attribute("href").as_deref(),
        Some("https://shop.test/faq")
    );
    assert_eq!(
        links[0].get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    assert!(w.messages("assistant")[0].contains("<img src=x"));
    assert!(js_sys::eval("window.__pwned")
        .map(|v| v.is_undefined())
        .unwrap_or(false));
}

#[wasm_bindgen_test]
async fn an_invalid_configuration_shows_unavailable_instead_of_a_blank_page() {
    let raw = common::raw_config(json!({"endpoint": "javascript:alert(1)"}));
    let w = mount(support_core::config::WidgetConfig::from_raw(&raw));
    w.click("launcher").await;
    assert!(w
        .get("error")
        .text_content()
        .unwrap_or_default()
        .contains("unavailable"));
    assert!(w.find("composer").is_none());
}

#[wasm_bindgen_test]
async fn on_returns_an_off_that_removes_the_listener_for_good() {
    let key = fresh_key("on-off");
    let w = mount_as_host(Ok(config(&key, json!({}))));
    js_sys::Reflect::set(&js_sys::global(), &"__host".into(), &w.root).expect("set");
    // Regression: off() removed nothing, so the listener (and what it holds) stayed.
    js_sys::eval(
        "window.__opens = 0; window.__kept = 0; \
         const api = window.__host.supportWidget; \
         const off = api.on('open', () => window.__opens++); \
         api.on('open', () => window.__kept++); \
         off(); off();",
    )
    .expect("subscribed");
    w.click("launcher").await;
    until(1000, "the open event", || page_number("__kept") == 1.0).await;
    assert_eq!(
        page_number("__opens"),
        0.0,
        "the removed listener is not called"
    );
}
