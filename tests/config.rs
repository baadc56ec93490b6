//! Reading the configuration from the page, and order lookups against a store's backend.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use serde_json::json;
use support_core::config::OrderSource;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn reset_page() {
    js_sys::eval(
        "delete window.SupportWidgetConfig; \
         document.querySelectorAll('script[data-support-widget], meta[name=support-widget-query-overrides]').forEach((e) => e.remove());",
    )
    .expect("page reset");
}

#[wasm_bindgen_test]
fn attributes_then_the_global_object_with_the_object_winning() {
    reset_page();
    js_sys::eval(
        "const s = document.createElement('script'); s.type = 'text/plain'; \
         s.setAttribute('data-support-widget', ''); s.dataset.endpoint = 'https://proxy.shop.test/v1'; \
         s.dataset.maxTokens = '700'; s.dataset.title = 'From the tag'; s.dataset.orders = 'https://proxy.shop.test/v1'; \
         document.head.append(s); \
         window.SupportWidgetConfig = { title: 'From the object', stream: false, historyTtlDays: 7 };",
    )
    .expect("page set up");
    let config = support_widget::config::load().expect("valid");
    assert_eq!(config.endpoint, "https://proxy.shop.test/v1");
    assert_eq!(config.settings.max_tokens, 700);
    assert_eq!(config.title.as_deref(), Some("From the object"));
    assert!(!config.settings.stream);
    assert_eq!(config.history_ttl_days, 7);
    assert_eq!(
        config.orders,
        OrderSource::Remote("https://proxy.shop.test/v1".into())
    );
    reset_page();
}

#[wasm_bindgen_test]
fn invalid_or_hostile_configuration_is_an_error_not_a_panic() {
    reset_page();
    js_sys::eval("window.SupportWidgetConfig = { maxTokens: -5 };").expect("set");
    assert_eq!(
        support_widget::config::load().expect_err("invalid").key,
        "maxTokens"
    );
    js_sys::eval(
        "window.SupportWidgetConfig = { get endpoint() { throw new Error('hostile'); } };",
    )
    .expect("set");
    assert_eq!(
        support_widget::config::load().expect_err("invalid").key,
        "endpoint",
        "a throwing getter is an error naming its key"
    );
    for (script, key) in [
        (
            "const c = { title: 'x' }; c.greeting = c; window.SupportWidgetConfig = c;",
            "greeting",
        ),
        (
            "window.SupportWidgetConfig = { title: () => 'x' };",
            "title",
        ),
        (
            "window.SupportWidgetConfig = { model: Symbol('m') };",
            "model",
        ),
        (
            "const l = ['a']; l.push(l); window.SupportWidgetConfig = { title: l };",
            "title",
        ),
        (
            "const p = Proxy.revocable({}, {}); p.revoke(); window.SupportWidgetConfig = p.proxy;",
            "SupportWidgetConfig",
        ),
        (
            "window.SupportWidgetConfig = new Proxy({}, { ownKeys() { throw new Error('x'); } });",
            "SupportWidgetConfig",
        ),
    ] {
        js_sys::eval(script).expect("set");
        assert_eq!(
            support_widget::config::load().expect_err(script).key,
            key,
            "{script}"
        );
    }
    js_sys::eval("window.SupportWidgetConfig = 'not an object';").expect("set");
    assert!(support_widget::config::load().is_err());
    // Regression: a function stringifies to undefined, which aborted the module.
    js_sys::eval("window.SupportWidgetConfig = () => ({ endpoint: '/v1' });").expect("set");
    assert_eq!(
        support_widget::config::load().expect_err("invalid").key,
        "SupportWidgetConfig"
    );
    reset_page();
}

#[wasm_bindgen_test]
fn a_lone_surrogate_spoils_only_its_own_string() {
    reset_page();
    // Regression: one lone surrogate made the whole configuration unreadable.
    js_sys::eval(
        "window.SupportWidgetConfig = { title: 'Shop \\uD83D support', endpoint: 'https://proxy.shop.test/v1' };",
    )
    .expect("set");
    let config = support_widget::config::load().expect("valid");
    assert_eq!(config.endpoint, "https://proxy.shop.test/v1");
    assert_eq!(config.title.as_deref(), Some("Shop \u{fffd} support"));
    reset_page();
}

#[wasm_bindgen_test]
fn the_query_is_ignored_unless_the_page_opts_in() {
    reset_page();
    let page = web_sys::window()
        .expect("window")
        .history()
        .expect("history");
    page.replace_state_with_url(
        &wasm_bindgen::JsValue::NULL,
        "",
        Some("?endpoint=https://evil.test/v1&stream=false"),
    )
    .expect("url set");
    assert_eq!(
        support_widget::config::load().expect("valid").endpoint,
        "https://api.oxlo.ai/v1"
    );
    js_sys::eval("const m = document.createElement('meta'); m.name = 'support-widget-query-overrides'; m.content = 'on'; document.head.append(m);")
        .expect("opt in");
    let config = support_widget::config::load().expect("valid");
    assert_eq!(config.endpoint, "https://evil.test/v1");
    assert!(!config.settings.stream);
    page.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("?"))
        .expect("url reset");
    reset_page();
}

#[wasm_bindgen_test]
async fn lookups_go_to_the_stores_backend_when_configured() {
    let key = "test-remote-orders";
    let _ = local_storage().remove_item(&format!("{key}.history.v1"));
    let order = json!({"order_id": "ORD-2001", "status": "shipped", "item": "Store Lamp", "amount": 30.0, "currency": "EUR", "order_date": "2026-11-01"});
    install_fetch_double(json!([
        { "chunks": [sse_call("c1", "ORD-2001")] },
        { "chunks": [order.to_string()], "headers": {"content-type": "application/json"} },
        { "chunks": [sse_call("c2", "ORD-2002")] },
        { "status": 404, "chunks": ["Cannot GET /api/orders/ORD-2002"], "headers": {"content-type": "text/html"} },
        { "chunks": [sse_call("c3", "ORD-2003")] },
        { "status": 503, "chunks": ["busy"], "headers": {"content-type": "text/plain"} },
        { "chunks": [sse_text("Done."), sse_end()] },
    ]));
    let w = mount(Ok(config(
        key,
        json!({"orders": "https://backend.shop.test/api/"}),
    )));
    w.click("launcher").await;
    w.say("check ORD-2001").await;
    until(4000, "the answer", || w.messages("assistant").len() == 1).await;
    let sent = requests();
    assert_eq!(sent[1]["method"], "GET");
    assert_eq!(
        sent[1]["url"],
        "https://backend.shop.test/api/orders/ORD-2001"
    );
    assert!(w
        .get("order-card")
        .text_content()
        .unwrap_or_default()
        .contains("Store Lamp"));
    let results: Vec<String> = sent[6]["body"]["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter(|m| m["role"] == "tool")
                .map(|m| m["content"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(results[0].contains("Store Lamp"));
    assert_eq!(results[1], "{\"error\":\"Order not found\"}");
    assert!(results[2].contains("unavailable"), "{}", results[2]);
    assert_eq!(
        w.all("[data-testid=order-card]").len(),
        1,
        "errors draw no card"
    );
}
