//! The HTTP surface: routes, shared state, health, the front end's files (in `web`), and the
//! layers every request passes (request id, tracing, metrics, panic guard,
//! security headers).

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::http_error::error_response;
use crate::state::{AppState, X_REQUEST_ID, request_id};
use crate::{files, graphql_http, metrics_http, transfers, ws};

pub fn router(state: AppState) -> Router {
    let request_id_header = header::HeaderName::from_static(X_REQUEST_ID);
    Router::new()
        .route(
            "/graphql",
            get(graphql_http::get_or_upgrade).post(graphql_http::post),
        )
        .route("/graphql/ws", get(ws::upgrade))
        .route(
            "/files",
            axum::routing::post(files::upload).layer(axum::extract::DefaultBodyLimit::max(
                app::network::cards::MAX_CARD_FILE_BYTES as usize,
            )),
        )
        .route("/files/{id}", get(files::download))
        .route(
            "/uploads/{id}",
            axum::routing::patch(transfers::upload_bytes).head(transfers::upload_status),
        )
        .route("/files/{id}/link", post(files::link))
        .route("/downloads/{id}", get(transfers::download))
        .route("/downloads/{id}/link", post(transfers::download_link))
        .route("/downloads/{id}/thumbnail", get(transfers::thumbnail))
        .route(
            "/downloads/{id}/thumbnail/link",
            post(transfers::thumbnail_link),
        )
        .route("/calendar/{file}", get(crate::calendar::feed))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_http::serve))
        .merge(crate::web::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics_http::track,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // Every body stops at a pause this long: a client sending a byte now
        // and then cannot hold a request open for ever.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.http.body_idle_timeout,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            tracing::info_span!(
                "http",
                method = %req.method(),
                path = %logged_path(req.uri().path()),
                request_id = request_id(req).unwrap_or_default(),
            )
        }))
        .layer(PropagateRequestIdLayer::new(request_id_header.clone()))
        .layer(SetRequestIdLayer::new(request_id_header, MakeRequestUuid))
        .with_state(state)
}

/// The path as logs may keep it: a calendar feed's path is its secret.
fn logged_path(path: &str) -> &str {
    if path.starts_with("/calendar/") {
        "/calendar/…"
    } else {
        path
    }
}

/// A panic anywhere below becomes a masked 500: no message, no backtrace.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a request handler panicked");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        schema::ErrorCode::Internal,
        schema::INTERNAL_MESSAGE,
    )
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// 200 when every backend answers, 503 naming the ones that do not (never why:
/// the details go to the log).
async fn readyz(State(state): State<AppState>) -> Response {
    let checks = state.app.readiness().await;
    let mut body = serde_json::Map::new();
    let mut ready = true;
    for (name, result) in checks {
        let status = match result {
            Ok(()) => "ok",
            Err(e) => {
                tracing::error!(backend = name, error = %e, "readiness check failed");
                ready = false;
                "unavailable"
            }
        };
        body.insert(name.to_owned(), status.into());
    }
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let json = serde_json::json!({ "status": if ready { "ready" } else { "unavailable" }, "checks": body });
    (code, axum::Json(json)).into_response()
}
