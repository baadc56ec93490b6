//! Sends a hand-off to a person: to the store's support proxy (`POST /v1/handoffs`), as a
//! `handoff` page event for a store whose helpdesk takes over, or, in the demo, into this
//! browser's storage. Each sent hand-off is also told to the page as a `handoff` event.

use serde::Serialize;
use support_core::config::Handoff;
use support_core::handoff::{HandoffRequest, Line, Receipt, Ticket};

use crate::host::Host;
use crate::storage::{load_extra, save_extra};
use crate::transport::post_json;

/// Where the demo keeps its tickets.
const TICKETS: &str = "demo-handoffs";

/// The `handoff` page event's detail (fields spelt out: a flattened struct would reach the
/// page as a `Map`, not an object).
#[derive(Serialize)]
struct HandoffDetail<'a> {
    /// The ticket's reference; none when the page's own helpdesk takes over.
    reference: Option<&'a str>,
    email: &'a str,
    summary: &'a str,
    conversation: &'a [Line],
}

/// Sends `request`; the receipt, or what went wrong (for the console; the customer is told in
/// their language).
pub async fn send(
    target: &Handoff,
    host: Host,
    prefix: &str,
    request: &HandoffRequest,
    timeout_ms: u32,
) -> Result<Receipt, String> {
    let receipt = match target {
        Handoff::Remote(base) => {
            let body = serde_json::to_string(request).map_err(|e| e.to_string())?;
            match post_json(&format!("{base}/handoffs"), body, timeout_ms).await? {
                (200 | 201, answer) => serde_json::from_value::<Receipt>(answer)
                    .map_err(|e| format!("the hand-off's answer is unusable: {e}"))?,
                (status, _) => return Err(format!("the hand-off: HTTP {status}")),
            }
        }
        Handoff::Event => Receipt {
            ticket: Ticket {
                reference: String::new(),
                status: Some("handed_to_page".to_owned()),
            },
            email: None,
        },
        Handoff::Demo => keep_demo_ticket(prefix, request),
    };
    let reference = Some(receipt.ticket.reference.as_str()).filter(|r| !r.is_empty());
    host.emit(
        "handoff",
        &HandoffDetail {
            reference,
            email: &request.email,
            summary: &request.summary,
            conversation: &request.conversation,
        },
    );
    Ok(Receipt {
        email: Some(request.email.clone()),
        ..receipt
    })
}

/// The demo's ticket, kept in this browser (the last 20).
fn keep_demo_ticket(prefix: &str, request: &HandoffRequest) -> Receipt {
    let reference = format!("H-{:06X}", crate::config::random_seed() & 0xFF_FFFF);
    let mut tickets: Vec<serde_json::Value> = load_extra(prefix, TICKETS)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    tickets.push(serde_json::json!({
        "reference": reference, "status": "open", "at_ms": crate::config::now_ms(),
        "email": request.email, "summary": request.summary, "conversation": request.conversation,
    }));
    let skip = tickets.len().saturating_sub(20);
    if let Ok(text) = serde_json::to_string(&tickets[skip..]) {
        save_extra(prefix, TICKETS, &text);
    }
    Receipt {
        ticket: Ticket {
            reference,
            status: Some("open".to_owned()),
        },
        email: None,
    }
}
