//! Tests of the message log: budget, cap, repair, stored form, merge, expiry.

use super::*;
use crate::protocol::{FunctionCall, ToolCall};

fn entry(n: usize, message: Message) -> Entry {
    Entry {
        id: format!("e{n}"),
        at_ms: n as u64,
        message,
        status: EntryStatus::Complete,
    }
}

fn call(id: &str) -> ToolCall {
    ToolCall {
        id: id.into(),
        kind: "function".into(),
        function: FunctionCall {
            name: "lookup_order".into(),
            arguments: "{}".into(),
        },
    }
}

/// Three turns; the second one looks an order up.
fn sample() -> History {
    let messages = vec![
        Message::user("first question ".repeat(20)),
        Message::assistant("first answer", vec![]),
        Message::user("ORD-1002"),
        Message::assistant("", vec![call("c1")]),
        Message::tool("c1", "{\"status\":\"processing\"}"),
        Message::assistant("It is processing.", vec![]),
        Message::user("How long?"),
        Message::assistant("3 to 5 days.", vec![]),
    ];
    History::new(
        messages
            .into_iter()
            .enumerate()
            .map(|(n, m)| entry(n, m))
            .collect(),
    )
}

fn roles(messages: &[Message]) -> Vec<Role> {
    messages.iter().map(Message::role).collect()
}

#[test]
fn the_budget_drops_the_oldest_whole_turns() {
    let history = sample();
    let all = history.request_messages("sys", usize::MAX);
    assert_eq!(all.len(), 9);
    for budget in 0..600 {
        let sent = history.request_messages("sys", budget);
        assert_eq!(sent[0], Message::system("sys"));
        assert_eq!(
            sent[1].role(),
            Role::User,
            "budget {budget} cut inside a turn"
        );
        assert_eq!(
            repair(sent.clone()),
            sent,
            "budget {budget} split a tool pair"
        );
        assert!(sent.len() >= 3, "the current turn always goes");
    }
    let small = history.request_messages("sys", 200);
    assert_eq!(
        roles(&small),
        [
            Role::System,
            Role::User,
            Role::Assistant,
            Role::Tool,
            Role::Assistant,
            Role::User,
            Role::Assistant
        ]
    );
}

#[test]
fn the_cap_keeps_whole_turns() {
    let mut history = sample();
    history.cap(6);
    assert_eq!(history.entries().len(), 6);
    assert_eq!(history.entries()[0].message, Message::user("ORD-1002"));
    history.cap(1);
    assert_eq!(history.entries().len(), 2, "the last turn stays whole");
    assert!(!history.drop_oldest_turn());
}

#[test]
fn repair_answers_missing_results_and_drops_orphans() {
    let broken = vec![
        Message::tool("ghost", "{}"),
        Message::user("hi"),
        Message::assistant("", vec![call("a"), call("b")]),
        Message::tool("b", "{}"),
        Message::tool("b", "{\"dup\":1}"),
        Message::user("next"),
    ];
    let fixed = repair(broken);
    assert_eq!(
        roles(&fixed),
        [
            Role::User,
            Role::Assistant,
            Role::Tool,
            Role::Tool,
            Role::User
        ]
    );
    assert_eq!(fixed[2], Message::tool("b", "{}"));
    assert_eq!(
        fixed[3],
        Message::tool(
            "a",
            "{\"changed\":false,\"error\":\"The tool did not return a result\"}",
        )
    );
}

#[test]
fn decode_tells_missing_from_corrupt() {
    assert_eq!(decode(None), Ok(None));
    assert!(matches!(decode(Some("")), Err(HistoryError::Corrupt(_))));
    assert!(matches!(
        decode(Some("{not json")),
        Err(HistoryError::Corrupt(_))
    ));
    assert!(matches!(decode(Some("[]")), Err(HistoryError::Corrupt(_))));
    assert!(matches!(
        decode(Some(r#"{"version":1,"entries":"x"}"#)),
        Err(HistoryError::Corrupt(_))
    ));
    assert_eq!(
        decode(Some(r#"{"version":7,"entries":[]}"#)),
        Err(HistoryError::UnknownVersion(7))
    );
    let history = sample();
    assert_eq!(
        decode(Some(&encode(&history, 9))),
        Ok(Some(Loaded {
            history,
            dropped: 0
        }))
    );
}

#[test]
fn decoded_data_from_outside_is_sanitised() {
    let mut entries = sample().entries().to_vec();
    entries.remove(4); // the tool result went missing
    let duplicate = entries[0].clone();
    entries.push(duplicate);
    let raw = serde_json::to_string(&StoredHistory {
        version: 1,
        saved_at_ms: 0,
        entries,
        cleared_at_ms: 0,
    })
    .expect("encodes");
    let loaded = decode(Some(&raw)).ok().flatten().unwrap_or_default();
    assert_eq!(loaded.dropped, 1, "the duplicate");
    let history = loaded.history;
    assert_eq!(
        history.entries().len(),
        8,
        "duplicate dropped, missing result made up"
    );
    let messages: Vec<Message> = history
        .entries()
        .iter()
        .map(|e| e.message.clone())
        .collect();
    assert_eq!(repair(messages.clone()), messages);
}

#[test]
fn merging_two_tabs_loses_no_message() {
    let base = sample();
    let mut tab_a = base.clone();
    let mut tab_b = base.clone();
    tab_a.push(Entry {
        id: "a1".into(),
        at_ms: 100,
        message: Message::user("from A"),
        status: EntryStatus::Complete,
    });
    tab_a.push(Entry {
        id: "a2".into(),
        at_ms: 102,
        message: Message::assistant("answer A", vec![]),
        status: EntryStatus::Complete,
    });
    tab_b.push(Entry {
        id: "b1".into(),
        at_ms: 101,
        message: Message::user("from B"),
        status: EntryStatus::Complete,
    });
    let merged = merge(&tab_a, &tab_b);
    assert_eq!(merged, merge(&tab_b, &tab_a), "merge is symmetric");
    let texts: Vec<&str> = merged.entries()[8..]
        .iter()
        .filter_map(|e| e.message.text())
        .collect();
    assert_eq!(texts, ["from A", "answer A", "from B"]);
    assert_eq!(
        merge(&merged, &tab_b),
        merged,
        "merging again changes nothing"
    );
    assert_eq!(merge(&base, &History::default()), base);
}

#[test]
fn a_retried_reply_wins_over_the_interrupted_copy_in_either_order() {
    let question = entry(0, Message::user("q"));
    let mut partial = entry(1, Message::assistant("half", vec![]));
    partial.status = EntryStatus::Interrupted;
    let full = Entry {
        id: "e2".into(),
        at_ms: 5,
        ..entry(2, Message::assistant("whole answer", vec![]))
    };
    let old = History::new(vec![question.clone(), partial]);
    let retried = History::new(vec![question, full]);
    assert_eq!(merge(&old, &retried), retried);
    assert_eq!(merge(&retried, &old), retried);
}

/// Regression: a tab that was busy when another tab started a new conversation wrote the
/// old turns back.
#[test]
fn a_new_conversation_in_one_tab_wins_over_old_turns_in_another() {
    let old = sample();
    let mut cleared = old.clone();
    cleared.clear(100);
    let mut later = cleared.clone();
    later.push(Entry {
        id: "n1".into(),
        at_ms: 200,
        message: Message::user("fresh start"),
        status: EntryStatus::Complete,
    });
    for merged in [merge(&old, &cleared), merge(&cleared, &old)] {
        assert!(merged.is_empty());
        assert_eq!(merged.cleared_at_ms(), 100);
    }
    assert_eq!(merge(&old, &later).entries().len(), 1);
    let stored = decode(Some(&encode(&cleared, 100)))
        .ok()
        .flatten()
        .unwrap_or_default();
    assert_eq!(stored.history.cleared_at_ms(), 100, "the marker is stored");
}

#[test]
fn expiry_counts_from_the_last_activity() {
    let history = sample();
    assert!(!history.is_expired(7 + 1000, 1000));
    assert!(history.is_expired(7 + 1001, 1000));
    assert!(!History::default().is_expired(u64::MAX, 0));
}

#[test]
fn storage_key_names_the_version() {
    assert_eq!(storage_key("support-widget"), "support-widget.history.v1");
}

/// A history exactly as the previous release stored it: it must load, and be written back
/// byte for byte, so tabs running either release share it.
#[test]
fn a_history_stored_by_the_previous_release_loads_unchanged() {
    let stored = concat!(
        r#"{"version":1,"saved_at_ms":1700000000500,"entries":["#,
        r#"{"id":"u1","at_ms":1700000000000,"message":{"role":"user","content":"Refund ORD-1002 \"now\"\n"}},"#,
        r#"{"id":"a1","at_ms":1700000000100,"message":{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\": \"ORD-1002\"}"}}]}},"#,
        r#"{"id":"t1","at_ms":1700000000200,"message":{"role":"tool","tool_call_id":"c1","content":"{\"amount\":89.5,\"status\":\"processing\"}"}},"#,
        r#"{"id":"a2","at_ms":1700000000300,"message":{"role":"assistant","content":"It is processing — é 😀"},"status":"interrupted"}"#,
        r#"],"cleared_at_ms":1699999999999}"#
    );
    let loaded = decode(Some(stored)).expect("readable").expect("present");
    assert_eq!(loaded.dropped, 0);
    let history = loaded.history;
    assert_eq!(history.cleared_at_ms(), 1_699_999_999_999);
    let entries = history.entries();
    assert_eq!(entries.len(), 4);
    assert_eq!(
        entries[0].message,
        Message::user("Refund ORD-1002 \"now\"\n")
    );
    assert_eq!(
        entries[1].message.tool_calls()[0].function.arguments,
        "{\"order_id\": \"ORD-1002\"}"
    );
    assert_eq!(
        entries[2].message,
        Message::tool("c1", "{\"amount\":89.5,\"status\":\"processing\"}")
    );
    assert_eq!(entries[3].status, EntryStatus::Interrupted);
    assert_eq!(encode(&history, 1_700_000_000_500), stored);
}

/// A stored document with `entries` replaced, in the previous release's form.
fn stored_with(entries: &[&str]) -> String {
    format!(
        r#"{{"version":1,"saved_at_ms":5,"entries":[{}]}}"#,
        entries.join(",")
    )
}

fn check_load(entries: &[&str], expected_ids: &[&str], dropped: usize) {
    let loaded = decode(Some(&stored_with(entries)))
        .expect("the document is readable")
        .expect("present");
    let ids: Vec<&str> = loaded
        .history
        .entries()
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(
        (ids.as_slice(), loaded.dropped),
        (expected_ids, dropped),
        "{entries:?}"
    );
    let messages: Vec<Message> = loaded
        .history
        .entries()
        .iter()
        .map(|e| e.message.clone())
        .collect();
    assert_eq!(repair(messages.clone()), messages, "the pairing rules hold");
}

const USER: &str = r#"{"id":"u1","at_ms":1,"message":{"role":"user","content":"hi"}}"#;
const ANSWER: &str = r#"{"id":"a1","at_ms":2,"message":{"role":"assistant","content":"hello"}}"#;
const CALL: &str = r#"{"id":"a2","at_ms":3,"message":{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup_order","arguments":"{}"}}]}}"#;
const RESULT: &str =
    r#"{"id":"t1","at_ms":4,"message":{"role":"tool","tool_call_id":"c1","content":"{}"}}"#;

/// Regression: one bad entry in the stored history threw the whole conversation away.
#[test]
fn one_bad_entry_costs_only_itself() {
    check_load(&[USER, ANSWER, CALL, RESULT], &["u1", "a1", "a2", "t1"], 0);
    for bad in [
        "null",
        "17",
        r#"{"id":"x","at_ms":1}"#,
        r#"{"id":"x","at_ms":"soon","message":{"role":"user","content":"hi"}}"#,
        r#"{"id":7,"at_ms":1,"message":{"role":"user","content":"hi"}}"#,
        r#"{"id":"x","at_ms":1,"message":{"role":"wizard","content":"hi"}}"#,
        r#"{"id":"x","at_ms":1,"message":{"role":"user","content":["hi"]}}"#,
    ] {
        check_load(&[USER, bad, ANSWER], &["u1", "a1"], 1);
    }
    // A lost call takes its result with it; a lost result is answered with an error.
    check_load(&[USER, "{}", RESULT, ANSWER], &["u1", "a1"], 2);
    check_load(
        &[USER, CALL, "[]", ANSWER],
        &["u1", "a2", "a2-result-c1", "a1"],
        1,
    );
}

#[test]
fn an_unknown_status_keeps_the_message() {
    let odd = r#"{"id":"a1","at_ms":2,"message":{"role":"assistant","content":"hello"},"status":"paused"}"#;
    check_load(&[USER, odd], &["u1", "a1"], 0);
    let typed =
        r#"{"id":"a1","at_ms":2,"message":{"role":"assistant","content":"hello"},"status":3}"#;
    check_load(&[USER, typed], &["u1", "a1"], 0);
}
