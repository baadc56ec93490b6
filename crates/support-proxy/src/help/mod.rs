//! Help articles in proxy mode: `GET /v1/help/search?q=…&limit=…` answers from the passages
//! in the database ([`store`]), found with its own full-text search over plain terms
//! ([`terms`]).
//!
//! The articles are a folder of Markdown files with front matter, split into passages by the
//! core's own reader and splitter (`support_core::help::article::passages_of`), so the widget's
//! bundled search and the proxy index the same passages. They come from `HELP_DIR` at start or
//! `support-proxy import-help DIR`; a new SQLite database gets the demo store's articles.

pub mod store;
pub mod terms;

use std::path::Path;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use support_core::help::article::passages_of;
use support_core::help::{Passage, SearchResults, NO_MATCH, RESULT_LIMIT};

pub use store::HelpStore;

use crate::db::OrderStore;
use crate::error::AppError;
use crate::AppState;

/// The most passages one search gives.
pub const MAX_LIMIT: usize = 10;

/// The demo store's articles (the core's `data/help`), built in like the bundled orders.
pub const DEMO_ARTICLES: &[(&str, &str)] = &[
    (
        "contact.md",
        include_str!("../../../support-core/data/help/contact.md"),
    ),
    (
        "order-changes.md",
        include_str!("../../../support-core/data/help/order-changes.md"),
    ),
    (
        "payment-methods.md",
        include_str!("../../../support-core/data/help/payment-methods.md"),
    ),
    (
        "refund-timing.md",
        include_str!("../../../support-core/data/help/refund-timing.md"),
    ),
    (
        "returns-and-refunds.md",
        include_str!("../../../support-core/data/help/returns-and-refunds.md"),
    ),
    (
        "shipping.md",
        include_str!("../../../support-core/data/help/shipping.md"),
    ),
    (
        "warranty.md",
        include_str!("../../../support-core/data/help/warranty.md"),
    ),
];

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    limit: Option<String>,
}

/// `GET /v1/help/search`: `q` is required; `limit` is 1 to [`MAX_LIMIT`], by default the
/// tool's [`RESULT_LIMIT`]. The answer is the bundled search's `SearchResults`, each hit with
/// its heading's anchor.
pub async fn search(
    State(state): State<AppState>,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<SearchResults>, AppError> {
    let Query(query) = query?;
    let q = query
        .q
        .ok_or_else(|| AppError::invalid("the query parameter q is required"))?;
    let limit = match query.limit.as_deref().map(str::trim) {
        None | Some("") => RESULT_LIMIT,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| AppError::invalid(format!("limit must be from 1 to {MAX_LIMIT}")))?,
    };
    let results = state.help.search(&q, limit).await.map_err(|error| {
        tracing::error!(%error, "help search failed");
        AppError::Unavailable
    })?;
    let note = results.is_empty().then(|| NO_MATCH.to_owned());
    Ok(Json(SearchResults { results, note }))
}

/// The passages of every `*.md` file of `dir`, in name order; a file that cannot be read or
/// parsed is named in the error.
pub fn load_dir(dir: &Path) -> Result<Vec<Passage>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "md") {
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        files.push((path.display().to_string(), text));
    }
    if files.is_empty() {
        return Err(format!("{}: no *.md articles", dir.display()));
    }
    passages_of(files)
}

/// The demo store's passages.
pub fn demo_passages() -> Vec<Passage> {
    let files = DEMO_ARTICLES
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()));
    passages_of(files).expect("the demo articles are checked by the core's tests")
}

/// Creates the passages' table; a SQLite database without passages gets the demo's.
pub async fn prepare(orders: &OrderStore) -> Result<(), sqlx::Error> {
    let store = HelpStore::new(orders);
    store.prepare().await?;
    if orders.is_sqlite() && store.count().await? == 0 {
        store.import(&demo_passages()).await?;
    }
    Ok(())
}
