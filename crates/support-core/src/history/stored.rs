//! The stored form of a history: a versioned JSON document under a key that names its version.
//!
//! `{"version": 1, "saved_at_ms", "entries": [...], "cleared_at_ms"?}`, written by
//! [`encode`] and read by [`decode`]. Reading keeps every entry it can: an entry that cannot be
//! read is left out and counted ([`Loaded::dropped`]), then the pairing rules are restored
//! ([`super::sanitize`]), so one bad entry never costs the whole conversation.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{sanitize_counted, Entry, History};

/// The version of [`StoredHistory`]; part of the storage key.
pub const HISTORY_VERSION: u32 = 1;

/// The storage key for a site's history: the prefix, then the version.
pub fn storage_key(prefix: &str) -> String {
    format!("{prefix}.history.v{HISTORY_VERSION}")
}

/// The stored form of a history. Never holds an API key or configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredHistory {
    pub version: u32,
    pub saved_at_ms: u64,
    pub entries: Vec<Entry>,
    /// Left out while it is 0 (never cleared).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cleared_at_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Why stored data could not be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("stored history is corrupt: {0}")]
    Corrupt(String),
    #[error("stored history has version {0}, this widget reads version {HISTORY_VERSION}")]
    UnknownVersion(u64),
}

/// A history read from storage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    pub history: History,
    /// Stored entries that were left out: unreadable, repeated, or tool results that answer
    /// no call. The shell warns once when it is not 0.
    pub dropped: usize,
}

/// A [`StoredHistory`] as it is read: each entry is kept as a value until it is known to be
/// readable.
#[derive(Deserialize)]
struct StoredFile {
    /// Must be a time, though reading has no use for it.
    #[serde(rename = "saved_at_ms")]
    _saved_at_ms: u64,
    entries: Vec<Value>,
    #[serde(default)]
    cleared_at_ms: u64,
}

/// Encodes a history for storage.
pub fn encode(history: &History, now_ms: u64) -> String {
    let stored = StoredHistory {
        version: HISTORY_VERSION,
        saved_at_ms: now_ms,
        entries: history.entries.clone(),
        cleared_at_ms: history.cleared_at_ms,
    };
    // A history is strings and whole numbers, which always encode.
    serde_json::to_string(&stored).unwrap_or_default()
}

/// Decodes stored data: `Ok(None)` when nothing was stored, an error when the document itself
/// cannot be used (not JSON, another version, no list of entries).
pub fn decode(raw: Option<&str>) -> Result<Option<Loaded>, HistoryError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let corrupt = |e: serde_json::Error| HistoryError::Corrupt(e.to_string());
    let value: Value = serde_json::from_str(raw).map_err(corrupt)?;
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(HISTORY_VERSION) => {}
        Some(v) => return Err(HistoryError::UnknownVersion(v)),
        None => return Err(HistoryError::Corrupt("no version".into())),
    }
    let stored = StoredFile::deserialize(value).map_err(corrupt)?;
    let given = stored.entries.len();
    let readable: Vec<Entry> = stored
        .entries
        .into_iter()
        .filter_map(|entry| Entry::deserialize(entry).ok())
        .collect();
    let unreadable = given - readable.len();
    let (mut history, left_out) = sanitize_counted(readable);
    history.cleared_at_ms = stored.cleared_at_ms;
    Ok(Some(Loaded {
        history,
        dropped: unreadable + left_out,
    }))
}
