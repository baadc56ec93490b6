//! Renders the core's Markdown tree as DOM nodes. Text is always a text node: nothing here
//! parses HTML.

use support_core::markdown::{parse, Block, Inline};
use web_sys::{Document, Element, Node};

use super::dom::{add, add_text, create};

/// A `div.sw-md` holding `text` rendered as safe Markdown.
pub fn markdown(document: &Document, text: &str) -> Option<Element> {
    let container = create(document, "div", &[("class", "sw-md")])?;
    fill(document, &container, text);
    Some(container)
}

/// Replaces what `container` holds with `text` rendered as safe Markdown.
pub fn fill(document: &Document, container: &Element, text: &str) {
    let fragment = document.create_document_fragment();
    for block in parse(text) {
        add_block(document, &fragment, block);
    }
    container.replace_children_with_node_1(&fragment);
}

fn add_block(document: &Document, parent: &Node, block: Block) {
    match block {
        Block::Paragraph(inlines) => {
            if let Some(p) = add(document, parent, "p", &[]) {
                add_inlines(document, &p, inlines);
            }
        }
        Block::Heading(inlines) => {
            if let Some(strong) = add(document, parent, "p", &[("class", "sw-heading")])
                .and_then(|p| add(document, &p, "strong", &[]))
            {
                add_inlines(document, &strong, inlines);
            }
        }
        Block::Code(code) => {
            if let Some(code_element) =
                add(document, parent, "pre", &[]).and_then(|pre| add(document, &pre, "code", &[]))
            {
                add_text(document, &code_element, &code);
            }
        }
        Block::List { ordered, items } => {
            if let Some(list) = add(document, parent, if ordered { "ol" } else { "ul" }, &[]) {
                for item in items {
                    if let Some(li) = add(document, &list, "li", &[]) {
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
                if let Some(element) = add(document, parent, "code", &[]) {
                    add_text(document, &element, &code);
                }
                continue;
            }
            Inline::Break => {
                let _ = add(document, parent, "br", &[]);
                continue;
            }
            Inline::Strong(children) => ("strong", children),
            Inline::Emphasis(children) => ("em", children),
            Inline::Link { href, children } => {
                let attributes = [
                    ("href", href.as_str()),
                    ("target", "_blank"),
                    ("rel", "noopener noreferrer"),
                ];
                if let Some(a) = add(document, parent, "a", &attributes) {
                    add_inlines(document, &a, children);
                }
                continue;
            }
        };
        if let Some(element) = add(document, parent, tag, &[]) {
            add_inlines(document, &element, children);
        }
    }
}
