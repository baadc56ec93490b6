//! Regression tests for the holes an attacker could use (issue 13): cross-site bodies,
//! foreign origins, forged request ids, redirects to another host, an unlimited health check,
//! IPv6 address hopping, and error messages that name the proxy's variables.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

fn post_as(content_type: Option<&str>, body: Body) -> Request<Body> {
    let mut request = Request::post("/v1/chat/completions")
        .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5000))));
    if let Some(value) = content_type {
        request = request.header(header::CONTENT_TYPE, value);
    }
    request.body(body).expect("request")
}

/// Regression: text/plain, form-urlencoded, multipart and untyped bodies, which a browser
/// sends cross-site without a preflight, were forwarded with the store's key.
#[tokio::test]
async fn a_body_that_is_not_json_is_refused_with_415_before_it_is_read() {
    let p = proxy(&[], instant_reply()).await;
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/json; charset=latin1"),
        None,
    ] {
        // A body that never ends: reading it would hang the test.
        let endless = Body::from_stream(futures_util::stream::pending::<
            Result<String, std::io::Error>,
        >());
        let sending = send(&p, post_as(content_type, endless));
        let (status, _, text) = tokio::time::timeout(Duration::from_secs(5), sending)
            .await
            .expect("answered without reading the body");
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let error: Value = serde_json::from_str(&text).expect("an OpenAI-style error");
        assert_eq!(error["error"]["type"], "invalid_request_error");
        assert_eq!(error["error"]["code"], 415);
        assert!(error_message(&text).contains("application/json"), "{text}");
    }
    assert!(p.upstream.seen.lock().expect("lock").is_empty());
    let json = post_as(
        Some("application/json; charset=utf-8"),
        Body::from(valid_body().to_string()),
    );
    assert_eq!(send(&p, json).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_browser_on_a_site_that_is_not_allowed_is_refused() {
    let p = proxy(
        &[
            ("ALLOWED_ORIGINS", "https://shop.example"),
            ("PUBLIC_HOSTS", "support.example"),
        ],
        instant_reply(),
    )
    .await;
    let from = |origin: &str, host: &str| {
        let mut request = chat(valid_body());
        let headers = request.headers_mut();
        headers.insert(header::ORIGIN, origin.parse().expect("origin"));
        headers.insert(header::HOST, host.parse().expect("host"));
        request
    };
    let (status, _, text) = send(&p, from("https://evil.example", "support.example")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("json")["error"]["code"],
        403
    );
    let (status, _, _) = send(&p, from("null", "support.example")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let lookup = Request::get("/v1/orders/ORD-1001")
        .header(header::ORIGIN, "https://evil.example")
        .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 1))))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&p, lookup).await.0, StatusCode::FORBIDDEN);
    assert!(p.upstream.seen.lock().expect("lock").is_empty());
    // The listed store, and the proxy's own page.
    assert_eq!(
        send(&p, from("https://shop.example", "support.example"))
            .await
            .0,
        StatusCode::OK
    );
    let p = proxy(&[], instant_reply()).await;
    assert_eq!(
        send(&p, from("http://127.0.0.1:8080", "127.0.0.1:8080"))
            .await
            .0,
        StatusCode::OK
    );
}

/// Regression (DNS rebinding): a page whose name was rebound to the proxy's address sends its
/// own name as `Host` and as `Origin`; that pair was taken for the proxy's own page.
#[tokio::test]
async fn a_page_rebound_to_the_proxy_is_refused() {
    let rebound = |request: Request<Body>, origin: Option<&str>| {
        let mut request = request;
        let headers = request.headers_mut();
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, origin.parse().expect("origin"));
            headers.insert("sec-fetch-site", "same-origin".parse().expect("value"));
        }
        headers.insert(header::HOST, "evil.example:8080".parse().expect("host"));
        request
    };
    for env in [&[("ALLOWED_ORIGINS", "https://shop.example")][..], &[][..]] {
        let p = proxy(env, instant_reply()).await;
        let (status, _, text) = send(
            &p,
            rebound(chat(valid_body()), Some("http://evil.example:8080")),
        )
        .await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{text}");
        let error: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(error["error"]["type"], "invalid_request_error");
        // A same-origin GET carries no `Origin` at all: the `Host` alone gives it away.
        let (status, _, _) = send(&p, rebound(get("/v1/orders/ORD-1001"), None)).await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
        assert!(p.upstream.seen.lock().expect("lock").is_empty());
    }
    // Listed public hosts are served, and are the only ones that count as the proxy's own.
    let p = proxy(
        &[
            ("BIND", "0.0.0.0:8080"),
            ("PUBLIC_HOSTS", "support.example"),
        ],
        instant_reply(),
    )
    .await;
    let own = |host: &str| {
        let mut request = chat(valid_body());
        let origin = format!("https://{host}");
        request
            .headers_mut()
            .insert(header::ORIGIN, origin.parse().expect("origin"));
        request
            .headers_mut()
            .insert(header::HOST, host.parse().expect("host"));
        request
    };
    assert_eq!(send(&p, own("support.example")).await.0, StatusCode::OK);
    assert_eq!(
        send(&p, own("evil.example")).await.0,
        StatusCode::MISDIRECTED_REQUEST
    );
    // Without PUBLIC_HOSTS away from loopback, no `Host` makes an origin the proxy's own.
    let p = proxy(&[("BIND", "0.0.0.0:8080")], instant_reply()).await;
    assert_eq!(
        send(&p, own("support.example")).await.0,
        StatusCode::FORBIDDEN
    );
}

/// Regression: a client's `x-request-id` was echoed and logged whatever it held.
#[tokio::test]
async fn only_a_safe_client_request_id_is_kept() {
    let p = proxy(&[], vec![]).await;
    let with_id = |id: &str| {
        let mut request = get("/healthz");
        request
            .headers_mut()
            .insert("x-request-id", id.parse().expect("header"));
        request
    };
    let (_, headers, _) = send(&p, with_id("order-page.42_A")).await;
    assert_eq!(headers["x-request-id"], "order-page.42_A");
    for forged in [
        "x\" level=ERROR msg=\"forged",
        "a b",
        &"a".repeat(65),
        "id;drop",
        "é",
    ] {
        let (_, headers, _) = send(&p, with_id(forged)).await;
        let id = headers["x-request-id"].to_str().expect("ascii");
        assert_ne!(id, forged);
        assert!(uuid::Uuid::parse_str(id).is_ok(), "a new id, not {id:?}");
    }
}

/// Regression: `GET //sub` answered `Location: //sub/` (another host, to a browser), and an
/// absolute-form target was echoed into `Location`.
#[tokio::test]
async fn static_redirects_stay_on_the_site() {
    let p = proxy(&[], vec![]).await;
    for target in [
        "/sub",
        "//sub",
        "///sub",
        "http://evil.example/sub",
        "http://evil.example//sub",
    ] {
        let (status, headers, _) = send(&p, get(target)).await;
        assert_eq!(status, StatusCode::TEMPORARY_REDIRECT, "{target}");
        assert_eq!(headers[header::LOCATION], "/sub/", "{target}");
    }
    let (status, headers, _) = send(&p, get("//sub?v=1")).await;
    assert_eq!(
        (status, &headers[header::LOCATION]),
        (
            StatusCode::TEMPORARY_REDIRECT,
            &"/sub/?v=1".parse().expect("value")
        )
    );
    let (status, _, text) = send(&p, get("//sub/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("<title>sub</title>"));
}

/// Regression: every `/healthz` ran a database query, with no limit.
#[tokio::test]
async fn the_health_check_is_cached_and_rate_limited() {
    let p = proxy(&[], vec![]).await;
    assert_eq!(send(&p, get("/healthz")).await.0, StatusCode::OK);
    p.orders.close().await;
    assert_eq!(
        send(&p, get("/healthz")).await.0,
        StatusCode::OK,
        "the last answer is kept"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _, text) = send(&p, get("/healthz")).await;
    assert_eq!(
        (status, text.as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"status":"database unavailable"}"#
        )
    );

    let p = proxy(&[("HEALTHZ_RATE_LIMIT_PER_MINUTE", "6")], vec![]).await;
    let from = |ip: &str| get_from("/healthz", ip);
    assert_eq!(send(&p, from("10.0.0.9")).await.0, StatusCode::OK);
    assert_eq!(send(&p, from("10.0.0.9")).await.0, StatusCode::OK);
    let (status, headers, _) = send(&p, from("10.0.0.9")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert_eq!(send(&p, from("10.0.0.10")).await.0, StatusCode::OK);
}

/// Regression: each IPv6 address had its own bucket, so one /64 had 2⁶⁴ of them.
#[tokio::test]
async fn ipv6_clients_share_a_bucket_per_network() {
    let env = [("RATE_LIMIT_PER_MINUTE", "6"), ("RATE_LIMIT_BURST", "2")];
    let p = proxy(&env, vec![]).await;
    let lookup = |ip: &str| get_from("/v1/orders/ORD-1001", ip);
    assert_eq!(send(&p, lookup("2001:db8:1:2::1")).await.0, StatusCode::OK);
    assert_eq!(send(&p, lookup("2001:db8:1:2::2")).await.0, StatusCode::OK);
    assert_eq!(
        send(&p, lookup("2001:db8:1:2:ffff:eeee:dddd:cccc")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        send(&p, lookup("2001:db8:1:3::1")).await.0,
        StatusCode::OK,
        "another /64"
    );
    assert_eq!(send(&p, lookup("::ffff:10.0.0.7")).await.0, StatusCode::OK);
    assert_eq!(send(&p, lookup("10.0.0.7")).await.0, StatusCode::OK);
    assert_eq!(
        send(&p, lookup("10.0.0.7")).await.0,
        StatusCode::TOO_MANY_REQUESTS,
        "a mapped address is its IPv4"
    );

    let p = proxy(&[env[0], env[1], ("RATE_LIMIT_IPV6_PREFIX", "128")], vec![]).await;
    for ip in ["2001:db8::1", "2001:db8::1", "2001:db8::2", "2001:db8::2"] {
        assert_eq!(send(&p, lookup(ip)).await.0, StatusCode::OK, "{ip}");
    }
}

/// Regression: clients were told which of the proxy's variables to set. Only a proxy on a
/// loopback address (a developer's machine) still says so.
#[tokio::test]
async fn public_errors_name_no_configuration_variable() {
    let p = proxy(
        &[("UPSTREAM_API_KEY", ""), ("BIND", "0.0.0.0:8080")],
        vec![],
    )
    .await;
    let (status, _, text) = send(&p, chat(valid_body())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("json")["error"]["type"],
        "server_error"
    );
    assert!(
        !text.contains("UPSTREAM_") && !text.contains("API_KEY"),
        "{text}"
    );

    let refusals = [401, 404].map(|status| Script::Status {
        status,
        body: "{}",
        retry_after: None,
    });
    let p = proxy(&[], refusals.to_vec()).await;
    for expected in [StatusCode::UNAUTHORIZED, StatusCode::NOT_FOUND] {
        let (status, _, text) = send(&p, chat(valid_body())).await;
        assert_eq!(status, expected);
        assert!(
            !text.contains('_') || !error_message(&text).contains('_'),
            "{text}"
        );
        assert!(
            !text.contains("UPSTREAM") && !text.contains("ALLOWED"),
            "{text}"
        );
    }
    let mut body = valid_body();
    body["model"] = json!("gpt-4o");
    let (_, _, text) = send(&p, chat(body)).await;
    assert!(!text.contains("ALLOWED_MODELS"), "{text}");
}

/// Regression: a request body was read with no time limit, so a client sending it a byte a
/// second (or not at all) held its connection for ever.
#[tokio::test]
async fn a_body_that_comes_too_slowly_is_a_408() {
    let p = proxy(&[("REQUEST_BODY_TIMEOUT_SECS", "1")], instant_reply()).await;
    let drip = || {
        futures_util::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Some((
                Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b" ")),
                (),
            ))
        })
    };
    let routes = [
        "/v1/chat/completions",
        "/v1/feedback",
        "/v1/handoffs",
        "/v1/orders/ORD-1001/cancel",
    ];
    for path in routes {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 1))))
            .body(Body::from_stream(drip()))
            .expect("request");
        let started = std::time::Instant::now();
        let (status, _, text) = tokio::time::timeout(Duration::from_secs(5), send(&p, request))
            .await
            .expect("answered within the time-out");
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{path}: {text}");
        let error: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(error["error"]["code"], 408, "{path}");
        assert!(started.elapsed() >= Duration::from_millis(900), "{path}");
    }
    let stalled = Request::post("/v1/chat/completions")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures_util::stream::pending::<
            Result<axum::body::Bytes, std::io::Error>,
        >()))
        .expect("request");
    let (status, _, _) = tokio::time::timeout(Duration::from_secs(5), send(&p, stalled))
        .await
        .expect("answered within the time-out");
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert!(p.upstream.seen.lock().expect("lock").is_empty());
}

/// Regression: axum's own rejections (a repeated or badly encoded parameter, a wrong method,
/// an unknown API path) answered in plain text or with the static files' page.
#[tokio::test]
async fn every_refusal_is_an_openai_style_error() {
    let p = proxy(&[], vec![]).await;
    let cases = [
        (get("/v1/help/search?q=a&q=b"), StatusCode::BAD_REQUEST),
        (get("/v1/orders/%FF"), StatusCode::BAD_REQUEST),
        (
            get("/v1/orders/ORD-1001?email=a@x.example&email=b@x.example"),
            StatusCode::BAD_REQUEST,
        ),
        (get("/v1/chat/completions"), StatusCode::METHOD_NOT_ALLOWED),
        (get("/v1/feedback"), StatusCode::METHOD_NOT_ALLOWED),
        (get("/v1/nothing"), StatusCode::NOT_FOUND),
        (get("/v1/orders/ORD-1001/nothing"), StatusCode::NOT_FOUND),
        (
            Request::post("/v1/orders/ORD-1001")
                .header(header::CONTENT_TYPE, "application/json")
                .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 1))))
                .body(Body::from("{}"))
                .expect("request"),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ];
    for (request, expected) in cases {
        let uri = request.uri().clone();
        let (status, headers, text) = send(&p, request).await;
        assert_eq!(status, expected, "{uri}: {text}");
        assert_eq!(
            headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
            Some(&b"application/json"[..]),
            "{uri}"
        );
        let error: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(error["error"]["code"], expected.as_u16(), "{uri}");
        let message = error["error"]["message"].as_str().expect("message");
        assert!(
            !message.contains("Failed to") && !message.contains("Invalid URL"),
            "{uri}: {message}"
        );
    }
}
