//! The sources shown under a reply: the articles whose passages `search_help` gave the model
//! in that turn, before the reply. Found from the history itself (the tool messages' results),
//! never from the model's prose, so a reply cannot cite an article it was not given.

use serde::Serialize;

use super::SearchResults;
use crate::history::Entry;
use crate::protocol::Message;

/// An article a reply was built on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Source {
    pub title: String,
    /// An `http` or `https` URL: anything else is never a source.
    pub url: String,
}

/// For each entry, the sources of the reply it is: the articles (each once, best first) of
/// the `search_help` results that came after the customer's last message and after the
/// previous reply. Empty for every entry that is not an assistant reply with text.
pub fn cited_sources(entries: &[Entry]) -> Vec<Vec<Source>> {
    let mut pending: Vec<Source> = Vec::new();
    entries
        .iter()
        .map(|entry| match &entry.message {
            Message::User { .. } => {
                pending.clear();
                Vec::new()
            }
            Message::Tool { content, .. } => {
                if let Ok(found) = serde_json::from_str::<SearchResults>(content) {
                    for hit in found.results {
                        let source = Source {
                            title: hit.title,
                            url: hit.url,
                        };
                        if is_web_url(&source.url) && !pending.contains(&source) {
                            pending.push(source);
                        }
                    }
                }
                Vec::new()
            }
            Message::Assistant {
                content: Some(text),
                ..
            } if !text.trim().is_empty() => std::mem::take(&mut pending),
            _ => Vec::new(),
        })
        .collect()
}

/// True for an absolute `http(s)` URL without blanks or control characters.
fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::EntryStatus;
    use serde_json::json;

    fn entry(n: usize, message: Message) -> Entry {
        Entry {
            id: format!("e{n}"),
            at_ms: n as u64,
            message,
            status: EntryStatus::Complete,
        }
    }

    fn found(urls: &[(&str, &str)]) -> Message {
        let results: Vec<_> = urls
            .iter()
            .map(|(title, url)| json!({"title": title, "url": url, "heading": "h", "text": "t"}))
            .collect();
        Message::tool("c", json!({ "results": results }).to_string())
    }

    fn titles(sources: &[Source]) -> Vec<&str> {
        sources.iter().map(|s| s.title.as_str()).collect()
    }

    #[test]
    fn a_reply_cites_the_articles_it_was_given() {
        let refunds = ("Refunds", "https://shop.example/refunds");
        let returns = ("Returns", "https://shop.example/returns");
        let entries: Vec<Entry> = [
            Message::user("How long do refunds take?"),
            Message::assistant("", Vec::new()),
            found(&[refunds, returns, refunds]),
            Message::tool(
                "o",
                json!({"order_id": "ORD-1", "status": "processing"}).to_string(),
            ),
            Message::assistant("5 to 10 business days.", Vec::new()),
            Message::user("Thanks"),
            Message::assistant("You're welcome.", Vec::new()),
        ]
        .into_iter()
        .enumerate()
        .map(|(n, m)| entry(n, m))
        .collect();
        let sources = cited_sources(&entries);
        assert_eq!(sources.len(), entries.len());
        assert_eq!(titles(&sources[4]), ["Refunds", "Returns"]);
        assert!(
            sources[6].is_empty(),
            "a later turn cites nothing of its own"
        );
        assert!(sources[..4].iter().all(Vec::is_empty));
    }

    #[test]
    fn only_web_urls_are_sources() {
        let entries = vec![
            entry(0, Message::user("q")),
            entry(
                1,
                found(&[
                    ("Script", "javascript:alert(1)"),
                    ("Relative", "/help"),
                    ("Blank", "https://a b"),
                    ("Empty", "https://"),
                    ("Ok", "HTTPS://shop.example/help"),
                ]),
            ),
            entry(2, Message::assistant("a", Vec::new())),
        ];
        assert_eq!(titles(&cited_sources(&entries)[2]), ["Ok"]);
    }

    #[test]
    fn a_reply_without_a_search_cites_nothing() {
        let entries = vec![
            entry(0, Message::user("hi")),
            entry(1, Message::tool("c", "not json")),
            entry(2, Message::assistant("Hello!", Vec::new())),
        ];
        assert!(cited_sources(&entries).iter().all(Vec::is_empty));
    }
}
