//! Serving the app on a listener: HTTP/1.1 connections from hyper, each with `TCP_NODELAY`, the
//! client's address for the rate limit, and a time limit on sending a request's headers (a
//! client that sends them a byte a second is disconnected, never waited for). Headers are
//! bounded ([`MAX_HEADERS`], [`MAX_HEADER_BYTES`]: more is a 431), and so is the number of
//! connections served at once (`MAX_CONNECTIONS`): past it, new ones wait in the listen
//! backlog until one ends.
//!
//! Shutdown is bounded: once `signal` resolves no connection is accepted, idle ones are closed,
//! requests in flight may finish for `grace`, and then whatever is left is dropped.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

/// How long a client may take to send a request's headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The most header fields a request may have.
pub const MAX_HEADERS: usize = 64;
/// The most bytes of a request's head (request line and headers) that are buffered.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Serves `app` until `signal`, at most `max_connections` connections at once, then shuts
/// down within `grace`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    signal: impl Future<Output = ()>,
    grace: Duration,
    max_connections: usize,
) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_headers(MAX_HEADERS)
        .max_buf_size(MAX_HEADER_BYTES);
    let slots = Arc::new(Semaphore::new(max_connections));
    let mut signal = std::pin::pin!(signal);
    loop {
        tokio::select! {
            next = accept(&listener, &slots) => match next {
                Some((stream, peer, slot)) => spawn_connection(&http, &graceful, &app, stream, peer, slot),
                None => break,
            },
            () = &mut signal => break,
        }
    }
    drop(listener);
    tracing::info!(
        open = graceful.count(),
        grace_secs = grace.as_secs(),
        "shutting down: finishing requests in flight"
    );
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every request finished"),
        () = tokio::time::sleep(grace) => tracing::warn!("grace period over: closing the connections left"),
    }
}

/// The next connection, once one of the `slots` is free (`None`: the slots are closed).
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    let slot = slots.clone().acquire_owned().await.ok()?;
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => return Some((stream, peer, slot)),
            Err(error) => {
                // Out of file descriptors, most likely: let some connections end.
                tracing::warn!(%error, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

fn nodelay(stream: TcpStream) -> TcpStream {
    // Streamed replies are many small writes: without TCP_NODELAY each one after the first
    // can wait for the browser's delayed ACK (up to 40 ms).
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "TCP_NODELAY not set");
    }
    stream
}

/// Serves one connection in its own task, with the peer's address where `ConnectInfo` finds it.
fn spawn_connection(
    http: &hyper::server::conn::http1::Builder,
    graceful: &GracefulShutdown,
    app: &Router,
    stream: TcpStream,
    peer: SocketAddr,
    slot: OwnedSemaphorePermit,
) {
    let app = app.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let connection = http.serve_connection(TokioIo::new(nodelay(stream)), service);
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "connection ended with an error");
        }
        drop(slot);
    });
}
