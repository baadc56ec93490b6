//! The configuration read from maps of variables: defaults, bounds, and secrets never echoed.

use super::*;
use std::collections::HashMap;

fn read(pairs: &[(&str, &str)]) -> Result<ProxyConfig, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ProxyConfig::from_env(|name| map.get(name).cloned())
}

#[test]
fn defaults() {
    let config = read(&[]).expect("valid");
    assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(config.upstream_base_url, "https://api.oxlo.ai/v1");
    assert_eq!(config.upstream_api_key, None);
    assert_eq!(config.allowed_models, ["llama-3.3-70b"]);
    assert!(config.allowed_origins.is_empty());
    assert_eq!(
        (config.rate_limit.per_minute, config.rate_limit.burst),
        (30, 10)
    );
    assert_eq!(config.rate_limit.ipv6_prefix, 64);
    assert_eq!(config.rate_limit.redis_url, None);
    assert_eq!(config.timeouts.upstream_idle, Duration::from_secs(30));
    assert_eq!(
        config.timeouts.upstream_max_response,
        Duration::from_secs(300)
    );
    assert_eq!(config.timeouts.shutdown_grace, Duration::from_secs(10));
    assert!(config.is_local());
    assert!(!config.order_lookup_require_email);
    assert_eq!(config.timeouts.request_body, Duration::from_secs(10));
    assert_eq!(config.max_connections, 1_024);
    assert_eq!(config.public_hosts, ["localhost", "127.0.0.1", "[::1]"]);
}

#[test]
fn public_hosts_are_listed_or_loopback_by_default() {
    let public = read(&[("BIND", "0.0.0.0:8080")]).expect("valid");
    assert!(
        public.public_hosts.is_empty(),
        "no guess away from loopback"
    );
    let listed = read(&[("PUBLIC_HOSTS", " Support.Shop.example , [::1]:8080 ")]).expect("valid");
    assert_eq!(listed.public_hosts, ["support.shop.example", "[::1]:8080"]);
    for bad_hosts in [
        "https://shop.example",
        "a b",
        "user@shop.example",
        "shop.example/x",
    ] {
        let err = read(&[("PUBLIC_HOSTS", bad_hosts)]).expect_err(bad_hosts);
        assert_eq!(err.variable, "PUBLIC_HOSTS", "{bad_hosts}");
    }
}

#[test]
fn the_key_comes_from_either_variable() {
    assert_eq!(
        read(&[("OXLO_API_KEY", "k2")])
            .expect("valid")
            .upstream_api_key
            .as_deref(),
        Some("k2")
    );
    let both = read(&[("OXLO_API_KEY", "k2"), ("UPSTREAM_API_KEY", "k1")]).expect("valid");
    assert_eq!(both.upstream_api_key.as_deref(), Some("k1"));
}

#[test]
fn invalid_values_name_the_variable() {
    for (name, value) in [
        ("BIND", "nowhere"),
        ("UPSTREAM_BASE_URL", "ftp://x"),
        ("MAX_TOKENS", "0"),
        ("MAX_TOKENS", "lots"),
        ("RATE_LIMIT_PER_MINUTE", "-1"),
        ("ALLOWED_ORIGINS", "shop.example"),
        ("ALLOWED_MODELS", " , "),
        ("DATABASE_URL", "mysql://x"),
        ("ORDER_LOOKUP_REQUIRE_EMAIL", "maybe"),
        ("LOG_FORMAT", "xml"),
        ("UPSTREAM_IDLE_TIMEOUT_SECS", "0"),
        ("UPSTREAM_MAX_RESPONSE_SECS", "soon"),
        ("SHUTDOWN_GRACE_SECS", "-1"),
        ("RATE_LIMIT_IPV6_PREFIX", "129"),
        ("RATE_LIMIT_REDIS_URL", "http://cache:6379"),
        ("HEALTHZ_RATE_LIMIT_PER_MINUTE", "0"),
        ("ACTIONS_RATE_LIMIT_PER_MINUTE", "0"),
        ("RETURN_WINDOW_DAYS", "-3"),
        ("HANDOFF_WEBHOOK_URL", "mailto:team@shop.example"),
        ("REQUEST_BODY_TIMEOUT_SECS", "0"),
        ("MAX_CONNECTIONS", "0"),
    ] {
        let err = read(&[(name, value)]).expect_err(name);
        assert_eq!(err.variable, name);
        assert!(
            err.to_string()
                .starts_with(&format!("invalid configuration: {name} ")),
            "{err}"
        );
    }
}

/// A Redis URL can carry a password: a bad one is refused without being repeated.
#[test]
fn a_bad_redis_url_is_not_echoed() {
    let err = read(&[("RATE_LIMIT_REDIS_URL", "rediss://:hunter2@cache")]).expect_err("tls");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let config = read(&[("RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:6379/2")]).expect("ok");
    assert_eq!(
        config.rate_limit.redis_url.as_deref(),
        Some("redis://127.0.0.1:6379/2")
    );
}

#[test]
fn a_webhook_needs_a_secret_that_is_never_echoed() {
    let url = (
        "HANDOFF_WEBHOOK_URL",
        "https://desk.shop.example/hooks/support",
    );
    assert_eq!(
        read(&[url]).expect_err("no secret").variable,
        "HANDOFF_WEBHOOK_SECRET"
    );
    let err = read(&[url, ("HANDOFF_WEBHOOK_SECRET", "hunter2")]).expect_err("short");
    assert_eq!(err.variable, "HANDOFF_WEBHOOK_SECRET");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let secret = ("HANDOFF_WEBHOOK_SECRET", "correct horse battery staple");
    let config = read(&[url, secret]).expect("valid");
    let webhook = config.handoff_webhook.expect("a webhook");
    assert_eq!(webhook.url, "https://desk.shop.example/hooks/support");
    assert_eq!(webhook.secret.expose(), "correct horse battery staple");
    assert!(!format!("{webhook:?}").contains("horse"));
    assert_eq!(
        (webhook.attempts, webhook.backoff),
        (5, Duration::from_secs(1))
    );
    let attempts = ("HANDOFF_WEBHOOK_ATTEMPTS", "0");
    assert_eq!(
        read(&[url, secret, attempts]).expect_err("0").variable,
        attempts.0
    );
    let defaults = read(&[]).expect("valid");
    assert_eq!(defaults.handoff_webhook, None);
    assert_eq!(defaults.return_window_days, 30);
    assert_eq!(defaults.rate_limit.actions_per_minute, 6);
}

#[test]
fn lists_are_trimmed() {
    let config = read(&[
        (
            "ALLOWED_ORIGINS",
            " https://a.example/ , http://localhost:3000",
        ),
        ("ALLOWED_MODELS", "a,b"),
    ])
    .expect("valid");
    assert_eq!(
        config.allowed_origins,
        ["https://a.example", "http://localhost:3000"]
    );
    assert_eq!(config.allowed_models, ["a", "b"]);
}
