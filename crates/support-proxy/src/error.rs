//! The one error type of the proxy's handlers, rendered as an OpenAI-style error body.
//!
//! Messages say what the client can fix; nothing of the provider's internals, no configuration
//! variable's name, and never the key, is passed on (the log says what the operator must do).

use axum::extract::rejection::{PathRejection, QueryRejection};
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
    /// A JSON route was sent a body that does not say it is JSON.
    #[error("the request body must be sent as Content-Type: application/json")]
    NotJson,
    /// A browser on a site that is not allowed to call the proxy.
    #[error("requests from this origin are not allowed")]
    OriginNotAllowed,
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
    /// The proxy is not set up to answer this (the log says what is missing).
    #[error("the support chat is not available right now")]
    NotConfigured,
    /// The order store failed.
    #[error("the order service is unavailable")]
    Database,
    /// No such order, or its email does not match: one answer for both, so ids cannot be
    /// enumerated.
    #[error("Order not found")]
    OrderNotFound,
    /// The body is larger than the route reads.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The body did not arrive within `REQUEST_BODY_TIMEOUT_SECS`.
    #[error("the request body was not received in time")]
    BodyTimeout,
    /// The request names a host the proxy does not serve (`PUBLIC_HOSTS`).
    #[error("this host is not served here")]
    UnknownHost,
    /// No API route has this path.
    #[error("no such route")]
    NoRoute,
    /// The route exists, but not for this method.
    #[error("this method is not allowed on this route")]
    MethodNotAllowed,
    /// The body is well-formed JSON of the right shape, but a value is not acceptable.
    #[error("{0}")]
    Unprocessable(String),
    /// The help articles', the feedback's, the requests' or the tickets' table failed.
    #[error("this service is unavailable right now")]
    Unavailable,
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid(message.into())
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        AppError::Unprocessable(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::OriginNotAllowed => StatusCode::FORBIDDEN,
            AppError::OrderNotFound => StatusCode::NOT_FOUND,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::UnknownHost => StatusCode::MISDIRECTED_REQUEST,
            AppError::NoRoute => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Upstream { status, .. } => *status,
            AppError::NotConfigured | AppError::Database | AppError::Unavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            AppError::Invalid(_)
            | AppError::NotJson
            | AppError::OriginNotAllowed
            | AppError::TooLarge { .. }
            | AppError::BodyTimeout
            | AppError::UnknownHost
            | AppError::NoRoute
            | AppError::MethodNotAllowed
            | AppError::Unprocessable(_) => "invalid_request_error",
            AppError::OrderNotFound => "not_found_error",
            AppError::RateLimited { .. } => "rate_limit_error",
            AppError::Upstream { .. } => "upstream_error",
            AppError::NotConfigured | AppError::Database | AppError::Unavailable => "server_error",
        }
    }

    /// The OpenAI-style body: `{"error": {"message", "type", "code"}}`.
    pub fn body(&self) -> serde_json::Value {
        json!({"error": {"message": self.to_string(), "type": self.kind(), "code": self.status().as_u16()}})
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
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

/// A query string axum could not read (a repeated or mistyped parameter): the client's
/// mistake, in the proxy's words rather than the framework's.
impl From<QueryRejection> for AppError {
    fn from(_: QueryRejection) -> Self {
        AppError::invalid(
            "the query string could not be read: each parameter at most once, percent-encoded UTF-8",
        )
    }
}

/// A path axum could not read (invalid percent-encoding or UTF-8).
impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::invalid("the path could not be read: it must be percent-encoded UTF-8")
    }
}

/// Why the service could not be put together at start-up.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the HTTP client cannot be built: {0}")]
    HttpClient(#[from] reqwest::Error),
}
