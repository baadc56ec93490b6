//! A customer's question turned into plain search terms, so no full-text query syntax
//! (`"`, `*`, `NEAR(`, `OR`, `-`, `:`, parentheses) ever reaches the database's parser.
//!
//! A term is a run of letters and digits, lower-cased; English stop words are dropped (they
//! match every passage), and at most [`MAX_TERMS`] distinct terms of at most
//! [`MAX_TERM_CHARS`] characters are kept, so a 10 KB question costs what a short one does.
//! The terms are joined with OR: a customer's question rarely uses every word of the passage
//! that answers it, and the engine's ranking (BM25, `ts_rank`) puts the passages matching the
//! most and rarest terms first.

/// The most terms a query is searched with.
pub const MAX_TERMS: usize = 32;
/// The longest term kept, in characters; longer runs are cut.
pub const MAX_TERM_CHARS: usize = 40;

/// Words too common to tell passages apart.
const STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "are", "as", "at", "be", "by", "can", "could", "do", "does",
    "for", "from", "get", "has", "have", "i", "if", "in", "is", "it", "its", "me", "my", "of",
    "on", "or", "our", "please", "so", "that", "the", "this", "to", "us", "was", "we", "what",
    "when", "where", "which", "will", "with", "would", "you", "your",
];

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
        if !word.is_empty() && !STOP_WORDS.contains(&word.as_str()) && !found.contains(&word) {
            found.push(word);
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

    #[test]
    fn long_queries_are_bounded() {
        let huge = "word ".repeat(2_000) + &"x".repeat(10_000);
        assert_eq!(terms(&huge), ["word", &"x".repeat(MAX_TERM_CHARS)]);
        let many: String = (0..1_000).map(|n| format!("w{n} ")).collect();
        assert_eq!(terms(&many).len(), MAX_TERMS);
    }
}
