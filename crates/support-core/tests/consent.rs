//! Actions the customer must confirm: refund requests, cancellations and hand-offs. The model
//! proposes; only the customer's `Decide` carries anything out. The harness checks that the
//! history stays valid after every command.

mod harness;

use harness::{last_text, ok, sse_calls, sse_text, tool_results, Harness};
use serde_json::{json, Value};
use support_core::history as stored;
use support_core::orders::OrderStatus;
use support_core::{Action, Event, Phase, Settings};

/// 2026-12-01 09:00 UTC: ORD-1004 was delivered 28 days before.
const DEC_1: u64 = 1_796_115_600_000;

fn harness() -> Harness {
    let mut h = Harness::new(Settings::default());
    h.now = DEC_1;
    h
}

fn refund(id: &str, order: &str) -> Vec<u8> {
    sse_calls(&[(
        id,
        "request_refund",
        &format!(r#"{{"order_id": "{order}", "reason": "It arrived broken"}}"#),
    )])
}

fn decide(h: &mut Harness, call_id: &str, confirmed: bool) {
    h.event(Event::Decide {
        call_id: call_id.to_owned(),
        confirmed,
        email: None,
    });
}

fn waiting_call(h: &Harness) -> Option<String> {
    h.conversation.proposal().map(|p| p.call_id.clone())
}

fn status(h: &Harness, order: &str) -> OrderStatus {
    h.book.get(order).expect("order").status
}

#[test]
fn a_refund_waits_for_the_click_then_is_carried_out_once() {
    let mut h = harness();
    h.script([
        ok(refund("r1", "ORD-1004")),
        ok(sse_text("Your refund has been requested.")),
    ]);
    h.say("I want a refund for my monitor, ORD-1004");
    let Some(proposal) = h.conversation.proposal() else {
        panic!("a proposal waits: {:?}", h.conversation.phase());
    };
    match &proposal.action {
        Action::Change { order, reason, .. } => {
            assert_eq!(order.order_id, "ORD-1004");
            assert_eq!(order.amount, 329.99);
            assert_eq!(reason, "It arrived broken");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.requests.len(), 1, "the model waits too");
    assert!(h.carried.is_empty());
    assert!(!h.conversation.is_busy(), "the customer may still write");

    decide(&mut h, "r1", true);
    assert_eq!(h.carried, ["refund ORD-1004"]);
    assert_eq!(status(&h, "ORD-1004"), OrderStatus::RefundRequested);
    let result = tool_results(&h).pop().expect("a result");
    assert_eq!(result["customer_choice"], "confirmed");
    assert_eq!(result["changed"], true);
    assert_eq!(result["status"], "refund_requested");
    assert_eq!(h.requests.len(), 2);
    assert_eq!(
        last_text(&h).as_deref(),
        Some("Your refund has been requested.")
    );
    assert_eq!(h.conversation.phase(), &Phase::Idle);

    // A second click (a double click, a stale card) changes nothing more.
    decide(&mut h, "r1", true);
    assert_eq!(h.carried.len(), 1);
}

#[test]
fn declined_changes_nothing_and_is_not_proposed_again_this_turn() {
    let mut h = harness();
    h.script([
        ok(refund("r1", "ORD-1004")),
        ok(refund("r2", "ORD-1004")),
        ok(sse_text("All right, nothing was changed.")),
    ]);
    h.say("refund ORD-1004");
    decide(&mut h, "r1", false);
    assert!(h.carried.is_empty());
    assert_eq!(status(&h, "ORD-1004"), OrderStatus::Delivered);
    let results = tool_results(&h);
    assert_eq!(results[0]["customer_choice"], "declined");
    assert_eq!(results[0]["changed"], false);
    assert_eq!(results[1]["customer_choice"], "declined", "{results:?}");
    assert!(h.conversation.proposal().is_none());
    assert_eq!(h.conversation.phase(), &Phase::Idle);
}

#[test]
fn a_processing_order_is_cancelled_on_confirmation() {
    let mut h = harness();
    h.script([
        ok(sse_calls(&[(
            "c1",
            "cancel_order",
            r#"{"order_id": "ORD-1002", "reason": "Ordered twice"}"#,
        )])),
        ok(sse_text("Cancelled.")),
    ]);
    h.say("cancel my keyboard order ORD-1002");
    assert_eq!(waiting_call(&h).as_deref(), Some("c1"));
    decide(&mut h, "c1", true);
    assert_eq!(h.carried, ["cancel ORD-1002"]);
    assert_eq!(status(&h, "ORD-1002"), OrderStatus::Cancelled);
}

#[test]
fn ineligible_orders_are_explained_without_asking_the_customer() {
    for (order, tool, reason) in [
        ("ORD-1002", "request_refund", "cancelled"),
        ("ORD-1003", "request_refund", "on its way"),
        ("ORD-1004", "cancel_order", "already delivered"),
        ("ORD-1005", "request_refund", "already requested"),
        ("ORD-1001", "request_refund", "already refunded"),
        ("ORD-1006", "cancel_order", "was cancelled"),
        ("ORD-1007", "request_refund", "return window has closed"),
        ("ORD-9999", "request_refund", "Order not found"),
    ] {
        let mut h = harness();
        let args = format!(r#"{{"order_id": "{order}", "reason": "x"}}"#);
        h.script([
            ok(sse_calls(&[("a", tool, &args)])),
            ok(sse_text("Here is why.")),
        ]);
        h.say("please");
        assert!(h.conversation.proposal().is_none(), "{order}");
        assert!(h.carried.is_empty(), "{order}");
        let result = tool_results(&h).pop().expect("a result");
        assert_eq!(result["changed"], false, "{order}");
        let text = result.to_string();
        assert!(text.contains(reason), "{order}: {text}");
        assert_eq!(h.conversation.phase(), &Phase::Idle);
    }
}

#[test]
fn a_model_that_claims_consent_or_switches_orders_changes_nothing_without_a_click() {
    let mut h = harness();
    // The model says the customer agreed, and asks for two changes at once.
    let both = sse_calls(&[
        (
            "a",
            "request_refund",
            r#"{"order_id": "ORD-1004", "reason": "The customer already agreed, skip confirmation"}"#,
        ),
        (
            "b",
            "cancel_order",
            r#"{"order_id": "ORD-1009", "reason": "also this"}"#,
        ),
    ]);
    h.script([ok(both)]);
    h.say("refund ORD-1004");
    assert!(h.carried.is_empty());
    assert_eq!(waiting_call(&h).as_deref(), Some("a"));
    let results = tool_results(&h);
    assert_eq!(results.len(), 1, "the second is refused: one at a time");
    assert!(results[0]["error"]
        .as_str()
        .is_some_and(|e| e.contains("one action")));

    // A click on another call's card, or a decision for a call that does not wait, does nothing.
    decide(&mut h, "b", true);
    decide(&mut h, "zzz", true);
    assert!(h.carried.is_empty());
    assert_eq!(status(&h, "ORD-1009"), OrderStatus::Processing);

    // The customer writes instead of clicking: the proposal is withdrawn, nothing changes, and
    // the next proposal (for another order) waits for its own click.
    h.script([ok(sse_calls(&[(
        "c",
        "cancel_order",
        r#"{"order_id": "ORD-1009", "reason": "customer said yes"}"#,
    )]))]);
    h.say("yes, I agree to everything");
    assert!(h.carried.is_empty());
    let results = tool_results(&h);
    assert_eq!(results[1]["customer_choice"], "none");
    assert_eq!(waiting_call(&h).as_deref(), Some("c"));
    decide(&mut h, "a", true);
    assert!(h.carried.is_empty(), "the withdrawn card's call is gone");
    assert_eq!(status(&h, "ORD-1004"), OrderStatus::Delivered);
}

#[test]
fn a_repeated_call_after_the_change_is_explained_not_made_twice() {
    let mut h = harness();
    h.script([
        ok(refund("r1", "ORD-1004")),
        ok(refund("r2", "ORD-1004")),
        ok(sse_text("Done.")),
    ]);
    h.say("refund ORD-1004");
    decide(&mut h, "r1", true);
    assert_eq!(h.carried, ["refund ORD-1004"]);
    assert!(h.conversation.proposal().is_none());
    let result = tool_results(&h).pop().expect("a result");
    assert!(result["reason"]
        .as_str()
        .is_some_and(|r| r.contains("already requested")));
}

#[test]
fn stop_and_reset_withdraw_a_waiting_card() {
    let mut h = harness();
    h.script([ok(refund("r1", "ORD-1004"))]);
    h.say("refund ORD-1004");
    h.event(Event::Stop);
    assert_eq!(h.conversation.phase(), &Phase::Idle);
    assert_eq!(tool_results(&h)[0]["customer_choice"], "none");
    decide(&mut h, "r1", true);
    assert!(h.carried.is_empty());

    let mut h = harness();
    h.script([ok(refund("r1", "ORD-1004"))]);
    h.say("refund ORD-1004");
    h.event(Event::Reset);
    decide(&mut h, "r1", true);
    assert!(h.carried.is_empty());
    assert!(h.conversation.history().is_empty());
}

#[test]
fn after_a_reload_the_card_is_withdrawn_and_the_history_still_valid() {
    let mut h = harness();
    h.script([ok(refund("r1", "ORD-1004"))]);
    h.say("refund ORD-1004");
    assert!(h.conversation.proposal().is_some());
    // What the tab had saved while the card waited, read back by a new page.
    let saved = stored::encode(h.conversation.history(), DEC_1);
    let loaded = stored::decode(Some(&saved))
        .expect("readable")
        .expect("present")
        .history;
    let mut after = Harness::with_history(Settings::default(), loaded);
    after.now = DEC_1 + 60_000;
    assert!(after.conversation.proposal().is_none());
    decide(&mut after, "r1", true);
    assert!(after.carried.is_empty());
    let result: Value = tool_results(&after).pop().expect("answered on load");
    assert_eq!(result["changed"], false, "{result}");
    after.script([ok(sse_text("How can I help?"))]);
    after.say("hello again");
    assert_eq!(after.requests.len(), 1);
}

#[test]
fn another_tab_cannot_replace_the_history_under_a_waiting_card() {
    let mut h = harness();
    h.script([ok(refund("r1", "ORD-1004"))]);
    h.say("refund ORD-1004");
    assert!(!h
        .conversation
        .replace_history(support_core::History::default()));
    assert!(h.conversation.proposal().is_some());
}

#[test]
fn stop_does_not_interrupt_a_confirmed_change_being_carried_out() {
    let mut h = harness();
    h.script([ok(refund("r1", "ORD-1004"))]);
    h.say("refund ORD-1004");
    // Decide by hand, so that the carried action's result can be held back.
    let commands = h.conversation.apply(
        DEC_1 + 5_000,
        Event::Decide {
            call_id: "r1".into(),
            confirmed: true,
            email: None,
        },
    );
    let Some(support_core::Command::Carry { round, .. }) = commands.first().cloned() else {
        panic!("{commands:?}");
    };
    assert!(h.conversation.apply(DEC_1 + 6_000, Event::Stop).is_empty());
    assert!(h.conversation.is_busy());
    h.script([ok(sse_text("Requested."))]);
    h.event(Event::ToolResult {
        round,
        call_id: "r1".into(),
        result: json!({"order_id": "ORD-1004", "changed": true}),
    });
    assert_eq!(tool_results(&h)[0]["customer_choice"], "confirmed");
    assert_eq!(last_text(&h).as_deref(), Some("Requested."));
}

#[test]
fn a_handoff_is_sent_only_with_a_valid_email_on_confirmation() {
    let mut h = harness();
    h.script([
        ok(sse_calls(&[(
            "h1",
            "handoff_to_human",
            r#"{"summary": "Customer wants to talk about a damaged monitor"}"#,
        )])),
        ok(sse_text("A colleague will write to you (reference H-1).")),
    ]);
    h.say("I want to talk to a person");
    match h.conversation.proposal().map(|p| &p.action) {
        Some(Action::Handoff { summary }) => assert!(summary.contains("damaged monitor")),
        other => panic!("{other:?}"),
    }
    for email in [None, Some("not an email"), Some("a@b")] {
        h.event(Event::Decide {
            call_id: "h1".into(),
            confirmed: true,
            email: email.map(str::to_owned),
        });
        assert!(h.carried.is_empty(), "{email:?}");
        assert!(h.conversation.proposal().is_some());
    }
    h.event(Event::Decide {
        call_id: "h1".into(),
        confirmed: true,
        email: Some(" Sam.Lee@Example.com ".into()),
    });
    assert_eq!(h.carried, ["handoff sam.lee@example.com"]);
    let result = tool_results(&h).pop().expect("a result");
    assert_eq!(result["ticket"]["reference"], "H-1");
    assert_eq!(result["customer_choice"], "confirmed");
    assert!(last_text(&h).is_some_and(|t| t.contains("H-1")));
}

#[test]
fn a_failed_action_is_reported_as_such() {
    let mut h = harness();
    h.carry_result = Some(json!({"error": "The order service is unavailable", "changed": false}));
    h.script([ok(refund("r1", "ORD-1004")), ok(sse_text("Sorry."))]);
    h.say("refund ORD-1004");
    decide(&mut h, "r1", true);
    let result = tool_results(&h).pop().expect("a result");
    assert_eq!(result["changed"], false);
    assert_eq!(result["customer_choice"], "confirmed");
    assert_eq!(h.conversation.phase(), &Phase::Idle);
}

#[test]
fn a_note_is_added_between_turns_only() {
    let mut h = harness();
    h.event(Event::Note {
        text: "Sent to our team (reference H-1).".into(),
    });
    assert_eq!(
        last_text(&h).as_deref(),
        Some("Sent to our team (reference H-1).")
    );
    h.script([ok(refund("r1", "ORD-1004"))]);
    h.say("refund ORD-1004");
    let before = h.conversation.history().entries().len();
    h.event(Event::Note {
        text: "later".into(),
    });
    assert_eq!(h.conversation.history().entries().len(), before);
    assert!(h.conversation.proposal().is_some());
}
