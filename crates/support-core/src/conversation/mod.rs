//! The dialogue engine: a closed state machine that runs customer turns.
//!
//! `apply(now, Event) -> Vec<Command>`: the shell feeds in what happened (the customer sent a
//! message, response bytes arrived, a tool finished, a timer fired) and carries out the commands
//! that come back (send a request, abort it, run a tool, persist the history). One customer
//! turn is: request → tool calls → tool results → next request … → final answer.
//!
//! **Invariant:** every phase is left by an event the shell is bound to deliver (a response
//! ends or fails, a tool returns, the customer stops), so no input leaves the engine stuck;
//! and the history is valid for the next request after every event.

mod consent;
mod ending;
mod tool_round;
mod types;

use std::collections::HashMap;

use serde_json::json;

pub use types::{Action, Command, Event, Phase, Proposal, RequestId, TransportFailure, TurnError};

use crate::decode::{Progress, Reply, ResponseDecoder};
use crate::history::{Entry, EntryStatus, History};
use crate::protocol::{ChatRequest, Message, ToolChoice};
use crate::settings::Settings;
use crate::tools::{ToolInvocation, ToolRegistry};

#[derive(Debug, Default)]
struct Turn {
    rounds: u32,
    /// How often each distinct call was made this turn.
    calls: HashMap<ToolInvocation, u32>,
    force_final: bool,
    retries: u32,
    request: Option<RequestId>,
    decoder: Option<ResponseDecoder>,
    /// The current attempt's HTTP status, once its response started.
    status: Option<u16>,
    retry_after_ms: Option<u64>,
    /// Body bytes of the current attempt have arrived.
    received: bool,
    /// The change whose order is being looked up before the customer is asked.
    preparing: Option<consent::Preparing>,
    /// The proposal to put to the customer once this round's other tools are done.
    proposal: Option<Proposal>,
    /// The confirmed action being carried out: its result must not be lost to a Stop.
    carrying: Option<String>,
    /// Changes the customer declined this turn, not to be proposed again.
    declined: Vec<(crate::orders::change::ChangeKind, String)>,
}

/// One conversation: settings, tools, history, and the turn in progress.
#[derive(Debug)]
pub struct Conversation {
    settings: Settings,
    tools: ToolRegistry,
    history: History,
    phase: Phase,
    draft: String,
    tool_activity: Option<String>,
    turn: Turn,
    next_request: RequestId,
    tool_round: u64,
    next_entry: u64,
    id_prefix: String,
    rng: u64,
}

impl Conversation {
    /// A conversation continuing `history`. `seed` makes entry ids unique across tabs and
    /// drives retry jitter; the shell passes a random number. A history whose last turn never
    /// got its answer (a page reloaded after a failure, or mid-reply) starts failed, so the
    /// customer is offered Retry again.
    pub fn new(settings: Settings, tools: ToolRegistry, history: History, seed: u64) -> Self {
        Self {
            settings,
            tools,
            phase: resumed_phase(&history),
            history,
            draft: String::new(),
            tool_activity: None,
            turn: Turn::default(),
            next_request: 1,
            tool_round: 0,
            next_entry: 0,
            id_prefix: format!("{seed:x}"),
            rng: seed | 1,
        }
    }

    /// True for entries this conversation created (not ones merged in from another tab).
    pub fn is_own(&self, entry_id: &str) -> bool {
        entry_id
            .strip_prefix(self.id_prefix.as_str())
            .is_some_and(|rest| rest.starts_with('-'))
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The reply text shown so far while a reply streams.
    pub fn draft(&self) -> &str {
        &self.draft
    }

    /// The tool the model is calling right now, for a "looking it up" hint.
    pub fn tool_activity(&self) -> Option<&str> {
        self.tool_activity.as_deref()
    }

    /// True while a turn is in progress and the customer cannot send.
    pub fn is_busy(&self) -> bool {
        self.phase.is_busy()
    }

    /// The proposal waiting for the customer's answer, if any.
    pub fn proposal(&self) -> Option<&Proposal> {
        match &self.phase {
            Phase::Confirming(proposal) => Some(proposal),
            _ => None,
        }
    }

    /// Replaces the history with a newer copy (another tab wrote it); ignored mid-turn and
    /// while a proposal waits. A failure the other tab has since answered is over.
    pub fn replace_history(&mut self, history: History) -> bool {
        if self.is_busy() || matches!(self.phase, Phase::Confirming(_)) {
            return false;
        }
        if !history.last_turn_unfinished() {
            self.phase = Phase::Idle;
        }
        self.history = history;
        true
    }

    /// Feeds one event in; returns what the shell must do.
    pub fn apply(&mut self, now_ms: u64, event: Event) -> Vec<Command> {
        let mut out = Vec::new();
        match event {
            Event::Send { text } => self.on_send(now_ms, text, &mut out),
            Event::ResponseStarted {
                request,
                status,
                retry_after_ms,
            } if self.is_current(request) => {
                self.turn.status = Some(status);
                self.turn.retry_after_ms = retry_after_ms;
            }
            Event::ResponseBytes { request, bytes } if self.is_current(request) => {
                self.on_bytes(request, &bytes, &mut out)
            }
            Event::ResponseEnded { request } if self.is_current(request) => {
                self.on_end(now_ms, request, None, &mut out)
            }
            Event::RequestFailed { request, failure } if self.is_current(request) => {
                self.on_end(now_ms, request, Some(failure), &mut out)
            }
            Event::ToolResult {
                round,
                call_id,
                result,
            } if round == self.tool_round => self.on_tool_result(now_ms, call_id, result, &mut out),
            Event::Decide {
                call_id,
                confirmed,
                email,
            } => self.on_decide(now_ms, &call_id, confirmed, email, &mut out),
            Event::Note { text } => self.on_note(now_ms, text, &mut out),
            Event::Stop => self.on_stop(now_ms, &mut out),
            Event::Retry if matches!(self.phase, Phase::Failed(_)) => self.on_retry(&mut out),
            Event::Reset => self.on_reset(now_ms, &mut out),
            _ => {}
        }
        out
    }

    fn on_bytes(&mut self, request: RequestId, bytes: &[u8], out: &mut Vec<Command>) {
        self.turn.received |= !bytes.is_empty();
        if let Some(decoder) = self.turn.decoder.as_mut() {
            let progress = decoder.push(bytes);
            self.show(request, progress, out);
        }
    }

    /// Something the panel did between turns, noted in the conversation.
    fn on_note(&mut self, now_ms: u64, text: String, out: &mut Vec<Command>) {
        if !matches!(self.phase, Phase::Idle | Phase::Failed(_)) || text.trim().is_empty() {
            return;
        }
        self.push(
            now_ms,
            Message::assistant(text, Vec::new()),
            EntryStatus::Complete,
        );
        self.phase = Phase::Idle;
        out.push(Command::Persist);
    }

    /// Sends the failed turn again, without the reply that was cut off.
    fn on_retry(&mut self, out: &mut Vec<Command>) {
        if self
            .history
            .last()
            .is_some_and(|e| e.status == EntryStatus::Interrupted)
        {
            self.history.pop();
        }
        self.turn.retries = 0;
        self.start_request(0, out);
    }

    fn on_reset(&mut self, now_ms: u64, out: &mut Vec<Command>) {
        self.abort(out);
        self.history.clear(now_ms);
        self.turn = Turn::default();
        self.phase = Phase::Idle;
        out.push(Command::Persist);
    }

    fn is_current(&self, request: RequestId) -> bool {
        self.turn.request == Some(request)
    }

    fn on_send(&mut self, now_ms: u64, text: String, out: &mut Vec<Command>) {
        if self.is_busy() || text.trim().is_empty() {
            return;
        }
        self.withdraw(
            now_ms,
            "The customer wrote a new message instead of confirming",
        );
        self.push(now_ms, Message::user(text), EntryStatus::Complete);
        self.turn = Turn::default();
        out.push(Command::Persist);
        self.start_request(0, out);
    }

    fn start_request(&mut self, delay_ms: u64, out: &mut Vec<Command>) {
        let request = self.next_request;
        self.next_request += 1;
        self.turn.request = Some(request);
        self.turn.decoder = Some(ResponseDecoder::new(&self.tools.names()));
        self.turn.status = None;
        self.turn.retry_after_ms = None;
        self.turn.received = false;
        self.draft.clear();
        self.tool_activity = None;
        self.phase = Phase::Waiting { request };
        out.push(Command::Send {
            request,
            body: self.build_request(),
            delay_ms,
        });
    }

    /// The request for the current state of the conversation.
    pub fn build_request(&self) -> ChatRequest {
        let s = &self.settings;
        ChatRequest {
            model: s.model.clone(),
            messages: self
                .history
                .request_messages(&s.system_prompt, s.context_budget_chars),
            tools: self.tools.definitions().to_vec(),
            tool_choice: Some(if self.turn.force_final {
                ToolChoice::None
            } else {
                ToolChoice::Auto
            }),
            stream: s.stream.then_some(true),
            max_tokens: Some(s.max_tokens),
            temperature: s.temperature,
        }
    }

    /// Takes in what a piece of the body made visible; a skipped event is passed on to the
    /// developer.
    fn show(&mut self, request: RequestId, progress: Vec<Progress>, out: &mut Vec<Command>) {
        let ok = self.turn.status.is_none_or(|status| status < 400);
        for item in progress {
            match item {
                Progress::Text(text) if ok => self.draft.push_str(&text),
                Progress::ToolCall { name } if ok => self.tool_activity = Some(name),
                Progress::Skipped(detail) => {
                    out.push(Command::Warn(detail));
                    continue;
                }
                _ => continue,
            }
            self.phase = Phase::Streaming { request };
        }
    }

    fn on_complete(&mut self, now_ms: u64, reply: Reply, out: &mut Vec<Command>) {
        self.turn.retries = 0;
        self.turn.request = None;
        self.tool_activity = None;
        self.draft.clear();
        let has_text = !reply.content.trim().is_empty();
        if reply.tool_calls.is_empty() || self.turn.force_final {
            return match (has_text, reply.tool_calls.is_empty()) {
                (true, _) => {
                    self.push(
                        now_ms,
                        Message::assistant(reply.content, Vec::new()),
                        EntryStatus::Complete,
                    );
                    self.phase = Phase::Idle;
                    out.push(Command::Persist);
                }
                (false, true) => self.fail(now_ms, TurnError::EmptyReply, out),
                (false, false) => self.fail(now_ms, TurnError::ToolLoop, out),
            };
        }
        self.run_tools(now_ms, reply, out);
    }

    fn on_stop(&mut self, now_ms: u64, out: &mut Vec<Command>) {
        match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::Waiting { .. } | Phase::Streaming { .. } => {
                self.keep_draft(now_ms, EntryStatus::Stopped);
                self.abort(out);
            }
            Phase::RunningTools { pending } if self.turn.carrying.is_some() => {
                // A confirmed action is being carried out: its outcome is reported, not guessed.
                self.phase = Phase::RunningTools { pending };
                return;
            }
            Phase::Confirming(proposal) => {
                self.phase = Phase::Confirming(proposal);
                self.withdraw(now_ms, "The customer pressed Stop instead of confirming");
            }
            Phase::RunningTools { pending } => {
                for id in pending {
                    self.push_result(now_ms, &id, &json!({"error": "Stopped by the customer"}));
                }
                self.turn.preparing = None;
                self.withdraw(now_ms, "The customer pressed Stop");
            }
            other => {
                self.phase = other;
                return;
            }
        }
        out.push(Command::Persist);
    }

    fn abort(&mut self, out: &mut Vec<Command>) {
        if let Some(request) = self.turn.request.take() {
            out.push(Command::Abort { request });
        }
        self.turn.decoder = None;
        self.draft.clear();
        self.tool_activity = None;
    }

    fn push(&mut self, now_ms: u64, message: Message, status: EntryStatus) {
        self.next_entry += 1;
        let id = format!("{}-{}", self.id_prefix, self.next_entry);
        self.history.push(Entry {
            id,
            at_ms: now_ms,
            message,
            status,
        });
    }

    /// A number in [0, 1) from a xorshift generator seeded by the shell.
    fn next_jitter(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Where a conversation restored from `history` stands: failed when its last turn never got
/// its answer (the reply was cut off, as far as anyone can tell now), idle otherwise.
fn resumed_phase(history: &History) -> Phase {
    if history.last_turn_unfinished() {
        Phase::Failed(TurnError::Interrupted)
    } else {
        Phase::Idle
    }
}
