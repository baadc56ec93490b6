//! What the model proposed and the customer has yet to answer: a change's confirmation card,
//! or the hand-off form. Drawn anew for each proposal.

use leptos::prelude::*;
use support_core::Action;

use super::action_card::ActionCard;
use super::composer::MessageBox;
use super::handoff_form::HandoffForm;
use crate::chat::Chat;

/// The waiting proposal's card or form, if one waits.
#[component]
pub fn PendingAction() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let message_box = expect_context::<MessageBox>();
    move || {
        let proposal = chat.proposal.get()?;
        let call_id = proposal.call_id;
        Some(match proposal.action {
            Action::Change {
                kind,
                order,
                reason,
                ..
            } => view! { <ActionCard call_id kind order=*order reason /> }.into_any(),
            Action::Handoff { summary } => {
                let id = StoredValue::new(call_id);
                // Confirming moves the engine on at once, and the form goes: it is never seen
                // sending, nor failing (the model's reply says how it went). The keyboard goes
                // on in the message box.
                let on_send = Callback::new(move |email: String| {
                    chat.remember_email(&email);
                    chat.decide(id.get_value(), true, Some(email));
                    message_box.focus();
                });
                let on_cancel = Callback::new(move |()| {
                    chat.decide(id.get_value(), false, None);
                    message_box.focus();
                });
                view! {
                    <HandoffForm id="sw-handoff-model" summary email=chat.customer_email() on_send on_cancel
                        sending=Signal::stored(false) failed=Signal::stored(false) />
                }
                .into_any()
            }
        })
    }
}
