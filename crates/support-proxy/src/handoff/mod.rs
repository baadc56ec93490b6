//! `POST /v1/handoffs`: a customer asks for a person. The ticket (a reference, the address to
//! answer, a summary and the conversation) is stored in the `handoffs` table ([`store`]) and
//! answered at once with 201; with `HANDOFF_WEBHOOK_URL` it is then sent, signed, to the
//! store's help desk by a background task that retries with backoff ([`webhook`]).
//!
//! The body is `{"email": "…", "summary": "…", "conversation": [{"role": "user"|"assistant",
//! "content": "…"}, …]}`; a value out of bounds (an address that is not one, a summary too
//! long, too many messages) is a 422 saying which.

pub mod email;
pub mod store;
pub mod webhook;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use store::{HandoffStore, TicketStatus};
pub use webhook::Webhooks;

use crate::body;
use crate::error::AppError;
use crate::AppState;

/// The largest body read.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The longest summary, in characters, once trimmed: the core's limit for the tool's argument.
pub const MAX_SUMMARY_CHARS: usize = support_core::tools::MAX_SUMMARY;
/// The most messages a ticket carries.
pub const MAX_MESSAGES: usize = 200;
/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 8_000;

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One message of the conversation, as the widget sends it and the help desk receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

/// The body, as the widget sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffBody {
    pub email: String,
    pub summary: String,
    #[serde(default)]
    pub conversation: Vec<Message>,
}

/// A stored ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    /// The reference the customer can quote (`H-…`).
    pub reference: String,
    pub email: String,
    pub summary: String,
    pub conversation: Vec<Message>,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
}

impl HandoffBody {
    /// The ticket this body asks for, or what is wrong with it.
    pub fn ticket(self) -> Result<Ticket, AppError> {
        let email = self.email.trim();
        if !email::is_plausible(email) {
            return Err(AppError::unprocessable(format!(
                "email must be an address such as name@example.com, of at most {} characters",
                email::MAX_CHARS
            )));
        }
        let summary = self.summary.trim();
        if summary.is_empty() || summary.chars().count() > MAX_SUMMARY_CHARS {
            return Err(AppError::unprocessable(format!(
                "summary must be 1 to {MAX_SUMMARY_CHARS} characters"
            )));
        }
        if self.conversation.len() > MAX_MESSAGES {
            return Err(AppError::unprocessable(format!(
                "conversation has more than {MAX_MESSAGES} messages"
            )));
        }
        if let Some(at) = self
            .conversation
            .iter()
            .position(|m| m.content.chars().count() > MAX_MESSAGE_CHARS)
        {
            return Err(AppError::unprocessable(format!(
                "conversation message {at} is longer than {MAX_MESSAGE_CHARS} characters"
            )));
        }
        Ok(Ticket {
            reference: body::reference("H"),
            email: email.to_owned(),
            summary: summary.to_owned(),
            conversation: self.conversation,
            created_at: body::now_secs(),
        })
    }
}

/// Stores the ticket and answers 201 `{"ticket": {"reference", "status", "created_at"}}`
/// without waiting for its delivery.
pub async fn post(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let ticket = body::read::<HandoffBody>(body, MAX_BODY_BYTES)?.ticket()?;
    let store = HandoffStore::new(&state.orders);
    store.insert(&ticket).await.map_err(|error| {
        tracing::error!(%error, "storing a hand-off failed");
        AppError::Unavailable
    })?;
    tracing::info!(reference = ticket.reference, "hand-off ticket stored");
    let answer = json!({"ticket": {
        "reference": ticket.reference,
        "status": TicketStatus::Open,
        "created_at": ticket.created_at,
    }});
    if let Some(webhooks) = &state.webhooks {
        webhooks.spawn(store, ticket);
    }
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Creates the table if it is not there.
pub async fn prepare(orders: &crate::db::OrderStore) -> Result<(), sqlx::Error> {
    HandoffStore::new(orders).prepare().await
}
