//! The dialogue engine under bad and unusual input: every case ends in a clear state with a
//! history that is valid for the next request (the harness checks it after every command).

mod harness;

use harness::{ok, sse_calls, sse_text, status, Harness, Scripted};
use serde_json::{json, Value};
use support_core::history::{decode, encode};
use support_core::{
    Command, EntryStatus, Event, Message, Phase, Settings, TransportFailure, TurnError,
};

const LOOKUP: &str = "lookup_order";

fn tool_results(h: &Harness) -> Vec<Value> {
    h.conversation
        .history()
        .entries()
        .iter()
        .filter_map(|e| match &e.message {
            Message::Tool { content, .. } => {
                Some(serde_json::from_str(content).expect("tool results are JSON"))
            }
            _ => None,
        })
        .collect()
}

/// The text of every message in the history, in order.
fn texts(h: &Harness) -> Vec<&str> {
    h.conversation
        .history()
        .entries()
        .iter()
        .filter_map(|e| e.message.text())
        .collect()
}

fn last_text(h: &Harness) -> Option<String> {
    h.conversation
        .history()
        .last()
        .and_then(|e| e.message.text())
        .map(str::to_owned)
}

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
fn retryable_statuses_are_retried_with_backoff_then_succeed() {
    let mut h = Harness::new(Settings::default());
    h.script([
        status(503, r#"{"error":{"message":"all workers busy"}}"#),
        status(502, "Bad gateway"),
        ok(sse_text("Hello!")),
    ]);
    h.say("hello");
    assert_eq!(h.requests.len(), 3);
    assert_eq!(
        h.requests[0], h.requests[2],
        "a retry resends the same body"
    );
    assert_eq!(h.delays[0], 0);
    assert!((375..=500).contains(&h.delays[1]), "{:?}", h.delays);
    assert!((750..=1000).contains(&h.delays[2]), "{:?}", h.delays);
    assert_eq!(last_text(&h).as_deref(), Some("Hello!"));
}

#[test]
fn retry_after_is_honoured() {
    let mut h = Harness::new(Settings::default());
    h.script([
        Scripted::Reply {
            status: 429,
            retry_after_ms: Some(1500),
            body: b"{}".to_vec(),
            chunk: 8,
        },
        ok(sse_text("ok")),
    ]);
    h.say("hello");
    assert_eq!(h.delays, [0, 1500]);
}

#[test]
fn auth_errors_are_not_retried_and_keep_the_message() {
    let mut h = Harness::new(Settings::default());
    h.script([status(
        401,
        r#"{"error":{"message":"Invalid API key","code":"invalid_api_key"}}"#,
    )]);
    h.say("hello");
    assert_eq!(h.requests.len(), 1);
    match h.conversation.phase() {
        Phase::Failed(
            error @ TurnError::Unavailable {
                status: 401,
                detail,
            },
        ) => {
            assert!(detail.contains("Invalid API key"));
            assert!(error
                .to_string()
                .contains("check the endpoint, API key and model"));
        }
        other => panic!("unexpected phase {other:?}"),
    }
    assert_eq!(
        last_text(&h).as_deref(),
        Some("hello"),
        "the customer's message stays"
    );
}

#[test]
fn busy_after_all_retries_is_a_busy_error() {
    let mut h = Harness::new(Settings::default());
    h.script([status(503, ""), status(503, ""), status(503, "")]);
    h.say("hello");
    assert_eq!(h.requests.len(), 3);
    assert!(matches!(
        h.conversation.phase(),
        Phase::Failed(TurnError::Busy { status: 503, .. })
    ));
}

#[test]
fn an_error_after_text_keeps_the_text_marked_and_does_not_retry() {
    let mut h = Harness::new(Settings::default());
    let body = "data: {\"choices\":[{\"delta\":{\"content\":\"Your order\"}}]}\n\ndata: {\"error\":{\"message\":\"boom\"}}\n\n";
    h.script([ok(body)]);
    h.say("hello");
    assert_eq!(h.requests.len(), 1);
    assert_eq!(
        h.conversation.phase(),
        &Phase::Failed(TurnError::Provider("boom".into()))
    );
    let last = h.conversation.history().last().expect("entry");
    assert_eq!(
        (last.message.text(), last.status),
        (Some("Your order"), EntryStatus::Interrupted)
    );
}

#[test]
fn stop_aborts_keeps_what_arrived_and_ignores_late_bytes() {
    let mut h = Harness::new(Settings::default());
    h.script([Scripted::Hang]);
    h.say("tell me a story");
    let request = h.in_flight.expect("in flight");
    h.event(Event::ResponseBytes {
        request,
        bytes: b"data: {\"choices\":[{\"delta\":{\"content\":\"Once upon\"}}]}\n\n".to_vec(),
    });
    assert_eq!(h.conversation.draft(), "Once upon");
    assert!(matches!(h.conversation.phase(), Phase::Streaming { .. }));
    h.event(Event::Stop);
    assert_eq!(h.aborted, [request]);
    assert_eq!(h.conversation.phase(), &Phase::Idle);
    h.event(Event::ResponseBytes {
        request,
        bytes: b"data: {\"choices\":[{\"delta\":{\"content\":\" a time\"}}]}\n\n".to_vec(),
    });
    h.event(Event::ResponseEnded { request });
    let last = h.conversation.history().last().expect("entry");
    assert_eq!(
        (last.message.text(), last.status),
        (Some("Once upon"), EntryStatus::Stopped)
    );
    assert_eq!(h.conversation.phase(), &Phase::Idle);
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
fn sending_while_busy_and_blank_messages_are_ignored() {
    let mut h = Harness::new(Settings::default());
    h.script([Scripted::Hang]);
    h.say("   ");
    assert!(h.requests.is_empty());
    h.say("first");
    h.say("second");
    assert_eq!(h.requests.len(), 1);
    assert_eq!(h.conversation.history().entries().len(), 1);
}

#[test]
fn empty_and_malformed_replies_fail_clearly() {
    let mut h = Harness::new(Settings::default());
    h.script([ok(
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
    )]);
    h.say("hello");
    assert_eq!(
        h.conversation.phase(),
        &Phase::Failed(TurnError::EmptyReply)
    );

    h.script([ok("data: {oops}\n\n")]);
    h.event(Event::Retry);
    assert!(
        matches!(h.conversation.phase(), Phase::Failed(TurnError::Provider(m)) if m.contains("malformed"))
    );
}

#[test]
fn a_plain_json_reply_takes_the_same_path() {
    let mut h = Harness::new(Settings {
        stream: false,
        ..Settings::default()
    });
    let call = r#"{"choices":[{"message":{"tool_calls":[{"id":"j1","function":{"name":"lookup_order","arguments":{"order_id":"ORD-1004"}}}]},"finish_reason":"tool_calls"}]}"#;
    h.script([
        ok(call),
        ok(r#"{"choices":[{"message":{"content":"Delivered on 3 November."}}]}"#),
    ]);
    h.say("where is ORD-1004");
    assert!(
        h.last_request().get("stream").is_none(),
        "stream is absent, not false or null"
    );
    assert_eq!(tool_results(&h)[0]["status"], "delivered");
    assert_eq!(last_text(&h).as_deref(), Some("Delivered on 3 November."));
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

#[test]
fn reset_clears_everything_and_aborts() {
    let mut h = Harness::new(Settings::default());
    h.script([ok(sse_text("hi")), Scripted::Hang]);
    h.say("hello");
    h.say("again");
    h.event(Event::Reset);
    assert_eq!(h.aborted.len(), 1);
    assert!(h.conversation.history().is_empty());
    assert_eq!(h.conversation.phase(), &Phase::Idle);
}

#[test]
fn the_conversation_survives_a_round_trip_through_storage() {
    let mut h = Harness::new(Settings::default());
    h.script([
        ok(sse_calls(&[("a", LOOKUP, r#"{"order_id":"ORD-1002"}"#)])),
        ok(sse_text("Processing.")),
    ]);
    h.say("ORD-1002");
    let stored = encode(h.conversation.history(), 42);
    let restored = decode(Some(&stored)).expect("decodes").expect("present");
    assert_eq!(restored.dropped, 0);
    let restored = restored.history;
    assert_eq!(&restored, h.conversation.history());

    let mut next = Harness::with_history(Settings::default(), restored);
    next.script([ok(sse_text("3 to 5 days."))]);
    next.say("How long?");
    let messages = next.last_request()["messages"]
        .as_array()
        .expect("messages")
        .len();
    assert_eq!(
        messages,
        1 + 4 + 1,
        "system, the earlier turn whole (4 messages), the new question"
    );
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

/// Regression: a connection that failed after `[DONE]` threw away a complete reply (or, for a
/// tool-call-only reply, resent the request).
#[test]
fn a_failure_after_a_complete_reply_keeps_the_reply() {
    let mut h = Harness::new(Settings::default());
    h.script([Scripted::FailAfter {
        bytes: sse_text("All done."),
        failure: TransportFailure::Network("reset".into()),
    }]);
    h.say("hello");
    assert_eq!(h.conversation.phase(), &Phase::Idle);
    assert_eq!(last_text(&h).as_deref(), Some("All done."));

    h.script([
        Scripted::FailAfter {
            bytes: sse_calls(&[("c", LOOKUP, r#"{"order_id":"ORD-1002"}"#)]),
            failure: TransportFailure::IdleTimeout,
        },
        ok(sse_text("Processing.")),
    ]);
    h.say("ORD-1002?");
    assert_eq!(
        h.requests.len(),
        3,
        "no resend: the tool ran and the turn went on"
    );
    assert_eq!(h.tools_run.len(), 1);
    assert_eq!(last_text(&h).as_deref(), Some("Processing."));
}

#[test]
fn entries_from_another_tab_are_not_its_own() {
    let mut h = Harness::new(Settings::default());
    h.script([ok(sse_text("Hi."))]);
    h.say("hello");
    let own: Vec<bool> = h
        .conversation
        .history()
        .entries()
        .iter()
        .map(|e| h.conversation.is_own(&e.id))
        .collect();
    assert_eq!(own, [true, true]);
    assert!(!h.conversation.is_own("other-tab-1"));
    assert!(!h.conversation.is_own(&format!(
        "{}0-1",
        h.conversation.history().entries()[0]
            .id
            .split('-')
            .next()
            .unwrap_or_default()
    )));
}
