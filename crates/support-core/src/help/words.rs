//! The word rules every help search shares: which words are too common to search for, how a
//! word is stemmed, and which word of an index a misspelt one is taken for.
//!
//! The bundled index ([`super::index`]) tokenizes with them; the proxy uses the same stop words
//! for its database queries and the same correction against its database's vocabulary, so a
//! typo is forgiven by the same rule in every mode.

use rust_stemmers::{Algorithm, Stemmer};

/// Words too common to tell passages apart.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "are", "as", "at", "be", "by", "can", "could", "do", "does",
    "for", "from", "get", "has", "have", "i", "if", "in", "is", "it", "its", "me", "my", "of",
    "on", "or", "our", "please", "so", "that", "the", "this", "to", "us", "was", "we", "what",
    "when", "where", "which", "will", "with", "would", "you", "your",
];

/// True for a word (lower case) that is not searched for.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// The Snowball English stem of a lower-case word ("refunds" → "refund"), the stemmer
/// PostgreSQL's `english` configuration uses too.
pub fn stem(word: &str) -> String {
    Stemmer::create(Algorithm::English).stem(word).into_owned()
}

/// How many edits a word of `chars` characters may be away from the word it is taken for:
/// none up to three characters (too many short words are one edit apart), one up to seven,
/// then two.
pub fn edits_allowed(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The word of `vocabulary` (each with the number of passages that use it) that `word` is
/// most likely a misspelling of: fewest edits within [`edits_allowed`] (optimal string
/// alignment, so a swapped pair of letters is one edit), then the most used, then the first.
/// `None` when no word is close enough; a word of the vocabulary is its own closest.
pub fn closest<'a>(
    word: &str,
    vocabulary: impl IntoIterator<Item = (&'a str, usize)>,
) -> Option<&'a str> {
    let length = word.chars().count();
    let most = edits_allowed(length);
    vocabulary
        .into_iter()
        .filter(|(known, _)| known.chars().count().abs_diff(length) <= most)
        .map(|(known, uses)| (strsim::osa_distance(word, known), uses, known))
        .filter(|(distance, _, _)| *distance <= most)
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, _, known)| known)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOCABULARY: &[(&str, usize)] = &[
        ("cancel", 3),
        ("card", 5),
        ("cart", 1),
        ("refund", 9),
        ("return", 7),
        ("ship", 4),
        ("warranti", 2),
    ];

    fn check(word: &str, expected: Option<&str>) {
        let vocabulary = VOCABULARY.iter().copied();
        assert_eq!(closest(word, vocabulary), expected, "{word:?}");
    }

    #[test]
    fn misspelt_words_are_taken_for_the_closest_known_word() {
        check("refund", Some("refund"));
        check("refnud", Some("refund"));
        check("retrun", Some("return"));
        check(&stem("shiping"), Some("ship"));
        check(&stem("cancle"), Some("cancel"));
        check(&stem("waranty"), Some("warranti"));
    }

    #[test]
    fn ties_go_to_the_most_used_word_and_short_words_are_left_alone() {
        check("carx", Some("card"));
        check("cad", None);
        check("xylophone", None);
        assert_eq!(closest("refund", []), None);
    }

    #[test]
    fn stems_and_stop_words() {
        assert_eq!(stem("refunds"), "refund");
        assert_eq!(stem("shipping"), "ship");
        assert!(is_stop_word("the") && !is_stop_word("refund"));
    }
}
