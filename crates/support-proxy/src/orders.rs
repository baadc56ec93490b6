//! `GET /v1/orders/{order_id}`: the order as JSON, or 404 `{"error": "Order not found"}`.
//!
//! With `ORDER_LOOKUP_REQUIRE_EMAIL`, the `email` query parameter must match the order's, and a
//! mismatch is the same 404 as a missing order, so ids cannot be enumerated.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use support_core::orders::{normalize_order_id, not_found};

use crate::error::AppError;
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    email: Option<String>,
}

pub async fn lookup(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<LookupQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (Path(raw_id), Query(query)) = (path?, query?);
    let order_id = match normalize_order_id(&raw_id) {
        Ok(id) => id,
        Err(error) => {
            return Ok((
                StatusCode::BAD_REQUEST,
                Json(json!({"error": error.to_string()})),
            )
                .into_response())
        }
    };
    let email = normalize_email(query.email.as_deref());
    if state.config.order_lookup_require_email && email.is_none() {
        return Ok((
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "email is required"})),
        )
            .into_response());
    }
    let record = state.orders.find(&order_id).await.map_err(|error| {
        tracing::error!(%error, "order lookup failed");
        AppError::Database
    })?;
    match record {
        Some(record)
            if !state.config.order_lookup_require_email
                || email_matches(email.as_deref(), record.customer_email.as_deref()) =>
        {
            Ok(Json(record.order).into_response())
        }
        _ => Ok((StatusCode::NOT_FOUND, Json(not_found())).into_response()),
    }
}

/// The email a customer gave, trimmed and lower-cased; `None` when there is none.
pub fn normalize_email(given: Option<&str>) -> Option<String> {
    given
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
}

/// Whether a (normalised) email is the order's: an order without one matches nothing.
pub fn email_matches(given: Option<&str>, stored: Option<&str>) -> bool {
    match (given, stored) {
        (Some(given), Some(stored)) => stored.trim().eq_ignore_ascii_case(given),
        _ => false,
    }
}
