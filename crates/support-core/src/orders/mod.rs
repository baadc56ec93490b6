//! Orders: the record a lookup returns, order-id normalisation, and the bundled dataset.
//!
//! The bundled dataset (`data/orders.json`) holds the seed's two orders exactly plus a dozen
//! others covering every status. The same types serve the browser (bundled lookups), the proxy
//! (its database rows) and the order card.

pub mod change;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Processing,
    Shipped,
    Delivered,
    RefundRequested,
    Refunded,
    Cancelled,
}

/// One order, as a lookup returns it (the tool result the model reads, and the order card's
/// data: `serde_json::from_str::<Order>` reads it back from a tool message). Dates are ISO 8601
/// (`YYYY-MM-DD`). Other fields, such as a dataset's `customer_email`, are ignored when read
/// and never written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub status: OrderStatus,
    pub item: String,
    /// In the currency's units.
    pub amount: f64,
    pub currency: String,
    pub order_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_delivery: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_requested_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_date: Option<String>,
}

/// The longest raw order id a lookup will look at.
pub const MAX_ORDER_ID_INPUT: usize = 64;

/// Why an order id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderIdError {
    #[error("order id is empty")]
    Empty,
    #[error("order id is too long")]
    TooLong,
    #[error("\"{0}\" is not an order id: order ids look like ORD-1234")]
    Malformed(String),
}

/// Normalises a customer- or model-supplied order id to `ORD-<digits>`.
///
/// Accepts any case, surrounding blanks, quotes or `#`, a space or `_` instead of the dash, no
/// separator at all, and the bare number (`1002`).
pub fn normalize_order_id(raw: &str) -> Result<String, OrderIdError> {
    if raw.len() > MAX_ORDER_ID_INPUT {
        return Err(OrderIdError::TooLong);
    }
    let trimmed = raw
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '#' | '`'))
        .trim();
    if trimmed.is_empty() {
        return Err(OrderIdError::Empty);
    }
    let upper = trimmed.to_ascii_uppercase();
    let digits = upper
        .strip_prefix("ORD")
        .map(|rest| rest.trim_start_matches(['-', ' ', '_']))
        .unwrap_or(&upper);
    let valid = (1..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if valid {
        Ok(format!("ORD-{digits}"))
    } else {
        Err(OrderIdError::Malformed(trimmed.chars().take(32).collect()))
    }
}

/// The seed's not-found result, kept to the letter.
pub fn not_found() -> Value {
    json!({"error": "Order not found"})
}

/// A set of orders held in memory.
#[derive(Debug, Clone, Default)]
pub struct OrderBook {
    orders: Vec<Order>,
}

impl OrderBook {
    pub fn new(orders: Vec<Order>) -> Self {
        Self { orders }
    }

    /// The bundled dataset, parsed once.
    pub fn bundled() -> &'static OrderBook {
        static BOOK: OnceLock<OrderBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            let orders = parse_orders(BUNDLED_ORDERS)
                .expect("data/orders.json is valid: `bundled_dataset_parses` checks it");
            OrderBook::new(orders)
        })
    }

    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// The order with this (already normalised) id.
    pub fn get(&self, order_id: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.order_id == order_id)
    }

    /// Replaces the order with the same id (or adds it), as after a change.
    pub fn put(&mut self, order: Order) {
        match self
            .orders
            .iter_mut()
            .find(|o| o.order_id == order.order_id)
        {
            Some(slot) => *slot = order,
            None => self.orders.push(order),
        }
    }

    /// The tool result for a lookup: only that order's fields, or the not-found error.
    pub fn lookup(&self, order_id: &str) -> Value {
        match self.get(order_id) {
            Some(order) => serde_json::to_value(order).unwrap_or_else(|_| not_found()),
            None => not_found(),
        }
    }
}

/// Parses a JSON list of orders, such as the bundled dataset.
pub fn parse_orders(text: &str) -> Result<Vec<Order>, serde_json::Error> {
    serde_json::from_str(text)
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Processing,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::RefundRequested,
        OrderStatus::Refunded,
        OrderStatus::Cancelled,
    ];

    /// The status as the wire and the database write it (`refund_requested`).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Processing => "processing",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::RefundRequested => "refund_requested",
            OrderStatus::Refunded => "refunded",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The raw bundled dataset, for tools that seed a database from it.
pub const BUNDLED_ORDERS: &str = include_str!("../../data/orders.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_dataset_parses_and_keeps_the_seed_orders() {
        let book = OrderBook::bundled();
        assert!(book.orders().len() >= 12);
        assert_eq!(
            book.lookup("ORD-1001"),
            json!({"order_id": "ORD-1001", "status": "refunded", "item": "USB-C Cable",
                   "amount": 12.99, "currency": "USD", "order_date": "2026-10-02",
                   "refund_date": "2026-10-09"})
        );
        let keyboard = book.get("ORD-1002").expect("seed order");
        assert_eq!(
            (keyboard.status, keyboard.item.as_str(), keyboard.amount),
            (OrderStatus::Processing, "Mechanical Keyboard", 89.50)
        );
    }

    #[test]
    fn every_status_is_covered_and_written_as_the_database_writes_it() {
        for status in OrderStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(json!(status.as_str()))
            );
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
            assert!(OrderBook::bundled()
                .orders()
                .iter()
                .any(|o| o.status == status));
        }
    }

    #[test]
    fn unknown_order_is_the_seed_error() {
        assert_eq!(
            OrderBook::bundled().lookup("ORD-9999"),
            json!({"error": "Order not found"})
        );
    }

    #[test]
    fn order_ids_are_normalised() {
        for raw in [
            "ORD-1002",
            " ord-1002 ",
            "ORD 1002",
            "ord_1002",
            "ORD1002",
            "1002",
            "#ORD-1002",
            "\"ORD-1002\"",
        ] {
            assert_eq!(
                normalize_order_id(raw).as_deref(),
                Ok("ORD-1002"),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn bad_order_ids_are_refused() {
        assert_eq!(normalize_order_id("  "), Err(OrderIdError::Empty));
        assert_eq!(
            normalize_order_id(&"1".repeat(65)),
            Err(OrderIdError::TooLong)
        );
        for raw in [
            "ORD-",
            "ORD-12a",
            "ORD-1234567890123",
            "DROP TABLE",
            "ORD-1002; ORD-1003",
            "-1",
        ] {
            assert!(
                matches!(normalize_order_id(raw), Err(OrderIdError::Malformed(_))),
                "{raw:?}"
            );
        }
    }
}
