//! GraphQL over HTTP, following the GraphQL-over-HTTP specification.
//!
//! * `POST` with `Content-Type: application/json` (UTF-8) runs any operation;
//!   other or missing content types get 415, so no HTML form can post here
//!   (no CSRF path: credentials travel only in the `Authorization` header).
//! * `GET` runs queries only; a mutation over GET gets 405 with `Allow: POST`.
//! * Batches (JSON arrays) are refused with 400.
//! * Responses are `application/graphql-response+json` unless the client
//!   accepts only `application/json`. With the former, requests that fail
//!   before execution (syntax, validation, limits) get 400.
//! * A bearer token that is not valid (expired, revoked) gets 401.

use async_graphql::parser::types::OperationType;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;
use schema::ErrorCode;
use serde_json::{Map, Value, json};

use crate::http_error::{Media, bearer, error_response, errors_response, is_request_error};
use crate::state::{AppState, request_meta};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// Picks the response media type from `Accept`. `None`: nothing we can send.
///
/// `application/graphql-response+json` only when the client names it; a
/// missing `Accept`, `*/*` and `application/*` get `application/json`, as the
/// specification advises for clients that predate the newer media type.
fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let mut json = false;
    for part in accept.split(',') {
        let mut items = part.split(';').map(str::trim);
        let media = items.next().unwrap_or("").to_ascii_lowercase();
        let refused = items.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("q")
                    && v.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            })
        });
        if refused {
            continue;
        }
        match media.as_str() {
            GRAPHQL_RESPONSE_JSON => return Some(Media::GraphQLResponse),
            JSON | "*/*" | "application/*" => json = true,
            _ => {}
        }
    }
    json.then_some(Media::Json)
}

fn request_error(media: Media, status: StatusCode, code: ErrorCode, message: &str) -> Response {
    // With application/json, the specification expects 200 for GraphQL-level
    // failures of a well-formed request, but 4xx when the request itself is bad.
    errors_response(
        status,
        media,
        json!([{ "message": message, "extensions": { "code": code.as_str() } }]),
    )
}

/// The GraphQL request parameters, checked for shape.
#[derive(Debug)]
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<Value>,
}

fn params_from_json(v: Value) -> Result<Params, &'static str> {
    let Value::Object(mut map) = v else {
        return Err(if v.is_array() {
            "batched requests are not supported; send one operation per request"
        } else {
            "the request body must be a JSON object"
        });
    };
    let query = match map.remove("query") {
        Some(Value::String(q)) => q,
        Some(_) => return Err("'query' must be a string"),
        None => return Err("'query' is missing"),
    };
    let operation_name = match map.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err("'operationName' must be a string or null"),
    };
    let variables = match map.remove("variables") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v),
        Some(_) => return Err("'variables' must be an object or null"),
    };
    match map.remove("extensions") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => return Err("'extensions' must be an object or null"),
    }
    Ok(Params {
        query,
        operation_name,
        variables,
    })
}

fn params_from_query_string(qs: &str) -> Result<Params, &'static str> {
    let mut map = Map::new();
    for (k, v) in url::form_urlencoded::parse(qs.as_bytes()) {
        let value = match k.as_ref() {
            "variables" | "extensions" => {
                serde_json::from_str(&v).map_err(|_| "'variables' and 'extensions' must be JSON")?
            }
            _ => Value::String(v.into_owned()),
        };
        map.insert(k.into_owned(), value);
    }
    params_from_json(Value::Object(map))
}

fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = ct.split(';').map(str::trim);
    if !parts.next().is_some_and(|m| m.eq_ignore_ascii_case(JSON)) {
        return false;
    }
    parts.all(|p| match p.split_once('=') {
        Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
            v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    })
}

/// `POST /graphql`.
pub async fn post(State(state): State<AppState>, req: Request) -> Response {
    let Some(media) = negotiate(req.headers()) else {
        return not_acceptable();
    };
    if is_multipart(req.headers()) {
        return post_multipart(state, req, media).await;
    }
    if !is_json_content_type(req.headers()) {
        return request_error(
            media,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "send the request as Content-Type: application/json",
        );
    }
    let limit = state.config.http.max_body_bytes;
    let (parts, body) = req.into_parts();
    // A JSON body is small: it arrives whole within the request timeout.
    let read = tokio::time::timeout(
        state.config.http.request_timeout,
        axum::body::to_bytes(body, limit),
    );
    let bytes: Bytes = match read.await {
        Ok(Ok(b)) => b,
        Err(_) => {
            return request_error(
                media,
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::BadUserInput,
                "the request body did not arrive in time",
            );
        }
        Ok(Err(e)) if is_timeout(&e) => {
            return request_error(
                media,
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::BadUserInput,
                "the request body stopped arriving",
            );
        }
        Ok(Err(_)) => {
            return request_error(
                media,
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                &format!("the request body is larger than {limit} bytes"),
            );
        }
    };
    let params = match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) => params_from_json(v),
        Err(_) => Err("the request body is not valid JSON"),
    };
    match params {
        Ok(p) => {
            execute(
                state,
                Request::from_parts(parts, Body::empty()),
                media,
                p,
                false,
            )
            .await
        }
        Err(msg) => request_error(media, StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, msg),
    }
}

/// `GET /graphql`: a WebSocket upgrade, or a query in the query string.
pub async fn get_or_upgrade(State(state): State<AppState>, req: Request) -> Response {
    let wants_upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if wants_upgrade {
        let (mut parts, _) = req.into_parts();
        return match axum::extract::ws::WebSocketUpgrade::from_request_parts(&mut parts, &state)
            .await
        {
            Ok(up) => crate::ws::upgrade_with(state, &parts, up).await,
            Err(rejection) => rejection.into_response(),
        };
    }
    let Some(media) = negotiate(req.headers()) else {
        return not_acceptable();
    };
    let params = params_from_query_string(req.uri().query().unwrap_or(""));
    match params {
        Ok(p) => execute(state, req, media, p, true).await,
        Err(msg) => request_error(media, StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, msg),
    }
}

fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        format!("this endpoint answers with {GRAPHQL_RESPONSE_JSON} or {JSON}\n"),
    )
        .into_response()
}

fn unauthenticated(media: Media, message: &str) -> Response {
    let mut resp = request_error(
        media,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
        message,
    );
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    resp
}

async fn execute(
    state: AppState,
    req: Request,
    media: Media,
    p: Params,
    over_get: bool,
) -> Response {
    let max_doc = state.config.http.max_document_bytes;
    if p.query.len() > max_doc {
        return request_error(
            media,
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            &format!("the GraphQL document is larger than {max_doc} bytes"),
        );
    }
    if over_get {
        // Only queries may run over GET: GET must never change anything.
        // (Too deep a document is refused by the schema before it parses.)
        if schema::nesting_ok(&p.query)
            && let Ok(doc) = async_graphql::parser::parse_query(&p.query)
        {
            let op = doc
                .operations
                .iter()
                .find(|(name, _)| match (&p.operation_name, name) {
                    (Some(wanted), Some(n)) => n.as_str() == wanted,
                    (None, _) => true,
                    _ => false,
                });
            if let Some((_, op)) = op
                && op.node.ty != OperationType::Query
            {
                let mut resp = request_error(
                    media,
                    StatusCode::METHOD_NOT_ALLOWED,
                    ErrorCode::BadUserInput,
                    "only queries may be sent with GET; use POST",
                );
                resp.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
                return resp;
            }
        }
    }

    let mut gql = async_graphql::Request::new(p.query);
    if let Some(name) = p.operation_name {
        gql = gql.operation_name(name);
    }
    if let Some(vars) = p.variables {
        gql = gql.variables(async_graphql::Variables::from_json(vars));
    }
    run(state, req, media, gql).await
}

/// A `multipart/form-data` POST: the GraphQL multipart request format,
/// for mutations that take files (`Upload`). Only with a bearer token:
/// an HTML form on another site cannot set one, so this opens no way for
/// cross-site requests, and the token is checked before the body is read.
/// Files are counted while they stream to temporary files: at most 5 per
/// request, 25 MiB each.
fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"))
        })
}

const MAX_UPLOAD_FILES: usize = 5;

fn body_error(e: Box<dyn std::error::Error + Send + Sync>) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Whether reading a body failed because it stopped arriving
/// (`RequestBodyTimeoutLayer`).
fn is_timeout(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = err.source();
    }
    false
}

async fn post_multipart(state: AppState, req: Request, media: Media) -> Response {
    let Some(Ok(token)) = bearer(req.headers()) else {
        return request_error(
            media,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "multipart requests need an Authorization: Bearer token; send other requests as Content-Type: application/json",
        );
    };
    // The token is checked before a byte of the body is read: nobody
    // without a session makes the server receive files.
    if let Err(resp) = authenticated(&state, media, token).await {
        return resp;
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = req.into_parts();
    let file_limit = app::materials::model::MAX_SMALL_UPLOAD as usize;
    // The whole body: the files plus a JSON part no larger than a JSON request.
    let body_limit = MAX_UPLOAD_FILES * file_limit + state.config.http.max_body_bytes;
    let reader = http_body_util::Limited::new(body, body_limit);
    let stream = http_body_util::BodyDataStream::new(reader).map_err(body_error);
    let opts = async_graphql::http::MultipartOptions::default()
        .max_file_size(file_limit)
        .max_num_files(MAX_UPLOAD_FILES);
    let gql = match async_graphql::http::receive_body(content_type, stream.into_async_read(), opts)
        .await
    {
        Ok(r) => r,
        Err(async_graphql::ParseRequestError::PayloadTooLarge) => {
            return request_error(
                media,
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                &format!(
                    "a file is larger than {file_limit} bytes; use startUpload for large files"
                ),
            );
        }
        Err(async_graphql::ParseRequestError::Io(e)) if e.to_string().contains("length limit") => {
            return request_error(
                media,
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "the request is too large; use startUpload for large files",
            );
        }
        Err(e) => {
            tracing::debug!(error = %e, "unreadable multipart request");
            return request_error(
                media,
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the multipart request does not follow the GraphQL multipart request format",
            );
        }
    };
    let max_doc = state.config.http.max_document_bytes;
    if gql.query.len() > max_doc {
        return request_error(
            media,
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            &format!("the GraphQL document is larger than {max_doc} bytes"),
        );
    }
    run(state, Request::from_parts(parts, Body::empty()), media, gql).await
}

/// The session of a bearer token, or the response that refuses it (401; a
/// failing backend is a masked 500).
async fn authenticated(
    state: &AppState,
    media: Media,
    token: &str,
) -> Result<app::Viewer, Response> {
    match state.app.accounts().authenticate(token).await {
        Ok(v) => Ok(v),
        Err(app::Error::Unauthenticated(msg)) => Err(unauthenticated(media, msg)),
        Err(e) => {
            tracing::error!(error = %e, "authentication failed");
            Err(error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                schema_internal(),
            ))
        }
    }
}

/// Authenticates and executes a parsed request.
async fn run(state: AppState, req: Request, media: Media, gql: async_graphql::Request) -> Response {
    let viewer = match bearer(req.headers()) {
        None => None,
        Some(Err(())) => {
            return unauthenticated(media, "the Authorization header must be 'Bearer <token>'");
        }
        Some(Ok(token)) => match authenticated(&state, media, token).await {
            Ok(v) => Some(v),
            Err(resp) => return resp,
        },
    };
    let meta = request_meta(&req, &state);

    let mut gql = gql.data(meta);
    if let Some(v) = viewer {
        gql = gql.data(v);
    }

    let timeout = state.config.http.request_timeout;
    let resp = match tokio::time::timeout(timeout, state.schema.execute(gql)).await {
        Ok(r) => r,
        Err(_) => {
            return error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Internal,
                "the request took too long and was stopped",
            );
        }
    };
    render(media, resp)
}

fn schema_internal() -> &'static str {
    schema::INTERNAL_MESSAGE
}

fn render(media: Media, resp: async_graphql::Response) -> Response {
    let request_error = is_request_error(&resp);
    let mut body = match serde_json::to_value(&resp) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "could not serialise a GraphQL response");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                schema_internal(),
            );
        }
    };
    let status = if request_error {
        if let Value::Object(m) = &mut body {
            // A request that never executed has no `data` entry at all.
            m.remove("data");
        }
        match media {
            Media::GraphQLResponse => StatusCode::BAD_REQUEST,
            Media::Json => StatusCode::OK,
        }
    } else {
        StatusCode::OK
    };
    let mut out = (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        body.to_string(),
    )
        .into_response();
    // Responses carry personal data; no shared cache may keep them.
    out.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn accept_negotiation_prefers_the_graphql_media_type() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(negotiate(&accept("application/json")), Some(Media::Json));
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(Media::GraphQLResponse)
        );
        assert_eq!(negotiate(&accept("*/*")), Some(Media::Json));
        assert_eq!(negotiate(&accept("text/html")), None);
        assert_eq!(
            negotiate(&accept("application/graphql-response+json;q=0")),
            None
        );
    }

    #[test]
    fn content_type_must_be_json_in_utf8() {
        let ct = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
            is_json_content_type(&h)
        };
        assert!(ct("application/json"));
        assert!(ct("application/json; charset=utf-8"));
        assert!(ct("Application/JSON;charset=\"UTF-8\""));
        assert!(!ct("application/json; charset=utf-16"));
        assert!(!ct("text/plain"));
        assert!(!ct("application/x-www-form-urlencoded"));
        assert!(!is_json_content_type(&HeaderMap::new()));
    }

    #[test]
    fn request_parameters_are_checked_for_shape() {
        assert!(params_from_json(json!({"query": "{ me { id } }"})).is_ok());
        assert!(
            params_from_json(json!([{"query": "{ me { id } }"}]))
                .unwrap_err()
                .contains("batched")
        );
        assert!(params_from_json(json!({"query": 1})).is_err());
        assert!(params_from_json(json!({"query": "{a}", "variables": "x"})).is_err());
        assert!(
            params_from_json(json!({"query": "{a}", "variables": null, "operationName": null}))
                .is_ok()
        );
    }
}
