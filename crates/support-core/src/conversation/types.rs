//! The vocabulary of the dialogue engine: where a conversation stands ([`Phase`]), what can
//! happen to it ([`Event`]), what the shell must do ([`Command`]), and why a turn failed
//! ([`TurnError`]).

use serde_json::Value;

use crate::orders::change::ChangeKind;
use crate::orders::Order;
use crate::protocol::ChatRequest;
use crate::tools::ToolInvocation;

/// Identifies one HTTP request, so that late events of an aborted one are ignored.
pub type RequestId = u64;

/// Where the conversation stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Ready for the customer's next message.
    Idle,
    /// A request is on its way (or waiting to be resent); nothing has arrived yet.
    Waiting { request: RequestId },
    /// The reply is arriving.
    Streaming { request: RequestId },
    /// Tool calls are running; these call ids have no result yet.
    RunningTools { pending: Vec<String> },
    /// The model proposed an action; the turn waits for the customer's Confirm or Cancel
    /// ([`Event::Decide`]). Sending a message, Stop or Reset withdraw it, changing nothing.
    Confirming(Box<Proposal>),
    /// The last turn failed; `Retry` resends it.
    Failed(TurnError),
}

impl Phase {
    /// True while a turn is in progress and the customer cannot send.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            Phase::Waiting { .. } | Phase::Streaming { .. } | Phase::RunningTools { .. }
        )
    }
}

/// An action the model proposed, waiting for the customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The tool call it answers.
    pub call_id: String,
    pub action: Action,
}

/// What an action does once the customer confirms it.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Ask for a refund of, or cancel, this order (as it stood when proposed).
    Change {
        kind: ChangeKind,
        order: Box<Order>,
        reason: String,
        email: Option<String>,
    },
    /// Hand the conversation to a person, with this summary.
    Handoff { summary: String },
}

/// Why a request failed before an HTTP status was known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportFailure {
    Network(String),
    FirstByteTimeout,
    IdleTimeout,
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The customer sent a message.
    Send { text: String },
    /// The response's status and headers arrived.
    ResponseStarted {
        request: RequestId,
        status: u16,
        retry_after_ms: Option<u64>,
    },
    /// A piece of the response body arrived.
    ResponseBytes { request: RequestId, bytes: Vec<u8> },
    /// The response body ended.
    ResponseEnded { request: RequestId },
    /// The request failed without a complete response.
    RequestFailed {
        request: RequestId,
        failure: TransportFailure,
    },
    /// A tool finished; `result` is what the model will read. `round` is the one its
    /// `RunTool` carried, so a result from before a Stop or Reset is never taken for a new call.
    ToolResult {
        round: u64,
        call_id: String,
        result: Value,
    },
    /// The customer answered the proposal for `call_id`: Confirm (`confirmed`) or Cancel. A
    /// hand-off carries the email the customer gave.
    Decide {
        call_id: String,
        confirmed: bool,
        email: Option<String>,
    },
    /// Something the panel did outside a turn (such as a hand-off the customer sent from the
    /// header) is noted in the conversation as an assistant message, so that the customer sees
    /// it and the model knows it. Ignored during a turn or while a proposal waits.
    Note { text: String },
    /// The customer pressed Stop.
    Stop,
    /// The customer pressed Retry after a failure.
    Retry,
    /// The customer started a new conversation.
    Reset,
}

/// Something the shell must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// POST this body after waiting `delay_ms`.
    Send {
        request: RequestId,
        body: ChatRequest,
        delay_ms: u64,
    },
    /// Abort the request in flight.
    Abort { request: RequestId },
    /// Run a validated tool call and report back with `Event::ToolResult` and the same `round`.
    RunTool {
        round: u64,
        call_id: String,
        invocation: ToolInvocation,
    },
    /// Look up the order a proposed change is for, and report the lookup's result with
    /// `Event::ToolResult` (this `round` and `call_id`); the engine then decides whether the
    /// customer is asked. Nothing is changed.
    Prepare {
        round: u64,
        call_id: String,
        order_id: String,
        email: Option<String>,
    },
    /// The customer confirmed: carry the action out (once) and report what happened with
    /// `Event::ToolResult`. Only ever sent after an `Event::Decide` that confirmed it.
    Carry {
        round: u64,
        call_id: String,
        action: Action,
        /// For a hand-off: the email the customer confirmed.
        email: Option<String>,
    },
    /// Save the history.
    Persist,
    /// Tell the developer (in the console) about something the customer need not see, such as
    /// an event of the reply that could not be read and was skipped.
    Warn(String),
}

/// Why a turn failed. Its `Display` is for developers; the UI maps the variant to a short,
/// polite message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TurnError {
    #[error("the chat service refused the request (HTTP {status}): {detail}; check the endpoint, API key and model")]
    Unavailable { status: u16, detail: String },
    #[error("the chat service is busy (HTTP {status}): {detail}")]
    Busy { status: u16, detail: String },
    #[error("the chat service rejected the request (HTTP {status}): {detail}")]
    Rejected { status: u16, detail: String },
    #[error("could not reach the chat service: {0}")]
    Network(String),
    #[error("the chat service did not answer in time")]
    Timeout,
    #[error("the reply broke off before it was complete")]
    Interrupted,
    #[error("the provider reported an error: {0}")]
    Provider(String),
    #[error("the model kept calling tools without answering")]
    ToolLoop,
    #[error("the model sent an empty reply")]
    EmptyReply,
}
