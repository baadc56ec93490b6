//! Help search in proxy mode: the demo articles in a real SQLite file (and in the PostgreSQL
//! that `scripts/test-services.sh` starts), ranked by the database's own full-text search,
//! hostile queries that never fail, re-imports that replace the set whole, recall@3 over the
//! core's labelled questions, and chat requests that offer `search_help`.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};
use support_core::help::labelled::{demo_questions, recall_at};
use support_core::help::{Passage, SearchResults, RESULT_LIMIT};
use support_proxy::help::{demo_passages, load_dir, HelpStore, DEMO_ARTICLES};

/// The lowest recall@3 accepted, a margin under the measured figures the README gives.
const RECALL_FLOOR: f64 = 0.85;

fn search_path(q: &str, limit: Option<&str>) -> String {
    let mut path = format!("/v1/help/search?q={}", encode(q));
    if let Some(limit) = limit {
        path.push_str(&format!("&limit={}", encode(limit)));
    }
    path
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn search(p: &Proxy, q: &str, limit: Option<&str>) -> (StatusCode, Value) {
    let (status, _, body) = send(p, get(&search_path(q, limit))).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Recall@3 of the right article over the labelled questions, printed with the misses and
/// the mean time of one search.
async fn recall_at_3(store: &HelpStore, backend: &str) -> f64 {
    let questions = demo_questions();
    let started = std::time::Instant::now();
    let mut found = Vec::new();
    for q in &questions {
        found.push(
            store
                .search(&q.question, RESULT_LIMIT)
                .await
                .expect("search"),
        );
    }
    let each = started.elapsed() / questions.len() as u32;
    let recall = recall_at(RESULT_LIMIT, &questions, &found);
    eprintln!("{backend} {recall}\n{backend}: {each:?} per search");
    recall.ratio()
}

/// A query of nothing but misspelt words finds the article that spells them right.
async fn check_typos(store: &HelpStore) {
    for (query, article) in [
        ("wararnty", "https://voltaire.example/help/warranty"),
        (
            "retrun",
            "https://voltaire.example/help/returns-and-refunds",
        ),
    ] {
        let found = store.search(query, 1).await.expect("search");
        assert_eq!(
            found.first().map(|h| h.url.as_str()),
            Some(article),
            "{query}"
        );
    }
}

/// Questions written to break a full-text parser; each gives results or none, never an error.
fn hostile_queries() -> Vec<String> {
    let mut queries: Vec<String> = [
        "\"",
        "\"refund",
        "refund\"\"",
        "*",
        "refund*",
        "NEAR(refund card)",
        "NEAR(",
        "OR",
        "refund OR",
        "AND NOT",
        "-refund",
        "title:refund",
        "(refund",
        "refund)",
        "^refund",
        "'; DROP TABLE help_passages; --",
        "\\",
        "%",
        "&|!",
        "<->",
        "{}",
        "   ",
        "",
        "\u{0}",
        "ünïcödé ☃ 退款",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    queries.push("refund ".repeat(2_000));
    queries.push("\"x".repeat(5_000));
    queries
}

async fn check_hostile(store: &HelpStore) {
    for q in hostile_queries() {
        let found = store.search(&q, 3).await;
        assert!(
            found.is_ok(),
            "{:?}: {found:?}",
            q.chars().take(40).collect::<String>()
        );
    }
}

fn passage(title: &str, url: &str, text: &str) -> Passage {
    Passage {
        title: title.into(),
        url: url.into(),
        heading: title.into(),
        anchor: String::new(),
        text: text.into(),
        tags: vec![],
    }
}

#[tokio::test]
async fn a_new_sqlite_database_has_the_demo_articles_and_ranks_them() {
    let p = proxy(&[], vec![]).await;
    let (status, body) = search(&p, "How long will the refund take?", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let read: SearchResults = serde_json::from_value(body.clone()).expect("the widget's shape");
    assert_eq!(read.results.len(), 3);
    assert_eq!(read.results[0].title, "When will I get my refund?");
    assert_eq!(
        read.results[0].url,
        "https://voltaire.example/help/refund-timing"
    );
    let hit = &body["results"][0];
    assert_eq!(
        hit["anchor"].as_str().map(|a| a.is_empty()),
        Some(hit["heading"] == hit["title"])
    );
    let (_, body) = search(&p, "shipping carriers", Some("1")).await;
    assert_eq!(body["results"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        body["results"][0]["url"],
        "https://voltaire.example/help/shipping"
    );
}

#[tokio::test]
async fn nothing_found_is_said_so() {
    let p = proxy(&[], vec![]).await;
    for q in ["zebra xylophone", "", "the of and"] {
        let (status, body) = search(&p, q, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["results"], json!([]));
        assert_eq!(body["note"], support_core::help::NO_MATCH);
    }
}

#[tokio::test]
async fn the_limit_is_bounded_and_q_required() {
    let p = proxy(&[], vec![]).await;
    let (_, body) = search(&p, "refund return shipping order", Some("10")).await;
    assert_eq!(body["results"].as_array().map(Vec::len), Some(10));
    for limit in ["0", "11", "-1", "lots", "99999999999999999999"] {
        let (status, body) = search(&p, "refund", Some(limit)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{limit}: {body}");
    }
    let (status, _, _) = send(&p, get("/v1/help/search")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn hostile_queries_never_fail_in_sqlite() {
    let p = proxy(&[], vec![]).await;
    for q in hostile_queries() {
        let (status, body) = search(&p, &q, None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{:?}: {body}",
            q.chars().take(40).collect::<String>()
        );
        assert!(body["results"].is_array());
    }
    // The table is still there and whole.
    assert_eq!(
        HelpStore::new(&p.orders).count().await.expect("count"),
        demo_passages().len() as i64
    );
}

#[tokio::test]
async fn help_search_is_rate_limited_like_the_other_routes() {
    let p = proxy(
        &[("RATE_LIMIT_PER_MINUTE", "6"), ("RATE_LIMIT_BURST", "2")],
        vec![],
    )
    .await;
    let path = search_path("refund", None);
    assert_eq!(
        send(&p, get_from(&path, "10.9.9.9")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(&p, get_from(&path, "10.9.9.9")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(&p, get_from(&path, "10.9.9.9")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn reimporting_replaces_the_whole_set() {
    let p = proxy(&[], vec![]).await;
    let store = HelpStore::new(&p.orders);
    let new = [passage(
        "Gift cards",
        "https://shop.example/help/gift-cards",
        "Gift cards never expire.",
    )];
    assert_eq!(store.import(&new).await.expect("import"), 1);
    assert_eq!(store.count().await.expect("count"), 1);
    let (_, body) = search(&p, "refund", None).await;
    assert_eq!(body["results"], json!([]));
    let (_, body) = search(&p, "gift card expiry", None).await;
    assert_eq!(body["results"][0]["title"], "Gift cards");
    // A folder with one bad article is refused before the database is touched.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.md"), DEMO_ARTICLES[0].1).expect("write");
    std::fs::write(dir.path().join("b.md"), "no front matter").expect("write");
    let error = load_dir(dir.path()).expect_err("refused");
    assert!(error.contains("b.md"), "{error}");
    std::fs::remove_file(dir.path().join("b.md")).expect("remove");
    let passages = load_dir(dir.path()).expect("readable");
    assert!(!passages.is_empty());
    assert_eq!(
        store.import(&passages).await.expect("import"),
        passages.len()
    );
    assert_eq!(store.count().await.expect("count"), passages.len() as i64);
}

#[test]
fn the_built_in_demo_articles_are_the_cores_folder() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../support-core/data/help");
    assert_eq!(
        load_dir(std::path::Path::new(dir)).expect("readable"),
        demo_passages()
    );
}

#[tokio::test]
async fn recall_at_3_in_sqlite() {
    let p = proxy(&[], vec![]).await;
    let store = HelpStore::new(&p.orders);
    check_typos(&store).await;
    let recall = recall_at_3(&store, "SQLite").await;
    assert!(
        recall >= RECALL_FLOOR,
        "recall@3 {recall:.3} below {RECALL_FLOOR}"
    );
}

#[tokio::test]
async fn the_chat_accepts_search_help_exactly_as_the_registry_defines_it() {
    let registry =
        serde_json::to_value(support_core::ToolRegistry::default().definitions()).expect("JSON");
    let search_help: Vec<Value> = registry
        .as_array()
        .expect("tools")
        .iter()
        .filter(|t| t["function"]["name"] == "search_help")
        .cloned()
        .collect();
    assert_eq!(search_help.len(), 1);
    let p = proxy(&[], instant_reply()).await;
    let mut body = valid_body();
    body["tools"] = json!(search_help);
    let (status, _, text) = send(&p, chat(body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let forwarded = p.upstream.seen.lock().expect("lock")[0].1["tools"].clone();
    assert_eq!(forwarded, json!(search_help));
    body["tools"][0]["function"]["parameters"]["properties"]["query"]["maxLength"] = json!(100000);
    let (status, _, _) = send(&p, chat(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Runs against the real PostgreSQL of `scripts/test-services.sh` (`TEST_DATABASE_URL`): one
/// test, so no other test replaces the set under it.
#[tokio::test]
async fn help_search_in_postgres() {
    let Some(url) = service("TEST_DATABASE_URL") else {
        return;
    };
    let p = proxy(&[("DATABASE_URL", &url)], vec![]).await;
    let store = HelpStore::new(&p.orders);
    let demo = demo_passages();
    assert_eq!(store.import(&demo).await.expect("import"), demo.len());
    let (status, body) = search(&p, "How long will the refund take?", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let read: SearchResults = serde_json::from_value(body).expect("JSON");
    assert_eq!(
        read.results[0].url,
        "https://voltaire.example/help/refund-timing"
    );
    check_hostile(&store).await;
    check_typos(&store).await;
    for q in hostile_queries() {
        let (status, _) = search(&p, &q, None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{:?}",
            q.chars().take(40).collect::<String>()
        );
    }
    let recall = recall_at_3(&store, "PostgreSQL").await;
    assert!(
        recall >= RECALL_FLOOR,
        "recall@3 {recall:.3} below {RECALL_FLOOR}"
    );
    // PostgreSQL text cannot hold NUL: the second passage fails, and the first is rolled back.
    let broken = [
        passage(
            "Zanzibar",
            "https://shop.example/help/zanzibar",
            "Zanzibar coupons.",
        ),
        passage(
            "Broken",
            "https://shop.example/help/broken",
            "nul \u{0} byte",
        ),
    ];
    assert!(store.import(&broken).await.is_err());
    assert_eq!(store.count().await.expect("count"), demo.len() as i64);
    assert!(store
        .search("zanzibar", 3)
        .await
        .expect("search")
        .is_empty());
}
