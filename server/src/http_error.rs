//! The leaf for answers outside GraphQL execution: error bodies in the
//! negotiated media type, domain errors as HTTP statuses, and the bearer
//! token of a plain HTTP request.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schema::ErrorCode;
use serde_json::{Value, json};

use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Media {
    GraphQLResponse,
    Json,
}

impl Media {
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Media::GraphQLResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// A response made of errors only (no `data`), in the negotiated media type.
pub(crate) fn errors_response(status: StatusCode, media: Media, errors: Value) -> Response {
    let body = json!({ "errors": errors });
    (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        body.to_string(),
    )
        .into_response()
}

/// An error response for paths outside GraphQL execution (panics, limits).
pub(crate) fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    errors_response(
        status,
        Media::GraphQLResponse,
        json!([{ "message": message, "extensions": { "code": code.as_str() } }]),
    )
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<Result<&str, ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let s = value.to_str().map_err(|_| ());
    Some(s.and_then(|s| {
        let (scheme, token) = s.split_once(' ').ok_or(())?;
        if scheme.eq_ignore_ascii_case("bearer") {
            Ok(token.trim())
        } else {
            Err(())
        }
    }))
}

/// Errors before execution (syntax, validation, limits): no error has a
/// path and there is no data.
pub(crate) fn is_request_error(resp: &async_graphql::Response) -> bool {
    !resp.errors.is_empty()
        && resp.data == async_graphql::Value::Null
        && resp.errors.iter().all(|e| e.path.is_empty())
}

fn status_of(code: schema::ErrorCode) -> StatusCode {
    use schema::ErrorCode as C;
    match code {
        C::Unauthenticated => StatusCode::UNAUTHORIZED,
        C::Forbidden => StatusCode::FORBIDDEN,
        C::NotFound => StatusCode::NOT_FOUND,
        C::BadUserInput => StatusCode::BAD_REQUEST,
        C::Conflict | C::ResyncRequired => StatusCode::CONFLICT,
        C::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        C::QuotaExceeded => StatusCode::INSUFFICIENT_STORAGE,
        C::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub(crate) fn app_error(e: app::Error) -> Response {
    let code = schema::error_code(&e);
    let message = match &e {
        app::Error::Internal(detail) => {
            tracing::error!(error = %detail, "a request outside GraphQL failed");
            schema::INTERNAL_MESSAGE.to_owned()
        }
        other => other.to_string(),
    };
    error_response(status_of(code), code, &message)
}

pub(crate) async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<app::Viewer>, Response> {
    match bearer(headers) {
        None => Ok(None),
        Some(Err(())) => Err(app_error(app::Error::Unauthenticated(
            "the Authorization header must be 'Bearer <token>'",
        ))),
        Some(Ok(token)) => state
            .app
            .accounts()
            .authenticate(token)
            .await
            .map(Some)
            .map_err(app_error),
    }
}
