//! `POST /v1/chat/completions`: validate, add the server's key, forward, stream back.
//!
//! The client's `Authorization` is never forwarded. A 2xx answer is streamed through as it
//! arrives (no buffering); an error answer becomes an OpenAI-style error with a status the
//! widget can act on, and none of the provider's words.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use support_core::protocol::ChatRequest;

use crate::error::AppError;
use crate::{validate, AppState};

/// What the chat says when the proxy has no key: the owner reads it in the chat itself.
pub const NO_KEY_MESSAGE: &str =
    "This store's support chat is not set up yet: the support proxy has no API key. \
Set UPSTREAM_API_KEY (or OXLO_API_KEY) in its environment and restart it.";

pub async fn completions(State(state): State<AppState>, body: Body) -> Result<Response, AppError> {
    let limit = state.config.max_body_bytes;
    let too_large = || AppError::invalid(format!("request body is larger than {limit} bytes"));
    let body = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    let request = validate::chat_request(&body, &state.config)?;
    let Some(key) = state.config.upstream_api_key.as_deref() else {
        return Ok(canned_reply(&request, NO_KEY_MESSAGE));
    };
    let url = format!("{}/chat/completions", state.config.upstream_base_url);
    // The validated request, written anew: exactly what was checked is forwarded.
    let payload = serde_json::to_vec(&request)
        .map_err(|e| AppError::invalid(format!("the request cannot be forwarded: {e}")))?;
    let sending = state
        .http
        .post(url)
        .bearer_auth(key)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "text/event-stream, application/json")
        .body(payload)
        .send();
    let timeout = Duration::from_secs(state.config.upstream_timeout_secs);
    let upstream = match tokio::time::timeout(timeout, sending).await {
        Err(_) => {
            return Err(upstream_error(
                StatusCode::GATEWAY_TIMEOUT,
                "the provider did not answer in time",
                None,
            ))
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
    let status = upstream.status();
    if status.is_success() {
        let content_type = upstream
            .headers()
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or(HeaderValue::from_static("application/json"));
        let mut response = Response::new(Body::from_stream(upstream.bytes_stream()));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, content_type);
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        return Ok(response);
    }
    let retry_after = upstream.headers().get(header::RETRY_AFTER).cloned();
    log_upstream_error(status, upstream.bytes().await.ok());
    Err(map_status(status, retry_after))
}

/// The status and words the client gets for a provider's error status.
fn map_status(status: StatusCode, retry_after: Option<HeaderValue>) -> AppError {
    let (status, message) = match status.as_u16() {
        401 => (StatusCode::UNAUTHORIZED, "the provider refused the proxy's API key; check UPSTREAM_API_KEY"),
        403 => (StatusCode::FORBIDDEN, "the provider refused this model or plan for the proxy's key"),
        404 => (StatusCode::NOT_FOUND, "the provider does not know this model or endpoint; check UPSTREAM_BASE_URL and ALLOWED_MODELS"),
        408 | 504 => (StatusCode::GATEWAY_TIMEOUT, "the provider timed out"),
        409 | 429 => (StatusCode::TOO_MANY_REQUESTS, "the provider is rate limiting; retry shortly"),
        503 => (StatusCode::SERVICE_UNAVAILABLE, "the provider is busy; retry shortly"),
        500..=599 => (StatusCode::BAD_GATEWAY, "the provider failed"),
        _ => (StatusCode::BAD_REQUEST, "the provider rejected the request"),
    };
    let retry_after = retry_after.or_else(|| {
        (status == StatusCode::TOO_MANY_REQUESTS).then(|| HeaderValue::from_static("2"))
    });
    upstream_error(status, message, retry_after)
}

fn upstream_error(status: StatusCode, message: &str, retry_after: Option<HeaderValue>) -> AppError {
    AppError::Upstream {
        status,
        message: message.to_owned(),
        retry_after,
    }
}

/// Logs the provider's error type and code, never its message (it may quote the conversation).
fn log_upstream_error(status: StatusCode, body: Option<Bytes>) {
    let parsed: Option<serde_json::Value> = body.and_then(|b| serde_json::from_slice(&b).ok());
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v["error"].get(name))
            .map(|v| v.to_string())
    };
    tracing::warn!(
        status = status.as_u16(),
        kind = field("type"),
        code = field("code"),
        "provider error"
    );
}

/// A complete assistant reply in the form the request asked for.
fn canned_reply(request: &ChatRequest, text: &str) -> Response {
    if request.stream == Some(true) {
        let chunk = json!({"object": "chat.completion.chunk", "model": request.model,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": "stop"}]});
        let body = format!("data: {chunk}\n\ndata: [DONE]\n\n");
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        (headers, body).into_response()
    } else {
        let body = json!({"object": "chat.completion", "model": request.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]});
        axum::Json(body).into_response()
    }
}
