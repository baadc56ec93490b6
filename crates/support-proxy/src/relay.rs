//! Relaying the provider's 2xx answer to the client as it arrives, within two time-outs: the
//! idle time between two pieces (`UPSTREAM_IDLE_TIMEOUT_SECS`) and the whole answer
//! (`UPSTREAM_MAX_RESPONSE_SECS`).
//!
//! When either fires, or the provider's connection breaks, the provider's connection is
//! dropped and an event stream ends with an OpenAI-style error event whose `code` is the
//! core's [`StreamEnd`] (never an HTTP status, which the widget would take for an overload and
//! retry): `data: {"error":{"message":…,"type":"upstream_error","code":"upstream_stalled"}}`
//! (`upstream_cut` when the connection broke, `upstream_too_long` past the whole-answer limit).
//! The widget reads it like the same fault in direct mode. Events are passed on whole (cut
//! after the blank line that ends them), so that error event never lands in the middle of a
//! half-sent one; a JSON answer, which cannot carry an error half-way, is cut off instead.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use support_core::proxy::StreamEnd;
use tokio::time::Instant;

use crate::config::Timeouts;

/// Why the client's copy of an answer ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    #[error("the provider stopped sending its reply")]
    Idle,
    #[error("the provider's reply took too long")]
    TooLong,
    #[error("the provider's reply was cut off")]
    Broken,
}

impl Stop {
    /// The code the widget reads the end by.
    pub fn end(self) -> StreamEnd {
        match self {
            Stop::Idle => StreamEnd::Stalled,
            Stop::TooLong => StreamEnd::TooLong,
            Stop::Broken => StreamEnd::Cut,
        }
    }

    /// The OpenAI-style error event that ends an event stream.
    pub fn event(self) -> Bytes {
        let body = serde_json::json!({"error": {
            "message": self.to_string(),
            "type": "upstream_error",
            "code": self.end().code(),
        }});
        Bytes::from(format!("data: {body}\n\n"))
    }
}

/// The client's response: the provider's content type, its body passed through piece by piece.
pub fn relay(upstream: reqwest::Response, timeouts: &Timeouts, deadline: Instant) -> Response {
    let content_type = upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("application/json"));
    let sse = content_type
        .to_str()
        .is_ok_and(|t| t.trim_start().starts_with("text/event-stream"));
    let state = Relay {
        upstream: Some(upstream.bytes_stream().boxed()),
        idle: timeouts.upstream_idle,
        deadline,
        sse,
        pending: Vec::new(),
    };
    let mut response = Response::new(Body::from_stream(futures_util::stream::unfold(
        state, next_piece,
    )));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

struct Relay {
    /// `None` once the provider's answer ended or was dropped.
    upstream: Option<BoxStream<'static, reqwest::Result<Bytes>>>,
    idle: Duration,
    deadline: Instant,
    sse: bool,
    /// Event-stream bytes after the last complete event.
    pending: Vec<u8>,
}

async fn next_piece(mut relay: Relay) -> Option<(Result<Bytes, Stop>, Relay)> {
    loop {
        let upstream = relay.upstream.as_mut()?;
        let wait = (Instant::now() + relay.idle).min(relay.deadline);
        let stop = match tokio::time::timeout_at(wait, upstream.next()).await {
            Ok(Some(Ok(piece))) if !relay.sse => return Some((Ok(piece), relay)),
            Ok(Some(Ok(piece))) => {
                relay.pending.extend_from_slice(&piece);
                let cut = after_last_event(&relay.pending);
                if cut == 0 {
                    continue;
                }
                let rest = relay.pending.split_off(cut);
                let events = std::mem::replace(&mut relay.pending, rest);
                return Some((Ok(Bytes::from(events)), relay));
            }
            Ok(None) => {
                relay.upstream = None;
                let rest = std::mem::take(&mut relay.pending);
                return (!rest.is_empty()).then(|| (Ok(Bytes::from(rest)), relay));
            }
            Ok(Some(Err(_))) => Stop::Broken,
            Err(_) if Instant::now() >= relay.deadline => Stop::TooLong,
            Err(_) => Stop::Idle,
        };
        // Dropping the provider's body closes its connection.
        relay.upstream = None;
        relay.pending.clear();
        tracing::warn!(reason = %stop, "provider reply ended early");
        let end = if relay.sse {
            Ok(stop.event())
        } else {
            Err(stop)
        };
        return Some((end, relay));
    }
}

/// The length of the complete events at the start of `bytes`: up to the end of the last blank
/// line (a line ending right after another: LF LF, CR CR, LF CR, or LF CR LF).
pub fn after_last_event(bytes: &[u8]) -> usize {
    let ending = |b: &u8| matches!(b, b'\r' | b'\n');
    let Some(i) = bytes
        .windows(2)
        .rposition(|w| ending(&w[0]) && ending(&w[1]) && w != b"\r\n")
    else {
        return 0;
    };
    let cut = i + 2;
    if bytes[cut - 1] == b'\r' && bytes.get(cut) == Some(&b'\n') {
        cut + 1
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &str, expected: &str) {
        let cut = after_last_event(bytes.as_bytes());
        assert_eq!(&bytes[..cut], expected, "{bytes:?}");
    }

    #[test]
    fn events_are_cut_after_their_blank_line() {
        check("data: a\n\n", "data: a\n\n");
        check("data: a\n\ndata: b", "data: a\n\n");
        check("data: a\n\ndata: b\n", "data: a\n\n");
        check("data: a\r\n\r\ndata: b", "data: a\r\n\r\n");
        check("data: a\r\n\r", "data: a\r\n\r");
        check("data: a\r\rdata: b", "data: a\r\r");
        check("data: a\r\n", "");
        check("data: {\"cho", "");
        check("", "");
    }

    /// Regression: the events carried the numeric codes 504 and 502, which the widget read as
    /// the provider being busy, and retried.
    #[test]
    fn the_error_event_is_openai_style_with_a_code_that_is_not_a_status() {
        for (stop, code) in [
            (Stop::Idle, "upstream_stalled"),
            (Stop::TooLong, "upstream_too_long"),
            (Stop::Broken, "upstream_cut"),
        ] {
            let event = stop.event();
            let text = std::str::from_utf8(&event).expect("utf-8");
            let data = text.strip_prefix("data: ").expect("data").trim();
            let json: serde_json::Value = serde_json::from_str(data).expect("json");
            assert_eq!(json["error"]["type"], "upstream_error");
            assert_eq!(json["error"]["code"], code);
            assert_eq!(json["error"]["message"], stop.to_string());
            assert!(text.ends_with("\n\n"));
        }
    }
}
