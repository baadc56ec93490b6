//! How a response ends: complete, retried, or failed with the error the customer is told,
//! keeping whatever text was shown.

use super::{Command, Conversation, Phase, RequestId, TransportFailure, TurnError};
use crate::decode::{Outcome, Reply};
use crate::history::EntryStatus;
use crate::protocol::Message;
use crate::retry::AttemptFailure;

impl Conversation {
    /// The response ended, or failed with `failure`. A reply that was already complete when
    /// the connection failed (after `[DONE]` or a `finish_reason`) is taken as complete; the
    /// body of an error status, whole or not, only details the status.
    pub(super) fn on_end(
        &mut self,
        now_ms: u64,
        request: RequestId,
        failure: Option<TransportFailure>,
        out: &mut Vec<Command>,
    ) {
        let Some(decoder) = self.turn.decoder.take() else {
            return;
        };
        let (reply, progress) = decoder.finish();
        self.show(request, progress, out);
        match (self.turn.status, failure) {
            (Some(status), _) if !(200..300).contains(&status) => {
                self.status_failed(now_ms, status, &reply.outcome, out)
            }
            (_, Some(failure)) if reply.outcome != Outcome::Complete => {
                self.transport_failed(now_ms, failure, out)
            }
            _ => self.reply_ended(now_ms, reply, out),
        }
    }

    fn status_failed(&mut self, now_ms: u64, status: u16, body: &Outcome, out: &mut Vec<Command>) {
        let detail = match body {
            Outcome::Error(message)
            | Outcome::Overloaded {
                detail: message, ..
            } => message.clone(),
            _ => format!("HTTP {status}"),
        };
        let error = status_error(status, detail);
        self.attempt_failed(now_ms, AttemptFailure::Status(status), error, out);
    }

    /// The transport gave up on the attempt. Only a request that never got a response blames
    /// the connection; one whose response had started was cut off. The transport reports a
    /// first-byte time-out for the wait for the headers and for the wait for the first piece
    /// of the body alike; either way the provider never started, unless bytes did arrive
    /// (then it stalled between pieces: the reply was cut off).
    fn transport_failed(&mut self, now_ms: u64, failure: TransportFailure, out: &mut Vec<Command>) {
        let (attempt, error) = match failure {
            TransportFailure::FirstByteTimeout | TransportFailure::IdleTimeout
                if !self.turn.received =>
            {
                (AttemptFailure::NoStart, TurnError::Timeout)
            }
            TransportFailure::FirstByteTimeout | TransportFailure::IdleTimeout => {
                (AttemptFailure::Cut, TurnError::Interrupted)
            }
            TransportFailure::Network(_) if self.turn.status.is_some() => {
                (AttemptFailure::Cut, TurnError::Interrupted)
            }
            TransportFailure::Network(detail) => {
                (AttemptFailure::NoAnswer, TurnError::Network(detail))
            }
        };
        self.attempt_failed(now_ms, attempt, error, out);
    }

    /// A successful status whose body ended: complete, cut off, or the provider's error. An
    /// overload reported in the stream is retried and worded like the HTTP status it stands
    /// for (never once text was shown). The support proxy's stall event reads like the
    /// transport's own time-outs: before any event of the reply the provider never started,
    /// after one the reply was cut off.
    fn reply_ended(&mut self, now_ms: u64, reply: Reply, out: &mut Vec<Command>) {
        match reply.outcome.clone() {
            Outcome::Complete => self.on_complete(now_ms, reply, out),
            Outcome::Truncated => {
                self.attempt_failed(now_ms, AttemptFailure::Cut, TurnError::Interrupted, out)
            }
            Outcome::Overloaded { status, detail } => self.attempt_failed(
                now_ms,
                AttemptFailure::Status(status),
                status_error(status, detail),
                out,
            ),
            Outcome::Stalled { started: false } => {
                self.attempt_failed(now_ms, AttemptFailure::NoStart, TurnError::Timeout, out)
            }
            Outcome::Stalled { started: true } => {
                self.attempt_failed(now_ms, AttemptFailure::Cut, TurnError::Interrupted, out)
            }
            Outcome::Error(message) => self.fail(now_ms, TurnError::Provider(message), out),
        }
    }

    /// Retries when the policy allows and nothing of the reply was shown; fails otherwise.
    pub(super) fn attempt_failed(
        &mut self,
        now_ms: u64,
        failure: AttemptFailure,
        error: TurnError,
        out: &mut Vec<Command>,
    ) {
        let jitter = self.next_jitter();
        let delay = self.settings.retry.delay_ms(
            failure,
            self.turn.retries,
            self.turn.retry_after_ms,
            jitter,
        );
        match delay {
            Some(delay_ms) if self.draft.is_empty() => {
                self.turn.retries += 1;
                self.start_request(delay_ms, out);
            }
            _ => self.fail(now_ms, error, out),
        }
    }

    /// Ends the turn with an error, keeping whatever text was shown, marked interrupted.
    pub(super) fn fail(&mut self, now_ms: u64, error: TurnError, out: &mut Vec<Command>) {
        self.keep_draft(now_ms, EntryStatus::Interrupted);
        self.turn.request = None;
        self.turn.decoder = None;
        self.phase = Phase::Failed(error);
        out.push(Command::Persist);
    }

    pub(super) fn keep_draft(&mut self, now_ms: u64, status: EntryStatus) {
        self.tool_activity = None;
        if !self.draft.trim().is_empty() {
            let text = std::mem::take(&mut self.draft);
            self.push(now_ms, Message::assistant(text, Vec::new()), status);
        }
        self.draft.clear();
    }
}

/// What the customer is told for an HTTP status, or an error in the stream that stands for
/// one. A 504 is a gateway (the support proxy's `UPSTREAM_TIMEOUT_SECS`, or the provider's own)
/// that already waited its whole time-out: a time-out, and not retried (`retry.rs`).
fn status_error(status: u16, detail: String) -> TurnError {
    match status {
        401 | 403 | 404 => TurnError::Unavailable { status, detail },
        408 | 504 => TurnError::Timeout,
        409 | 429 | 500..=599 => TurnError::Busy { status, detail },
        _ => TurnError::Rejected { status, detail },
    }
}
