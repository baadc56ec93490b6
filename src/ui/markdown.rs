//! Renders the core's Markdown tree as DOM nodes. Text is always text: nothing here parses HTML.

use leptos::prelude::*;
use support_core::markdown::{parse, Block, Inline};

/// A model reply rendered as safe Markdown.
#[component]
pub fn Markdown(
    /// The reply text.
    #[prop(into)]
    text: Signal<String>,
) -> impl IntoView {
    move || text.with(|t| parse(t).into_iter().map(block).collect_view())
}

fn block(block: Block) -> AnyView {
    match block {
        Block::Paragraph(inlines) => view! { <p>{inline_all(inlines)}</p> }.into_any(),
        Block::Heading(inlines) => {
            view! { <p class="sw-heading"><strong>{inline_all(inlines)}</strong></p> }.into_any()
        }
        Block::Code(code) => view! { <pre><code>{code}</code></pre> }.into_any(),
        Block::List {
            ordered: false,
            items,
        } => view! { <ul>{list_items(items)}</ul> }.into_any(),
        Block::List {
            ordered: true,
            items,
        } => view! { <ol>{list_items(items)}</ol> }.into_any(),
    }
}

fn list_items(items: Vec<Vec<Inline>>) -> impl IntoView {
    items
        .into_iter()
        .map(|item| view! { <li>{inline_all(item)}</li> })
        .collect_view()
}

fn inline_all(inlines: Vec<Inline>) -> impl IntoView {
    inlines.into_iter().map(inline).collect_view()
}

fn inline(inline: Inline) -> AnyView {
    match inline {
        Inline::Text(text) => text.into_any(),
        Inline::Strong(children) => view! { <strong>{inline_all(children)}</strong> }.into_any(),
        Inline::Emphasis(children) => view! { <em>{inline_all(children)}</em> }.into_any(),
        Inline::Code(code) => view! { <code>{code}</code> }.into_any(),
        Inline::Break => view! { <br /> }.into_any(),
        Inline::Link { href, children } => view! {
            <a href=href target="_blank" rel="noopener noreferrer">{inline_all(children)}</a>
        }
        .into_any(),
    }
}
