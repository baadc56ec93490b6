//! Asking the provider: the forwarded request, its time-out, and what becomes of an error
//! answer (a status the widget can act on, none of the provider's words).
//!
//! An error body is read for the log only, at most [`MAX_ERROR_BODY`] bytes and within the
//! same time-out as the headers, so a provider that answers 500 and then stalls, or sends
//! megabytes, costs the proxy nothing.

use axum::http::{header, HeaderValue, StatusCode};
use futures_util::StreamExt;
use tokio::time::Instant;

use crate::error::AppError;
use crate::AppState;

/// The most of a provider's error body that is read.
pub const MAX_ERROR_BODY: usize = 64 * 1024;
/// The most of the provider's error `type` and `code` that is logged.
const MAX_LOGGED_FIELD: usize = 64;

/// Sends the validated request with the server's key; `Ok` only for a 2xx answer.
pub async fn send(
    state: &AppState,
    key: &str,
    payload: Vec<u8>,
    deadline: Instant,
) -> Result<reqwest::Response, AppError> {
    let url = format!("{}/chat/completions", state.config.upstream_base_url);
    let sending = state
        .http
        .post(url)
        .bearer_auth(key)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "text/event-stream, application/json")
        .body(payload)
        .send();
    let upstream = match tokio::time::timeout_at(deadline, sending).await {
        Err(_) => {
            tracing::warn!("provider did not answer in time");
            return Err(upstream_error(
                StatusCode::GATEWAY_TIMEOUT,
                "the provider did not answer in time",
                None,
            ));
        }
        Ok(Err(error)) => {
            tracing::warn!(error = %error.without_url(), "provider unreachable");
            return Err(upstream_error(
                StatusCode::BAD_GATEWAY,
                "the provider could not be reached",
                None,
            ));
        }
        Ok(Ok(response)) => response,
    };
    if upstream.status().is_success() {
        return Ok(upstream);
    }
    let status = upstream.status();
    let retry_after = upstream.headers().get(header::RETRY_AFTER).cloned();
    let body = read_capped(upstream, deadline).await;
    log_upstream_error(status, body.as_deref());
    Err(map_status(status, retry_after))
}

/// At most [`MAX_ERROR_BODY`] bytes of the body, read before `deadline`; `None` when nothing
/// came in time. The rest is never read: dropping the response closes its connection.
async fn read_capped(upstream: reqwest::Response, deadline: Instant) -> Option<Vec<u8>> {
    let mut stream = upstream.bytes_stream();
    let mut body = Vec::new();
    let reading = async {
        while let Some(Ok(piece)) = stream.next().await {
            let room = MAX_ERROR_BODY - body.len();
            body.extend_from_slice(&piece[..piece.len().min(room)]);
            if body.len() == MAX_ERROR_BODY {
                break;
            }
        }
    };
    if tokio::time::timeout_at(deadline, reading).await.is_err() {
        tracing::warn!(
            read = body.len(),
            "provider error body not finished in time"
        );
    }
    (!body.is_empty()).then_some(body)
}

/// The status and words the client gets for a provider's error status. The words never name
/// the proxy's variables; the log says which one to check.
fn map_status(status: StatusCode, retry_after: Option<HeaderValue>) -> AppError {
    let (client_status, message, check) = match status.as_u16() {
        401 => (
            StatusCode::UNAUTHORIZED,
            "the provider refused the proxy's credentials",
            Some("UPSTREAM_API_KEY"),
        ),
        403 => (
            StatusCode::FORBIDDEN,
            "the provider refused this model or plan for the proxy's key",
            None,
        ),
        404 => (
            StatusCode::NOT_FOUND,
            "the provider does not know this model or endpoint",
            Some("UPSTREAM_BASE_URL and ALLOWED_MODELS"),
        ),
        408 | 504 => (StatusCode::GATEWAY_TIMEOUT, "the provider timed out", None),
        409 | 429 => (
            StatusCode::TOO_MANY_REQUESTS,
            "the provider is rate limiting; retry shortly",
            None,
        ),
        503 => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the provider is busy; retry shortly",
            None,
        ),
        500..=599 => (StatusCode::BAD_GATEWAY, "the provider failed", None),
        _ => (
            StatusCode::BAD_REQUEST,
            "the provider rejected the request",
            None,
        ),
    };
    if let Some(check) = check {
        tracing::warn!(
            status = status.as_u16(),
            check,
            "provider refused the proxy's configuration"
        );
    }
    let retry_after = retry_after.or_else(|| {
        (client_status == StatusCode::TOO_MANY_REQUESTS).then(|| HeaderValue::from_static("2"))
    });
    upstream_error(client_status, message, retry_after)
}

pub fn upstream_error(
    status: StatusCode,
    message: &str,
    retry_after: Option<HeaderValue>,
) -> AppError {
    AppError::Upstream {
        status,
        message: message.to_owned(),
        retry_after,
    }
}

/// Logs the provider's error type and code, capped, never its message (it may quote the
/// conversation).
fn log_upstream_error(status: StatusCode, body: Option<&[u8]>) {
    let parsed: Option<serde_json::Value> = body.and_then(|b| serde_json::from_slice(b).ok());
    let field = |name: &str| {
        // As JSON: quotes and control characters come out escaped, so a value cannot forge a
        // log line.
        let value = parsed.as_ref()?.get("error")?.get(name)?;
        Some(cap(&value.to_string(), MAX_LOGGED_FIELD))
    };
    tracing::warn!(
        status = status.as_u16(),
        kind = field("type"),
        code = field("code"),
        "provider error"
    );
}

/// The first `max` characters of `text`, and `…` when there were more.
pub fn cap(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps() {
        assert_eq!(cap("short", 64), "short");
        assert_eq!(cap(&"x".repeat(100), 4), "xxxx…");
        assert_eq!(cap("ééééé", 2), "éé…");
    }

    /// However long the body, [`MAX_ERROR_BODY`] bytes are kept and at most one piece more is
    /// read.
    #[tokio::test]
    async fn an_error_body_is_read_to_64_kb_and_no_further() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        const PIECE: usize = 4096;
        let pulled = Arc::new(AtomicUsize::new(0));
        let counter = pulled.clone();
        let pieces = futures_util::stream::repeat(()).take(1024).map(move |()| {
            counter.fetch_add(PIECE, Ordering::SeqCst);
            Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'x'; PIECE]))
        });
        let response = axum::http::Response::new(reqwest::Body::wrap_stream(pieces));
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        let body = read_capped(reqwest::Response::from(response), deadline)
            .await
            .expect("a body");
        assert_eq!(body.len(), MAX_ERROR_BODY);
        let pulled = pulled.load(Ordering::SeqCst);
        assert!(pulled <= MAX_ERROR_BODY + PIECE, "read {pulled} bytes");
    }

    #[test]
    fn public_words_name_no_variable() {
        for status in [400, 401, 403, 404, 408, 409, 429, 500, 502, 503, 504, 418] {
            let status = StatusCode::from_u16(status).expect("status");
            let message = map_status(status, None).to_string();
            assert!(!message.contains('_'), "{status}: {message}");
        }
    }
}
