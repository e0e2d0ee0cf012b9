//! File transfer over plain HTTP: `POST /files` uploads one file (the raw
//! bytes as the body, its name in `?name=`), `GET /files/{id}` downloads one.
//! Both authenticate with the same bearer token as GraphQL; the domain
//! decides who may upload and who may see a file.
//!
//! Downloads are served with their detected type, `nosniff`, a sandboxing
//! CSP and — for anything but images — as attachments, so an uploaded file
//! can never run as a page of this site.
//!
//! `POST /files/{id}/link` gives a short-lived signed address of a file
//! that works without the token (`?link=`), for `<img>` and the browser's
//! own download.

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;
use serde::Deserialize;

use crate::http_error::{app_error, viewer};
use crate::links::{link_response, viewer_or_link};
use crate::state::{AppState, request_meta};

#[derive(Deserialize)]
pub struct UploadParams {
    name: Option<String>,
}

/// `POST /files?name=photo.jpg` with the bytes as the body.
pub async fn upload(
    State(state): State<AppState>,
    Query(params): Query<UploadParams>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let viewer = match viewer(&state, &headers).await {
        Ok(Some(v)) => v,
        Ok(None) => return app_error(app::Error::Unauthenticated("sign in first")),
        Err(resp) => return resp,
    };
    let Some(name) = params.name else {
        return app_error(app::Error::invalid("name", "give the file name as ?name="));
    };
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let meta = request_meta(&req, &state);
    let limit = app::network::cards::MAX_CARD_FILE_BYTES as usize;
    // Counted while streaming: a body past the limit is cut off, not buffered.
    let bytes = match axum::body::to_bytes(req.into_body(), limit).await {
        Ok(b) => b,
        Err(_) => return app_error(app::Error::PayloadTooLarge),
    };
    match state
        .app
        .network()
        .upload_file(&viewer, &name, declared.as_deref(), bytes.to_vec(), &meta)
        .await
    {
        Ok(f) => (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({
                "id": f.id.as_str(),
                "name": f.name.as_str(),
                "contentType": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "url": format!("/files/{}", f.id),
            })),
        )
            .into_response(),
        Err(e) => app_error(e),
    }
}

#[derive(Deserialize)]
pub struct DownloadParams {
    /// A signed link in place of the bearer token.
    link: Option<String>,
}

/// The file `id` names, if whoever sent `headers` (or holds `link`) may see
/// it, with who asks and the resource a link to it is bound to.
async fn visible_file(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    link: Option<&str>,
) -> Result<(Option<app::Viewer>, app::StoredFile, String), Response> {
    let id = app::FileId::parse(id).map_err(app_error)?;
    let resource = format!("files/{}", id.as_str());
    let viewer = viewer_or_link(state, headers, link, &resource).await?;
    let file = state
        .app
        .network()
        .file_record(viewer.as_ref(), &id)
        .await
        .map_err(app_error)?;
    Ok((viewer, file, resource))
}

/// `POST /files/{id}/link`: a signed address of the file.
pub async fn link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match visible_file(&state, &headers, &id, None).await {
        Ok((reader, _, resource)) => link_response(&state, reader.as_ref(), &resource).await,
        Err(resp) => resp,
    }
}

/// `GET /files/{id}` (with the token, or `?link=`).
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<DownloadParams>,
    headers: HeaderMap,
) -> Response {
    let file = match visible_file(&state, &headers, &id, params.link.as_deref()).await {
        Ok((_, f, _)) => f,
        Err(resp) => return resp,
    };
    let etag = format!("\"{}\"", file.sha256);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        })
    {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            resp.headers_mut().insert(header::ETAG, v);
        }
        return resp;
    }
    let bytes = match state.app.network().file_bytes(&file).await {
        Ok(b) => b,
        Err(e) => return app_error(e),
    };
    let disposition = if file.is_image() {
        "inline"
    } else {
        "attachment"
    };
    // Streamed from object storage: a reader that stops reading holds one
    // chunk, not the whole file.
    let mut resp = Response::new(Body::from_stream(
        bytes.map_err(|e| std::io::Error::other(e.to_string())),
    ));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(file.size));
    if let Ok(v) = HeaderValue::from_str(&file.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(v) = content_disposition(disposition == "inline", file.name.as_str()) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}

/// `Content-Disposition` after RFC 6266 and RFC 5987: an ASCII fallback
/// name for old clients plus the exact name in UTF-8 (Cyrillic, Armenian…).
pub(crate) fn content_disposition(inline: bool, name: &str) -> Option<HeaderValue> {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let kind = if inline { "inline" } else { "attachment" };
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .ok()
}
