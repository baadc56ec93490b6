//! BM25 over the passages, with the `bm25` crate's scorer and a tokenizer of our own.
//!
//! Tokens are lower-case words (letters and digits) without English stop words, stemmed with
//! the Snowball English stemmer, so "refunds", "refunded" and "refund" meet. A query word the
//! passages never use is taken for the closest word they do use ([`words::closest`]: within
//! one edit, two for long words), so "refnud" and "shiping" still find their articles. A passage is
//! indexed with its article's title and tags and its heading, which name what it is about in
//! the customer's words.

use std::collections::BTreeMap;
use std::fmt;

use bm25::{Document, SearchEngine, SearchEngineBuilder, Tokenizer};

use super::words::{self, is_stop_word};
use super::{Hit, Passage, SearchResults, NO_MATCH, RESULT_LIMIT};

/// The passages and their BM25 index, built once per set of passages.
pub struct HelpIndex {
    passages: Vec<Passage>,
    engine: SearchEngine<u32, u32, Tokens>,
}

impl fmt::Debug for HelpIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HelpIndex({} passages)", self.passages.len())
    }
}

impl HelpIndex {
    /// Indexes `passages`.
    pub fn new(passages: Vec<Passage>) -> Self {
        let texts: Vec<String> = passages.iter().map(indexed_text).collect();
        let plain = Tokens::new(BTreeMap::new());
        let mut vocabulary = BTreeMap::new();
        for text in &texts {
            let mut words = plain.tokenize(text);
            words.sort();
            words.dedup();
            for word in words {
                *vocabulary.entry(word).or_insert(0usize) += 1;
            }
        }
        let documents = texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| Document::new(i as u32, text));
        let engine =
            SearchEngineBuilder::with_tokenizer_and_documents(Tokens::new(vocabulary), documents)
                .build();
        Self { passages, engine }
    }

    pub fn passages(&self) -> &[Passage] {
        &self.passages
    }

    /// The passages that match `query`, best first, at most `limit`, with their scores. Equal
    /// scores keep the passages' order.
    pub fn search(&self, query: &str, limit: usize) -> Vec<(&Passage, f32)> {
        let mut found: Vec<(u32, f32)> = self
            .engine
            .search(query, None)
            .into_iter()
            .map(|r| (r.document.id, r.score))
            .collect();
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        found
            .into_iter()
            .filter_map(|(id, score)| Some((self.passages.get(id as usize)?, score)))
            .take(limit)
            .collect()
    }

    /// The `search_help` result for `query`: the best [`RESULT_LIMIT`] passages, or a note
    /// saying nothing matched.
    pub fn results(&self, query: &str) -> SearchResults {
        let results: Vec<Hit> = self
            .search(query, RESULT_LIMIT)
            .into_iter()
            .map(|(p, _)| Hit::from(p))
            .collect();
        let note = results.is_empty().then(|| NO_MATCH.to_owned());
        SearchResults { results, note }
    }
}

/// What a passage is found by: its article's title and tags, its heading and its text.
fn indexed_text(passage: &Passage) -> String {
    format!(
        "{}\n{}\n{}\n{}",
        passage.title,
        passage.tags.join(", "),
        passage.heading,
        passage.text
    )
}

/// Words to stems, with query words the passages never use taken for their closest word.
struct Tokens {
    /// Every stem of the passages, with the number of passages that use it.
    vocabulary: BTreeMap<String, usize>,
}

impl Tokens {
    fn new(vocabulary: BTreeMap<String, usize>) -> Self {
        Self { vocabulary }
    }

    /// The passages' stem closest to `stem` ([`words::closest`]).
    fn closest(&self, stem: &str) -> Option<String> {
        let vocabulary = self.vocabulary.iter().map(|(w, uses)| (w.as_str(), *uses));
        words::closest(stem, vocabulary).map(str::to_owned)
    }
}

impl Tokenizer for Tokens {
    fn tokenize(&self, text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .filter(|word| !is_stop_word(word))
            .map(|word| words::stem(&word))
            .filter_map(|stem| {
                if self.vocabulary.is_empty() || self.vocabulary.contains_key(&stem) {
                    Some(stem)
                } else {
                    self.closest(&stem)
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(title: &str, heading: &str, text: &str) -> Passage {
        Passage {
            title: title.into(),
            url: format!("https://shop.example/{}", super::super::slug(title)),
            heading: heading.into(),
            anchor: super::super::slug(heading),
            text: text.into(),
            tags: Vec::new(),
        }
    }

    fn index() -> HelpIndex {
        HelpIndex::new(vec![
            passage("Returns", "Return window", "Return items within 30 days."),
            passage(
                "Refunds",
                "Refund timing",
                "Refunds take 5 to 10 business days.",
            ),
            passage("Shipping", "Carriers", "We ship with UPS and DHL."),
        ])
    }

    fn check(query: &str, expected: &[&str]) {
        let index = index();
        let got: Vec<&str> = index
            .search(query, 3)
            .into_iter()
            .map(|(p, _)| p.heading.as_str())
            .collect();
        assert_eq!(got, expected, "{query:?}");
    }

    #[test]
    fn the_best_passage_comes_first() {
        check("how long does my refund take", &["Refund timing"]);
        check("Which carriers do you ship with?", &["Carriers"]);
    }

    #[test]
    fn word_forms_and_typos_meet() {
        check("refunded", &["Refund timing"]);
        check("refnuds", &["Refund timing"]);
        check("shiping", &["Carriers"]);
        check("retrun window", &["Return window"]);
    }

    #[test]
    fn nothing_matches_nothing() {
        check("", &[]);
        check("the of and", &[]);
        check("xylophone", &[]);
        let results = index().results("xylophone");
        assert!(results.results.is_empty());
        assert_eq!(results.note.as_deref(), Some(NO_MATCH));
        assert!(HelpIndex::new(Vec::new())
            .results("refund")
            .results
            .is_empty());
    }

    #[test]
    fn results_carry_title_url_heading_anchor_and_text() {
        let results = index().results("refund");
        assert_eq!(
            serde_json::to_value(&results).expect("JSON"),
            serde_json::json!({"results": [{"title": "Refunds", "url": "https://shop.example/refunds",
                "heading": "Refund timing", "anchor": "refund-timing",
                "text": "Refunds take 5 to 10 business days."}]})
        );
    }
}
