//! `support-proxy`: serve the widget's backend. `support-proxy seed` prepares a database;
//! `support-proxy import-help DIR` replaces the stored help articles with DIR's.

use std::path::Path;
use std::process::ExitCode;

use support_proxy::config::ProxyConfig;
use support_proxy::db::OrderStore;
use support_proxy::help::HelpStore;
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("import-help") {
        let Some(dir) = args.get(1) else {
            eprintln!("usage: support-proxy import-help DIR");
            return ExitCode::from(2);
        };
        return import_help(&orders, Path::new(dir)).await;
    }
    if let Some(dir) = &config.help_dir {
        let code = import_help(&orders, dir).await;
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    if args.first().map(String::as_str) == Some("seed") {
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

/// Replaces the stored help articles with the passages of `dir`'s articles.
async fn import_help(orders: &OrderStore, dir: &Path) -> ExitCode {
    let passages = match support_proxy::help::load_dir(dir) {
        Ok(passages) => passages,
        Err(error) => {
            eprintln!("support-proxy: cannot read the help articles: {error}");
            return ExitCode::from(1);
        }
    };
    match HelpStore::new(orders).import(&passages).await {
        Ok(count) => {
            println!(
                "support-proxy: {count} help passages imported from {}",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("support-proxy: importing the help articles failed: {error}");
            ExitCode::from(1)
        }
    }
}

async fn serve(config: ProxyConfig, orders: OrderStore) -> ExitCode {
    let bind = config.bind;
    if config.upstream_api_key.is_none() {
        tracing::warn!(
            variable = "UPSTREAM_API_KEY",
            "no API key (UPSTREAM_API_KEY or OXLO_API_KEY): chat requests are refused"
        );
    }
    if config.public_hosts.is_empty() {
        tracing::warn!(
            variable = "PUBLIC_HOSTS",
            "no public host names: the Host of API requests is not checked, and a browser page is trusted only when its origin is in ALLOWED_ORIGINS"
        );
    }
    if !config.static_dir.is_dir() {
        tracing::warn!(dir = ?config.static_dir.display(), variable = "STATIC_DIR", "the directory does not exist; no widget files are served");
    }
    let listener = match tokio::net::TcpListener::bind(bind).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("support-proxy: cannot listen on BIND={bind}: {error}");
            return ExitCode::from(1);
        }
    };
    let grace = config.timeouts.shutdown_grace;
    let max_connections = config.max_connections;
    let state = match AppState::new(config, orders) {
        Ok(state) => state,
        Err(error) => {
            eprintln!("support-proxy: {error}");
            return ExitCode::from(1);
        }
    };
    if let Some(shared) = &state.limits.shared {
        if shared.ping().await {
            tracing::info!("rate limits are shared through Redis");
        }
    }
    let limits = state.limits.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            limits.retain_recent();
        }
    });
    let bound = listener.local_addr().unwrap_or(bind);
    tracing::info!(%bound, upstream = %state.config.upstream_base_url, "support-proxy listening");
    println!("support-proxy: serving on http://{bound}");
    support_proxy::serve::serve(listener, app(state), shutdown(), grace, max_connections).await;
    ExitCode::SUCCESS
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
