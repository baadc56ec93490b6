//! support-proxy: the store's backend for the support widget.
//!
//! It keeps the provider's API key on the server and forwards chat completions within limits
//! (`chat`, `validate`, `upstream`, `relay`), answers order lookups from SQLite or PostgreSQL
//! (`orders`, `db`), makes customers' confirmed refund requests and cancellations (`actions`),
//! takes hand-offs to a person and sends them to the store's help desk (`handoff`), searches
//! the store's help articles (`help`), keeps customers' feedback on replies (`feedback`),
//! reads the bodies of the routes that change something (`body`), rate limits per client (`limit`), checks what a browser may send
//! (`guard`), reports its health (`health`) and serves the built widget (`static_files`).
//! `app(state)` is the whole service; `serve` runs it on a listener.

pub mod actions;
pub mod body;
pub mod chat;
pub mod config;
pub mod db;
pub mod error;
pub mod feedback;
pub mod guard;
pub mod handoff;
pub mod health;
pub mod help;
pub mod limit;
pub mod orders;
pub mod relay;
pub mod serve;
pub mod static_files;
pub mod upstream;
pub mod validate;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use tower::util::MapRequestLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use config::ProxyConfig;
use db::OrderStore;
use error::{AppError, StartError};
use guard::REQUEST_ID;

/// Longest wait for a connection to the provider, whatever else the HTTP client is told.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<ProxyConfig>,
    pub http: reqwest::Client,
    pub orders: OrderStore,
    pub help: help::HelpStore,
    pub limits: limit::Limits,
    pub health: health::HealthCache,
    /// Set with `HANDOFF_WEBHOOK_URL`: where tickets are delivered.
    pub webhooks: Option<handoff::Webhooks>,
}

impl AppState {
    pub fn new(config: ProxyConfig, orders: OrderStore) -> Result<Self, StartError> {
        Self::with_http(config, orders, reqwest::Client::builder())
    }

    /// Builds the HTTP client from `builder`, with the proxy's connect time-out set last so
    /// that no builder setting can leave it out. A client that cannot be built is an error,
    /// never a default client without time-outs.
    pub fn with_http(
        config: ProxyConfig,
        orders: OrderStore,
        builder: reqwest::ClientBuilder,
    ) -> Result<Self, StartError> {
        let connect = CONNECT_TIMEOUT.min(config.timeouts.upstream_headers);
        let http = builder.connect_timeout(connect).build()?;
        let limits = limit::Limits::new(&config.rate_limit, config.trust_forwarded_for);
        let webhooks = config
            .handoff_webhook
            .clone()
            .map(handoff::Webhooks::new)
            .transpose()?;
        Ok(Self {
            config: Arc::new(config),
            http,
            help: help::HelpStore::new(&orders),
            orders,
            limits,
            health: health::HealthCache::default(),
            webhooks,
        })
    }
}

/// The whole service.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route(
            "/v1/chat/completions",
            post(chat::completions)
                .route_layer(DefaultBodyLimit::max(state.config.max_body_bytes))
                .route_layer(guard::json_only()),
        )
        .route("/v1/orders/{order_id}", get(orders::lookup))
        .route("/v1/help/search", get(help::search))
        .route(
            "/v1/feedback",
            post(feedback::post)
                .route_layer(DefaultBodyLimit::max(feedback::MAX_BODY_BYTES))
                .route_layer(guard::json_only()),
        )
        .merge(actions(&state))
        .route("/v1/{*rest}", any(no_route))
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            state.config.timeouts.request_body,
            body::limit_time,
        ))
        .route_layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .route_layer(middleware::from_fn_with_state(
            state.limits.api.clone(),
            limit::enforce,
        ));
    let health = Router::new()
        .route("/healthz", get(health::healthz))
        .route_layer(middleware::from_fn_with_state(
            state.limits.healthz.clone(),
            limit::enforce,
        ));
    Router::new()
        .merge(api)
        .merge(health)
        .fallback_service(static_files::router(&state.config.static_dir))
        .layer(cors(&state.config))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            // Every value is a field; the id was checked by `guard`, the path is escaped.
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = ?request.uri().path(), id = %id)
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(MapRequestLayer::new(guard::drop_unsafe_request_id))
        .with_state(state)
}

/// The routes that change something: JSON only, capped, and counted in their own bucket too.
fn actions(state: &AppState) -> Router<AppState> {
    let orders = Router::new()
        .route(
            "/v1/orders/{order_id}/refund-request",
            post(actions::refund_request),
        )
        .route("/v1/orders/{order_id}/cancel", post(actions::cancel))
        .route_layer(DefaultBodyLimit::max(actions::MAX_BODY_BYTES))
        .route_layer(guard::json_only());
    let handoffs = Router::new()
        .route("/v1/handoffs", post(handoff::post))
        .route_layer(DefaultBodyLimit::max(handoff::MAX_BODY_BYTES))
        .route_layer(guard::json_only());
    orders
        .merge(handoffs)
        .route_layer(middleware::from_fn_with_state(
            state.limits.actions.clone(),
            limit::enforce,
        ))
}

/// A request for a host the proxy is not reached by, or a browser call from a site that is not
/// allowed, is refused before anything else is done.
async fn check_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let config = &state.config;
    if !guard::host_allowed(request.headers(), &config.public_hosts) {
        tracing::info!("request for a host that is not in PUBLIC_HOSTS");
        AppError::UnknownHost.into_response()
    } else if guard::origin_allowed(
        request.headers(),
        &config.allowed_origins,
        &config.public_hosts,
    ) {
        next.run(request).await
    } else {
        tracing::info!("request from an origin that is not allowed");
        AppError::OriginNotAllowed.into_response()
    }
}

/// Every API path without a route: the OpenAI-style 404, not the static files' page.
async fn no_route() -> AppError {
    AppError::NoRoute
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
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
