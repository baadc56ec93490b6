//! Decoder throughput: a 2,000-chunk streamed reply and a streamed tool call, fed in network-
//! sized pieces. Run with `cargo bench -p support-core`; prints a Markdown table. Each body is
//! decoded again and again for two seconds and the median time is reported, so that a busy
//! machine's slow moments do not count as the decoder's. The last column compares each row
//! with the target of 120 MiB/s.

use std::hint::black_box;
use std::time::{Duration, Instant};

use support_core::decode::decode_pieces;

/// The decoder's throughput target, in MiB/s.
const TARGET_MIB_S: f64 = 120.0;

fn text_stream(chunks: usize) -> Vec<u8> {
    let mut body = String::new();
    for n in 0..chunks {
        let chunk = serde_json::json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "llama-3.3-70b",
            "choices": [{"index": 0, "delta": {"content": format!("token{n} ")}, "finish_reason": null}]});
        body.push_str(&format!("data: {chunk}\n\n"));
    }
    body.push_str("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    body.into_bytes()
}

fn tool_stream(pieces: usize) -> Vec<u8> {
    let mut body = String::from("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"lookup_order\",\"arguments\":\"\"}}]}}]}\n\n");
    body.push_str("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"order_id\\\": \\\"ORD-1002\\\", \\\"note\\\": \\\"\"}}]}}]}\n\n");
    for _ in 0..pieces {
        body.push_str("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"xx\"}}]}}]}\n\n");
    }
    body.push_str("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n");
    body.into_bytes()
}

fn measure(name: &str, body: &[u8], piece: usize, events: usize) {
    let run = || black_box(decode_pieces(body.chunks(piece), &["lookup_order"]));
    run();
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        let one = Instant::now();
        run();
        times.push(one.elapsed());
    }
    times.sort_unstable();
    let per_run = times[times.len() / 2];
    let mib_s = body.len() as f64 / per_run.as_secs_f64() / (1024.0 * 1024.0);
    let events_s = events as f64 / per_run.as_secs_f64();
    let verdict = if mib_s >= TARGET_MIB_S {
        "within"
    } else {
        "BELOW TARGET"
    };
    println!(
        "| {name} | {} KiB | {piece} B | {:.2} ms | {mib_s:.0} MiB/s | {:.1} M events/s | {verdict} |",
        body.len() / 1024,
        per_run.as_secs_f64() * 1e3,
        events_s / 1e6
    );
}

fn main() {
    println!(
        "| body | size | piece | time per body | throughput | events | target {TARGET_MIB_S} MiB/s |"
    );
    println!("|---|---|---|---|---|---|---|");
    let text = text_stream(2000);
    measure("2,000-chunk text reply", &text, 1400, 2002);
    measure("2,000-chunk text reply", &text, 16, 2002);
    let tool = tool_stream(2000);
    measure("tool call in 2,000 pieces", &tool, 1400, 2003);
}
