//! What the chat does for the customer: runs the model's read-only tools, carries out the
//! changes and hand-offs the customer confirmed, and tells the page (`refund`).

use serde::Serialize;
use support_core::handoff::{transcript, HandoffRequest, Receipt};
use support_core::{Action, ToolInvocation};

use super::inner::Inner;
use crate::config::now_ms;

/// The `refund` page event's detail: a change the customer confirmed, and how it ended.
#[derive(Serialize)]
struct RefundDetail<'a> {
    order_id: &'a str,
    /// `refund` or `cancel`.
    kind: &'a str,
    changed: bool,
    status: Option<&'a str>,
}

impl Inner {
    /// Runs a validated call with the source that owns it.
    pub(super) async fn run_tool(&self, invocation: &ToolInvocation) -> serde_json::Value {
        match invocation {
            ToolInvocation::LookupOrder { order_id, email } => {
                self.orders.lookup(order_id, email.as_deref()).await
            }
            ToolInvocation::SearchHelp { query } => self.help.search(query).await,
            // The engine never runs these as tools: they are carried out on a click.
            ToolInvocation::RequestChange { .. } | ToolInvocation::Handoff { .. } => invocation
                .run_with(
                    &Default::default(),
                    &support_core::help::HelpIndex::new(Vec::new()),
                ),
        }
    }

    /// Carries out an action the customer confirmed; the result the model reads.
    pub(super) async fn carry(&self, action: Action, email: Option<String>) -> serde_json::Value {
        match action {
            Action::Change {
                kind,
                order,
                reason,
                email: order_email,
            } => {
                let result = self
                    .orders
                    .change(kind, &order, &reason, order_email.as_deref(), now_ms())
                    .await;
                let changed = result["changed"] == serde_json::Value::Bool(true);
                self.host.emit(
                    "refund",
                    &RefundDetail {
                        order_id: &order.order_id,
                        kind: kind.as_str(),
                        changed,
                        status: result["status"].as_str(),
                    },
                );
                result
            }
            Action::Handoff { summary } => {
                let request = self.handoff_request(email.unwrap_or_default(), summary);
                match self.send_handoff(&request).await {
                    Ok(receipt) => serde_json::to_value(receipt).unwrap_or_default(),
                    Err(_) => {
                        serde_json::json!({"error": "The hand-off could not be sent; the customer can write to the store directly", "handed_off": false})
                    }
                }
            }
        }
    }

    pub(super) fn handoff_request(&self, email: String, summary: String) -> HandoffRequest {
        HandoffRequest {
            email,
            summary,
            conversation: transcript(self.conversation.borrow().history().entries()),
        }
    }

    pub(super) async fn send_handoff(&self, request: &HandoffRequest) -> Result<Receipt, String> {
        let sent = crate::handoff::send(
            &self.handoff,
            self.host,
            &self.prefix,
            request,
            self.timeout_ms,
        )
        .await;
        if let Err(detail) = &sent {
            web_sys::console::warn_1(&format!("support-widget: {detail}").into());
        }
        sent
    }
}
