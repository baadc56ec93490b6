//! The tools offered to the model (`lookup_order` and `search_help`), and the validation of
//! the calls it makes.
//!
//! Model output is untrusted: arguments are a JSON string to parse and check. A call that
//! cannot run (unknown tool, arguments that are not JSON or fail validation) becomes a
//! [`ToolError`], whose [`ToolError::to_result`] is the JSON the `tool` message carries, in the
//! seed's `{"error": "..."}` shape.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Map, Number, Value};

use crate::help::HelpIndex;
use crate::orders::{normalize_order_id, OrderBook};
use crate::protocol::{FunctionDefinition, ToolCall, ToolDefinition};

/// The order lookup tool's name.
pub const LOOKUP_ORDER: &str = "lookup_order";

/// The help search tool's name.
pub const SEARCH_HELP: &str = "search_help";

/// The longest `search_help` query accepted, in characters.
pub const MAX_QUERY: usize = 500;

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
}

impl ToolInvocation {
    /// Runs the invocation against an in-memory order book and help index.
    pub fn run_with(&self, book: &OrderBook, help: &HelpIndex) -> Value {
        match self {
            ToolInvocation::LookupOrder { order_id, .. } => book.lookup(order_id),
            ToolInvocation::SearchHelp { query } => {
                serde_json::to_value(help.results(query)).unwrap_or_else(|_| json!({"results": []}))
            }
        }
    }
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
            definitions: vec![lookup_order_definition(), search_help_definition()],
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
        function.parameters["properties"]["email"] = json!({
            "type": "string",
            "description": "The email address the order was placed with"
        });
        function.parameters["required"] = json!(["order_id", "email"]);
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
            _ => Err(ToolError::UnknownTool(name.to_owned())),
        }
    }

    fn lookup_order(&self, arguments: Map<String, Value>) -> Result<ToolInvocation, ToolError> {
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
        Ok(ToolInvocation::LookupOrder { order_id, email })
    }
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

fn normalize_email(raw: &str) -> Result<String, ToolError> {
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
