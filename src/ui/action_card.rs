//! The confirmation card of a change the model proposed: the order, the item, the amount,
//! what will happen, and Confirm / Not now. Only a click here carries the change out. The card
//! is drawn from the proposal the engine holds (the looked-up order), never from the model's
//! prose. The card itself takes focus when it appears (its heading names it, its item, facts and
//! effect describe it), and once answered the keyboard goes on in the message box.

use leptos::html::Section;
use leptos::prelude::*;
use support_core::orders::change::ChangeKind;
use support_core::orders::Order;

use super::composer::MessageBox;
use super::order_card::format_amount;
use crate::chat::Chat;
use crate::strings::Strings;

/// "Request a refund?" or "Cancel this order?" for `order`.
#[component]
pub fn ActionCard(
    /// The proposal's tool call, which the answer goes to.
    call_id: String,
    kind: ChangeKind,
    order: Order,
    /// The customer's reason, as the model understood it.
    reason: String,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    // The card takes focus, not Confirm: a key pressed while the customer was still typing
    // must not confirm, and a screen reader entering the card reads what it would change.
    let card = NodeRef::<Section>::new();
    Effect::new(move |_| {
        if let Some(card) = card.get() {
            let _ = card.focus();
        }
    });
    let amount = format_amount(order.amount, &order.currency, &t.lang);
    let (title, effect) = match kind {
        ChangeKind::Refund => (&t.confirm_refund_title, &t.refund_effect),
        ChangeKind::Cancel => (&t.confirm_cancel_title, &t.cancel_effect),
    };
    let effect = effect.replace("{amount}", &amount);
    let (answered, answer) = answerer(call_id);
    view! {
        <section class="sw-action" part="action-card" data-testid="action-card" data-kind=kind.as_str()
            role="group" tabindex="-1" node_ref=card aria-labelledby="sw-action-title"
            aria-describedby="sw-action-item sw-action-facts sw-action-effect">
            <h3 class="sw-action-title" id="sw-action-title">{title.clone()}</h3>
            <p class="sw-order-item" id="sw-action-item" dir="auto">{order.item.clone()}</p>
            <dl class="sw-order-facts" id="sw-action-facts">
                <dt>{t.order.clone()}</dt><dd>{order.order_id.clone()}</dd>
                <dt>{t.amount.clone()}</dt><dd>{amount.clone()}</dd>
                <dt>{t.reason.clone()}</dt><dd dir="auto">{reason}</dd>
            </dl>
            <p class="sw-action-effect" id="sw-action-effect">{effect}</p>
            <div class="sw-action-buttons">
                <button type="button" class="sw-button sw-primary" data-testid="action-confirm"
                    aria-disabled=move || answered.get().then_some("true")
                    on:click=move |_| answer(true)>{t.confirm.clone()}</button>
                <button type="button" class="sw-button" data-testid="action-decline"
                    aria-disabled=move || answered.get().then_some("true")
                    on:click=move |_| answer(false)>{t.decline.clone()}</button>
            </div>
        </section>
    }
}

/// Whether the card was answered, and the answer: one per card (a double click or a second key
/// press sends nothing more), after which the keyboard goes on in the message box.
fn answerer(call_id: String) -> (RwSignal<bool>, impl Fn(bool) + Copy) {
    let chat = expect_context::<Chat>();
    let message_box = expect_context::<MessageBox>();
    let answered = RwSignal::new(false);
    let call_id = StoredValue::new(call_id);
    let answer = move |confirmed: bool| {
        if !answered.get_untracked() {
            answered.set(true);
            chat.decide(call_id.get_value(), confirmed, None);
            message_box.focus();
        }
    };
    (answered, answer)
}
