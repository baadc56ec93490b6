//! The built widget and demo page from `STATIC_DIR`, with cache headers that suit the build's
//! file names, and redirects that never leave the site.
//!
//! `ServeDir` redirects a directory to its path with a slash added, built from the request
//! target: `GET //sub` would answer `Location: //sub/` (another host, to a browser) and an
//! absolute-form target (`GET http://evil.example/sub`) would be echoed. So the target is
//! reduced to its path and query first, runs of slashes are merged, and a `Location` that is
//! not a same-origin path is replaced by `/`.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;

/// The static files' router.
pub fn router<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    Router::new()
        .fallback_service(ServeDir::new(dir).append_index_html_on_directories(true))
        .layer(middleware::from_fn(cache_static))
        .layer(middleware::from_fn(same_origin))
}

async fn same_origin(mut request: Request, next: Next) -> Response {
    let target = origin_form(request.uri());
    if let Ok(uri) = Uri::try_from(target) {
        *request.uri_mut() = uri;
    }
    let mut response = next.run(request).await;
    let safe = response
        .headers()
        .get(header::LOCATION)
        .is_none_or(|location| is_site_path(location.as_bytes()));
    if !safe {
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    response
}

/// The target's path, with runs of slashes merged, and its query.
pub fn origin_form(uri: &Uri) -> String {
    let mut path = String::with_capacity(uri.path().len());
    for c in uri.path().chars() {
        if !(c == '/' && path.ends_with('/')) {
            path.push(c);
        }
    }
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    }
}

/// A path on this site: starts with one `/` not followed by `/` or `\` (which browsers read as
/// the start of another host).
pub fn is_site_path(location: &[u8]) -> bool {
    location.first() == Some(&b'/') && !matches!(location.get(1), Some(b'/' | b'\\'))
}

/// Files asked for with a build id (`loader.js` puts `?v=<build>` on the widget's glue and
/// wasm) never change, so browsers and CDNs may keep them for a year; anything else, the
/// loader first of all, is checked with the server before each use, so a deploy reaches every
/// page at once.
async fn cache_static(request: Request, next: Next) -> Response {
    let versioned = request
        .uri()
        .query()
        .is_some_and(|query| query.split('&').any(|pair| pair.starts_with("v=")));
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let policy = if versioned {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_become_paths_on_this_site() {
        for (target, expected) in [
            ("/sub", "/sub"),
            ("//sub", "/sub"),
            ("///a//b/?v=1", "/a/b/?v=1"),
            ("http://evil.example/sub", "/sub"),
            ("http://evil.example//sub?x=//y", "/sub?x=//y"),
        ] {
            let uri: Uri = target.parse().expect("uri");
            assert_eq!(origin_form(&uri), expected, "{target}");
        }
    }

    #[test]
    fn locations() {
        for (location, expected) in [
            ("/sub/", true),
            ("/", true),
            ("//sub/", false),
            ("/\\evil.example", false),
            ("http://evil.example/", false),
            ("sub/", false),
        ] {
            assert_eq!(is_site_path(location.as_bytes()), expected, "{location}");
        }
    }
}
