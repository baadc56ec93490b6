//! The tools' definitions as the model is offered them: names, descriptions and JSON schemas.

use serde_json::json;

use super::{CANCEL_ORDER, HANDOFF_TO_HUMAN, LOOKUP_ORDER, REQUEST_REFUND, SEARCH_HELP};
use crate::orders::change::ChangeKind;
use crate::protocol::{FunctionDefinition, ToolDefinition};

/// `lookup_order`, the seed's schema to the letter.
pub(super) fn lookup_order_definition() -> ToolDefinition {
    ToolDefinition {
        kind: "function".to_owned(),
        function: FunctionDefinition {
            name: LOOKUP_ORDER.to_owned(),
            description: "Get the current status and details of an order by ID.".to_owned(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "order_id": {
                        "type": "string",
                        "description": "The unique order identifier, e.g. ORD-1001"
                    }
                },
                "required": ["order_id"]
            }),
        },
    }
}

/// `search_help`, with a schema as plain as `lookup_order`'s.
pub(super) fn search_help_definition() -> ToolDefinition {
    ToolDefinition {
        kind: "function".to_owned(),
        function: FunctionDefinition {
            name: SEARCH_HELP.to_owned(),
            description: "Search the store's help articles (returns, refunds, shipping, order changes, warranty, payment, contact) and get the best matching passages.".to_owned(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "query": {
                        "type": "string",
                        "description": "The customer's question in a few words, e.g. how long does a refund take"
                    }
                },
                "required": ["query"]
            }),
        },
    }
}

/// `request_refund` or `cancel_order`: an order id and the customer's reason.
pub(super) fn change_definition(kind: ChangeKind) -> ToolDefinition {
    let (name, description) = match kind {
        ChangeKind::Refund => (REQUEST_REFUND, "Request a refund for a delivered order. The customer is shown the request and must confirm it; the result says what they chose and what happened."),
        ChangeKind::Cancel => (CANCEL_ORDER, "Cancel an order that has not shipped yet. The customer is shown the cancellation and must confirm it; the result says what they chose and what happened."),
    };
    ToolDefinition {
        kind: "function".to_owned(),
        function: FunctionDefinition {
            name: name.to_owned(),
            description: description.to_owned(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "order_id": {
                        "type": "string",
                        "description": "The unique order identifier, e.g. ORD-1001"
                    },
                    "reason": {
                        "type": "string",
                        "description": "The customer's reason, in their words"
                    }
                },
                "required": ["order_id", "reason"]
            }),
        },
    }
}

/// `handoff_to_human`: a summary for the person who takes over.
pub(super) fn handoff_definition() -> ToolDefinition {
    ToolDefinition {
        kind: "function".to_owned(),
        function: FunctionDefinition {
            name: HANDOFF_TO_HUMAN.to_owned(),
            description: "Hand the conversation to a person on the support team, when the customer asks for one or you cannot help. The customer confirms before anything is sent.".to_owned(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "summary": {
                        "type": "string",
                        "description": "A short summary of the customer's problem for the support team"
                    }
                },
                "required": ["summary"]
            }),
        },
    }
}
