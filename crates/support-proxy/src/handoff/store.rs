//! The `handoffs` table: one row per ticket, with the conversation as JSON text and where its
//! delivery to the help desk stands (`open` until it is delivered or every attempt failed).

use serde::Serialize;
use sqlx::AnyPool;

use super::Ticket;
use crate::db::OrderStore;

/// The same on SQLite and PostgreSQL; times are seconds since the Unix epoch.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS handoffs (
    reference TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    summary TEXT NOT NULL,
    conversation TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'delivered', 'delivery_failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at BIGINT)";

/// Where a ticket's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Stored; not delivered (yet, or there is no webhook).
    Open,
    /// The help desk answered 2xx.
    Delivered,
    /// Every attempt failed; the ticket is kept.
    DeliveryFailed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Delivered => "delivered",
            TicketStatus::DeliveryFailed => "delivery_failed",
        }
    }
}

/// The table on the order store's pool; cheap to clone.
#[derive(Debug, Clone)]
pub struct HandoffStore {
    pool: AnyPool,
}

impl HandoffStore {
    pub fn new(orders: &OrderStore) -> Self {
        Self {
            pool: orders.pool().clone(),
        }
    }

    /// Creates the table if it is not there.
    pub async fn prepare(&self) -> Result<(), sqlx::Error> {
        sqlx::query(SCHEMA).execute(&self.pool).await?;
        Ok(())
    }

    /// Stores a new ticket, `open`.
    pub async fn insert(&self, ticket: &Ticket) -> Result<(), sqlx::Error> {
        let conversation = serde_json::to_string(&ticket.conversation)
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "INSERT INTO handoffs (reference, email, summary, conversation, created_at, status)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(ticket.reference.clone())
        .bind(ticket.email.clone())
        .bind(ticket.summary.clone())
        .bind(conversation)
        .bind(ticket.created_at)
        .bind(TicketStatus::Open.as_str().to_owned())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records an attempt: how many were made, the status after it, and the last error
    /// (`None` once delivered).
    pub async fn record_attempt(
        &self,
        reference: &str,
        attempts: u32,
        status: TicketStatus,
        error: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let delivered_at = (status == TicketStatus::Delivered).then(crate::body::now_secs);
        sqlx::query(
            "UPDATE handoffs SET attempts = $1, status = $2, last_error = $3, delivered_at = $4
             WHERE reference = $5",
        )
        .bind(i64::from(attempts))
        .bind(status.as_str().to_owned())
        .bind(error.map(str::to_owned))
        .bind(delivered_at)
        .bind(reference.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
