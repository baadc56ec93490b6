//! The widget's parts around the help articles, in a real browser against a scripted
//! `window.fetch`: `help.json` fetched on the first search only, the reply's sources, the
//! starter chips and the disclaimer from the configuration.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_key(name: &str) -> String {
    let key = format!("test-help-{name}");
    let _ = local_storage().remove_item(&format!("{key}.history.v1"));
    key
}

fn sse_search(query: &str) -> String {
    let args = json!({ "query": query }).to_string();
    let chunk = json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "s1", "type": "function", "function": {"name": "search_help", "arguments": args}}]}, "finish_reason": "tool_calls"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n")
}

fn texts(w: &Mounted, selector: &str) -> Vec<String> {
    w.all(selector)
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn a_search_fetches_the_passages_once_and_the_reply_cites_its_article() {
    let key = fresh_key("search");
    install_fetch_double(json!([
        { "chunks": [sse_search("refund time")] },
        { "chunks": [sse_text("Cards take 5 to 10 business days."), sse_end()] },
        { "chunks": [sse_search("shipping")] },
        { "chunks": [sse_text("We ship with UPS."), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    assert_eq!(page_number("__helpFetched"), 0.0, "nothing before a search");
    w.say("How long do refunds take?").await;
    until(3000, "the grounded reply", || {
        w.messages("assistant").len() == 1
    })
    .await;
    let result = last_message_sent(1);
    assert_eq!(result["role"], "tool");
    let found: serde_json::Value =
        serde_json::from_str(result["content"].as_str().unwrap_or_default()).expect("JSON");
    assert_eq!(found["results"][0]["heading"], "By payment method");
    let link = w.get("source");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://shop.example/help/refunds")
    );
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener"));
    assert_eq!(
        texts(&w, "[data-testid=source]"),
        ["When will I get my refund? (opens in a new tab)"]
    );
    w.say("Which carrier?").await;
    until(3000, "the second reply", || {
        w.messages("assistant").len() == 2
    })
    .await;
    assert_eq!(page_number("__helpFetched"), 1.0, "the passages are kept");
    assert_eq!(w.all("[data-testid=sources]").len(), 2);
}

#[wasm_bindgen_test]
async fn the_stores_starters_send_their_text_and_the_disclaimer_shows() {
    let key = fresh_key("starters");
    install_fetch_double(json!([{ "chunks": [sse_text("On its way."), sse_end()] }]));
    let w = mount(Ok(config(
        &key,
        json!({"starters": ["Track my parcel", "Warranty"], "disclaimer": "Answers may be wrong."}),
    )));
    w.click("launcher").await;
    assert_eq!(
        texts(&w, "[data-testid=starter]"),
        ["Track my parcel", "Warranty"]
    );
    assert_eq!(
        w.get("disclaimer").text_content().as_deref(),
        Some("Answers may be wrong.")
    );
    w.all("[data-testid=starter]")[0]
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    leptos::task::tick().await;
    assert_eq!(w.messages("user"), ["You: Track my parcel"]);
    assert!(
        w.find("starters").is_none(),
        "gone once the conversation starts"
    );
    until(3000, "the reply", || w.messages("assistant").len() == 1).await;
    assert_eq!(last_message_sent(0)["content"], "Track my parcel");
}

#[wasm_bindgen_test]
async fn an_empty_starters_list_shows_no_chips() {
    let key = fresh_key("no-starters");
    install_fetch_double(json!([]));
    let w = mount(Ok(config(&key, json!({"starters": []}))));
    w.click("launcher").await;
    assert!(w.find("starters").is_none());
    assert!(w.find("disclaimer").is_none());
}
