//! Signed links for plain-HTTP downloads. `POST {path}/link` with the
//! bearer token (or none, for a public file) answers `{ "url",
//! "expiresAt" }` when the person may read the file; `GET {url}` then
//! serves it without a token, so `<a href download>`, `<img>` and
//! `<video>` fetch it themselves and nothing passes through the page's
//! memory. See `app::accounts::links` for what a link binds.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::http_error::{app_error, viewer};
use crate::state::AppState;

/// Who asks: the holder of the link when there is one, else the bearer.
pub(crate) async fn viewer_or_link(
    state: &AppState,
    headers: &HeaderMap,
    link: Option<&str>,
    resource: &str,
) -> Result<Option<app::Viewer>, Response> {
    match link {
        Some(token) => state
            .app
            .accounts()
            .redeem_link(resource, token)
            .await
            .map_err(app_error),
        None => viewer(state, headers).await,
    }
}

/// The answer to `POST /{resource}/link`, for a reader already checked.
pub(crate) async fn link_response(
    state: &AppState,
    reader: Option<&app::Viewer>,
    resource: &str,
) -> Response {
    match state.app.accounts().sign_link(reader, resource).await {
        Ok(link) => {
            let mut resp = axum::Json(serde_json::json!({
                "url": format!("/{resource}?link={}", link.token),
                "expiresAt": link.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            }))
            .into_response();
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => app_error(e),
    }
}
