//! Browser glue tests, run in headless Chromium by wasm-bindgen-test-runner:
//! the core works in wasm as it does natively.

#![cfg(target_arch = "wasm32")]

use support_core::help::{HelpIndex, Passage};
use support_core::history::{decode, encode, storage_key};
use support_core::orders::OrderBook;
use support_core::{Command, Conversation, Event, History, Phase, Settings, ToolRegistry};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn sse(text: &str) -> Vec<u8> {
    let chunk =
        serde_json::json!({"choices": [{"delta": {"content": text}, "finish_reason": "stop"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n").into_bytes()
}

/// Runs commands the way the shell will: tools against the bundled orders, replies scripted.
fn drive(
    conversation: &mut Conversation,
    replies: &mut Vec<Vec<u8>>,
    commands: Vec<Command>,
) -> usize {
    let mut sent = 0;
    let mut queue = commands;
    while let Some(command) = queue.pop() {
        match command {
            Command::Send { request, .. } => {
                sent += 1;
                let body = replies.remove(0);
                for piece in body.chunks(3) {
                    queue.extend(conversation.apply(
                        0,
                        Event::ResponseBytes {
                            request,
                            bytes: piece.to_vec(),
                        },
                    ));
                }
                queue.extend(conversation.apply(0, Event::ResponseEnded { request }));
            }
            Command::RunTool {
                round,
                call_id,
                invocation,
            } => {
                let result = invocation.run_with(OrderBook::bundled(), &help());
                queue.extend(conversation.apply(
                    0,
                    Event::ToolResult {
                        round,
                        call_id,
                        result,
                    },
                ));
            }
            // Nothing here proposes an action, and nothing is carried out without a click.
            Command::Prepare { .. }
            | Command::Carry { .. }
            | Command::Abort { .. }
            | Command::Persist
            | Command::Warn(_) => {}
        }
    }
    sent
}

#[wasm_bindgen_test]
fn a_tool_round_runs_in_the_browser() {
    let mut conversation = Conversation::new(
        Settings::default(),
        ToolRegistry::default(),
        History::default(),
        7,
    );
    let call = br#"data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"lookup_order","arguments":"{\"order_id\":\"ORD-1002\"}"}}]},"finish_reason":"tool_calls"}]}

data: [DONE]

"#;
    let mut replies = vec![call.to_vec(), sse("It is processing.")];
    let commands = conversation.apply(
        0,
        Event::Send {
            text: "It's ORD-1002".into(),
        },
    );
    assert_eq!(drive(&mut conversation, &mut replies, commands), 2);
    assert_eq!(conversation.phase(), &Phase::Idle);
    let last = conversation.history().last().and_then(|e| e.message.text());
    assert_eq!(last, Some("It is processing."));
}

/// Two passages of a demo-like help centre.
fn help() -> HelpIndex {
    let passage = |title: &str, heading: &str, text: &str| Passage {
        title: title.into(),
        url: "https://shop.example/help".into(),
        heading: heading.into(),
        anchor: String::new(),
        text: text.into(),
        tags: Vec::new(),
    };
    HelpIndex::new(vec![
        passage("Shipping", "Carriers", "We ship with UPS."),
        passage(
            "Refunds",
            "Timing",
            "Card refunds take 5 to 10 business days.",
        ),
    ])
}

#[wasm_bindgen_test]
fn help_search_ranks_in_the_browser_as_natively() {
    let index = help();
    let found = index.search("how long do refnuds take", 3);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0.title, "Refunds");
    let result = support_core::ToolInvocation::SearchHelp {
        query: "shipping carriers".into(),
    }
    .run_with(OrderBook::bundled(), &index);
    assert_eq!(result["results"][0]["heading"], "Carriers");
}

#[wasm_bindgen_test]
fn the_stored_form_round_trips_through_local_storage() {
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage in the test browser");
    let key = storage_key("support-widget-test");
    let mut conversation = Conversation::new(
        Settings::default(),
        ToolRegistry::default(),
        History::default(),
        9,
    );
    let mut replies = vec![sse("Hello!")];
    let commands = conversation.apply(5, Event::Send { text: "hi".into() });
    drive(&mut conversation, &mut replies, commands);
    storage
        .set_item(&key, &encode(conversation.history(), 5))
        .expect("stored");
    let raw = storage.get_item(&key).expect("readable");
    let loaded = decode(raw.as_deref()).expect("readable").expect("stored");
    assert_eq!(&loaded.history, conversation.history());
    assert_eq!(loaded.dropped, 0);
    storage.set_item(&key, "{corrupt").expect("stored");
    assert!(decode(storage.get_item(&key).expect("readable").as_deref()).is_err());
    storage.remove_item(&key).expect("removed");
    assert_eq!(
        decode(storage.get_item(&key).expect("readable").as_deref()).map(|l| l.is_none()),
        Ok(true)
    );
}

/// The tables in src/locales, as loader.js hands them to the widget.
const TABLES: [(&str, &str); 4] = [
    ("de", include_str!("../src/locales/de.json")),
    ("fr", include_str!("../src/locales/fr.json")),
    ("es", include_str!("../src/locales/es.json")),
    ("ar", include_str!("../src/locales/ar.json")),
];

fn register_all() {
    for (_, table) in TABLES {
        support_widget::strings::register(table).expect("a valid table");
    }
}

#[wasm_bindgen_test]
fn every_language_table_is_complete_and_a_broken_one_is_refused() {
    use support_widget::strings::{english, for_locale, register, LANGUAGES};
    for (lang, table) in TABLES {
        assert!(LANGUAGES.contains(&lang));
        let strings = register(table).expect("a complete table");
        assert_eq!(strings.lang, lang);
        assert_eq!(strings.rtl, lang == "ar");
        assert!(!strings.greeting.is_empty() && strings.greeting != english().greeting);
        assert_eq!(for_locale(&format!("{lang}-XX")), strings);
        // Every entry lands in the field of its name.
        let table: serde_json::Value = serde_json::from_str(table).expect("JSON");
        assert_eq!(serde_json::to_value(strings).expect("serializable"), table);
    }
    let fr: serde_json::Value = serde_json::from_str(TABLES[1].1).expect("JSON");
    let mut missing = fr.as_object().expect("object").clone();
    missing.remove("send");
    let mut extra = fr.as_object().expect("object").clone();
    extra.insert("sned".into(), "Envoyer".into());
    let mut wrong = fr.as_object().expect("object").clone();
    wrong.insert("rtl".into(), "no".into());
    for broken in [missing, extra, wrong] {
        let text = serde_json::Value::Object(broken).to_string();
        assert!(register(&text).is_err(), "{text}");
    }
    assert!(register("not json").is_err());
    assert!(register("[]").is_err());
    assert_eq!(for_locale("xx"), english());
}

#[wasm_bindgen_test]
fn the_unread_label_follows_each_languages_plural_rule() {
    use support_widget::strings::{english, for_locale};
    register_all();
    let fr = for_locale("fr-FR");
    assert_eq!(fr.open_chat_unread(1), "Ouvrir le chat (1 non lu)");
    assert_eq!(fr.open_chat_unread(2), "Ouvrir le chat (2 non lus)");
    assert_eq!(english().open_chat_unread(1), "Open chat (1 unread)");
    assert_eq!(english().open_chat_unread(1200), "Open chat (1,200 unread)");
    assert!(for_locale("de")
        .open_chat_unread(3)
        .ends_with("(3 ungelesen)"));
}
