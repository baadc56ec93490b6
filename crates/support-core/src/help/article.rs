//! Reading an article file: YAML front matter (with `gray_matter`) and the Markdown after it.
//!
//! ```markdown
//! ---
//! title: Returns and refunds
//! url: https://shop.example/help/returns
//! tags: [return, refund, money back]
//! ---
//! You can return almost anything within 30 days…
//! ```
//!
//! Only the `articles` feature has this: the build (`help-index`) and the proxy read articles;
//! the widget reads the passages they wrote.

use gray_matter::engine::YAML;
use gray_matter::Matter;
use serde::Deserialize;

use super::{split, Article, Passage};

/// Why an article file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArticleError {
    #[error("has no front matter (a `---` block with title and url)")]
    NoFrontMatter,
    #[error("has unreadable front matter: {0}")]
    FrontMatter(String),
    #[error("`{0}` is empty")]
    Empty(&'static str),
    #[error("`url` must be an http(s) URL, not {0:?}")]
    Url(String),
}

/// The front matter's keys; any other key is refused, so a misspelt one is noticed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    url: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// Reads one article file's text.
pub fn parse_article(text: &str) -> Result<Article, ArticleError> {
    let parsed = Matter::<YAML>::new()
        .parse::<FrontMatter>(text)
        .map_err(|e| ArticleError::FrontMatter(e.to_string()))?;
    let front = parsed.data.ok_or(ArticleError::NoFrontMatter)?;
    let title = front.title.trim().to_owned();
    let url = front.url.trim().to_owned();
    if title.is_empty() {
        return Err(ArticleError::Empty("title"));
    }
    let lower = url.to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    if !web || url.chars().any(char::is_whitespace) {
        return Err(ArticleError::Url(url));
    }
    Ok(Article {
        title,
        url,
        tags: front
            .tags
            .into_iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
        body: parsed.content,
    })
}

/// The passages of a set of article files, given as `(file name, text)` in the order they
/// are to be indexed; a file that cannot be read is named in the error.
pub fn passages_of(
    files: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<Passage>, String> {
    let mut passages = Vec::new();
    for (name, text) in files {
        let article = parse_article(&text).map_err(|e| format!("{name}: {e}"))?;
        passages.extend(split(&article));
    }
    Ok(passages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body_are_read() {
        let article = parse_article(
            "---\ntitle: Returns\nurl: https://shop.example/r\ntags: [refund, ' money back ']\n---\nIntro.\n\n## A\ntext\n",
        )
        .expect("valid");
        assert_eq!(article.title, "Returns");
        assert_eq!(article.url, "https://shop.example/r");
        assert_eq!(article.tags, ["refund", "money back"]);
        assert_eq!(article.body.trim(), "Intro.\n\n## A\ntext");
        let untagged =
            parse_article("---\ntitle: T\nurl: http://x.example\n---\nbody").expect("valid");
        assert!(untagged.tags.is_empty());
    }

    #[test]
    fn bad_front_matter_is_refused() {
        assert_eq!(
            parse_article("# Just text"),
            Err(ArticleError::NoFrontMatter)
        );
        assert_eq!(
            parse_article("---\ntitle: ' '\nurl: https://x.example\n---\n"),
            Err(ArticleError::Empty("title"))
        );
        assert_eq!(
            parse_article("---\ntitle: T\nurl: javascript:alert(1)\n---\n"),
            Err(ArticleError::Url("javascript:alert(1)".into()))
        );
        for text in [
            "---\ntitle: T\n---\n",
            "---\ntitle: T\nurl: https://x.example\ntitel: typo\n---\n",
            "---\ntitle: [unclosed\n---\n",
        ] {
            assert!(
                matches!(parse_article(text), Err(ArticleError::FrontMatter(_))),
                "{text:?}"
            );
        }
    }
}
