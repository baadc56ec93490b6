//! Sends a reply's rating to the support proxy, `POST {base}/feedback`, when the widget talks
//! to one: the rating, the reply's text and the URLs of the articles it cited (the core's
//! `proxy::Feedback`), nothing about the customer. Fire-and-forget: the buttons never wait on
//! it, and a failure is a console warning. A changed rating is sent again; the proxy keeps
//! both. In bundled mode nothing is sent (the page's `feedback` event is all there is).

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
