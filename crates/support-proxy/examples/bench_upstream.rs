//! A fast scripted OpenAI-compatible upstream for the proxy benchmark: every chat request gets a
//! short SSE reply whose first piece is sent at once and the rest after `GAP_MS` (default 20),
//! so time to first byte and total time differ. Listens on 127.0.0.1:`PORT` (default 9911).

use std::time::Duration;

use axum::body::Body;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::serve::ListenerExt;
use axum::Router;

async fn completions() -> impl IntoResponse {
    let gap = std::env::var("GAP_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let pieces = [
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Refunds take\"}}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" 3 to 5 days.\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
    ];
    let stream = futures_util::stream::iter(pieces.into_iter().enumerate()).then(
        move |(n, piece)| async move {
            if n > 0 && gap > 0 {
                tokio::time::sleep(Duration::from_millis(gap)).await;
            }
            Ok::<_, std::io::Error>(piece)
        },
    );
    (
        [(header::CONTENT_TYPE, "text/event-stream")],
        Body::from_stream(stream),
    )
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(9911);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("bench upstream on http://127.0.0.1:{port}/v1");
    // Like the proxy, write each piece at once (no Nagle delay behind the delayed ACK).
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    axum::serve(
        listener,
        Router::new().route("/v1/chat/completions", post(completions)),
    )
    .await
}

use futures_util::StreamExt;
