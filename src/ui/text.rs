//! The words the customer sees, in each supported language, and the one mapping from errors
//! to them. A locale is chosen by the `locale` setting or the browser's language; Arabic is
//! laid out right to left. English is built in; every other language is a table in
//! `src/ui/locales/`, copied to `dist/locales/` and fetched by `loader.js` only for a customer
//! who speaks it.

use support_core::orders::OrderStatus;
use support_core::TurnError;

/// Every customer-facing string of one language.
#[derive(Debug, PartialEq, Eq)]
pub struct Strings {
    pub lang: &'static str,
    pub rtl: bool,
    pub title: &'static str,
    pub greeting: &'static str,
    pub open_chat: &'static str,
    pub close_chat: &'static str,
    pub conversation: &'static str,
    pub message_label: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub stop: &'static str,
    pub retry: &'static str,
    pub new_conversation: &'static str,
    pub confirm_reset: &'static str,
    pub clear: &'static str,
    pub cancel: &'static str,
    pub typing: &'static str,
    pub looking_up: &'static str,
    pub stopped: &'static str,
    pub interrupted: &'static str,
    pub in_memory: &'static str,
    /// Read out before each message, punctuation included ("You:", "Vous :").
    pub you: &'static str,
    pub assistant: &'static str,
    /// "unread" after a count the language treats as singular (`one`), and after any other.
    pub unread_one: &'static str,
    pub unread: &'static str,
    pub order: &'static str,
    pub amount: &'static str,
    pub ordered: &'static str,
    pub estimated_delivery: &'static str,
    pub delivered: &'static str,
    pub refund_requested: &'static str,
    pub refunded: &'static str,
    pub cancelled: &'static str,
    pub processing: &'static str,
    pub shipped: &'static str,
    pub unavailable: &'static str,
    pub busy: &'static str,
    pub network: &'static str,
    pub timeout: &'static str,
    pub cut_off: &'static str,
    pub generic: &'static str,
}

pub const EN: Strings = Strings {
    lang: "en",
    rtl: false,
    title: "Customer support",
    greeting: "Hello! How can I help you today?",
    open_chat: "Open chat",
    close_chat: "Close chat",
    conversation: "Conversation",
    message_label: "Type your message",
    placeholder: "Ask about an order, a refund…",
    send: "Send",
    stop: "Stop",
    retry: "Retry",
    new_conversation: "New conversation",
    confirm_reset: "Start over? This clears the conversation.",
    clear: "Clear",
    cancel: "Cancel",
    typing: "Assistant is typing…",
    looking_up: "Looking up your order…",
    stopped: "Stopped",
    interrupted: "Interrupted",
    in_memory: "This conversation won't be saved in this browser.",
    you: "You:",
    assistant: "Assistant:",
    unread_one: "unread",
    unread: "unread",
    order: "Order",
    amount: "Amount",
    ordered: "Ordered",
    estimated_delivery: "Estimated delivery",
    delivered: "Delivered",
    refund_requested: "Refund requested",
    refunded: "Refunded",
    cancelled: "Cancelled",
    processing: "Processing",
    shipped: "Shipped",
    unavailable: "Chat is unavailable right now. Please try again later.",
    busy: "We're busy right now. Please try again in a moment.",
    network: "We couldn't connect. Please check your connection and try again.",
    timeout: "The reply took too long. Please try again.",
    cut_off: "The reply was cut off. Please try again.",
    generic: "Sorry, something went wrong. Please try again.",
};

/// The languages with a table: English is built in; the others are `locales/<lang>.json`,
/// which `loader.js` fetches with the widget for a customer who speaks one of them, so a
/// language costs nothing to anyone who does not use it.
pub const LANGUAGES: [&str; 5] = ["en", "de", "fr", "es", "ar"];

thread_local! {
    static LOADED: std::cell::RefCell<Vec<&'static Strings>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads a language's table (`locales/<lang>.json`) and makes it available to
/// [`for_locale`]. Every field must be there, as a string (`rtl` as a boolean), and nothing
/// else: a table with a missing or misspelt entry is refused whole rather than shown in part.
pub fn register(json: &str) -> Result<&'static Strings, String> {
    let value = support_core::json::parse(json).map_err(|e| format!("not JSON: {e}"))?;
    let map = value.as_object().ok_or("not an object")?;
    let known = map
        .keys()
        .all(|k| k == "rtl" || FIELDS.contains(&k.as_str()));
    if !known || map.len() != FIELDS.len() + 1 {
        return Err("unknown or missing entries".to_owned());
    }
    let rtl = map.get("rtl").and_then(|v| v.as_bool()).ok_or("rtl")?;
    let mut texts = [""; FIELDS.len()];
    for (text, key) in texts.iter_mut().zip(FIELDS) {
        let value = map
            .get(key)
            .and_then(|v| v.as_str())
            .ok_or_else(|| key.to_string())?;
        *text = Box::leak(value.to_owned().into_boxed_str());
    }
    #[rustfmt::skip]
    let [
        lang, title, greeting, open_chat, close_chat, conversation, message_label, placeholder,
        send, stop, retry, new_conversation, confirm_reset, clear, cancel, typing, looking_up,
        stopped, interrupted, in_memory, you, assistant, unread_one, unread, order, amount,
        ordered, estimated_delivery, delivered, refund_requested, refunded, cancelled,
        processing, shipped, unavailable, busy, network, timeout, cut_off, generic,
    ] = texts;
    let strings: &'static Strings = Box::leak(Box::new(Strings {
        rtl,
        lang,
        title,
        greeting,
        open_chat,
        close_chat,
        conversation,
        message_label,
        placeholder,
        send,
        stop,
        retry,
        new_conversation,
        confirm_reset,
        clear,
        cancel,
        typing,
        looking_up,
        stopped,
        interrupted,
        in_memory,
        you,
        assistant,
        unread_one,
        unread,
        order,
        amount,
        ordered,
        estimated_delivery,
        delivered,
        refund_requested,
        refunded,
        cancelled,
        processing,
        shipped,
        unavailable,
        busy,
        network,
        timeout,
        cut_off,
        generic,
    }));
    LOADED.with(|loaded| loaded.borrow_mut().push(strings));
    Ok(strings)
}

/// The names of the text entries, in the order of [`Strings`].
const FIELDS: [&str; 40] = [
    "lang",
    "title",
    "greeting",
    "open_chat",
    "close_chat",
    "conversation",
    "message_label",
    "placeholder",
    "send",
    "stop",
    "retry",
    "new_conversation",
    "confirm_reset",
    "clear",
    "cancel",
    "typing",
    "looking_up",
    "stopped",
    "interrupted",
    "in_memory",
    "you",
    "assistant",
    "unread_one",
    "unread",
    "order",
    "amount",
    "ordered",
    "estimated_delivery",
    "delivered",
    "refund_requested",
    "refunded",
    "cancelled",
    "processing",
    "shipped",
    "unavailable",
    "busy",
    "network",
    "timeout",
    "cut_off",
    "generic",
];

/// The strings for a language tag such as `de`, `fr-CA` or `ar-EG`: a table read by
/// [`register`], or English.
pub fn for_locale(tag: &str) -> &'static Strings {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    LOADED
        .with(|loaded| {
            loaded
                .borrow()
                .iter()
                .rev()
                .copied()
                .find(|s| s.lang == primary)
        })
        .unwrap_or(&EN)
}

impl Strings {
    /// A count in this language's digits (Arabic-Indic for Arabic).
    pub fn number(&self, n: u32) -> String {
        let format = js_sys::Intl::NumberFormat::new(
            &js_sys::Array::of1(&self.lang.into()),
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
            &js_sys::Array::of1(&self.lang.into()),
            &js_sys::Object::new(),
        );
        let one = rules.select(f64::from(n)).as_string().as_deref() == Some("one");
        let word = if one { self.unread_one } else { self.unread };
        format!("{} ({} {})", self.open_chat, self.number(n), word)
    }

    /// What the customer reads when a turn fails; the detail goes to the console.
    pub fn error_message(&self, error: &TurnError) -> &'static str {
        match error {
            TurnError::Unavailable { .. } => self.unavailable,
            TurnError::Busy { .. } => self.busy,
            TurnError::Network(_) => self.network,
            TurnError::Timeout => self.timeout,
            TurnError::Interrupted => self.cut_off,
            TurnError::Provider(_)
            | TurnError::Rejected { .. }
            | TurnError::ToolLoop
            | TurnError::EmptyReply => self.generic,
        }
    }

    /// An order status as a badge label.
    pub fn status(&self, status: OrderStatus) -> &'static str {
        match status {
            OrderStatus::Processing => self.processing,
            OrderStatus::Shipped => self.shipped,
            OrderStatus::Delivered => self.delivered,
            OrderStatus::RefundRequested => self.refund_requested,
            OrderStatus::Refunded => self.refunded,
            OrderStatus::Cancelled => self.cancelled,
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
