//! `use_chat`: drives the core's `Conversation` and carries out its commands.
//!
//! The UI reads signals (`entries`, `draft`, `phase`, `looking_up`) and calls `send`,
//! `stop`, `retry` and `reset`. Commands from the core go to `transport` (requests), `orders`
//! (tool calls) and `storage` (persist); their outcomes come back in as events. `entries`
//! changes only when the history does, so a streaming token re-renders the draft alone.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use support_core::config::WidgetConfig;
use support_core::{Command, Conversation, Entry, Event, History, Phase, RequestId, ToolRegistry};

use crate::config::{now_ms, random_seed};
use crate::orders::Orders;
use crate::storage::HistoryStore;
use crate::transport::{InFlight, Transport};

/// The handle the drawing functions use; cheap to clone.
#[derive(Clone)]
pub struct Chat {
    pub entries: RwSignal<Vec<Entry>>,
    pub draft: RwSignal<String>,
    pub phase: RwSignal<Phase>,
    /// True while an order is being looked up.
    pub looking_up: RwSignal<bool>,
    /// True once the conversation can only be kept in memory.
    pub in_memory: RwSignal<bool>,
    inner: Rc<Inner>,
}

struct Inner {
    conversation: RefCell<Conversation>,
    transport: Transport,
    orders: Orders,
    store: Rc<HistoryStore>,
    in_flight: RefCell<Option<(RequestId, InFlight)>>,
    /// Set when the widget is unmounted: late replies and tool results are dropped.
    closed: std::cell::Cell<bool>,
    entries: RwSignal<Vec<Entry>>,
    draft: RwSignal<String>,
    phase: RwSignal<Phase>,
    looking_up: RwSignal<bool>,
    in_memory: RwSignal<bool>,
}

/// Creates the chat for this configuration and store, restoring the stored conversation.
/// `bundled_orders` is the URL of the bundled order dataset.
pub fn use_chat(config: &WidgetConfig, store: HistoryStore, bundled_orders: String) -> Chat {
    let store = Rc::new(store);
    let history = store.load(now_ms());
    let entries = RwSignal::new(history.entries().to_vec());
    let conversation = Conversation::new(
        config.settings.clone(),
        ToolRegistry::default(),
        history,
        random_seed(),
    );
    let inner = Rc::new(Inner {
        conversation: RefCell::new(conversation),
        transport: Transport {
            chat_url: config.chat_url(),
            api_key: config.api_key.clone(),
            first_byte_timeout_ms: config.first_byte_timeout_ms,
            idle_timeout_ms: config.idle_timeout_ms,
        },
        orders: Orders::new(
            config.orders.clone(),
            bundled_orders,
            config.order_timeout_ms,
        ),
        store: Rc::clone(&store),
        in_flight: RefCell::new(None),
        closed: std::cell::Cell::new(false),
        entries,
        draft: RwSignal::new(String::new()),
        phase: RwSignal::new(Phase::Idle),
        looking_up: RwSignal::new(false),
        in_memory: RwSignal::new(store.is_in_memory()),
    });
    let watcher = Rc::clone(&inner);
    store.watch(move |theirs| watcher.adopt(theirs));
    Chat {
        entries,
        draft: inner.draft,
        phase: inner.phase,
        looking_up: inner.looking_up,
        in_memory: inner.in_memory,
        inner,
    }
}

impl Chat {
    fn dispatch(&self, event: Event) {
        Inner::dispatch(&self.inner, event);
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

    /// True for entries this tab created, not ones another tab wrote.
    pub fn is_own(&self, entry_id: &str) -> bool {
        self.inner.conversation.borrow().is_own(entry_id)
    }

    /// True while a turn is in progress (read by a redraw, which then follows it).
    pub fn is_busy(&self) -> bool {
        self.phase.with(Phase::is_busy)
    }

    /// True while a turn is in progress, for an event handler.
    pub fn is_busy_now(&self) -> bool {
        self.phase.with_untracked(Phase::is_busy)
    }

    /// Stops the request in flight and ignores whatever arrives later: the widget is gone.
    pub fn close(&self) {
        self.inner.closed.set(true);
        if let Some((_, in_flight)) = self.inner.in_flight.borrow_mut().take() {
            in_flight.abort();
        }
    }
}

impl Inner {
    fn dispatch(this: &Rc<Self>, event: Event) {
        if this.closed.get() {
            return;
        }
        let commands = this.conversation.borrow_mut().apply(now_ms(), event);
        this.sync();
        for command in commands {
            Self::execute(this, command);
        }
    }

    fn execute(this: &Rc<Self>, command: Command) {
        match command {
            Command::Send {
                request,
                body,
                delay_ms,
            } => {
                let json = body.to_json().encode();
                let target = Rc::clone(this);
                let deliver: Rc<dyn Fn(Event)> =
                    Rc::new(move |event| Inner::dispatch(&target, event));
                let in_flight = this.transport.start(request, json, delay_ms, deliver);
                *this.in_flight.borrow_mut() = Some((request, in_flight));
            }
            Command::Abort { request } => {
                if let Some((id, in_flight)) = this.in_flight.borrow_mut().take() {
                    if id == request {
                        in_flight.abort();
                    }
                }
            }
            Command::RunTool {
                round,
                call_id,
                invocation,
            } => {
                let target = Rc::clone(this);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = target.orders.run(&invocation).await;
                    Inner::dispatch(
                        &target,
                        Event::ToolResult {
                            round,
                            call_id,
                            result,
                        },
                    );
                });
            }
            Command::Persist => {
                let history = this.conversation.borrow().history().clone();
                let merged = this.store.save(&history, now_ms());
                if this.store.is_in_memory() && !this.in_memory.get_untracked() {
                    this.in_memory.set(true);
                }
                if merged != history {
                    this.take(merged);
                }
            }
        }
    }

    /// Takes in the history another tab wrote, merged with ours, when no turn is running.
    fn adopt(&self, theirs: History) {
        let merged = support_core::history::merge(self.conversation.borrow().history(), &theirs);
        self.take(merged);
    }

    /// Takes in an already merged history, when no turn is running.
    fn take(&self, merged: History) {
        if self.conversation.borrow_mut().replace_history(merged) {
            self.sync();
        }
    }

    /// Copies the conversation's state into the signals that changed.
    fn sync(&self) {
        let conversation = self.conversation.borrow();
        let entries = conversation.history().entries();
        let changed = self
            .entries
            .with_untracked(|shown| shown.as_slice() != entries);
        if changed {
            self.entries.set(entries.to_vec());
        }
        if self.draft.with_untracked(|d| d != conversation.draft()) {
            self.draft.set(conversation.draft().to_owned());
        }
        if self.phase.with_untracked(|p| p != conversation.phase()) {
            self.phase.set(conversation.phase().clone());
        }
        let looking_up = conversation.tool_activity().is_some();
        if self.looking_up.get_untracked() != looking_up {
            self.looking_up.set(looking_up);
        }
    }
}
