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

use serde_json::{json, Value};

use crate::help::HelpIndex;
use crate::orders::change::ChangeKind;
use crate::orders::{normalize_order_id, OrderBook};
use crate::protocol::{ToolCall, ToolDefinition};

mod arguments;
mod definitions;

use arguments::bounded_text;
pub use arguments::{
    parse_arguments, ChangeArguments, HandoffArguments, LookupOrderArguments, OrderIdArgument,
    SearchHelpArguments, TextArgument,
};
use definitions::{
    change_definition, handoff_definition, lookup_order_definition, search_help_definition,
};

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
        let arguments = call.function.arguments.as_str();
        match name {
            LOOKUP_ORDER => {
                let LookupOrderArguments { order_id, email } = parse_arguments(arguments)?;
                let (order_id, email) = self.order_and_email(order_id, email)?;
                Ok(ToolInvocation::LookupOrder { order_id, email })
            }
            SEARCH_HELP => search_help(parse_arguments(arguments)?),
            REQUEST_REFUND => self.change(ChangeKind::Refund, parse_arguments(arguments)?),
            CANCEL_ORDER => self.change(ChangeKind::Cancel, parse_arguments(arguments)?),
            HANDOFF_TO_HUMAN => {
                let HandoffArguments { summary } = parse_arguments(arguments)?;
                let summary = bounded_text(summary, "summary", MAX_SUMMARY)?;
                Ok(ToolInvocation::Handoff { summary })
            }
            _ => Err(ToolError::UnknownTool(name.to_owned())),
        }
    }

    fn change(
        &self,
        kind: ChangeKind,
        arguments: ChangeArguments,
    ) -> Result<ToolInvocation, ToolError> {
        let reason = bounded_text(arguments.reason, "reason", MAX_REASON)?;
        let LookupOrderArguments { order_id, email } = arguments.order;
        let (order_id, email) = self.order_and_email(order_id, email)?;
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
        order_id: Option<OrderIdArgument>,
        email: Option<Value>,
    ) -> Result<(String, Option<String>), ToolError> {
        let raw = match order_id {
            Some(OrderIdArgument::Text(id)) => id,
            Some(OrderIdArgument::Number(n)) => n.to_string(),
            Some(OrderIdArgument::Other(_)) => return Err(invalid("order_id must be a string")),
            None => return Err(invalid("order_id is required")),
        };
        let order_id = normalize_order_id(&raw).map_err(|e| invalid(&e.to_string()))?;
        let email = match (email, self.require_email) {
            (Some(Value::String(email)), _) => Some(normalize_email(&email)?),
            (None, false) => None,
            (None, true) => return Err(invalid("email is required")),
            (Some(_), _) => return Err(invalid("email must be a string")),
        };
        Ok((order_id, email))
    }
}

/// Checks `search_help`'s query: words in it, its blanks collapsed, at most [`MAX_QUERY`]
/// characters.
fn search_help(arguments: SearchHelpArguments) -> Result<ToolInvocation, ToolError> {
    let query = TextArgument::required(arguments.query, "query")?;
    let query = query.split_whitespace().collect::<Vec<_>>().join(" ");
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

#[cfg(test)]
mod tests;
