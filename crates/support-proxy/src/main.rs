//! `support-proxy`: serve the widget's backend. `support-proxy seed` prepares a database.

use std::process::ExitCode;

use axum::serve::ListenerExt;
use support_proxy::config::ProxyConfig;
use support_proxy::db::OrderStore;
use support_proxy::{app, AppState};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match ProxyConfig::from_env(|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("support-proxy: {error}");
            return ExitCode::from(2);
        }
    };
    init_logs(config.log_json);
    let orders = match OrderStore::open(&config.database_url).await {
        Ok(orders) => orders,
        Err(error) => {
            eprintln!("support-proxy: cannot open DATABASE_URL: {error}");
            return ExitCode::from(1);
        }
    };
    if std::env::args().nth(1).as_deref() == Some("seed") {
        return match orders.seed().await {
            Ok(added) => {
                println!("support-proxy: orders table ready, {added} bundled orders added");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("support-proxy: seeding failed: {error}");
                ExitCode::from(1)
            }
        };
    }
    serve(config, orders).await
}

async fn serve(config: ProxyConfig, orders: OrderStore) -> ExitCode {
    let bind = config.bind;
    if config.upstream_api_key.is_none() {
        tracing::warn!("no UPSTREAM_API_KEY (or OXLO_API_KEY): the chat will explain what to set");
    }
    if !config.static_dir.is_dir() {
        tracing::warn!(dir = %config.static_dir.display(), "STATIC_DIR does not exist; no widget files are served");
    }
    let listener = match tokio::net::TcpListener::bind(bind).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("support-proxy: cannot listen on BIND={bind}: {error}");
            return ExitCode::from(1);
        }
    };
    let bound = listener.local_addr().unwrap_or(bind);
    tracing::info!(%bound, upstream = %config.upstream_base_url, "support-proxy listening");
    println!("support-proxy: serving on http://{bound}");
    let state = AppState::new(config, orders);
    let limiter = state.limiter.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            limiter.retain_recent();
        }
    });
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // Streamed replies are many small writes: without TCP_NODELAY each one after the first
    // can wait for the browser's delayed ACK (up to 40 ms).
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set");
        }
    });
    match axum::serve(listener, service)
        .with_graceful_shutdown(shutdown())
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("support-proxy: {error}");
            ExitCode::from(1)
        }
    }
}

fn init_logs(json: bool) {
    let filter = EnvFilter::try_from_env("LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
