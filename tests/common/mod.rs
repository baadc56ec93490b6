//! Shared helpers for the browser tests: a scripted `window.fetch`, mounting a widget into a
//! fresh container, and waiting for the DOM.

#![allow(dead_code)]

pub mod history;

use serde_json::{json, Value};
use support_core::config::{RawConfig, WidgetConfig};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Replaces `window.fetch` with a double that answers from `window.__replies` (a queue of
/// `{status, chunks, delayMs, headers, hang, networkError, stallAfter}`) and records each
/// request in `window.__requests` (URL, method, JSON body, `authorization`, `content-type`,
/// credentials mode) and each abort in `window.__aborts`. It serves the bundled
/// order dataset (`orders.json`) as the widget's files would, counting requests for it in
/// `window.__ordersFetched`; `window.__ordersStatus` makes that fail. It serves [`HELP`] as
/// `help.json`, counting requests in `window.__helpFetched`.
/// The passages `help.json` holds in these tests.
pub const HELP: &str = r#"[{"title": "When will I get my refund?", "url": "https://shop.example/help/refunds",
  "heading": "By payment method", "anchor": "by-payment-method", "text": "Cards: 5 to 10 business days."},
 {"title": "Shipping", "url": "https://shop.example/help/shipping", "heading": "Carriers",
  "anchor": "carriers", "text": "We ship with UPS."}]"#;

pub fn install_fetch_double(replies: Value) {
    let orders = support_core::orders::BUNDLED_ORDERS;
    js_sys::Reflect::set(&js_sys::global(), &"__orders".into(), &orders.into())
        .expect("the dataset is set");
    js_sys::Reflect::set(&js_sys::global(), &"__help".into(), &HELP.into())
        .expect("the passages are set");
    let script = format!(
        r#"
        window.__requests = [];
        window.__aborts = 0;
        window.__ordersFetched = 0;
        window.__helpFetched = 0;
        delete window.__ordersStatus;
        window.__replies = {replies};
        window.fetch = async (req) => {{
          if (new URL(req.url).pathname.endsWith('/orders.json')) {{
            window.__ordersFetched++;
            return new Response(window.__orders, {{ status: window.__ordersStatus ?? 200, headers: {{ 'content-type': 'application/json' }} }});
          }}
          if (new URL(req.url).pathname.endsWith('/help.json')) {{
            window.__helpFetched++;
            return new Response(window.__help, {{ headers: {{ 'content-type': 'application/json' }} }});
          }}
          req.signal.addEventListener('abort', () => {{ window.__aborts++; }});
          const aborted = () => new Promise((resolve) => req.signal.addEventListener('abort', resolve));
          const text = await req.text();
          window.__requests.push({{ url: req.url, method: req.method, body: text ? JSON.parse(text) : null, auth: req.headers.get('authorization'),
            contentType: req.headers.get('content-type'), credentials: req.credentials }});
          const reply = window.__replies.shift() ?? {{ status: 500, chunks: ['{{}}'] }};
          if (reply.networkError) throw new TypeError('Failed to fetch');
          if (reply.hang) {{ await aborted(); throw new DOMException('The operation was aborted.', 'AbortError'); }}
          const encoder = new TextEncoder();
          let sent = 0;
          const body = new ReadableStream({{
            async pull(controller) {{
              if (reply.stallAfter !== undefined && sent === reply.stallAfter) {{
                await aborted();
                controller.error(new DOMException('The operation was aborted.', 'AbortError'));
                return;
              }}
              if (sent < reply.chunks.length) {{
                await new Promise((r) => setTimeout(r, reply.delayMs ?? 0));
                controller.enqueue(encoder.encode(reply.chunks[sent++]));
              }} else {{
                controller.close();
              }}
            }},
          }});
          const status = reply.status ?? 200;
          // A 204 has no body at all.
          return new Response(status === 204 ? null : body, {{ status, headers: reply.headers ?? {{ 'content-type': 'text/event-stream' }} }});
        }};
        "#
    );
    js_sys::eval(&script).expect("the fetch double installs");
}

/// The requests the double saw.
pub fn requests() -> Value {
    let text = js_sys::eval("JSON.stringify(window.__requests)")
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The number the page keeps as `window.<name>` (a count of the double's or of a test's),
/// NaN when there is none.
pub fn page_number(name: &str) -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &name.into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN)
}

/// How many requests were aborted.
pub fn aborts() -> u32 {
    page_number("__aborts") as u32
}

/// How often the bundled order dataset was requested.
pub fn orders_fetched() -> f64 {
    page_number("__ordersFetched")
}

/// The last message of the `n`th request the double saw: after a lookup, its tool result.
pub fn last_message_sent(n: usize) -> Value {
    requests()[n]["body"]["messages"]
        .as_array()
        .and_then(|m| m.last())
        .cloned()
        .unwrap_or_default()
}

/// One SSE event carrying this text.
pub fn sse_text(text: &str) -> String {
    format!(
        "data: {}\n\n",
        json!({"choices": [{"index": 0, "delta": {"content": text}}]})
    )
}

pub fn sse_end() -> String {
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n".to_owned()
}

pub fn sse_call(id: &str, order_id: &str) -> String {
    let args = json!({"order_id": order_id}).to_string();
    format!(
        "data: {}\n\ndata: [DONE]\n\n",
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": id, "type": "function", "function": {"name": "lookup_order", "arguments": args}}]}, "finish_reason": "tool_calls"}]})
    )
}

/// A configuration for tests: the double's endpoint, a storage key of its own, short timeouts.
pub fn config(storage_key: &str, extra: Value) -> WidgetConfig {
    let mut raw = json!({
        "endpoint": "https://llm.test/v1", "storageKey": storage_key,
        "firstByteTimeoutMs": 1000, "idleTimeoutMs": 1000,
    });
    if let (Some(raw), Value::Object(extra)) = (raw.as_object_mut(), extra) {
        raw.extend(extra);
    }
    let raw: RawConfig = serde_json::from_value(raw).expect("a configuration");
    WidgetConfig::from_raw(&raw).expect("valid test config")
}

/// A mounted widget in its own container; unmounted and removed on drop.
pub struct Mounted {
    pub root: HtmlElement,
    _widget: support_widget::ui::Mounted,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

pub fn mount(config: Result<WidgetConfig, support_core::config::ConfigError>) -> Mounted {
    mount_in(config, false)
}

/// A mounted widget whose container is also its host element: it gets the page's events and
/// `window.SupportWidget`, as under `<support-widget>`.
pub fn mount_as_host(config: Result<WidgetConfig, support_core::config::ConfigError>) -> Mounted {
    mount_in(config, true)
}

fn mount_in(
    config: Result<WidgetConfig, support_core::config::ConfigError>,
    as_host: bool,
) -> Mounted {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let root: HtmlElement = document
        .create_element("div")
        .expect("div")
        .unchecked_into();
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("appended");
    let widget = support_widget::ui::mount(&root, config, as_host.then(|| root.clone()));
    Mounted {
        root,
        _widget: widget,
    }
}

impl Mounted {
    /// Gives the widget its stylesheet, for tests of layout (the panel's size, scrolling).
    pub fn style(&self) {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("document");
        let style = document.create_element("style").expect("style");
        style.set_text_content(Some(support_widget::WIDGET_CSS));
        self.root.append_child(&style).expect("appended");
    }

    pub fn find(&self, test_id: &str) -> Option<HtmlElement> {
        self.root
            .query_selector(&format!("[data-testid='{test_id}']"))
            .ok()
            .flatten()
            .map(|e| e.unchecked_into())
    }

    pub fn get(&self, test_id: &str) -> HtmlElement {
        self.find(test_id)
            .unwrap_or_else(|| panic!("no [data-testid={test_id}]"))
    }

    pub fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(selector).expect("selector");
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| n.unchecked_into())
            .collect()
    }

    /// The text of each rendered message of this role.
    pub fn messages(&self, role: &str) -> Vec<String> {
        self.all(&format!("[data-testid=message][data-role={role}]"))
            .iter()
            .map(|e| e.text_content().unwrap_or_default())
            .collect()
    }

    /// Types into the composer and presses Enter.
    pub async fn say(&self, text: &str) {
        let composer: web_sys::HtmlTextAreaElement = self.get("composer").unchecked_into();
        composer.set_value(text);
        let input = web_sys::Event::new("input").expect("event");
        composer.dispatch_event(&input).expect("dispatched");
        let init = web_sys::KeyboardEventInit::new();
        init.set_key("Enter");
        init.set_bubbles(true);
        init.set_cancelable(true);
        let enter = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
            .expect("key");
        composer.dispatch_event(&enter).expect("dispatched");
        leptos::task::tick().await;
    }

    pub async fn click(&self, test_id: &str) {
        self.get(test_id).click();
        leptos::task::tick().await;
    }
}

/// Waits until `condition` holds, for at most `ms` milliseconds.
pub async fn until(ms: u32, what: &str, condition: impl Fn() -> bool) {
    let mut waited = 0;
    while !condition() {
        assert!(waited < ms, "timed out waiting for {what}");
        support_widget::transport::sleep(10).await;
        waited += 10;
    }
}

pub fn local_storage() -> web_sys::Storage {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage")
}

/// A configuration as the page would give it.
pub fn raw_config(value: Value) -> RawConfig {
    serde_json::from_value(value).unwrap_or_default()
}

/// A storage key of the test's own, with nothing stored under it.
pub fn fresh_key(name: &str) -> String {
    let key = format!("test-{name}");
    let _ = local_storage().remove_item(&format!("{key}.history.v1"));
    key
}
