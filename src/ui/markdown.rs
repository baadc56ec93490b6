//! A model reply rendered from the core's Markdown tree. Every piece of text is a text node:
//! nothing here parses HTML, and links keep only the schemes the core allows.

use leptos::prelude::*;
use support_core::markdown::{parse, Block, Inline};

/// A reply rendered as safe Markdown; redrawn when `text` changes (the streaming reply).
#[component]
pub fn Markdown(
    /// The reply text.
    text: Signal<String>,
) -> impl IntoView {
    view! {
        // Its own direction, from its first letters: English in an Arabic page (and the
        // reverse) keeps its punctuation at the right end.
        <div class="sw-md" dir="auto">
            {move || text.with(|text| parse(text)).into_iter().map(block).collect_view()}
        </div>
    }
}

fn block(block: Block) -> AnyView {
    match block {
        Block::Paragraph(inlines) => view! { <p>{inlines_view(inlines)}</p> }.into_any(),
        Block::Heading(inlines) => {
            view! { <p class="sw-heading"><strong>{inlines_view(inlines)}</strong></p> }.into_any()
        }
        Block::Code(code) => view! { <pre><code>{code}</code></pre> }.into_any(),
        Block::List { ordered, items } => {
            let items = items
                .into_iter()
                .map(|item| view! { <li>{inlines_view(item)}</li> })
                .collect_view();
            if ordered {
                view! { <ol>{items}</ol> }.into_any()
            } else {
                view! { <ul>{items}</ul> }.into_any()
            }
        }
    }
}

fn inlines_view(inlines: Vec<Inline>) -> Vec<AnyView> {
    inlines.into_iter().map(inline).collect()
}

fn inline(inline: Inline) -> AnyView {
    match inline {
        Inline::Text(text) => text.into_any(),
        Inline::Code(code) => view! { <code>{code}</code> }.into_any(),
        Inline::Break => view! { <br /> }.into_any(),
        Inline::Strong(children) => view! { <strong>{inlines_view(children)}</strong> }.into_any(),
        Inline::Emphasis(children) => view! { <em>{inlines_view(children)}</em> }.into_any(),
        Inline::Link { href, children } => view! {
            <a href=href target="_blank" rel="noopener noreferrer">{inlines_view(children)}</a>
        }
        .into_any(),
    }
}
