//! `POST /v1/chat/completions`: validate, add the server's key, forward, stream back.
//!
//! The client's `Authorization` is never forwarded. A 2xx answer is streamed through as it
//! arrives (`relay`); an error answer becomes an OpenAI-style error with a status the widget
//! can act on, and none of the provider's words (`upstream`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use support_core::protocol::ChatRequest;
use tokio::time::Instant;

use crate::error::AppError;
use crate::{relay, upstream, validate, AppState};

/// What the chat says when the proxy has no key and listens on a loopback address (a
/// developer's machine): the owner reads it in the chat itself. Elsewhere clients get a
/// generic error and the log says what to set.
pub const NO_KEY_MESSAGE: &str =
    "This store's support chat is not set up yet: the support proxy has no API key. \
Set UPSTREAM_API_KEY (or OXLO_API_KEY) in its environment and restart it.";

/// The body is capped at `MAX_BODY_BYTES` by the route's `DefaultBodyLimit`.
pub async fn completions(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let body = crate::body::bytes(body, state.config.max_body_bytes)?;
    let request = validate::chat_request(&body, &state.config)?;
    let Some(key) = state.config.upstream_api_key.as_deref() else {
        tracing::warn!(
            variable = "UPSTREAM_API_KEY",
            "chat refused: the proxy has no API key"
        );
        return if state.config.is_local() {
            Ok(canned_reply(&request, NO_KEY_MESSAGE))
        } else {
            Err(AppError::NotConfigured)
        };
    };
    // The validated request, written anew: exactly what was checked is forwarded.
    let payload = serde_json::to_vec(&request)
        .map_err(|e| AppError::invalid(format!("the request cannot be forwarded: {e}")))?;
    let timeouts = &state.config.timeouts;
    let asked = Instant::now();
    let headers_deadline = asked + timeouts.upstream_headers;
    let answer = upstream::send(&state, key, payload, headers_deadline).await?;
    Ok(relay::relay(
        answer,
        timeouts,
        asked + timeouts.upstream_max_response,
    ))
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
