//! `POST /v1/feedback`: a customer's thumbs up or down on a reply, stored with the reply's text,
//! the sources it cited and the time, in a `feedback` table. Nothing names the customer: no
//! address, no id, no conversation.
//!
//! The body is `{"rating": "up"|"down", "text": "…", "sources": ["https://…", …]}`, the core's
//! `support_core::proxy::Feedback`, which the widget sends; unknown fields are refused, and
//! the text and the sources are capped with the core's limits.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;

use crate::db::OrderStore;
use crate::error::AppError;
use crate::AppState;

pub use support_core::proxy::{Feedback, Rating, MAX_SOURCES, MAX_TEXT_CHARS, MAX_URL_CHARS};

/// The largest body read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// `id` is a random UUID; `created_at` is seconds since the Unix epoch.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY, rating TEXT NOT NULL, text TEXT NOT NULL, sources TEXT NOT NULL,
    created_at BIGINT NOT NULL)";

/// Creates the table if it is not there.
pub async fn prepare(orders: &OrderStore) -> Result<(), sqlx::Error> {
    sqlx::query(SCHEMA).execute(orders.pool()).await?;
    Ok(())
}

/// Reads and checks a body: a JSON object of the `Feedback` shape within the cap (the
/// reading every JSON route shares), then the core's limits.
pub fn parse(body: Result<Bytes, BytesRejection>) -> Result<Feedback, AppError> {
    let feedback: Feedback = crate::body::read(body, MAX_BODY_BYTES)?;
    if let Some(problem) = feedback.problem() {
        return Err(AppError::invalid(problem));
    }
    Ok(feedback)
}

/// Stores it; 204 when stored.
pub async fn post(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, AppError> {
    let feedback = parse(body)?;
    let sources = serde_json::to_string(&feedback.sources).map_err(|_| AppError::Unavailable)?;
    let now = crate::body::now_secs();
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
