//! Runs order lookups (`lookup_order`) and carries out the changes a customer confirmed
//! (`request_refund`, `cancel_order`): against the bundled dataset, or the store's backend.
//!
//! The bundled dataset is the demo's, so it is not in the wasm: it is `orders.json` next to
//! the widget's files, fetched on the first lookup and kept. The demo applies a confirmed
//! change to its own copy: the changed orders are kept in `localStorage` and laid over the
//! dataset on every lookup, so the whole flow can be tried without a backend. The backend
//! checks every change again itself; the browser is never trusted with one.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::Serialize;
use serde_json::{json, Value};
use support_core::config::OrderSource;
use support_core::orders::change::{self, ChangeKind};
use support_core::orders::{Order, OrderBook};

use crate::storage::{load_extra, save_extra};
use crate::transport::{get_json, post_json};

/// Where the demo keeps the orders it changed.
const CHANGED: &str = "demo-orders";

/// Where the widget's order lookups go.
pub struct Orders {
    source: OrderSource,
    /// The bundled dataset's URL (`loader.js` says where the widget's files are).
    bundled_url: String,
    bundled: RefCell<Option<Rc<OrderBook>>>,
    /// True while the bundled dataset is being fetched.
    fetching: Cell<bool>,
    timeout_ms: u32,
    /// The storage prefix, for the demo's changed orders.
    prefix: String,
    window_days: u32,
    /// The demo's changes, for a browser whose storage cannot keep them.
    kept_in_memory: RefCell<Vec<Order>>,
}

/// What a change request sends to the backend.
#[derive(Serialize)]
struct ChangeBody<'a> {
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

impl Orders {
    pub fn new(
        source: OrderSource,
        bundled_url: String,
        timeout_ms: u32,
        prefix: String,
        window_days: u32,
    ) -> Self {
        Self {
            source,
            bundled_url,
            bundled: RefCell::new(None),
            fetching: Cell::new(false),
            timeout_ms,
            prefix,
            window_days,
            kept_in_memory: RefCell::new(Vec::new()),
        }
    }

    /// Looks a validated order id up (with the customer's email where the store requires it)
    /// and returns the result the model will read.
    pub async fn lookup(&self, order_id: &str, email: Option<&str>) -> Value {
        match &self.source {
            OrderSource::Bundled => match self.bundled().await {
                Ok(book) => self.with_changes(&book).lookup(order_id),
                Err(detail) => unavailable(&detail),
            },
            OrderSource::Remote(base) => {
                let url = format!("{base}/orders/{order_id}");
                let query: Vec<_> = email.map(|e| ("email", e.to_owned())).into_iter().collect();
                match get_json(&url, &query, self.timeout_ms).await {
                    Ok((200, order @ Value::Object(_))) => order,
                    Ok((404, _)) => support_core::orders::not_found(),
                    Ok((status, _)) => unavailable(&format!("HTTP {status}")),
                    Err(detail) => unavailable(&detail),
                }
            }
        }
    }

    /// Carries out a change the customer confirmed on `order`'s card, and returns the result
    /// the model reads: the order as it now stands, or why nothing changed.
    pub async fn change(
        &self,
        kind: ChangeKind,
        order: &Order,
        reason: &str,
        email: Option<&str>,
        now_ms: u64,
    ) -> Value {
        match &self.source {
            OrderSource::Bundled => match self.bundled().await {
                Ok(book) => self.change_bundled(&book, kind, &order.order_id, now_ms),
                Err(detail) => not_changed(&detail),
            },
            OrderSource::Remote(base) => {
                let route = match kind {
                    ChangeKind::Refund => "refund-request",
                    ChangeKind::Cancel => "cancel",
                };
                let id = js_sys::encode_uri_component(&order.order_id);
                let url = format!("{base}/orders/{id}/{route}");
                let body = serde_json::to_string(&ChangeBody { reason, email }).unwrap_or_default();
                match post_json(&url, body, self.timeout_ms).await {
                    Ok((200, answer)) => remote_done(kind, &answer),
                    Ok((404, _)) => {
                        let mut result = support_core::orders::not_found();
                        result["changed"] = json!(false);
                        result
                    }
                    // Not allowed on the server's own check: its reason, nothing changed.
                    Ok((409, answer)) => json!({
                        "changed": false,
                        "eligible": false,
                        "reason": answer["error"]["message"].as_str().unwrap_or("The order does not allow this change"),
                        "status": answer["order"]["status"],
                    }),
                    Ok((status, _)) => not_changed(&format!("HTTP {status}")),
                    Err(detail) => not_changed(&detail),
                }
            }
        }
    }

    /// The demo's change: checked with the same rules as the backend, then kept.
    fn change_bundled(&self, book: &OrderBook, kind: ChangeKind, id: &str, now_ms: u64) -> Value {
        let book = self.with_changes(book);
        let Some(current) = book.get(id) else {
            return support_core::orders::not_found();
        };
        let today = change::date_of_ms(now_ms);
        let verdict = change::check(current, kind, today, self.window_days);
        if !verdict.is_allowed() {
            return verdict.to_result(current, kind);
        }
        let changed = change::apply(current, kind, today);
        let mut kept = self.changed_orders();
        kept.retain(|o| o.order_id != changed.order_id);
        kept.push(changed.clone());
        if let Ok(text) = serde_json::to_string(&kept) {
            save_extra(&self.prefix, CHANGED, &text);
        }
        *self.kept_in_memory.borrow_mut() = kept;
        let reference = format!("R-{:06X}", crate::config::random_seed() & 0xFF_FFFF);
        change::done_result(&changed, kind, Some(&reference))
    }

    /// The orders the demo changed: those in storage (another tab's too), with this page's
    /// own over them (storage may have been full). Unreadable stored data counts as none.
    fn changed_orders(&self) -> Vec<Order> {
        let mut orders: Vec<Order> = load_extra(&self.prefix, CHANGED)
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        for own in self.kept_in_memory.borrow().iter() {
            orders.retain(|o| o.order_id != own.order_id);
            orders.push(own.clone());
        }
        orders
    }

    /// The dataset with the demo's changes laid over it.
    fn with_changes(&self, book: &OrderBook) -> OrderBook {
        let mut book = book.clone();
        for order in self.changed_orders() {
            book.put(order);
        }
        book
    }

    /// The bundled dataset, fetched the first time it is needed. The calls of one round run
    /// together: the first fetches, the others wait for it.
    async fn bundled(&self) -> Result<Rc<OrderBook>, String> {
        while self.fetching.get() {
            crate::transport::sleep(20).await;
        }
        if let Some(book) = self.bundled.borrow().clone() {
            return Ok(book);
        }
        self.fetching.set(true);
        let fetched = get_json(&self.bundled_url, &[], self.timeout_ms).await;
        self.fetching.set(false);
        let book = match fetched? {
            (200, list) => {
                let orders: Vec<Order> = serde_json::from_value(list)
                    .map_err(|e| format!("the bundled orders are unusable: {e}"))?;
                Rc::new(OrderBook::new(orders))
            }
            (status, _) => return Err(format!("the bundled orders: HTTP {status}")),
        };
        *self.bundled.borrow_mut() = Some(Rc::clone(&book));
        Ok(book)
    }
}

/// The backend's answer to a change it made (or had made before: `replayed`), as the model
/// reads it.
fn remote_done(kind: ChangeKind, answer: &Value) -> Value {
    match serde_json::from_value::<Order>(answer["order"].clone()) {
        Ok(order) => change::done_result(&order, kind, answer["request"]["id"].as_str()),
        Err(_) => not_changed("the answer holds no order"),
    }
}

fn unavailable(detail: &str) -> Value {
    web_sys::console::warn_1(&format!("support-widget: order lookup failed: {detail}").into());
    json!({"error": "The order service is unavailable right now"})
}

fn not_changed(detail: &str) -> Value {
    web_sys::console::warn_1(&format!("support-widget: order change failed: {detail}").into());
    json!({"error": "The order service is unavailable right now; nothing was changed", "changed": false})
}
