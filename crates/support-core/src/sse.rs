//! An incremental, byte-level decoder for `text/event-stream` bodies.
//!
//! Follows the WHATWG HTML "server-sent events" parsing rules:
//!
//! > The stream must then be parsed by reading everything line by line, with a U+000D CARRIAGE
//! > RETURN U+000A LINE FEED (CRLF) character pair, a single U+000A LINE FEED (LF) character not
//! > preceded by a U+000D CARRIAGE RETURN (CR) character, and a single U+000D CARRIAGE RETURN
//! > (CR) character not followed by a U+000A LINE FEED (LF) character being the ways in which a
//! > line can end.
//!
//! > If the line is empty (a blank line): Dispatch the event. If the line starts with a U+003A
//! > COLON character (:): Ignore the line. [...] If value starts with a U+0020 SPACE character,
//! > remove it from value.
//!
//! > If the field name is "data": Append the field value to the data buffer, then append a single
//! > U+000A LINE FEED (LF) character to the data buffer. [...] If the data buffer is an empty
//! > string, set the data buffer and the event type buffer to the empty string and return.
//!
//! Bytes are kept until a line is complete and only then decoded as UTF-8, so a network chunk
//! may split a line, a `\r\n` pair or a multi-byte character anywhere. One deviation, on
//! purpose: at the end of the stream an event whose blank line never came is still dispatched
//! (marked [`SseEvent::at_eof`]), because some servers close without it.

use std::borrow::Cow;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, when one was given.
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
    /// True for an event flushed by [`SseDecoder::finish`] without its closing blank line.
    pub at_eof: bool,
}

/// The decoder's state between pushes.
#[derive(Debug, Default)]
pub struct SseDecoder {
    line: Vec<u8>,
    after_cr: bool,
    started: bool,
    data: String,
    has_data: bool,
    event: Option<String>,
    recognised_lines: usize,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next piece of the body and returns the events it completes.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        let mut rest = bytes;
        if std::mem::take(&mut self.after_cr) && rest.first() == Some(&b'\n') {
            rest = &rest[1..];
        }
        while let Some(end) = memchr::memchr2(b'\n', b'\r', rest) {
            let ending = rest[end];
            self.complete_line(&rest[..end], &mut events);
            rest = &rest[end + 1..];
            if ending == b'\r' {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        self.line.extend_from_slice(rest);
        events
    }

    /// Ends the stream: a last line without its line ending is processed, and a pending event
    /// is dispatched with `at_eof` set.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut events = Vec::new();
        if !self.line.is_empty() {
            self.complete_line(&[], &mut events);
        }
        if self.has_data {
            let mut event = self.take_event();
            event.at_eof = true;
            events.push(event);
        }
        events
    }

    /// How many lines were SSE fields or comments: zero means the body was not an event stream.
    pub fn recognised_lines(&self) -> usize {
        self.recognised_lines
    }

    /// A line ending arrived after `tail`; the line is what was kept from earlier pieces, then
    /// `tail`.
    fn complete_line(&mut self, tail: &[u8], events: &mut Vec<SseEvent>) {
        if self.line.is_empty() {
            return self.end_line(tail, events);
        }
        let mut line = std::mem::take(&mut self.line);
        line.extend_from_slice(tail);
        self.end_line(&line, events);
        line.clear();
        self.line = line;
    }

    fn end_line(&mut self, mut line: &[u8], events: &mut Vec<SseEvent>) {
        if !self.started {
            self.started = true;
            line = line.strip_prefix(BOM).unwrap_or(line);
        }
        if line.is_empty() {
            if self.has_data {
                events.push(self.take_event());
            } else {
                self.event = None;
            }
            return;
        }
        // Checked as a whole first: the fast path for the valid UTF-8 nearly every line is.
        let text = match std::str::from_utf8(line) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(line),
        };
        if text.starts_with(':') {
            self.recognised_lines += 1;
            return;
        }
        let (field, value) = match text.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (text.as_ref(), ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_owned()),
            "id" | "retry" => {}
            _ => return,
        }
        self.recognised_lines += 1;
    }

    fn take_event(&mut self) -> SseEvent {
        self.has_data = false;
        SseEvent {
            event: self.event.take(),
            data: std::mem::take(&mut self.data),
            at_eof: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pieces: &[&[u8]], expected: &[&str]) {
        let mut decoder = SseDecoder::new();
        let mut data: Vec<String> = Vec::new();
        for piece in pieces {
            data.extend(decoder.push(piece).into_iter().map(|e| e.data));
        }
        data.extend(decoder.finish().into_iter().map(|e| e.data));
        assert_eq!(data, expected);
    }

    #[test]
    fn line_endings_of_every_kind() {
        check(
            &[b"data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\n\n"],
            &["a", "b", "c", "d"],
        );
    }

    #[test]
    fn crlf_split_between_pieces_is_one_line_ending() {
        check(&[b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"], &["a", "b"]);
    }

    #[test]
    fn space_after_colon_is_optional_and_only_one_is_removed() {
        check(&[b"data:a\n\ndata:  b\n\n"], &["a", " b"]);
    }

    #[test]
    fn data_lines_join_with_newline() {
        check(&[b"data: {\"a\":\ndata: 1}\n\n"], &["{\"a\":\n1}"]);
    }

    #[test]
    fn comments_unknown_fields_and_empty_data_are_skipped() {
        check(
            &[b": ping\nfoo: bar\nid: 7\nretry: 10\n\n: OPENROUTER PROCESSING\n\ndata: x\n\n"],
            &["x"],
        );
    }

    #[test]
    fn multibyte_character_split_across_pieces() {
        let body = "data: caf\u{e9} \u{1f600}\n\n".as_bytes();
        for split in 0..body.len() {
            check(&[&body[..split], &body[split..]], &["caf\u{e9} \u{1f600}"]);
        }
    }

    #[test]
    fn byte_order_mark_is_stripped() {
        check(&[b"\xEF\xBB", b"\xBFdata: a\n\n"], &["a"]);
    }

    #[test]
    fn event_without_blank_line_is_flushed_at_eof() {
        let mut decoder = SseDecoder::new();
        assert!(decoder.push(b"data: last").is_empty());
        let events = decoder.finish();
        assert_eq!(events.len(), 1);
        assert!(events[0].at_eof);
        assert_eq!(events[0].data, "last");
    }

    #[test]
    fn event_field_is_reported() {
        let mut decoder = SseDecoder::new();
        let events = decoder.push(b"event: error\ndata: {}\n\n");
        assert_eq!(events[0].event.as_deref(), Some("error"));
    }

    #[test]
    fn plain_text_is_not_recognised() {
        let mut decoder = SseDecoder::new();
        decoder.push(b"Internal Server Error\n");
        decoder.finish();
        assert_eq!(decoder.recognised_lines(), 0);
    }
}
