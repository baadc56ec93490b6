//! Orders: the record a lookup returns, order-id normalisation, and the bundled dataset.
//!
//! The bundled dataset (`data/orders.json`) holds the seed's two orders exactly plus a dozen
//! others covering every status. The same types serve the browser (bundled lookups), the proxy
//! (its database rows) and the order card.

use std::sync::OnceLock;

use crate::json;
use crate::json::{Map, Number, Value};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Processing,
    Shipped,
    Delivered,
    RefundRequested,
    Refunded,
    Cancelled,
}

/// One order, as a lookup returns it. Dates are ISO 8601 (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub order_id: String,
    pub status: OrderStatus,
    pub item: String,
    /// In the currency's units, as written in the source (`89.50`).
    pub amount: Number,
    pub currency: String,
    pub order_date: String,
    pub carrier: Option<String>,
    pub estimated_delivery: Option<String>,
    pub delivery_date: Option<String>,
    pub refund_requested_date: Option<String>,
    pub refund_date: Option<String>,
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
            // The error is not formatted, which would keep `Debug` code in the wasm.
            let Ok(orders) = parse_orders(BUNDLED_ORDERS) else {
                panic!("data/orders.json is valid: `bundled_dataset_parses` checks it");
            };
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

    /// The tool result for a lookup: only that order's fields, or the not-found error.
    pub fn lookup(&self, order_id: &str) -> Value {
        match self.get(order_id) {
            Some(order) => order.to_json(),
            None => not_found(),
        }
    }
}

/// Parses a JSON list of orders, such as the bundled dataset.
pub fn parse_orders(text: &str) -> Result<Vec<Order>, String> {
    let value = json::parse(text).map_err(|e| e.to_string())?;
    orders_from_json(&value)
}

/// The orders of a parsed JSON list of orders.
pub fn orders_from_json(value: &Value) -> Result<Vec<Order>, String> {
    let items = value.as_array().ok_or("the orders must be a list")?;
    items.iter().map(Order::from_json).collect()
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

/// The optional date fields of an order, in the order they are written.
const DATES: [&str; 6] = [
    "carrier",
    "estimated_delivery",
    "delivery_date",
    "refund_requested_date",
    "refund_date",
    "cancelled_date",
];

impl Order {
    fn optional_fields(&self) -> [&Option<String>; 6] {
        [
            &self.carrier,
            &self.estimated_delivery,
            &self.delivery_date,
            &self.refund_requested_date,
            &self.refund_date,
            &self.cancelled_date,
        ]
    }

    /// The lookup result: the order's fields only (never the customer's email).
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("order_id", Value::from(&self.order_id));
        map.insert("status", Value::from(self.status.as_str()));
        map.insert("item", Value::from(&self.item));
        map.insert("amount", Value::Number(self.amount.clone()));
        map.insert("currency", Value::from(&self.currency));
        map.insert("order_date", Value::from(&self.order_date));
        for (key, value) in DATES.iter().zip(self.optional_fields()) {
            if let Some(value) = value {
                map.insert(*key, Value::from(value));
            }
        }
        Value::Object(map)
    }

    /// Reads an order; other fields (such as `customer_email`) are ignored.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let text = |key: &str| -> Result<String, String> {
            value[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("`{key}` must be a string"))
        };
        let optional = |key: &str| -> Result<Option<String>, String> {
            match &value[key] {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.clone())),
                _ => Err(format!("`{key}` must be a string")),
            }
        };
        let Value::Number(amount) = &value["amount"] else {
            return Err("`amount` must be a number".into());
        };
        Ok(Order {
            order_id: text("order_id")?,
            status: OrderStatus::parse(&text("status")?).ok_or("`status` is not a known status")?,
            item: text("item")?,
            amount: amount.clone(),
            currency: text("currency")?,
            order_date: text("order_date")?,
            carrier: optional(DATES[0])?,
            estimated_delivery: optional(DATES[1])?,
            delivery_date: optional(DATES[2])?,
            refund_requested_date: optional(DATES[3])?,
            refund_date: optional(DATES[4])?,
            cancelled_date: optional(DATES[5])?,
        })
    }
}

/// The raw bundled dataset, for tools that seed a database from it.
pub const BUNDLED_ORDERS: &str = include_str!("../data/orders.json");

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
            (
                keyboard.status,
                keyboard.item.as_str(),
                keyboard.amount.as_f64()
            ),
            (OrderStatus::Processing, "Mechanical Keyboard", Some(89.50))
        );
    }

    #[test]
    fn every_status_is_covered() {
        for status in OrderStatus::ALL {
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
