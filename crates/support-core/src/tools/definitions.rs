//! The tools' definitions as the model is offered them: names, descriptions and JSON schemas.

use serde_json::{json, Map, Value};

use super::{CANCEL_ORDER, HANDOFF_TO_HUMAN, LOOKUP_ORDER, REQUEST_REFUND, SEARCH_HELP};
use crate::orders::change::ChangeKind;
use crate::protocol::{FunctionDefinition, ToolDefinition};

/// The `order_id` parameter, as the seed describes it.
const ORDER_ID: (&str, &str) = ("order_id", "The unique order identifier, e.g. ORD-1001");

/// `lookup_order`, the seed's schema to the letter.
pub(super) fn lookup_order_definition() -> ToolDefinition {
    function(
        LOOKUP_ORDER,
        "Get the current status and details of an order by ID.",
        &[ORDER_ID],
    )
}

/// `search_help`, with a schema as plain as `lookup_order`'s.
pub(super) fn search_help_definition() -> ToolDefinition {
    function(
        SEARCH_HELP,
        "Search the store's help articles (returns, refunds, shipping, order changes, warranty, payment, contact) and get the best matching passages.",
        &[(
            "query",
            "The customer's question in a few words, e.g. how long does a refund take",
        )],
    )
}

/// `request_refund` or `cancel_order`: an order id and the customer's reason.
pub(super) fn change_definition(kind: ChangeKind) -> ToolDefinition {
    let (name, description) = match kind {
        ChangeKind::Refund => (REQUEST_REFUND, "Request a refund for a delivered order. The customer is shown the request and must confirm it; the result says what they chose and what happened."),
        ChangeKind::Cancel => (CANCEL_ORDER, "Cancel an order that has not shipped yet. The customer is shown the cancellation and must confirm it; the result says what they chose and what happened."),
    };
    function(
        name,
        description,
        &[
            ORDER_ID,
            ("reason", "The customer's reason, in their words"),
        ],
    )
}

/// `handoff_to_human`: a summary for the person who takes over.
pub(super) fn handoff_definition() -> ToolDefinition {
    function(
        HANDOFF_TO_HUMAN,
        "Hand the conversation to a person on the support team, when the customer asks for one or you cannot help. The customer confirms before anything is sent.",
        &[(
            "summary",
            "A short summary of the customer's problem for the support team",
        )],
    )
}

/// A function tool whose parameters are all required strings, each with its description, in
/// the order they are listed.
fn function(name: &str, description: &str, parameters: &[(&str, &str)]) -> ToolDefinition {
    let properties: Map<String, Value> = parameters
        .iter()
        .map(|(key, about)| {
            let schema = json!({"type": "string", "description": about});
            ((*key).to_owned(), schema)
        })
        .collect();
    let required: Vec<&str> = parameters.iter().map(|(key, _)| *key).collect();
    ToolDefinition {
        kind: "function".to_owned(),
        function: FunctionDefinition {
            name: name.to_owned(),
            description: description.to_owned(),
            parameters: json!({"type": "object", "properties": properties, "required": required}),
        },
    }
}
