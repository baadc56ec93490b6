//! The proxy's configuration, read once from the environment and validated.
//!
//! Every variable has a default; an invalid value stops start-up with one line naming it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

mod webhook;

pub use webhook::{Secret, Webhook, MIN_SECRET_BYTES};

/// Everything the proxy needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyConfig {
    pub bind: SocketAddr,
    /// OpenAI-compatible base URL, without a trailing slash.
    pub upstream_base_url: String,
    /// The provider's key; `None` starts the proxy in a mode that explains what to set.
    pub upstream_api_key: Option<String>,
    /// Origins allowed to call from a browser; empty means same-origin only; `*` means any.
    pub allowed_origins: Vec<String>,
    /// The host names (optionally `:port`) clients reach the proxy by (`PUBLIC_HOSTS`): an API
    /// request naming another `Host` is refused, and only these count as the proxy's own
    /// origin. Empty: no `Host` is checked and only `ALLOWED_ORIGINS` are trusted.
    pub public_hosts: Vec<String>,
    /// Connections served at once (`MAX_CONNECTIONS`); more wait to be accepted.
    pub max_connections: usize,
    pub allowed_models: Vec<String>,
    pub max_tokens: u32,
    pub database_url: String,
    pub static_dir: PathBuf,
    /// A folder of help articles imported at start (`HELP_DIR`), replacing the stored set.
    pub help_dir: Option<PathBuf>,
    pub order_lookup_require_email: bool,
    pub max_body_bytes: usize,
    pub max_messages: usize,
    pub max_message_chars: usize,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a load balancer).
    pub trust_forwarded_for: bool,
    pub log_json: bool,
    pub timeouts: Timeouts,
    pub rate_limit: RateLimits,
    /// Days from delivery within which a refund may be requested (`RETURN_WINDOW_DAYS`).
    pub return_window_days: u32,
    /// Where hand-off tickets are sent (`HANDOFF_WEBHOOK_*`); `None` keeps them in the table.
    pub handoff_webhook: Option<Webhook>,
}

/// How long the proxy waits, for the provider and for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For the provider's response headers (`UPSTREAM_TIMEOUT_SECS`).
    pub upstream_headers: Duration,
    /// Between two pieces of a streamed answer (`UPSTREAM_IDLE_TIMEOUT_SECS`).
    pub upstream_idle: Duration,
    /// For a whole answer, from the moment it was asked for (`UPSTREAM_MAX_RESPONSE_SECS`).
    pub upstream_max_response: Duration,
    /// For requests in flight once a shutdown signal came (`SHUTDOWN_GRACE_SECS`).
    pub shutdown_grace: Duration,
    /// For a request's whole body, from its headers (`REQUEST_BODY_TIMEOUT_SECS`).
    pub request_body: Duration,
}

/// Per-client limits and where their buckets live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    pub per_minute: u32,
    pub burst: u32,
    /// `/healthz` has its own bucket per client.
    pub healthz_per_minute: u32,
    /// The routes that change something (refunds, cancellations, hand-offs) have their own,
    /// tighter bucket per client, counted on top of the API's.
    pub actions_per_minute: u32,
    /// IPv6 clients share a bucket per network of this prefix length (IPv4: per address).
    pub ipv6_prefix: u8,
    /// `redis://…`: the buckets live there, shared by every instance.
    pub redis_url: Option<String>,
}

impl ProxyConfig {
    /// True when the proxy listens on a loopback address only: a developer's machine, where
    /// error texts may name the variable to set.
    pub fn is_local(&self) -> bool {
        self.bind.ip().is_loopback()
    }
}

/// The first invalid variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {variable} {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl ProxyConfig {
    /// Reads the configuration through `var` (the process environment, or a map in tests).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let e = Env(&get);
        Ok(Self {
            bind: e.parse(
                "BIND",
                "127.0.0.1:8080",
                "must be an address such as 127.0.0.1:8080",
            )?,
            upstream_base_url: e.url("UPSTREAM_BASE_URL", "https://api.oxlo.ai/v1")?,
            upstream_api_key: get("UPSTREAM_API_KEY").or_else(|| get("OXLO_API_KEY")),
            allowed_origins: e.list("ALLOWED_ORIGINS", "")?,
            public_hosts: Vec::new(),
            max_connections: e.number("MAX_CONNECTIONS", 1_024, 1, 1_000_000)? as usize,
            allowed_models: e.list("ALLOWED_MODELS", support_core::settings::DEFAULT_MODEL)?,
            max_tokens: e.number("MAX_TOKENS", 1024, 1, 32_768)? as u32,
            database_url: e.database_url()?,
            static_dir: PathBuf::from(get("STATIC_DIR").unwrap_or_else(|| "dist".into())),
            help_dir: get("HELP_DIR").map(PathBuf::from),
            order_lookup_require_email: e.flag("ORDER_LOOKUP_REQUIRE_EMAIL", false)?,
            max_body_bytes: e.number("MAX_BODY_BYTES", 256 * 1024, 1024, 16 * 1024 * 1024)?
                as usize,
            max_messages: e.number("MAX_MESSAGES", 120, 1, 10_000)? as usize,
            max_message_chars: e.number("MAX_MESSAGE_CHARS", 8_000, 1, 1_000_000)? as usize,
            trust_forwarded_for: e.flag("TRUST_X_FORWARDED_FOR", false)?,
            log_json: match get("LOG_FORMAT").as_deref() {
                None | Some("text") => false,
                Some("json") => true,
                Some(other) => {
                    return Err(bad(
                        "LOG_FORMAT",
                        format!("must be text or json, not {other:?}"),
                    ))
                }
            },
            timeouts: e.timeouts()?,
            rate_limit: e.rate_limits()?,
            return_window_days: e.number(
                "RETURN_WINDOW_DAYS",
                u64::from(support_core::orders::change::DEFAULT_RETURN_WINDOW_DAYS),
                0,
                3_650,
            )? as u32,
            handoff_webhook: e.webhook()?,
        })
        .and_then(|config| config.with_public_hosts(e.hosts()?))
    }

    /// `PUBLIC_HOSTS`, or on a loopback listen the loopback names (any port).
    fn with_public_hosts(mut self, hosts: Option<Vec<String>>) -> Result<Self, ConfigError> {
        self.public_hosts = match hosts {
            Some(hosts) => hosts,
            None if self.is_local() => LOCAL_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            None => Vec::new(),
        };
        Ok(self)
    }
}

/// The default `PUBLIC_HOSTS` of a proxy listening on a loopback address.
pub const LOCAL_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

fn bad(variable: &'static str, problem: String) -> ConfigError {
    ConfigError { variable, problem }
}

struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    fn database_url(&self) -> Result<String, ConfigError> {
        let url = (self.0)("DATABASE_URL").unwrap_or_else(|| "sqlite://support-orders.db".into());
        let sqlite = url.starts_with("sqlite:");
        let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
        if sqlite || postgres {
            Ok(url)
        } else {
            Err(bad(
                "DATABASE_URL",
                "must start with sqlite: or postgres://".into(),
            ))
        }
    }

    fn timeouts(&self) -> Result<Timeouts, ConfigError> {
        let secs = |name, default, min, max| {
            self.number(name, default, min, max)
                .map(Duration::from_secs)
        };
        Ok(Timeouts {
            upstream_headers: secs("UPSTREAM_TIMEOUT_SECS", 60, 1, 600)?,
            upstream_idle: secs("UPSTREAM_IDLE_TIMEOUT_SECS", 30, 1, 3_600)?,
            upstream_max_response: secs("UPSTREAM_MAX_RESPONSE_SECS", 300, 1, 86_400)?,
            shutdown_grace: secs("SHUTDOWN_GRACE_SECS", 10, 0, 3_600)?,
            request_body: secs("REQUEST_BODY_TIMEOUT_SECS", 10, 1, 600)?,
        })
    }

    fn rate_limits(&self) -> Result<RateLimits, ConfigError> {
        let per_minute = self.number("RATE_LIMIT_PER_MINUTE", 30, 1, 100_000)?;
        let redis_url = (self.0)("RATE_LIMIT_REDIS_URL");
        if let Some(url) = &redis_url {
            let ok = url
                .parse::<reqwest::Url>()
                .is_ok_and(|u| u.scheme() == "redis" && u.host().is_some());
            if !ok {
                // The URL may hold a password: it is not repeated.
                return Err(bad(
                    "RATE_LIMIT_REDIS_URL",
                    "must be a URL such as redis://10.0.0.5:6379/0".into(),
                ));
            }
        }
        Ok(RateLimits {
            per_minute: per_minute as u32,
            burst: self.number("RATE_LIMIT_BURST", (per_minute / 3).max(1), 1, 100_000)? as u32,
            healthz_per_minute: self.number("HEALTHZ_RATE_LIMIT_PER_MINUTE", 60, 1, 100_000)?
                as u32,
            actions_per_minute: self.number("ACTIONS_RATE_LIMIT_PER_MINUTE", 6, 1, 100_000)? as u32,
            ipv6_prefix: self.number("RATE_LIMIT_IPV6_PREFIX", 64, 16, 128)? as u8,
            redis_url,
        })
    }

    /// `PUBLIC_HOSTS`: `host` or `host:port` entries (an IPv6 address in brackets), lower-cased;
    /// `None` when unset.
    fn hosts(&self) -> Result<Option<Vec<String>>, ConfigError> {
        let Some(raw) = (self.0)("PUBLIC_HOSTS") else {
            return Ok(None);
        };
        let hosts: Vec<String> = raw
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        let bad_host = hosts
            .iter()
            .find(|h| h.parse::<axum::http::uri::Authority>().is_err() || h.contains('@'));
        match bad_host {
            Some(host) => Err(bad(
                "PUBLIC_HOSTS",
                format!("must list host names such as support.shop.example, not {host:?}"),
            )),
            None => Ok(Some(hosts)),
        }
    }

    fn parse<T: std::str::FromStr>(
        &self,
        name: &'static str,
        default: &str,
        hint: &str,
    ) -> Result<T, ConfigError> {
        let raw = (self.0)(name).unwrap_or_else(|| default.to_owned());
        raw.parse()
            .map_err(|_| bad(name, format!("{hint}, not {raw:?}")))
    }

    fn number(
        &self,
        name: &'static str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Result<u64, ConfigError> {
        let Some(raw) = (self.0)(name) else {
            return Ok(default);
        };
        raw.parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                bad(
                    name,
                    format!("must be a whole number from {min} to {max}, not {raw:?}"),
                )
            })
    }

    fn flag(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match (self.0)(name).map(|v| v.to_ascii_lowercase()).as_deref() {
            None => Ok(default),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(bad(name, format!("must be true or false, not {other:?}"))),
        }
    }

    fn list(&self, name: &'static str, default: &str) -> Result<Vec<String>, ConfigError> {
        let raw = (self.0)(name).unwrap_or_else(|| default.to_owned());
        let items: Vec<String> = raw
            .split(',')
            .map(|s| s.trim().trim_end_matches('/').to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if name == "ALLOWED_ORIGINS" {
            if let Some(origin) = items
                .iter()
                .find(|o| *o != "*" && !(o.starts_with("http://") || o.starts_with("https://")))
            {
                return Err(bad(
                    name,
                    format!("must list origins such as https://shop.example, not {origin:?}"),
                ));
            }
        }
        if name == "ALLOWED_MODELS" && items.is_empty() {
            return Err(bad(name, "must name at least one model".into()));
        }
        Ok(items)
    }

    fn url(&self, name: &'static str, default: &str) -> Result<String, ConfigError> {
        let raw = (self.0)(name).unwrap_or_else(|| default.to_owned());
        let ok = raw
            .parse::<reqwest::Url>()
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if ok {
            Ok(raw.trim_end_matches('/').to_owned())
        } else {
            Err(bad(name, format!("must be an http(s) URL, not {raw:?}")))
        }
    }
}

#[cfg(test)]
mod tests;
