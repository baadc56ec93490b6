//! The tools offered to the model (`lookup_order`, `search_help`, and the three that act for
//! the customer: `request_refund`, `cancel_order`, `handoff_to_human`), and the validation of
//! the calls it makes.
//!
//! A call to a tool that acts is only a proposal: the engine shows it to the customer and
//! carries it out only on their click ([`ToolInvocation::needs_consent`]).
//!
//! Model output is untrusted: arguments are a JSON string to parse and check. A call that
//! cannot run (unknown tool, arguments that are not JSON or fail validation) becomes a
//! [`ToolError`], whose [`ToolError::to_result`] is the JSON the `tool` message carries, in the
//! seed's `{"error": "..."}` shape.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Map, Number, Value};

use crate::help::HelpIndex;
use crate::orders::change::ChangeKind;
use crate::orders::{normalize_order_id, OrderBook};
use crate::protocol::{FunctionDefinition, ToolCall, ToolDefinition};

/// The order lookup tool's name.
pub const LOOKUP_ORDER: &str = "lookup_order";

/// The help search tool's name.
pub const SEARCH_HELP: &str = "search_help";

/// The refund request tool's name.
pub const REQUEST_REFUND: &str = "request_refund";

/// The cancellation tool's name.
pub const CANCEL_ORDER: &str = "cancel_order";

/// The hand-off tool's name.
pub const HANDOFF_TO_HUMAN: &str = "handoff_to_human";

/// The longest `search_help` query accepted, in characters.
pub const MAX_QUERY: usize = 500;

/// The longest reason for a refund or cancellation, in characters.
pub const MAX_REASON: usize = 500;

/// The longest hand-off summary, in characters.
pub const MAX_SUMMARY: usize = 2000;

/// A validated call, ready to run. Two invocations are equal when they ask for the same thing,
/// which is how a model repeating itself is noticed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ToolInvocation {
    /// Look an order up by its normalised id (and, where the store requires it, the
    /// customer's email, trimmed and lower-cased).
    LookupOrder {
        order_id: String,
        email: Option<String>,
    },
    /// Search the help articles; the query trimmed, its blanks collapsed.
    SearchHelp { query: String },
    /// Ask for a refund or cancel an order: needs the customer's confirmation.
    RequestChange {
        kind: ChangeKind,
        order_id: String,
        reason: String,
        email: Option<String>,
    },
    /// Hand the conversation to a person: needs the customer's confirmation (and email).
    Handoff { summary: String },
}

impl ToolInvocation {
    /// True for calls that change something (an order, a ticket): the engine carries them out
    /// only when the customer confirms.
    pub fn needs_consent(&self) -> bool {
        matches!(
            self,
            ToolInvocation::RequestChange { .. } | ToolInvocation::Handoff { .. }
        )
    }

    /// Runs a read-only invocation against an in-memory order book and help index. Calls that
    /// need consent are never run this way: they get an error result.
    pub fn run_with(&self, book: &OrderBook, help: &HelpIndex) -> Value {
        match self {
            ToolInvocation::LookupOrder { order_id, .. } => book.lookup(order_id),
            ToolInvocation::SearchHelp { query } => {
                serde_json::to_value(help.results(query)).unwrap_or_else(|_| json!({"results": []}))
            }
            ToolInvocation::RequestChange { .. } | ToolInvocation::Handoff { .. } => {
                needs_consent_result()
            }
        }
    }
}

/// The result of a call that needs consent, should anything try to run it as a tool: nothing
/// changed.
pub fn needs_consent_result() -> Value {
    json!({"error": "This action needs the customer's confirmation", "changed": false})
}

/// Why a call could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    #[error("Unknown tool")]
    UnknownTool(String),
    #[error("Invalid arguments: {0}")]
    InvalidArguments(String),
}

impl ToolError {
    /// The tool result the model sees.
    pub fn to_result(&self) -> Value {
        json!({ "error": self.to_string() })
    }
}

/// The set of tools the widget offers.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolRegistry {
    definitions: Vec<ToolDefinition>,
    require_email: bool,
}

/// The longest email address accepted (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

impl Default for ToolRegistry {
    /// The seed's `lookup_order` tool, schema to the letter, and `search_help`.
    fn default() -> Self {
        Self {
            definitions: vec![
                lookup_order_definition(),
                search_help_definition(),
                change_definition(ChangeKind::Refund),
                change_definition(ChangeKind::Cancel),
                handoff_definition(),
            ],
            require_email: false,
        }
    }
}

fn lookup_order_definition() -> ToolDefinition {
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
fn search_help_definition() -> ToolDefinition {
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
fn change_definition(kind: ChangeKind) -> ToolDefinition {
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
fn handoff_definition() -> ToolDefinition {
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

impl ToolRegistry {
    /// The same tools, with `lookup_order` also needing the customer's email, for stores whose backend checks it
    /// so that order ids cannot be enumerated.
    pub fn with_email() -> Self {
        let mut registry = Self {
            require_email: true,
            ..Self::default()
        };
        let function = &mut registry.definitions[0].function;
        function.description = "Get the current status and details of an order by ID and the email address it was placed with.".to_owned();
        for definition in &mut registry.definitions {
            let parameters = &mut definition.function.parameters;
            if parameters["properties"].get("order_id").is_none() {
                continue;
            }
            parameters["properties"]["email"] = json!({
                "type": "string",
                "description": "The email address the order was placed with"
            });
            if let Some(required) = parameters["required"].as_array_mut() {
                required.push(json!("email"));
            }
        }
        registry
    }

    /// True when lookups need the customer's email.
    pub fn requires_email(&self) -> bool {
        self.require_email
    }

    pub fn definitions(&self) -> &[ToolDefinition] {
        &self.definitions
    }

    pub fn names(&self) -> Vec<&str> {
        self.definitions
            .iter()
            .map(|d| d.function.name.as_str())
            .collect()
    }

    /// Checks a call from the model and turns it into something that can run.
    pub fn validate(&self, call: &ToolCall) -> Result<ToolInvocation, ToolError> {
        let name = call.function.name.as_str();
        if !self.names().contains(&name) {
            return Err(ToolError::UnknownTool(name.chars().take(64).collect()));
        }
        let arguments = parse_arguments(&call.function.arguments)?;
        match name {
            LOOKUP_ORDER => self.lookup_order(arguments),
            SEARCH_HELP => search_help(arguments),
            REQUEST_REFUND => self.change(ChangeKind::Refund, arguments),
            CANCEL_ORDER => self.change(ChangeKind::Cancel, arguments),
            HANDOFF_TO_HUMAN => handoff(arguments),
            _ => Err(ToolError::UnknownTool(name.to_owned())),
        }
    }

    fn lookup_order(&self, arguments: Map<String, Value>) -> Result<ToolInvocation, ToolError> {
        let (order_id, email) = self.order_and_email(arguments)?;
        Ok(ToolInvocation::LookupOrder { order_id, email })
    }

    fn change(
        &self,
        kind: ChangeKind,
        arguments: Map<String, Value>,
    ) -> Result<ToolInvocation, ToolError> {
        let reason = text_argument(&arguments, "reason", MAX_REASON)?;
        let (order_id, email) = self.order_and_email(arguments)?;
        Ok(ToolInvocation::RequestChange {
            kind,
            order_id,
            reason,
            email,
        })
    }

    /// The normalised order id and, where required, the email of a call's arguments.
    fn order_and_email(
        &self,
        arguments: Map<String, Value>,
    ) -> Result<(String, Option<String>), ToolError> {
        let arguments = LookupOrderArguments::deserialize(Value::Object(arguments))
            .map_err(|e| invalid(&e.to_string()))?;
        let raw = match arguments.order_id {
            Some(OrderIdArgument::Text(id)) => id,
            Some(OrderIdArgument::Number(n)) => n.to_string(),
            Some(OrderIdArgument::Other(_)) => return Err(invalid("order_id must be a string")),
            None => return Err(invalid("order_id is required")),
        };
        let order_id = normalize_order_id(&raw).map_err(|e| invalid(&e.to_string()))?;
        let email = match (arguments.email, self.require_email) {
            (Some(Value::String(email)), _) => Some(normalize_email(&email)?),
            (None, false) => None,
            (None, true) => return Err(invalid("email is required")),
            (Some(_), _) => return Err(invalid("email must be a string")),
        };
        Ok((order_id, email))
    }
}

/// `handoff_to_human`'s arguments: a summary with words in it.
fn handoff(arguments: Map<String, Value>) -> Result<ToolInvocation, ToolError> {
    let summary = text_argument(&arguments, "summary", MAX_SUMMARY)?;
    Ok(ToolInvocation::Handoff { summary })
}

/// A required text argument: trimmed, not empty, at most `max` characters.
fn text_argument(
    arguments: &Map<String, Value>,
    key: &str,
    max: usize,
) -> Result<String, ToolError> {
    let text = match arguments.get(key) {
        Some(Value::String(text)) => text.trim().to_owned(),
        None | Some(Value::Null) => return Err(invalid(&format!("{key} is required"))),
        Some(_) => return Err(invalid(&format!("{key} must be a string"))),
    };
    if text.is_empty() {
        return Err(invalid(&format!("{key} is empty")));
    }
    if text.chars().count() > max {
        return Err(invalid(&format!("{key} is longer than {max} characters")));
    }
    Ok(text)
}

/// Checks `search_help`'s arguments: `query`, a string with words in it, at most
/// [`MAX_QUERY`] characters. Other keys are ignored.
fn search_help(arguments: Map<String, Value>) -> Result<ToolInvocation, ToolError> {
    let query = match arguments.get("query") {
        Some(Value::String(query)) => query.split_whitespace().collect::<Vec<_>>().join(" "),
        None => return Err(invalid("query is required")),
        Some(_) => return Err(invalid("query must be a string")),
    };
    if query.is_empty() {
        return Err(invalid("query is empty"));
    }
    if query.chars().count() > MAX_QUERY {
        return Err(invalid(&format!(
            "query is longer than {MAX_QUERY} characters"
        )));
    }
    Ok(ToolInvocation::SearchHelp { query })
}

/// The arguments of `lookup_order` as the model writes them; [`ToolRegistry::validate`] checks
/// them. Other keys are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LookupOrderArguments {
    /// Absent is `None`; `null` or any other value is kept, to be refused by name.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub order_id: Option<OrderIdArgument>,
    /// Absent or `null` is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Value>,
}

/// An order id as a model may send it: `"ORD-1002"`, the bare number, or something else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OrderIdArgument {
    Text(String),
    Number(Number),
    Other(Value),
}

/// A field that is there, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<OrderIdArgument>, D::Error> {
    OrderIdArgument::deserialize(deserializer).map(Some)
}

/// Checks and normalises an email address a customer typed or a model passed: trimmed,
/// lower-cased, one `@` with a dotted domain, no blanks or control characters.
pub fn normalize_email(raw: &str) -> Result<String, ToolError> {
    let email = raw.trim().to_lowercase();
    let plausible = email.len() <= MAX_EMAIL
        && email
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.as_bytes().contains(&b'.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if plausible {
        Ok(email)
    } else {
        Err(invalid("email is not a valid email address"))
    }
}

fn invalid(detail: &str) -> ToolError {
    ToolError::InvalidArguments(detail.to_owned())
}

/// Parses a call's arguments: a JSON object, with `""` taken as `{}`.
pub fn parse_arguments(arguments: &str) -> Result<Map<String, Value>, ToolError> {
    if arguments.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str(arguments) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("arguments must be a JSON object")),
        Err(_) => Err(invalid("arguments are not valid JSON")),
    }
}

#[cfg(test)]
mod tests;
