//! The retry policy, as data: what may be retried, and how long to wait first.
//!
//! PROTOCOL_NOTES.md: retry 408, 409, 429 and 5xx (and connections that failed or broke off),
//! at most twice, after 0.5 s · 2^n capped at 8 s, less up to a quarter for jitter; honour
//! `retry-after-ms` / `Retry-After` when readable. Never retry 400, 401, 403, 404, 422, nor a
//! provider that sent nothing within the first-byte time-out: the customer has already waited
//! the whole time-out, and each retry would add another. For the same reason a 504 is not
//! retried: a gateway (the support proxy's `UPSTREAM_TIMEOUT_SECS`, or the provider's own)
//! answers it only after waiting its whole time-out for a provider that never answered. The
//! transport only sleeps and resends; every decision is made here.

use serde::{Deserialize, Serialize};

/// What went wrong with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptFailure {
    /// The server answered with this HTTP status.
    Status(u16),
    /// The request never got a response: the connection failed before any status arrived.
    NoAnswer,
    /// The provider sent nothing, not even the first byte of a body, within the first-byte
    /// time-out. Never retried.
    NoStart,
    /// The reply started and broke off: the body ended early, the connection failed, or it
    /// stalled between pieces.
    Cut,
}

/// Retry limits and backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
    /// A server that asks for a longer wait than this is not retried automatically.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
            max_retry_after_ms: 20_000,
        }
    }
}

/// Whether an HTTP status is worth another attempt.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429 | 500..=503 | 505..=599)
}

impl RetryPolicy {
    /// How long to wait before retry number `retries_done + 1`, or `None` when there should be
    /// no retry. `jitter` is a number in `[0, 1)` from the caller's random source.
    pub fn delay_ms(
        &self,
        failure: AttemptFailure,
        retries_done: u32,
        retry_after_ms: Option<u64>,
        jitter: f64,
    ) -> Option<u64> {
        let retryable = match failure {
            AttemptFailure::Status(status) => is_retryable_status(status),
            AttemptFailure::NoAnswer | AttemptFailure::Cut => true,
            AttemptFailure::NoStart => false,
        };
        if !retryable || retries_done >= self.max_retries {
            return None;
        }
        if let Some(wait) = retry_after_ms {
            return (wait <= self.max_retry_after_ms).then_some(wait);
        }
        let exponential = self
            .base_delay_ms
            .saturating_mul(1u64 << retries_done.min(32))
            .min(self.max_delay_ms);
        let jitter = jitter.clamp(0.0, 1.0);
        Some((exponential as f64 * (1.0 - 0.25 * jitter)).round() as u64)
    }
}

/// Reads the server's requested wait from `retry-after-ms` (milliseconds) or `Retry-After`
/// (whole seconds). An HTTP date or anything unreadable gives `None`: the client's own
/// backoff applies.
pub fn parse_retry_after(retry_after_ms: Option<&str>, retry_after: Option<&str>) -> Option<u64> {
    if let Some(ms) = retry_after_ms.and_then(|v| v.trim().parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(ms.round() as u64);
        }
    }
    let seconds: f64 = retry_after?.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| (seconds * 1000.0).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        for status in [408, 409, 429, 500, 502, 503, 529] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 422, 504] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stops_after_two_retries() {
        let policy = RetryPolicy::default();
        let delay = |n, jitter| policy.delay_ms(AttemptFailure::Status(503), n, None, jitter);
        assert_eq!(delay(0, 0.0), Some(500));
        assert_eq!(delay(1, 0.0), Some(1000));
        assert_eq!(delay(1, 0.999_999), Some(750));
        assert_eq!(delay(2, 0.0), None);
        let long = RetryPolicy {
            max_retries: 10,
            ..policy
        };
        assert_eq!(
            long.delay_ms(AttemptFailure::NoAnswer, 9, None, 0.0),
            Some(8000)
        );
    }

    #[test]
    fn client_errors_are_never_retried() {
        let policy = RetryPolicy::default();
        for status in [400, 401, 403, 404, 422] {
            assert_eq!(
                policy.delay_ms(AttemptFailure::Status(status), 0, Some(10), 0.5),
                None
            );
        }
    }

    /// Regression: a provider that never started was waited for three times over (the
    /// first-byte time-out and two retries of it).
    #[test]
    fn a_provider_that_never_started_is_not_retried() {
        let policy = RetryPolicy::default();
        let delay = |failure| policy.delay_ms(failure, 0, None, 0.0);
        assert_eq!(delay(AttemptFailure::NoStart), None);
        assert_eq!(delay(AttemptFailure::NoAnswer), Some(500));
        assert_eq!(delay(AttemptFailure::Cut), Some(500));
    }

    #[test]
    fn retry_after_is_honoured_within_reason() {
        let policy = RetryPolicy::default();
        let delay = |after| policy.delay_ms(AttemptFailure::Status(429), 0, after, 0.5);
        assert_eq!(delay(Some(1500)), Some(1500));
        assert_eq!(delay(Some(120_000)), None);
    }

    #[test]
    fn retry_after_headers() {
        assert_eq!(parse_retry_after(Some("250"), Some("9")), Some(250));
        assert_eq!(parse_retry_after(None, Some(" 2 ")), Some(2000));
        assert_eq!(parse_retry_after(Some("soon"), Some("1.5")), Some(1500));
        assert_eq!(
            parse_retry_after(None, Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None, Some("-3")), None);
        assert_eq!(parse_retry_after(None, None), None);
    }
}
