//! The order card: drawn from the lookup's result itself, never from the model's prose.

use leptos::prelude::*;
use support_core::orders::{Order, OrderStatus};

use super::text;

/// One looked-up order.
#[component]
pub fn OrderCard(
    /// The order as the lookup returned it.
    order: Order,
) -> impl IntoView {
    let (label, tone) = status_badge(order.status);
    let amount = format_amount(order.amount, &order.currency);
    let dates = [
        (text::ORDERED, Some(order.order_date.clone())),
        (text::ESTIMATED_DELIVERY, order.estimated_delivery.clone()),
        (text::DELIVERED, order.delivery_date.clone()),
        (text::REFUND_REQUESTED, order.refund_requested_date.clone()),
        (text::REFUNDED, order.refund_date.clone()),
        (text::CANCELLED, order.cancelled_date.clone()),
    ];
    view! {
        <article class="sw-order" data-testid="order-card" aria-label=format!("{} {}", text::ORDER, order.order_id)>
            <header class="sw-order-head">
                <span class="sw-order-item">{order.item.clone()}</span>
                <span class=format!("sw-badge sw-badge-{tone}")>{label}</span>
            </header>
            <dl class="sw-order-facts">
                <dt>{text::ORDER}</dt><dd>{order.order_id.clone()}</dd>
                <dt>"Amount"</dt><dd>{amount}</dd>
                {dates
                    .into_iter()
                    .filter_map(|(label, date)| date.map(|d| view! { <dt>{label}</dt><dd><time datetime=d.clone()>{d.clone()}</time></dd> }))
                    .collect_view()}
            </dl>
        </article>
    }
}

fn status_badge(status: OrderStatus) -> (&'static str, &'static str) {
    match status {
        OrderStatus::Processing => ("Processing", "info"),
        OrderStatus::Shipped => ("Shipped", "info"),
        OrderStatus::Delivered => ("Delivered", "good"),
        OrderStatus::RefundRequested => ("Refund requested", "warn"),
        OrderStatus::Refunded => ("Refunded", "good"),
        OrderStatus::Cancelled => ("Cancelled", "muted"),
    }
}

/// The amount in the page's locale with its currency, e.g. "$89.50" or "89,50 €".
fn format_amount(amount: f64, currency: &str) -> String {
    // Intl throws on a malformed currency code; only well-formed ones reach it.
    if currency.len() != 3
        || !currency.bytes().all(|b| b.is_ascii_uppercase())
        || !amount.is_finite()
    {
        return format!("{amount:.2} {currency}");
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
    let _ = js_sys::Reflect::set(&options, &"currency".into(), &currency.into());
    let format = js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &options);
    let formatted = format
        .format()
        .call1(&format, &amount.into())
        .ok()
        .and_then(|v| v.as_string());
    formatted.unwrap_or_else(|| format!("{amount:.2} {currency}"))
}
