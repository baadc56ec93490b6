//! The failed turn's message, with Retry. Each failure is shown and logged once. Retry takes
//! the banner (and its focused button) away, so the keyboard goes on in the message box.

use leptos::prelude::*;
use support_core::Phase;

use super::composer::MessageBox;
use crate::chat::Chat;
use crate::strings::{console_detail, Strings};

/// Says why the last turn failed, while it stands failed.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let chat = expect_context::<Chat>();
    let message_box = expect_context::<MessageBox>();
    let error = Memo::new(move |_| match chat.phase.get() {
        Phase::Failed(error) => Some(error),
        _ => None,
    });
    Effect::new(move |_| {
        if let Some(error) = error.get() {
            web_sys::console::error_1(&console_detail(&error).into());
        }
    });
    move || {
        error.get().map(|error| {
            view! {
                <div class="sw-error" role="alert" data-testid="error">
                    <p>{t.error_message(&error).to_owned()}</p>
                    <button type="button" class="sw-button" data-testid="retry"
                        on:click=move |_| { chat.retry(); message_box.focus(); }>{t.retry.clone()}</button>
                </div>
            }
        })
    }
}
