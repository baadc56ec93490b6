//! The one error type of the proxy's handlers, rendered as an OpenAI-style error body.
//!
//! Messages say what the client can fix; nothing of the provider's internals, and never the
//! key, is passed on.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// The request breaks a limit or is malformed.
    #[error("{0}")]
    Invalid(String),
    /// Too many requests from this client.
    #[error("too many requests, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The provider answered with an error; `status` is what the client gets.
    #[error("{message}")]
    Upstream {
        status: StatusCode,
        message: String,
        retry_after: Option<HeaderValue>,
    },
    /// The order store failed.
    #[error("the order service is unavailable")]
    Database,
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid(message.into())
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Upstream { status, .. } => *status,
            AppError::Database => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid_request_error",
            AppError::RateLimited { .. } => "rate_limit_error",
            AppError::Upstream { .. } => "upstream_error",
            AppError::Database => "server_error",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"message": self.to_string(), "type": self.kind(), "code": self.status().as_u16()}});
        let mut response = (self.status(), Json(body)).into_response();
        let retry_after = match &self {
            AppError::RateLimited { retry_after_secs } => {
                HeaderValue::from_str(&retry_after_secs.to_string()).ok()
            }
            AppError::Upstream { retry_after, .. } => retry_after.clone(),
            _ => None,
        };
        if let Some(value) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
