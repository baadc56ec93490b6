//! Substring search for the engine's few multi-character needles, each a few bytes long.
//!
//! `str::find` with a `&str` pattern brings the standard library's Two-Way searcher, about
//! 2.5 KB of wasm. On needles this short a plain scan does as well.

/// The byte index of the first `needle` in `haystack`.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    // A match of valid UTF-8 begins on a character boundary of valid UTF-8.
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

/// `haystack` before and after the first `needle`.
pub fn split_once<'a>(haystack: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = find(haystack, needle)?;
    Some((&haystack[..at], &haystack[at + needle.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_the_first_match() {
        assert_eq!(find("a](b](c", "]("), Some(1));
        assert_eq!(find("**bold**", "**"), Some(0));
        assert_eq!(find("é](x", "]("), Some(2));
        assert_eq!(find("ab", "abc"), None);
        assert_eq!(find("", ""), Some(0));
        assert_eq!(
            split_once("{}</function>;", "</function>"),
            Some(("{}", ";"))
        );
        assert_eq!(split_once("no end", "</function>"), None);
    }

    proptest! {
        #[test]
        fn agrees_with_the_standard_library(haystack in "[ab*\\]\\(é]{0,24}", needle in "[ab*\\]\\(é]{0,3}") {
            prop_assert_eq!(find(&haystack, &needle), haystack.find(needle.as_str()));
            prop_assert_eq!(split_once(&haystack, &needle), haystack.split_once(needle.as_str()));
        }
    }
}
