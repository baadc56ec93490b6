//! The order store: SQLite by default (a file created and seeded on first start), or the
//! store's own PostgreSQL. One code path serves both through sqlx's `Any` driver. Opening it
//! also prepares the proxy's own tables on the same pool: the help passages (`help`, with the
//! demo articles in a new SQLite file), the feedback (`feedback`), the refund requests and
//! cancellations (`refund_requests`) and the hand-off tickets (`handoffs`).
//!
//! Schema (`SCHEMA`), the same on both:
//!
//! ```sql
//! CREATE TABLE IF NOT EXISTS orders (
//!     order_id TEXT PRIMARY KEY, status TEXT NOT NULL, item TEXT NOT NULL,
//!     amount DOUBLE PRECISION NOT NULL, currency TEXT NOT NULL, order_date TEXT NOT NULL,
//!     carrier TEXT, estimated_delivery TEXT, delivery_date TEXT, refund_requested_date TEXT,
//!     refund_date TEXT, cancelled_date TEXT, customer_email TEXT)
//! ```

use serde::Deserialize;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use support_core::orders::{Order, OrderStatus, BUNDLED_ORDERS};

/// The table the proxy reads (and, for SQLite, creates).
pub const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    item TEXT NOT NULL,
    amount DOUBLE PRECISION NOT NULL,
    currency TEXT NOT NULL,
    order_date TEXT NOT NULL,
    carrier TEXT,
    estimated_delivery TEXT,
    delivery_date TEXT,
    refund_requested_date TEXT,
    refund_date TEXT,
    cancelled_date TEXT,
    customer_email TEXT
)";

const COLUMNS: &str =
    "order_id, status, item, amount, currency, order_date, carrier, estimated_delivery, \
    delivery_date, refund_requested_date, refund_date, cancelled_date, customer_email";

/// An order and the email it was placed with, as a row and as the bundled dataset holds it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderRecord {
    #[serde(flatten)]
    pub order: Order,
    #[serde(default)]
    pub customer_email: Option<String>,
}

/// A pool on the configured database.
#[derive(Debug, Clone)]
pub struct OrderStore {
    pool: AnyPool,
    sqlite: bool,
}

impl OrderStore {
    /// Connects. A SQLite file is created, given the schema and seeded when it is new.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let url = if sqlite && !url.contains("mode=") {
            format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
        } else {
            url.to_owned()
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 10 })
            .connect(&url)
            .await?;
        let store = Self { pool, sqlite };
        if sqlite {
            store.seed().await?;
        }
        crate::help::prepare(&store).await?;
        crate::feedback::prepare(&store).await?;
        crate::actions::prepare(&store).await?;
        crate::handoff::prepare(&store).await?;
        Ok(store)
    }

    /// The pool, shared with the proxy's own tables.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// True for a SQLite database, false for PostgreSQL.
    pub fn is_sqlite(&self) -> bool {
        self.sqlite
    }

    /// Creates the table if needed and adds the bundled orders that are not there yet.
    pub async fn seed(&self) -> Result<usize, sqlx::Error> {
        sqlx::query(SCHEMA).execute(&self.pool).await?;
        let records: Vec<OrderRecord> =
            serde_json::from_str(BUNDLED_ORDERS).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let mut added = 0;
        for r in &records {
            let o = &r.order;
            let sql = format!(
                "INSERT INTO orders ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 ON CONFLICT (order_id) DO NOTHING"
            );
            let done = sqlx::query(&sql)
                .bind(o.order_id.clone())
                .bind(o.status.as_str().to_owned())
                .bind(o.item.clone())
                .bind(o.amount)
                .bind(o.currency.clone())
                .bind(o.order_date.clone())
                .bind(o.carrier.clone())
                .bind(o.estimated_delivery.clone())
                .bind(o.delivery_date.clone())
                .bind(o.refund_requested_date.clone())
                .bind(o.refund_date.clone())
                .bind(o.cancelled_date.clone())
                .bind(r.customer_email.clone())
                .execute(&self.pool)
                .await?;
            added += done.rows_affected() as usize;
        }
        Ok(added)
    }

    /// The order with this (normalised) id.
    pub async fn find(&self, order_id: &str) -> Result<Option<OrderRecord>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM orders WHERE order_id = $1");
        let row = sqlx::query(&sql)
            .bind(order_id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| record(&row)).transpose()
    }

    /// Closes the pool: every later query fails (shutdown, and tests of an unhealthy store).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// True when the database answers.
    pub async fn is_healthy(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

fn record(row: &AnyRow) -> Result<OrderRecord, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let status = OrderStatus::parse(&status)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown order status {status:?}").into()))?;
    let amount: f64 = row.try_get("amount")?;
    if !amount.is_finite() {
        return Err(sqlx::Error::Decode(
            format!("amount {amount} is not a number").into(),
        ));
    }
    Ok(OrderRecord {
        order: Order {
            order_id: row.try_get("order_id")?,
            status,
            item: row.try_get("item")?,
            amount,
            currency: row.try_get("currency")?,
            order_date: row.try_get("order_date")?,
            carrier: row.try_get("carrier")?,
            estimated_delivery: row.try_get("estimated_delivery")?,
            delivery_date: row.try_get("delivery_date")?,
            refund_requested_date: row.try_get("refund_requested_date")?,
            refund_date: row.try_get("refund_date")?,
            cancelled_date: row.try_get("cancelled_date")?,
        },
        customer_email: row.try_get("customer_email")?,
    })
}
