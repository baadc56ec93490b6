//! Actions that need the customer's consent: the model proposes, the customer decides.
//!
//! A call to `request_refund` or `cancel_order` first has its order looked up
//! ([`Command::Prepare`]); if the store's rules do not allow the change, the model is told why
//! and nothing else happens. If they do, the turn pauses in [`Phase::Confirming`] and the panel
//! shows the proposal. Only [`Event::Decide`] with `confirmed` leads to [`Command::Carry`], the
//! one command that changes anything; the result the model then reads says what the customer
//! chose and what happened. A model that claims consent, repeats a call or switches orders
//! only ever produces another proposal. Sending a message, Stop or Reset withdraw a waiting
//! proposal; a reload does too (the stored call has no result, and loading answers it).

use serde_json::{json, Value};

use super::{Action, Command, Conversation, Phase, Proposal};
use crate::orders::change::{check, date_of_ms, ChangeKind};
use crate::orders::Order;
use crate::tools::{normalize_email, ToolInvocation};

/// A proposed change whose order is being looked up.
#[derive(Debug)]
pub(super) struct Preparing {
    call_id: String,
    kind: ChangeKind,
    reason: String,
    email: Option<String>,
}

impl Conversation {
    /// Takes in a validated call that needs consent. Only one proposal is made per round.
    pub(super) fn propose(
        &mut self,
        now_ms: u64,
        round: u64,
        call_id: String,
        invocation: ToolInvocation,
        pending: &mut Vec<String>,
        out: &mut Vec<Command>,
    ) {
        if self.turn.preparing.is_some() || self.turn.proposal.is_some() {
            let result = json!({"error": "Only one action can be put to the customer at a time. Wait for their answer to the first.", "changed": false});
            return self.push_result(now_ms, &call_id, &result);
        }
        match invocation {
            ToolInvocation::RequestChange {
                kind,
                order_id,
                reason,
                email,
            } => {
                if self.turn.declined.contains(&(kind, order_id.clone())) {
                    let result = json!({"changed": false, "customer_choice": "declined", "error": "The customer already declined this change. Do not propose it again; ask what else you can do."});
                    return self.push_result(now_ms, &call_id, &result);
                }
                pending.push(call_id.clone());
                out.push(Command::Prepare {
                    round,
                    call_id: call_id.clone(),
                    order_id,
                    email: email.clone(),
                });
                self.turn.preparing = Some(Preparing {
                    call_id,
                    kind,
                    reason,
                    email,
                });
            }
            ToolInvocation::Handoff { summary } => {
                self.turn.proposal = Some(Proposal {
                    call_id,
                    action: Action::Handoff { summary },
                });
            }
            // Read-only calls never come here.
            ToolInvocation::LookupOrder { .. } | ToolInvocation::SearchHelp { .. } => {}
        }
    }

    /// The lookup for a proposed change arrived: refuse it with the rules' reason, or keep the
    /// proposal for the customer. True when `call_id` was the change being prepared.
    pub(super) fn prepared(&mut self, now_ms: u64, call_id: &str, lookup: &Value) -> bool {
        let Some(preparing) = self.turn.preparing.take_if(|p| p.call_id == call_id) else {
            return false;
        };
        let order = match serde_json::from_value::<Order>(lookup.clone()) {
            Ok(order) => order,
            Err(_) => {
                let mut result = match lookup {
                    Value::Object(_) => lookup.clone(),
                    _ => json!({"error": "The order could not be looked up"}),
                };
                result["changed"] = json!(false);
                self.push_result(now_ms, call_id, &result);
                return true;
            }
        };
        let verdict = check(
            &order,
            preparing.kind,
            date_of_ms(now_ms),
            self.settings.return_window_days,
        );
        if verdict.is_allowed() {
            self.turn.proposal = Some(Proposal {
                call_id: preparing.call_id,
                action: Action::Change {
                    kind: preparing.kind,
                    order: Box::new(order),
                    reason: preparing.reason,
                    email: preparing.email,
                },
            });
        } else {
            self.push_result(now_ms, call_id, &verdict.to_result(&order, preparing.kind));
        }
        true
    }

    /// The round's tools are done: ask the customer, or ask the model for the next reply.
    pub(super) fn after_tools(&mut self, out: &mut Vec<Command>) {
        match self.turn.proposal.take() {
            Some(proposal) => {
                self.tool_activity = None;
                self.phase = Phase::Confirming(Box::new(proposal));
            }
            None => self.start_request(0, out),
        }
    }

    /// The customer answered the proposal for `call_id`.
    pub(super) fn on_decide(
        &mut self,
        now_ms: u64,
        call_id: &str,
        confirmed: bool,
        email: Option<String>,
        out: &mut Vec<Command>,
    ) {
        let Phase::Confirming(proposal) = &self.phase else {
            return;
        };
        if proposal.call_id != call_id {
            return;
        }
        let email = match (&proposal.action, email) {
            (Action::Handoff { .. }, Some(email)) if confirmed => match normalize_email(&email) {
                Ok(email) => Some(email),
                Err(_) => return,
            },
            (Action::Handoff { .. }, None) if confirmed => return,
            _ => None,
        };
        let Phase::Confirming(proposal) = std::mem::replace(&mut self.phase, Phase::Idle) else {
            return;
        };
        if !confirmed {
            if let Action::Change { kind, order, .. } = &proposal.action {
                self.turn.declined.push((*kind, order.order_id.clone()));
            }
            let result = json!({"changed": false, "customer_choice": "declined", "note": "The customer chose not to go ahead; nothing was changed."});
            self.push_result(now_ms, call_id, &result);
            out.push(Command::Persist);
            return self.start_request(0, out);
        }
        self.turn.carrying = Some(proposal.call_id.clone());
        self.phase = Phase::RunningTools {
            pending: vec![proposal.call_id.clone()],
        };
        out.push(Command::Carry {
            round: self.tool_round,
            call_id: proposal.call_id,
            action: proposal.action,
            email,
        });
    }

    /// The outcome of a carried-out action, as the model reads it: what the customer chose,
    /// and what happened.
    pub(super) fn carried(&mut self, call_id: &str, result: Value) -> Value {
        if self.turn.carrying.as_deref() != Some(call_id) {
            return result;
        }
        self.turn.carrying = None;
        let mut result = match result {
            Value::Object(map) => Value::Object(map),
            other => json!({"result": other}),
        };
        result["customer_choice"] = json!("confirmed");
        result
    }

    /// Withdraws a waiting proposal (the customer did something else), telling the model
    /// that nothing changed. The caller saves the history.
    pub(super) fn withdraw(&mut self, now_ms: u64, why: &str) {
        let proposal = match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::Confirming(proposal) => Some(*proposal),
            other => {
                self.phase = other;
                self.turn.proposal.take()
            }
        };
        if let Some(proposal) = proposal {
            let result = json!({"changed": false, "customer_choice": "none", "note": format!("{why}; nothing was changed.")});
            self.push_result(now_ms, &proposal.call_id, &result);
        }
    }
}
