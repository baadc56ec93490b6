//! Turns one response body, fed in arbitrary byte pieces, into a [`Reply`].
//!
//! The same path takes an SSE stream and a plain JSON body (a completion or an error): the first
//! significant byte decides (`{` is JSON, `<` is an HTML error page, anything else is an event
//! stream). While the reply streams, [`ResponseDecoder::push`] returns what can be shown now;
//! text that may still turn out to be a text-form tool call is held back until the end.
//!
//! Outcomes (PROTOCOL_NOTES.md): a stream that ends after `[DONE]` or a `finish_reason` is
//! complete; one that closes without either is truncated; an error body, an in-stream error
//! event or `finish_reason: "error"` is an error, and one that says the provider is overloaded
//! or rate-limited is [`Outcome::Overloaded`], with the HTTP status that means the same. The
//! support proxy's own end-of-stream events ([`StreamEnd`]) are not the provider's errors: a
//! cut reads as truncated, a stall as [`Outcome::Stalled`]. An event that cannot be read is skipped and
//! counted (the first is reported as [`Progress::Skipped`]); the rest of the stream decides,
//! unless no event could be read at all. Tool calls are only handed out from a complete reply,
//! so a half-received call never runs.

use crate::assemble::ToolCallAssembler;
use crate::protocol::{ApiError, ChatChunk, ChatCompletion, ToolCall, ToolCallDelta};
use crate::proxy::StreamEnd;
use crate::sse::{SseDecoder, SseEvent};
use crate::textcall::{classify_opening, parse_text_calls, Opening};

/// How a reply ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Complete,
    Truncated,
    Error(String),
    /// An error saying the provider is overloaded or rate-limited; `status` is the HTTP status
    /// that says the same (429, 5xx, 529).
    Overloaded {
        status: u16,
        detail: String,
    },
    /// The support proxy ended the stream because the provider stopped sending or took too
    /// long; `started` says some event of the reply had come before.
    Stalled {
        started: bool,
    },
}

/// Everything a response body said.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub content: String,
    /// Complete calls, only when `outcome` is `Complete`.
    pub tool_calls: Vec<ToolCall>,
    pub outcome: Outcome,
    pub finish_reason: Option<String>,
    /// Events skipped because they could not be read.
    pub skipped_events: u32,
}

/// What a piece of the body made visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Text to append to what the customer sees (all the text of one piece that came together).
    Text(String),
    /// The model started calling a tool.
    ToolCall { name: String },
    /// An event could not be read and was skipped: what was wrong, for developers. Only the
    /// first of a reply is reported.
    Skipped(String),
}

#[derive(Debug)]
enum Body {
    Undecided,
    Sse(SseDecoder),
    Json(Vec<u8>),
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    Deciding,
    Passing,
    Holding,
}

/// The incremental decoder of one response body.
#[derive(Debug)]
pub struct ResponseDecoder {
    tools: Vec<String>,
    body: Body,
    content: String,
    shown: usize,
    hold: Hold,
    assembler: ToolCallAssembler,
    finish_reason: Option<String>,
    done: bool,
    error: Option<String>,
    /// The HTTP status the provider's error stands for, when it is an overload.
    overload_status: Option<u16>,
    /// The proxy's end-of-stream event, and whether some event of the reply came before it.
    stream_end: Option<(StreamEnd, bool)>,
    /// Some event was read.
    understood: bool,
    skipped: u32,
    /// Why the first skipped event could not be read.
    first_skipped: Option<String>,
}

impl ResponseDecoder {
    /// A decoder that recognises text-form calls to the named tools.
    pub fn new(tools: &[&str]) -> Self {
        Self {
            tools: tools.iter().map(|t| (*t).to_owned()).collect(),
            body: Body::Undecided,
            content: String::new(),
            shown: 0,
            hold: Hold::Deciding,
            assembler: ToolCallAssembler::new(),
            finish_reason: None,
            done: false,
            error: None,
            overload_status: None,
            stream_end: None,
            understood: false,
            skipped: 0,
            first_skipped: None,
        }
    }

    /// Feeds the next piece of the body.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Progress> {
        let mut progress = Vec::new();
        let mut bytes = bytes;
        if let Body::Undecided = self.body {
            let Some(first) = bytes.iter().position(|b| !b.is_ascii_whitespace()) else {
                return progress;
            };
            bytes = &bytes[first..];
            self.body = match bytes[0] {
                b'{' => Body::Json(Vec::new()),
                b'<' => Body::Html,
                _ => Body::Sse(SseDecoder::new()),
            };
        }
        match &mut self.body {
            Body::Sse(sse) => {
                for event in sse.push(bytes) {
                    self.on_event(event, &mut progress);
                }
            }
            Body::Json(buffer) => buffer.extend_from_slice(bytes),
            Body::Html | Body::Undecided => {}
        }
        progress
    }

    /// Ends the body and returns the reply, with any text still held back.
    pub fn finish(mut self) -> (Reply, Vec<Progress>) {
        let mut progress = Vec::new();
        match std::mem::replace(&mut self.body, Body::Undecided) {
            Body::Sse(mut sse) => {
                for event in sse.finish() {
                    self.on_event(event, &mut progress);
                }
                if sse.recognised_lines() == 0 && self.error.is_none() {
                    self.error = Some("the response was neither JSON nor an event stream".into());
                }
            }
            Body::Json(buffer) => self.on_json_body(&buffer),
            Body::Html => {
                self.error = Some("the server answered with an HTML page, not a completion".into())
            }
            Body::Undecided => self.error = Some("the response body was empty".into()),
        }
        let outcome = self.outcome();
        let mut tool_calls = Vec::new();
        if outcome == Outcome::Complete {
            tool_calls = std::mem::take(&mut self.assembler).finish();
            if tool_calls.is_empty() && self.hold == Hold::Holding {
                let known: Vec<&str> = self.tools.iter().map(String::as_str).collect();
                if let Some(calls) = parse_text_calls(&self.content, &known) {
                    tool_calls = calls;
                    self.content.clear();
                    self.shown = 0;
                }
            }
        }
        if self.shown < self.content.len() {
            progress.push(Progress::Text(self.content[self.shown..].to_owned()));
        }
        let reply = Reply {
            content: self.content,
            tool_calls,
            outcome,
            finish_reason: self.finish_reason,
            skipped_events: self.skipped,
        };
        (reply, progress)
    }

    fn outcome(&self) -> Outcome {
        if let Some((end, started)) = self.stream_end {
            match end {
                StreamEnd::Cut => Outcome::Truncated,
                StreamEnd::Stalled | StreamEnd::TooLong => Outcome::Stalled { started },
            }
        } else if let Some(error) = &self.error {
            match self.overload_status {
                Some(status) => Outcome::Overloaded {
                    status,
                    detail: error.clone(),
                },
                None => Outcome::Error(error.clone()),
            }
        } else if let Some(skipped) = self.first_skipped.as_ref().filter(|_| !self.understood) {
            Outcome::Error(skipped.clone())
        } else if self.finish_reason.as_deref() == Some("error") {
            Outcome::Error("the provider ended the reply with an error".into())
        } else if self.done || self.finish_reason.is_some() {
            Outcome::Complete
        } else {
            Outcome::Truncated
        }
    }

    fn on_event(&mut self, event: SseEvent, progress: &mut Vec<Progress>) {
        if self.done || self.error.is_some() {
            return;
        }
        let data = event.data.trim();
        if data == "[DONE]" {
            self.done = true;
            return;
        }
        if data.is_empty() {
            return;
        }
        match serde_json::from_str::<ChatChunk>(data) {
            Ok(chunk) => {
                self.on_chunk(chunk, progress);
                self.understood = true;
            }
            // The last event was cut off mid-way: the stream is truncated, not malformed.
            Err(err) if event.at_eof && err.is_eof() => {}
            // An event that is complete but wrong is skipped: one broken line must not lose a
            // reply whose other events arrived.
            Err(err) => self.skip(
                &format!("the provider sent a malformed event ({err})"),
                data,
                progress,
            ),
        }
    }

    fn skip(&mut self, why: &str, data: &str, progress: &mut Vec<Progress>) {
        self.skipped += 1;
        if self.first_skipped.is_none() {
            let end = data.char_indices().nth(80).map_or(data.len(), |(at, _)| at);
            progress.push(Progress::Skipped(format!(
                "{why}, skipped: {}",
                &data[..end]
            )));
            self.first_skipped = Some(why.to_owned());
        }
    }

    fn on_chunk(&mut self, chunk: ChatChunk, progress: &mut Vec<Progress>) {
        if let Some(error) = chunk.error {
            return self.provider_error(&error);
        }
        let Some(choice) = chunk.choices.into_iter().next() else {
            return;
        };
        if let Some(text) = choice.delta.content {
            self.add_text(&text, progress);
        }
        self.add_tool_calls(&choice.delta.tool_calls, progress);
        if let Some(reason) = choice.finish_reason.filter(|r| !r.is_empty()) {
            self.finish_reason = Some(reason);
        }
    }

    fn on_json_body(&mut self, buffer: &[u8]) {
        let completion: ChatCompletion = match serde_json::from_slice(buffer) {
            Ok(completion) => completion,
            // The body ended before the JSON did: cut off, not malformed.
            Err(err) if err.is_eof() => return,
            Err(err) => {
                self.error = Some(format!("the provider sent malformed JSON ({err})"));
                return;
            }
        };
        if let Some(error) = completion.error {
            return self.provider_error(&error);
        }
        let Some(choice) = completion.choices.into_iter().next() else {
            self.error = Some("the response had no choices".into());
            return;
        };
        let mut ignored = Vec::new();
        if let Some(text) = choice.message.content {
            self.add_text(&text, &mut ignored);
        }
        self.add_tool_calls(&choice.message.tool_calls, &mut ignored);
        // A whole JSON body is a complete reply even when a provider leaves the reason out.
        self.finish_reason = Some(choice.finish_reason.unwrap_or_else(|| "stop".into()));
    }

    fn provider_error(&mut self, error: &ApiError) {
        self.error = Some(error.describe());
        let end = error.code.as_deref().and_then(StreamEnd::from_code);
        self.stream_end = end.map(|end| (end, self.understood));
        self.overload_status = error.overload_status();
    }

    fn add_text(&mut self, text: &str, progress: &mut Vec<Progress>) {
        self.content.push_str(text);
        if self.hold == Hold::Deciding {
            self.hold = match classify_opening(&self.content) {
                _ if self.tools.is_empty() => Hold::Passing,
                Opening::Undecided => Hold::Deciding,
                Opening::MaybeCall => Hold::Holding,
                Opening::Text => Hold::Passing,
            };
        }
        if self.hold == Hold::Passing && self.shown < self.content.len() {
            let new = &self.content[self.shown..];
            // Text that follows text in one piece is one `Progress::Text`.
            match progress.last_mut() {
                Some(Progress::Text(shown)) => shown.push_str(new),
                _ => progress.push(Progress::Text(new.to_owned())),
            }
            self.shown = self.content.len();
        }
    }

    fn add_tool_calls(&mut self, deltas: &[ToolCallDelta], progress: &mut Vec<Progress>) {
        for delta in deltas {
            if let Some(name) = self.assembler.push(delta) {
                progress.push(Progress::ToolCall { name });
            }
        }
    }
}

/// Decodes a whole body given as pieces; the pieces' boundaries never change the result.
pub fn decode_pieces<'a>(pieces: impl IntoIterator<Item = &'a [u8]>, tools: &[&str]) -> Reply {
    let mut decoder = ResponseDecoder::new(tools);
    for piece in pieces {
        decoder.push(piece);
    }
    decoder.finish().0
}

#[cfg(test)]
mod tests;
