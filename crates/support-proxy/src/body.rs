//! The JSON bodies of the routes that store something (refund requests, cancellations,
//! hand-offs, feedback): read within a size cap, refused unless they are a JSON object of the
//! route's shape. An unreadable or mistyped body is a 400, a body over the cap a 413, both with
//! the OpenAI-style error body; the routes' own checks of the values follow (422, or 400 for
//! feedback). Every API body, the chat's too, must arrive within `REQUEST_BODY_TIMEOUT_SECS`
//! ([`limit_time`]), or the request is a 408.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::error::AppError;

/// The body as `T`; `limit` is the route's cap, the one its `DefaultBodyLimit` enforces.
pub fn read<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<T, AppError> {
    let body = bytes(body, limit)?;
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| AppError::invalid(format!("the body is not valid JSON: {e}")))?;
    // serde would read a struct from an array too; only an object is accepted.
    if !value.is_object() {
        return Err(AppError::invalid("the body must be a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| AppError::invalid(format!("malformed body: {e}")))
}

/// The body's bytes within `limit`: 413 over it, 408 when it came too slowly
/// ([`with_deadline`]), 400 when it could not be read for another reason (the client went
/// away, broken chunking).
pub fn bytes(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, AppError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge { limit }
        } else if caused_by_deadline(&rejection) {
            AppError::BodyTimeout
        } else {
            AppError::invalid("the request body could not be read")
        }
    })?;
    if body.len() > limit {
        return Err(AppError::TooLarge { limit });
    }
    Ok(body)
}

/// The request body did not arrive within its deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received in time")]
pub struct BodyTimedOut;

fn caused_by_deadline(error: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(error), |e| e.source()).any(|e| e.is::<BodyTimedOut>())
}

/// Middleware: the whole request body must arrive within `timeout` of the request's
/// headers, however it is paced (a client sending a byte a second is cut off at the deadline,
/// not every time it goes quiet); reading it later fails with [`BodyTimedOut`].
pub async fn limit_time(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    let deadline = Instant::now() + timeout;
    next.run(request.map(|body| with_deadline(body, deadline)))
        .await
}

fn with_deadline(body: Body, deadline: Instant) -> Body {
    let data = body.into_data_stream();
    Body::from_stream(futures_util::stream::unfold(
        Some(data),
        move |data| async move {
            let mut data = data?;
            match tokio::time::timeout_at(deadline, data.next()).await {
                Ok(Some(piece)) => Some((piece.map_err(axum::Error::new), Some(data))),
                Ok(None) => None,
                Err(_) => Some((Err(axum::Error::new(BodyTimedOut)), None)),
            }
        },
    ))
}

/// Seconds since the Unix epoch, the `created_at` of the proxy's rows.
pub fn now_secs() -> i64 {
    i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A short random reference a customer can quote: `prefix`, a dash and 12 upper-case hex
/// digits (48 random bits of a v4 UUID).
pub fn reference(prefix: &str) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", random[..12].to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Shape {
        reason: String,
    }

    fn check(body: &str, expected: StatusCode) {
        let got = read::<Shape>(Ok(Bytes::from(body.to_owned())), 64).map(|_| ());
        assert_eq!(
            got.err().map_or(StatusCode::OK, |e| e.status()),
            expected,
            "{body}"
        );
    }

    #[test]
    fn only_an_object_of_the_shape_within_the_cap_is_read() {
        check(r#"{"reason": "broken"}"#, StatusCode::OK);
        check(r#"["broken"]"#, StatusCode::BAD_REQUEST);
        check(r#"{"reason": 5}"#, StatusCode::BAD_REQUEST);
        check("{", StatusCode::BAD_REQUEST);
        check("", StatusCode::BAD_REQUEST);
        check(
            &format!(r#"{{"reason": "{}"}}"#, "x".repeat(64)),
            StatusCode::PAYLOAD_TOO_LARGE,
        );
    }

    #[test]
    fn references_are_short_and_distinct() {
        let (a, b) = (reference("R"), reference("R"));
        assert_eq!(a.len(), 14);
        assert!(a.starts_with("R-") && a[2..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
