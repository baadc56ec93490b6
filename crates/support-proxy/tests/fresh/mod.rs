//! A proxy on a database of its own for each test: a SQLite file, or a PostgreSQL schema
//! made for it in `TEST_DATABASE_URL`'s database (which `scripts/test-services.sh` starts),
//! with orders dated relative to today, and JSON POSTs from a chosen client address.

#![allow(dead_code)]

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;
use sqlx::Row;
use support_core::orders::change::{date_of_ms, format_date};

use crate::common::{proxy, send, Proxy};

/// Where a test's tables live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set (which `REQUIRE_SERVICES`
/// demands).
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if crate::common::service("TEST_DATABASE_URL").is_some() {
        all.push(Backend::Postgres);
    }
    all
}

/// A proxy on a fresh database of `backend`, with the bundled orders and `env`.
pub async fn fresh(backend: Backend, env: &[(&str, &str)]) -> Proxy {
    // Tests make many requests from one address; the rate-limit test sets its own limit.
    let mut vars: Vec<(&str, &str)> = vec![("ACTIONS_RATE_LIMIT_PER_MINUTE", "1000")];
    vars.extend_from_slice(env);
    let url;
    if backend == Backend::Postgres {
        url = fresh_schema().await;
        vars.push(("DATABASE_URL", &url));
    }
    let p = proxy(&vars, vec![]).await;
    p.orders.seed().await.expect("orders seeded");
    p
}

/// A new schema in the test database, and a URL whose connections search only it.
async fn fresh_schema() -> String {
    let base = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&base)
        .await
        .expect("postgres connects");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("schema created");
    admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options[search_path]={schema}")
}

/// The UTC date `days` ago, as the orders table writes dates.
pub fn days_ago(days: u64) -> String {
    let now = support_proxy::body::now_ms();
    format_date(date_of_ms(now - days * 86_400_000))
}

/// Adds an order: `status`, delivered `delivered` (if any), placed with `email`.
pub async fn add_order(p: &Proxy, id: &str, status: &str, delivered: Option<&str>, email: &str) {
    sqlx::query(
        "INSERT INTO orders (order_id, status, item, amount, currency, order_date, carrier,
         estimated_delivery, delivery_date, customer_email)
         VALUES ($1, $2, 'Desk Lamp', 49.5, 'EUR', $3, $4, $5, $6, $7)",
    )
    .bind(id.to_owned())
    .bind(status.to_owned())
    .bind(days_ago(20))
    .bind((status != "processing").then(|| "DHL".to_owned()))
    .bind((status == "shipped").then(|| "2099-01-02".to_owned()))
    .bind(delivered.map(str::to_owned))
    .bind(email.to_owned())
    .execute(p.orders.pool())
    .await
    .expect("order added");
}

/// A POST of `body` with `content_type` from `ip`.
pub fn post_from(path: &str, body: String, content_type: &str, ip: [u8; 4]) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .extension(ConnectInfo(SocketAddr::from((ip, 1))))
        .body(Body::from(body))
        .expect("request")
}

/// A JSON POST from 10.0.0.9: the status and the body read as JSON (`Null` if it is not).
pub async fn post_json(p: &Proxy, path: &str, body: &Value) -> (StatusCode, Value) {
    let request = post_from(path, body.to_string(), "application/json", [10, 0, 0, 9]);
    let (status, _, text) = send(p, request).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// How many rows `sql` (a `SELECT COUNT(*) AS n …`) counts.
pub async fn count(p: &Proxy, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(p.orders.pool())
        .await
        .expect("count")
        .get::<i64, _>("n")
}
