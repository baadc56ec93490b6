//! A scripted transport for driving a `Conversation` the way the browser shell does.

#![allow(dead_code)]

pub mod cases;

use std::collections::VecDeque;
use std::path::Path;

use serde_json::Value;

use support_core::help::article::passages_of;
use support_core::help::HelpIndex;
use support_core::history::repair;
use support_core::orders::{change, OrderBook};
use support_core::{
    Action, ChatRequest, Command, Conversation, Event, History, Settings, ToolRegistry,
    TransportFailure,
};

/// What the scripted server does with the next request.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// Answer with this status and body, delivered in pieces of `chunk` bytes.
    Reply {
        status: u16,
        retry_after_ms: Option<u64>,
        body: Vec<u8>,
        chunk: usize,
    },
    /// Send these bytes, then fail the way a transport does.
    FailAfter {
        bytes: Vec<u8>,
        failure: TransportFailure,
    },
    /// Fail before any response arrived, the way a transport does.
    FailUnanswered(TransportFailure),
    /// Never answer: the request stays in flight until the test stops it.
    Hang,
}

pub fn ok(body: impl Into<Vec<u8>>) -> Scripted {
    Scripted::Reply {
        status: 200,
        retry_after_ms: None,
        body: body.into(),
        chunk: 5,
    }
}

pub fn status(status: u16, body: &str) -> Scripted {
    Scripted::Reply {
        status,
        retry_after_ms: None,
        body: body.as_bytes().to_vec(),
        chunk: 64,
    }
}

/// The demo store's help articles (`data/help`), indexed as the widget indexes `help.json`.
pub fn demo_help() -> HelpIndex {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/help");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("data/help is readable")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    let files = paths.into_iter().map(|p| {
        let name = p.display().to_string();
        (name, std::fs::read_to_string(&p).expect("readable article"))
    });
    HelpIndex::new(passages_of(files).expect("the demo articles are valid"))
}

pub fn fixture(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// An SSE body that streams `text` and completes.
pub fn sse_text(text: &str) -> Vec<u8> {
    let chunk = serde_json::json!({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": "stop"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n").into_bytes()
}

/// An SSE body carrying these `(id, name, arguments)` tool calls.
pub fn sse_calls(calls: &[(&str, &str, &str)]) -> Vec<u8> {
    let deltas: Vec<_> = calls
        .iter()
        .enumerate()
        .map(|(i, (id, name, args))| serde_json::json!({"index": i, "id": id, "type": "function", "function": {"name": name, "arguments": args}}))
        .collect();
    let chunk = serde_json::json!({"choices": [{"index": 0, "delta": {"tool_calls": deltas}, "finish_reason": "tool_calls"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n").into_bytes()
}

pub struct Harness {
    pub conversation: Conversation,
    pub script: VecDeque<Scripted>,
    pub requests: Vec<ChatRequest>,
    pub delays: Vec<u64>,
    pub aborted: Vec<u64>,
    pub tools_run: Vec<String>,
    pub persisted: usize,
    pub warnings: Vec<String>,
    pub in_flight: Option<u64>,
    pub now: u64,
    /// The changes carried out, in order (`"refund ORD-1004"`, `"handoff a@b.co"`).
    pub carried: Vec<String>,
    /// What a carried-out action answers instead of its usual result, when set.
    pub carry_result: Option<Value>,
    pub book: OrderBook,
    help: HelpIndex,
}

impl Harness {
    pub fn new(settings: Settings) -> Self {
        Self::with_history(settings, History::default())
    }

    pub fn with_history(settings: Settings, history: History) -> Self {
        Self {
            conversation: Conversation::new(settings, ToolRegistry::default(), history, 0x5eed),
            script: VecDeque::new(),
            requests: Vec::new(),
            delays: Vec::new(),
            aborted: Vec::new(),
            tools_run: Vec::new(),
            persisted: 0,
            warnings: Vec::new(),
            in_flight: None,
            carried: Vec::new(),
            carry_result: None,
            now: 1_764_000_000_000,
            book: OrderBook::bundled().clone(),
            help: demo_help(),
        }
    }

    pub fn script(&mut self, replies: impl IntoIterator<Item = Scripted>) -> &mut Self {
        self.script.extend(replies);
        self
    }

    /// The customer sends `text`; everything that follows runs to completion.
    pub fn say(&mut self, text: &str) {
        self.event(Event::Send {
            text: text.to_owned(),
        });
    }

    pub fn event(&mut self, event: Event) {
        self.now += 1000;
        let commands = self.conversation.apply(self.now, event);
        self.run(commands);
    }

    fn run(&mut self, commands: Vec<Command>) {
        for command in commands {
            assert_history_valid(&self.conversation);
            match command {
                Command::Send {
                    request,
                    body,
                    delay_ms,
                } => {
                    self.requests.push(body);
                    self.delays.push(delay_ms);
                    self.serve(request);
                }
                Command::Abort { request } => {
                    self.aborted.push(request);
                    self.in_flight = None;
                }
                Command::RunTool {
                    round,
                    call_id,
                    invocation,
                } => {
                    self.tools_run.push(format!("{invocation:?}"));
                    let result = invocation.run_with(&self.book, &self.help);
                    self.event(Event::ToolResult {
                        round,
                        call_id,
                        result,
                    });
                }
                Command::Prepare {
                    round,
                    call_id,
                    order_id,
                    ..
                } => {
                    self.tools_run.push(format!("prepare {order_id}"));
                    let result = self.book.lookup(&order_id);
                    self.event(Event::ToolResult {
                        round,
                        call_id,
                        result,
                    });
                }
                Command::Carry {
                    round,
                    call_id,
                    action,
                    email,
                } => {
                    let result = match action {
                        Action::Change { kind, order, .. } => {
                            self.carried
                                .push(format!("{} {}", kind.as_str(), order.order_id));
                            let today = change::date_of_ms(self.now);
                            let changed = change::apply(&order, kind, today);
                            self.book.put(changed.clone());
                            change::done_result(&changed, kind, Some("R-1"))
                        }
                        Action::Handoff { .. } => {
                            self.carried
                                .push(format!("handoff {}", email.unwrap_or_default()));
                            serde_json::json!({"ticket": {"reference": "H-1", "status": "open"}})
                        }
                    };
                    let result = self.carry_result.clone().unwrap_or(result);
                    self.event(Event::ToolResult {
                        round,
                        call_id,
                        result,
                    });
                }
                Command::Persist => self.persisted += 1,
                Command::Warn(message) => self.warnings.push(message),
            }
        }
        assert_history_valid(&self.conversation);
    }

    fn serve(&mut self, request: u64) {
        let scripted = self
            .script
            .pop_front()
            .expect("the script has a reply for every request");
        match scripted {
            Scripted::Reply {
                status,
                retry_after_ms,
                body,
                chunk,
            } => {
                self.event(Event::ResponseStarted {
                    request,
                    status,
                    retry_after_ms,
                });
                for piece in body.chunks(chunk.max(1)) {
                    self.event(Event::ResponseBytes {
                        request,
                        bytes: piece.to_vec(),
                    });
                }
                self.event(Event::ResponseEnded { request });
            }
            Scripted::FailAfter { bytes, failure } => {
                self.event(Event::ResponseStarted {
                    request,
                    status: 200,
                    retry_after_ms: None,
                });
                if !bytes.is_empty() {
                    self.event(Event::ResponseBytes { request, bytes });
                }
                self.event(Event::RequestFailed { request, failure });
            }
            Scripted::FailUnanswered(failure) => {
                self.event(Event::RequestFailed { request, failure })
            }
            Scripted::Hang => self.in_flight = Some(request),
        }
    }

    /// The last request as JSON, for assertions on what was sent.
    pub fn last_request(&self) -> serde_json::Value {
        serde_json::to_value(self.requests.last().expect("a request was sent"))
            .expect("serialisable")
    }
}

/// The history, as the next request would carry it, obeys the pairing rules.
pub fn assert_history_valid(conversation: &Conversation) {
    if matches!(
        conversation.phase(),
        support_core::Phase::RunningTools { .. }
    ) {
        return;
    }
    let messages = conversation.build_request().messages;
    assert_eq!(
        repair(messages.clone()),
        messages,
        "history breaks the pairing rules"
    );
}

pub const LOOKUP: &str = "lookup_order";

/// Every tool result in the history, read as JSON.
pub fn tool_results(h: &Harness) -> Vec<Value> {
    h.conversation
        .history()
        .entries()
        .iter()
        .filter_map(|e| match &e.message {
            support_core::Message::Tool { content, .. } => {
                Some(serde_json::from_str(content).expect("tool results are JSON"))
            }
            _ => None,
        })
        .collect()
}

/// The text of every message in the history, in order.
pub fn texts(h: &Harness) -> Vec<&str> {
    h.conversation
        .history()
        .entries()
        .iter()
        .filter_map(|e| e.message.text())
        .collect()
}

/// The text of the last message in the history.
pub fn last_text(h: &Harness) -> Option<String> {
    h.conversation
        .history()
        .last()
        .and_then(|e| e.message.text())
        .map(str::to_owned)
}
