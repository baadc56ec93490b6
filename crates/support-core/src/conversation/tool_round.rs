//! One tool round of a turn: validate the calls, run or answer them, collect the results,
//! and ask for the next reply. Counts rounds and identical calls so a looping model is
//! brought to a final answer.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::{Command, Conversation, Phase};
use crate::decode::Reply;
use crate::history::EntryStatus;
use crate::protocol::{Message, Role, ToolCall};

impl Conversation {
    pub(super) fn run_tools(&mut self, now_ms: u64, reply: Reply, out: &mut Vec<Command>) {
        self.turn.rounds += 1;
        self.tool_round += 1;
        let round = self.tool_round;
        let calls = self.unique_ids(reply.tool_calls);
        let first_tool = calls.first().map(|c| c.function.name.clone());
        self.push(
            now_ms,
            Message::assistant(reply.content, calls.clone()),
            EntryStatus::Complete,
        );
        let mut pending = Vec::new();
        for call in calls {
            match self.tools.validate(&call) {
                Err(error) => self.push_result(now_ms, &call.id, &error.to_result()),
                Ok(invocation) => {
                    let seen = self.turn.calls.entry(invocation.clone()).or_default();
                    *seen += 1;
                    if *seen > self.settings.max_identical_calls {
                        self.turn.force_final = true;
                        let correction = json!({"error": "This exact call was already made in this turn and its result is above. Do not call it again: answer the customer with the information you have."});
                        self.push_result(now_ms, &call.id, &correction);
                    } else if invocation.needs_consent() {
                        self.propose(now_ms, round, call.id, invocation, &mut pending, out);
                    } else {
                        pending.push(call.id.clone());
                        out.push(Command::RunTool {
                            round,
                            call_id: call.id,
                            invocation,
                        });
                    }
                }
            }
        }
        if self.turn.rounds >= self.settings.max_tool_rounds {
            self.turn.force_final = true;
        }
        out.push(Command::Persist);
        if pending.is_empty() {
            self.after_tools(out);
        } else {
            // The hint stays up while the tools run; the next request clears it.
            self.tool_activity = first_tool;
            self.phase = Phase::RunningTools { pending };
        }
    }

    pub(super) fn on_tool_result(
        &mut self,
        now_ms: u64,
        call_id: String,
        result: Value,
        out: &mut Vec<Command>,
    ) {
        let Phase::RunningTools { pending } = &mut self.phase else {
            return;
        };
        let Some(pos) = pending.iter().position(|id| *id == call_id) else {
            return;
        };
        pending.remove(pos);
        let done = pending.is_empty();
        if !self.prepared(now_ms, &call_id, &result) {
            let result = self.carried(&call_id, result);
            self.push_result(now_ms, &call_id, &result);
        }
        if done {
            out.push(Command::Persist);
            self.after_tools(out);
        }
    }

    pub(super) fn push_result(&mut self, now_ms: u64, call_id: &str, result: &Value) {
        self.push(
            now_ms,
            Message::tool(call_id, result.to_string()),
            EntryStatus::Complete,
        );
    }

    /// Call ids that already occur in the history, or earlier in the same reply, get a suffix,
    /// so every result pairs with exactly one call.
    pub(super) fn unique_ids(&self, mut calls: Vec<ToolCall>) -> Vec<ToolCall> {
        let mut taken: HashSet<String> = self
            .history
            .entries()
            .iter()
            .filter(|e| e.message.role() == Role::Assistant)
            .flat_map(|e| e.message.tool_calls().iter().map(|c| c.id.clone()))
            .collect();
        for call in &mut calls {
            let mut n = 0;
            let base = call.id.clone();
            while taken.contains(&call.id) {
                n += 1;
                call.id = format!("{base}_{}{}_{n}", self.id_prefix, self.next_entry + 1);
            }
            taken.insert(call.id.clone());
        }
        calls
    }
}
