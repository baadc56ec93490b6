//! Assembles streamed tool-call pieces into complete calls.
//!
//! Providers disagree on how pieces are labelled (PROTOCOL_NOTES.md): `index` may be missing
//! (Gemini), always 0 for parallel calls (Ollama) or start at 1; `id` may be missing or empty;
//! `function.name` may come late, or only in the first piece; `arguments` may come whole, in
//! pieces, or as `""`. Pieces are matched by `index`, then by a non-empty `id`; a known index
//! arriving with a new id opens a new call. Nothing is parsed until the reply is complete.

use serde::de::IgnoredAny;

use crate::protocol::{FunctionCall, ToolCall, ToolCallDelta};

#[derive(Debug, Default)]
struct Partial {
    index: Option<u32>,
    id: Option<String>,
    name: String,
    arguments: String,
}

impl Partial {
    /// True when a piece naming `name` must be a new call: this call already has another name,
    /// or its arguments are already a whole JSON value (some providers repeat the name in
    /// every piece of one call, so a repeated name alone does not start a new one).
    fn starts_another(&self, name: Option<&str>) -> bool {
        match name {
            Some(name) if !self.name.is_empty() => {
                name != self.name
                    || (!self.arguments.trim().is_empty()
                        && serde_json::from_str::<IgnoredAny>(&self.arguments).is_ok())
            }
            _ => false,
        }
    }
}

/// Collects [`ToolCallDelta`]s in arrival order.
#[derive(Debug, Default)]
pub struct ToolCallAssembler {
    calls: Vec<Partial>,
}

impl ToolCallAssembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// True once any piece of a call has arrived.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Adds one piece; returns the call's name when this piece is the one that names it.
    pub fn push(&mut self, delta: &ToolCallDelta) -> Option<String> {
        let id = delta.id.as_deref().filter(|id| !id.is_empty());
        let name = delta
            .function
            .as_ref()
            .and_then(|f| f.name.as_deref())
            .filter(|n| !n.is_empty());
        let slot = self.slot_for(delta.index, id, name);
        let call = &mut self.calls[slot];
        if call.id.is_none() {
            call.id = id.map(str::to_owned);
        }
        if call.index.is_none() {
            call.index = delta.index;
        }
        let mut named = None;
        if let Some(name) = name {
            if call.name.is_empty() {
                call.name = name.to_owned();
                named = Some(call.name.clone());
            }
        }
        if let Some(arguments) = delta.function.as_ref().and_then(|f| f.arguments.as_deref()) {
            call.arguments.push_str(arguments);
        }
        named
    }

    /// Ends assembly. Calls that never got a name cannot be run and are left out; missing ids
    /// are made up (`call_0`, `call_1`, … by position) and duplicates made unique; arguments
    /// that are empty or blank become `{}`.
    pub fn finish(self) -> Vec<ToolCall> {
        let mut calls: Vec<ToolCall> = Vec::new();
        for (position, partial) in self.calls.into_iter().enumerate() {
            if partial.name.is_empty() {
                continue;
            }
            let base = partial.id.unwrap_or_else(|| format!("call_{position}"));
            let mut id = base.clone();
            let mut n = position;
            while calls.iter().any(|c| c.id == id) {
                id = format!("{base}_{n}");
                n += 1;
            }
            let arguments = if partial.arguments.trim().is_empty() {
                "{}".to_owned()
            } else {
                partial.arguments
            };
            calls.push(ToolCall {
                id,
                kind: "function".to_owned(),
                function: FunctionCall {
                    name: partial.name,
                    arguments,
                },
            });
        }
        calls
    }

    fn slot_for(&mut self, index: Option<u32>, id: Option<&str>, name: Option<&str>) -> usize {
        let found = match (index, id) {
            (Some(index), Some(_)) => {
                // A known index with a new id is a new call (Ollama sends every call as 0).
                self.calls
                    .iter()
                    .rposition(|c| c.index == Some(index))
                    .filter(|&slot| {
                        self.calls[slot].id.is_none() || self.calls[slot].id.as_deref() == id
                    })
            }
            // With no id to go by, a name that cannot belong to the call at this index starts
            // the next call (Ollama sends parallel calls all at index 0).
            (Some(index), None) => self
                .calls
                .iter()
                .rposition(|c| c.index == Some(index))
                .filter(|&slot| !self.calls[slot].starts_another(name)),
            (None, Some(_)) => self.calls.iter().rposition(|c| c.id.as_deref() == id),
            (None, None) => self
                .calls
                .len()
                .checked_sub(1)
                .filter(|&slot| !self.calls[slot].starts_another(name)),
        };
        found.unwrap_or_else(|| {
            self.calls.push(Partial::default());
            self.calls.len() - 1
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::FunctionDelta;

    fn piece(
        index: Option<u32>,
        id: Option<&str>,
        name: Option<&str>,
        args: Option<&str>,
    ) -> ToolCallDelta {
        ToolCallDelta {
            index,
            id: id.map(str::to_owned),
            function: Some(FunctionDelta {
                name: name.map(str::to_owned),
                arguments: args.map(str::to_owned),
            }),
        }
    }

    fn check(pieces: &[ToolCallDelta], expected: &[(&str, &str, &str)]) {
        let mut assembler = ToolCallAssembler::new();
        for p in pieces {
            assembler.push(p);
        }
        let got: Vec<(String, String, String)> = assembler
            .finish()
            .into_iter()
            .map(|c| (c.id, c.function.name, c.function.arguments))
            .collect();
        let expected: Vec<(String, String, String)> = expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn openai_pieces_by_index() {
        check(
            &[
                piece(Some(0), Some("call_a"), Some("lookup_order"), Some("")),
                piece(Some(0), None, None, Some("{\"order_id\":")),
                piece(Some(0), None, None, Some("\"ORD-1002\"}")),
            ],
            &[("call_a", "lookup_order", "{\"order_id\":\"ORD-1002\"}")],
        );
    }

    #[test]
    fn parallel_calls_interleaved_by_index() {
        check(
            &[
                piece(Some(0), Some("a"), Some("f"), Some("{\"x\":")),
                piece(Some(1), Some("b"), Some("g"), Some("{\"y\":")),
                piece(Some(0), None, None, Some("1}")),
                piece(Some(1), None, None, Some("2}")),
            ],
            &[("a", "f", "{\"x\":1}"), ("b", "g", "{\"y\":2}")],
        );
    }

    #[test]
    fn ollama_reuses_index_zero_with_new_ids() {
        check(
            &[
                piece(Some(0), Some("a"), Some("f"), Some("{}")),
                piece(Some(0), Some("b"), Some("f"), Some("{\"n\":2}")),
            ],
            &[("a", "f", "{}"), ("b", "f", "{\"n\":2}")],
        );
    }

    #[test]
    fn missing_index_matches_by_id() {
        check(
            &[
                piece(None, Some("a"), Some("f"), Some("{\"q\":")),
                piece(None, Some("b"), Some("g"), Some("{}")),
                piece(None, Some("a"), None, Some("1}")),
            ],
            &[("a", "f", "{\"q\":1}"), ("b", "g", "{}")],
        );
    }

    #[test]
    fn nothing_to_match_by_continues_the_last_call_until_a_new_name() {
        check(
            &[
                piece(None, None, Some("f"), Some("{\"a\":")),
                piece(None, None, None, Some("1}")),
                piece(None, None, Some("g"), None),
            ],
            &[("call_0", "f", "{\"a\":1}"), ("call_1", "g", "{}")],
        );
    }

    #[test]
    fn name_arriving_after_arguments() {
        check(
            &[
                piece(Some(1), Some(""), None, Some("{\"order_id\":\"ORD-1\"}")),
                piece(Some(1), None, Some("lookup_order"), None),
            ],
            &[("call_0", "lookup_order", "{\"order_id\":\"ORD-1\"}")],
        );
    }

    #[test]
    fn nameless_calls_are_dropped_and_duplicate_ids_made_unique() {
        check(
            &[
                piece(Some(0), Some("x"), None, Some("{}")),
                piece(Some(1), Some("dup"), Some("f"), None),
                piece(Some(2), Some("dup2"), Some("f"), None),
                piece(None, Some("dup"), None, Some("")),
            ],
            &[("dup", "f", "{}"), ("dup2", "f", "{}")],
        );
        check(
            &[
                piece(Some(0), Some("same"), Some("f"), Some("{}")),
                piece(Some(1), Some("same"), Some("g"), Some("{}")),
            ],
            &[("same", "f", "{}"), ("same_1", "g", "{}")],
        );
    }

    #[test]
    fn a_shared_index_without_ids_splits_on_a_new_name() {
        check(
            &[
                piece(Some(0), None, Some("f"), Some("{\"a\":1}")),
                piece(Some(0), None, Some("f"), Some("{\"a\":2}")),
            ],
            &[("call_0", "f", "{\"a\":1}"), ("call_1", "f", "{\"a\":2}")],
        );
    }

    #[test]
    fn made_up_ids_never_collide() {
        check(
            &[
                piece(Some(0), Some("x"), Some("f"), None),
                piece(Some(1), Some("x_2"), Some("f"), None),
                piece(Some(2), Some("x"), Some("f"), None),
            ],
            &[("x", "f", "{}"), ("x_2", "f", "{}"), ("x_3", "f", "{}")],
        );
    }

    #[test]
    fn push_reports_the_name_once() {
        let mut assembler = ToolCallAssembler::new();
        assert_eq!(
            assembler.push(&piece(Some(0), Some("a"), Some("f"), None)),
            Some("f".to_owned())
        );
        assert_eq!(
            assembler.push(&piece(Some(0), None, Some("f"), Some("{}"))),
            None
        );
    }
}
