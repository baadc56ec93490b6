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
