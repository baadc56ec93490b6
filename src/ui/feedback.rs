//! Thumbs up or down on a finished reply. Each is a toggle button whose state is announced
//! through `aria-pressed`; a rating may be changed once, then it stays, across reloads too. Each choice is told to
//! the page as a `feedback` event (`{rating, text}`) and handed to the chat, which sends it to
//! the support proxy in proxy mode.

use leptos::prelude::*;
use support_core::help::Source;
use support_core::proxy::Rating;

use crate::chat::Chat;
use crate::host::{FeedbackDetail, Host};
use crate::strings::Strings;

/// The rating buttons of one reply.
#[component]
pub fn Feedback(
    /// The reply's entry id, which its kept rating is found by.
    entry_id: String,
    /// The reply's text, sent with the rating.
    text: String,
    /// The articles the reply cited, sent with the rating.
    sources: Vec<Source>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let host = expect_context::<Host>();
    let chat = expect_context::<Chat>();
    // The rating, and how often it was chosen: once changed, it stays (the buttons say so and
    // ignore clicks). One signal per reply: a long conversation has many of these.
    let id = StoredValue::new(entry_id);
    let before = id.with_value(|id| chat.rating_of(id));
    let state = RwSignal::new(before.map_or((None::<Rating>, 0u8), |(r, n)| (Some(r), n)));
    let locked = move || state.with(|(_, chosen)| *chosen > 1);
    let reply = StoredValue::new((text, sources));
    let rate = move |chosen: Rating| {
        let (now, times) = state.get_untracked();
        if times > 1 || now == Some(chosen) {
            return;
        }
        state.set((Some(chosen), times + 1));
        reply.with_value(|(text, sources)| {
            host.emit(
                "feedback",
                &FeedbackDetail {
                    rating: chosen.as_str(),
                    text,
                },
            );
            id.with_value(|id| chat.rate(id, chosen, times + 1, text, sources));
        });
    };
    let button = move |chosen: Rating, label: String, icon: &'static str| {
        view! {
            <button type="button" class="sw-rate" aria-label=label
                data-testid=format!("rate-{}", chosen.as_str())
                aria-pressed=move || if state.with(|(now, _)| *now == Some(chosen)) { "true" } else { "false" }
                aria-disabled=move || locked().then_some("true")
                on:click=move |_| rate(chosen)>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d=icon /></svg>
            </button>
        }
    };
    view! {
        <div class="sw-feedback" role="group" aria-label=t.feedback_label.clone() data-testid="feedback">
            {button(Rating::Up, t.helpful.clone(), THUMB_UP)}
            {button(Rating::Down, t.not_helpful.clone(), THUMB_DOWN)}
        </div>
    }
}

const THUMB_UP: &str = "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z";
const THUMB_DOWN: &str = "M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1L17.4 16.4c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2z";
