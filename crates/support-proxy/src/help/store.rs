//! The help passages in the proxy's database, searched with the database's own full-text
//! search: SQLite FTS5 ranked by `bm25()`, PostgreSQL a generated `tsvector` column with a GIN
//! index, queried with `websearch_to_tsquery` and ranked by `ts_rank`. Both go through the
//! order store's sqlx `Any` pool; only the schema and the search statement differ.
//!
//! The query is always a bound parameter made of plain terms ([`super::terms`]); the whole set
//! of passages is replaced in one transaction, so a search sees the old set or the new one.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use support_core::help::Passage;

use super::terms::{fts5_match, terms, websearch};
use super::HelpHit;
use crate::db::OrderStore;

/// FTS5 keeps every column; the unindexed ones are only given back.
const SQLITE_SCHEMA: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS help_passages USING fts5(
    title, tags, heading, text, url UNINDEXED, anchor UNINDEXED, position UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2')",
];

/// Title and tags weigh most, then the heading, then the text (`setweight` A, B, C).
const POSTGRES_SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS help_passages (
    position BIGINT NOT NULL, title TEXT NOT NULL, url TEXT NOT NULL, heading TEXT NOT NULL,
    anchor TEXT NOT NULL, text TEXT NOT NULL, tags TEXT NOT NULL,
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title || ' ' || tags), 'A') ||
        setweight(to_tsvector('english', heading), 'B') ||
        setweight(to_tsvector('english', text), 'C')) STORED)",
    "CREATE INDEX IF NOT EXISTS help_passages_search ON help_passages USING GIN (search)",
];

/// Column weights for FTS5's `bm25()`, in the table's column order (title, tags, heading,
/// text); lower scores are better.
const SQLITE_SEARCH: &str = "SELECT title, url, heading, anchor, text FROM help_passages
    WHERE help_passages MATCH $1
    ORDER BY bm25(help_passages, 4.0, 4.0, 2.0, 1.0), position LIMIT $2";

const POSTGRES_SEARCH: &str = "SELECT title, url, heading, anchor, text
    FROM help_passages, websearch_to_tsquery('english', $1) AS query
    WHERE search @@ query ORDER BY ts_rank(search, query) DESC, position LIMIT $2";

const INSERT: &str = "INSERT INTO help_passages (position, title, url, heading, anchor, text, tags)
    VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// The passages' table on the order store's pool; cheap to clone.
#[derive(Debug, Clone)]
pub struct HelpStore {
    pool: AnyPool,
    sqlite: bool,
}

impl HelpStore {
    pub fn new(orders: &OrderStore) -> Self {
        Self {
            pool: orders.pool().clone(),
            sqlite: orders.is_sqlite(),
        }
    }

    /// Creates the table (and, for PostgreSQL, its index) if they are not there.
    pub async fn prepare(&self) -> Result<(), sqlx::Error> {
        let schema = if self.sqlite {
            SQLITE_SCHEMA
        } else {
            POSTGRES_SCHEMA
        };
        for statement in schema {
            sqlx::query(statement).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Replaces every passage with `passages`, in one transaction: on any error the old set
    /// stays whole.
    pub async fn import(&self, passages: &[Passage]) -> Result<usize, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM help_passages")
            .execute(&mut *tx)
            .await?;
        for (position, p) in passages.iter().enumerate() {
            sqlx::query(INSERT)
                .bind(position as i64)
                .bind(p.title.clone())
                .bind(p.url.clone())
                .bind(p.heading.clone())
                .bind(p.anchor.clone())
                .bind(p.text.clone())
                .bind(p.tags.join(", "))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(passages.len())
    }

    /// How many passages are stored.
    pub async fn count(&self) -> Result<i64, sqlx::Error> {
        let row = sqlx::query("SELECT COUNT(*) FROM help_passages")
            .fetch_one(&self.pool)
            .await?;
        row.try_get(0)
    }

    /// The best passages for `query`, best first, at most `limit`. A query without a single
    /// searchable word finds nothing.
    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<HelpHit>, sqlx::Error> {
        let terms = terms(query);
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let (sql, text) = if self.sqlite {
            (SQLITE_SEARCH, fts5_match(&terms))
        } else {
            (POSTGRES_SEARCH, websearch(&terms))
        };
        let rows = sqlx::query(sql)
            .bind(text)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(hit).collect()
    }
}

fn hit(row: &AnyRow) -> Result<HelpHit, sqlx::Error> {
    Ok(HelpHit {
        title: row.try_get("title")?,
        url: row.try_get("url")?,
        heading: row.try_get("heading")?,
        anchor: row.try_get("anchor")?,
        text: row.try_get("text")?,
    })
}
