//! The only module that uses `fetch`.
//!
//! A chat request is POSTed with the tool schema; the response body is read as a stream and
//! handed to the core piece by piece. A first-byte time-out covers the wait for the response
//! and for its first piece; an idle time-out covers each wait after that. `AbortController`
//! stops a request for real. Outcomes come back as core `Event`s through `deliver`.

use std::cell::Cell;
use std::rc::Rc;
use support_core::json::{self, Value};

use futures::future::{select, Either};
use gloo_net::http::{Request, Response};
use js_sys::Uint8Array;
use support_core::retry::parse_retry_after;
use support_core::{Event, RequestId, TransportFailure};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader};

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
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                ms.min(i32::MAX as u32) as i32,
            );
        }
    });
    let _ = JsFuture::from(promise).await;
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
                sleep(delay_ms.min(u32::MAX as u64) as u32).await;
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

    async fn exchange(
        &self,
        request: RequestId,
        body: String,
        controller: Option<&AbortController>,
        cancelled: &Cell<bool>,
        deliver: &Rc<dyn Fn(Event)>,
    ) -> Result<(), TransportFailure> {
        let signal = controller.map(AbortController::signal);
        let mut builder = Request::post(&self.chat_url)
            .abort_signal(signal.as_ref())
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream, application/json");
        if let Some(key) = &self.api_key {
            builder = builder.header("Authorization", &format!("Bearer {key}"));
        }
        let sending = builder
            .body(body)
            .map_err(|e| TransportFailure::Network(failure(e)))?
            .send();
        let response = with_timeout(sending, self.first_byte_timeout_ms)
            .await
            .ok_or(TransportFailure::FirstByteTimeout)?
            .map_err(|e| TransportFailure::Network(failure(e)))?;
        if cancelled.get() {
            return Ok(());
        }
        deliver(started(request, &response));
        let Some(raw) = response.body() else {
            return Ok(());
        };
        let reader: ReadableStreamDefaultReader = raw.get_reader().unchecked_into();
        let mut wait = self.first_byte_timeout_ms;
        loop {
            match with_timeout(JsFuture::from(reader.read()), wait).await {
                None if cancelled.get() => return Ok(()),
                None if wait == self.first_byte_timeout_ms => {
                    return Err(TransportFailure::FirstByteTimeout)
                }
                None => return Err(TransportFailure::IdleTimeout),
                Some(Err(error)) => return Err(TransportFailure::Network(describe(&error))),
                Some(Ok(read)) => {
                    let field = |name: &str| js_sys::Reflect::get(&read, &name.into());
                    if field("done").is_ok_and(|done| done.is_truthy()) {
                        return Ok(());
                    }
                    let Some(chunk) = field("value")
                        .ok()
                        .and_then(|v| v.dyn_into::<Uint8Array>().ok())
                    else {
                        return Err(TransportFailure::Network(
                            "the body is not bytes".to_owned(),
                        ));
                    };
                    // A fast server can put thousands of events in one network chunk: hand
                    // them on in slices, yielding between them, so no task runs long.
                    let bytes = chunk.to_vec();
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
                    wait = self.idle_timeout_ms;
                }
            }
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
async fn with_timeout<F: std::future::Future>(future: F, ms: u32) -> Option<F::Output> {
    let future = std::pin::pin!(future);
    let timer = std::pin::pin!(sleep(ms));
    match select(future, timer).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

/// What went wrong with a request, as the browser put it. (Not through `gloo_net::Error`'s
/// `Display`, which would link serde_json's error messages for a variant never built here.)
fn failure(error: gloo_net::Error) -> String {
    match error {
        gloo_net::Error::JsError(error) => error.to_string(),
        gloo_net::Error::GlooError(message) => message,
        _ => "the request failed".to_owned(),
    }
}

fn describe(error: &wasm_bindgen::JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the connection failed".to_owned())
}

/// GETs a JSON document: its status, and the body when the status is 200 (another status's
/// body is often an HTML page and is not read).
pub async fn get_json(url: &str, timeout_ms: u32) -> Result<(u16, Value), String> {
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(AbortController::signal);
    let request = Request::get(url)
        .abort_signal(signal.as_ref())
        .header("Accept", "application/json")
        .send();
    let outcome = with_timeout(
        async {
            let response = request.await.map_err(failure)?;
            let status = response.status();
            if status != 200 {
                return Ok((status, Value::Null));
            }
            // Read through web-sys: gloo-net's `text()` unwraps a JS result, which would link
            // the code that prints any JS value for a panic message.
            let raw: web_sys::Response = response.into();
            let read = raw.text().map_err(|e| describe(&e))?;
            let text = JsFuture::from(read)
                .await
                .map_err(|e| describe(&e))?
                .as_string()
                .unwrap_or_default();
            let body = json::parse(&text).map_err(|e| format!("the answer is not JSON ({e})"))?;
            Ok((status, body))
        },
        timeout_ms,
    )
    .await;
    match outcome {
        Some(result) => result,
        None => {
            if let Some(controller) = controller {
                controller.abort();
            }
            Err(format!("no answer within {timeout_ms} ms"))
        }
    }
}
