//! Validation of every key, and the merge of the sources.

use super::*;
use serde_json::{json, Value};

fn raw(value: Value) -> RawConfig {
    serde_json::from_value(value).expect("any object is a raw configuration")
}

fn check_err(value: Value, key: &str) {
    let err = WidgetConfig::from_raw(&raw(value)).expect_err("invalid");
    assert_eq!(err.key, key, "{err}");
}

#[test]
fn defaults() {
    let config = WidgetConfig::from_raw(&RawConfig::default()).expect("valid");
    assert_eq!(config.chat_url(), "https://api.oxlo.ai/v1/chat/completions");
    assert_eq!(config.settings.model, "llama-3.3-70b");
    assert_eq!(config.settings.max_tokens, 512);
    assert!(config.settings.stream);
    assert_eq!(config.orders, OrderSource::Bundled);
    assert_eq!(config.proxy_base(), None);
    assert_eq!(
        (config.history_ttl_days, config.max_stored_messages),
        (30, 200)
    );
    assert_eq!(
        (config.first_byte_timeout_ms, config.idle_timeout_ms),
        (30_000, 30_000)
    );
    assert_eq!(config.api_key, None);
    assert!(!config.require_email);
}

#[test]
fn requiring_the_email_adds_a_rule_to_the_prompt() {
    let config = WidgetConfig::from_raw(&raw(json!({"requireEmail": "true"}))).expect("valid");
    assert!(config.require_email);
    assert!(config.settings.system_prompt.ends_with(EMAIL_RULE));
}

#[test]
fn string_values_from_attributes_are_read_as_their_type() {
    let config = WidgetConfig::from_raw(&raw(json!({
        "endpoint": "http://localhost:11434/v1/", "stream": "false", "maxTokens": "1024",
        "temperature": "0.2", "orders": "https://shop.example/api/", "historyTtlDays": 7
    })))
    .expect("valid");
    assert_eq!(config.endpoint, "http://localhost:11434/v1");
    assert!(!config.settings.stream);
    assert_eq!(config.settings.max_tokens, 1024);
    assert_eq!(config.settings.temperature, Some(0.2));
    assert_eq!(
        config.orders,
        OrderSource::Remote("https://shop.example/api".into())
    );
    assert_eq!(config.history_ttl_days, 7);
}

#[test]
fn same_origin_paths_are_allowed() {
    let config =
        WidgetConfig::from_raw(&raw(json!({"endpoint": "/v1/", "orders": "/v1"}))).expect("valid");
    assert_eq!(config.chat_url(), "/v1/chat/completions");
    assert_eq!(config.orders, OrderSource::Remote("/v1".into()));
    assert_eq!(
        config.proxy_base(),
        Some("/v1"),
        "help and ratings go there too"
    );
}

#[test]
fn invalid_values_name_their_key() {
    check_err(json!({"endpoint": "javascript:alert(1)"}), "endpoint");
    check_err(json!({"endpoint": "https://"}), "endpoint");
    check_err(json!({"endpoint": "//evil.example/v1"}), "endpoint");
    check_err(json!({"endpoint": "/v1 x"}), "endpoint");
    check_err(json!({"orders": "ftp://x"}), "orders");
    check_err(json!({"maxTokens": 0}), "maxTokens");
    check_err(json!({"maxTokens": "lots"}), "maxTokens");
    check_err(json!({"temperature": 9}), "temperature");
    check_err(json!({"stream": "maybe"}), "stream");
    check_err(json!({"model": 5}), "model");
    check_err(json!({"storageKey": "a b"}), "storageKey");
    check_err(json!({"apiKey": "sk\u{2011}live"}), "apiKey");
    check_err(json!({"apiKey": "sk live"}), "apiKey");
    check_err(json!({"position": "top"}), "position");
    check_err(json!({"title": "x".repeat(81)}), "title");
}

/// Regression: `requireEmail`, a documented key, drew an "unknown configuration key" warning.
#[test]
fn every_documented_key_is_known() {
    let all = json!({"endpoint": "/v1", "model": "m", "apiKey": "k", "orders": "bundled",
        "requireEmail": true, "systemPrompt": "p", "title": "t", "greeting": "g",
        "stream": true, "maxTokens": 5, "temperature": 1, "storageKey": "s",
        "historyTtlDays": 2, "firstByteTimeoutMs": 1000, "idleTimeoutMs": 1000,
        "maxStoredMessages": 10, "locale": "de", "position": "left", "preload": "hover",
        "starters": ["a"], "disclaimer": "d", "handoff": "event", "returnWindowDays": 14,
        "customerEmail": "a@b.co"});
    let raw = raw(all);
    assert_eq!(unknown_keys(&raw), Vec::<String>::new());
    assert!(WidgetConfig::from_raw(&raw).expect("valid").require_email);
}

#[test]
fn starters_are_a_list_or_a_string_separated_by_bars() {
    let starters = |value: Value| {
        WidgetConfig::from_raw(&raw(json!({ "starters": value })))
            .map(|c| c.starters)
            .map_err(|e| e.problem)
    };
    assert_eq!(starters(Value::Null), Ok(None));
    assert_eq!(starters(json!("")), Ok(None));
    assert_eq!(starters(json!([])), Ok(Some(vec![])));
    assert_eq!(
        starters(json!([" Where is my order? ", "Start a return"])),
        Ok(Some(vec![
            "Where is my order?".into(),
            "Start a return".into()
        ]))
    );
    assert_eq!(
        starters(json!("Track my parcel | Warranty")),
        Ok(Some(vec!["Track my parcel".into(), "Warranty".into()]))
    );
    check_err(json!({"starters": ["a", " "]}), "starters");
    check_err(json!({"starters": "a||b"}), "starters");
    check_err(json!({"starters": ["a", 1]}), "starters");
    check_err(json!({"starters": {"a": 1}}), "starters");
    check_err(json!({"starters": true}), "starters");
    check_err(json!({"starters": vec!["q"; MAX_STARTERS + 1]}), "starters");
    check_err(json!({"starters": ["x".repeat(101)]}), "starters");
}

#[test]
fn the_disclaimer_is_an_optional_line() {
    let config = WidgetConfig::from_raw(&raw(json!({"disclaimer": " Answers may be wrong. "})))
        .expect("valid");
    assert_eq!(config.disclaimer.as_deref(), Some("Answers may be wrong."));
    assert_eq!(
        WidgetConfig::from_raw(&RawConfig::default())
            .expect("valid")
            .disclaimer,
        None
    );
    check_err(json!({"disclaimer": "x".repeat(301)}), "disclaimer");
    check_err(json!({"disclaimer": ["x"]}), "disclaimer");
}

#[test]
fn a_list_or_an_object_is_refused_by_its_key() {
    check_err(json!({"title": ["a"]}), "title");
    check_err(json!({"maxTokens": {"n": 1}}), "maxTokens");
    check_err(json!({"stream": [true]}), "stream");
    let err = WidgetConfig::from_raw(&raw(json!({"model": {"id": 1}}))).expect_err("invalid");
    assert_eq!(err.problem, r#"must be a string, not {"id":1}"#);
}

#[test]
fn string_sources_are_read_and_later_sources_win() {
    let attributes = RawConfig::from_strings([
        (key_from_attribute("data-max-tokens"), "64".to_owned()),
        (
            key_from_attribute("data-model"),
            "from-attribute".to_owned(),
        ),
        (key_from_attribute("data-api_key"), "first".to_owned()),
        (key_from_attribute("data-api-key"), "second".to_owned()),
        (key_from_attribute("data-colour"), "red".to_owned()),
    ]);
    assert_eq!(attributes.api_key, Some(ConfigValue::Text("second".into())));
    let page = raw(json!({"model": "from-page", "stream": false, "shape": "round"}));
    let merged = attributes.merge(page);
    assert_eq!(unknown_keys(&merged), ["colour", "shape"]);
    let config = WidgetConfig::from_raw(&merged).expect("valid");
    assert_eq!(
        (config.settings.model.as_str(), config.settings.max_tokens),
        ("from-page", 64)
    );
    assert!(!config.settings.stream);
    assert_eq!(config.api_key.as_deref(), Some("second"));
}

#[test]
fn attribute_names_become_keys() {
    assert_eq!(key_from_attribute("data-api-key"), "apiKey");
    assert_eq!(key_from_attribute("api_key"), "apiKey");
    assert_eq!(key_from_attribute("data-endpoint"), "endpoint");
    assert_eq!(
        unknown_keys(&raw(json!({"endpoint": "x", "endpiont": "y"}))),
        ["endpiont"]
    );
}

#[test]
fn handoff_follows_the_order_source_unless_it_is_the_page_event() {
    let handoff = |value: Value| {
        WidgetConfig::from_raw(&raw(value))
            .map(|c| c.handoff)
            .map_err(|e| e.key)
    };
    assert_eq!(handoff(json!({})), Ok(Handoff::Demo));
    assert_eq!(
        handoff(json!({"orders": "https://proxy.example/v1"})),
        Ok(Handoff::Remote("https://proxy.example/v1".into()))
    );
    assert_eq!(
        handoff(json!({"orders": "https://proxy.example/v1", "handoff": "event"})),
        Ok(Handoff::Event)
    );
    assert_eq!(handoff(json!({"handoff": "email"})), Err("handoff".into()));
}

#[test]
fn return_window_and_customer_email_are_checked() {
    let config = WidgetConfig::from_raw(&raw(
        json!({"returnWindowDays": "14", "customerEmail": " Sam@Example.COM "}),
    ))
    .expect("valid");
    assert_eq!(config.settings.return_window_days, 14);
    assert_eq!(config.customer_email.as_deref(), Some("sam@example.com"));
    assert_eq!(
        WidgetConfig::from_raw(&raw(json!({})))
            .expect("valid")
            .settings
            .return_window_days,
        30
    );
    check_err(json!({"returnWindowDays": -1}), "returnWindowDays");
    check_err(json!({"customerEmail": "nope"}), "customerEmail");
}
