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
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let mut lines = text.lines();
    let flush_paragraph = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(lines_to_inlines(paragraph)));
            paragraph.clear();
        }
    };
    let flush_list = |list: &mut Option<(bool, Vec<String>)>, blocks: &mut Vec<Block>| {
        if let Some((ordered, items)) = list.take() {
            let items = items.iter().map(|i| parse_inline(i)).collect();
            blocks.push(Block::List { ordered, items });
        }
    };
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
            let code: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.trim_start().starts_with("```"))
                .collect();
            blocks.push(Block::Code(code.join("\n")));
        } else if trimmed.is_empty() {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
        } else if let Some((ordered, item)) = list_item(trimmed) {
            flush_paragraph(&mut paragraph, &mut blocks);
            if list.as_ref().is_some_and(|(o, _)| *o != ordered) {
                flush_list(&mut list, &mut blocks);
            }
            list.get_or_insert_with(|| (ordered, Vec::new()))
                .1
                .push(item.to_owned());
        } else if let Some(heading) = heading(trimmed) {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
            blocks.push(Block::Heading(parse_inline(heading)));
        } else if let Some((_, items)) = list.as_mut().filter(|_| line.starts_with(' ')) {
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(trimmed);
            }
        } else {
            flush_list(&mut list, &mut blocks);
            paragraph.push(line.trim());
        }
    }
    flush_paragraph(&mut paragraph, &mut blocks);
    flush_list(&mut list, &mut blocks);
    blocks
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
    if let Some(label_start) = s.strip_prefix('[') {
        let close = label_start.find("](")?;
        let target = &label_start[close + 2..];
        let end = target.find(')')?;
        let label = &label_start[..close];
        return Some(match safe_href(&target[..end]) {
            Some(href) => (
                Inline::Link {
                    href,
                    children: parse_inline(label),
                },
                &target[end + 1..],
            ),
            None => (Inline::Text(label.to_owned()), &target[end + 1..]),
        });
    }
    let lower_prefix: String = s.chars().take(8).collect::<String>().to_ascii_lowercase();
    if lower_prefix.starts_with("https://") || lower_prefix.starts_with("http://") {
        // A link ends at a space, at `<` `>`, and at punctuation outside ASCII (« », “ ”).
        let end = s
            .find(|c: char| {
                c.is_whitespace() || c == '<' || c == '>' || !(c.is_ascii() || c.is_alphanumeric())
            })
            .unwrap_or(s.len());
        let url = s[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
        let href = safe_href(url)?;
        return Some((
            Inline::Link {
                href,
                children: vec![Inline::Text(url.to_owned())],
            },
            &s[url.len()..],
        ));
    }
    None
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
mod tests {
    use super::*;
    use Inline::*;

    fn t(s: &str) -> Inline {
        Text(s.to_owned())
    }

    #[test]
    fn inline_markup() {
        assert_eq!(
            parse_inline("a **b** *c* `d`"),
            [
                t("a "),
                Strong(vec![t("b")]),
                t(" "),
                Emphasis(vec![t("c")]),
                t(" "),
                Code("d".into())
            ]
        );
        assert_eq!(
            parse_inline("snake_case_name stays"),
            [t("snake_case_name stays")]
        );
        assert_eq!(parse_inline("2 * 3 * 4"), [t("2 * 3 * 4")]);
        assert_eq!(parse_inline("**unclosed"), [t("**unclosed")]);
        assert_eq!(parse_inline(r"\*not em\*"), [t("*not em*")]);
    }

    #[test]
    fn words_in_any_script_are_words() {
        // Letters outside ASCII continue a word; punctuation around a word ends it.
        assert_eq!(parse_inline("größe_x_maß"), [t("größe_x_maß")]);
        assert_eq!(parse_inline("طلب_رقم_ثلاثة"), [t("طلب_رقم_ثلاثة")]);
        assert_eq!(
            parse_inline("«_oui_» — _sí_…"),
            [
                t("«"),
                Emphasis(vec![t("oui")]),
                t("» — "),
                Emphasis(vec![t("sí")]),
                t("…")
            ]
        );
        assert_eq!(
            parse_inline("xhttps://a.example"),
            [t("xhttps://a.example")]
        );
        assert_eq!(
            parse_inline("éhttps://a.example"),
            [t("éhttps://a.example")]
        );
        let link = Link {
            href: "https://a.example".into(),
            children: vec![t("https://a.example")],
        };
        assert_eq!(parse_inline("«https://a.example»"), [t("«"), link, t("»")]);
    }

    #[test]
    fn links_keep_only_safe_schemes() {
        let link = |href: &str, text: &str| Link {
            href: href.into(),
            children: vec![t(text)],
        };
        assert_eq!(
            parse_inline("[track](https://ups.com/t?1)"),
            [link("https://ups.com/t?1", "track")]
        );
        assert_eq!(
            parse_inline("[mail](mailto:help@shop.example)"),
            [link("mailto:help@shop.example", "mail")]
        );
        assert_eq!(parse_inline("[x](javascript:alert(1))"), [t("x"), t(")")]);
        assert_eq!(parse_inline("[x](data:text/html,hi)"), [t("x")]);
        assert_eq!(parse_inline("[x](/relative)"), [t("x")]);
        assert_eq!(
            parse_inline("see https://shop.example/faq."),
            [
                t("see "),
                link("https://shop.example/faq", "https://shop.example/faq"),
                t(".")
            ]
        );
    }

    #[test]
    fn html_is_text() {
        assert_eq!(
            parse_inline("<script>alert(1)</script>"),
            [t("<script>alert(1)</script>")]
        );
        assert_eq!(
            parse("<img src=x onerror=alert(1)>"),
            [Block::Paragraph(vec![t("<img src=x onerror=alert(1)>")])]
        );
    }

    #[test]
    fn blocks() {
        let blocks = parse("# Refunds\nYour order:\n- item one\n- item **two**\n  continued\n\n1. first\n2) second\n\n```\ncode <b>\n```\nlast line");
        assert_eq!(
            blocks,
            [
                Block::Heading(vec![t("Refunds")]),
                Block::Paragraph(vec![t("Your order:")]),
                Block::List {
                    ordered: false,
                    items: vec![
                        vec![t("item one")],
                        vec![t("item "), Strong(vec![t("two")]), t(" continued")]
                    ]
                },
                Block::List {
                    ordered: true,
                    items: vec![vec![t("first")], vec![t("second")]]
                },
                Block::Code("code <b>".into()),
                Block::Paragraph(vec![t("last line")]),
            ]
        );
        assert_eq!(
            parse("a\nb"),
            [Block::Paragraph(vec![t("a"), Break, t("b")])]
        );
        assert_eq!(parse(""), []);
    }

    #[test]
    fn any_text_parses_without_panicking() {
        for text in [
            "*",
            "**",
            "`",
            "[",
            "[](",
            "[a](",
            "\\",
            "é*ü*",
            "_*_*",
            "1.",
            "#",
            "```",
            "[a](https://x",
            "http://",
        ] {
            let _ = parse(text);
        }
    }
}
