//! Help articles: a store's help centre split into passages, ranked for the `search_help` tool.
//!
//! An article is Markdown with a small front matter (`title`, `url`, optional `tags`; read by
//! [`article`] with the `articles` feature, at build time). [`split`] cuts it into
//! [`Passage`]s at its headings, each knowing its article, heading and anchor; the passages are
//! what `dist/help.json` holds and what [`HelpIndex`] ranks with BM25 ([`index`]). The tool
//! result the model reads is a [`SearchResults`]; [`sources`] finds, for each reply, the
//! articles it was given. [`words`] holds the word rules (stop words, stems, typo correction)
//! the proxy's database search shares, and [`labelled`] the labelled questions both measure
//! their recall with.

#[cfg(feature = "articles")]
pub mod article;
pub mod index;
pub mod labelled;
pub mod sources;
pub mod words;

use serde::{Deserialize, Serialize};

pub use index::HelpIndex;
pub use sources::{cited_sources, Source};

/// How many passages a search gives the model.
pub const RESULT_LIMIT: usize = 3;

/// One help article, as its file gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub title: String,
    /// The article on the store's site.
    pub url: String,
    /// Words customers use for what the article is about; searched with its text.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The Markdown after the front matter.
    #[serde(default)]
    pub body: String,
}

/// One section of an article: the text under one heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// The article's title.
    pub title: String,
    /// The article's URL.
    pub url: String,
    /// The section's heading; the article's title for the text before the first heading.
    pub heading: String,
    /// The heading's anchor in the article (`how-long-it-takes`); empty for the text before
    /// the first heading.
    #[serde(default)]
    pub anchor: String,
    /// The section's Markdown, without its heading.
    pub text: String,
    /// The article's tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The `search_help` result the model reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The best passages, best first.
    pub results: Vec<Hit>,
    /// Said when nothing matched, so the model tells the customer instead of guessing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One passage of a search result: the bundled search's and the proxy's
/// (`GET /v1/help/search`) alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub title: String,
    pub url: String,
    pub heading: String,
    /// The heading's anchor in the article; empty for the text before the first heading, and
    /// when a result from before anchors were given is read.
    #[serde(default)]
    pub anchor: String,
    pub text: String,
}

impl From<&Passage> for Hit {
    fn from(p: &Passage) -> Self {
        Self {
            title: p.title.clone(),
            url: p.url.clone(),
            heading: p.heading.clone(),
            anchor: p.anchor.clone(),
            text: p.text.clone(),
        }
    }
}

/// What the model reads when no article matched.
pub const NO_MATCH: &str =
    "No help article covers this. Tell the customer so; do not answer from general knowledge.";

/// Cuts an article into passages at its headings (`#` to `######`, outside code fences). Text
/// before the first heading is a passage under the article's title; a heading with no text
/// under it gives none. Anchors follow GitHub's rule, with `-1`, `-2` for repeated headings.
pub fn split(article: &Article) -> Vec<Passage> {
    let mut passages = Vec::new();
    let mut anchors = Vec::new();
    let mut heading = article.title.clone();
    let mut anchor = String::new();
    let mut lines: Vec<&str> = Vec::new();
    let mut fenced = false;
    for line in article.body.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        match heading_text(line).filter(|_| !fenced) {
            Some(text) => {
                push_passage(article, &heading, &anchor, &lines, &mut passages);
                lines.clear();
                heading = text.to_owned();
                anchor = unique_anchor(slug(text), &mut anchors);
            }
            None => lines.push(line),
        }
    }
    push_passage(article, &heading, &anchor, &lines, &mut passages);
    passages
}

fn push_passage(
    article: &Article,
    heading: &str,
    anchor: &str,
    lines: &[&str],
    out: &mut Vec<Passage>,
) {
    let text = lines.join("\n").trim().to_owned();
    if text.is_empty() {
        return;
    }
    out.push(Passage {
        title: article.title.clone(),
        url: article.url.clone(),
        heading: heading.to_owned(),
        anchor: anchor.to_owned(),
        text,
        tags: article.tags.clone(),
    });
}

/// The text of an ATX heading line (`## Returns` → `Returns`), closing `#`s removed.
fn heading_text(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim_end();
    (!text.is_empty()).then_some(text)
}

/// A heading's anchor as GitHub makes it: lower case, letters, digits, `-` and `_` kept,
/// spaces turned into `-`, everything else dropped.
pub fn slug(heading: &str) -> String {
    heading
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn unique_anchor(anchor: String, taken: &mut Vec<String>) -> String {
    let mut unique = anchor.clone();
    let mut n = 0;
    while taken.contains(&unique) {
        n += 1;
        unique = format!("{anchor}-{n}");
    }
    taken.push(unique.clone());
    unique
}

/// Reads `help.json`: the passages, as the build wrote them.
pub fn parse_passages(text: &str) -> Result<Vec<Passage>, serde_json::Error> {
    serde_json::from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(body: &str) -> Article {
        Article {
            title: "Returns".into(),
            url: "https://shop.example/help/returns".into(),
            tags: vec!["refund".into()],
            body: body.into(),
        }
    }

    fn check(body: &str, expected: &[(&str, &str, &str)]) {
        let got: Vec<_> = split(&article(body))
            .into_iter()
            .map(|p| (p.heading, p.anchor, p.text))
            .collect();
        let expected: Vec<_> = expected
            .iter()
            .map(|(h, a, t)| (h.to_string(), a.to_string(), t.to_string()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn passages_are_cut_at_headings() {
        check(
            "Intro text.\n\n## The return window\n\n30 days.\n\n### How to start\nOpen Orders.",
            &[
                ("Returns", "", "Intro text."),
                ("The return window", "the-return-window", "30 days."),
                ("How to start", "how-to-start", "Open Orders."),
            ],
        );
    }

    #[test]
    fn every_passage_knows_its_article() {
        let passages = split(&article("## A\ntext"));
        assert_eq!(passages[0].title, "Returns");
        assert_eq!(passages[0].url, "https://shop.example/help/returns");
        assert_eq!(passages[0].tags, ["refund"]);
    }

    #[test]
    fn empty_sections_give_no_passage() {
        check(
            "## Empty\n\n## Full\ntext\n##\n#no-space",
            &[("Full", "full", "text\n##\n#no-space")],
        );
    }

    #[test]
    fn headings_inside_code_fences_are_text() {
        check(
            "## Code\n```\n# not a heading\n```",
            &[("Code", "code", "```\n# not a heading\n```")],
        );
    }

    #[test]
    fn anchors_follow_githubs_rule() {
        assert_eq!(
            slug("When will I get my refund?"),
            "when-will-i-get-my-refund"
        );
        assert_eq!(slug("Apple Pay & Google Pay"), "apple-pay--google-pay");
        assert_eq!(slug("Rückgabe_Frist"), "rückgabe_frist");
        check(
            "## Notes ##\na\n## Notes\nb",
            &[("Notes", "notes", "a"), ("Notes", "notes-1", "b")],
        );
    }

    #[test]
    fn passages_round_trip_through_json() {
        let passages = split(&article("Intro.\n## A\ntext"));
        let json = serde_json::to_string(&passages).expect("JSON");
        assert_eq!(parse_passages(&json).expect("readable"), passages);
    }
}
