//! The conversation's message log, its context budget, and its stored form.
//!
//! The log holds every message the model must see again (user text, assistant text, assistant
//! tool calls, tool results); the system prompt is configuration and is put in front of each
//! request instead. A *turn* starts at a user message and runs to the next one.
//!
//! **Invariant:** whatever is cut (context budget, storage cap, expiry) is cut in whole turns,
//! so an assistant `tool_calls` message is never separated from its tool results.
//! [`repair`] restores the pairing rules for data that comes from outside (storage, other tabs);
//! the stored form is [`StoredHistory`], written by [`encode`] and read by [`decode`].

mod stored;

use std::collections::HashSet;

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::protocol::{Message, Role};

pub use stored::{
    decode, encode, storage_key, HistoryError, Loaded, StoredHistory, HISTORY_VERSION,
};

/// How an entry ended, for the customer's eyes; the model only sees the message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    #[default]
    Complete,
    /// The customer pressed Stop while it streamed.
    Stopped,
    /// The stream broke off or failed part-way.
    Interrupted,
}

impl EntryStatus {
    fn is_complete(&self) -> bool {
        *self == EntryStatus::Complete
    }

    /// A status this release does not know (or a mistyped one) reads as complete: the message
    /// is kept, only its note is lost.
    fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Known(EntryStatus),
            Unknown(IgnoredAny),
        }
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Known(status) => status,
            Stored::Unknown(_) => EntryStatus::Complete,
        })
    }
}

/// One message with what the widget needs to show, merge and expire it. Stored as
/// `{"id", "at_ms", "message", "status"?}`, the status left out while it is `complete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique across tabs and sessions.
    pub id: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    pub message: Message,
    #[serde(
        default,
        deserialize_with = "EntryStatus::lenient",
        skip_serializing_if = "EntryStatus::is_complete"
    )]
    pub status: EntryStatus,
}

/// The ordered log of entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    entries: Vec<Entry>,
    /// When the customer last started a new conversation (0: never). Turns that started
    /// before it are gone in every tab, whatever another tab still holds.
    cleared_at_ms: u64,
}

impl History {
    pub fn new(entries: Vec<Entry>) -> Self {
        Self {
            entries,
            cleared_at_ms: 0,
        }
    }

    /// When the conversation was last cleared (0: never).
    pub fn cleared_at_ms(&self) -> u64 {
        self.cleared_at_ms
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    pub fn last(&self) -> Option<&Entry> {
        self.entries.last()
    }

    pub fn pop(&mut self) -> Option<Entry> {
        self.entries.pop()
    }

    /// Starts a new conversation at `now_ms`, in this tab and, once stored, in every other.
    pub fn clear(&mut self, now_ms: u64) {
        self.entries.clear();
        self.cleared_at_ms = self.cleared_at_ms.max(now_ms);
    }

    /// The index where each turn starts. Entries before the first user message form a turn.
    fn turn_starts(&self) -> Vec<usize> {
        let mut starts: Vec<usize> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.message.role() == Role::User)
            .map(|(i, _)| i)
            .collect();
        if starts.first() != Some(&0) && !self.entries.is_empty() {
            starts.insert(0, 0);
        }
        starts
    }

    /// Where the oldest whole turns must be cut so that `fits(kept)` holds; the last turn is
    /// always kept.
    fn cut_point(&self, fits: impl Fn(&[Entry]) -> bool) -> usize {
        let starts = self.turn_starts();
        let last = starts.last().copied().unwrap_or(0);
        starts
            .into_iter()
            .find(|&start| fits(&self.entries[start..]))
            .unwrap_or(last)
    }

    /// The messages to send: the system prompt, then as many of the newest whole turns as fit
    /// `budget_chars` (by [`Message::weight`]), always including the current turn.
    pub fn request_messages(&self, system_prompt: &str, budget_chars: usize) -> Vec<Message> {
        let system = Message::system(system_prompt);
        let room = budget_chars.saturating_sub(system.weight());
        let cut =
            self.cut_point(|kept| kept.iter().map(|e| e.message.weight()).sum::<usize>() <= room);
        let mut messages = vec![system];
        messages.extend(repair(
            self.entries[cut..].iter().map(|e| e.message.clone()),
        ));
        messages
    }

    /// Drops the oldest whole turns until at most `max_entries` remain (or one turn is left).
    pub fn cap(&mut self, max_entries: usize) {
        let cut = self.cut_point(|kept| kept.len() <= max_entries);
        self.entries.drain(..cut);
    }

    /// Drops the oldest turn, if more than one is left; false when nothing could be dropped.
    pub fn drop_oldest_turn(&mut self) -> bool {
        match self.turn_starts().get(1) {
            Some(&next) => {
                self.entries.drain(..next);
                true
            }
            None => false,
        }
    }

    /// When the conversation was last touched.
    pub fn last_activity_ms(&self) -> Option<u64> {
        self.entries.iter().map(|e| e.at_ms).max()
    }

    /// True when the last turn never got its answer: the last entry is the customer's
    /// message, a tool call or its result (the model's answer never came), or a reply that
    /// broke off ([`EntryStatus::Interrupted`]). A reply the customer stopped is finished. The
    /// failed state itself is not stored; this is how a reloaded page knows to offer Retry.
    pub fn last_turn_unfinished(&self) -> bool {
        self.last().is_some_and(|entry| match &entry.message {
            Message::User { .. } | Message::Tool { .. } => true,
            Message::Assistant { tool_calls, .. } => {
                !tool_calls.is_empty() || entry.status == EntryStatus::Interrupted
            }
            Message::System { .. } => false,
        })
    }
}

impl History {
    /// The entries split into turns.
    fn turns(&self) -> Vec<&[Entry]> {
        let starts = self.turn_starts();
        let ends = starts.iter().skip(1).copied().chain([self.entries.len()]);
        starts
            .iter()
            .zip(ends)
            .map(|(&s, e)| &self.entries[s..e])
            .collect()
    }

    /// True when the conversation was last touched more than `ttl_ms` before `now_ms`.
    pub fn is_expired(&self, now_ms: u64, ttl_ms: u64) -> bool {
        self.last_activity_ms()
            .is_some_and(|last| now_ms.saturating_sub(last) > ttl_ms)
    }
}

/// Merges two copies of one conversation written by different tabs: whole turns are matched
/// by their first entry's id, and of two copies of a turn the one changed last wins (only the
/// tab that started a turn changes it: it grows, or a retry replaces its interrupted reply);
/// turns are ordered by when they started. No message of either copy is lost.
pub fn merge(ours: &History, theirs: &History) -> History {
    let cleared_at_ms = ours.cleared_at_ms.max(theirs.cleared_at_ms);
    let newest = |turn: &[Entry]| {
        let last = turn.last().map(|e| (e.at_ms, e.id.clone()));
        (last, turn.len())
    };
    let mut turns: Vec<&[Entry]> = Vec::new();
    let live = |turn: &&[Entry]| turn[0].at_ms >= cleared_at_ms;
    for turn in ours.turns().into_iter().chain(theirs.turns()).filter(live) {
        match turns.iter_mut().find(|t| t[0].id == turn[0].id) {
            Some(existing) if newest(existing) < newest(turn) => *existing = turn,
            Some(_) => {}
            None => turns.push(turn),
        }
    }
    turns.sort_by(|a, b| (a[0].at_ms, &a[0].id).cmp(&(b[0].at_ms, &b[0].id)));
    let mut merged = sanitize(turns.concat());
    merged.cleared_at_ms = cleared_at_ms;
    merged
}

/// Restores the provider's pairing rules on a message sequence: every assistant `tool_calls`
/// message is followed by exactly one `tool` message per call id (a missing one is answered
/// with an error result), and a `tool` message that does not answer the calls just before it
/// is dropped.
pub fn repair(messages: impl IntoIterator<Item = Message>) -> Vec<Message> {
    repair_by(messages, |m| m, |id, _| Message::tool(id, missing_result()))
}

/// The result of a call that has none (the page closed while it ran, or while the customer was
/// asked to confirm it): nothing was changed, since a change is only made on a click and its
/// result saved with it.
fn missing_result() -> String {
    json!({"error": "The tool did not return a result", "changed": false}).to_string()
}

/// [`repair`] over any items that carry a message; `answer(call_id, previous)` makes the
/// result for a call that has none.
fn repair_by<T>(
    items: impl IntoIterator<Item = T>,
    message: impl Fn(&T) -> &Message,
    answer: impl Fn(String, &T) -> T,
) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let close = |out: &mut Vec<T>, open: &mut Vec<String>| {
        for id in open.drain(..) {
            if let Some(previous) = out.last() {
                let item = answer(id, previous);
                out.push(item);
            }
        }
    };
    for item in items {
        if let Message::Tool { tool_call_id, .. } = message(&item) {
            if let Some(pos) = open.iter().position(|id| id == tool_call_id) {
                open.remove(pos);
                out.push(item);
            }
            continue;
        }
        close(&mut out, &mut open);
        let mut seen = HashSet::new();
        open = message(&item)
            .tool_calls()
            .iter()
            .filter(|c| seen.insert(c.id.as_str()))
            .map(|c| c.id.clone())
            .collect();
        out.push(item);
    }
    close(&mut out, &mut open);
    out
}

/// Drops duplicate entry ids and re-establishes the pairing rules on entries from outside.
pub fn sanitize(entries: Vec<Entry>) -> History {
    sanitize_counted(entries).0
}

/// [`sanitize`], also saying how many of `entries` it left out.
fn sanitize_counted(entries: Vec<Entry>) -> (History, usize) {
    let given = entries.len();
    let mut seen = HashSet::new();
    let unique = entries.into_iter().filter(|e| seen.insert(e.id.clone()));
    let made_up = std::cell::Cell::new(0);
    let repaired = repair_by(
        unique,
        |e| &e.message,
        |call_id, previous| {
            made_up.set(made_up.get() + 1);
            Entry {
                id: format!("{}-result-{call_id}", previous.id),
                at_ms: previous.at_ms,
                message: Message::tool(call_id, missing_result()),
                status: EntryStatus::Complete,
            }
        },
    );
    let kept = repaired.len() - made_up.get();
    (History::new(repaired), given - kept)
}

#[cfg(test)]
mod tests;
