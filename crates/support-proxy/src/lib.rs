//! support-proxy: the store's backend for the support widget.
//!
//! It keeps the provider's API key on the server and forwards chat completions within limits
//! (`chat`, `validate`), answers order lookups from SQLite or PostgreSQL (`orders`, `db`), rate
//! limits per client (`limit`), and serves the built widget. `app(state)` is the whole service.

pub mod chat;
pub mod config;
pub mod db;
pub mod error;
pub mod limit;
pub mod orders;
pub mod validate;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use config::ProxyConfig;
use db::OrderStore;

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<ProxyConfig>,
    pub http: reqwest::Client,
    pub orders: OrderStore,
    pub limiter: limit::Limiter,
}

impl AppState {
    pub fn new(config: ProxyConfig, orders: OrderStore) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        let limiter = limit::limiter(config.rate_limit_per_minute, config.rate_limit_burst);
        Self {
            config: Arc::new(config),
            http,
            orders,
            limiter,
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole service.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/chat/completions", post(chat::completions))
        .route("/v1/orders/{order_id}", get(orders::lookup))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limit::rate_limit,
        ));
    let static_files = Router::new()
        .fallback_service(
            ServeDir::new(&state.config.static_dir).append_index_html_on_directories(true),
        )
        .layer(middleware::from_fn(cache_static));
    Router::new()
        .merge(api)
        .route("/healthz", get(healthz))
        .fallback_service(static_files)
        .layer(cors(&state.config))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), id = %id)
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Files asked for with a build id (`loader.js` puts `?v=<build>` on the widget's glue and
/// wasm) never change, so browsers and CDNs may keep them for a year; anything else, the
/// loader first of all, is checked with the server before each use, so a deploy reaches every
/// page at once.
async fn cache_static(
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let versioned = request
        .uri()
        .query()
        .is_some_and(|query| query.split('&').any(|pair| pair.starts_with("v=")));
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let policy = if versioned {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, Json<serde_json::Value>) {
    if state.orders.is_healthy().await {
        (StatusCode::OK, Json(json!({"status": "ok"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unavailable"})),
        )
    }
}

fn cors(config: &ProxyConfig) -> CorsLayer {
    let origins = if config.allowed_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .allowed_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
        .expose_headers([header::RETRY_AFTER, REQUEST_ID])
        .max_age(Duration::from_secs(600))
}
