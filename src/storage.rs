//! The only module that uses `localStorage`.
//!
//! One key per site with its version in the name. Saved when a message completes, capped in
//! whole turns, expired after idle days. Corrupt or unknown data: a console warning and a fresh
//! start. A full quota: the oldest turns are dropped until it fits, else the widget carries on
//! in memory. No storage at all (private mode, blocked cookies, `SecurityError`): in memory.
//! Writes merge with what another tab stored, by message id, so two tabs lose nothing.
//! Whether the panel is open is kept per tab in `sessionStorage`, to reopen after navigation.

use std::cell::Cell;
use std::rc::Rc;

use leptos::ev;
use leptos::prelude::{on_cleanup, window_event_listener};
use support_core::history::{self, decode, encode, merge, History};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Storage, StorageEvent};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// The history's home in the browser.
pub struct HistoryStore {
    key: String,
    storage: Option<Storage>,
    ttl_ms: u64,
    cap: usize,
    in_memory: Cell<bool>,
    /// Whether the customer's console was told that stored messages were left out.
    warned: Cell<bool>,
}

fn warn(message: &str) {
    web_sys::console::warn_1(&format!("support-widget: {message}").into());
}

impl HistoryStore {
    /// Opens the store; a browser without usable storage gives an in-memory store.
    pub fn open(prefix: &str, ttl_days: u32, cap: usize) -> Self {
        let storage = web_sys::window().and_then(|w| match w.local_storage() {
            Ok(storage) => storage,
            Err(_) => {
                warn("localStorage is not available; the conversation is kept in memory only");
                None
            }
        });
        Self::with_storage(storage, &history::storage_key(prefix), ttl_days, cap)
    }

    /// A store on a given `Storage` (tests use `sessionStorage` or none).
    pub fn with_storage(storage: Option<Storage>, key: &str, ttl_days: u32, cap: usize) -> Self {
        let in_memory = Cell::new(storage.is_none());
        Self {
            key: key.to_owned(),
            storage,
            ttl_ms: u64::from(ttl_days) * DAY_MS,
            cap,
            in_memory,
            warned: Cell::new(false),
        }
    }

    pub fn is_in_memory(&self) -> bool {
        self.in_memory.get()
    }

    fn read(&self) -> Option<History> {
        let storage = self.storage.as_ref().filter(|_| !self.in_memory.get())?;
        let raw = match storage.get_item(&self.key) {
            Ok(raw) => raw,
            Err(_) => {
                warn("reading the stored conversation failed; starting fresh");
                return None;
            }
        };
        match decode(raw.as_deref()) {
            Ok(Some(loaded)) => {
                if loaded.dropped > 0 && !self.warned.replace(true) {
                    let n = loaded.dropped;
                    warn(&format!("{n} unreadable stored message(s) were left out"));
                }
                Some(loaded.history)
            }
            Ok(None) => None,
            Err(error) => {
                warn(&format!("{error}; starting fresh"));
                let _ = storage.remove_item(&self.key);
                None
            }
        }
    }

    /// The stored conversation, or an empty one (missing, corrupt or expired).
    pub fn load(&self, now_ms: u64) -> History {
        match self.read() {
            Some(history) if history.is_expired(now_ms, self.ttl_ms) => {
                if let Some(storage) = &self.storage {
                    let _ = storage.remove_item(&self.key);
                }
                History::default()
            }
            Some(history) => history,
            None => History::default(),
        }
    }

    /// Saves `ours` merged with whatever another tab stored; returns the merged history.
    pub fn save(&self, ours: &History, now_ms: u64) -> History {
        let mut merged = match self.read() {
            Some(theirs) => merge(ours, &theirs),
            None => ours.clone(),
        };
        merged.cap(self.cap);
        let Some(storage) = self.storage.as_ref().filter(|_| !self.in_memory.get()) else {
            return merged;
        };
        let mut fitted = merged.clone();
        loop {
            match storage.set_item(&self.key, &encode(&fitted, now_ms)) {
                Ok(()) => return merged,
                Err(error) if is_quota_error(&error) && fitted.drop_oldest_turn() => continue,
                Err(_) => {
                    warn("the conversation no longer fits in localStorage; keeping it in memory");
                    self.in_memory.set(true);
                    return merged;
                }
            }
        }
    }

    /// Calls `on_change` with the history another tab stored, whenever it changes, until the
    /// reactive owner this is called under is cleaned up (the widget is unmounted).
    pub fn watch(self: &Rc<Self>, on_change: impl Fn(History) + 'static) {
        let this = Rc::clone(self);
        let listener = window_event_listener(ev::storage, move |event: StorageEvent| {
            if event.key().as_deref() != Some(this.key.as_str()) || this.in_memory.get() {
                return;
            }
            match decode(event.new_value().as_deref()) {
                Ok(loaded) => on_change(loaded.map(|l| l.history).unwrap_or_default()),
                Err(error) => warn(&format!("another tab stored unusable data: {error}")),
            }
        });
        on_cleanup(move || listener.remove());
    }
}

fn is_quota_error(error: &JsValue) -> bool {
    error
        .dyn_ref::<web_sys::DomException>()
        .is_some_and(|e| e.name() == "QuotaExceededError" || e.code() == 22)
}

/// Remembers, for this tab, whether the panel is open, so it reopens on the next page.
pub fn remember_open(prefix: &str, open: bool) {
    if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let key = format!("{prefix}.open");
        let _ = if open {
            storage.set_item(&key, "1")
        } else {
            storage.remove_item(&key)
        };
    }
}

/// True when the panel was open on the previous page of this tab.
pub fn was_open(prefix: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .and_then(|s| s.get_item(&format!("{prefix}.open")).ok().flatten())
        .is_some()
}

/// The widget's small data besides the history, kept in `localStorage` under
/// `{prefix}.{name}` (the customer's ratings, the demo's changed orders and tickets), when
/// storage can be read.
pub fn load_extra(prefix: &str, name: &str) -> Option<String> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(&format!("{prefix}.{name}")).ok().flatten())
}

/// Saves such data; false when it could not be kept (no storage, or it is full).
pub fn save_extra(prefix: &str, name: &str, value: &str) -> bool {
    let saved = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some_and(|s| s.set_item(&format!("{prefix}.{name}"), value).is_ok());
    if !saved {
        warn(&format!(
            "{name} could not be stored; it lasts until the page is left"
        ));
    }
    saved
}
