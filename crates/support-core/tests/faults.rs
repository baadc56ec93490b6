//! A provider's faults, case by case: one that never starts, one that stalls, a reply cut off
//! mid-text or mid-tool-call, a malformed event, an overload reported inside the stream. Each
//! case says
//! what the customer is left with (the phase, the last entry of the history) and how many
//! requests it cost; the harness checks after every command that the history is valid for the
//! next request.

mod harness;

use harness::cases::{after, answered, check, failed, run, three, ASKED, HALF, KEPT, ROLE};
use harness::{fixture, ok, sse_text, Harness, Scripted};
use support_core::retry::RetryPolicy;
use support_core::{Event, Phase, Settings, TransportFailure, TurnError};

/// The first half of a tool call's arguments.
const HALF_CALL: &str = "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":{\"name\":\"lookup_order\",\"arguments\":\"{\\\"order_id\\\": \\\"OR\"}}]}}]}\n\n";

/// Regression: with `firstByteTimeoutMs: 1500` the customer waited about 5.9 s, because a
/// provider that never started was retried twice.
#[test]
fn a_provider_that_never_starts_is_not_retried_and_a_stall_is() {
    use TransportFailure::{FirstByteTimeout, IdleTimeout};
    check(vec![
        (
            "no headers within the first-byte time-out",
            vec![Scripted::FailUnanswered(FirstByteTimeout)],
            failed(1, TurnError::Timeout, ASKED),
        ),
        (
            "headers, but no body within the first-byte time-out",
            vec![after("", FirstByteTimeout)],
            failed(1, TurnError::Timeout, ASKED),
        ),
        (
            "bytes arrived, so a first-byte time-out is a stall",
            vec![after(ROLE, FirstByteTimeout), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
        (
            "a stall before any text is retried",
            three(after(ROLE, IdleTimeout)),
            failed(3, TurnError::Interrupted, ASKED),
        ),
    ]);
}

/// Regression: a stream that stalled after its text had arrived read "The reply took too long",
/// although the provider had started: once bytes arrived, a stall is a cut-off reply.
#[test]
fn a_stall_after_text_is_a_cut_off_reply_that_keeps_the_text() {
    use TransportFailure::{FirstByteTimeout, IdleTimeout};
    check(vec![
        (
            "idle after text",
            vec![after(HALF, IdleTimeout)],
            failed(1, TurnError::Interrupted, KEPT),
        ),
        (
            "the first-byte time-out after text",
            vec![after(HALF, FirstByteTimeout)],
            failed(1, TurnError::Interrupted, KEPT),
        ),
    ]);
}

#[test]
fn retry_after_a_time_out_resends_the_turn_and_replaces_the_interrupted_reply() {
    let (mut h, _) = run(vec![after(HALF, TransportFailure::IdleTimeout)]);
    h.script([ok(sse_text("Whole answer."))]);
    h.event(Event::Retry);
    assert_eq!(h.requests[1], h.requests[0]);
    let texts: Vec<&str> = h
        .conversation
        .history()
        .entries()
        .iter()
        .filter_map(|e| e.message.text())
        .collect();
    assert_eq!(texts, ["hello", "Whole answer."]);
}

fn network() -> TransportFailure {
    TransportFailure::Network("connection reset".into())
}

/// Regression: a stream that broke off mid-text or mid-tool-call told the customer "We couldn't
/// connect. Please check your connection", although the connection had worked.
#[test]
fn a_cut_reply_is_cut_off_and_only_a_request_without_response_blames_the_connection() {
    check(vec![
        (
            "no response at all",
            three(Scripted::FailUnanswered(network())),
            failed(3, TurnError::Network("connection reset".into()), ASKED),
        ),
        (
            "the connection breaks after the headers",
            three(after("", network())),
            failed(3, TurnError::Interrupted, ASKED),
        ),
        (
            "the connection breaks mid-text",
            vec![after(HALF, network())],
            failed(1, TurnError::Interrupted, KEPT),
        ),
        (
            "the body ends mid-text",
            vec![ok(HALF)],
            failed(1, TurnError::Interrupted, KEPT),
        ),
        (
            "the connection breaks mid-tool-call, every time",
            three(after(HALF_CALL, network())),
            failed(3, TurnError::Interrupted, ASKED),
        ),
        (
            "the body ends mid-tool-call, every time",
            three(ok(HALF_CALL)),
            failed(3, TurnError::Interrupted, ASKED),
        ),
        (
            "the body ends mid-tool-call, then the retry answers",
            vec![ok(HALF_CALL), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
    ]);
}

#[test]
fn a_cut_tool_call_never_runs() {
    let (h, _) = run(vec![after(HALF_CALL, network()); 3]);
    assert!(h.tools_run.is_empty());
}

#[test]
fn an_error_status_whose_body_breaks_is_worded_by_its_status() {
    let mut h = Harness::new(Settings {
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..Settings::default()
    });
    h.script([Scripted::Hang]);
    h.say("hello");
    let request = h.in_flight.expect("in flight");
    h.event(Event::ResponseStarted {
        request,
        status: 503,
        retry_after_ms: None,
    });
    h.event(Event::RequestFailed {
        request,
        failure: network(),
    });
    assert!(
        matches!(
            h.conversation.phase(),
            Phase::Failed(TurnError::Busy { status: 503, .. })
        ),
        "{:?}",
        h.conversation.phase()
    );
}

/// A good stream of `pieces` of text with one broken event after the first, then `end`.
fn with_broken_event(pieces: &[&str], end: &str) -> String {
    let text =
        |t: &str| format!("data: {{\"choices\":[{{\"delta\":{{\"content\":\"{t}\"}}}}]}}\n\n");
    let mut body = text(pieces[0]);
    body.push_str("data: {\"choices\":[{\"delta\":{\"content\":\"lost\"}}]}}\n\n");
    for piece in &pieces[1..] {
        body.push_str(&text(piece));
    }
    body + end
}

const FINISH: &str =
    "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

/// Regression: one broken `data:` line in an otherwise good stream ended the turn with "Sorry,
/// something went wrong".
#[test]
fn a_malformed_event_is_skipped_and_the_rest_of_the_reply_counts() {
    check(vec![
        (
            "the reply then completes",
            vec![ok(with_broken_event(
                &["Your refund ", "is processing."],
                FINISH,
            ))],
            answered(1, "Your refund is processing."),
        ),
        (
            "the reply is then cut off",
            vec![ok(with_broken_event(&["Half", ""], ""))],
            failed(1, TurnError::Interrupted, KEPT),
        ),
        (
            "between the pieces of a tool call",
            vec![
                ok(fixture(
                    "replay/malformed_event_between_tool_call_pieces.sse",
                )),
                ok(sse_text("It is processing.")),
            ],
            answered(2, "It is processing."),
        ),
    ]);
}

#[test]
fn a_skipped_event_is_reported_to_the_developer_once_per_reply() {
    let twice = with_broken_event(&["a", "b"], "") + &with_broken_event(&["c", "d"], FINISH);
    let (h, end) = run(vec![ok(twice)]);
    assert_eq!(end, answered(1, "abcd"));
    assert_eq!(
        h.warnings,
        ["the provider sent a malformed event (trailing characters at line 1 column 43), skipped: {\"choices\":[{\"delta\":{\"content\":\"lost\"}}]}}"]
    );
}

const OVERLOADED: &str =
    "data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"}}\n\n";
const RATE_LIMITED: &str = "data: {\"error\":{\"message\":\"Slow down\",\"code\":429}}\n\n";

fn busy(status: u16, detail: &str) -> TurnError {
    TurnError::Busy {
        status,
        detail: detail.into(),
    }
}

/// Regression: an overload reported inside an HTTP-200 stream was not retried and read
/// "Sorry, something went wrong", where the same overload as a status read "We're busy".
#[test]
fn an_overload_in_the_stream_is_retried_and_worded_like_its_status() {
    let overloaded = busy(529, "Overloaded (overloaded_error)");
    check(vec![
        (
            "a rate limit, then an answer",
            vec![ok(RATE_LIMITED), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
        (
            "an overload every time",
            vec![ok(OVERLOADED), ok(OVERLOADED), ok(OVERLOADED)],
            failed(3, overloaded.clone(), ASKED),
        ),
        (
            "after the role chunk, before any text",
            vec![ok(format!("{ROLE}{RATE_LIMITED}")), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
        (
            "after text: never retried",
            vec![ok(format!("{HALF}{OVERLOADED}"))],
            failed(1, overloaded, KEPT),
        ),
        (
            "an error that is not an overload",
            vec![ok(fixture("replay/error_event_not_an_overload.sse"))],
            failed(
                1,
                TurnError::Provider("The model does not exist (model_not_found)".into()),
                ASKED,
            ),
        ),
    ]);
}

#[test]
fn an_overload_in_the_stream_waits_like_the_status_would() {
    let (h, _) = run(vec![
        ok(RATE_LIMITED),
        ok(RATE_LIMITED),
        ok(sse_text("Hi.")),
    ]);
    assert_eq!(h.delays[0], 0);
    assert!((375..=500).contains(&h.delays[1]), "{:?}", h.delays);
    assert!((750..=1000).contains(&h.delays[2]), "{:?}", h.delays);
}
