//! The support proxy's help and feedback routes, as the widget uses them when it talks to the
//! proxy (`orders` set to the proxy's base URL): the search's path and parameters, the
//! proxy's answer read into the same `search_help` result the bundled search gives the model,
//! and the body of a reply's rating. The proxy reads the same [`Feedback`] and checks it with
//! the same limits, so the two sides cannot drift apart. Likewise [`StreamEnd`]: the codes of
//! the error events with which the proxy ends a chat stream the provider broke off.

use serde::{Deserialize, Serialize};

use crate::help::{SearchResults, Source, NO_MATCH, RESULT_LIMIT};

/// The longest reply text a feedback carries, in characters.
pub const MAX_TEXT_CHARS: usize = 8_000;
/// The most sources one feedback names.
pub const MAX_SOURCES: usize = 10;
/// The longest source URL, in characters.
pub const MAX_URL_CHARS: usize = 2_048;

/// `{base}/help/search`: `GET` it with [`help_search_params`].
pub fn help_search_path(base: &str) -> String {
    format!("{base}/help/search")
}

/// The search's query parameters, in order, not yet encoded: the model's query and as many
/// passages as the bundled search gives.
pub fn help_search_params(query: &str) -> [(&'static str, String); 2] {
    [("q", query.to_owned()), ("limit", RESULT_LIMIT.to_string())]
}

/// The proxy's answer (`{"results": [{"title", "url", "heading", "anchor", "text"}…], "note"}`)
/// as the tool result the model reads: at most [`RESULT_LIMIT`] passages, in the shape the
/// bundled search gives (anchors included), and the note telling the model to say so when nothing matched. `None` when the
/// answer is not of that shape.
pub fn read_help_answer(answer: serde_json::Value) -> Option<SearchResults> {
    let mut found: SearchResults = serde_json::from_value(answer).ok()?;
    found.results.truncate(RESULT_LIMIT);
    if found.results.is_empty() && found.note.is_none() {
        found.note = Some(NO_MATCH.to_owned());
    }
    Some(found)
}

/// `{base}/feedback`: `POST` a [`Feedback`] to it.
pub fn feedback_path(base: &str) -> String {
    format!("{base}/feedback")
}

/// Why the proxy ended a chat stream early, as the `code` of the OpenAI-style error event it
/// sends last: `data: {"error":{"message":…,"type":"upstream_error","code":"upstream_cut"}}`.
/// The codes are strings, never HTTP statuses, so the widget cannot take them for an overload
/// of the provider: a cut stream reads as cut off, a stalled one as a time-out (before any
/// event of the reply) or as cut off (after one), exactly as the same fault in direct mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamEnd {
    /// The provider's connection broke (`upstream_cut`).
    Cut,
    /// The provider sent nothing for `UPSTREAM_IDLE_TIMEOUT_SECS` (`upstream_stalled`).
    Stalled,
    /// The whole reply took longer than `UPSTREAM_MAX_RESPONSE_SECS` (`upstream_too_long`).
    TooLong,
}

impl StreamEnd {
    pub const ALL: [StreamEnd; 3] = [StreamEnd::Cut, StreamEnd::Stalled, StreamEnd::TooLong];

    /// The error event's `code`.
    pub fn code(self) -> &'static str {
        match self {
            StreamEnd::Cut => "upstream_cut",
            StreamEnd::Stalled => "upstream_stalled",
            StreamEnd::TooLong => "upstream_too_long",
        }
    }

    /// The end an error event's `code` names, if it is one of the proxy's.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|end| end.code() == code.trim())
    }
}

/// How a customer rated a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Up,
    Down,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Up => "up",
            Rating::Down => "down",
        }
    }
}

/// `POST {base}/feedback`: a rating, the reply's text and the URLs of the articles it cited.
/// Nothing in it names the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    pub rating: Rating,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub sources: Vec<String>,
}

impl Feedback {
    /// What the widget sends for a rating of a reply with these sources: the text cut to
    /// [`MAX_TEXT_CHARS`], and the first [`MAX_SOURCES`] sources the proxy accepts.
    pub fn new(rating: Rating, text: &str, sources: &[Source]) -> Self {
        Self {
            rating,
            text: text.chars().take(MAX_TEXT_CHARS).collect(),
            sources: sources
                .iter()
                .map(|s| s.url.clone())
                .filter(|url| is_accepted_source(url))
                .take(MAX_SOURCES)
                .collect(),
        }
    }

    /// The first limit this feedback breaks, in words for an error answer.
    pub fn problem(&self) -> Option<String> {
        if self.text.chars().count() > MAX_TEXT_CHARS {
            return Some(format!("text is longer than {MAX_TEXT_CHARS} characters"));
        }
        if self.sources.len() > MAX_SOURCES {
            return Some(format!("at most {MAX_SOURCES} sources are accepted"));
        }
        if !self.sources.iter().all(|s| is_accepted_source(s)) {
            return Some(format!(
                "sources must be http(s) URLs of at most {MAX_URL_CHARS} characters"
            ));
        }
        None
    }
}

/// True for an `http(s)` URL of at most [`MAX_URL_CHARS`] characters, without blanks or
/// control characters.
pub fn is_accepted_source(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    web && url.chars().count() <= MAX_URL_CHARS
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check_answer(answer: serde_json::Value, expected: Option<serde_json::Value>) {
        let read = read_help_answer(answer).map(|r| serde_json::to_value(r).expect("JSON"));
        assert_eq!(read, expected);
    }

    #[test]
    fn the_search_is_a_path_and_unencoded_parameters() {
        assert_eq!(help_search_path("/v1"), "/v1/help/search");
        assert_eq!(feedback_path("/v1"), "/v1/feedback");
        assert_eq!(
            help_search_path("https://support.shop.example/v1"),
            "https://support.shop.example/v1/help/search"
        );
        assert_eq!(
            help_search_params("refund & \"money\" back?"),
            [
                ("q", "refund & \"money\" back?".to_owned()),
                ("limit", "3".to_owned())
            ]
        );
    }

    #[test]
    fn the_proxys_answer_becomes_the_bundled_searchs_result() {
        let hit = |n: u32| {
            json!({"title": format!("T{n}"), "url": format!("https://shop.example/{n}"),
                   "heading": "H", "anchor": "h", "text": "text"})
        };
        // Without an anchor (an older proxy), a hit reads as one with an empty anchor.
        let plain = |n: u32| {
            json!({"title": format!("T{n}"), "url": format!("https://shop.example/{n}"),
                   "heading": "H", "text": "text"})
        };
        check_answer(
            json!({"results": [hit(1), hit(2)]}),
            Some(json!({"results": [hit(1), hit(2)]})),
        );
        let mut unanchored = plain(1);
        unanchored["anchor"] = json!("");
        check_answer(
            json!({"results": [plain(1)]}),
            Some(json!({"results": [unanchored]})),
        );
        check_answer(
            json!({"results": [hit(1), hit(2), hit(3), hit(4)]}),
            Some(json!({"results": [hit(1), hit(2), hit(3)]})),
        );
        check_answer(
            json!({"results": [], "note": "Nothing."}),
            Some(json!({"results": [], "note": "Nothing."})),
        );
        check_answer(
            json!({"results": []}),
            Some(json!({"results": [], "note": NO_MATCH})),
        );
    }

    #[test]
    fn an_answer_of_another_shape_is_none() {
        check_answer(json!(null), None);
        check_answer(json!({"error": {"message": "busy"}}), None);
        check_answer(json!({"results": [{"title": "T"}]}), None);
        check_answer(json!({"results": "many"}), None);
    }

    fn source(url: &str) -> Source {
        Source {
            title: "T".into(),
            url: url.into(),
        }
    }

    #[test]
    fn a_rating_is_sent_with_the_text_and_the_cited_urls() {
        let sources = [source("https://shop.example/help/refunds")];
        let body = Feedback::new(Rating::Down, "5 to 10 business days.", &sources);
        assert_eq!(
            serde_json::to_value(&body).expect("JSON"),
            json!({"rating": "down", "text": "5 to 10 business days.",
                   "sources": ["https://shop.example/help/refunds"]})
        );
        assert_eq!(body.problem(), None);
    }

    #[test]
    fn a_rating_stays_within_the_proxys_limits() {
        let long_url = format!("https://shop.example/{}", "a".repeat(MAX_URL_CHARS));
        let mut sources = vec![source(&long_url)];
        sources.extend((0..12).map(|n| source(&format!("https://shop.example/{n}"))));
        let body = Feedback::new(Rating::Up, &"é".repeat(MAX_TEXT_CHARS + 5), &sources);
        assert_eq!(body.text.chars().count(), MAX_TEXT_CHARS);
        assert_eq!(body.sources.len(), MAX_SOURCES);
        assert_eq!(body.sources[0], "https://shop.example/0");
        assert_eq!(body.problem(), None);
    }

    #[test]
    fn a_body_breaking_a_limit_names_it() {
        let body = |text: &str, sources: &[&str]| Feedback {
            rating: Rating::Up,
            text: text.into(),
            sources: sources.iter().map(|s| s.to_string()).collect(),
        };
        let many = vec!["https://shop.example/x"; MAX_SOURCES + 1];
        assert!(body(&"x".repeat(MAX_TEXT_CHARS + 1), &[])
            .problem()
            .is_some_and(|p| p.starts_with("text")));
        assert!(body("", &many)
            .problem()
            .is_some_and(|p| p.contains("at most")));
        for url in ["javascript:alert(1)", "https://a b", "/help"] {
            assert!(body("", &[url]).problem().is_some(), "{url}");
        }
    }

    #[test]
    fn the_wire_form_refuses_unknown_fields() {
        let read = |v: serde_json::Value| serde_json::from_value::<Feedback>(v).ok();
        assert_eq!(
            read(json!({"rating": "up"})),
            Some(Feedback {
                rating: Rating::Up,
                text: String::new(),
                sources: Vec::new()
            })
        );
        assert_eq!(read(json!({"rating": "up", "email": "a@b.example"})), None);
        assert_eq!(read(json!({"rating": "meh"})), None);
    }
}
