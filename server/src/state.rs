//! The leaf every handler uses: the state they share, and the request facts
//! (request id, client address) read the same way everywhere.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::request_id::RequestId;

use crate::config::Config;
use crate::metrics::Metrics;

/// What every handler can reach. Cloning copies a few `Arc`s.
#[derive(Clone)]
pub struct AppState {
    pub app: app::App,
    pub schema: schema::LffSchema,
    /// Runs subscriptions, sharing renderings of live events of spaces and rooms.
    pub live: schema::Live,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    /// Cancelled when the server shuts down: sockets close with 1001.
    pub shutdown: CancellationToken,
    /// Every open WebSocket, so that shutdown can wait for them to close.
    pub sockets: TaskTracker,
    /// Open WebSockets per person, for their cap.
    pub sockets_per_person: Arc<crate::connections::SocketsPerPerson>,
}

/// The peer address of the connection, put into each request by the accept loop.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

pub(crate) const X_REQUEST_ID: &str = "x-request-id";

/// The client's address: the peer, or — when the peer is a trusted reverse
/// proxy — the last address the proxy appended to `X-Forwarded-For`.
/// Only the last entry is used: earlier ones are whatever the client claimed.
pub(crate) fn client_ip(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    trusted: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let peer = extensions.get::<ClientAddr>()?.0.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    // The entry the proxy itself appended; if it is not an address, fall back
    // to the proxy rather than to anything the client wrote.
    let last = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back();
    Some(last.and_then(|a| a.trim().parse().ok()).unwrap_or(peer))
}

/// The request facts the domain needs: its id and the client's address.
pub(crate) fn request_meta(req: &Request, state: &AppState) -> app::RequestMeta {
    app::RequestMeta {
        request_id: request_id(req),
        client_ip: client_ip(
            req.headers(),
            req.extensions(),
            &state.config.trusted_proxies,
        ),
    }
}

pub(crate) fn request_id(req: &Request) -> Option<String> {
    req.extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .map(str::to_owned)
}
