//! Changes a customer may ask for on an order (a refund request, a cancellation), the rules
//! that decide whether an order allows one, and the order as it stands after it.
//!
//! The widget (bundled mode) and the proxy decide with these same rules, so the model's
//! proposal, the confirmation card and the server's check never disagree. The rules:
//! a delivered order may be refunded within the return window (counted from the delivery
//! date, inclusive); a processing order may be cancelled (a refund request for it is answered
//! with "cancel it instead"); a shipped order must wait for delivery; refunded, refund
//! requested and cancelled orders are explained, never changed.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::{Order, OrderStatus};

/// The default return window, in days from delivery.
pub const DEFAULT_RETURN_WINDOW_DAYS: u32 = 30;

/// A change to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Ask for a refund of a delivered order (the store then takes the item back).
    Refund,
    /// Cancel an order that has not shipped.
    Cancel,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Refund => "refund",
            ChangeKind::Cancel => "cancel",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [ChangeKind::Refund, ChangeKind::Cancel]
            .into_iter()
            .find(|k| k.as_str() == text)
    }

    /// The status an order has after the change.
    pub fn new_status(self) -> OrderStatus {
        match self {
            ChangeKind::Refund => OrderStatus::RefundRequested,
            ChangeKind::Cancel => OrderStatus::Cancelled,
        }
    }
}

/// Whether an order allows a change, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The change may be made (once the customer confirms it).
    Allowed,
    /// A refund was asked for an order that has not shipped: it can be cancelled instead.
    CancelInstead,
    /// A cancellation was asked for a delivered order: a refund can be requested instead.
    RefundInstead,
    /// The order is on its way: it can be returned once delivered.
    AwaitDelivery { estimated_delivery: Option<String> },
    /// Delivered longer ago than the return window allows.
    WindowClosed {
        delivery_date: String,
        window_days: u32,
    },
    /// A refund was already requested.
    AlreadyRequested {
        refund_requested_date: Option<String>,
    },
    /// The order was already refunded.
    AlreadyRefunded { refund_date: Option<String> },
    /// The order was cancelled.
    AlreadyCancelled { cancelled_date: Option<String> },
    /// The order's dates cannot be read, so the window cannot be checked.
    Unknown,
}

impl Verdict {
    pub fn is_allowed(&self) -> bool {
        *self == Verdict::Allowed
    }

    /// The reason in a sentence, for the model to pass on (never shown as a policy of its own).
    pub fn explanation(&self) -> String {
        match self {
            Verdict::Allowed => "The order allows this change once the customer confirms it.".to_owned(),
            Verdict::CancelInstead => "The order has not shipped yet, so it cannot be refunded, but it can be cancelled (cancel_order) for a full refund.".to_owned(),
            Verdict::RefundInstead => "The order was already delivered, so it cannot be cancelled; a refund can be requested instead (request_refund).".to_owned(),
            Verdict::AwaitDelivery { estimated_delivery: Some(date) } => format!("The order is on its way (estimated delivery {date}); it can be returned for a refund once it has been delivered."),
            Verdict::AwaitDelivery { estimated_delivery: None } => "The order is on its way; it can be returned for a refund once it has been delivered.".to_owned(),
            Verdict::WindowClosed { delivery_date, window_days } => format!("The order was delivered on {delivery_date}, more than {window_days} days ago, so the return window has closed."),
            Verdict::AlreadyRequested { refund_requested_date: Some(date) } => format!("A refund was already requested on {date}; it is being processed."),
            Verdict::AlreadyRequested { refund_requested_date: None } => "A refund was already requested; it is being processed.".to_owned(),
            Verdict::AlreadyRefunded { refund_date: Some(date) } => format!("The order was already refunded on {date}."),
            Verdict::AlreadyRefunded { refund_date: None } => "The order was already refunded.".to_owned(),
            Verdict::AlreadyCancelled { cancelled_date: Some(date) } => format!("The order was cancelled on {date}; nothing is left to refund or cancel."),
            Verdict::AlreadyCancelled { cancelled_date: None } => "The order was cancelled; nothing is left to refund or cancel.".to_owned(),
            Verdict::Unknown => "The order's dates could not be read, so this change cannot be made here; the support team can help.".to_owned(),
        }
    }

    /// The tool result the model reads when the change is not allowed: nothing changed.
    pub fn to_result(&self, order: &Order, kind: ChangeKind) -> Value {
        json!({
            "order_id": order.order_id,
            "status": order.status,
            "change": kind,
            "changed": false,
            "eligible": false,
            "reason": self.explanation(),
        })
    }
}

/// Decides whether `order` allows `kind` on `today`, with a return window of `window_days`.
pub fn check(order: &Order, kind: ChangeKind, today: Date, window_days: u32) -> Verdict {
    match (order.status, kind) {
        (OrderStatus::Processing, ChangeKind::Cancel) => Verdict::Allowed,
        (OrderStatus::Processing, ChangeKind::Refund) => Verdict::CancelInstead,
        (OrderStatus::Shipped, _) => Verdict::AwaitDelivery {
            estimated_delivery: order.estimated_delivery.clone(),
        },
        (OrderStatus::Delivered, ChangeKind::Cancel) => Verdict::RefundInstead,
        (OrderStatus::Delivered, ChangeKind::Refund) => {
            let Some(delivered) = order.delivery_date.as_deref().and_then(parse_date) else {
                return Verdict::Unknown;
            };
            let age = (today - delivered).whole_days();
            if (0..=i64::from(window_days)).contains(&age) {
                Verdict::Allowed
            } else if age < 0 {
                Verdict::Unknown
            } else {
                Verdict::WindowClosed {
                    delivery_date: format_date(delivered),
                    window_days,
                }
            }
        }
        (OrderStatus::RefundRequested, _) => Verdict::AlreadyRequested {
            refund_requested_date: order.refund_requested_date.clone(),
        },
        (OrderStatus::Refunded, _) => Verdict::AlreadyRefunded {
            refund_date: order.refund_date.clone(),
        },
        (OrderStatus::Cancelled, _) => Verdict::AlreadyCancelled {
            cancelled_date: order.cancelled_date.clone(),
        },
    }
}

/// The order after `kind` was made on `today`: its new status and the date it happened.
pub fn apply(order: &Order, kind: ChangeKind, today: Date) -> Order {
    let date = format_date(today);
    let mut changed = order.clone();
    changed.status = kind.new_status();
    match kind {
        ChangeKind::Refund => changed.refund_requested_date = Some(date),
        ChangeKind::Cancel => changed.cancelled_date = Some(date),
    }
    changed
}

/// The tool result after a confirmed change was made: the order as it now stands (so the
/// order card shows its new status), and what happened.
pub fn done_result(order: &Order, kind: ChangeKind, reference: Option<&str>) -> Value {
    let mut result = serde_json::to_value(order).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut result {
        map.insert("change".to_owned(), json!(kind));
        map.insert("changed".to_owned(), json!(true));
        if let Some(reference) = reference {
            map.insert("reference".to_owned(), json!(reference));
        }
    }
    result
}

/// The UTC date of a Unix time in milliseconds.
pub fn date_of_ms(now_ms: u64) -> Date {
    let seconds = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(seconds)
        .map(OffsetDateTime::date)
        .unwrap_or(Date::MIN)
}

/// Reads an ISO 8601 calendar date (`2026-11-03`).
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// Writes a date as ISO 8601 (`2026-11-03`).
pub fn format_date(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::OrderBook;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 01);

    fn order(id: &str) -> Order {
        OrderBook::bundled().get(id).expect("bundled order").clone()
    }

    #[test]
    fn each_status_gets_its_verdict() {
        let cases = [
            ("ORD-1002", ChangeKind::Cancel, Verdict::Allowed),
            ("ORD-1002", ChangeKind::Refund, Verdict::CancelInstead),
            (
                "ORD-1003",
                ChangeKind::Refund,
                Verdict::AwaitDelivery {
                    estimated_delivery: Some("2026-11-26".to_owned()),
                },
            ),
            ("ORD-1004", ChangeKind::Refund, Verdict::Allowed),
            ("ORD-1004", ChangeKind::Cancel, Verdict::RefundInstead),
            (
                "ORD-1005",
                ChangeKind::Refund,
                Verdict::AlreadyRequested {
                    refund_requested_date: Some("2026-11-20".to_owned()),
                },
            ),
            (
                "ORD-1006",
                ChangeKind::Cancel,
                Verdict::AlreadyCancelled {
                    cancelled_date: Some("2026-11-11".to_owned()),
                },
            ),
            (
                "ORD-1007",
                ChangeKind::Refund,
                Verdict::WindowClosed {
                    delivery_date: "2026-10-16".to_owned(),
                    window_days: 30,
                },
            ),
            (
                "ORD-1001",
                ChangeKind::Refund,
                Verdict::AlreadyRefunded {
                    refund_date: Some("2026-10-09".to_owned()),
                },
            ),
        ];
        for (id, kind, verdict) in cases {
            assert_eq!(check(&order(id), kind, TODAY, 30), verdict, "{id} {kind:?}");
        }
    }

    #[test]
    fn the_window_counts_whole_days_from_delivery_inclusive() {
        let mut o = order("ORD-1004");
        o.delivery_date = Some("2026-11-01".to_owned());
        assert!(check(&o, ChangeKind::Refund, TODAY, 30).is_allowed());
        assert!(!check(&o, ChangeKind::Refund, TODAY, 29).is_allowed());
        assert!(check(&o, ChangeKind::Refund, date!(2026 - 11 - 01), 0).is_allowed());
    }

    #[test]
    fn unreadable_or_future_dates_allow_nothing() {
        let mut o = order("ORD-1004");
        for bad in [
            None,
            Some("yesterday"),
            Some("2026-13-40"),
            Some("2027-01-01"),
        ] {
            o.delivery_date = bad.map(str::to_owned);
            assert_eq!(check(&o, ChangeKind::Refund, TODAY, 30), Verdict::Unknown);
        }
    }

    #[test]
    fn a_change_sets_the_status_and_its_date_and_the_result_says_so() {
        let refunded = apply(&order("ORD-1004"), ChangeKind::Refund, TODAY);
        assert_eq!(refunded.status, OrderStatus::RefundRequested);
        assert_eq!(
            refunded.refund_requested_date.as_deref(),
            Some("2026-12-01")
        );
        let cancelled = apply(&order("ORD-1002"), ChangeKind::Cancel, TODAY);
        assert_eq!(cancelled.status, OrderStatus::Cancelled);
        assert_eq!(cancelled.cancelled_date.as_deref(), Some("2026-12-01"));
        let result = done_result(&cancelled, ChangeKind::Cancel, Some("R-1"));
        assert_eq!(result["status"], "cancelled");
        assert_eq!(result["changed"], true);
        assert_eq!(result["reference"], "R-1");
        let back: Order = serde_json::from_value(result).expect("still an order");
        assert_eq!(back, cancelled);
    }

    #[test]
    fn refused_changes_say_nothing_changed() {
        let o = order("ORD-1003");
        let verdict = check(&o, ChangeKind::Refund, TODAY, 30);
        let result = verdict.to_result(&o, ChangeKind::Refund);
        assert_eq!(result["changed"], false);
        assert!(result["reason"]
            .as_str()
            .is_some_and(|r| r.contains("2026-11-26")));
    }

    #[test]
    fn dates_of_unix_times() {
        assert_eq!(date_of_ms(1_764_547_200_000), date!(2025 - 12 - 01));
        assert_eq!(format_date(date_of_ms(0)), "1970-01-01");
        assert_eq!(parse_date(" 2026-11-03 "), Some(date!(2026 - 11 - 03)));
        for bad in [
            "2026-02-30",
            "2026-1-03",
            "26-11-03",
            "2026-11-03x",
            "",
            "2026--11-3",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(format_date(date!(0999 - 01 - 09)), "0999-01-09");
    }
}
