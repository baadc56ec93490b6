//! Delivering tickets to the store's help desk: one JSON POST per ticket to
//! `HANDOFF_WEBHOOK_URL`, signed with HMAC-SHA256 (key `HANDOFF_WEBHOOK_SECRET`) over the
//! attempt's time and the exact body bytes, `"{timestamp}.{body}"`
//! (`X-Support-Timestamp: <Unix seconds>`, `X-Support-Signature: sha256=<hex>`), so a
//! receiver that refuses old timestamps cannot be sent a captured delivery again. Each attempt
//! runs within a time-out, retried with exponential backoff, in a task of its own so the
//! customer's answer never waits for it; at most `HANDOFF_WEBHOOK_CONCURRENCY` deliveries are
//! under way at once, and the others wait their turn.
//!
//! A 2xx answer is a delivery; anything else (another status, no connection, the time-out) is
//! a failed attempt. Redirects are not followed: a signed body goes only where it was
//! configured to go. The log names the ticket and the error, never the secret or the URL.
//! A delivery still under way at shutdown is dropped with the runtime (the ticket stays
//! `open` in the table); receivers should treat `reference` as the key, since a retry after
//! a lost answer delivers the same ticket twice.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use tokio::sync::Semaphore;

use super::store::{HandoffStore, TicketStatus};
use super::Ticket;
use crate::config::Webhook;

/// The signature's header.
pub const SIGNATURE_HEADER: &str = "x-support-signature";
/// The header with the attempt's time, in seconds since the Unix epoch, that is signed too.
pub const TIMESTAMP_HEADER: &str = "x-support-timestamp";
/// The longest wait between two attempts, however many there were.
pub const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// The webhook and the HTTP client its deliveries use; cheap to clone.
#[derive(Debug, Clone)]
pub struct Webhooks {
    http: reqwest::Client,
    config: Webhook,
    /// One permit per delivery under way.
    slots: Arc<Semaphore>,
}

impl Webhooks {
    /// A client of its own: no redirects, the connect time-out within the attempt's.
    pub fn new(config: Webhook) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(crate::CONNECT_TIMEOUT.min(config.timeout))
            .timeout(config.timeout)
            .build()?;
        let slots = Arc::new(Semaphore::new(config.concurrency.max(1)));
        Ok(Self {
            http,
            config,
            slots,
        })
    }

    /// Delivers `ticket` in the background, once fewer than the cap of deliveries are under way.
    pub fn spawn(&self, store: HandoffStore, ticket: Ticket) {
        let webhooks = self.clone();
        tokio::spawn(async move {
            let Ok(_slot) = webhooks.slots.acquire().await else {
                return;
            };
            webhooks.deliver(&store, &ticket).await;
        });
    }

    /// Tries until the help desk takes the ticket or the attempts run out, recording each.
    pub async fn deliver(&self, store: &HandoffStore, ticket: &Ticket) -> TicketStatus {
        let body = payload(ticket);
        let reference = ticket.reference.as_str();
        let attempts = self.config.attempts.max(1);
        for attempt in 1..=attempts {
            let error = match self.attempt(&body, reference).await {
                Ok(()) => {
                    tracing::info!(reference, attempt, "hand-off delivered");
                    record(store, reference, attempt, TicketStatus::Delivered, None).await;
                    return TicketStatus::Delivered;
                }
                Err(error) => error,
            };
            if attempt == attempts {
                tracing::error!(reference, attempts, %error, "hand-off not delivered: every attempt failed; the ticket is kept");
                record(
                    store,
                    reference,
                    attempt,
                    TicketStatus::DeliveryFailed,
                    Some(&error),
                )
                .await;
                return TicketStatus::DeliveryFailed;
            }
            let wait = backoff(self.config.backoff, attempt);
            tracing::warn!(reference, attempt, %error, retry_in_ms = wait.as_millis() as u64, "hand-off delivery failed");
            record(store, reference, attempt, TicketStatus::Open, Some(&error)).await;
            tokio::time::sleep(wait).await;
        }
        TicketStatus::DeliveryFailed
    }

    /// One POST; `Err` says why it did not count as a delivery, without the URL.
    async fn attempt(&self, body: &[u8], reference: &str) -> Result<(), String> {
        let timestamp = crate::body::now_secs();
        let signature = sign(
            self.config.secret.expose().as_bytes(),
            &signed_message(timestamp, body),
        );
        let response = self
            .http
            .post(&self.config.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, timestamp)
            .header(SIGNATURE_HEADER, signature)
            .header("x-support-reference", reference)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the webhook answered {status}"))
        }
    }
}

async fn record(
    store: &HandoffStore,
    reference: &str,
    attempts: u32,
    status: TicketStatus,
    error: Option<&str>,
) {
    if let Err(e) = store
        .record_attempt(reference, attempts, status, error)
        .await
    {
        tracing::error!(reference, error = %e, "recording a hand-off delivery failed");
    }
}

/// The body sent: `{"event": "handoff", "ticket": {reference, email, summary, conversation,
/// created_at}}`.
pub fn payload(ticket: &Ticket) -> Vec<u8> {
    json!({"event": "handoff", "ticket": ticket})
        .to_string()
        .into_bytes()
}

/// What is signed: the timestamp in decimal, a dot, and the body's bytes.
pub fn signed_message(timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    message
}

/// `sha256=` and the lower-case hex HMAC-SHA256 of `message` under `secret`.
pub fn sign(secret: &[u8], message: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(message);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The wait after failed attempt `attempt` (1-based): `base`, doubled each time, at most
/// [`MAX_BACKOFF`].
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(20);
    base.saturating_mul(factor).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2.
    #[test]
    fn signatures_are_rfc_4231_hmac_sha256() {
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(signed_message(1_700_000_000, b"{}"), b"1700000000.{}");
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let base = Duration::from_secs(1);
        let waits: Vec<u64> = (1..=4).map(|n| backoff(base, n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8]);
        assert_eq!(backoff(base, 20), MAX_BACKOFF);
    }
}
