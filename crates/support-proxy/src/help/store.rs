//! The help passages in the proxy's database, searched with the database's own full-text
//! search: SQLite FTS5 ranked by `bm25()`, PostgreSQL a generated `tsvector` column with a GIN
//! index, queried with `websearch_to_tsquery` and ranked by `ts_rank`. Both go through the
//! order store's sqlx `Any` pool; only the schema and the search statement differ.
//!
//! Misspelt words are corrected against the index's own vocabulary before the search: SQLite's
//! is an `fts5vocab` table over the FTS5 index (always current), PostgreSQL's the `ts_stat` of
//! the `tsvector` column, kept in `help_lexemes` and refreshed with every import. Only the
//! words within reach of the query's (by length) are read; [`super::terms::corrections`]
//! picks the closest and they join the query with OR.
//!
//! The query is always a bound parameter made of plain terms ([`super::terms`]); the whole set
//! of passages is replaced in one transaction, so a search sees the old set or the new one.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use support_core::help::Passage;

use support_core::help::Hit;

use super::terms::{corrections, fts5_match, terms, vocabulary_lengths, websearch};
use crate::db::OrderStore;

/// FTS5 keeps every column; the unindexed ones are only given back.
const SQLITE_SCHEMA: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS help_passages USING fts5(
    title, tags, heading, text, url UNINDEXED, anchor UNINDEXED, position UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS help_vocabulary USING fts5vocab(help_passages, row)",
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
    "CREATE TABLE IF NOT EXISTS help_lexemes (word TEXT PRIMARY KEY, passages BIGINT NOT NULL)",
];

/// The lexemes of every stored passage, with the number of passages that hold each.
const POSTGRES_LEXEMES: &str = "INSERT INTO help_lexemes (word, passages)
    SELECT word, ndoc FROM ts_stat('SELECT search FROM help_passages')";

/// The index's words of `$1` to `$2` characters, with the number of passages using each.
const SQLITE_VOCABULARY: &str =
    "SELECT term, doc FROM help_vocabulary WHERE length(term) BETWEEN $1 AND $2";

const POSTGRES_VOCABULARY: &str =
    "SELECT word, passages FROM help_lexemes WHERE length(word) BETWEEN $1 AND $2";

/// Column weights for FTS5's `bm25()`, in the table's column order (title, tags, heading,
/// text); lower scores are better.
const SQLITE_SEARCH: &str = "SELECT title, url, heading, anchor, text FROM help_passages
    WHERE help_passages MATCH $1
    ORDER BY bm25(help_passages, 4.0, 4.0, 2.0, 1.0), position LIMIT $2";

/// `$2` are corrections, lexemes already: the `simple` configuration takes them as they are.
const POSTGRES_SEARCH: &str = "SELECT title, url, heading, anchor, text
    FROM help_passages, (SELECT
        websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $2) AS query) AS q
    WHERE search @@ query ORDER BY ts_rank(search, query) DESC, position LIMIT $3";

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

    /// Creates the tables (and, for PostgreSQL, the index) if they are not there; a PostgreSQL
    /// database whose passages predate `help_lexemes` gets their lexemes.
    pub async fn prepare(&self) -> Result<(), sqlx::Error> {
        let schema = if self.sqlite {
            SQLITE_SCHEMA
        } else {
            POSTGRES_SCHEMA
        };
        for statement in schema {
            sqlx::query(statement).execute(&self.pool).await?;
        }
        if !self.sqlite {
            let row = sqlx::query("SELECT COUNT(*) FROM help_lexemes")
                .fetch_one(&self.pool)
                .await?;
            if row.try_get::<i64, _>(0)? == 0 && self.count().await? > 0 {
                let mut tx = self.pool.begin().await?;
                sqlx::query(POSTGRES_LEXEMES).execute(&mut *tx).await?;
                tx.commit().await?;
            }
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
        if !self.sqlite {
            sqlx::query("DELETE FROM help_lexemes")
                .execute(&mut *tx)
                .await?;
            sqlx::query(POSTGRES_LEXEMES).execute(&mut *tx).await?;
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
    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, sqlx::Error> {
        let terms = terms(query);
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let corrected = corrections(&terms, &self.vocabulary(&terms).await?);
        let search = if self.sqlite {
            let all: Vec<String> = terms.into_iter().chain(corrected).collect();
            sqlx::query(SQLITE_SEARCH).bind(fts5_match(&all))
        } else {
            sqlx::query(POSTGRES_SEARCH)
                .bind(websearch(&terms))
                .bind(websearch(&corrected))
        };
        let rows = search.bind(limit as i64).fetch_all(&self.pool).await?;
        rows.iter().map(hit).collect()
    }

    /// The index's words a misspelt term of `terms` could stand for, with the number of
    /// passages using each; none when no term could be misspelt.
    async fn vocabulary(&self, terms: &[String]) -> Result<Vec<(String, usize)>, sqlx::Error> {
        let Some((shortest, longest)) = vocabulary_lengths(terms) else {
            return Ok(Vec::new());
        };
        let sql = if self.sqlite {
            SQLITE_VOCABULARY
        } else {
            POSTGRES_VOCABULARY
        };
        let rows = sqlx::query(sql)
            .bind(shortest as i64)
            .bind(longest as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let uses: i64 = row.try_get(1)?;
                Ok((row.try_get(0)?, usize::try_from(uses).unwrap_or(0)))
            })
            .collect()
    }
}

fn hit(row: &AnyRow) -> Result<Hit, sqlx::Error> {
    Ok(Hit {
        title: row.try_get("title")?,
        url: row.try_get("url")?,
        heading: row.try_get("heading")?,
        anchor: row.try_get("anchor")?,
        text: row.try_get("text")?,
    })
}
