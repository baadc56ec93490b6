//! What the model proposed and the customer has yet to answer: a change's confirmation card,
//! or the hand-off form. Drawn anew for each proposal.

use leptos::prelude::*;
use support_core::Action;

use super::action_card::ActionCard;
use super::handoff_form::HandoffForm;
use crate::chat::Chat;

/// The waiting proposal's card or form, if one waits.
#[component]
pub fn PendingAction() -> impl IntoView {
    let chat = expect_context::<Chat>();
    // Sending a confirmed hand-off moves the engine on; until it does, the form says so.
    let sending = RwSignal::new(false);
    move || {
        let proposal = chat.proposal.get()?;
        let call_id = proposal.call_id;
        sending.set(false);
        Some(match proposal.action {
            Action::Change {
                kind,
                order,
                reason,
                ..
            } => view! { <ActionCard call_id kind order=*order reason /> }.into_any(),
            Action::Handoff { summary } => {
                let id = StoredValue::new(call_id);
                let on_send = Callback::new(move |email: String| {
                    sending.set(true);
                    chat.remember_email(&email);
                    chat.decide(id.get_value(), true, Some(email));
                });
                let on_cancel = Callback::new(move |()| chat.decide(id.get_value(), false, None));
                view! {
                    <HandoffForm summary email=chat.customer_email() on_send on_cancel
                        sending failed=Signal::stored(false) />
                }
                .into_any()
            }
        })
    }
}
