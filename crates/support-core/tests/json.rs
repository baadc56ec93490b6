//! The engine's JSON module against serde_json: the same documents are accepted, read as the
//! same values, and written back as text serde_json reads as the same value.

use proptest::prelude::*;
use support_core::json;

/// Arbitrary JSON documents, as serde_json values.
fn document() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        (-1e12f64..1e12).prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::String),
        "[a-z\"\\\\\n\t\u{0}-\u{1f}é😀]{0,12}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z_\"\\\\]{0,6}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// What serde_json reads from the engine's encoding of a value.
fn reread(value: &json::Value) -> serde_json::Value {
    serde_json::from_str(&value.encode()).expect("the engine writes JSON")
}

/// What serde_json reads from a text (its float parsing is not exact, so documents are compared
/// as it reads them, not as they were built).
fn reparse(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("JSON")
}

/// Short texts made mostly of JSON's own characters, valid or not.
fn jsonish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(","),
            Just(":"),
            Just("\""),
            Just("\\"),
            Just("\\u00e9"),
            Just("\\ud83d"),
            Just("\\ude00"),
            Just("1"),
            Just("-"),
            Just("0"),
            Just("."),
            Just("e"),
            Just("+"),
            Just("true"),
            Just("null"),
            Just("fals"),
            Just(" "),
            Just("\n"),
            Just("a"),
            Just("é"),
            Just("\u{1}"),
        ],
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn documents_round_trip_like_serde_json(doc in document()) {
        let text = doc.to_string();
        let ours = json::parse(&text).expect("serde_json's output is JSON");
        prop_assert_eq!(reread(&ours), reparse(&text));
    }

    #[test]
    fn pretty_documents_parse_too(doc in document()) {
        let text = serde_json::to_string_pretty(&doc).expect("encodable");
        let ours = json::parse(&text).expect("pretty JSON is JSON");
        prop_assert_eq!(reread(&ours), reparse(&text));
    }

    #[test]
    fn the_same_texts_are_accepted(text in jsonish()) {
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        let ours = json::parse(&text);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {:?}", text, ours);
        if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
            let back: serde_json::Value = serde_json::from_str(&ours.encode()).expect("JSON");
            prop_assert_eq!(back, theirs);
        }
    }

    #[test]
    fn a_cut_document_is_reported_as_cut(doc in document(), cut in 0.0f64..1.0) {
        let text = doc.to_string();
        let at = (text.len() as f64 * cut) as usize;
        if let Some(prefix) = text.get(..at) {
            if let Err(error) = json::parse(prefix) {
                let theirs = serde_json::from_str::<serde_json::Value>(prefix)
                    .expect_err("a strict prefix of a document is not a document");
                prop_assert_eq!(error.is_eof(), theirs.is_eof(), "{:?}", prefix);
            }
        }
    }
}
