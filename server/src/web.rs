//! The browser front end: the files of `web/`, built into the binary (so
//! `lff` alone serves the whole product) and served with a strong `ETag`
//! (the file's SHA-256, computed at build time), `Cache-Control: no-cache`
//! (a browser keeps every file and asks once per visit whether it changed,
//! which costs a 304 and no body) and gzip when the browser accepts it
//! (compressed once, at start). The page's Content-Security-Policy allows
//! only this origin's scripts, styles and connections, and images from
//! here or from the page itself (thumbnails fetched with the bearer token
//! become `blob:` URLs).
//!
//! It does not render anything on the server and knows nothing of the
//! GraphQL API: the front end talks to `/graphql` like any other client.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;

#[derive(rust_embed::Embed)]
#[folder = "../web/"]
struct Files;

/// The page's policy: nothing from elsewhere, no inline script or style,
/// no plug-ins, no framing, forms only to here.
const CSP: &str = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; \
                   base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct Asset {
    body: Bytes,
    /// Kept only when it is smaller than the original.
    gzip: Option<Bytes>,
    etag: HeaderValue,
    /// The compressed body is another representation: another strong tag.
    gzip_etag: HeaderValue,
    content_type: &'static str,
}

/// Every file of `web/`, by its path there (`js/main.js`).
pub struct Assets(HashMap<String, Asset>);

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

impl Assets {
    pub fn load() -> Self {
        let mut map = HashMap::new();
        for path in Files::iter() {
            let Some(file) = Files::get(&path) else {
                continue;
            };
            let body = Bytes::from(file.data.into_owned());
            let hash: String = file.metadata.sha256_hash()[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let etag = HeaderValue::from_str(&format!("\"{hash}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
            let gzip_etag = HeaderValue::from_str(&format!("\"{hash}-gz\""))
                .unwrap_or_else(|_| HeaderValue::from_static("\"0-gz\""));
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let gzip = gz
                .write_all(&body)
                .and_then(|()| gz.finish())
                .ok()
                .filter(|z| z.len() < body.len())
                .map(Bytes::from);
            map.insert(
                path.to_string(),
                Asset {
                    content_type: content_type(&path),
                    body,
                    gzip,
                    etag,
                    gzip_etag,
                },
            );
        }
        Assets(map)
    }

    fn respond(&self, path: &str, headers: &HeaderMap) -> Response {
        let Some(asset) = self.0.get(path) else {
            return (StatusCode::NOT_FOUND, "not found\n").into_response();
        };
        let gzip_ok = headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|e| {
                let mut parts = e.split(';');
                let name = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        == Some(0.0)
                });
                name.eq_ignore_ascii_case("gzip") && !refused
            });
        let gzip = asset.gzip.as_ref().filter(|_| gzip_ok);
        let etag = if gzip.is_some() {
            &asset.gzip_etag
        } else {
            &asset.etag
        };
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|t| t.trim().trim_start_matches("W/") == etag)
            });
        let mut resp = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut resp = match gzip {
                Some(z) => {
                    let mut r = Response::new(Body::from(z.clone()));
                    r.headers_mut()
                        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                    r
                }
                None => Response::new(Body::from(asset.body.clone())),
            };
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            );
            resp
        };
        let h = resp.headers_mut();
        h.insert(header::ETAG, etag.clone());
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if path.ends_with(".html") {
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            );
        }
        resp
    }
}

/// The front end's routes: `/` (the page) and its files under `/app.css`,
/// `/js/…` and `/i18n/…`. The screens themselves live after `#` in the
/// address, so no other path needs the page.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let assets = Arc::new(Assets::load());
    Router::new()
        .route("/", get(index))
        .route("/app.css", get(stylesheet))
        .route("/icon.svg", get(icon))
        .route("/js/{*path}", get(script))
        .route("/i18n/{file}", get(catalog))
        .with_state(assets)
}

async fn index(State(a): State<Arc<Assets>>, headers: HeaderMap) -> Response {
    a.respond("index.html", &headers)
}

async fn stylesheet(State(a): State<Arc<Assets>>, headers: HeaderMap) -> Response {
    a.respond("app.css", &headers)
}

async fn icon(State(a): State<Arc<Assets>>, headers: HeaderMap) -> Response {
    a.respond("icon.svg", &headers)
}

async fn script(
    State(a): State<Arc<Assets>>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    a.respond(&format!("js/{path}"), &headers)
}

async fn catalog(
    State(a): State<Arc<Assets>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    a.respond(&format!("i18n/{file}"), &headers)
}
