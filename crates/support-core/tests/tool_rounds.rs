//! Tool rounds under bad and unusual model output: parallel and repeated calls, caps, bad
//! arguments, half-received calls, text-form calls, and results that arrive after a Stop or a
//! Reset. The harness checks that the history stays valid after every command.

mod harness;

use harness::{last_text, ok, sse_calls, sse_text, texts, tool_results, Harness, LOOKUP};
use serde_json::json;
use support_core::{Command, Event, Phase, Settings, TurnError};

#[test]
fn parallel_calls_all_run_before_the_next_request() {
    let mut h = Harness::new(Settings::default());
    h.script([
        ok(sse_calls(&[
            ("a", LOOKUP, r#"{"order_id":"ORD-1001"}"#),
            ("b", LOOKUP, r#"{"order_id":"ord-1003"}"#),
        ])),
        ok(sse_text("Both found.")),
    ]);
    h.say("Where are ORD-1001 and ORD-1003?");
    assert_eq!(h.tools_run.len(), 2);
    assert_eq!(h.requests.len(), 2);
    let results = tool_results(&h);
    assert_eq!(results[0]["item"], "USB-C Cable");
    assert_eq!(results[1]["status"], "shipped");
    assert_eq!(h.conversation.phase(), &Phase::Idle);
}

#[test]
fn bad_calls_become_error_results_and_the_turn_goes_on() {
    let mut h = Harness::new(Settings::default());
    h.script([
        ok(sse_calls(&[
            ("a", "issue_refund", "{}"),
            ("b", LOOKUP, "{\"order_id\": "),
            ("c", LOOKUP, r#"{"order_id": "ORD-9999"}"#),
            ("d", LOOKUP, r#"{"order_id": "<img src=x>"}"#),
        ])),
        ok(sse_text("I could not find that order.")),
    ]);
    h.say("refund ORD-9999");
    assert_eq!(
        h.tools_run,
        ["LookupOrder { order_id: \"ORD-9999\", email: None }"]
    );
    let results = tool_results(&h);
    assert_eq!(results[0], json!({"error": "Unknown tool"}));
    assert_eq!(
        results[1],
        json!({"error": "Invalid arguments: arguments are not valid JSON"})
    );
    assert!(results[2]["error"]
        .as_str()
        .is_some_and(|e| e.contains("is not an order id")));
    assert_eq!(results[3], json!({"error": "Order not found"}));
    assert_eq!(
        last_text(&h).as_deref(),
        Some("I could not find that order.")
    );
}

#[test]
fn tool_rounds_are_capped_then_a_final_answer_is_asked_for() {
    let mut h = Harness::new(Settings::default());
    for n in 1..=4 {
        let args = format!("{{\"order_id\": \"ORD-100{n}\"}}");
        h.script([ok(sse_calls(&[(&format!("c{n}"), LOOKUP, &args)]))]);
    }
    h.script([ok(sse_text("Here is everything."))]);
    h.say("check all my orders");
    assert_eq!(h.requests.len(), 5);
    let choices: Vec<String> = h
        .requests
        .iter()
        .map(|r| {
            serde_json::to_value(r.tool_choice)
                .expect("json")
                .to_string()
        })
        .collect();
    assert_eq!(
        choices,
        ["\"auto\"", "\"auto\"", "\"auto\"", "\"auto\"", "\"none\""]
    );
    assert_eq!(h.conversation.phase(), &Phase::Idle);
}

#[test]
fn a_third_identical_call_gets_a_corrective_result_instead_of_running() {
    let mut h = Harness::new(Settings::default());
    let same = r#"{"order_id": "ORD-1002"}"#;
    h.script([
        ok(sse_calls(&[("x1", LOOKUP, same)])),
        ok(sse_calls(&[("x2", LOOKUP, r#"{"order_id":"ord-1002"}"#)])),
        ok(sse_calls(&[("x3", LOOKUP, same)])),
        ok(sse_text("It is processing.")),
    ]);
    h.say("status of ORD-1002?");
    assert_eq!(
        h.tools_run.len(),
        2,
        "the third identical call does not run"
    );
    let results = tool_results(&h);
    assert!(results[2]["error"]
        .as_str()
        .is_some_and(|e| e.contains("already made")));
    assert_eq!(h.last_request()["tool_choice"], "none");
    assert_eq!(last_text(&h).as_deref(), Some("It is processing."));
}

#[test]
fn tool_calls_despite_tool_choice_none_are_not_run() {
    let mut h = Harness::new(Settings {
        max_tool_rounds: 1,
        ..Settings::default()
    });
    h.script([
        ok(sse_calls(&[("a", LOOKUP, r#"{"order_id":"ORD-1001"}"#)])),
        ok(sse_calls(&[("b", LOOKUP, r#"{"order_id":"ORD-1002"}"#)])),
    ]);
    h.say("hi");
    assert_eq!(h.tools_run.len(), 1);
    assert_eq!(h.conversation.phase(), &Phase::Failed(TurnError::ToolLoop));
}

#[test]
fn a_half_received_tool_call_never_runs() {
    let mut h = Harness::new(Settings::default());
    let cut = br#"data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"lookup_order","arguments":"{\"order_id\": \"OR"}}]}}]}"#;
    h.script([ok(cut.to_vec()), ok(cut.to_vec()), ok(cut.to_vec())]);
    h.say("ORD-1002");
    assert!(h.tools_run.is_empty());
    assert_eq!(
        h.requests.len(),
        3,
        "nothing was shown, so the policy retried twice"
    );
    assert_eq!(
        h.conversation.phase(),
        &Phase::Failed(TurnError::Interrupted)
    );
}

#[test]
fn stop_while_tools_run_answers_the_pending_calls() {
    let mut h = Harness::new(Settings::default());
    h.script([ok(sse_calls(&[(
        "a",
        LOOKUP,
        r#"{"order_id":"ORD-1001"}"#,
    )]))]);
    // Run the request by hand so the tool result can be held back.
    h.conversation.apply(
        1,
        Event::Send {
            text: "ORD-1001".into(),
        },
    );
    let request = 1;
    h.conversation.apply(
        2,
        Event::ResponseBytes {
            request,
            bytes: sse_calls(&[("a", LOOKUP, r#"{"order_id":"ORD-1001"}"#)]),
        },
    );
    h.conversation.apply(3, Event::ResponseEnded { request });
    assert!(matches!(h.conversation.phase(), Phase::RunningTools { .. }));
    h.conversation.apply(4, Event::Stop);
    assert_eq!(h.conversation.phase(), &Phase::Idle);
    assert!(h
        .conversation
        .apply(
            5,
            Event::ToolResult {
                round: 1,
                call_id: "a".into(),
                result: json!({})
            }
        )
        .is_empty());
    harness::assert_history_valid(&h.conversation);
    assert_eq!(
        tool_results(&h),
        [json!({"error": "Stopped by the customer"})]
    );
}

#[test]
fn llama_text_calls_run_as_tool_calls_and_never_show_as_text() {
    let mut h = Harness::new(Settings::default());
    h.script([
        ok(sse_text(
            "<function=lookup_order>{\"order_id\": \"ORD-1002\"}</function>",
        )),
        ok(sse_text("Processing.")),
    ]);
    h.say("ORD-1002?");
    assert_eq!(h.tools_run.len(), 1);
    let shown = texts(&h);
    assert!(!shown.iter().any(|t| t.contains("<function")), "{shown:?}");
}

#[test]
fn reused_call_ids_across_turns_are_made_unique() {
    let mut h = Harness::new(Settings::default());
    let call = sse_calls(&[("call_0", LOOKUP, r#"{"order_id":"ORD-1001"}"#)]);
    h.script([
        ok(call.clone()),
        ok(sse_text("a")),
        ok(call),
        ok(sse_text("b")),
    ]);
    h.say("one");
    h.say("two");
    let ids: Vec<String> = h
        .conversation
        .history()
        .entries()
        .iter()
        .flat_map(|e| e.message.tool_calls().iter().map(|c| c.id.clone()))
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
}

/// Regression: a lookup still running when the customer pressed Reset delivered its result
/// to the next turn's call with the same id.
#[test]
fn a_result_from_before_a_reset_is_not_taken_for_a_new_call() {
    let mut h = Harness::new(Settings::default());
    let call =
        |order: &str| sse_calls(&[("call_0", LOOKUP, &format!("{{\"order_id\":\"{order}\"}}"))]);
    let run_until_tools = |h: &mut Harness, text: &str, body: Vec<u8>| {
        let commands = h.conversation.apply(1, Event::Send { text: text.into() });
        let Some(Command::Send { request, .. }) = commands
            .into_iter()
            .find(|c| matches!(c, Command::Send { .. }))
        else {
            panic!("no request")
        };
        h.conversation.apply(
            2,
            Event::ResponseBytes {
                request,
                bytes: body,
            },
        );
        let commands = h.conversation.apply(3, Event::ResponseEnded { request });
        commands
            .into_iter()
            .find_map(|c| match c {
                Command::RunTool { round, .. } => Some(round),
                _ => None,
            })
            .expect("a tool runs")
    };
    let old_round = run_until_tools(&mut h, "ORD-1001?", call("ORD-1001"));
    h.conversation.apply(4, Event::Reset);
    let new_round = run_until_tools(&mut h, "ORD-1002?", call("ORD-1002"));
    assert_ne!(old_round, new_round);
    let stale = Event::ToolResult {
        round: old_round,
        call_id: "call_0".into(),
        result: json!({"item": "USB-C Cable"}),
    };
    assert!(h.conversation.apply(5, stale).is_empty());
    assert!(matches!(h.conversation.phase(), Phase::RunningTools { .. }));
    let fresh = Event::ToolResult {
        round: new_round,
        call_id: "call_0".into(),
        result: json!({"item": "Mechanical Keyboard"}),
    };
    assert!(!h.conversation.apply(6, fresh).is_empty());
    assert_eq!(tool_results(&h), [json!({"item": "Mechanical Keyboard"})]);
}
