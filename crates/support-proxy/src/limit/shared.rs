//! Rate-limit buckets in Redis, shared by every instance of the proxy.
//!
//! One atomic Lua script per check implements GCRA (the token bucket's exact form): a bucket is
//! one key holding its "theoretical arrival time" in microseconds of the Redis server's clock
//! (so the instances' clocks do not matter), set to expire when the bucket is full again.
//!
//! Redis is never allowed to take the proxy down: a check that fails or takes longer than
//! [`CHECK_TIMEOUT`] answers `None` (the caller then uses its in-process buckets), and after a
//! failure Redis is left alone for [`PAUSE_AFTER_FAILURE`] before it is asked again. The change
//! of state is logged once each way.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::Rate;

/// Longest a request waits for Redis before its own instance decides.
pub const CHECK_TIMEOUT: Duration = Duration::from_millis(250);
/// How long Redis is not asked after it failed.
pub const PAUSE_AFTER_FAILURE: Duration = Duration::from_secs(2);

/// `KEYS[1]`: the bucket; `ARGV[1]`: the interval between requests in µs; `ARGV[2]`: the burst.
/// Answers 0 when the request may go on, else the µs to wait.
const GCRA: &str = r"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if allow_at > now then return allow_at - now end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return 0
";

/// The connection to Redis and what the proxy knows of its health; cheap to clone.
#[derive(Clone)]
pub struct SharedBuckets {
    inner: Arc<Inner>,
}

struct Inner {
    connection: ConnectionManager,
    script: redis::Script,
    paused_until: Mutex<Option<Instant>>,
    failing: AtomicBool,
}

impl SharedBuckets {
    /// Prepares the connection (made on first use, and remade when lost). `None`, logged, when
    /// the URL cannot be used at all.
    pub fn new(url: &str) -> Option<Self> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(CHECK_TIMEOUT))
            .set_number_of_retries(1);
        let connection = redis::Client::open(url)
            .and_then(|client| ConnectionManager::new_lazy_with_config(client, config));
        match connection {
            Ok(connection) => Some(Self {
                inner: Arc::new(Inner {
                    connection,
                    script: redis::Script::new(GCRA),
                    paused_until: Mutex::new(None),
                    failing: AtomicBool::new(false),
                }),
            }),
            Err(error) => {
                tracing::error!(%error, variable = "RATE_LIMIT_REDIS_URL",
                    "the Redis URL cannot be used; rate limits stay per instance");
                None
            }
        }
    }

    /// Whether Redis answers now (logged like a check).
    pub async fn ping(&self) -> bool {
        let mut connection = self.inner.connection.clone();
        let ping = redis::cmd("PING");
        let answered = tokio::time::timeout(
            CHECK_TIMEOUT * 4,
            ping.query_async::<String>(&mut connection),
        )
        .await;
        self.record(matches!(answered, Ok(Ok(_))), answered_error(answered))
    }

    /// Counts a request in the shared bucket: `Some(Ok)` to go on, `Some(Err(wait))` when
    /// limited, `None` when Redis could not say (the caller decides locally).
    pub async fn check(
        &self,
        scope: &str,
        key: IpAddr,
        rate: Rate,
    ) -> Option<Result<(), Duration>> {
        if self.paused() {
            return None;
        }
        let mut connection = self.inner.connection.clone();
        let interval = u64::try_from(rate.interval().as_micros()).unwrap_or(u64::MAX);
        let mut invocation = self
            .inner
            .script
            .key(format!("support-proxy:rl:{scope}:{key}"));
        invocation.arg(interval).arg(rate.burst.max(1));
        let answered = tokio::time::timeout(
            CHECK_TIMEOUT,
            invocation.invoke_async::<i64>(&mut connection),
        )
        .await;
        let wait = match &answered {
            Ok(Ok(micros)) => Some(*micros),
            _ => None,
        };
        if !self.record(wait.is_some(), answered_error(answered)) {
            return None;
        }
        let micros = wait.unwrap_or_default();
        Some(match u64::try_from(micros) {
            Ok(0) | Err(_) => Ok(()),
            Ok(micros) => Err(Duration::from_micros(micros)),
        })
    }

    fn paused(&self) -> bool {
        let paused_until = self.inner.paused_until.lock().map(|g| *g).unwrap_or(None);
        paused_until.is_some_and(|until| Instant::now() < until)
    }

    /// Notes whether Redis answered, logs a change, and returns `ok`.
    fn record(&self, ok: bool, error: Option<String>) -> bool {
        if ok {
            if self.inner.failing.swap(false, Ordering::Relaxed) {
                tracing::info!("Redis answers again: rate limits are shared by every instance");
            }
        } else {
            if let Ok(mut until) = self.inner.paused_until.lock() {
                *until = Some(Instant::now() + PAUSE_AFTER_FAILURE);
            }
            if !self.inner.failing.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    error = error.as_deref().unwrap_or("no answer in time"),
                    "Redis does not answer: rate limits fall back to this instance's buckets"
                );
            }
        }
        ok
    }
}

fn answered_error<T>(
    answered: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
) -> Option<String> {
    match answered {
        Ok(Err(error)) => Some(error.to_string()),
        _ => None,
    }
}
