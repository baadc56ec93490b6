//! Fault cases as data: a script for the provider, and how the customer's turn must end (the
//! requests it cost, the phase, the last entry of the history).

use support_core::{EntryStatus, Phase, Settings, TransportFailure, TurnError};

use super::{Harness, Scripted};

/// The first chunk of many streams: a role and no text.
pub const ROLE: &str =
    "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
/// Text, and the stream goes on.
pub const HALF: &str = "data: {\"choices\":[{\"delta\":{\"content\":\"Half\"}}]}\n\n";

/// How a turn ended: requests sent, the phase, and the last entry's text and status.
pub type End = (usize, Phase, (String, EntryStatus));

/// The customer said "hello" and nothing came back.
pub const ASKED: (&str, EntryStatus) = ("hello", EntryStatus::Complete);
/// The text that arrived is kept, marked interrupted.
pub const KEPT: (&str, EntryStatus) = ("Half", EntryStatus::Interrupted);

/// The customer says "hello" against `script`; returns the harness and how the turn ended.
pub fn run(script: Vec<Scripted>) -> (Harness, End) {
    let mut h = Harness::new(Settings::default());
    h.script(script);
    h.say("hello");
    let last = h.conversation.history().last().expect("the message stays");
    let last = (
        last.message.text().unwrap_or_default().to_owned(),
        last.status,
    );
    let end = (h.requests.len(), h.conversation.phase().clone(), last);
    (h, end)
}

/// Runs every case and reports all that ended otherwise than expected.
pub fn check(cases: Vec<(&str, Vec<Scripted>, End)>) {
    let failures: Vec<String> = cases
        .into_iter()
        .filter_map(|(name, script, expected)| {
            let (_, got) = run(script);
            (got != expected)
                .then(|| format!("{name}:\n  got      {got:?}\n  expected {expected:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Sends `bytes`, then fails the way a transport does.
pub fn after(bytes: &str, failure: TransportFailure) -> Scripted {
    Scripted::FailAfter {
        bytes: bytes.as_bytes().to_vec(),
        failure,
    }
}

pub fn failed(requests: usize, error: TurnError, last: (&str, EntryStatus)) -> End {
    (requests, Phase::Failed(error), (last.0.to_owned(), last.1))
}

pub fn answered(requests: usize, text: &str) -> End {
    (
        requests,
        Phase::Idle,
        (text.to_owned(), EntryStatus::Complete),
    )
}

/// The same script three times: what the first attempt and both retries get.
pub fn three(s: Scripted) -> Vec<Scripted> {
    vec![s.clone(), s.clone(), s]
}
