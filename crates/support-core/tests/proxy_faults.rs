//! The provider's faults as the support proxy passes them on: a stream the proxy ended with
//! its own error event ([`StreamEnd`]), and the proxy's gateway statuses. Each must leave the
//! customer exactly where the same fault leaves them in direct mode (`faults.rs`), and the
//! provider's real overloads, as a status or in the stream, are still retried.

mod harness;

use harness::cases::{answered, check, failed, three, ASKED, HALF, KEPT, ROLE};
use harness::{ok, sse_text, status};
use support_core::proxy::StreamEnd;
use support_core::replay::replay;
use support_core::TurnError;

/// The event with which the proxy ends a stream the provider broke off.
fn end(end: StreamEnd) -> String {
    format!(
        "data: {{\"error\":{{\"message\":\"the provider stopped\",\"type\":\"upstream_error\",\"code\":\"{}\"}}}}\n\n",
        end.code()
    )
}

#[test]
fn the_codes_are_read_back() {
    for each in StreamEnd::ALL {
        assert_eq!(StreamEnd::from_code(each.code()), Some(each));
    }
    assert_eq!(StreamEnd::from_code("504"), None);
    assert_eq!(
        replay(end(StreamEnd::Cut).as_bytes(), None).outcome,
        "truncated"
    );
    assert_eq!(
        replay(end(StreamEnd::Stalled).as_bytes(), None).outcome,
        "stalled"
    );
}

/// Regression: through the proxy a cut or stalled stream read "We're busy right now", and a
/// stall before any text was retried twice, because the proxy's end-of-stream event carried
/// the numeric code 502 or 504, which reads as an overload.
#[test]
fn the_proxys_end_of_stream_events_read_like_the_same_fault_in_direct_mode() {
    use StreamEnd::{Cut, Stalled, TooLong};
    let with = |before: &str, e| ok(format!("{before}{}", end(e)));
    check(vec![
        (
            "cut after text: kept, cut off, not retried",
            vec![with(HALF, Cut)],
            failed(1, TurnError::Interrupted, KEPT),
        ),
        (
            "cut before any event: cut off, retried",
            three(with("", Cut)),
            failed(3, TurnError::Interrupted, ASKED),
        ),
        (
            "stalled before any event: too long, not retried",
            vec![with("", Stalled), ok(sse_text("never asked"))],
            failed(1, TurnError::Timeout, ASKED),
        ),
        (
            "stalled after the role chunk: cut off, retried",
            vec![with(ROLE, Stalled), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
        (
            "stalled after text: kept, cut off, not retried",
            vec![with(HALF, Stalled)],
            failed(1, TurnError::Interrupted, KEPT),
        ),
        (
            "too long after text: kept, cut off",
            vec![with(HALF, TooLong)],
            failed(1, TurnError::Interrupted, KEPT),
        ),
        (
            "too long before any event: too long",
            vec![with("", TooLong)],
            failed(1, TurnError::Timeout, ASKED),
        ),
    ]);
}

const GATEWAY_TIMEOUT: &str = r#"{"error":{"message":"the provider did not answer in time","type":"upstream_error","code":504}}"#;

fn busy(status: u16, detail: &str) -> TurnError {
    TurnError::Busy {
        status,
        detail: detail.into(),
    }
}

/// Regression: the proxy's 504 for its headers time-out was retried twice as "busy", so the
/// customer waited three times `UPSTREAM_TIMEOUT_SECS`.
#[test]
fn a_gateway_time_out_is_a_time_out_and_the_real_overloads_are_retried() {
    let in_stream = |code: &str| {
        ok(format!(
            "data: {{\"error\":{{\"message\":\"Busy\",\"code\":{code}}}}}\n\n"
        ))
    };
    check(vec![
        (
            "HTTP 504",
            vec![status(504, GATEWAY_TIMEOUT), ok(sse_text("never asked"))],
            failed(1, TurnError::Timeout, ASKED),
        ),
        (
            "a 504 in the stream",
            vec![in_stream("504"), ok(sse_text("never asked"))],
            failed(1, TurnError::Timeout, ASKED),
        ),
        (
            "HTTP 502",
            vec![status(502, "{}"), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
        (
            "HTTP 503",
            vec![status(503, "{}"), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
        (
            "HTTP 529",
            vec![status(529, "{}"), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
        (
            "HTTP 429",
            vec![status(429, "{}"), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
        (
            "503 in the stream, every time",
            three(in_stream("503")),
            failed(3, busy(503, "Busy (503)"), ASKED),
        ),
        (
            "529 in the stream, then an answer",
            vec![in_stream("529"), ok(sse_text("Hi."))],
            answered(2, "Hi."),
        ),
        (
            "rate_limit_exceeded in the stream, every time",
            three(in_stream("\"rate_limit_exceeded\"")),
            failed(3, busy(429, "Busy (rate_limit_exceeded)"), ASKED),
        ),
    ]);
}
