//! `use_chat`: drives the core's `Conversation` and carries out its commands (`inner`), and
//! the changes and hand-offs a customer confirmed (`acting`).
//!
//! Components read signals (`entries`, `draft`, `phase`, `in_memory`) and memos (`busy`,
//! `tool_activity`, `proposal`) and call `send`, `stop`, `retry`, `reset`, `rate`, `decide`
//! and `hand_off`, in the shape of the leptos-use hooks. Commands from the core go to
//! `transport` (requests), `orders` and `help` (tool calls, and the changes a customer
//! confirmed), `handoff`, `storage` (persist) and the console (warnings); their outcomes come
//! back in as events. Ratings go to `feedback`. Carried-out changes and hand-offs are told to
//! the page (`refund`, `handoff`).
//! `entries` changes only when the history does, so a streaming token re-renders the draft
//! alone.

mod acting;
mod inner;

use std::rc::Rc;

use leptos::prelude::*;
use support_core::config::WidgetConfig;
use support_core::handoff::Receipt;
use support_core::help::Source;
use support_core::proxy::Rating;
use support_core::{Entry, Event, Phase, Proposal};

use crate::host::Host;
use crate::storage::HistoryStore;
use inner::Inner;

/// The handle components use; cheap to copy, and provided as context by the widget.
#[derive(Clone, Copy)]
pub struct Chat {
    /// The conversation's entries, changed only when a message completes.
    pub entries: RwSignal<Vec<Entry>>,
    /// The reply arriving now.
    pub draft: RwSignal<String>,
    pub phase: RwSignal<Phase>,
    /// True while a turn is in progress and the customer cannot send.
    pub busy: Memo<bool>,
    /// The tool running now, while one runs (`lookup_order`, `search_help`).
    pub tool_activity: Memo<Option<String>>,
    /// True once the conversation can only be kept in memory.
    pub in_memory: RwSignal<bool>,
    /// The action waiting for the customer's Confirm or Cancel.
    pub proposal: Memo<Option<Proposal>>,
    inner: StoredValue<Rc<Inner>, LocalStorage>,
}

/// Where the demo's bundled data is: next to the widget's files, as `loader.js` says.
pub struct Bundled {
    /// The order dataset (`orders.json`).
    pub orders: String,
    /// The help articles' passages (`help.json`).
    pub help: String,
}

/// Creates the chat for this configuration and store, restoring the stored conversation.
/// `bundled` says where the demo's order dataset and help articles are. When the reactive owner this is
/// called under is cleaned up (the widget unmounts), the request in flight is aborted and
/// whatever arrives later is ignored.
pub fn use_chat(config: &WidgetConfig, store: HistoryStore, bundled: Bundled, host: Host) -> Chat {
    let store = Rc::new(store);
    let inner = Rc::new(Inner::new(config, Rc::clone(&store), bundled, host));
    let (entries, phase, tool_activity) = (inner.entries, inner.phase, inner.tool_activity);
    let watcher = Rc::clone(&inner);
    store.watch(move |theirs| watcher.adopt(theirs));
    let chat = Chat {
        entries,
        draft: inner.draft,
        phase,
        busy: Memo::new(move |_| phase.with(Phase::is_busy)),
        tool_activity: Memo::new(move |_| tool_activity.get()),
        in_memory: inner.in_memory,
        proposal: Memo::new(move |_| match &*phase.read() {
            Phase::Confirming(proposal) => Some((**proposal).clone()),
            _ => None,
        }),
        inner: StoredValue::new_local(inner),
    };
    on_cleanup(move || chat.close());
    chat
}

impl Chat {
    fn dispatch(&self, event: Event) {
        if let Some(inner) = self.inner.try_get_value() {
            Inner::dispatch(&inner, event);
        }
    }

    /// Sends the customer's message.
    pub fn send(&self, text: String) {
        self.dispatch(Event::Send { text });
    }

    /// Stops the reply in progress, keeping what arrived.
    pub fn stop(&self) {
        self.dispatch(Event::Stop);
    }

    /// Resends the failed turn.
    pub fn retry(&self) {
        self.dispatch(Event::Retry);
    }

    /// Starts a new conversation; other tabs follow when they next sync.
    pub fn reset(&self) {
        self.dispatch(Event::Reset);
    }

    /// The customer's answer to the waiting proposal for `call_id`; a hand-off carries the
    /// email they gave.
    pub fn decide(&self, call_id: String, confirmed: bool, email: Option<String>) {
        self.dispatch(Event::Decide {
            call_id,
            confirmed,
            email,
        });
    }

    /// The customer's email, if the store gave it or the customer did.
    pub fn customer_email(&self) -> Option<String> {
        self.inner
            .try_with_value(|inner| inner.customer_email.borrow().clone())
            .flatten()
    }

    /// Keeps the email the customer gave, for the next form.
    pub fn remember_email(&self, email: &str) {
        if let Some(inner) = self.inner.try_get_value() {
            *inner.customer_email.borrow_mut() = Some(email.to_owned());
        }
    }

    /// Notes something the panel did between turns in the conversation.
    pub fn note(&self, text: String) {
        self.dispatch(Event::Note { text });
    }

    /// Sends a hand-off the customer asked for themselves (from the header), with the
    /// conversation so far.
    pub async fn hand_off(&self, email: String, summary: String) -> Result<Receipt, String> {
        let Some(inner) = self.inner.try_get_value() else {
            return Err("the widget is gone".to_owned());
        };
        let request = inner.handoff_request(email, summary);
        inner.send_handoff(&request).await
    }

    /// Keeps the customer's rating of the reply `entry_id` (chosen `times` times), and tells
    /// the support proxy with the reply's text and sources (nothing in bundled mode); it never
    /// waits, and a failure is only warned about.
    pub fn rate(&self, entry_id: &str, rating: Rating, times: u8, text: &str, sources: &[Source]) {
        if let Some(inner) = self.inner.try_get_value() {
            inner.kept_ratings.keep(entry_id, rating, times);
            inner.ratings.send(rating, text, sources);
        }
    }

    /// How the customer rated the reply `entry_id` before (in this tab or an earlier page),
    /// and how often they chose.
    pub fn rating_of(&self, entry_id: &str) -> Option<(Rating, u8)> {
        self.inner
            .try_with_value(|inner| inner.kept_ratings.get(entry_id))
            .flatten()
    }

    /// True for entries this tab created, not ones another tab wrote.
    pub fn is_own(&self, entry_id: &str) -> bool {
        self.inner
            .try_with_value(|inner| inner.conversation.borrow().is_own(entry_id))
            .unwrap_or(false)
    }

    /// Stops the request in flight and ignores whatever arrives later: the widget is gone.
    fn close(&self) {
        if let Some(inner) = self.inner.try_get_value() {
            inner.closed.set(true);
            if let Some((_, in_flight)) = inner.in_flight.borrow_mut().take() {
                in_flight.abort();
            }
        }
    }
}
