//! `POST /v1/orders/{order_id}/refund-request` and `POST /v1/orders/{order_id}/cancel`: a
//! customer's confirmed request to change an order, decided on the server with the core's
//! rules (`support_core::orders::change::check`) whatever the browser believed, made in one
//! transaction with its record in `refund_requests` ([`store`]), and made once: asking again
//! answers with the first request (`"replayed": true`).
//!
//! The body is `{"reason": "…", "email": "…"}`; the email is needed, and must be the order's,
//! when `ORDER_LOOKUP_REQUIRE_EMAIL` is on (a mismatch is the lookup's 404).

pub mod store;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use support_core::orders::change::{apply, check, date_of_ms, ChangeKind, Verdict};
use support_core::orders::{normalize_order_id, Order};

pub use store::{ChangeRecord, RequestStore};

use crate::body;
use crate::db::OrderRecord;
use crate::error::AppError;
use crate::orders::{email_matches, normalize_email};
use crate::AppState;

/// The largest body read.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// The longest reason, in characters, once trimmed: the core's limit for the tool's argument.
pub const MAX_REASON_CHARS: usize = support_core::tools::MAX_REASON;
/// Times a request looks again after another one changed the order under it.
const ROUNDS: usize = 3;

/// The body, as the widget sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    pub reason: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// A checked body: the reason trimmed, the email normalised like the lookup's.
struct Asked {
    reason: String,
    email: Option<String>,
}

impl ChangeBody {
    fn checked(self, require_email: bool) -> Result<Asked, AppError> {
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err(AppError::unprocessable("reason must not be empty"));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(AppError::unprocessable(format!(
                "reason is longer than {MAX_REASON_CHARS} characters"
            )));
        }
        let email = normalize_email(self.email.as_deref());
        if require_email && email.is_none() {
            return Err(AppError::invalid("email is required"));
        }
        Ok(Asked {
            reason: reason.to_owned(),
            email,
        })
    }
}

pub async fn refund_request(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    change(&state, path, body, ChangeKind::Refund).await
}

pub async fn cancel(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    change(&state, path, body, ChangeKind::Cancel).await
}

async fn change(
    state: &AppState,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
    kind: ChangeKind,
) -> Result<Response, AppError> {
    let Path(raw_id) = path.map_err(|_| AppError::invalid("the order id is not valid"))?;
    let order_id = normalize_order_id(&raw_id).map_err(|e| AppError::invalid(e.to_string()))?;
    let asked = body::read::<ChangeBody>(body, MAX_BODY_BYTES)?
        .checked(state.config.order_lookup_require_email)?;
    let requests = RequestStore::new(&state.orders);
    for _ in 0..ROUNDS {
        let order = find_order(state, &order_id, asked.email.as_deref()).await?;
        if let Some(first) = requests.find(&order_id, kind).await.map_err(failed)? {
            return Ok(made(&first, &order, true));
        }
        let now_ms = body::now_ms();
        let today = date_of_ms(now_ms);
        let verdict = check(&order, kind, today, state.config.return_window_days);
        if !verdict.is_allowed() {
            return Ok(not_eligible(&verdict, &order));
        }
        let after = apply(&order, kind, today);
        let request = ChangeRecord {
            id: body::reference("R"),
            order_id: order_id.clone(),
            kind,
            reason: asked.reason.clone(),
            previous_status: order.status,
            new_status: after.status,
            created_at: i64::try_from(now_ms / 1000).unwrap_or(i64::MAX),
        };
        if requests
            .commit(&order, &after, &request)
            .await
            .map_err(failed)?
        {
            tracing::info!(
                order_id,
                kind = kind.as_str(),
                id = request.id,
                "order changed"
            );
            return Ok(made(&request, &after, false));
        }
        // Another request changed the order first: look again, and answer as it left it.
    }
    tracing::warn!(order_id, "the order kept changing under a change request");
    Err(AppError::Unavailable)
}

/// The order, if it exists and (when required) `email` is its email: otherwise the lookup's 404.
async fn find_order(
    state: &AppState,
    order_id: &str,
    email: Option<&str>,
) -> Result<Order, AppError> {
    let record: Option<OrderRecord> = state.orders.find(order_id).await.map_err(|error| {
        tracing::error!(%error, "order lookup failed");
        AppError::Database
    })?;
    match record {
        Some(record)
            if !state.config.order_lookup_require_email
                || email_matches(email, record.customer_email.as_deref()) =>
        {
            Ok(record.order)
        }
        _ => Err(AppError::OrderNotFound),
    }
}

fn failed(error: sqlx::Error) -> AppError {
    tracing::error!(%error, "recording a change request failed");
    AppError::Unavailable
}

/// 200 `{"request": {id, order_id, kind, reason, created_at}, "order": …, "replayed": …}`.
fn made(request: &ChangeRecord, order: &Order, replayed: bool) -> Response {
    Json(json!({"request": request, "order": order, "replayed": replayed})).into_response()
}

/// 409 with the verdict's sentence and tag, and the order as it stands (unchanged).
fn not_eligible(verdict: &Verdict, order: &Order) -> Response {
    let tag = serde_json::to_value(verdict)
        .ok()
        .and_then(|v| v.get("verdict").cloned())
        .unwrap_or(Value::Null);
    let body = json!({
        "error": {"message": verdict.explanation(), "type": "not_eligible", "code": tag},
        "order": order,
    });
    (StatusCode::CONFLICT, Json(body)).into_response()
}

/// Creates the table if it is not there.
pub async fn prepare(orders: &crate::db::OrderStore) -> Result<(), sqlx::Error> {
    RequestStore::new(orders).prepare().await
}
