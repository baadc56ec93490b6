//! Per-client rate limiting with a burst: a token bucket per client address.
//!
//! The buckets live in this process; several proxies behind a load balancer each apply the
//! limit to what reaches them.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;
use crate::AppState;

pub type Limiter = Arc<DefaultKeyedRateLimiter<IpAddr>>;

pub fn limiter(per_minute: u32, burst: u32) -> Limiter {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::keyed(
        Quota::per_minute(per_minute).allow_burst(burst),
    ))
}

/// The client's address: the connection's peer, or behind a trusted load balancer the last
/// `X-Forwarded-For` entry (the one the balancer added).
fn client_ip(request: &Request, trust_forwarded_for: bool) -> IpAddr {
    let forwarded = trust_forwarded_for
        .then(|| {
            request
                .headers()
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .flatten();
    forwarded
        .or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let ip = client_ip(&request, state.config.trust_forwarded_for);
    match state.limiter.check_key(&ip) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            tracing::info!(%ip, retry_after_secs, "rate limited");
            AppError::RateLimited {
                retry_after_secs: retry_after_secs.max(1),
            }
            .into_response()
        }
    }
}
