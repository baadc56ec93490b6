//! The registry's schemas and the validation of calls.

use super::*;
use crate::protocol::FunctionCall;

fn call(name: &str, arguments: &str) -> ToolCall {
    ToolCall {
        id: "call_1".into(),
        kind: "function".into(),
        function: FunctionCall {
            name: name.into(),
            arguments: arguments.into(),
        },
    }
}

fn check(name: &str, arguments: &str, expected: Result<&str, Value>) {
    let got = ToolRegistry::default().validate(&call(name, arguments));
    match expected {
        Ok(id) => assert_eq!(
            got,
            Ok(ToolInvocation::LookupOrder {
                order_id: id.into(),
                email: None
            })
        ),
        Err(result) => assert_eq!(got.map_err(|e| e.to_result()), Err(result)),
    }
}

#[test]
fn seed_schema_to_the_letter() {
    // The seed offered lookup_order alone; it stays first and exactly as it was.
    let definitions = serde_json::to_value(&ToolRegistry::default().definitions()[..1])
        .expect("definitions are JSON");
    let seed: Value = serde_json::from_str(include_str!("../../tests/fixtures/seed/tools.json"))
        .expect("the seed's schema is JSON");
    assert_eq!(definitions, seed);
}

#[test]
fn search_help_is_offered_with_a_plain_schema() {
    let registry = ToolRegistry::default();
    assert_eq!(
        registry.names(),
        [
            "lookup_order",
            "search_help",
            "request_refund",
            "cancel_order",
            "handoff_to_human"
        ]
    );
    let search = &registry.definitions()[1].function;
    assert_eq!(
        search.parameters,
        json!({"type": "object", "required": ["query"], "properties": {"query": {"type": "string",
            "description": "The customer's question in a few words, e.g. how long does a refund take"}}})
    );
    assert_eq!(ToolRegistry::with_email().names(), registry.names());
}

#[test]
fn search_help_calls_are_validated() {
    let search = |args: &str| {
        ToolRegistry::default()
            .validate(&call("search_help", args))
            .map_err(|e| e.to_result())
    };
    assert_eq!(
        search(r#"{"query": "  how long\n does a   refund take "}"#),
        Ok(ToolInvocation::SearchHelp {
            query: "how long does a refund take".into()
        })
    );
    for (args, error) in [
        ("{}", "Invalid arguments: query is required"),
        (
            r#"{"query": 5}"#,
            "Invalid arguments: query must be a string",
        ),
        (r#"{"query": null}"#, "Invalid arguments: query is required"),
        (r#"{"query": " \t "}"#, "Invalid arguments: query is empty"),
    ] {
        assert_eq!(search(args), Err(json!({ "error": error })), "{args}");
    }
    let long = json!({ "query": "a".repeat(MAX_QUERY + 1) }).to_string();
    assert_eq!(
        search(&long),
        Err(json!({"error": "Invalid arguments: query is longer than 500 characters"}))
    );
}

#[test]
fn valid_calls() {
    check(
        "lookup_order",
        r#"{"order_id": "ORD-1002"}"#,
        Ok("ORD-1002"),
    );
    check(
        "lookup_order",
        r#"{"order_id": " ord-1002 ", "extra": 1}"#,
        Ok("ORD-1002"),
    );
    check("lookup_order", r#"{"order_id": 1002}"#, Ok("ORD-1002"));
}

#[test]
fn the_email_variant_requires_and_normalises_the_email() {
    let registry = ToolRegistry::with_email();
    assert!(registry.requires_email());
    assert_eq!(
        registry.definitions()[0].function.parameters["required"],
        json!(["order_id", "email"])
    );
    let ok = registry.validate(&call(
        "lookup_order",
        r#"{"order_id": "ORD-1", "email": " Ann@Shop.Example "}"#,
    ));
    assert_eq!(
        ok,
        Ok(ToolInvocation::LookupOrder {
            order_id: "ORD-1".into(),
            email: Some("ann@shop.example".into())
        })
    );
    for (args, error) in [
        (
            r#"{"order_id": "ORD-1"}"#,
            "Invalid arguments: email is required",
        ),
        (
            r#"{"order_id": "ORD-1", "email": "nope"}"#,
            "Invalid arguments: email is not a valid email address",
        ),
        (
            r#"{"order_id": "ORD-1", "email": 5}"#,
            "Invalid arguments: email must be a string",
        ),
    ] {
        assert_eq!(
            registry
                .validate(&call("lookup_order", args))
                .map_err(|e| e.to_result()),
            Err(json!({"error": error}))
        );
    }
}

#[test]
fn invalid_calls_become_error_results() {
    check("delete_orders", "{}", Err(json!({"error": "Unknown tool"})));
    check(
        "lookup_order",
        "{\"order_id\": ",
        Err(json!({"error": "Invalid arguments: arguments are not valid JSON"})),
    );
    check(
        "lookup_order",
        "[1]",
        Err(json!({"error": "Invalid arguments: arguments must be a JSON object"})),
    );
    check(
        "lookup_order",
        "",
        Err(json!({"error": "Invalid arguments: order_id is required"})),
    );
    check(
        "lookup_order",
        r#"{"order_id": null}"#,
        Err(json!({"error": "Invalid arguments: order_id must be a string"})),
    );
    check(
        "lookup_order",
        r#"{"order_id": "<script>"}"#,
        Err(
            json!({"error": "Invalid arguments: \"<script>\" is not an order id: order ids look like ORD-1234"}),
        ),
    );
}

#[test]
fn actions_are_validated_and_need_consent() {
    let validate = |name: &str, args: &str| {
        ToolRegistry::default()
            .validate(&call(name, args))
            .map_err(|e| e.to_result())
    };
    let refund = validate(
        "request_refund",
        r#"{"order_id": "ord 1004", "reason": " Too loud "}"#,
    )
    .expect("valid");
    assert_eq!(
        refund,
        ToolInvocation::RequestChange {
            kind: ChangeKind::Refund,
            order_id: "ORD-1004".into(),
            reason: "Too loud".into(),
            email: None
        }
    );
    assert!(refund.needs_consent());
    assert!(validate(
        "cancel_order",
        r#"{"order_id": "1002", "reason": "changed my mind"}"#
    )
    .is_ok_and(|i| i.needs_consent()));
    let handoff = validate("handoff_to_human", r#"{"summary": "Wants a person"}"#).expect("valid");
    assert!(handoff.needs_consent());
    for (name, args, error) in [
        (
            "request_refund",
            r#"{"order_id": "ORD-1004"}"#,
            "Invalid arguments: reason is required",
        ),
        (
            "request_refund",
            r#"{"order_id": "ORD-1004", "reason": "  "}"#,
            "Invalid arguments: reason is empty",
        ),
        (
            "request_refund",
            r#"{"order_id": "ORD-1004", "reason": 7}"#,
            "Invalid arguments: reason must be a string",
        ),
        (
            "cancel_order",
            r#"{"reason": "x"}"#,
            "Invalid arguments: order_id is required",
        ),
        (
            "cancel_order",
            r#"{"order_id": "DROP TABLE", "reason": "x"}"#,
            "Invalid arguments: \"DROP TABLE\" is not an order id: order ids look like ORD-1234",
        ),
        (
            "handoff_to_human",
            "{}",
            "Invalid arguments: summary is required",
        ),
    ] {
        assert_eq!(
            validate(name, args),
            Err(json!({"error": error})),
            "{name} {args}"
        );
    }
    let long = format!(
        r#"{{"order_id": "ORD-1004", "reason": "{}"}}"#,
        "x".repeat(MAX_REASON + 1)
    );
    assert!(validate("request_refund", &long).is_err());
    let long = format!(r#"{{"summary": "{}"}}"#, "x".repeat(MAX_SUMMARY + 1));
    assert!(validate("handoff_to_human", &long).is_err());
    // Never run without consent, whoever asks.
    assert_eq!(
        handoff.run_with(&OrderBook::default(), &HelpIndex::new(Vec::new()))["changed"],
        false
    );
}

#[test]
fn with_email_every_order_tool_needs_it() {
    let registry = ToolRegistry::with_email();
    for definition in registry.definitions() {
        let p = &definition.function.parameters;
        let needs = p["required"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("email")));
        assert_eq!(
            needs,
            p["properties"].get("order_id").is_some(),
            "{}",
            definition.function.name
        );
    }
    assert!(registry
        .validate(&call(
            "request_refund",
            r#"{"order_id": "ORD-1004", "reason": "x"}"#
        ))
        .is_err());
}
