//! What the dialogue engine needs to know: model, limits and the system prompt.

use serde::{Deserialize, Serialize};

use crate::retry::RetryPolicy;

/// The system prompt: the seed's rules, answering policy questions only from the help articles
/// (`search_help`), and the actions the customer confirms (`request_refund`, `cancel_order`,
/// `handoff_to_human`).
pub const DEFAULT_SYSTEM_PROMPT: &str = "You are a customer support agent for an electronics store.
Your job is to help users check refund status and answer policy questions.
Rules:
- Always ask for the order_id if the user mentions a refund but does not provide one.
- If you have the order_id, call the lookup_order tool to get the current status.
- Do not make up order details. Only use data returned by the tool.
- For questions about the store's policies (returns, refunds, shipping, order changes, warranty, payment, contact), call the search_help tool and answer only from the passages it returns.
- If the passages do not answer the question, say that the help articles do not cover it and suggest contacting the support team. Never invent a policy.
- When the customer asks for a refund of a delivered order, call request_refund; to cancel an order that has not shipped, call cancel_order. The customer confirms or declines on a card; never say a change was made unless the tool result says changed is true.
- If the customer asks for a person, or you cannot help, call handoff_to_human with a short summary.
- Be concise. Ask one clarifying question at a time.";

/// The default model.
pub const DEFAULT_MODEL: &str = "llama-3.3-70b";

/// Settings of one conversation. Every field may be left out of its JSON form (the default
/// applies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub model: String,
    pub system_prompt: String,
    /// Always sent: some providers default to 256, which can cut a tool call in half.
    pub max_tokens: u32,
    pub temperature: Option<f64>,
    pub stream: bool,
    /// Tool rounds allowed in one customer turn before a final answer is asked for.
    pub max_tool_rounds: u32,
    /// How often the same call (name and arguments) may run in one turn.
    pub max_identical_calls: u32,
    /// The context budget for the history part of a request, in characters.
    pub context_budget_chars: usize,
    pub retry: RetryPolicy,
    /// Days after delivery within which a refund may be requested.
    pub return_window_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            model: DEFAULT_MODEL.to_owned(),
            system_prompt: DEFAULT_SYSTEM_PROMPT.to_owned(),
            max_tokens: 512,
            temperature: None,
            stream: true,
            max_tool_rounds: 4,
            max_identical_calls: 2,
            context_budget_chars: 32_000,
            retry: RetryPolicy::default(),
            return_window_days: crate::orders::change::DEFAULT_RETURN_WINDOW_DAYS,
        }
    }
}
