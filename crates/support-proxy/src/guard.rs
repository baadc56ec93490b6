//! Checks every API request passes before a handler sees it: the body must say it is JSON
//! (so a page on another site cannot send one without a CORS preflight), a browser's `Origin`
//! must be allowed, the `Host` must be one the proxy is reached by (`PUBLIC_HOSTS`, against
//! DNS rebinding), and a client's `x-request-id` is kept only when it is safe to log.

use axum::body::Body;
use axum::http::uri::Authority;
use axum::http::{header, HeaderMap, HeaderName, Request};
use axum::response::{IntoResponse, Response};
use tower_http::validate_request::ValidateRequestHeaderLayer;

use crate::error::AppError;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[allow(clippy::result_large_err)]
type Check = fn(&mut Request<Body>) -> Result<(), Response>;

/// Refuses, before the body is read, a request whose `Content-Type` is not `application/json`
/// (text/plain, form-urlencoded and multipart are what a browser sends cross-site unasked).
pub fn json_only() -> ValidateRequestHeaderLayer<Check> {
    ValidateRequestHeaderLayer::custom(require_json)
}

// The `Result<(), Response>` shape is tower-http's `ValidateRequest`.
#[allow(clippy::result_large_err)]
fn require_json(request: &mut Request<Body>) -> Result<(), Response> {
    if is_json(request.headers()) {
        Ok(())
    } else {
        Err(AppError::NotJson.into_response())
    }
}

/// `application/json`, with at most a UTF-8 charset parameter (RFC 8259: JSON is UTF-8).
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        && parts.all(|param| match param.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            Some(_) => true,
            None => param.trim().is_empty(),
        })
}

/// Whether a request may go on given its `Origin`: absent (not a cross-site browser call),
/// listed in `ALLOWED_ORIGINS` (or `*` listed), or the proxy's own origin, which needs the
/// request's `Host` to be one of `PUBLIC_HOSTS` (the browser then says
/// `Sec-Fetch-Site: same-origin`, or the origin's host is that `Host`). A page whose name was
/// rebound to the proxy's address sends its own name as `Host`, so `Host` alone proves nothing.
pub fn origin_allowed(headers: &HeaderMap, allowed: &[String], public_hosts: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    if allowed.iter().any(|o| o == "*") {
        return true;
    }
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if allowed.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if !host_listed(host, public_hosts) {
        return false;
    }
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    fetch_site == Some("same-origin")
        || origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}

/// Whether the request's `Host` (when it has one) is one of `public_hosts`; with none listed,
/// every `Host` is.
pub fn host_allowed(headers: &HeaderMap, public_hosts: &[String]) -> bool {
    match headers.get(header::HOST) {
        _ if public_hosts.is_empty() => true,
        None => true,
        Some(host) => host.to_str().is_ok_and(|h| host_listed(h, public_hosts)),
    }
}

/// `host` (`name` or `name:port`) matches an entry of the same name, and the same port when
/// the entry has one.
pub fn host_listed(host: &str, public_hosts: &[String]) -> bool {
    // A `Host` carries no user part; `user@localhost` is not `localhost`.
    let Ok(host) = host.parse::<Authority>().map_err(drop).and_then(|h| {
        if h.as_str().contains('@') {
            Err(())
        } else {
            Ok(h)
        }
    }) else {
        return false;
    };
    public_hosts.iter().any(|entry| {
        entry.parse::<Authority>().is_ok_and(|entry| {
            entry.host().eq_ignore_ascii_case(host.host())
                && entry
                    .port_u16()
                    .is_none_or(|port| host.port_u16() == Some(port))
        })
    })
}

/// A client's request id is kept only when it is 1 to 64 characters of `[A-Za-z0-9._-]`;
/// anything else is dropped, and the id layer makes a new one.
pub fn drop_unsafe_request_id(mut request: Request<Body>) -> Request<Body> {
    let safe = request
        .headers()
        .get(REQUEST_ID)
        .is_none_or(|value| is_safe_id(value.as_bytes()));
    if !safe {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

fn is_safe_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v)))
            .collect()
    }

    #[test]
    fn only_json_is_json() {
        for (value, expected) in [
            ("application/json", true),
            ("Application/JSON; charset=UTF-8", true),
            ("application/json;charset=\"utf-8\"", true),
            ("application/json; charset=latin1", false),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("multipart/form-data; boundary=x", false),
            ("application/json-patch+json", false),
            ("text/plain; application/json", false),
        ] {
            assert_eq!(
                is_json(&headers(&[("content-type", value)])),
                expected,
                "{value}"
            );
        }
        assert!(!is_json(&HeaderMap::new()), "a missing type is not JSON");
    }

    #[test]
    fn origins() {
        let listed = vec!["https://shop.example".to_owned()];
        let public: Vec<String> = ["127.0.0.1", "support.example"].map(String::from).into();
        for (pairs, expected) in [
            (&[][..], true),
            (&[("origin", "https://shop.example")][..], true),
            (&[("origin", "https://evil.example")][..], false),
            (&[("origin", "null")][..], false),
            (
                &[
                    ("origin", "http://127.0.0.1:8080"),
                    ("host", "127.0.0.1:8080"),
                ][..],
                true,
            ),
            (
                &[
                    ("origin", "http://127.0.0.1:8080"),
                    ("host", "127.0.0.1:9090"),
                ][..],
                false,
            ),
            (
                &[
                    ("origin", "https://support.example"),
                    ("host", "support.example"),
                    ("sec-fetch-site", "same-origin"),
                ][..],
                true,
            ),
            (
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "cross-site"),
                ][..],
                false,
            ),
            // DNS rebinding: the page's own name comes as `Host`, and the browser calls it
            // same-origin.
            (
                &[("origin", "http://evil.example"), ("host", "evil.example")][..],
                false,
            ),
            (
                &[
                    ("origin", "http://evil.example"),
                    ("host", "evil.example"),
                    ("sec-fetch-site", "same-origin"),
                ][..],
                false,
            ),
        ] {
            assert_eq!(
                origin_allowed(&headers(pairs), &listed, &public),
                expected,
                "{pairs:?}"
            );
        }
        let any = vec!["*".to_owned()];
        assert!(origin_allowed(
            &headers(&[("origin", "https://evil.example")]),
            &any,
            &[]
        ));
    }

    #[test]
    fn hosts() {
        let public: Vec<String> = ["localhost", "[::1]", "shop.example:8443"]
            .map(String::from)
            .into();
        for (host, expected) in [
            ("localhost", true),
            ("LOCALHOST:8080", true),
            ("[::1]:3000", true),
            ("shop.example:8443", true),
            ("shop.example", false),
            ("shop.example:443", false),
            ("evil.example", false),
            ("localhost.evil.example", false),
            ("user@localhost", false),
        ] {
            assert_eq!(host_listed(host, &public), expected, "{host}");
        }
        assert!(host_allowed(&headers(&[("host", "anything")]), &[]));
        assert!(host_allowed(&HeaderMap::new(), &public));
        assert!(!host_allowed(
            &headers(&[("host", "evil.example")]),
            &public
        ));
    }

    #[test]
    fn request_ids() {
        let long = "a".repeat(65);
        for (id, expected) in [
            ("abc-123_X.y", true),
            (
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                true,
            ),
            (long.as_str(), false),
            ("", false),
            ("a b", false),
            ("x\" level=error msg=forged", false),
            ("id%0a", false),
        ] {
            assert_eq!(is_safe_id(id.as_bytes()), expected, "{id}");
        }
    }
}
