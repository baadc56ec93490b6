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

/// The configuration of a widget talking to the support proxy at `https://proxy.test/v1`.
fn proxy_config(key: &str) -> support_core::config::WidgetConfig {
    config(key, json!({"orders": "https://proxy.test/v1"}))
}

/// The proxy's answer to a help search: one passage, with its anchor.
fn proxy_answer() -> serde_json::Value {
    let answer = json!({"results": [{"title": "Refund timing", "url": "https://proxy.test/help/refunds",
        "heading": "Cards", "anchor": "cards", "text": "Cards: 5 to 10 business days."}]});
    json!({ "status": 200, "headers": {"content-type": "application/json"}, "chunks": [answer.to_string()] })
}

/// The tool result the `n`th request carried, read as JSON.
fn tool_result(n: usize) -> serde_json::Value {
    let message = last_message_sent(n);
    assert_eq!(message["role"], "tool", "{message}");
    serde_json::from_str(message["content"].as_str().unwrap_or_default()).expect("JSON")
}

#[wasm_bindgen_test]
async fn in_proxy_mode_a_search_asks_the_proxy_and_the_reply_cites_its_article() {
    let key = fresh_key("proxy-search");
    install_fetch_double(json!([
        { "chunks": [sse_search("refund & money back?")] },
        proxy_answer(),
        { "chunks": [sse_text("Cards take 5 to 10 business days."), sse_end()] },
    ]));
    let w = mount(Ok(proxy_config(&key)));
    w.click("launcher").await;
    w.say("How long do refunds take?").await;
    until(3000, "the grounded reply", || {
        w.messages("assistant").len() == 1
    })
    .await;
    let search = &requests()[1];
    assert_eq!(search["method"], "GET");
    assert_eq!(
        search["url"],
        "https://proxy.test/v1/help/search?q=refund+%26+money+back%3F&limit=3"
    );
    assert_eq!(page_number("__helpFetched"), 0.0, "help.json is not used");
    assert_eq!(
        tool_result(2),
        json!({"results": [{"title": "Refund timing", "url": "https://proxy.test/help/refunds",
            "heading": "Cards", "anchor": "cards", "text": "Cards: 5 to 10 business days."}]}),
        "the model reads what the bundled search would give"
    );
    assert_eq!(
        w.get("source").get_attribute("href").as_deref(),
        Some("https://proxy.test/help/refunds")
    );
}

#[wasm_bindgen_test]
async fn in_proxy_mode_a_failed_search_is_an_error_the_model_reads() {
    let key = fresh_key("proxy-search-fails");
    install_fetch_double(json!([
        { "chunks": [sse_search("refunds")] },
        { "status": 503, "chunks": ["{}"] },
        { "chunks": [sse_text("I cannot check that right now."), sse_end()] },
        { "chunks": [sse_search("refunds")] },
        { "networkError": true },
        { "chunks": [sse_text("Still no luck."), sse_end()] },
        { "chunks": [sse_search("refunds")] },
        { "status": 200, "headers": {"content-type": "application/json"}, "chunks": ["{\"results\": 3}"] },
        { "chunks": [sse_text("Sorry."), sse_end()] },
    ]));
    let w = mount(Ok(proxy_config(&key)));
    w.click("launcher").await;
    let unavailable = json!({"error": "The help articles are unavailable right now"});
    for (turn, question) in ["How long?", "And now?", "Once more?"].iter().enumerate() {
        w.say(question).await;
        until(3000, "the reply", || {
            w.messages("assistant").len() == turn + 1
        })
        .await;
        assert_eq!(tool_result(turn * 3 + 2), unavailable, "turn {turn}");
    }
    assert!(w.find("error").is_none(), "the turns end normally");
    assert!(w.find("source").is_none(), "an error cites nothing");
}

#[wasm_bindgen_test]
async fn in_proxy_mode_a_rating_is_posted_with_the_reply_and_its_sources_and_again_when_changed() {
    let key = fresh_key("proxy-rating");
    install_fetch_double(json!([
        { "chunks": [sse_search("refund time")] },
        proxy_answer(),
        { "chunks": [sse_text("Cards take 5 to 10 business days."), sse_end()] },
        { "status": 204, "chunks": [] },
        { "status": 500, "chunks": ["{}"] },
    ]));
    let w = mount(Ok(proxy_config(&key)));
    w.click("launcher").await;
    w.say("How long do refunds take?").await;
    until(3000, "the grounded reply", || {
        w.messages("assistant").len() == 1
    })
    .await;
    w.click("rate-up").await;
    until(2000, "the rating", || {
        requests().as_array().map_or(0, Vec::len) == 4
    })
    .await;
    let rated = &requests()[3];
    assert_eq!(rated["method"], "POST");
    assert_eq!(rated["url"], "https://proxy.test/v1/feedback");
    assert_eq!(rated["contentType"], "application/json");
    assert_eq!(rated["credentials"], "omit", "no cookie goes with it");
    assert_eq!(
        rated["body"],
        json!({"rating": "up", "text": "Cards take 5 to 10 business days.",
               "sources": ["https://proxy.test/help/refunds"]})
    );
    // Changed once: sent again. The proxy's 500 is only a console warning.
    w.click("rate-down").await;
    until(2000, "the changed rating", || {
        requests().as_array().map_or(0, Vec::len) == 5
    })
    .await;
    assert_eq!(requests()[4]["body"]["rating"], "down");
    assert_eq!(
        w.get("rate-down").get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    assert!(w.find("error").is_none());
}

#[wasm_bindgen_test]
async fn in_bundled_mode_a_rating_sends_nothing() {
    let key = fresh_key("bundled-rating");
    install_fetch_double(json!([
        { "chunks": [sse_text("Hello!"), sse_end()] },
    ]));
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    w.say("Hi").await;
    until(3000, "the reply", || w.messages("assistant").len() == 1).await;
    w.click("rate-up").await;
    support_widget::transport::sleep(200).await;
    assert_eq!(requests().as_array().map_or(0, Vec::len), 1);
}

#[wasm_bindgen_test]
async fn a_rating_is_kept_across_a_reload_and_a_changed_one_stays_final() {
    let key = fresh_key("kept-rating");
    let _ = local_storage().remove_item(&format!("{key}.ratings"));
    install_fetch_double(json!([
        { "chunks": [sse_text("Hello!"), sse_end()] },
    ]));
    let pressed = |w: &Mounted, id: &str| w.get(id).get_attribute("aria-pressed");
    {
        let w = mount(Ok(config(&key, json!({}))));
        w.click("launcher").await;
        w.say("Hi").await;
        until(3000, "the reply", || w.messages("assistant").len() == 1).await;
        w.click("rate-up").await;
    }
    {
        let w = mount(Ok(config(&key, json!({}))));
        w.click("launcher").await;
        assert_eq!(pressed(&w, "rate-up").as_deref(), Some("true"), "kept");
        assert_eq!(w.get("rate-up").get_attribute("aria-disabled"), None);
        w.click("rate-down").await;
        assert_eq!(pressed(&w, "rate-down").as_deref(), Some("true"));
    }
    let w = mount(Ok(config(&key, json!({}))));
    w.click("launcher").await;
    assert_eq!(pressed(&w, "rate-down").as_deref(), Some("true"));
    assert_eq!(
        w.get("rate-up").get_attribute("aria-disabled").as_deref(),
        Some("true"),
        "changed once, it stays after a reload too"
    );
    w.click("rate-up").await;
    assert_eq!(pressed(&w, "rate-down").as_deref(), Some("true"));
}
