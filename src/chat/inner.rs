//! The chat's state behind the handle: the core's `Conversation`, the request in flight and
//! the signals components read; it carries out the conversation's commands and feeds their
//! outcomes back in.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use support_core::config::{Handoff, WidgetConfig};
use support_core::{
    ChatRequest, Command, Conversation, Entry, Event, History, Phase, RequestId, ToolRegistry,
};

use super::Bundled;
use crate::config::{now_ms, random_seed};
use crate::feedback::Ratings;
use crate::help::Help;
use crate::host::Host;
use crate::orders::Orders;
use crate::storage::HistoryStore;
use crate::transport::{InFlight, Transport};

pub(super) struct Inner {
    pub(super) conversation: RefCell<Conversation>,
    pub(super) transport: Transport,
    pub(super) orders: Orders,
    pub(super) help: Help,
    pub(super) handoff: Handoff,
    pub(super) host: Host,
    pub(super) prefix: String,
    pub(super) timeout_ms: u32,
    /// The customer's email: the store's, or the one they last gave.
    pub(super) customer_email: RefCell<Option<String>>,
    pub(super) ratings: Ratings,
    pub(super) kept_ratings: crate::feedback::KeptRatings,
    pub(super) store: Rc<HistoryStore>,
    pub(super) in_flight: RefCell<Option<(RequestId, InFlight)>>,
    /// Set when the widget is unmounted: late replies and tool results are dropped.
    pub(super) closed: Cell<bool>,
    pub(super) entries: RwSignal<Vec<Entry>>,
    pub(super) draft: RwSignal<String>,
    pub(super) phase: RwSignal<Phase>,
    pub(super) tool_activity: RwSignal<Option<String>>,
    pub(super) in_memory: RwSignal<bool>,
}

impl Inner {
    /// The chat's state for `config`, with the conversation `store` holds.
    pub(super) fn new(
        config: &WidgetConfig,
        store: Rc<HistoryStore>,
        bundled: Bundled,
        host: Host,
    ) -> Self {
        let history = store.load(now_ms());
        let entries = RwSignal::new(history.entries().to_vec());
        let conversation = Conversation::new(
            config.settings.clone(),
            ToolRegistry::default(),
            history,
            random_seed(),
        );
        // A stored conversation whose last turn failed starts failed, with Retry.
        let phase = RwSignal::new(conversation.phase().clone());
        let tool_activity = RwSignal::new(None);
        Self {
            conversation: RefCell::new(conversation),
            transport: Transport {
                chat_url: config.chat_url(),
                api_key: config.api_key.clone(),
                first_byte_timeout_ms: config.first_byte_timeout_ms,
                idle_timeout_ms: config.idle_timeout_ms,
            },
            orders: Orders::new(
                config.orders.clone(),
                bundled.orders,
                config.order_timeout_ms,
                config.storage_key.clone(),
                config.settings.return_window_days,
            ),
            help: Help::new(
                config.proxy_base().map(str::to_owned),
                bundled.help,
                config.order_timeout_ms,
            ),
            ratings: Ratings::new(config.proxy_base(), config.order_timeout_ms),
            kept_ratings: crate::feedback::KeptRatings::load(&config.storage_key),
            handoff: config.handoff.clone(),
            host,
            prefix: config.storage_key.clone(),
            timeout_ms: config.order_timeout_ms,
            customer_email: RefCell::new(config.customer_email.clone()),
            store: Rc::clone(&store),
            in_flight: RefCell::new(None),
            closed: Cell::new(false),
            entries,
            draft: RwSignal::new(String::new()),
            phase,
            tool_activity,
            in_memory: RwSignal::new(store.is_in_memory()),
        }
    }

    pub(super) fn dispatch(this: &Rc<Self>, event: Event) {
        if this.closed.get() {
            return;
        }
        let commands = this.conversation.borrow_mut().apply(now_ms(), event);
        this.sync();
        for command in commands {
            Self::execute(this, command);
        }
    }

    pub(super) fn execute(this: &Rc<Self>, command: Command) {
        match command {
            Command::Send {
                request,
                body,
                delay_ms,
            } => Self::send(this, request, &body, delay_ms),
            Command::Abort { request } => {
                let mut in_flight = this.in_flight.borrow_mut();
                if in_flight.as_ref().is_some_and(|(id, _)| *id == request) {
                    if let Some((_, in_flight)) = in_flight.take() {
                        in_flight.abort();
                    }
                }
            }
            Command::RunTool {
                round,
                call_id,
                invocation,
            } => Self::report(this, round, call_id, move |inner| async move {
                inner.run_tool(&invocation).await
            }),
            Command::Prepare {
                round,
                call_id,
                order_id,
                email,
            } => Self::report(this, round, call_id, move |inner| async move {
                inner.orders.lookup(&order_id, email.as_deref()).await
            }),
            Command::Carry {
                round,
                call_id,
                action,
                email,
            } => Self::report(this, round, call_id, move |inner| async move {
                inner.carry(action, email).await
            }),
            Command::Persist => this.persist(),
            Command::Warn(message) => {
                web_sys::console::warn_1(&format!("support-widget: {message}").into());
            }
        }
    }

    /// Runs `work` in the background and feeds what it returns back as the tool result for
    /// `call_id` of `round`.
    pub(super) fn report<F>(
        this: &Rc<Self>,
        round: u64,
        call_id: String,
        work: impl FnOnce(Rc<Self>) -> F,
    ) where
        F: std::future::Future<Output = serde_json::Value> + 'static,
    {
        let target = Rc::clone(this);
        let pending = work(Rc::clone(this));
        wasm_bindgen_futures::spawn_local(async move {
            let result = pending.await;
            let event = Event::ToolResult {
                round,
                call_id,
                result,
            };
            Inner::dispatch(&target, event);
        });
    }

    pub(super) fn send(this: &Rc<Self>, request: RequestId, body: &ChatRequest, delay_ms: u64) {
        let json = match serde_json::to_string(body) {
            Ok(json) => json,
            Err(error) => {
                // A request body always serializes; should one not, the turn fails like a
                // request that could not be sent.
                let failure = support_core::TransportFailure::Network(error.to_string());
                return Self::dispatch(this, Event::RequestFailed { request, failure });
            }
        };
        let target = Rc::clone(this);
        let deliver: Rc<dyn Fn(Event)> = Rc::new(move |event| Inner::dispatch(&target, event));
        let in_flight = this.transport.start(request, json, delay_ms, deliver);
        *this.in_flight.borrow_mut() = Some((request, in_flight));
    }

    pub(super) fn persist(&self) {
        let history = self.conversation.borrow().history().clone();
        let merged = self.store.save(&history, now_ms());
        if self.store.is_in_memory() && !self.in_memory.get_untracked() {
            self.in_memory.set(true);
        }
        if merged != history {
            self.take(merged);
        }
    }

    /// Takes in the history another tab wrote, merged with ours, when no turn is running.
    pub(super) fn adopt(&self, theirs: History) {
        let merged = support_core::history::merge(self.conversation.borrow().history(), &theirs);
        self.take(merged);
    }

    /// Takes in an already merged history, when no turn is running.
    pub(super) fn take(&self, merged: History) {
        if self.conversation.borrow_mut().replace_history(merged) {
            self.sync();
        }
    }

    /// Copies the conversation's state into the signals that changed.
    pub(super) fn sync(&self) {
        let conversation = self.conversation.borrow();
        let entries = conversation.history().entries();
        if self
            .entries
            .with_untracked(|shown| shown.as_slice() != entries)
        {
            self.entries.set(entries.to_vec());
        }
        if self.draft.with_untracked(|d| d != conversation.draft()) {
            self.draft.set(conversation.draft().to_owned());
        }
        if self.phase.with_untracked(|p| p != conversation.phase()) {
            self.phase.set(conversation.phase().clone());
        }
        let activity = conversation.tool_activity();
        if self
            .tool_activity
            .with_untracked(|a| a.as_deref() != activity)
        {
            self.tool_activity.set(activity.map(str::to_owned));
        }
    }
}
