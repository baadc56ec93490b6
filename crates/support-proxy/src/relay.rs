//! Relaying the provider's 2xx answer to the client as it arrives, within two time-outs: the
//! idle time between two pieces (`UPSTREAM_IDLE_TIMEOUT_SECS`) and the whole answer
//! (`UPSTREAM_MAX_RESPONSE_SECS`).
//!
//! When either fires, or the provider's connection breaks, or an event grows past
//! [`MAX_EVENT_BYTES`] without ending, the provider's connection is dropped and an event
//! stream ends with an OpenAI-style error event whose `code` is the core's [`StreamEnd`]
//! (never an HTTP status, which the widget would take for an overload and retry):
//! `data: {"error":{"message":…,"type":"upstream_error","code":"upstream_stalled"}}`
//! (`upstream_cut` when the connection broke, `upstream_too_long` past the whole-answer limit
//! or for an event too large). The widget reads it like the same fault in direct mode. Events
//! are passed on whole (cut after the blank line that ends them), so that error event never
//! lands in the middle of a half-sent one; a JSON answer, which cannot carry an error
//! half-way, is cut off instead.
//!
//! The provider is read by a task of its own, which hands pieces to the client's body through
//! a channel of [`CHANNEL_PIECES`]: the time-outs run whether or not the client reads, and a
//! client that stops reading for the idle time-out has its reply cut and the provider let go.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use support_core::proxy::StreamEnd;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::config::Timeouts;

/// The longest event passed on: more bytes than this without an event's end are refused.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;
/// Pieces read ahead of a client that is slow to take them.
pub const CHANNEL_PIECES: usize = 8;

/// Why the client's copy of an answer ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    #[error("the provider stopped sending its reply")]
    Idle,
    #[error("the provider's reply took too long")]
    TooLong,
    #[error("the provider's reply was cut off")]
    Broken,
    #[error("the provider sent an event larger than the proxy passes on")]
    TooLarge,
    /// The client took nothing for the idle time-out: it gets no error event, its connection
    /// is cut.
    #[error("the client stopped reading the reply")]
    Unread,
}

impl Stop {
    /// The code the widget reads the end by.
    pub fn end(self) -> StreamEnd {
        match self {
            Stop::Idle | Stop::Unread => StreamEnd::Stalled,
            Stop::TooLong | Stop::TooLarge => StreamEnd::TooLong,
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
    let (pieces, received) = mpsc::channel(CHANNEL_PIECES);
    let (last, last_received) = oneshot::channel();
    let pump = Pump {
        upstream: upstream.bytes_stream().boxed(),
        pieces,
        idle: timeouts.upstream_idle,
        deadline,
        events: sse.then(Events::default),
    };
    tokio::spawn(pump.run(last));
    let mut response = Response::new(Body::from_stream(client_body(received, last_received)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

type Piece = Result<Bytes, Stop>;

/// The pieces as the pump sent them, then its last word (the rest of the events, or how the
/// reply ended early).
fn client_body(
    received: mpsc::Receiver<Bytes>,
    last: oneshot::Receiver<Option<Piece>>,
) -> impl futures_util::Stream<Item = Piece> {
    futures_util::stream::unfold((received, Some(last)), |(mut received, last)| async move {
        if let Some(piece) = received.recv().await {
            return Some((Ok(piece), (received, last)));
        }
        let piece = last?.await.ok().flatten()?;
        Some((piece, (received, None)))
    })
}

/// Reads the provider's answer into the client's channel, within the time-outs.
struct Pump {
    upstream: BoxStream<'static, reqwest::Result<Bytes>>,
    pieces: mpsc::Sender<Bytes>,
    idle: Duration,
    deadline: Instant,
    /// For an event stream: the bytes after the last complete event.
    events: Option<Events>,
}

impl Pump {
    async fn run(mut self, last: oneshot::Sender<Option<Piece>>) {
        let word = match self.pump().await {
            Ok(()) => self
                .events
                .take()
                .map(Events::rest)
                .filter(|rest| !rest.is_empty())
                .map(Ok),
            Err(None) => return, // the client went away
            Err(Some(stop)) => {
                tracing::warn!(reason = %stop, "provider reply ended early");
                let sse = self.events.is_some() && stop != Stop::Unread;
                Some(if sse { Ok(stop.event()) } else { Err(stop) })
            }
        };
        // Dropping the provider's body closes its connection, before the client's last piece.
        drop(self.upstream);
        let _ = last.send(word);
    }

    /// Until the answer ends (`Ok`), the client goes (`Err(None)`) or it stops early.
    async fn pump(&mut self) -> Result<(), Option<Stop>> {
        loop {
            // Checked first: a provider whose next piece is always ready never times out below.
            if Instant::now() >= self.deadline {
                return Err(Some(Stop::TooLong));
            }
            let wait = (Instant::now() + self.idle).min(self.deadline);
            let next = tokio::select! {
                next = tokio::time::timeout_at(wait, self.upstream.next()) => next,
                () = self.pieces.closed() => return Err(None),
            };
            let piece = match next {
                Ok(Some(Ok(piece))) => piece,
                Ok(None) => return Ok(()),
                Ok(Some(Err(_))) => return Err(Some(Stop::Broken)),
                Err(_) => return Err(Some(self.late())),
            };
            let piece = match &mut self.events {
                None => piece,
                Some(events) => match events.push(&piece)? {
                    Some(complete) => complete,
                    None => continue,
                },
            };
            self.hand_over(piece).await?;
        }
    }

    /// Gives `piece` to the client within the idle time-out and the deadline.
    async fn hand_over(&mut self, piece: Bytes) -> Result<(), Option<Stop>> {
        let wait = (Instant::now() + self.idle).min(self.deadline);
        match tokio::time::timeout_at(wait, self.pieces.send(piece)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(None),
            Err(_) if Instant::now() >= self.deadline => Err(Some(Stop::TooLong)),
            Err(_) => Err(Some(Stop::Unread)),
        }
    }

    fn late(&self) -> Stop {
        if Instant::now() >= self.deadline {
            Stop::TooLong
        } else {
            Stop::Idle
        }
    }
}

/// An event stream's bytes after its last complete event, at most [`MAX_EVENT_BYTES`].
#[derive(Default)]
struct Events {
    pending: Vec<u8>,
}

impl Events {
    /// The complete events `piece` finishes, if any; only the new bytes are searched.
    fn push(&mut self, piece: &[u8]) -> Result<Option<Bytes>, Option<Stop>> {
        let from = self.pending.len().saturating_sub(1);
        self.pending.extend_from_slice(piece);
        let cut = after_last_event(&self.pending, from);
        if cut == 0 {
            return if self.pending.len() > MAX_EVENT_BYTES {
                Err(Some(Stop::TooLarge))
            } else {
                Ok(None)
            };
        }
        let rest = self.pending.split_off(cut);
        Ok(Some(Bytes::from(std::mem::replace(
            &mut self.pending,
            rest,
        ))))
    }

    fn rest(self) -> Bytes {
        Bytes::from(self.pending)
    }
}

/// The length of the complete events at the start of `bytes`: up to the end of the last blank
/// line (a line ending right after another: LF LF, CR CR, LF CR, or LF CR LF), looking only at
/// the line endings from `from` on (the bytes before it held no blank line).
pub fn after_last_event(bytes: &[u8], from: usize) -> usize {
    let ending = |b: &u8| matches!(b, b'\r' | b'\n');
    let from = from.min(bytes.len());
    let Some(i) = bytes[from..]
        .windows(2)
        .rposition(|w| ending(&w[0]) && ending(&w[1]) && w != b"\r\n")
    else {
        return 0;
    };
    let cut = from + i + 2;
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
        let cut = after_last_event(bytes.as_bytes(), 0);
        assert_eq!(&bytes[..cut], expected, "{bytes:?}");
        // Fed a byte at a time, the events come out the same.
        let mut events = Events::default();
        let mut out = Vec::new();
        for b in bytes.as_bytes() {
            if let Some(complete) = events.push(&[*b]).expect("small") {
                out.extend_from_slice(&complete);
            }
        }
        let whole = String::from_utf8(out).expect("utf-8");
        assert!(
            expected.starts_with(&whole) || whole.starts_with(expected),
            "{bytes:?}: {whole:?}"
        );
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
            (Stop::TooLarge, "upstream_too_long"),
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

    /// Regression: the whole-reply cap was looked at only when a wait for the provider timed
    /// out, so a provider whose next piece was always ready was relayed for ever.
    #[tokio::test]
    async fn the_cap_holds_when_the_next_piece_is_always_ready() {
        for events in [Some(Events::default()), None] {
            let (pieces, mut received) = mpsc::channel(CHANNEL_PIECES);
            let (last, last_received) = oneshot::channel();
            let always = futures_util::stream::repeat_with(|| {
                reqwest::Result::Ok(Bytes::from_static(b"data: x\n\n"))
            });
            let cap = Duration::from_millis(200);
            let started = Instant::now();
            let pump = Pump {
                upstream: always.boxed(),
                pieces,
                idle: Duration::from_secs(60),
                deadline: started + cap,
                events,
            };
            let sse = pump.events.is_some();
            tokio::spawn(async move { while received.recv().await.is_some() {} });
            tokio::time::timeout(Duration::from_secs(5), pump.run(last))
                .await
                .expect("the pump stops at the cap");
            assert!(started.elapsed() >= cap);
            let word = last_received.await.expect("a last word").expect("a piece");
            let expected = if sse {
                Ok(Stop::TooLong.event())
            } else {
                Err(Stop::TooLong)
            };
            assert_eq!(word, expected);
        }
    }

    #[test]
    fn an_event_without_an_end_is_refused_past_the_cap() {
        let mut events = Events::default();
        let piece = vec![b'x'; 64 * 1024];
        let mut pushed = 0;
        let refused = loop {
            match events.push(&piece) {
                Ok(None) => pushed += piece.len(),
                Ok(Some(_)) => panic!("no event ended"),
                Err(stop) => break stop,
            }
        };
        assert_eq!(refused, Some(Stop::TooLarge));
        assert_eq!(pushed, MAX_EVENT_BYTES);
    }
}
