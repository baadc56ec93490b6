//! The only module that makes HTTP requests, all with gloo-net.
//!
//! A chat request is POSTed with the tool schema; the response body is read as a stream
//! (`wasm-streams` over gloo-net's `Response::body()`) and handed to the core piece by piece.
//! A first-byte time-out is one deadline for the response and its first piece together; an
//! idle time-out covers each wait after that. `AbortController` stops a request for real. Outcomes
//! come back as core `Event`s through `deliver`. Lookups, help searches and ratings are
//! `get_json` and `post_json`, each within its time-out.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::task::Poll;

use futures_util::StreamExt;
use gloo_net::http::{Request, Response};
use js_sys::Uint8Array;
use support_core::retry::parse_retry_after;
use support_core::{Event, RequestId, TransportFailure};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortController;

use crate::config::now_ms;

/// The most body bytes handed to the engine in one task.
const SLICE_BYTES: usize = 16 * 1024;

/// Where and how to send chat requests.
#[derive(Debug, Clone)]
pub struct Transport {
    pub chat_url: String,
    pub api_key: Option<String>,
    pub first_byte_timeout_ms: u32,
    pub idle_timeout_ms: u32,
}

/// A request in flight; `abort` stops it and silences it.
pub struct InFlight {
    controller: Option<AbortController>,
    cancelled: Rc<Cell<bool>>,
}

impl InFlight {
    pub fn abort(&self) {
        self.cancelled.set(true);
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

impl Transport {
    /// Starts request `request` after `delay_ms`; every outcome goes to `deliver`.
    pub fn start(
        &self,
        request: RequestId,
        body: String,
        delay_ms: u64,
        deliver: Rc<dyn Fn(Event)>,
    ) -> InFlight {
        let controller = AbortController::new().ok();
        let cancelled = Rc::new(Cell::new(false));
        let in_flight = InFlight {
            controller: controller.clone(),
            cancelled: cancelled.clone(),
        };
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if delay_ms > 0 {
                sleep(u32::try_from(delay_ms).unwrap_or(u32::MAX)).await;
            }
            if cancelled.get() {
                return;
            }
            let result = this
                .exchange(request, body, controller.as_ref(), &cancelled, &deliver)
                .await;
            if cancelled.get() {
                return;
            }
            deliver(match result {
                Ok(()) => Event::ResponseEnded { request },
                Err(failure) => {
                    if let Some(controller) = &controller {
                        controller.abort();
                    }
                    Event::RequestFailed { request, failure }
                }
            });
        });
        in_flight
    }

    fn chat_request(
        &self,
        body: String,
        controller: Option<&AbortController>,
    ) -> Result<Request, gloo_net::Error> {
        let mut builder = Request::post(&self.chat_url)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream, application/json")
            .abort_signal(controller.map(|c| c.signal()).as_ref());
        if let Some(key) = &self.api_key {
            builder = builder.header("Authorization", &format!("Bearer {key}"));
        }
        builder.body(body)
    }

    async fn exchange(
        &self,
        request: RequestId,
        body: String,
        controller: Option<&AbortController>,
        cancelled: &Cell<bool>,
        deliver: &Rc<dyn Fn(Event)>,
    ) -> Result<(), TransportFailure> {
        let started_ms = now_ms();
        let sending = self
            .chat_request(body, controller)
            .map_err(|e| TransportFailure::Network(describe(&e)))?
            .send();
        let response = with_timeout(sending, self.first_byte_timeout_ms)
            .await
            .ok_or(TransportFailure::FirstByteTimeout)?
            .map_err(|e| TransportFailure::Network(describe(&e)))?;
        if cancelled.get() {
            return Ok(());
        }
        deliver(started(request, &response));
        let Some(raw) = response.body() else {
            return Ok(());
        };
        let body = wasm_streams::ReadableStream::from_raw(raw.unchecked_into()).into_stream();
        self.read_body(request, body, started_ms, cancelled, deliver)
            .await
    }

    /// Hands the body on to `deliver` until it ends. The first piece must come before the
    /// first-byte deadline (counted from `started_ms`, so the wait for the headers is part of
    /// it); each later one within the idle time-out.
    async fn read_body(
        &self,
        request: RequestId,
        mut body: wasm_streams::readable::IntoStream<'static>,
        started_ms: u64,
        cancelled: &Cell<bool>,
        deliver: &Rc<dyn Fn(Event)>,
    ) -> Result<(), TransportFailure> {
        let mut first = true;
        loop {
            let wait = if first {
                let waited = u32::try_from(now_ms().saturating_sub(started_ms)).unwrap_or(u32::MAX);
                self.first_byte_timeout_ms.saturating_sub(waited)
            } else {
                self.idle_timeout_ms
            };
            let chunk = match with_timeout(body.next(), wait).await {
                None if cancelled.get() => return Ok(()),
                None if first => return Err(TransportFailure::FirstByteTimeout),
                None => return Err(TransportFailure::IdleTimeout),
                Some(None) => return Ok(()),
                Some(Some(Err(error))) => {
                    return Err(TransportFailure::Network(describe_js(&error)))
                }
                Some(Some(Ok(chunk))) => chunk,
            };
            let Some(bytes) = chunk.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec) else {
                return Err(TransportFailure::Network(
                    "the body is not bytes".to_owned(),
                ));
            };
            // A fast server can put thousands of events in one network chunk: hand them on in
            // slices, yielding between them, so no task runs long.
            for (n, slice) in bytes.chunks(SLICE_BYTES).enumerate() {
                if n > 0 {
                    sleep(0).await;
                }
                if cancelled.get() {
                    return Ok(());
                }
                deliver(Event::ResponseBytes {
                    request,
                    bytes: slice.to_vec(),
                });
            }
            first &= bytes.is_empty();
        }
    }
}

fn started(request: RequestId, response: &Response) -> Event {
    let headers = response.headers();
    let retry_after_ms = parse_retry_after(
        headers.get("retry-after-ms").as_deref(),
        headers.get("retry-after").as_deref(),
    );
    Event::ResponseStarted {
        request,
        status: response.status(),
        retry_after_ms,
    }
}

/// The future's output, or `None` when `ms` passed first.
async fn with_timeout<F: Future>(future: F, ms: u32) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut timer = std::pin::pin!(sleep(ms));
    std::future::poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => timer.as_mut().poll(cx).map(|()| None),
    })
    .await
}

/// A request failure in a few words, for the console and the engine.
fn describe(error: &gloo_net::Error) -> String {
    match error {
        gloo_net::Error::JsError(js) => js.message.clone(),
        other => other.to_string(),
    }
}

fn describe_js(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the connection failed".to_owned())
}

/// GETs a JSON document, with `query` appended to `url` (encoded by the browser's
/// `URLSearchParams`): its status, and the body when the status is 200 (another status's body
/// is often an HTML page and is not read).
pub async fn get_json(
    url: &str,
    query: &[(&str, String)],
    timeout_ms: u32,
) -> Result<(u16, serde_json::Value), String> {
    let controller = AbortController::new().ok();
    let request = Request::get(url)
        .query(query.iter().map(|(name, value)| (*name, value)))
        .header("Accept", "application/json")
        .abort_signal(controller.as_ref().map(|c| c.signal()).as_ref());
    let work = async {
        let response = request.send().await.map_err(|e| describe(&e))?;
        let status = response.status();
        if status != 200 {
            return Ok((status, serde_json::Value::Null));
        }
        let text = response.text().await.map_err(|e| describe(&e))?;
        let body =
            serde_json::from_str(&text).map_err(|e| format!("the answer is not JSON ({e})"))?;
        Ok((status, body))
    };
    within(timeout_ms, controller, work).await
}

/// POSTs a JSON body: the answer's status, and its JSON (`null` when it has none or it is
/// not JSON, as an HTML error page from a proxy in between would be). No credentials go with
/// it: no cookie of the customer's reaches the server.
pub async fn post_json(
    url: &str,
    body: String,
    timeout_ms: u32,
) -> Result<(u16, serde_json::Value), String> {
    let controller = AbortController::new().ok();
    let request = Request::post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .credentials(web_sys::RequestCredentials::Omit)
        .abort_signal(controller.as_ref().map(|c| c.signal()).as_ref())
        .body(body)
        .map_err(|e| describe(&e))?;
    let work = async {
        let response = request.send().await.map_err(|e| describe(&e))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Ok((status, serde_json::from_str(&text).unwrap_or_default()))
    };
    within(timeout_ms, controller, work).await
}

/// `work`'s result, or an error once `timeout_ms` passed first (the request is then aborted).
async fn within<T>(
    timeout_ms: u32,
    controller: Option<AbortController>,
    work: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    match with_timeout(work, timeout_ms).await {
        Some(result) => result,
        None => {
            if let Some(controller) = controller {
                controller.abort();
            }
            Err(format!("no answer within {timeout_ms} ms"))
        }
    }
}
