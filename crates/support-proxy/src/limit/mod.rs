//! Per-client rate limiting with a burst (GCRA, the token bucket's exact form), one bucket per
//! client key (`key`) and scope (the API, `/healthz`, and the routes that change something).
//!
//! With `RATE_LIMIT_REDIS_URL` the buckets live in Redis (`shared`), so every instance behind a
//! load balancer counts against the same limit. Without it, or while Redis does not answer, the
//! buckets live in this process: the limiter fails open to its local buckets, never to no limit.

pub mod key;
mod shared;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub use shared::SharedBuckets;

use crate::config::RateLimits;
use crate::error::AppError;

/// One scope's limit: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    /// Time between two requests at the sustained rate.
    pub fn interval(self) -> Duration {
        Duration::from_secs(60) / self.per_minute.max(1)
    }
}

/// The buckets of one scope, shared by every request; cheap to clone.
#[derive(Clone)]
pub struct Limiter {
    scope: &'static str,
    rate: Rate,
    ipv6_prefix: u8,
    trust_forwarded_for: bool,
    local: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    shared: Option<SharedBuckets>,
}

impl Limiter {
    pub fn new(
        scope: &'static str,
        rate: Rate,
        limits: &RateLimits,
        trust_forwarded_for: bool,
        shared: Option<SharedBuckets>,
    ) -> Self {
        let per_minute = NonZeroU32::new(rate.per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Self {
            scope,
            rate,
            ipv6_prefix: limits.ipv6_prefix,
            trust_forwarded_for,
            local: Arc::new(RateLimiter::keyed(quota)),
            shared,
        }
    }

    /// `Ok` when the client may go on, else how long it must wait.
    pub async fn check(&self, key: IpAddr) -> Result<(), Duration> {
        if let Some(shared) = &self.shared {
            if let Some(decision) = shared.check(self.scope, key, self.rate).await {
                return decision;
            }
        }
        self.local
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets local buckets that are full again (run now and then).
    pub fn retain_recent(&self) {
        self.local.retain_recent();
    }
}

/// Middleware: counts the request in its client's bucket, or answers 429 with `Retry-After`.
pub async fn enforce(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let ip = key::client_ip(&request, limiter.trust_forwarded_for);
    let bucket = key::bucket_key(ip, limiter.ipv6_prefix);
    match limiter.check(bucket).await {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let retry_after_secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            tracing::info!(%bucket, scope = limiter.scope, retry_after_secs, "rate limited");
            AppError::RateLimited { retry_after_secs }.into_response()
        }
    }
}

/// The proxy's limiters, built from its configuration.
#[derive(Clone)]
pub struct Limits {
    pub api: Limiter,
    pub healthz: Limiter,
    /// Refund requests, cancellations and hand-offs, on top of `api`.
    pub actions: Limiter,
    pub shared: Option<SharedBuckets>,
}

impl Limits {
    pub fn new(limits: &RateLimits, trust_forwarded_for: bool) -> Self {
        let shared = limits.redis_url.as_deref().and_then(SharedBuckets::new);
        let api = Rate {
            per_minute: limits.per_minute,
            burst: limits.burst,
        };
        let healthz = Rate {
            per_minute: limits.healthz_per_minute,
            burst: (limits.healthz_per_minute / 3).max(1),
        };
        let actions = Rate {
            per_minute: limits.actions_per_minute,
            burst: (limits.actions_per_minute / 2).max(1),
        };
        let limiter =
            |scope, rate| Limiter::new(scope, rate, limits, trust_forwarded_for, shared.clone());
        Self {
            api: limiter("api", api),
            healthz: limiter("healthz", healthz),
            actions: limiter("actions", actions),
            shared,
        }
    }

    pub fn retain_recent(&self) {
        self.api.retain_recent();
        self.healthz.retain_recent();
        self.actions.retain_recent();
    }
}
