//! The words the customer sees, in each supported language, and the one mapping from errors
//! to them.
//!
//! A table is a JSON object with one entry per [`Strings`] field (`src/locales/<lang>.json`).
//! English is built in; every other language is copied to `dist/locales/` and fetched by
//! `loader.js` only for a customer who speaks it, then handed to [`register`]. A locale is
//! chosen by the `locale` setting or the browser's language; Arabic is laid out right to left.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use support_core::orders::OrderStatus;
use support_core::TurnError;

/// Every customer-facing string of one language. A table must have every field and nothing
/// else: one with a missing or misspelt entry is refused whole rather than shown in part.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strings {
    pub lang: String,
    pub rtl: bool,
    pub title: String,
    pub greeting: String,
    pub open_chat: String,
    pub close_chat: String,
    pub conversation: String,
    pub message_label: String,
    pub placeholder: String,
    pub send: String,
    pub stop: String,
    pub retry: String,
    pub new_conversation: String,
    pub confirm_reset: String,
    pub clear: String,
    pub cancel: String,
    pub typing: String,
    pub looking_up: String,
    pub searching_help: String,
    /// The heading of the articles a reply was built on.
    pub sources: String,
    /// Read out after a link that opens in a new tab.
    pub new_tab: String,
    pub starters_label: String,
    /// The starter questions when the store gives none.
    pub starters: Vec<String>,
    pub feedback_label: String,
    pub helpful: String,
    pub not_helpful: String,
    pub stopped: String,
    pub interrupted: String,
    pub in_memory: String,
    /// Read out before each message, punctuation included ("You:", "Vous :").
    pub you: String,
    pub assistant: String,
    /// "unread" after a count the language treats as singular (`one`), and after any other.
    pub unread_one: String,
    pub unread: String,
    pub order: String,
    pub amount: String,
    pub ordered: String,
    pub estimated_delivery: String,
    pub delivered: String,
    pub refund_requested: String,
    pub refunded: String,
    pub cancelled: String,
    pub processing: String,
    pub shipped: String,
    pub unavailable: String,
    pub busy: String,
    pub network: String,
    pub timeout: String,
    pub cut_off: String,
    pub generic: String,
    /// The confirmation card and the hand-off form: `{amount}`, `{reference}` and `{email}`
    /// are filled in.
    pub talk_to_person: String,
    pub confirm_refund_title: String,
    pub confirm_cancel_title: String,
    pub refund_effect: String,
    pub cancel_effect: String,
    pub reason: String,
    pub confirm: String,
    pub decline: String,
    pub handoff_intro: String,
    pub email_label: String,
    pub email_invalid: String,
    pub summary_label: String,
    pub what_is_sent: String,
    pub send_handoff: String,
    pub sending: String,
    pub handoff_sent: String,
    pub handoff_sent_page: String,
    pub handoff_failed: String,
    pub handoff_summary: String,
}

/// The languages with a table.
pub const LANGUAGES: [&str; 5] = ["en", "de", "fr", "es", "ar"];

const ENGLISH: &str = include_str!("locales/en.json");

thread_local! {
    static LOADED: RefCell<Vec<&'static Strings>> = const { RefCell::new(Vec::new()) };
    static EN: &'static Strings = Box::leak(Box::new(
        serde_json::from_str(ENGLISH).expect("src/locales/en.json is a complete table"),
    ));
}

/// The built-in English table.
pub fn english() -> &'static Strings {
    EN.with(|en| *en)
}

/// Reads a language's table and makes it available to [`for_locale`].
pub fn register(json: &str) -> Result<&'static Strings, serde_json::Error> {
    let strings: &'static Strings = Box::leak(Box::new(serde_json::from_str(json)?));
    LOADED.with(|loaded| loaded.borrow_mut().push(strings));
    Ok(strings)
}

/// The strings for a language tag such as `de`, `fr-CA` or `ar-EG`: a table read by
/// [`register`], or English.
pub fn for_locale(tag: &str) -> &'static Strings {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let found = LOADED.with(|loaded| {
        loaded
            .borrow()
            .iter()
            .rev()
            .copied()
            .find(|s| s.lang == primary)
    });
    found.unwrap_or_else(english)
}

impl Strings {
    /// A count in this language's digits (Arabic-Indic for Arabic).
    pub fn number(&self, n: u32) -> String {
        let format = js_sys::Intl::NumberFormat::new(
            &js_sys::Array::of1(&self.lang.as_str().into()),
            &js_sys::Object::new(),
        );
        format
            .format()
            .call1(&format, &n.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| n.to_string())
    }

    /// The launcher's label with `n` unread replies: "Open chat (2 unread)", "Ouvrir le chat
    /// (1 non lu)". The language's plural rule (Intl.PluralRules) picks the word.
    pub fn open_chat_unread(&self, n: u32) -> String {
        let rules = js_sys::Intl::PluralRules::new(
            &js_sys::Array::of1(&self.lang.as_str().into()),
            &js_sys::Object::new(),
        );
        let one = rules.select(f64::from(n)).as_string().as_deref() == Some("one");
        let word = if one { &self.unread_one } else { &self.unread };
        format!("{} ({} {})", self.open_chat, self.number(n), word)
    }

    /// What the customer reads when a turn fails; the detail goes to the console.
    pub fn error_message(&self, error: &TurnError) -> &str {
        match error {
            TurnError::Unavailable { .. } => &self.unavailable,
            TurnError::Busy { .. } => &self.busy,
            TurnError::Network(_) => &self.network,
            TurnError::Timeout => &self.timeout,
            TurnError::Interrupted => &self.cut_off,
            TurnError::Provider(_)
            | TurnError::Rejected { .. }
            | TurnError::ToolLoop
            | TurnError::EmptyReply => &self.generic,
        }
    }

    /// An order status as a badge label.
    pub fn status(&self, status: OrderStatus) -> &str {
        match status {
            OrderStatus::Processing => &self.processing,
            OrderStatus::Shipped => &self.shipped,
            OrderStatus::Delivered => &self.delivered,
            OrderStatus::RefundRequested => &self.refund_requested,
            OrderStatus::Refunded => &self.refunded,
            OrderStatus::Cancelled => &self.cancelled,
        }
    }
}

/// The developer's view of a failure, with what to fix where the site owner can fix it.
pub fn console_detail(error: &TurnError) -> String {
    match error {
        TurnError::Unavailable { status: 401, .. } => format!(
            "support-widget: {error}. The API key was refused: set the key on your support proxy \
             (UPSTREAM_API_KEY) and point `endpoint` at the proxy."
        ),
        TurnError::Unavailable { status: 403, .. } => format!(
            "support-widget: {error}. The provider refused this key for this model or plan: check \
             `model` and the account's plan."
        ),
        _ => format!("support-widget: {error}"),
    }
}
