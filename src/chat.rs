//! `use_chat`: drives the core's `Conversation` and carries out its commands.
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

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use serde::Serialize;
use support_core::config::{Handoff, WidgetConfig};
use support_core::handoff::{transcript, HandoffRequest, Receipt};
use support_core::help::Source;
use support_core::proxy::Rating;
use support_core::{
    Action, ChatRequest, Command, Conversation, Entry, Event, History, Phase, Proposal, RequestId,
    ToolInvocation, ToolRegistry,
};

use crate::config::{now_ms, random_seed};
use crate::feedback::Ratings;
use crate::help::Help;
use crate::host::Host;
use crate::orders::Orders;
use crate::storage::HistoryStore;
use crate::transport::{InFlight, Transport};

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

/// The `refund` page event's detail: a change the customer confirmed, and how it ended.
#[derive(Serialize)]
struct RefundDetail<'a> {
    order_id: &'a str,
    /// `refund` or `cancel`.
    kind: &'a str,
    changed: bool,
    status: Option<&'a str>,
}

struct Inner {
    conversation: RefCell<Conversation>,
    transport: Transport,
    orders: Orders,
    help: Help,
    handoff: Handoff,
    host: Host,
    prefix: String,
    timeout_ms: u32,
    /// The customer's email: the store's, or the one they last gave.
    customer_email: RefCell<Option<String>>,
    ratings: Ratings,
    kept_ratings: crate::feedback::KeptRatings,
    store: Rc<HistoryStore>,
    in_flight: RefCell<Option<(RequestId, InFlight)>>,
    /// Set when the widget is unmounted: late replies and tool results are dropped.
    closed: Cell<bool>,
    entries: RwSignal<Vec<Entry>>,
    draft: RwSignal<String>,
    phase: RwSignal<Phase>,
    tool_activity: RwSignal<Option<String>>,
    in_memory: RwSignal<bool>,
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
    });
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
    fn report<F>(this: &Rc<Self>, round: u64, call_id: String, work: impl FnOnce(Rc<Self>) -> F)
    where
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

    /// Runs a validated call with the source that owns it.
    async fn run_tool(&self, invocation: &ToolInvocation) -> serde_json::Value {
        match invocation {
            ToolInvocation::LookupOrder { order_id, email } => {
                self.orders.lookup(order_id, email.as_deref()).await
            }
            ToolInvocation::SearchHelp { query } => self.help.search(query).await,
            // The engine never runs these as tools: they are carried out on a click.
            ToolInvocation::RequestChange { .. } | ToolInvocation::Handoff { .. } => invocation
                .run_with(
                    &Default::default(),
                    &support_core::help::HelpIndex::new(Vec::new()),
                ),
        }
    }

    /// Carries out an action the customer confirmed; the result the model reads.
    async fn carry(&self, action: Action, email: Option<String>) -> serde_json::Value {
        match action {
            Action::Change {
                kind,
                order,
                reason,
                email: order_email,
            } => {
                let result = self
                    .orders
                    .change(kind, &order, &reason, order_email.as_deref(), now_ms())
                    .await;
                let changed = result["changed"] == serde_json::Value::Bool(true);
                self.host.emit(
                    "refund",
                    &RefundDetail {
                        order_id: &order.order_id,
                        kind: kind.as_str(),
                        changed,
                        status: result["status"].as_str(),
                    },
                );
                result
            }
            Action::Handoff { summary } => {
                let request = self.handoff_request(email.unwrap_or_default(), summary);
                match self.send_handoff(&request).await {
                    Ok(receipt) => serde_json::to_value(receipt).unwrap_or_default(),
                    Err(_) => {
                        serde_json::json!({"error": "The hand-off could not be sent; the customer can write to the store directly", "handed_off": false})
                    }
                }
            }
        }
    }

    fn handoff_request(&self, email: String, summary: String) -> HandoffRequest {
        HandoffRequest {
            email,
            summary,
            conversation: transcript(self.conversation.borrow().history().entries()),
        }
    }

    async fn send_handoff(&self, request: &HandoffRequest) -> Result<Receipt, String> {
        let sent = crate::handoff::send(
            &self.handoff,
            self.host,
            &self.prefix,
            request,
            self.timeout_ms,
        )
        .await;
        if let Err(detail) = &sent {
            web_sys::console::warn_1(&format!("support-widget: {detail}").into());
        }
        sent
    }

    fn send(this: &Rc<Self>, request: RequestId, body: &ChatRequest, delay_ms: u64) {
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

    fn persist(&self) {
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
