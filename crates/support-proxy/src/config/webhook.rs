//! `HANDOFF_WEBHOOK_*`: where hand-off tickets are delivered and the secret they are signed
//! with, which is never printed.

use std::time::Duration;

use super::{bad, ConfigError, Env};

/// The shortest webhook secret accepted.
pub const MIN_SECRET_BYTES: usize = 16;

/// The store's endpoint that receives hand-off tickets, signed with a shared secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// An http(s) URL (`HANDOFF_WEBHOOK_URL`).
    pub url: String,
    /// The HMAC-SHA256 key (`HANDOFF_WEBHOOK_SECRET`).
    pub secret: Secret,
    /// Tries per ticket, the first included (`HANDOFF_WEBHOOK_ATTEMPTS`).
    pub attempts: u32,
    /// The wait after the first failed try, doubled after each one (`HANDOFF_WEBHOOK_BACKOFF_MS`).
    pub backoff: Duration,
    /// For one try, connecting and the whole answer (`HANDOFF_WEBHOOK_TIMEOUT_SECS`).
    pub timeout: Duration,
    /// Deliveries under way at once (`HANDOFF_WEBHOOK_CONCURRENCY`); more wait their turn.
    pub concurrency: usize,
}

/// A value that is never printed, not even by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Env<'_> {
    /// A URL needs a secret: an unsigned ticket could be forged by anyone who finds the URL.
    pub(super) fn webhook(&self) -> Result<Option<Webhook>, ConfigError> {
        let Some(url) = (self.0)("HANDOFF_WEBHOOK_URL") else {
            return Ok(None);
        };
        let ok = url
            .parse::<reqwest::Url>()
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            // The URL may carry a token: it is not repeated.
            return Err(bad(
                "HANDOFF_WEBHOOK_URL",
                "must be an http(s) URL such as https://desk.shop.example/hooks/support".into(),
            ));
        }
        let secret = (self.0)("HANDOFF_WEBHOOK_SECRET").ok_or_else(|| {
            bad(
                "HANDOFF_WEBHOOK_SECRET",
                "must be set when HANDOFF_WEBHOOK_URL is: tickets are signed with it".into(),
            )
        })?;
        if secret.len() < MIN_SECRET_BYTES {
            // The secret is not repeated.
            return Err(bad(
                "HANDOFF_WEBHOOK_SECRET",
                format!("must be at least {MIN_SECRET_BYTES} bytes long"),
            ));
        }
        Ok(Some(Webhook {
            url,
            secret: Secret::new(secret),
            attempts: self.number("HANDOFF_WEBHOOK_ATTEMPTS", 5, 1, 20)? as u32,
            backoff: Duration::from_millis(self.number(
                "HANDOFF_WEBHOOK_BACKOFF_MS",
                1_000,
                1,
                600_000,
            )?),
            timeout: Duration::from_secs(self.number(
                "HANDOFF_WEBHOOK_TIMEOUT_SECS",
                10,
                1,
                300,
            )?),
            concurrency: self.number("HANDOFF_WEBHOOK_CONCURRENCY", 8, 1, 1_000)? as usize,
        }))
    }
}
