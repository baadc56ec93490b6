//! A page reloaded after a failed turn: the failure itself is not stored, so the engine tells
//! from the stored history that the last turn never got its answer and offers Retry again,
//! which resends the turn as the first attempt sent it.

mod harness;

use harness::cases::{after, run, HALF};
use harness::{ok, sse_text, Harness, Scripted};
use support_core::history::{decode, encode};
use support_core::{
    Conversation, Event, History, Phase, Settings, ToolRegistry, TransportFailure, TurnError,
};

/// The history as the next page reads it from storage.
fn reloaded(h: &Harness) -> History {
    let stored = encode(h.conversation.history(), h.now);
    decode(Some(&stored))
        .expect("readable")
        .expect("stored")
        .history
}

fn phase_after_reload(script: Vec<Scripted>) -> Phase {
    let (h, _) = run(script);
    Harness::with_history(Settings::default(), reloaded(&h))
        .conversation
        .phase()
        .clone()
}

/// Regression: after a reload a failed turn showed an unanswered question, or a reply marked
/// interrupted, with no error and no Retry.
#[test]
fn a_reloaded_conversation_whose_last_turn_failed_offers_retry() {
    let stall = || after("", TransportFailure::FirstByteTimeout);
    let failed = Phase::Failed(TurnError::Interrupted);
    let cases = [
        ("cut off after text", vec![ok(HALF)], failed.clone()),
        ("never started", vec![stall()], failed.clone()),
        ("answered", vec![ok(sse_text("Hi."))], Phase::Idle),
        (
            "a failed round after a tool ran",
            vec![
                ok(harness::sse_calls(&[(
                    "c1",
                    "lookup_order",
                    r#"{"order_id":"ORD-1001"}"#,
                )])),
                stall(),
            ],
            failed,
        ),
    ];
    for (name, script, expected) in cases {
        assert_eq!(phase_after_reload(script), expected, "{name}");
    }
    assert_eq!(
        Harness::new(Settings::default()).conversation.phase(),
        &Phase::Idle
    );
}

#[test]
fn a_stopped_reply_is_finished() {
    let mut h = Harness::new(Settings::default());
    h.script([Scripted::Hang]);
    h.say("hello");
    let request = h.in_flight.expect("in flight");
    h.event(Event::ResponseStarted {
        request,
        status: 200,
        retry_after_ms: None,
    });
    h.event(Event::ResponseBytes {
        request,
        bytes: HALF.as_bytes().to_vec(),
    });
    h.event(Event::Stop);
    let restored = Harness::with_history(Settings::default(), reloaded(&h));
    assert_eq!(restored.conversation.phase(), &Phase::Idle);
}

#[test]
fn retry_after_a_reload_resends_the_turn_and_replaces_the_cut_reply() {
    let (h, _) = run(vec![ok(HALF)]);
    let first = h.requests[0].clone();
    let mut restored = Harness::with_history(Settings::default(), reloaded(&h));
    restored.script([ok(sse_text("Whole answer."))]);
    restored.event(Event::Retry);
    assert_eq!(
        restored.requests,
        [first],
        "the same messages as the first attempt"
    );
    assert_eq!(restored.conversation.phase(), &Phase::Idle);
    assert_eq!(harness::texts(&restored), ["hello", "Whole answer."]);
}

#[test]
fn a_failure_another_tab_has_answered_is_over() {
    let (failed, _) = run(vec![ok(HALF)]);
    let mut this_tab = Harness::with_history(Settings::default(), reloaded(&failed));
    let mut other_tab = Harness::new(Settings::default());
    // Another tab's entries have ids of their own.
    other_tab.conversation = Conversation::new(
        Settings::default(),
        ToolRegistry::default(),
        reloaded(&failed),
        0xbeef,
    );
    other_tab.script([ok(sse_text("Whole answer."))]);
    other_tab.event(Event::Retry);
    assert!(this_tab.conversation.replace_history(reloaded(&other_tab)));
    assert_eq!(this_tab.conversation.phase(), &Phase::Idle);
}
