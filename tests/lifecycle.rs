//! A widget's life: what unmounting it stops, and the page's own widget kept until unmounted.

#![cfg(target_arch = "wasm32")]

mod common;

use common::history::another_tab_wrote;
use common::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn an_unmounted_widget_stops_its_request_and_ignores_what_comes_later() {
    let key = fresh_key("unmounted");
    let chunks: Vec<String> = (0..10).map(|i| sse_text(&format!("word{i} "))).collect();
    install_fetch_double(json!([
        { "delayMs": 60, "chunks": chunks },
        { "chunks": [sse_text("Still here."), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("hi").await;
    until(2000, "the first word", || w.find("streaming").is_some()).await;
    drop(w);
    support_widget::transport::sleep(400).await;
    assert_eq!(aborts(), 1, "the reply's request is aborted");
    // Its listeners went with it: another tab's write and a resize reach nothing of it (a
    // listener left behind would touch the widget's disposed state and stop the wasm).
    let storage_key = format!("{key}.history.v1");
    local_storage()
        .set_item(
            &storage_key,
            &local_storage()
                .get_item(&storage_key)
                .ok()
                .flatten()
                .unwrap_or_default(),
        )
        .expect("set");
    another_tab_wrote(&storage_key).await;
    let resize = web_sys::Event::new("resize").expect("event");
    web_sys::window()
        .expect("window")
        .dispatch_event(&resize)
        .expect("dispatched");
    leptos::task::tick().await;
    // The wasm is alive and well: another widget works.
    let again = mount(Ok(config(&fresh_key("unmounted-2"), json!({}))));
    again.click("launcher").await;
    again.say("hello").await;
    until(2000, "the reply", || again.messages("assistant").len() == 1).await;
}

/// The shadow root of the page's own `<support-widget>`, made by `support_widget::mount`.
fn page_widget() -> Option<web_sys::ShadowRoot> {
    web_sys::window()?
        .document()?
        .query_selector("body > support-widget")
        .ok()??
        .shadow_root()
}

#[wasm_bindgen_test]
async fn the_pages_widget_is_kept_until_unmounted() {
    let key = fresh_key("page-widget");
    js_sys::eval(&format!(
        "window.SupportWidgetConfig = {{ endpoint: 'https://llm.test/v1', storageKey: '{key}' }};"
    ))
    .expect("config");
    install_fetch_double(json!([{ "chunks": [sse_text("Hello there."), sse_end()] }]));
    support_widget::mount();
    leptos::task::tick().await;
    let launcher = || {
        page_widget()?
            .query_selector("[data-testid=launcher]")
            .ok()?
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    };
    // Kept: the widget still works after the call that mounted it has returned.
    launcher().expect("the launcher").click();
    leptos::task::tick().await;
    assert!(page_widget()
        .and_then(|root| root.query_selector("[data-testid=composer]").ok().flatten())
        .is_some());

    support_widget::unmount();
    leptos::task::tick().await;
    assert!(launcher().is_none(), "unmounting removes the widget");
    if let Some(host) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("body > support-widget").ok().flatten())
    {
        host.remove();
    }
    js_sys::eval("delete window.SupportWidgetConfig;").expect("config removed");
}
