//! `GET /healthz`: 200 `{"status":"ok"}` when the database answers, else 503.
//!
//! The database's answer is kept for [`CACHE_FOR`], and one check runs at a time (callers that
//! come meanwhile wait for it and share its answer), so however often the route is called the
//! database sees at most one query a second. The route has its own rate limit (`limit`).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::db::OrderStore;
use crate::AppState;

/// How long a database check is trusted.
pub const CACHE_FOR: Duration = Duration::from_secs(1);
/// A database that takes longer than this to answer is unhealthy.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The last check and when it finished; cheap to clone.
#[derive(Clone, Default)]
pub struct HealthCache(Arc<Mutex<Option<(Instant, bool)>>>);

impl HealthCache {
    /// Whether the database answered, at most [`CACHE_FOR`] ago.
    pub async fn healthy(&self, orders: &OrderStore) -> bool {
        let mut last = self.0.lock().await;
        if let Some((at, healthy)) = *last {
            if at.elapsed() < CACHE_FOR {
                return healthy;
            }
        }
        let healthy = tokio::time::timeout(CHECK_TIMEOUT, orders.is_healthy())
            .await
            .unwrap_or(false);
        if !healthy {
            tracing::warn!("health check: the database does not answer");
        }
        *last = Some((Instant::now(), healthy));
        healthy
    }
}

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.health.healthy(&state.orders).await {
        (StatusCode::OK, Json(json!({"status": "ok"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unavailable"})),
        )
    }
}
