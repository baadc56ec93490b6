//! Renders the core's Markdown tree as DOM nodes. Text is always a text node: nothing here
//! parses HTML.
//!
//! The tree is built with plain DOM calls into one container rather than as Leptos views: a
//! reply is drawn whole (and, while it streams, redrawn whole), so a view per Markdown node
//! would only add a generic renderer per node kind to the wasm.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use support_core::markdown::{parse, Block, Inline};
use web_sys::{Document, Element, Node};

/// A model reply rendered as safe Markdown.
#[component]
pub fn Markdown(
    /// The reply text.
    #[prop(into)]
    text: Signal<String>,
) -> impl IntoView {
    // Drawn as the container is built (so a restored list has its full height before it is
    // scrolled) and again, in the same render pass as other views, whenever the text changes.
    let draw = move |root: Element| {
        let redraw = RenderEffect::new(move |_| {
            let Some(document) = root.owner_document() else {
                return;
            };
            let fragment = document.create_document_fragment();
            text.with(|text| {
                for block in parse(text) {
                    add_block(&document, &fragment, block);
                }
            });
            root.replace_children_with_node_1(&fragment);
        });
        let redraw = SendWrapper::new(redraw);
        on_cleanup(move || drop(redraw));
    };
    view! { <div class="sw-md" use:draw></div> }
}

/// Appends a `tag` element to `parent` and returns it.
fn element(document: &Document, parent: &Node, tag: &str) -> Option<web_sys::Element> {
    let element = document.create_element(tag).ok()?;
    parent.append_child(&element).ok()?;
    Some(element)
}

fn add_text(document: &Document, parent: &Node, text: &str) {
    let _ = parent.append_child(&document.create_text_node(text));
}

fn add_block(document: &Document, parent: &Node, block: Block) {
    match block {
        Block::Paragraph(inlines) => {
            if let Some(p) = element(document, parent, "p") {
                add_inlines(document, &p, inlines);
            }
        }
        Block::Heading(inlines) => {
            if let Some(p) = element(document, parent, "p") {
                p.set_class_name("sw-heading");
                if let Some(strong) = element(document, &p, "strong") {
                    add_inlines(document, &strong, inlines);
                }
            }
        }
        Block::Code(code) => {
            if let Some(code_element) =
                element(document, parent, "pre").and_then(|pre| element(document, &pre, "code"))
            {
                add_text(document, &code_element, &code);
            }
        }
        Block::List { ordered, items } => {
            if let Some(list) = element(document, parent, if ordered { "ol" } else { "ul" }) {
                for item in items {
                    if let Some(li) = element(document, &list, "li") {
                        add_inlines(document, &li, item);
                    }
                }
            }
        }
    }
}

fn add_inlines(document: &Document, parent: &Node, inlines: Vec<Inline>) {
    for inline in inlines {
        let (tag, children) = match inline {
            Inline::Text(text) => {
                add_text(document, parent, &text);
                continue;
            }
            Inline::Code(code) => {
                if let Some(element) = element(document, parent, "code") {
                    add_text(document, &element, &code);
                }
                continue;
            }
            Inline::Break => {
                let _ = element(document, parent, "br");
                continue;
            }
            Inline::Strong(children) => ("strong", children),
            Inline::Emphasis(children) => ("em", children),
            Inline::Link { href, children } => {
                if let Some(a) = element(document, parent, "a") {
                    let _ = a.set_attribute("href", &href);
                    let _ = a.set_attribute("target", "_blank");
                    let _ = a.set_attribute("rel", "noopener noreferrer");
                    add_inlines(document, &a, children);
                }
                continue;
            }
        };
        if let Some(element) = element(document, parent, tag) {
            add_inlines(document, &element, children);
        }
    }
}
