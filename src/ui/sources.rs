//! The articles a reply was built on, under the reply: their titles, linking to the store's
//! help centre in a new tab. The core found them in the tool results and kept only http(s)
//! URLs; the links are built as attributes, never as HTML.

use leptos::prelude::*;
use support_core::help::Source;

use crate::strings::Strings;

/// The sources of one reply; nothing when there are none.
#[component]
pub fn Sources(
    /// The articles, best first.
    sources: Vec<Source>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    (!sources.is_empty()).then(|| {
        let links = sources
            .into_iter()
            .map(|source| {
                view! {
                    <li>
                        <a href=source.url target="_blank" rel="noopener" data-testid="source">
                            <span dir="auto">{source.title}</span><span class="sw-sr">{format!(" {}", t.new_tab)}</span>
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="sw-sources" data-testid="sources">
                <p class="sw-sources-title">{t.sources.clone()}</p>
                <ul>{links}</ul>
            </div>
        }
    })
}
