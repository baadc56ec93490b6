//! Sends a reply's rating to the support proxy, `POST {base}/feedback`, when the widget talks
//! to one: the rating, the reply's text and the URLs of the articles it cited (the core's
//! `proxy::Feedback`), nothing about the customer. Fire-and-forget: the buttons never wait on
//! it, and a failure is a console warning. A changed rating is sent again; the proxy keeps
//! both. In bundled mode nothing is sent (the page's `feedback` event is all there is).
//! Every rating is also kept in `localStorage` (`{storageKey}.ratings`, the latest 500 by
//! reply), so after a reload a reply shows its rating and a changed one stays final.

use support_core::help::Source;
use support_core::proxy::{feedback_path, Feedback, Rating};

use crate::transport::post_json;

/// Where ratings go, if anywhere.
pub struct Ratings {
    /// `{base}/feedback` on the support proxy.
    url: Option<String>,
    timeout_ms: u32,
}

impl Ratings {
    pub fn new(proxy: Option<&str>, timeout_ms: u32) -> Self {
        Self {
            url: proxy.map(feedback_path),
            timeout_ms,
        }
    }

    /// Sends one rating in the background.
    pub fn send(&self, rating: Rating, text: &str, sources: &[Source]) {
        let Some(url) = self.url.clone() else {
            return;
        };
        let body = match serde_json::to_string(&Feedback::new(rating, text, sources)) {
            Ok(body) => body,
            Err(error) => return warn(&error.to_string()),
        };
        let timeout_ms = self.timeout_ms;
        wasm_bindgen_futures::spawn_local(async move {
            match post_json(&url, body, timeout_ms).await {
                Ok((status, _)) if (200..300).contains(&status) => {}
                Ok((status, _)) => warn(&format!("HTTP {status}")),
                Err(detail) => warn(&detail),
            }
        });
    }
}

fn warn(detail: &str) {
    web_sys::console::warn_1(
        &format!("support-widget: sending the rating failed: {detail}").into(),
    );
}

/// Where the customer's ratings are kept, so a reload shows them (and keeps them final).
const KEPT: &str = "ratings";

/// The most ratings kept; the oldest go first.
const MAX_KEPT: usize = 500;

/// One kept rating: the reply's entry id, the rating, and how often it was chosen.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    id: String,
    rating: Rating,
    times: u8,
}

/// The customer's ratings, read from storage once and kept in step with it.
pub struct KeptRatings {
    prefix: String,
    all: std::cell::RefCell<Vec<Kept>>,
}

impl KeptRatings {
    /// The ratings stored under `prefix`; unreadable data counts as none.
    pub fn load(prefix: &str) -> Self {
        let all = crate::storage::load_extra(prefix, KEPT)
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        Self {
            prefix: prefix.to_owned(),
            all: std::cell::RefCell::new(all),
        }
    }

    /// The rating kept for the reply `id`, and how often it was chosen.
    pub fn get(&self, id: &str) -> Option<(Rating, u8)> {
        self.all
            .borrow()
            .iter()
            .find(|k| k.id == id)
            .map(|k| (k.rating, k.times))
    }

    /// Keeps the rating of the reply `id`.
    pub fn keep(&self, id: &str, rating: Rating, times: u8) {
        let mut all = self.all.borrow_mut();
        all.retain(|k| k.id != id);
        all.push(Kept {
            id: id.to_owned(),
            rating,
            times,
        });
        let skip = all.len().saturating_sub(MAX_KEPT);
        all.drain(..skip);
        if let Ok(text) = serde_json::to_string(&*all) {
            crate::storage::save_extra(&self.prefix, KEPT, &text);
        }
    }
}
