//! Runs order lookups (`lookup_order`): against the bundled dataset, or the store's backend.
//!
//! The bundled dataset is the demo's, so it is not in the wasm: it is `orders.json` next to
//! the widget's files, fetched on the first lookup and kept.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde_json::{json, Value};
use support_core::config::OrderSource;
use support_core::orders::{Order, OrderBook};

use crate::transport::get_json;

/// Where the widget's order lookups go.
pub struct Orders {
    source: OrderSource,
    /// The bundled dataset's URL (`loader.js` says where the widget's files are).
    bundled_url: String,
    bundled: RefCell<Option<Rc<OrderBook>>>,
    /// True while the bundled dataset is being fetched.
    fetching: Cell<bool>,
    timeout_ms: u32,
}

impl Orders {
    pub fn new(source: OrderSource, bundled_url: String, timeout_ms: u32) -> Self {
        Self {
            source,
            bundled_url,
            bundled: RefCell::new(None),
            fetching: Cell::new(false),
            timeout_ms,
        }
    }

    /// Looks a validated order id up (with the customer's email where the store requires it)
    /// and returns the result the model will read.
    pub async fn lookup(&self, order_id: &str, email: Option<&str>) -> Value {
        match &self.source {
            OrderSource::Bundled => match self.bundled().await {
                Ok(book) => book.lookup(order_id),
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

fn unavailable(detail: &str) -> Value {
    web_sys::console::warn_1(&format!("support-widget: order lookup failed: {detail}").into());
    json!({"error": "The order service is unavailable right now"})
}
