//! Starter questions on an empty conversation: chips that send their text when clicked.

use leptos::prelude::*;

use crate::chat::Chat;
use crate::strings::Strings;

/// The chips, shown while the conversation is empty and nothing is running.
#[component]
pub fn Starters(
    /// The questions, as the store or the language gives them.
    questions: Vec<String>,
    /// Called once a question was sent (the composer takes focus back).
    on_pick: Callback<()>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let chat = expect_context::<Chat>();
    let shown = Memo::new(move |_| chat.entries.with(Vec::is_empty) && !chat.busy.get());
    let questions = StoredValue::new(questions);
    let chips = move || {
        questions
            .get_value()
            .into_iter()
            .map(|question| {
                let sent = question.clone();
                view! {
                    <li>
                        <button type="button" class="sw-chip" data-testid="starter" dir="auto"
                            on:click=move |_| { chat.send(sent.clone()); on_pick.run(()); }>
                            {question}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || shown.get() && !questions.with_value(Vec::is_empty)>
            <ul class="sw-starters" aria-label=t.starters_label.clone() data-testid="starters">
                {chips}
            </ul>
        </Show>
    }
}
