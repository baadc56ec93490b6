//! Runs order lookups: against the bundled dataset, or the store's backend.

use support_core::config::OrderSource;
use support_core::json;
use support_core::json::Value;
use support_core::orders::OrderBook;
use support_core::ToolInvocation;

use crate::transport::get_json;

/// Runs a validated tool call and returns the result the model will read.
pub async fn run(source: &OrderSource, invocation: &ToolInvocation, timeout_ms: u32) -> Value {
    match (source, invocation) {
        (OrderSource::Bundled, _) => invocation.run_with(OrderBook::bundled()),
        (OrderSource::Remote(base), ToolInvocation::LookupOrder { order_id, email }) => {
            let mut url = format!("{base}/orders/{order_id}");
            if let Some(email) = email {
                url.push_str("?email=");
                url.push_str(&String::from(js_sys::encode_uri_component(email)));
            }
            match get_json(&url, timeout_ms).await {
                Ok((200, order @ Value::Object(_))) => order,
                Ok((404, _)) => support_core::orders::not_found(),
                Ok((status, _)) => unavailable(&format!("HTTP {status}")),
                Err(detail) => unavailable(&detail),
            }
        }
    }
}

fn unavailable(detail: &str) -> Value {
    web_sys::console::warn_1(&format!("support-widget: order lookup failed: {detail}").into());
    json!({"error": "The order service is unavailable right now"})
}
