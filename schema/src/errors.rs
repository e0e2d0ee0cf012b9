//! The one place where errors get their stable `extensions.code`.
//!
//! Domain errors map to codes here; `Internal` is logged with the current
//! span (which carries the request id) and replaced by a fixed message.
//! Errors produced by async-graphql itself before execution (syntax,
//! validation, limits) are tagged `BAD_USER_INPUT` by the [`ErrorCodes`]
//! extension, so every error that leaves the server has a code.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextRequest, NextSubscribe,
};
use async_graphql::{ErrorExtensionValues, Response, ServerError};
use futures::StreamExt;
use futures::stream::BoxStream;

/// The codes of the public API. Clients branch on these, never on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    RateLimited,
    QuotaExceeded,
    PayloadTooLarge,
    ResyncRequired,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::QuotaExceeded => "QUOTA_EXCEEDED",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::ResyncRequired => "RESYNC_REQUIRED",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

pub const INTERNAL_MESSAGE: &str = "internal error; it has been logged";

/// An error with a code, for transports that report errors of their own.
pub fn error_with_code(code: ErrorCode, message: impl Into<String>) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code.as_str());
    e.extensions = Some(ext);
    e
}

/// The code an error carries, if any.
pub fn code_of(e: &ServerError) -> Option<&str> {
    match e.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(s) => Some(s),
        _ => None,
    }
}

/// A resolver error with a code, for conditions that are not domain errors.
pub(crate) fn coded(code: ErrorCode, message: &str) -> async_graphql::Error {
    let mut err = async_graphql::Error::new(message);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code.as_str());
    err.extensions = Some(ext);
    err
}

/// The public code of a domain error. Transports other than GraphQL (file
/// transfer) use it too, so that every error of the API speaks one language.
pub fn error_code(e: &app::Error) -> ErrorCode {
    match e {
        app::Error::Unauthenticated(_) => ErrorCode::Unauthenticated,
        app::Error::Forbidden => ErrorCode::Forbidden,
        app::Error::NotFound => ErrorCode::NotFound,
        app::Error::Invalid { .. } => ErrorCode::BadUserInput,
        app::Error::Conflict(_) => ErrorCode::Conflict,
        app::Error::RateLimited { .. } => ErrorCode::RateLimited,
        app::Error::QuotaExceeded => ErrorCode::QuotaExceeded,
        app::Error::PayloadTooLarge => ErrorCode::PayloadTooLarge,
        app::Error::ResyncRequired(_) => ErrorCode::ResyncRequired,
        app::Error::Internal(_) => ErrorCode::Internal,
    }
}

pub(crate) fn to_gql(e: app::Error) -> async_graphql::Error {
    let code = error_code(&e);
    if let app::Error::Internal(detail) = &e {
        tracing::error!(error = %detail, "internal error");
    }
    let message = match &e {
        app::Error::Internal(_) => INTERNAL_MESSAGE.to_owned(),
        other => other.to_string(),
    };
    let mut err = coded(code, &message);
    let ext = err.extensions.get_or_insert_with(Default::default);
    match &e {
        app::Error::Invalid { field, .. } => ext.set("field", *field),
        app::Error::RateLimited {
            retry_after: Some(d),
            ..
        } => ext.set("retryAfterSeconds", d.as_secs().max(1)),
        _ => {}
    }
    err
}

/// `?`-friendly conversion of domain results.
pub(crate) trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for app::Result<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(to_gql)
    }
}

/// Gives every error without a code one: errors raised by the GraphQL engine
/// itself are about the document, so they are `BAD_USER_INPUT`; an error with
/// a path but no code came from a resolver and is masked as `INTERNAL`.
fn tag(mut resp: Response) -> Response {
    for e in &mut resp.errors {
        if code_of(e).is_some() {
            continue;
        }
        let code = if e.path.is_empty() {
            ErrorCode::BadUserInput
        } else {
            tracing::error!(error = %e.message, "resolver error without a code");
            e.message = INTERNAL_MESSAGE.to_owned();
            ErrorCode::Internal
        };
        e.extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
    resp
}

pub(crate) struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        tag(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream).map(tag).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(e: &async_graphql::Error) -> Option<String> {
        match e.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    #[test]
    fn internal_details_never_reach_the_client() {
        let e = to_gql(app::Error::internal(
            "database: Parse error at line 1: SELECT * FROM user WHERE username = 'x' (/var/lib/lff/data/db)",
        ));
        assert_eq!(e.message, INTERNAL_MESSAGE);
        assert_eq!(code(&e).as_deref(), Some("INTERNAL"));
        assert!(e.source.is_none());
    }

    #[test]
    fn every_domain_error_has_its_code() {
        let cases = [
            (app::Error::Unauthenticated("x"), "UNAUTHENTICATED"),
            (app::Error::Forbidden, "FORBIDDEN"),
            (app::Error::NotFound, "NOT_FOUND"),
            (app::Error::invalid("f", "r"), "BAD_USER_INPUT"),
            (app::Error::Conflict("c".into()), "CONFLICT"),
            (
                app::Error::RateLimited {
                    message: "m",
                    retry_after: None,
                },
                "RATE_LIMITED",
            ),
            (app::Error::QuotaExceeded, "QUOTA_EXCEEDED"),
            (app::Error::PayloadTooLarge, "PAYLOAD_TOO_LARGE"),
        ];
        for (err, expected) in cases {
            assert_eq!(code(&to_gql(err)).as_deref(), Some(expected));
        }
    }

    #[test]
    fn engine_errors_without_a_path_are_bad_input_and_coded_errors_are_kept() {
        let mut resp = Response::from_errors(vec![
            ServerError::new("Unknown field", None),
            error_with_code(ErrorCode::Conflict, "taken"),
        ]);
        resp = tag(resp);
        assert_eq!(code_of(&resp.errors[0]), Some("BAD_USER_INPUT"));
        assert_eq!(code_of(&resp.errors[1]), Some("CONFLICT"));
    }
}
