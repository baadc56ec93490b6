//! The dialogue engine under bad and unusual input: every case ends in a clear state with a
//! history that is valid for the next request (the harness checks it after every command).
//! Tool rounds have their own file, `tool_rounds.rs`.

mod harness;

use harness::{
    last_text, ok, sse_calls, sse_text, status, tool_results, Harness, Scripted, LOOKUP,
};
use support_core::history::{decode, encode};
use support_core::{EntryStatus, Event, Phase, Settings, TransportFailure, TurnError};

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
