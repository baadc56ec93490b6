//! The hand-off form: the customer's email (asked for when the store did not give it,
//! checked, with a clear error), what will be sent (the summary and the conversation), and
//! Send / Not now. It serves both the model's `handoff_to_human` proposal and the header's
//! "Talk to a person".

use leptos::html::Input;
use leptos::prelude::*;
use support_core::handoff::transcript;
use support_core::tools::normalize_email;

use crate::chat::Chat;
use crate::strings::Strings;

/// The form; `on_send` gets the checked email.
#[component]
pub fn HandoffForm(
    /// The prefix of the form's element ids, its own among the forms that may be open at once.
    id: &'static str,
    /// What the team will read first.
    summary: String,
    /// The email the store gave, if any.
    email: Option<String>,
    on_send: Callback<String>,
    on_cancel: Callback<()>,
    /// True while the hand-off is on its way.
    #[prop(into)]
    sending: Signal<bool>,
    /// True when the last attempt failed.
    #[prop(into)]
    failed: Signal<bool>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let input = NodeRef::<Input>::new();
    let value = RwSignal::new(email.unwrap_or_default());
    let invalid = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    let submit = submitter(value, invalid, input, sending, on_send);
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            on_cancel.run(());
        }
    };
    view! {
        <form class="sw-handoff" part="handoff-form" data-testid="handoff-form" novalidate=""
            aria-labelledby=labelled_by on:submit=submit on:keydown=on_keydown>
            <h3 class="sw-action-title" id=title_id>{t.talk_to_person.clone()}</h3>
            <p>{t.handoff_intro.clone()}</p>
            <EmailField id value invalid input />
            <Preview summary />
            <Show when=move || failed.get()>
                <p class="sw-field-error" role="alert" data-testid="handoff-failed">{t.handoff_failed.clone()}</p>
            </Show>
            <div class="sw-action-buttons">
                <button type="submit" class="sw-button sw-primary" data-testid="handoff-send"
                    aria-disabled=move || sending.get().then_some("true")>
                    {move || if sending.get() { t.sending.clone() } else { t.send_handoff.clone() }}
                </button>
                <button type="button" class="sw-button" data-testid="handoff-cancel"
                    on:click=move |_| on_cancel.run(())>{t.decline.clone()}</button>
            </div>
        </form>
    }
}

/// Sends the checked email, or shows why it cannot be sent and returns to the field.
fn submitter(
    value: RwSignal<String>,
    invalid: RwSignal<bool>,
    input: NodeRef<Input>,
    sending: Signal<bool>,
    on_send: Callback<String>,
) -> impl Fn(leptos::ev::SubmitEvent) {
    move |ev| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        match normalize_email(&value.get_untracked()) {
            Ok(email) => {
                invalid.set(false);
                on_send.run(email);
            }
            Err(_) => {
                invalid.set(true);
                if let Some(input) = input.get_untracked() {
                    let _ = input.focus();
                }
            }
        }
    }
}

/// The email field, labelled, with its error when what was typed is not an address.
#[component]
fn EmailField(
    id: &'static str,
    value: RwSignal<String>,
    invalid: RwSignal<bool>,
    input: NodeRef<Input>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let email_id = format!("{id}-email");
    let label_for = email_id.clone();
    let error_id = StoredValue::new(format!("{id}-error"));
    view! {
        <label class="sw-field-label" for=label_for>{t.email_label.clone()}</label>
        <input id=email_id class="sw-field" type="email" autocomplete="email" inputmode="email"
            data-testid="handoff-email" node_ref=input maxlength="254"
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
            aria-invalid=move || if invalid.get() { "true" } else { "false" }
            aria-describedby=move || invalid.get().then(|| error_id.get_value()) />
        <Show when=move || invalid.get()>
            <p class="sw-field-error" id=error_id.get_value() role="alert" data-testid="handoff-email-error">
                {t.email_invalid.clone()}
            </p>
        </Show>
    }
}

/// What will be sent: the summary and the conversation, folded.
#[component]
fn Preview(summary: String) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let chat = expect_context::<Chat>();
    let lines = move || {
        chat.entries.with(|entries| {
            transcript(entries)
                .into_iter()
                .map(|line| {
                    let who = if line.role == "user" { &t.you } else { &t.assistant };
                    view! { <li dir="auto"><span class="sw-who">{who.clone()}</span>" "{line.content}</li> }
                })
                .collect_view()
        })
    };
    view! {
        <details class="sw-handoff-preview">
            <summary>{t.what_is_sent.clone()}</summary>
            <p><strong>{t.summary_label.clone()}": "</strong><span dir="auto" data-testid="handoff-summary">{summary}</span></p>
            <ol class="sw-transcript">{lines}</ol>
        </details>
    }
}
