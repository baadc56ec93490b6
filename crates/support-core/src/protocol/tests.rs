//! The wire types against what providers send: every lenient case reads as expected, and
//! requests are written exactly.

use serde_json::json;

use super::*;

/// A chunk with one choice.
fn chunk(delta: Delta, finish_reason: Option<&str>) -> ChatChunk {
    ChatChunk {
        choices: vec![ChunkChoice {
            delta,
            finish_reason: finish_reason.map(str::to_owned),
        }],
        error: None,
    }
}

fn text(content: &str) -> Delta {
    Delta {
        content: Some(content.to_owned()),
        ..Delta::default()
    }
}

fn calls(tool_calls: Vec<ToolCallDelta>) -> Delta {
    Delta {
        tool_calls,
        ..Delta::default()
    }
}

fn piece(index: Option<u32>, id: Option<&str>, arguments: Option<&str>) -> ToolCallDelta {
    ToolCallDelta {
        index,
        id: id.map(str::to_owned),
        function: Some(FunctionDelta {
            name: None,
            arguments: arguments.map(str::to_owned),
        }),
    }
}

fn failed(error: ApiError) -> ChatChunk {
    ChatChunk {
        choices: Vec::new(),
        error: Some(error),
    }
}

fn api_error(message: Option<&str>, kind: Option<&str>, code: Option<&str>) -> ApiError {
    ApiError {
        message: message.map(str::to_owned),
        kind: kind.map(str::to_owned),
        code: code.map(str::to_owned),
    }
}

fn check(input: &str, expected: ChatChunk) {
    let got: ChatChunk = serde_json::from_str(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(got, expected, "{input}");
}

#[test]
fn content_may_be_a_string_null_or_a_list_of_text_parts() {
    check(
        r#"{"choices":[{"delta":{"content":"Hi"}}]}"#,
        chunk(text("Hi"), None),
    );
    check(
        r#"{"choices":[{"delta":{"content":null}}]}"#,
        chunk(Delta::default(), None),
    );
    check(
        r#"{"choices":[{"delta":{"content":[{"type":"text","text":"Hel"},{"type":"text","text":"lo"}]}}]}"#,
        chunk(text("Hello"), None),
    );
    check(
        r#"{"choices":[{"delta":{"content":[null,{"type":"image_url","image_url":{}},{"text":"a"},5]}}]}"#,
        chunk(text("a"), None),
    );
    check(
        r#"{"choices":[{"delta":{"content":[]}}]}"#,
        chunk(Delta::default(), None),
    );
}

#[test]
fn mistyped_optional_fields_read_as_none() {
    check(
        r#"{"choices":[{"delta":{"content":42}}]}"#,
        chunk(Delta::default(), None),
    );
    check(
        r#"{"choices":[{"delta":{"content":{"text":"x"}}}]}"#,
        chunk(Delta::default(), None),
    );
    check(
        r#"{"choices":[{"delta":{},"finish_reason":7}]}"#,
        chunk(Delta::default(), None),
    );
    check(
        r#"{"choices":[{"delta":"x","finish_reason":"stop"}]}"#,
        chunk(Delta::default(), Some("stop")),
    );
    check(
        r#"{"choices":[{"delta":null}]}"#,
        chunk(Delta::default(), None),
    );
    check(
        r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":17,"function":"f"}]}}]}"#,
        chunk(
            calls(vec![ToolCallDelta {
                index: Some(0),
                ..ToolCallDelta::default()
            }]),
            None,
        ),
    );
}

#[test]
fn a_negative_fractional_or_huge_index_is_none() {
    for index in ["-1", "0.5", "1.0", "4294967296", "\"0\"", "null", "[]"] {
        let input = format!(
            r#"{{"choices":[{{"delta":{{"tool_calls":[{{"index":{index},"function":{{"arguments":"{{}}"}}}}]}}}}]}}"#
        );
        check(
            &input,
            chunk(calls(vec![piece(None, None, Some("{}"))]), None),
        );
    }
    check(
        r#"{"choices":[{"delta":{"tool_calls":[{"index":3,"function":{"arguments":""}}]}}]}"#,
        chunk(calls(vec![piece(Some(3), None, Some(""))]), None),
    );
}

#[test]
fn lists_may_be_null_and_entries_that_are_not_objects_are_skipped() {
    check(r#"{"choices":null}"#, ChatChunk::default());
    check(r#"{"choices":{"delta":{}}}"#, ChatChunk::default());
    check(
        r#"{"choices":[null,{"delta":{"content":"a"}}]}"#,
        chunk(text("a"), None),
    );
    check(
        r#"{"choices":[{"delta":{"tool_calls":null}}]}"#,
        chunk(Delta::default(), None),
    );
    check(
        r#"{"choices":[{"delta":{"tool_calls":[null,{"index":1,"id":"c"},"x"]}}]}"#,
        chunk(
            calls(vec![ToolCallDelta {
                index: Some(1),
                id: Some("c".into()),
                function: None,
            }]),
            None,
        ),
    );
}

#[test]
fn arguments_may_be_a_string_or_an_object() {
    let with = |arguments: &str| {
        format!(
            r#"{{"choices":[{{"delta":{{"tool_calls":[{{"index":0,"function":{{"arguments":{arguments}}}}}]}}}}]}}"#
        )
    };
    let expected =
        |arguments: Option<&str>| chunk(calls(vec![piece(Some(0), None, arguments)]), None);
    check(
        &with(r#""{\"order_id\": \"ORD-1\"}""#),
        expected(Some(r#"{"order_id": "ORD-1"}"#)),
    );
    check(
        &with(r#"{ "order_id" : "ORD-1" }"#),
        expected(Some(r#"{"order_id":"ORD-1"}"#)),
    );
    check(&with("null"), expected(None));
    check(&with("[1]"), expected(Some("[1]")));
}

#[test]
fn an_error_may_be_an_object_a_string_or_a_number() {
    check(
        r#"{"error":{"message":"busy","type":"server_error","code":"overloaded"}}"#,
        failed(api_error(
            Some("busy"),
            Some("server_error"),
            Some("overloaded"),
        )),
    );
    check(
        r#"{"error":{"message":"slow down","code":429}}"#,
        failed(api_error(Some("slow down"), None, Some("429"))),
    );
    check(
        r#"{"error":{"message":"x","code":{"n":1},"type":5}}"#,
        failed(api_error(Some("x"), None, None)),
    );
    check(
        r#"{"error":"Upstream timed out"}"#,
        failed(api_error(Some("Upstream timed out"), None, None)),
    );
    check(
        r#"{"error":503}"#,
        failed(api_error(None, None, Some("503"))),
    );
    check(r#"{"error":true}"#, failed(ApiError::default()));
    for none in ["null", "false", "\"\"", "[]"] {
        check(
            &format!(r#"{{"error":{none},"choices":[]}}"#),
            ChatChunk::default(),
        );
    }
}

#[test]
fn unknown_fields_are_ignored() {
    check(
        r#"{"id":"x","object":"chat.completion.chunk","usage":{"total_tokens":3},"x_groq":{"id":"q"},
            "choices":[{"index":0,"delta":{"role":"assistant","content":"ok"},"logprobs":null,
            "native_finish_reason":"stop","finish_reason":"stop"}]}"#,
        chunk(text("ok"), Some("stop")),
    );
}

#[test]
fn a_completion_is_as_lenient_as_a_chunk() {
    let completion: ChatCompletion = serde_json::from_str(
        r#"{"choices":[null,{"message":{"content":[{"type":"text","text":"Hi"}],"tool_calls":[null,{"id":"c","function":{"name":"f","arguments":{"a":1}}}]},"finish_reason":null}],"error":null}"#,
    )
    .expect("lenient");
    let choice = &completion.choices[0];
    assert_eq!(choice.message.content.as_deref(), Some("Hi"));
    assert_eq!(
        choice.message.tool_calls[0]
            .function
            .as_ref()
            .and_then(|f| f.arguments.as_deref()),
        Some(r#"{"a":1}"#)
    );
    assert_eq!(choice.finish_reason, None);
    let empty: ChatCompletion =
        serde_json::from_str(r#"{"choices":[{"message":null}]}"#).expect("lenient");
    assert_eq!(empty.choices[0].message, ResponseMessage::default());
}

#[test]
fn chunks_are_written_as_they_are_read() {
    let full = ChatChunk {
        choices: vec![ChunkChoice {
            delta: Delta {
                content: Some("Hi".into()),
                tool_calls: vec![ToolCallDelta {
                    index: Some(0),
                    id: Some("c".into()),
                    function: Some(FunctionDelta {
                        name: Some("f".into()),
                        arguments: Some("{}".into()),
                    }),
                }],
            },
            finish_reason: Some("stop".into()),
        }],
        error: Some(api_error(Some("m"), Some("t"), Some("7"))),
    };
    for chunk in [full, ChatChunk::default(), chunk(Delta::default(), None)] {
        let text = serde_json::to_string(&chunk).expect("encodes");
        check(&text, chunk);
    }
    assert_eq!(
        serde_json::to_string(&chunk(text("a"), None)).expect("encodes"),
        r#"{"choices":[{"delta":{"content":"a"}}]}"#
    );
}

fn call(arguments: &str) -> ToolCall {
    ToolCall {
        id: "call_1".into(),
        kind: "function".into(),
        function: FunctionCall {
            name: "lookup_order".into(),
            arguments: arguments.into(),
        },
    }
}

#[test]
fn requests_leave_unset_fields_out_and_send_arguments_back_as_they_came() {
    let request = ChatRequest {
        model: "m".into(),
        messages: vec![
            Message::user("hi"),
            Message::assistant("", vec![call("{\"order_id\": \"ORD-1\"}")]),
            Message::tool("call_1", "{}"),
        ],
        tools: Vec::new(),
        tool_choice: None,
        stream: None,
        max_tokens: Some(512),
        temperature: Some(0.123456789),
    };
    let sent = serde_json::to_string(&request).expect("encodes");
    assert_eq!(
        sent,
        concat!(
            r#"{"model":"m","messages":[{"role":"user","content":"hi"},"#,
            r#"{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\": \"ORD-1\"}"}}]},"#,
            r#"{"role":"tool","tool_call_id":"call_1","content":"{}"}],"max_tokens":512,"temperature":0.123456789}"#
        )
    );
    let back: ChatRequest = serde_json::from_str(&sent).expect("reads back");
    assert_eq!(back, request);
}

#[test]
fn requests_are_read_strictly() {
    for bad in [
        json!({"model": "m"}),
        json!({"model": "m", "messages": [{"role": "wizard", "content": "hi"}]}),
        json!({"model": "m", "messages": [{"role": "user"}]}),
        json!({"model": "m", "messages": [], "stream": "yes"}),
        json!({"model": "m", "messages": [], "max_tokens": -1}),
        json!({"model": "m", "messages": [], "tool_choice": "sometimes"}),
    ] {
        assert!(
            serde_json::from_value::<ChatRequest>(bad.clone()).is_err(),
            "{bad}"
        );
    }
    let lenient: ChatRequest = serde_json::from_value(json!({"model": "m", "tools": null, "messages": [
        {"role": "assistant", "content": null, "tool_calls": null},
        {"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": {"a": 1}}}]}
    ]}))
    .expect("null lists and object arguments are read");
    assert_eq!(lenient.messages[0], Message::assistant("", vec![]));
    assert_eq!(lenient.messages[1].tool_calls()[0].kind, "function");
    assert_eq!(
        lenient.messages[1].tool_calls()[0].function.arguments,
        r#"{"a":1}"#
    );
}

#[test]
fn an_overload_or_rate_limit_error_stands_for_its_http_status() {
    let status =
        |kind: Option<&str>, code: Option<&str>| api_error(None, kind, code).overload_status();
    assert_eq!(status(None, Some("429")), Some(429));
    assert_eq!(status(None, Some("503")), Some(503));
    assert_eq!(status(None, Some("529")), Some(529));
    assert_eq!(status(Some("overloaded_error"), None), Some(529));
    assert_eq!(status(Some("server_error"), Some("overloaded")), Some(529));
    assert_eq!(
        status(Some("requests"), Some("rate_limit_exceeded")),
        Some(429)
    );
    assert_eq!(status(Some("rate_limit_error"), Some("400")), Some(429));
    assert_eq!(
        status(Some("invalid_request_error"), Some("invalid_api_key")),
        None
    );
    assert_eq!(status(None, Some("401")), None);
    assert_eq!(status(None, None), None);
}
