//! The small, safe subset of Markdown that model replies use, parsed into a tree.
//!
//! Paragraphs (single newlines kept as line breaks), `#` headings, `-`/`*`/`1.` lists, fenced
//! code, and inline `**strong**`, `*emphasis*`, `` `code` ``, `[links](https://…)` and bare
//! `https://` links. The tree holds text only: the view builds DOM nodes from it, so HTML in
//! model output is shown as text, never parsed. Links keep only `http`, `https` and `mailto`
//! targets; any other link is shown as its text. Anything unclosed stays literal text.
//! Words, for the boundaries of `_emphasis_` and bare links, are runs of Unicode letters and
//! digits (`char::is_alphanumeric`).

/// A block of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    Heading(Vec<Inline>),
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
    Code(String),
}

/// A run of text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Code(String),
    Link { href: String, children: Vec<Inline> },
    Break,
}

/// The link target when it is one a customer may safely follow.
pub fn safe_href(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let allowed = ["https://", "http://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p) && lower.len() > p.len());
    (allowed && !url.chars().any(|c| c.is_whitespace() || c.is_control())).then(|| url.to_owned())
}

/// Parses a reply into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Blocks::default();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            blocks.flush();
            let code: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.trim_start().starts_with("```"))
                .collect();
            blocks.done.push(Block::Code(code.join("\n")));
        } else if trimmed.is_empty() {
            blocks.flush();
        } else if let Some((ordered, item)) = list_item(trimmed) {
            blocks.list_item(ordered, item);
        } else if let Some(heading) = heading(trimmed) {
            blocks.flush();
            blocks.done.push(Block::Heading(parse_inline(heading)));
        } else if !(line.starts_with(' ') && blocks.continue_item(trimmed)) {
            blocks.flush_list();
            blocks.paragraph.push(line.trim());
        }
    }
    blocks.flush();
    blocks.done
}

/// The blocks parsed so far, and the paragraph or list being read.
#[derive(Default)]
struct Blocks<'a> {
    done: Vec<Block>,
    paragraph: Vec<&'a str>,
    list: Option<(bool, Vec<String>)>,
}

impl Blocks<'_> {
    fn flush(&mut self) {
        self.flush_paragraph();
        self.flush_list();
    }

    fn flush_paragraph(&mut self) {
        if !self.paragraph.is_empty() {
            self.done
                .push(Block::Paragraph(lines_to_inlines(&self.paragraph)));
            self.paragraph.clear();
        }
    }

    fn flush_list(&mut self) {
        if let Some((ordered, items)) = self.list.take() {
            let items = items.iter().map(|i| parse_inline(i)).collect();
            self.done.push(Block::List { ordered, items });
        }
    }

    /// A new item: of the list being read, or of a new one when the kind changes.
    fn list_item(&mut self, ordered: bool, item: &str) {
        self.flush_paragraph();
        if self.list.as_ref().is_some_and(|(o, _)| *o != ordered) {
            self.flush_list();
        }
        self.list
            .get_or_insert_with(|| (ordered, Vec::new()))
            .1
            .push(item.to_owned());
    }

    /// An indented line continues the last list item, if a list is being read.
    fn continue_item(&mut self, trimmed: &str) -> bool {
        let Some(last) = self.list.as_mut().and_then(|(_, items)| items.last_mut()) else {
            return self.list.is_some();
        };
        last.push(' ');
        last.push_str(trimmed);
        true
    }
}

fn heading(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#');
    let level = line.len() - rest.len();
    ((1..=6).contains(&level) && rest.starts_with(' ')).then(|| rest.trim())
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    for bullet in ["- ", "* ", "+ "] {
        if let Some(item) = line.strip_prefix(bullet) {
            return Some((false, item.trim()));
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &line[digits..];
        if let Some(item) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some((true, item.trim()));
        }
    }
    None
}

fn lines_to_inlines(lines: &[&str]) -> Vec<Inline> {
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.push(Inline::Break);
        }
        out.extend(parse_inline(line));
    }
    out
}

/// Parses inline markup; unclosed markers stay literal.
pub fn parse_inline(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some((inline, after)) = markup_at(rest) {
            if !plain.is_empty() {
                out.push(Inline::Text(std::mem::take(&mut plain)));
            }
            out.push(inline);
            rest = after;
            continue;
        }
        if c == '\\' {
            if let Some(escaped) = rest[1..]
                .chars()
                .next()
                .filter(|e| e.is_ascii_punctuation())
            {
                plain.push(escaped);
                rest = &rest[1 + escaped.len_utf8()..];
                continue;
            }
        }
        plain.push(c);
        rest = &rest[c.len_utf8()..];
        // A bare link may only start at a word boundary.
        if c.is_alphanumeric() {
            let word = rest
                .find(|ch: char| !ch.is_alphanumeric())
                .unwrap_or(rest.len());
            plain.push_str(&rest[..word]);
            rest = &rest[word..];
        }
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

/// The markup starting at the front of `s`, and what follows it.
fn markup_at(s: &str) -> Option<(Inline, &str)> {
    if let Some(inner) = s.strip_prefix('`') {
        let end = inner.find('`')?;
        return (end > 0).then(|| (Inline::Code(inner[..end].to_owned()), &inner[end + 1..]));
    }
    if let Some(found) = emphasis_at(s) {
        return Some(found);
    }
    if let Some(label_start) = s.strip_prefix('[') {
        return link_at(label_start);
    }
    bare_url_at(s)
}

/// `**strong**`, `__strong__`, `*emphasis*` or `_emphasis_` (not inside a word).
fn emphasis_at(s: &str) -> Option<(Inline, &str)> {
    for marker in ["**", "__"] {
        if let Some((inner, after)) = delimited(s, marker) {
            return Some((Inline::Strong(parse_inline(inner)), after));
        }
    }
    for marker in ["*", "_"] {
        if let Some((inner, after)) = delimited(s, marker) {
            let boundary = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
            if marker == "*" || boundary {
                return Some((Inline::Emphasis(parse_inline(inner)), after));
            }
        }
    }
    None
}

/// `label](target)` after a `[`: a link when the target is safe, else the label as text.
fn link_at(label_start: &str) -> Option<(Inline, &str)> {
    let close = label_start.find("](")?;
    let target = &label_start[close + 2..];
    let end = target.find(')')?;
    let label = &label_start[..close];
    Some(match safe_href(&target[..end]) {
        Some(href) => (
            Inline::Link {
                href,
                children: parse_inline(label),
            },
            &target[end + 1..],
        ),
        None => (Inline::Text(label.to_owned()), &target[end + 1..]),
    })
}

/// An `http://` or `https://` address written out.
fn bare_url_at(s: &str) -> Option<(Inline, &str)> {
    let lower_prefix: String = s.chars().take(8).collect::<String>().to_ascii_lowercase();
    if !(lower_prefix.starts_with("https://") || lower_prefix.starts_with("http://")) {
        return None;
    }
    // A link ends at a space, at `<` `>`, and at punctuation outside ASCII (« », “ ”).
    let end = s
        .find(|c: char| {
            c.is_whitespace() || c == '<' || c == '>' || !(c.is_ascii() || c.is_alphanumeric())
        })
        .unwrap_or(s.len());
    let url = s[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
    let href = safe_href(url)?;
    Some((
        Inline::Link {
            href,
            children: vec![Inline::Text(url.to_owned())],
        },
        &s[url.len()..],
    ))
}

/// `marker inner marker` at the front of `s`, with non-blank `inner` that does not start or
/// end with a space.
fn delimited<'a>(s: &'a str, marker: &str) -> Option<(&'a str, &'a str)> {
    let inner = s.strip_prefix(marker)?;
    let end = inner.find(marker)?;
    let body = &inner[..end];
    let ok = !body.is_empty() && !body.starts_with(' ') && !body.ends_with(' ');
    ok.then(|| (body, &inner[end + marker.len()..]))
}

#[cfg(test)]
mod tests;
