//! The tools' arguments as the model writes them, read with serde. Each field is kept even when
//! it has the wrong type, so that the model is told which argument to mend; other keys are
//! ignored.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Number, Value};

use super::{invalid, ToolError};

/// The arguments of `lookup_order`. Other keys are ignored.
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

/// The arguments of `request_refund` and `cancel_order`: an order, as for `lookup_order`, and
/// the customer's reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeArguments {
    #[serde(flatten)]
    pub order: LookupOrderArguments,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<TextArgument>,
}

/// The arguments of `search_help`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchHelpArguments {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<TextArgument>,
}

/// The arguments of `handoff_to_human`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HandoffArguments {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<TextArgument>,
}

/// An order id as a model may send it: `"ORD-1002"`, the bare number, or something else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OrderIdArgument {
    Text(String),
    Number(Number),
    Other(Value),
}

/// A text argument as a model may send it: a string, or something else to be refused by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TextArgument {
    Text(String),
    Other(Value),
}

impl TextArgument {
    /// The text of a required argument, or why there is none (`null` and absent alike).
    pub fn required(argument: Option<Self>, key: &str) -> Result<String, ToolError> {
        match argument {
            Some(TextArgument::Text(text)) => Ok(text),
            None | Some(TextArgument::Other(Value::Null)) => {
                Err(invalid(&format!("{key} is required")))
            }
            Some(TextArgument::Other(_)) => Err(invalid(&format!("{key} must be a string"))),
        }
    }
}

/// A field that is there, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<OrderIdArgument>, D::Error> {
    OrderIdArgument::deserialize(deserializer).map(Some)
}

/// A required text argument, trimmed: not empty, at most `max` characters.
pub(super) fn bounded_text(
    argument: Option<TextArgument>,
    key: &str,
    max: usize,
) -> Result<String, ToolError> {
    let text = TextArgument::required(argument, key)?.trim().to_owned();
    if text.is_empty() {
        return Err(invalid(&format!("{key} is empty")));
    }
    if text.chars().count() > max {
        return Err(invalid(&format!("{key} is longer than {max} characters")));
    }
    Ok(text)
}

/// Reads a call's arguments: a JSON object, with `""` taken as `{}`.
pub fn parse_arguments<T: DeserializeOwned + Default>(arguments: &str) -> Result<T, ToolError> {
    if arguments.trim().is_empty() {
        return Ok(T::default());
    }
    match serde_json::from_str(arguments) {
        Ok(object @ Value::Object(_)) => {
            T::deserialize(object).map_err(|e| invalid(&e.to_string()))
        }
        Ok(_) => Err(invalid("arguments must be a JSON object")),
        Err(_) => Err(invalid("arguments are not valid JSON")),
    }
}
