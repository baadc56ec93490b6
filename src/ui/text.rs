//! The words the customer sees, and the one mapping from errors to them.

use support_core::TurnError;

pub const OPEN_CHAT: &str = "Open chat";
pub const CLOSE_CHAT: &str = "Close chat";
pub const MESSAGE_LABEL: &str = "Type your message";
pub const PLACEHOLDER: &str = "Ask about an order, a refund…";
pub const SEND: &str = "Send";
pub const STOP: &str = "Stop";
pub const RETRY: &str = "Retry";
pub const NEW_CONVERSATION: &str = "New conversation";
pub const CONFIRM_RESET: &str = "Start over? This clears the conversation.";
pub const CLEAR: &str = "Clear";
pub const CANCEL: &str = "Cancel";
pub const TYPING: &str = "Assistant is typing…";
pub const LOOKING_UP: &str = "Looking up your order…";
pub const STOPPED: &str = "Stopped";
pub const INTERRUPTED: &str = "Interrupted";
pub const UNAVAILABLE: &str = "Chat is unavailable right now. Please try again later.";
pub const IN_MEMORY: &str = "This conversation won't be saved in this browser.";
pub const YOU: &str = "You";
pub const ASSISTANT: &str = "Assistant";
pub const ORDER: &str = "Order";
pub const ORDERED: &str = "Ordered";
pub const DELIVERED: &str = "Delivered";
pub const ESTIMATED_DELIVERY: &str = "Estimated delivery";
pub const REFUND_REQUESTED: &str = "Refund requested";
pub const REFUNDED: &str = "Refunded";
pub const CANCELLED: &str = "Cancelled";

/// What the customer reads when a turn fails; the detail goes to the console.
pub fn error_message(error: &TurnError) -> &'static str {
    match error {
        TurnError::Unavailable { .. } => UNAVAILABLE,
        TurnError::Busy { .. } => "We're busy right now. Please try again in a moment.",
        TurnError::Network(_) => "We couldn't connect. Please check your connection and try again.",
        TurnError::Timeout => "The reply took too long. Please try again.",
        TurnError::Interrupted => "The reply was cut off. Please try again.",
        TurnError::Provider(_)
        | TurnError::Rejected { .. }
        | TurnError::ToolLoop
        | TurnError::EmptyReply => "Sorry, something went wrong. Please try again.",
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
