//! The metrics over HTTP: the layer that counts and times every request,
//! and `GET /metrics` for the scraper.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::metrics::{RequestLabels, RouteLabels};
use crate::state::AppState;

/// Middleware: counts and times every request by its route pattern (never
/// its raw path, which would make label values unbounded).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    // A closed set of labels: hyper accepts any method name, and every new
    // label value would be a series kept for ever.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "OTHER",
    }
    .to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    let m = &state.metrics;
    m.latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(start.elapsed().as_secs_f64());
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: resp.status().as_u16(),
        })
        .inc();
    resp
}

/// `GET /metrics`: for a scraper on this machine, or one that sends the
/// configured `LFF_METRICS_TOKEN` as a bearer token; `404` for anyone else
/// (request counts are nobody else's business).
pub async fn serve(State(state): State<AppState>, req: Request) -> Response {
    let local = req
        .extensions()
        .get::<crate::state::ClientAddr>()
        .is_some_and(|a| a.0.ip().is_loopback())
        && req.headers().get("x-forwarded-for").is_none();
    let token = state.config.http.metrics_token.as_deref();
    let authorized = match (token, crate::http_error::bearer(req.headers())) {
        (Some(t), Some(Ok(given))) => constant_time_eq(t.as_bytes(), given.as_bytes()),
        _ => false,
    };
    if !(local || authorized) {
        return (http::StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    (
        [(
            http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

/// Compares without stopping at the first difference, so the time taken
/// says nothing about how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}
