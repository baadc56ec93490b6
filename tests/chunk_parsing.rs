//! Two ways to read a stream chunk in the browser: serde_json on the text (what the engine
//! does), or the browser's `JSON.parse` then `serde_wasm_bindgen::from_value`. Both must give
//! the same chunk; the figures for each (printed, never asserted) are in ARCHITECTURE.md,
//! Choices. Run with
//! `cargo test -p support-widget --target wasm32-unknown-unknown --release --test chunk_parsing -- --nocapture`.

#![cfg(target_arch = "wasm32")]

use support_core::protocol::ChatChunk;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CHUNKS: usize = 2_000;

fn chunk(n: usize) -> String {
    serde_json::json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "llama-3.3-70b",
        "choices": [{"index": 0, "delta": {"content": format!("token{n} ")}, "finish_reason": null}]})
    .to_string()
}

fn with_serde_json(texts: &[String]) -> Vec<ChatChunk> {
    texts
        .iter()
        .map(|t| serde_json::from_str(t).expect("a chunk"))
        .collect()
}

fn with_json_parse(texts: &[String]) -> Vec<ChatChunk> {
    texts
        .iter()
        .map(|t| {
            let value = js_sys::JSON::parse(t).expect("JSON");
            serde_wasm_bindgen::from_value(value).expect("a chunk")
        })
        .collect()
}

/// Microseconds per chunk, the median of several rounds.
fn per_chunk(texts: &[String], read: fn(&[String]) -> Vec<ChatChunk>) -> f64 {
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .expect("performance");
    let mut rounds: Vec<f64> = (0..9)
        .map(|_| {
            let start = performance.now();
            std::hint::black_box(read(texts));
            (performance.now() - start) * 1000.0 / texts.len() as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

#[wasm_bindgen_test]
fn both_ways_read_the_same_chunks() {
    let texts: Vec<String> = (0..CHUNKS).map(chunk).collect();
    assert_eq!(with_serde_json(&texts), with_json_parse(&texts));
    let rust = per_chunk(&texts, with_serde_json);
    let browser = per_chunk(&texts, with_json_parse);
    console_log!("serde_json::from_str: {rust:.2} µs a chunk");
    console_log!("JSON.parse + serde_wasm_bindgen::from_value: {browser:.2} µs a chunk");
}
