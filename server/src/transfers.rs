//! The bytes of material files over plain HTTP.
//!
//! Uploads: `startUpload` (GraphQL) opens an upload; `PATCH /uploads/{id}`
//! with `Upload-Offset: N` sends bytes from position N (what has arrived so
//! far, as `HEAD /uploads/{id}` tells); `finishUpload` completes it. A
//! `PATCH` that breaks off keeps what arrived, so a client asks `HEAD` and
//! resumes. The request body is streamed, never held whole.
//!
//! Downloads: `GET /downloads/{versionId}`, authorized like the material,
//! streamed from object storage, with `Range`, `If-None-Match`/`If-Range`
//! on the content's SHA-256 as ETag, RFC 6266 file names and `nosniff`.
//! Active content (HTML, SVG, XML, anything not known to be passive) is
//! always an attachment. `POST /downloads/{versionId}/link` (and
//! `…/thumbnail/link`) gives a short-lived signed address that works
//! without the token (`?link=`), for the browser's own download, `<img>`
//! and `<video>`.

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;

use crate::files::content_disposition;
use crate::http_error::{app_error, viewer};
use crate::links::{link_response, viewer_or_link};
use crate::state::AppState;

const UPLOAD_OFFSET: &str = "upload-offset";
const UPLOAD_LENGTH: &str = "upload-length";

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<app::Viewer, Response> {
    match viewer(state, headers).await? {
        Some(v) => Ok(v),
        None => Err(app_error(app::Error::Unauthenticated("sign in first"))),
    }
}

fn with_offset(mut resp: Response, upload: &app::Upload, received: u64) -> Response {
    let h = resp.headers_mut();
    h.insert(UPLOAD_OFFSET, HeaderValue::from(received));
    h.insert(UPLOAD_LENGTH, HeaderValue::from(upload.size));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `HEAD /uploads/{id}`: how much of an upload has arrived (`Upload-Offset`)
/// and its declared size (`Upload-Length`).
pub async fn upload_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let v = signed_in(&state, &headers).await?;
        let id = app::UploadId::parse(&id).map_err(app_error)?;
        state
            .app
            .materials()
            .upload(&v, &id)
            .await
            .map_err(app_error)
    }
    .await;
    match result {
        Ok(u) => {
            let received = u.received();
            with_offset(StatusCode::NO_CONTENT.into_response(), &u, received)
        }
        Err(resp) => resp,
    }
}

/// `PATCH /uploads/{id}` with `Upload-Offset` and the bytes as the body.
pub async fn upload_bytes(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let v = match signed_in(&state, &headers).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let id = match app::UploadId::parse(&id) {
        Ok(id) => id,
        Err(e) => return app_error(e),
    };
    let Some(offset) = headers
        .get(UPLOAD_OFFSET)
        .and_then(|o| o.to_str().ok())
        .and_then(|o| o.trim().parse::<u64>().ok())
    else {
        return app_error(app::Error::invalid(
            "Upload-Offset",
            "give the position the bytes start at in the Upload-Offset header",
        ));
    };
    let body = req
        .into_body()
        .into_data_stream()
        .map_err(|e| app::Error::internal(format!("request body: {e}")))
        .boxed();
    match state
        .app
        .materials()
        .append_upload(&v, &id, offset, body)
        .await
    {
        Ok(done) => {
            if done.interrupted {
                tracing::info!(upload = %id, received = done.received, "upload request broke off; kept what arrived");
            }
            match state.app.materials().upload(&v, &id).await {
                Ok(u) => with_offset(StatusCode::NO_CONTENT.into_response(), &u, done.received),
                Err(e) => app_error(e),
            }
        }
        Err(e @ app::Error::Conflict(_)) | Err(e @ app::Error::Invalid { .. }) => {
            // Say where the upload stands, so the client can resume.
            let resp = app_error(e);
            match state.app.materials().upload(&v, &id).await {
                Ok(u) => {
                    let received = u.received();
                    with_offset(resp, &u, received)
                }
                Err(_) => resp,
            }
        }
        Err(e) => app_error(e),
    }
}

/// Who may read a version's bytes, the version, and the resource a link
/// to it is bound to (`downloads/{id}` or `downloads/{id}/thumbnail`).
struct Readable {
    reader: Option<app::Viewer>,
    version: app::FileVersion,
    resource: String,
}

/// The version `id` names, if whoever sent `headers` (or holds `link`) may
/// read its material. `what` is the resource after the id (`""` or
/// `"/thumbnail"`).
async fn readable_version(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    link: Option<&str>,
    what: &str,
) -> Result<Readable, Response> {
    let id = app::VersionId::parse(id).map_err(app_error)?;
    let resource = format!("downloads/{}{what}", id.as_str());
    let reader = viewer_or_link(state, headers, link, &resource).await?;
    let version = state
        .app
        .materials()
        .file_version(reader.as_ref(), &id)
        .await
        .map_err(app_error)?;
    Ok(Readable {
        reader,
        version,
        resource,
    })
}

/// `POST …/link` for a version (`what`: `""`) or its thumbnail (`"/thumbnail"`).
async fn version_link(state: &AppState, headers: &HeaderMap, id: &str, what: &str) -> Response {
    match readable_version(state, headers, id, None, what).await {
        Ok(r) => link_response(state, r.reader.as_ref(), &r.resource).await,
        Err(resp) => resp,
    }
}

/// `POST /downloads/{versionId}/link`: a signed address of the file.
pub async fn download_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    version_link(&state, &headers, &id, "").await
}

/// `POST /downloads/{versionId}/thumbnail/link`: a signed address of its thumbnail.
pub async fn thumbnail_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    version_link(&state, &headers, &id, "/thumbnail").await
}

#[derive(Deserialize)]
pub struct DownloadParams {
    /// `?download=1`: always as an attachment.
    download: Option<String>,
    /// A signed link in place of the bearer token.
    link: Option<String>,
}

fn etag_matches(header_value: &str, etag: &str) -> bool {
    header_value
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// `GET /downloads/{versionId}` (and `HEAD`).
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<DownloadParams>,
    headers: HeaderMap,
) -> Response {
    let version = match readable_version(&state, &headers, &id, params.link.as_deref(), "").await {
        Ok(r) => r.version,
        Err(resp) => return resp,
    };
    let etag = format!("\"{}\"", version.sha256);
    let size = version.size;
    let mut common = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        common.insert(header::ETAG, v);
    }
    // The bytes of a version never change; who may read them might, so
    // only the person's own browser keeps them, and not for long.
    common.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    common.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));

    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        && etag_matches(inm, &etag)
    {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().extend(common);
        return resp;
    }

    // A Range applies unless If-Range names another version of the bytes.
    let if_range_ok = headers
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.trim() == etag);
    let mut range = None;
    if let Some(r) = headers.get(header::RANGE).and_then(|v| v.to_str().ok())
        && if_range_ok
    {
        match http_range_header::parse_range_header(r).and_then(|p| p.validate(size)) {
            Ok(ranges) if ranges.len() == 1 => range = Some(ranges[0].clone()),
            // Several ranges: the whole file is a valid answer, and simpler.
            Ok(_) => {}
            Err(_) => {
                let mut resp = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                resp.headers_mut().extend(common);
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    resp.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return resp;
            }
        }
    }

    let stream = match state
        .app
        .materials()
        .read_version(&version, range.clone().map(|r| *r.start()..*r.end() + 1))
        .await
    {
        Ok(s) => s,
        Err(e) => return app_error(e),
    };
    let body = Body::from_stream(stream.map_err(|e| std::io::Error::other(e.to_string())));
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.extend(common);
    let content_type = if version.content_type.starts_with("text/") {
        format!("{}; charset=utf-8", version.content_type)
    } else {
        version.content_type.clone()
    };
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let inline =
        app::materials::uploads::shown_inline(&version.content_type) && params.download.is_none();
    if let Some(v) = content_disposition(inline, version.name.as_str()) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; media-src 'self'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    match range {
        Some(r) => {
            *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_LENGTH,
                HeaderValue::from(*r.end() - *r.start() + 1),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {}-{}/{size}", r.start(), r.end()))
            {
                h.insert(header::CONTENT_RANGE, v);
            }
        }
        None => {
            resp.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
        }
    }
    resp
}

/// `GET /downloads/{versionId}/thumbnail`: the JPEG thumbnail of an image,
/// for whoever may read the material.
pub async fn thumbnail(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<DownloadParams>,
    headers: HeaderMap,
) -> Response {
    let link = params.link.as_deref();
    let version = match readable_version(&state, &headers, &id, link, "/thumbnail").await {
        Ok(r) => r.version,
        Err(resp) => return resp,
    };
    let etag = format!("\"t-{}\"", version.sha256);
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        && etag_matches(inm, &etag)
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let stream = match state.app.materials().read_thumbnail(&version).await {
        Ok(s) => s,
        Err(e) => return app_error(e),
    };
    let mut resp = Response::new(Body::from_stream(
        stream.map_err(|e| std::io::Error::other(e.to_string())),
    ));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_match_lists_weak_forms_and_stars() {
        let e = "\"abc\"";
        assert!(etag_matches("\"abc\"", e));
        assert!(etag_matches("\"x\", W/\"abc\"", e));
        assert!(etag_matches("*", e));
        assert!(!etag_matches("\"abd\"", e));
    }
}
