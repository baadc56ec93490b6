//! Tool calls that a model wrote as text instead of as `tool_calls`.
//!
//! Llama 3.x models on some providers answer with the call itself as the reply, in one of the
//! forms their chat template teaches:
//!
//! - `<function=lookup_order>{"order_id": "ORD-1002"}</function>`
//! - `{"name": "lookup_order", "parameters": {"order_id": "ORD-1002"}}` (or `"arguments"`),
//!   several separated by `;`, or a JSON list of them,
//!
//! optionally after `<|python_tag|>` and before `<|eom_id|>` / `<|eot_id|>`. Only when the whole
//! reply is such a call (or a sequence of them) to registered tools is it taken as tool calls;
//! anything else stays text.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::protocol::{FunctionCall, ToolCall};

const PYTHON_TAG: &str = "<|python_tag|>";
const FUNCTION_OPEN: &str = "<function=";
const FUNCTION_CLOSE: &str = "</function>";

/// What the opening of a reply says about it being a text-form tool call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Too little text to tell (empty, or a prefix such as `<fun`).
    Undecided,
    /// It starts like a call: hold the text back until the reply is complete.
    MaybeCall,
    /// Plain text: show it.
    Text,
}

/// Classifies the start of a reply.
pub fn classify_opening(text: &str) -> Opening {
    let text = text.trim_start();
    if text.is_empty() {
        return Opening::Undecided;
    }
    let markers = [PYTHON_TAG, FUNCTION_OPEN];
    if text.starts_with('{') || text.starts_with('[') || markers.iter().any(|m| text.starts_with(m))
    {
        Opening::MaybeCall
    } else if markers.iter().any(|m| m.starts_with(text)) {
        Opening::Undecided
    } else {
        Opening::Text
    }
}

/// The calls `text` consists of, when all of it is text-form calls to tools in `known`.
pub fn parse_text_calls(text: &str, known: &[&str]) -> Option<Vec<ToolCall>> {
    let mut body = text.trim();
    body = body.strip_prefix(PYTHON_TAG).unwrap_or(body).trim();
    for end in ["<|eom_id|>", "<|eot_id|>"] {
        body = body.strip_suffix(end).unwrap_or(body).trim_end();
    }
    let calls = if body.starts_with(FUNCTION_OPEN) {
        parse_function_tags(body)?
    } else {
        parse_json_calls(body)?
    };
    if calls.is_empty() || !calls.iter().all(|(name, _)| known.contains(&name.as_str())) {
        return None;
    }
    Some(
        calls
            .into_iter()
            .enumerate()
            .map(|(i, (name, arguments))| ToolCall {
                id: format!("call_{i}"),
                kind: "function".to_owned(),
                function: FunctionCall {
                    name,
                    arguments: Value::Object(arguments).to_string(),
                },
            })
            .collect(),
    )
}

fn parse_function_tags(mut rest: &str) -> Option<Vec<(String, Map<String, Value>)>> {
    let mut calls = Vec::new();
    while !rest.is_empty() {
        let after_open = rest.strip_prefix(FUNCTION_OPEN)?;
        let (name, after_name) = after_open.split_once('>')?;
        let (arguments, after_close) = after_name.split_once(FUNCTION_CLOSE)?;
        let arguments = serde_json::from_str(arguments.trim()).ok()?;
        calls.push((name.trim().to_owned(), arguments));
        rest = after_close.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
    }
    Some(calls)
}

/// A call in JSON form. Anything besides the name, the arguments and an optional type means
/// the object is data, not a call.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonCall {
    name: String,
    #[serde(default, alias = "arguments")]
    parameters: Option<Value>,
    #[serde(default, rename = "type")]
    _kind: Option<Value>,
}

fn parse_json_calls(body: &str) -> Option<Vec<(String, Map<String, Value>)>> {
    let calls: Vec<JsonCall> = if body.starts_with('[') {
        serde_json::from_str(body).ok()?
    } else {
        let sequence = serde_json::Deserializer::from_str(body).into_iter::<JsonCall>();
        sequence.collect::<Result<_, _>>().ok().or_else(|| {
            body.split(';')
                .filter(|part| !part.trim().is_empty())
                .map(|part| serde_json::from_str(part.trim()).ok())
                .collect()
        })?
    };
    calls.into_iter().map(json_call).collect()
}

/// The call's name and its arguments: an object, a string holding one, or none at all.
fn json_call(call: JsonCall) -> Option<(String, Map<String, Value>)> {
    let arguments = match call.parameters {
        Some(Value::Object(arguments)) => arguments,
        Some(Value::String(text)) => serde_json::from_str(&text).ok()?,
        None => Map::new(),
        Some(_) => return None,
    };
    Some((call.name, arguments))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["lookup_order"];

    fn check(text: &str, expected: Option<&[(&str, &str)]>) {
        let got = parse_text_calls(text, KNOWN).map(|calls| {
            calls
                .into_iter()
                .map(|c| (c.function.name, c.function.arguments))
                .collect::<Vec<_>>()
        });
        let expected = expected.map(|e| {
            e.iter()
                .map(|(n, a)| (n.to_string(), a.to_string()))
                .collect::<Vec<_>>()
        });
        assert_eq!(got, expected, "for {text:?}");
    }

    const ORDER: &[(&str, &str)] = &[("lookup_order", r#"{"order_id":"ORD-1002"}"#)];

    #[test]
    fn function_tag_form() {
        check(
            r#"<function=lookup_order>{"order_id": "ORD-1002"}</function>"#,
            Some(ORDER),
        );
        check(
            r#"  <|python_tag|><function=lookup_order>{"order_id": "ORD-1002"}</function><|eom_id|>"#,
            Some(ORDER),
        );
    }

    #[test]
    fn json_forms() {
        check(
            r#"{"name": "lookup_order", "parameters": {"order_id": "ORD-1002"}}"#,
            Some(ORDER),
        );
        check(
            r#"<|python_tag|>{"type": "function", "name": "lookup_order", "arguments": {"order_id": "ORD-1002"}}"#,
            Some(ORDER),
        );
        check(
            r#"{"name": "lookup_order", "arguments": "{\"order_id\": \"ORD-1002\"}"}"#,
            Some(ORDER),
        );
        check(
            r#"[{"name": "lookup_order", "parameters": {"order_id": "ORD-1002"}}]"#,
            Some(ORDER),
        );
    }

    #[test]
    fn several_calls() {
        let two: &[(&str, &str)] = &[
            ("lookup_order", r#"{"order_id":"ORD-1"}"#),
            ("lookup_order", r#"{"order_id":"ORD-2"}"#),
        ];
        check(
            r#"{"name": "lookup_order", "parameters": {"order_id": "ORD-1"}}; {"name": "lookup_order", "parameters": {"order_id": "ORD-2"}}"#,
            Some(two),
        );
        check(
            r#"<function=lookup_order>{"order_id":"ORD-1"}</function>
<function=lookup_order>{"order_id":"ORD-2"}</function>"#,
            Some(two),
        );
    }

    #[test]
    fn anything_else_stays_text() {
        check("Your order is on its way.", None);
        check(r#"<function=delete_everything>{}</function>"#, None);
        check(
            r#"<function=lookup_order>{"order_id": "ORD-1"}</function> Done!"#,
            None,
        );
        check(r#"<function=lookup_order>not json</function>"#, None);
        check(
            r#"{"name": "lookup_order", "parameters": {}, "status": "shipped"}"#,
            None,
        );
        check(r#"{"status": "shipped"}"#, None);
        check("{", None);
        check("", None);
    }

    #[test]
    fn hold_back_only_what_may_be_a_call() {
        assert_eq!(classify_opening(" "), Opening::Undecided);
        assert_eq!(classify_opening("  <fun"), Opening::Undecided);
        assert_eq!(classify_opening("<|py"), Opening::Undecided);
        assert_eq!(classify_opening("<function=x"), Opening::MaybeCall);
        assert_eq!(classify_opening("{\"na"), Opening::MaybeCall);
        assert_eq!(classify_opening("Hello"), Opening::Text);
        assert_eq!(classify_opening("<b>"), Opening::Text);
    }
}
