//! The `refund_requests` table (refund requests and cancellations alike) and the one
//! transaction that changes an order and records why.
//!
//! Invariant: an order is changed only together with its row here, and only from the status
//! it was checked in (`UPDATE … WHERE status = <checked>`), so of two requests racing for the
//! same order one changes it and the other finds nothing to update and looks again.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use support_core::orders::change::ChangeKind;
use support_core::orders::{Order, OrderStatus};

use crate::db::OrderStore;

/// The same on SQLite and PostgreSQL; `created_at` is seconds since the Unix epoch.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS refund_requests (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('refund', 'cancel')),
    reason TEXT NOT NULL,
    previous_status TEXT NOT NULL,
    new_status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (order_id, kind))";

const UPDATE: &str =
    "UPDATE orders SET status = $1, refund_requested_date = $2, cancelled_date = $3
    WHERE order_id = $4 AND status = $5";

const INSERT: &str = "INSERT INTO refund_requests
    (id, order_id, kind, reason, previous_status, new_status, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id, kind) DO NOTHING";

const FIND: &str = "SELECT id, order_id, kind, reason, previous_status, new_status, created_at
    FROM refund_requests WHERE order_id = $1 AND kind = $2";

/// One request as it was made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangeRecord {
    /// The reference the customer can quote (`R-…`).
    pub id: String,
    pub order_id: String,
    pub kind: ChangeKind,
    pub reason: String,
    #[serde(skip)]
    pub previous_status: OrderStatus,
    #[serde(skip)]
    pub new_status: OrderStatus,
    pub created_at: i64,
}

/// The table on the order store's pool; cheap to clone.
#[derive(Debug, Clone)]
pub struct RequestStore {
    pool: AnyPool,
}

impl RequestStore {
    pub fn new(orders: &OrderStore) -> Self {
        Self {
            pool: orders.pool().clone(),
        }
    }

    /// Creates the table if it is not there.
    pub async fn prepare(&self) -> Result<(), sqlx::Error> {
        sqlx::query(SCHEMA).execute(&self.pool).await?;
        Ok(())
    }

    /// The request of this kind already made for the order, if any.
    pub async fn find(
        &self,
        order_id: &str,
        kind: ChangeKind,
    ) -> Result<Option<ChangeRecord>, sqlx::Error> {
        let row = sqlx::query(FIND)
            .bind(order_id.to_owned())
            .bind(kind.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| record(&row)).transpose()
    }

    /// In one transaction: `before` becomes `after` and `request` is recorded. `false` when
    /// nothing was done because the order is no longer in `before`'s status or a request of
    /// this kind was recorded meanwhile.
    pub async fn commit(
        &self,
        before: &Order,
        after: &Order,
        request: &ChangeRecord,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(UPDATE)
            .bind(after.status.as_str().to_owned())
            .bind(after.refund_requested_date.clone())
            .bind(after.cancelled_date.clone())
            .bind(before.order_id.clone())
            .bind(before.status.as_str().to_owned())
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let inserted = sqlx::query(INSERT)
            .bind(request.id.clone())
            .bind(request.order_id.clone())
            .bind(request.kind.as_str().to_owned())
            .bind(request.reason.clone())
            .bind(request.previous_status.as_str().to_owned())
            .bind(request.new_status.as_str().to_owned())
            .bind(request.created_at)
            .execute(&mut *tx)
            .await?;
        if inserted.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }
}

fn record(row: &AnyRow) -> Result<ChangeRecord, sqlx::Error> {
    let decode = |what: &str, text: String| {
        sqlx::Error::Decode(format!("unknown {what} {text:?} in refund_requests").into())
    };
    let kind: String = row.try_get("kind")?;
    let status = |column: &str| -> Result<OrderStatus, sqlx::Error> {
        let text: String = row.try_get(column)?;
        OrderStatus::parse(&text).ok_or_else(|| decode("status", text))
    };
    Ok(ChangeRecord {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        kind: ChangeKind::parse(&kind).ok_or_else(|| decode("kind", kind))?,
        reason: row.try_get("reason")?,
        previous_status: status("previous_status")?,
        new_status: status("new_status")?,
        created_at: row.try_get("created_at")?,
    })
}
