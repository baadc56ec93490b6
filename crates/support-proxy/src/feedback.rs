//! `POST /v1/feedback`: a customer's thumbs up or down on a reply, stored with the reply's text,
//! the sources it cited and the time, in a `feedback` table. Nothing names the customer: no
//! address, no id, no conversation.
//!
//! The body is `{"rating": "up"|"down", "text": "…", "sources": ["https://…", …]}`; unknown
//! fields are refused, and the text and the sources are capped.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::db::OrderStore;
use crate::error::AppError;
use crate::AppState;

/// The longest reply text stored, in characters.
pub const MAX_TEXT_CHARS: usize = 8_000;
/// The most sources one feedback may name.
pub const MAX_SOURCES: usize = 10;
/// The longest source URL, in characters.
pub const MAX_URL_CHARS: usize = 2_048;
/// The largest body read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// `id` is a random UUID; `created_at` is seconds since the Unix epoch.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY, rating TEXT NOT NULL, text TEXT NOT NULL, sources TEXT NOT NULL,
    created_at BIGINT NOT NULL)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Up,
    Down,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Up => "up",
            Rating::Down => "down",
        }
    }
}

/// One feedback, as the widget sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    pub rating: Rating,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Creates the table if it is not there.
pub async fn prepare(orders: &OrderStore) -> Result<(), sqlx::Error> {
    sqlx::query(SCHEMA).execute(orders.pool()).await?;
    Ok(())
}

/// Reads and checks a body.
pub fn parse(body: &[u8]) -> Result<Feedback, AppError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(AppError::invalid(format!(
            "feedback is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| AppError::invalid(format!("feedback is not valid JSON: {e}")))?;
    // serde would read a struct from an array too; only an object is a feedback.
    if !value.is_object() {
        return Err(AppError::invalid("feedback must be a JSON object"));
    }
    let feedback: Feedback = serde_json::from_value(value)
        .map_err(|e| AppError::invalid(format!("malformed feedback: {e}")))?;
    if feedback.text.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::invalid(format!(
            "text is longer than {MAX_TEXT_CHARS} characters"
        )));
    }
    if feedback.sources.len() > MAX_SOURCES {
        return Err(AppError::invalid(format!(
            "at most {MAX_SOURCES} sources are accepted"
        )));
    }
    if !feedback.sources.iter().all(|s| is_web_url(s)) {
        return Err(AppError::invalid(format!(
            "sources must be http(s) URLs of at most {MAX_URL_CHARS} characters"
        )));
    }
    Ok(feedback)
}

fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    web && url.chars().count() <= MAX_URL_CHARS
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Stores it; 204 when stored.
pub async fn post(State(state): State<AppState>, body: Bytes) -> Result<StatusCode, AppError> {
    let feedback = parse(&body)?;
    let sources = serde_json::to_string(&feedback.sources).map_err(|_| AppError::Unavailable)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    sqlx::query(
        "INSERT INTO feedback (id, rating, text, sources, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(feedback.rating.as_str().to_owned())
    .bind(feedback.text)
    .bind(sources)
    .bind(now)
    .execute(state.orders.pool())
    .await
    .map_err(|error| {
        tracing::error!(%error, "storing feedback failed");
        AppError::Unavailable
    })?;
    Ok(StatusCode::NO_CONTENT)
}
