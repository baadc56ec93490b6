//! The only module that uses `fetch`.
//!
//! A chat request is POSTed with the tool schema; the response body is read as a stream and
//! handed to the core piece by piece. Requests are made with web-sys's `fetch` directly (see
//! ARCHITECTURE.md, Choices, on gloo-net). A first-byte time-out covers the wait for the response
//! and for its first piece; an idle time-out covers each wait after that. `AbortController`
//! stops a request for real. Outcomes come back as core `Event`s through `deliver`.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::task::Poll;
use support_core::json::{self, Value};

use js_sys::Uint8Array;
use support_core::retry::parse_retry_after;
use support_core::{Event, RequestId, TransportFailure};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Headers, ReadableStreamDefaultReader, Request, RequestInit, Response,
};

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
        let authorization = self.api_key.as_ref().map(|key| format!("Bearer {key}"));
        let mut headers = vec![
            ("Content-Type", "application/json"),
            ("Accept", "text/event-stream, application/json"),
        ];
        if let Some(value) = &authorization {
            headers.push(("Authorization", value));
        }
        let sending = fetch("POST", &self.chat_url, &headers, Some(&body), controller);
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
    let header = |name: &str| headers.get(name).ok().flatten();
    let retry_after_ms = parse_retry_after(
        header("retry-after-ms").as_deref(),
        header("retry-after").as_deref(),
    );
    Event::ResponseStarted {
        request,
        status: response.status(),
        retry_after_ms,
    }
}

/// The future's output, or `None` when `ms` passed first.
async fn with_timeout<F: std::future::Future>(future: F, ms: u32) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut timer = std::pin::pin!(sleep(ms));
    std::future::poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => timer.as_mut().poll(cx).map(|()| None),
    })
    .await
}

/// Sends a request; the response once its headers are in.
async fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    controller: Option<&AbortController>,
) -> Result<Response, wasm_bindgen::JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    let list = Headers::new()?;
    for (name, value) in headers {
        list.set(name, value)?;
    }
    init.set_headers(&list);
    if let Some(body) = body {
        init.set_body(&body.into());
    }
    if let Some(controller) = controller {
        init.set_signal(Some(&controller.signal()));
    }
    let request = Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or("no window")?;
    JsFuture::from(window.fetch_with_request(&request))
        .await?
        .dyn_into()
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
    let request = fetch(
        "GET",
        url,
        &[("Accept", "application/json")],
        None,
        controller.as_ref(),
    );
    let outcome = with_timeout(
        async {
            let response = request.await.map_err(|e| describe(&e))?;
            let status = response.status();
            if status != 200 {
                return Ok((status, Value::Null));
            }
            let read = response.text().map_err(|e| describe(&e))?;
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
