//! The one error type of the domain.
//!
//! Every variant but [`Error::Internal`] is something the client can act on and
//! carries a message safe to show. `Internal` keeps its detail for the logs
//! only; transports must never put that detail on the wire.

use std::time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No valid session: sign in (again).
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Signed in, but not allowed. Outsiders get [`Error::NotFound`] instead so
    /// that they cannot learn that a thing exists.
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// An input failed validation; `field` names the input.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again after the given time (if known).
    #[error("{message}")]
    RateLimited {
        message: &'static str,
        retry_after: Option<Duration>,
    },
    #[error("quota exceeded")]
    QuotaExceeded,
    #[error("payload too large")]
    PayloadTooLarge,
    /// A live stream cannot continue without a gap: the client fell behind
    /// or asked for events older than the server keeps. Reload, then resume.
    #[error("{0}")]
    ResyncRequired(&'static str),
    /// A bug or a failing backend. The string is for logs, never for clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Error::Internal(detail.to_string())
    }
}
