//! The conversation's message log, its context budget, and its stored form.
//!
//! The log holds every message the model must see again (user text, assistant text, assistant
//! tool calls, tool results); the system prompt is configuration and is put in front of each
//! request instead. A *turn* starts at a user message and runs to the next one.
//!
//! **Invariant:** whatever is cut (context budget, storage cap, expiry) is cut in whole turns,
//! so an assistant `tool_calls` message is never separated from its tool results.
//! [`repair`] restores the pairing rules for data that comes from outside (storage, other tabs).

use crate::json;
use crate::json::{Map, Value};

use crate::protocol::{Message, Role};
use crate::sort::sorted_indices;

/// A set of ids, kept sorted: a few hundred at most, and far less code in the wasm than a
/// hash set.
#[derive(Debug, Clone, Default)]
pub struct IdSet(Vec<String>);

impl IdSet {
    /// Adds `id`; false when it was already there.
    pub fn insert(&mut self, id: &str) -> bool {
        match self.0.binary_search_by(|known| known.as_str().cmp(id)) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, id.to_owned());
                true
            }
        }
    }
}

/// How an entry ended, for the customer's eyes; the model only sees the message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EntryStatus {
    #[default]
    Complete,
    /// The customer pressed Stop while it streamed.
    Stopped,
    /// The stream broke off or failed part-way.
    Interrupted,
}

impl EntryStatus {
    fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Complete => "complete",
            EntryStatus::Stopped => "stopped",
            EntryStatus::Interrupted => "interrupted",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Complete, Self::Stopped, Self::Interrupted]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

impl Entry {
    /// The stored form; the status is left out while it is `complete`.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("id", Value::from(&self.id));
        map.insert("at_ms", Value::from(self.at_ms));
        map.insert("message", self.message.to_json());
        if self.status != EntryStatus::Complete {
            map.insert("status", Value::from(self.status.as_str()));
        }
        Value::Object(map)
    }

    pub fn from_json(value: &Value) -> Result<Self, String> {
        let status = match &value["status"] {
            Value::Null => EntryStatus::Complete,
            other => other
                .as_str()
                .and_then(EntryStatus::parse)
                .ok_or("an entry's status is not known")?,
        };
        Ok(Entry {
            id: value["id"].as_str().ok_or("an entry has no id")?.to_owned(),
            at_ms: value["at_ms"].as_u64().ok_or("an entry has no time")?,
            message: Message::from_json(&value["message"])?,
            status,
        })
    }
}

/// One message with what the widget needs to show, merge and expire it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Unique across tabs and sessions.
    pub id: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    pub message: Message,
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
    let key = |i: usize| (turns[i][0].at_ms, &turns[i][0].id);
    let order = sorted_indices(turns.len(), &|a, b| key(a).cmp(&key(b)));
    let turns: Vec<&[Entry]> = order.into_iter().map(|i| turns[i]).collect();
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

fn missing_result() -> String {
    json!({"error": "The tool did not return a result"}).encode()
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
        let mut seen = IdSet::default();
        open = message(&item)
            .tool_calls()
            .iter()
            .filter(|c| seen.insert(&c.id))
            .map(|c| c.id.clone())
            .collect();
        out.push(item);
    }
    close(&mut out, &mut open);
    out
}

/// The version of [`StoredHistory`]; part of the storage key.
pub const HISTORY_VERSION: u32 = 1;

/// The storage key for a site's history: the prefix, then the version.
pub fn storage_key(prefix: &str) -> String {
    format!("{prefix}.history.v{HISTORY_VERSION}")
}

/// The stored form of a history. Never holds an API key or configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHistory {
    pub version: u32,
    pub saved_at_ms: u64,
    pub entries: Vec<Entry>,
    pub cleared_at_ms: u64,
}

impl StoredHistory {
    /// `{"version", "saved_at_ms", "entries", "cleared_at_ms"?}`.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("version", Value::from(self.version));
        map.insert("saved_at_ms", Value::from(self.saved_at_ms));
        map.insert(
            "entries",
            Value::Array(self.entries.iter().map(Entry::to_json).collect()),
        );
        if self.cleared_at_ms != 0 {
            map.insert("cleared_at_ms", Value::from(self.cleared_at_ms));
        }
        Value::Object(map)
    }
}

/// Why stored data could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("stored history is corrupt: {0}")]
    Corrupt(String),
    #[error("stored history has version {0}, this widget reads version {HISTORY_VERSION}")]
    UnknownVersion(u64),
}

/// Encodes a history for storage.
pub fn encode(history: &History, now_ms: u64) -> String {
    let stored = StoredHistory {
        version: HISTORY_VERSION,
        saved_at_ms: now_ms,
        entries: history.entries.clone(),
        cleared_at_ms: history.cleared_at_ms,
    };
    stored.to_json().encode()
}

/// Decodes stored data: `Ok(None)` when nothing was stored, an error when what was stored
/// cannot be used. A usable history is repaired (duplicate ids dropped, pairing restored).
pub fn decode(raw: Option<&str>) -> Result<Option<History>, HistoryError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let value = json::parse(raw).map_err(|e| HistoryError::Corrupt(e.to_string()))?;
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(HISTORY_VERSION) => {}
        Some(v) => return Err(HistoryError::UnknownVersion(v)),
        None => return Err(HistoryError::Corrupt("no version".into())),
    }
    let Some(items) = value["entries"].as_array() else {
        return Err(HistoryError::Corrupt("no entries".into()));
    };
    let entries = items
        .iter()
        .map(Entry::from_json)
        .collect::<Result<Vec<_>, _>>()
        .map_err(HistoryError::Corrupt)?;
    let cleared_at_ms = match &value["cleared_at_ms"] {
        Value::Null => 0,
        other => other
            .as_u64()
            .ok_or_else(|| HistoryError::Corrupt("`cleared_at_ms` is not a time".into()))?,
    };
    if value["saved_at_ms"].as_u64().is_none() {
        return Err(HistoryError::Corrupt("`saved_at_ms` is not a time".into()));
    }
    let mut history = sanitize(entries);
    history.cleared_at_ms = cleared_at_ms;
    Ok(Some(history))
}

/// Drops duplicate entry ids and re-establishes the pairing rules on entries from outside.
pub fn sanitize(entries: Vec<Entry>) -> History {
    let mut seen = IdSet::default();
    let unique = entries.into_iter().filter(|e| seen.insert(&e.id));
    History::new(repair_by(
        unique,
        |e| &e.message,
        |call_id, previous| Entry {
            id: format!("{}-result-{call_id}", previous.id),
            at_ms: previous.at_ms,
            message: Message::tool(call_id, missing_result()),
            status: EntryStatus::Complete,
        },
    ))
}

#[cfg(test)]
mod tests;
