//! The decoder's own cases: cut-off versus malformed bodies, split characters, odd fields.

use super::*;

/// Decodes `body` whole and split in two at every byte; each way gives `expected`.
fn check(body: &[u8], expected: (&str, Outcome)) {
    let whole = decode_pieces([body], &["lookup_order"]);
    assert_eq!(
        (whole.content.as_str(), &whole.outcome),
        (expected.0, &expected.1),
        "{}",
        String::from_utf8_lossy(body)
    );
    for at in 0..body.len() {
        let split = decode_pieces([&body[..at], &body[at..]], &["lookup_order"]);
        assert_eq!(split, whole, "split at {at}");
    }
}

fn malformed(detail: &str) -> Outcome {
    Outcome::Error(format!("the provider sent malformed JSON ({detail})"))
}

fn malformed_event(detail: &str) -> Outcome {
    Outcome::Error(format!("the provider sent a malformed event ({detail})"))
}

/// Regression: a body whose error is detected at its last byte was reported as cut off.
#[test]
fn a_cut_off_body_is_truncated_and_a_wrong_one_malformed() {
    check(b"{\"choices\":[", ("", Outcome::Truncated));
    check(
        b"{\"choices\":[{\"message\":{\"content\":\"caf\xc3",
        ("", Outcome::Truncated),
    );
    check(
        b"{\"a\":1]",
        ("", malformed("expected `,` or `}` at line 1 column 7")),
    );
    check(
        b"{\"choices\":[]}x",
        ("", malformed("trailing characters at line 1 column 15")),
    );
    check(
        b"{\"choices\":7}",
        ("", Outcome::Error("the response had no choices".into())),
    );
}

#[test]
fn a_last_event_cut_off_is_truncated_and_a_wrong_one_skipped() {
    let first = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n";
    let with_last = |last: &str| format!("{first}data: {last}").into_bytes();
    check(&with_last("{\"choices\":["), ("a", Outcome::Truncated));
    check(&with_last("{\"a\":1]"), ("a", Outcome::Truncated));
    check(&with_last("{\"choices\":[]}x"), ("a", Outcome::Truncated));
}

/// Regression: one broken `data:` line in the middle of a good stream lost the whole reply.
#[test]
fn a_malformed_event_is_skipped_and_reported_once() {
    let text =
        |t: &str| format!("data: {{\"choices\":[{{\"delta\":{{\"content\":\"{t}\"}}}}]}}\n\n");
    let body = format!(
        "{}data: {{oops}}\n\n{}data: [1,\n\n{}data: [DONE]\n\n",
        text("Your refund "),
        text("is "),
        text("processing.")
    );
    check(
        body.as_bytes(),
        ("Your refund is processing.", Outcome::Complete),
    );
    let mut decoder = ResponseDecoder::new(&[]);
    let progress = decoder.push(body.as_bytes());
    let skipped: Vec<&Progress> = progress
        .iter()
        .filter(|p| matches!(p, Progress::Skipped(_)))
        .collect();
    assert_eq!(
        skipped,
        [&Progress::Skipped(
            "the provider sent a malformed event (key must be a string at line 1 column 2), skipped: {oops}".into()
        )]
    );
    assert_eq!(decoder.finish().0.skipped_events, 2);
}

#[test]
fn a_stream_of_nothing_but_malformed_events_is_malformed() {
    let body = "data: {oops}\n\ndata: {\"a\":1]\n\ndata: [DONE]\n\n";
    check(
        body.as_bytes(),
        (
            "",
            malformed_event("key must be a string at line 1 column 2"),
        ),
    );
}

/// Regression: an emoji split across two stream chunks must not fail the turn.
#[test]
fn a_character_split_across_pieces_arrives_whole() {
    let body = "data: {\"choices\":[{\"delta\":{\"content\":\"d\u{e9}j\u{e0} \u{1f44d}\"}}]}\n\n\
                data: {\"choices\":[{\"delta\":{\"content\":\"\u{1f600}\"},\"finish_reason\":\"stop\"}]}\n\n";
    check(
        body.as_bytes(),
        ("d\u{e9}j\u{e0} \u{1f44d}\u{1f600}", Outcome::Complete),
    );
    let json = "{\"choices\":[{\"message\":{\"content\":\"\u{1f600}!\"}}]}";
    check(json.as_bytes(), ("\u{1f600}!", Outcome::Complete));
}

#[test]
fn text_parts_and_odd_fields_do_not_fail_the_turn() {
    let body = "data: {\"choices\":[{\"index\":-1,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}],\"tool_calls\":[null]}}]}\n\n\
                data: {\"choices\":[{\"delta\":{\"content\":null},\"finish_reason\":\"stop\"}],\"error\":null}\n\n";
    check(body.as_bytes(), ("Hi", Outcome::Complete));
    check(
        b"data: {\"error\":429}\n\n",
        (
            "",
            Outcome::Overloaded {
                status: 429,
                detail: "the provider reported an error (429)".into(),
            },
        ),
    );
}
