//! The order card: drawn from the lookup's result itself, never from the model's prose.

use leptos::prelude::*;
use support_core::orders::{Order, OrderStatus};

use crate::strings::Strings;

/// The card for one looked-up order.
#[component]
pub fn OrderCard(
    /// The order, as the lookup returned it.
    order: Order,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let amount = format_amount(order.amount, &order.currency, &t.lang);
    let name = format!("{} {}", t.order, order.order_id);
    let badge = format!("sw-badge sw-badge-{}", badge_tone(order.status));
    let dates = [
        (&t.ordered, Some(order.order_date.clone())),
        (&t.estimated_delivery, order.estimated_delivery.clone()),
        (&t.delivered, order.delivery_date.clone()),
        (&t.refund_requested, order.refund_requested_date.clone()),
        (&t.refunded, order.refund_date.clone()),
        (&t.cancelled, order.cancelled_date.clone()),
    ];
    let dates = dates
        .into_iter()
        .filter_map(|(label, date)| date.map(|date| (label.clone(), date)))
        .map(|(label, date)| {
            let shown = format_date(&date, &t.lang);
            view! { <dt>{label}</dt><dd><time datetime=date>{shown}</time></dd> }
        })
        .collect_view();
    view! {
        <article class="sw-order" part="order-card" data-testid="order-card" aria-label=name>
            <header class="sw-order-head">
                <span class="sw-order-item" dir="auto">{order.item.clone()}</span>
                <span class=badge>{t.status(order.status).to_owned()}</span>
            </header>
            <dl class="sw-order-facts">
                <dt>{t.order.clone()}</dt><dd>{order.order_id.clone()}</dd>
                <dt>{t.amount.clone()}</dt><dd>{amount}</dd>
                {dates}
            </dl>
        </article>
    }
}

fn badge_tone(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Processing | OrderStatus::Shipped => "info",
        OrderStatus::Delivered | OrderStatus::Refunded => "good",
        OrderStatus::RefundRequested => "warn",
        OrderStatus::Cancelled => "muted",
    }
}

/// A `YYYY-MM-DD` date in the widget's language, e.g. "18 Nov 2026"; anything else as given.
fn format_date(date: &str, lang: &str) -> String {
    let parts: Vec<u32> = date.split('-').filter_map(|p| p.parse().ok()).collect();
    let [year, month, day] = parts[..] else {
        return date.to_owned();
    };
    let valid =
        (1..=12).contains(&month) && (1..=31).contains(&day) && (1000..=9999).contains(&year);
    if !valid || date.len() != 10 {
        return date.to_owned();
    }
    let utc = js_sys::Date::utc(f64::from(year), f64::from(month - 1));
    let when = js_sys::Date::new(&(utc + f64::from(day - 1) * 86_400_000.0).into());
    let options = js_sys::Object::new();
    for (key, value) in [
        ("day", "numeric"),
        ("month", "short"),
        ("year", "numeric"),
        ("timeZone", "UTC"),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    // `lang` comes from the string tables, so it is always a valid tag for Intl.
    String::from(when.to_locale_date_string(lang, &options))
}

/// The amount in the widget's language with its currency, e.g. "$89.50" or "89,50 €".
pub(super) fn format_amount(amount: f64, currency: &str, lang: &str) -> String {
    // Intl throws on a malformed currency code; only well-formed ones reach it.
    if currency.len() != 3
        || !currency.bytes().all(|b| b.is_ascii_uppercase())
        || !amount.is_finite()
    {
        return plain_amount(amount, currency);
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
    let _ = js_sys::Reflect::set(&options, &"currency".into(), &currency.into());
    let locales = js_sys::Array::of1(&lang.into());
    let format = js_sys::Intl::NumberFormat::new(&locales, &options);
    let formatted = format
        .format()
        .call1(&format, &amount.into())
        .ok()
        .and_then(|v| v.as_string());
    formatted.unwrap_or_else(|| plain_amount(amount, currency))
}

/// "89.50 XYZ", for a currency Intl does not know.
fn plain_amount(amount: f64, currency: &str) -> String {
    let digits = js_sys::Number::from(amount)
        .to_fixed(2)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    format!("{digits} {currency}")
}
