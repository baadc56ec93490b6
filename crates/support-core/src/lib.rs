//! support-core: the pure engine of the support widget.
//!
//! Everything here is free of I/O, so it runs natively under `cargo test` and in the browser
//! alike: the OpenAI-compatible wire types ([`protocol`]), an incremental SSE decoder ([`sse`]),
//! tool-call assembly ([`assemble`], [`textcall`]) and whole-response decoding ([`decode`]),
//! the dialogue state machine ([`conversation`]), the message log and its stored form
//! ([`history`]), the tools and the bundled orders ([`tools`], [`orders`]), the help articles
//! and their ranking ([`help`]), the retry policy ([`retry`]), the widget's configuration
//! ([`config`]), the support proxy's help and feedback routes as the widget uses them
//! ([`proxy`]) and safe Markdown ([`markdown`]).

pub mod assemble;
pub mod config;
pub mod contrast;
pub mod conversation;
pub mod decode;
pub mod handoff;
pub mod help;
pub mod history;
pub mod markdown;
pub mod orders;
pub mod protocol;
pub mod proxy;
pub mod replay;
pub mod retry;
pub mod settings;
pub mod sse;
pub mod textcall;
pub mod tools;

pub use conversation::{
    Action, Command, Conversation, Event, Phase, Proposal, RequestId, TransportFailure, TurnError,
};
pub use decode::{Outcome, Progress, Reply, ResponseDecoder};
pub use history::{Entry, EntryStatus, History};
pub use protocol::{ChatRequest, Message, Role, ToolCall};
pub use settings::Settings;
pub use tools::{ToolInvocation, ToolRegistry};
