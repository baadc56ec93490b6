//! A customer's question turned into plain search terms, so no full-text query syntax
//! (`"`, `*`, `NEAR(`, `OR`, `-`, `:`, parentheses) ever reaches the database's parser.
//!
//! A term is a run of letters and digits, lower-cased; English stop words are dropped (they
//! match every passage), and at most [`MAX_TERMS`] distinct terms of at most
//! [`MAX_TERM_CHARS`] characters are kept, so a 10 KB question costs what a short one does.
//! The terms are joined with OR: a customer's question rarely uses every word of the passage
//! that answers it, and the engine's ranking (BM25, `ts_rank`) puts the passages matching the
//! most and rarest terms first.
//!
//! A misspelt term ("retrun", "shiping") matches nothing, since its stem is in no passage; its
//! [`corrections`] are the words of the database's own index closest to its stem, by the core's
//! rule ([`support_core::help::words::closest`], the bundled search's), added to the query with
//! OR. The stop words are the core's too.

use support_core::help::words::{closest, edits_allowed, is_stop_word, stem};

/// The most terms a query is searched with.
pub const MAX_TERMS: usize = 32;
/// The longest term kept, in characters; longer runs are cut.
pub const MAX_TERM_CHARS: usize = 40;

/// The query's plain terms, in their first order, each once.
pub fn terms(query: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()) {
        if found.len() == MAX_TERMS {
            break;
        }
        let word: String = word
            .chars()
            .flat_map(char::to_lowercase)
            .take(MAX_TERM_CHARS)
            .collect();
        if !word.is_empty() && !is_stop_word(&word) && !found.contains(&word) {
            found.push(word);
        }
    }
    found
}

/// The stems of the terms that a misspelling could hide in (four characters or more), each with
/// the most edits it may be away from the word it is taken for.
fn correctable(terms: &[String]) -> impl Iterator<Item = (String, usize)> + '_ {
    terms
        .iter()
        .map(|t| stem(t))
        .map(|s| {
            let most = edits_allowed(s.chars().count());
            (s, most)
        })
        .filter(|(_, most)| *most > 0)
}

/// The word lengths, in characters, of the index's words [`corrections`] needs to see: every
/// length within reach of a correctable term. `None` when no term could be misspelt.
pub fn vocabulary_lengths(terms: &[String]) -> Option<(usize, usize)> {
    correctable(terms)
        .map(|(s, most)| {
            let length = s.chars().count();
            (length.saturating_sub(most), length + most)
        })
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
}

/// For each term whose stem `vocabulary` (the index's words, each with the number of passages
/// that use it) does not hold, the closest word it does hold, if one is close enough; each
/// once and only words of letters and digits, so they are plain terms like the others.
pub fn corrections(terms: &[String], vocabulary: &[(String, usize)]) -> Vec<String> {
    let plain: Vec<(&str, usize)> = vocabulary
        .iter()
        .filter(|(w, _)| w.chars().all(char::is_alphanumeric))
        .map(|(w, uses)| (w.as_str(), *uses))
        .collect();
    let mut found: Vec<String> = Vec::new();
    for (stem, _) in correctable(terms) {
        if plain.iter().any(|(w, _)| *w == stem) {
            continue;
        }
        match closest(&stem, plain.iter().copied()) {
            Some(word) if word != stem && !found.iter().any(|f| f == word) => {
                found.push(word.to_owned());
            }
            _ => {}
        }
    }
    found
}

/// An FTS5 `MATCH` expression: every term a quoted string, joined with OR. Terms hold only
/// letters and digits, so the quotes cannot be broken out of.
pub fn fts5_match(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// A `websearch_to_tsquery` text: the terms joined with its `or` keyword.
pub fn websearch(terms: &[String]) -> String {
    terms.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, expected: &[&str]) {
        assert_eq!(terms(query), expected, "{query:?}");
    }

    #[test]
    fn questions_become_plain_terms() {
        check(
            "How long will the refund take?",
            &["how", "long", "refund", "take"],
        );
        check("Refund REFUND refund", &["refund"]);
        check("Rückgabe 30 Tage", &["rückgabe", "30", "tage"]);
        check("", &[]);
        check("the of and", &[]);
    }

    #[test]
    fn query_syntax_is_only_ever_text() {
        check("\"refund", &["refund"]);
        check(
            "refund* OR NEAR(refund card, 2)",
            &["refund", "near", "card", "2"],
        );
        check(
            "title:refund -card (x) ^y",
            &["title", "refund", "card", "x", "y"],
        );
        check(
            "'; DROP TABLE help_passages; --",
            &["drop", "table", "help", "passages"],
        );
        assert_eq!(fts5_match(&terms("x\"b* OR c")), "\"x\" OR \"b\" OR \"c\"");
        assert_eq!(websearch(&terms("refund -card")), "refund or card");
    }

    fn vocabulary() -> Vec<(String, usize)> {
        [
            ("cancel", 2),
            ("order", 9),
            ("return", 7),
            ("ship", 4),
            ("help@voltair", 1),
        ]
        .into_iter()
        .map(|(w, n)| (w.to_owned(), n))
        .collect()
    }

    #[test]
    fn misspelt_terms_are_corrected_to_the_indexs_words() {
        let check = |query: &str, expected: &[&str]| {
            assert_eq!(
                corrections(&terms(query), &vocabulary()),
                expected,
                "{query:?}"
            );
        };
        check("can i retrun opened earbuds", &["return"]);
        check("how do i cancle an order that hasnt shipped", &["cancel"]);
        check("express shiping, shipping", &["ship"]);
        check("returns orders", &[]);
        check("helpvoltair", &[]);
        check("xylophone", &[]);
        assert!(corrections(&terms("retrun"), &[]).is_empty());
    }

    #[test]
    fn the_vocabulary_is_read_only_within_reach_of_a_term() {
        assert_eq!(vocabulary_lengths(&terms("retrun it")), Some((5, 7)));
        assert_eq!(
            vocabulary_lengths(&terms("retrun warranties")),
            Some((5, 10))
        );
        assert_eq!(vocabulary_lengths(&terms("box 30 it")), None);
    }

    #[test]
    fn long_queries_are_bounded() {
        let huge = "word ".repeat(2_000) + &"x".repeat(10_000);
        assert_eq!(terms(&huge), ["word", &"x".repeat(MAX_TERM_CHARS)]);
        let many: String = (0..1_000).map(|n| format!("w{n} ")).collect();
        assert_eq!(terms(&many).len(), MAX_TERMS);
    }
}
