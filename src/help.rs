//! Runs `search_help` against the bundled help articles.
//!
//! The passages are the demo's, so they are not in the wasm: `help.json` (built from the
//! articles by the core's `help-index` at build time) sits next to the widget's files and is
//! fetched on the first search, indexed once and kept.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde_json::{json, Value};
use support_core::help::{HelpIndex, Passage};

use crate::transport::get_json;

/// The bundled help articles, fetched when first searched.
pub struct Help {
    /// The passages' URL (`loader.js` says where the widget's files are).
    url: String,
    index: RefCell<Option<Rc<HelpIndex>>>,
    /// True while the passages are being fetched.
    fetching: Cell<bool>,
    timeout_ms: u32,
}

impl Help {
    pub fn new(url: String, timeout_ms: u32) -> Self {
        Self {
            url,
            index: RefCell::new(None),
            fetching: Cell::new(false),
            timeout_ms,
        }
    }

    /// The result the model reads for `query`: the best passages, or an error it can read.
    pub async fn search(&self, query: &str) -> Value {
        match self.index().await {
            Ok(index) => serde_json::to_value(index.results(query))
                .unwrap_or_else(|_| unavailable("the results did not serialize")),
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
        let fetched = get_json(&self.url, self.timeout_ms).await;
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
