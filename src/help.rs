//! Runs `search_help`: against the support proxy's `GET {base}/help/search` when the widget
//! talks to one, or against the bundled help articles.
//!
//! The proxy searches the store's articles in its database; its answer is read by the core
//! into the same result the bundled search gives. The bundled passages are the demo's, so they
//! are not in the wasm: `help.json` (built from the articles by the core's `help-index` at
//! build time) sits next to the widget's files and is fetched on the first search, indexed
//! once and kept. Either way a failure is a result the model can read, never a stuck turn.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde_json::{json, Value};
use support_core::help::{HelpIndex, Passage};
use support_core::proxy::{help_search_params, help_search_path, read_help_answer};

use crate::transport::get_json;

/// Where `search_help` goes: the proxy, or the bundled articles, fetched when first searched.
pub struct Help {
    /// The support proxy's base URL, when the widget talks to one.
    proxy: Option<String>,
    /// The bundled passages' URL (`loader.js` says where the widget's files are).
    url: String,
    index: RefCell<Option<Rc<HelpIndex>>>,
    /// True while the passages are being fetched.
    fetching: Cell<bool>,
    timeout_ms: u32,
}

impl Help {
    pub fn new(proxy: Option<String>, url: String, timeout_ms: u32) -> Self {
        Self {
            proxy,
            url,
            index: RefCell::new(None),
            fetching: Cell::new(false),
            timeout_ms,
        }
    }

    /// The result the model reads for `query`: the best passages, or an error it can read.
    pub async fn search(&self, query: &str) -> Value {
        if let Some(base) = &self.proxy {
            return self.search_proxy(base, query).await;
        }
        match self.index().await {
            Ok(index) => serde_json::to_value(index.results(query))
                .unwrap_or_else(|_| unavailable("the results did not serialize")),
            Err(detail) => unavailable(&detail),
        }
    }

    /// Asks the proxy, whose answer becomes the bundled search's result.
    async fn search_proxy(&self, base: &str, query: &str) -> Value {
        let url = help_search_path(base);
        match get_json(&url, &help_search_params(query), self.timeout_ms).await {
            Ok((200, answer)) => match read_help_answer(answer) {
                Some(found) => serde_json::to_value(found)
                    .unwrap_or_else(|_| unavailable("the results did not serialize")),
                None => unavailable("the proxy's answer is not a search result"),
            },
            Ok((status, _)) => unavailable(&format!("HTTP {status}")),
            Err(detail) => unavailable(&detail),
        }
    }

    /// The index, built the first time it is needed. Searches of one round run together: the
    /// first fetches, the others wait for it.
    async fn index(&self) -> Result<Rc<HelpIndex>, String> {
        while self.fetching.get() {
            crate::transport::sleep(20).await;
        }
        if let Some(index) = self.index.borrow().clone() {
            return Ok(index);
        }
        self.fetching.set(true);
        let fetched = get_json(&self.url, &[], self.timeout_ms).await;
        self.fetching.set(false);
        let index = match fetched? {
            (200, list) => {
                let passages: Vec<Passage> = serde_json::from_value(list)
                    .map_err(|e| format!("the help articles are unusable: {e}"))?;
                Rc::new(HelpIndex::new(passages))
            }
            (status, _) => return Err(format!("the help articles: HTTP {status}")),
        };
        *self.index.borrow_mut() = Some(Rc::clone(&index));
        Ok(index)
    }
}

fn unavailable(detail: &str) -> Value {
    web_sys::console::warn_1(&format!("support-widget: help search failed: {detail}").into());
    json!({"error": "The help articles are unavailable right now"})
}
