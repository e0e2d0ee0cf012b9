//! GraphQL over WebSocket with the `graphql-transport-ws` protocol, written
//! here because the stock async-graphql handler does not follow the
//! protocol's close codes, has no init timeout and sends no pings.
//!
//! One task per socket runs a single `select!` loop over: the shutdown
//! signal, the `connection_init` deadline, the signed-in person's hub
//! signals (session revoked), the ping timer, inbound messages and the
//! socket's subscription streams. Writes happen only in that loop, so a slow
//! client only ever slows itself. The legacy `graphql-ws` protocol is
//! refused at the handshake.

use std::collections::HashSet;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::stream::BoxStream;
use futures::{FutureExt, SinkExt, StreamExt};
use schema::ErrorCode;
use schema::live::Output;
use serde_json::{Map, Value, json};
use tokio_stream::StreamMap;

use crate::config::WsLimits;
use crate::http_error::is_request_error;
use crate::state::{AppState, X_REQUEST_ID, client_ip};

pub const PROTOCOL: &str = "graphql-transport-ws";

/// Close codes of the protocol (and two of RFC 6455).
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
    pub const INVALID_MESSAGE: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const DUPLICATE_ID: u16 = 4409;
    pub const TOO_MANY_INITS: u16 = 4429;
    pub const IDLE: u16 = 1000;
}

/// `GET /graphql/ws`.
pub async fn upgrade(State(state): State<AppState>, req: Request) -> Response {
    let (mut parts, _) = req.into_parts();
    match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(up) => upgrade_with(state, &parts, up).await,
        Err(rejection) => rejection.into_response(),
    }
}

/// Browsers send `Origin`; it must be the server's own or an allowed one.
/// Other clients send none and are not subject to the check.
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    if allowed.contains(&origin) {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}

pub async fn upgrade_with(state: AppState, parts: &Parts, up: WebSocketUpgrade) -> Response {
    if !origin_allowed(&parts.headers, &state.config.allowed_origins) {
        return (
            StatusCode::FORBIDDEN,
            "this origin may not open a WebSocket here\n",
        )
            .into_response();
    }
    let up = up.protocols([PROTOCOL]);
    if up.selected_protocol().is_none() {
        return (
            StatusCode::BAD_REQUEST,
            format!("request the '{PROTOCOL}' WebSocket sub-protocol; the legacy 'graphql-ws' protocol is not supported\n"),
        )
            .into_response();
    }
    let meta = app::RequestMeta {
        request_id: parts
            .headers
            .get(X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        client_ip: client_ip(
            &parts.headers,
            &parts.extensions,
            &state.config.trusted_proxies,
        ),
    };
    let limits = state.config.ws.clone();
    // tungstenite allocates 128 KiB for reading up front and buffers up to
    // 128 KiB before writing: per idle socket that is most of its memory.
    // Client messages are small, and frames are written out on flush; the
    // buffers grow for a large message and are bounded by the limits.
    up.max_message_size(limits.max_message_bytes)
        .max_frame_size(limits.max_message_bytes)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .on_upgrade(move |socket| {
            let tracker = state.sockets.clone();
            tracker.track_future(async move {
                let span = tracing::info_span!(
                    "ws",
                    request_id = meta.request_id.clone().unwrap_or_default()
                );
                let _ =
                    tracing::Instrument::instrument(run(socket, state, meta, limits), span).await;
            })
        })
}

const READ_BUFFER: usize = 1024;
const WRITE_BUFFER: usize = 16 * 1024;
/// Frames queued between flushes are at most this large together; past it
/// the socket counts as stuck and is closed.
const MAX_WRITE_BUFFER: usize = 8 * 1024 * 1024;

struct Close(u16, String);

fn closing(code: u16, reason: impl Into<String>) -> Option<Close> {
    Some(Close(code, reason.into()))
}

/// The close of a message that breaks the protocol's grammar.
fn invalid(why: &str) -> Option<Close> {
    closing(
        close::INVALID_MESSAGE,
        format!("Invalid message received: {why}"),
    )
}

type OpStream = BoxStream<'static, Option<schema::live::Output>>;

struct Conn {
    state: AppState,
    meta: app::RequestMeta,
    limits: WsLimits,
    /// Set once `connection_init` was accepted.
    auth: Option<(String, app::Viewer)>,
    /// This socket's place among its person's.
    _counted: Option<crate::connections::PersonSocket>,
    init_seen: bool,
    ops: StreamMap<String, OpStream>,
    /// Ids of operations that are running; an id is free again once complete.
    ids: HashSet<String>,
    window_start: Instant,
    window_count: u32,
}

/// Decrements the socket gauge however the task ends.
struct SocketGauge(AppState);

impl Drop for SocketGauge {
    fn drop(&mut self) {
        self.0.metrics.open_sockets.dec();
    }
}

async fn next_signal(
    listener: &mut Option<app::UserListener>,
) -> Result<app::UserSignal, app::Missed> {
    match listener {
        Some(l) => l.recv().await,
        None => std::future::pending().await,
    }
}

fn too_big(e: &axum::Error) -> bool {
    let inner: &(dyn std::error::Error + 'static) = e;
    let mut source = Some(inner);
    while let Some(err) = source {
        if let Some(t) = err.downcast_ref::<tungstenite::Error>() {
            return matches!(t, tungstenite::Error::Capacity(_));
        }
        source = err.source();
    }
    false
}

async fn run(mut socket: WebSocket, state: AppState, meta: app::RequestMeta, limits: WsLimits) {
    state.metrics.open_sockets.inc();
    let _gauge = SocketGauge(state.clone());
    let init_deadline = tokio::time::sleep(limits.init_timeout);
    tokio::pin!(init_deadline);
    let mut ping = tokio::time::interval_at(
        tokio::time::Instant::now() + limits.ping_interval,
        limits.ping_interval,
    );
    let mut last_heard = Instant::now();
    let mut listener: Option<app::UserListener> = None;
    let mut conn = Conn {
        state: state.clone(),
        meta,
        limits: limits.clone(),
        auth: None,
        _counted: None,
        init_seen: false,
        ops: StreamMap::new(),
        ids: HashSet::new(),
        window_start: Instant::now(),
        window_count: 0,
    };

    let close = loop {
        tokio::select! {
            biased;
            _ = state.shutdown.cancelled() => break closing(close::GOING_AWAY, "server shutting down"),
            _ = &mut init_deadline, if conn.auth.is_none() => {
                break closing(close::INIT_TIMEOUT, "Connection initialisation timeout");
            }
            signal = next_signal(&mut listener) => {
                let Some((_, viewer)) = &conn.auth else { continue };
                let ended = match signal {
                    Ok(app::UserSignal::SessionsRevoked(None)) => true,
                    Ok(app::UserSignal::SessionsRevoked(Some(h))) => h == viewer.token_hash,
                    Ok(app::UserSignal::Notification(_)) => false,
                    // Signals were dropped: check the session directly.
                    Err(app::Missed) => !conn.session_still_valid().await,
                };
                if ended {
                    break closing(close::FORBIDDEN, "Forbidden: the session has ended");
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() >= limits.idle_timeout {
                    break closing(close::IDLE, "Idle timeout");
                }
                if conn.auth.is_some() && !conn.session_still_valid().await {
                    break closing(close::FORBIDDEN, "Forbidden: the session has ended");
                }
                if send(&mut socket, Message::Ping(Default::default()), limits.idle_timeout).await.is_err() {
                    break None;
                }
            }
            msg = socket.recv() => {
                last_heard = Instant::now();
                let text = match msg {
                    None => break None,
                    Some(Err(e)) => {
                        if too_big(&e) {
                            break closing(close::TOO_BIG, "Message too big");
                        }
                        break None;
                    }
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Binary(_))) => break closing(close::INVALID_MESSAGE, "Binary messages are not supported"),
                    Some(Ok(Message::Close(_))) => break None,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                };
                if let Some(c) = conn.count_message() {
                    break Some(c);
                }
                match conn.handle(&mut socket, text.as_str()).await {
                    Err(c) => break c,
                    Ok(()) => {
                        if listener.is_none() && let Some((_, v)) = &conn.auth {
                            listener = Some(state.app.hub().listen(&v.user.id));
                        }
                    }
                }
            }
            Some((id, item)) = conn.ops.next(), if !conn.ops.is_empty() => {
                // Queue this result and whatever else is ready, then flush
                // once: one write for many frames when events come in bursts.
                let mut outcome = conn.deliver(&mut socket, id, item).await;
                let mut queued = 1;
                while outcome.is_ok() && queued < MAX_FRAMES_PER_FLUSH {
                    match conn.ops.next().now_or_never() {
                        Some(Some((id, item))) => {
                            outcome = conn.deliver(&mut socket, id, item).await;
                            queued += 1;
                        }
                        _ => break,
                    }
                }
                if let Err(c) = outcome {
                    break c;
                }
                if flush(&mut socket, limits.idle_timeout).await.is_err() {
                    break None;
                }
            }
        }
    };

    let running = conn.ops.len() as i64;
    state.metrics.subscriptions.dec_by(running);
    if let Some(Close(code, reason)) = close {
        tracing::debug!(code, %reason, "closing WebSocket");
        let frame = Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        // A client that does not take even the close frame in a second is gone.
        let _ = send(&mut socket, frame, std::time::Duration::from_secs(1)).await;
    }
}

/// Frames queued on a socket before it is flushed.
const MAX_FRAMES_PER_FLUSH: usize = 64;

/// Writes out what was queued with `feed`, giving up like [`send`].
async fn flush(socket: &mut WebSocket, within: std::time::Duration) -> Result<(), ()> {
    match tokio::time::timeout(within, socket.flush()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(()),
        Err(_) => {
            tracing::debug!("dropping a WebSocket that stopped reading");
            Err(())
        }
    }
}

/// Sends one message, giving up on a client that has not taken it within
/// `within`: a socket that stops reading must not hold its task (and the
/// server's shutdown) hostage once the TCP buffers are full.
async fn send(socket: &mut WebSocket, m: Message, within: std::time::Duration) -> Result<(), ()> {
    match tokio::time::timeout(within, socket.send(m)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(()),
        Err(_) => {
            tracing::debug!("dropping a WebSocket that stopped reading");
            Err(())
        }
    }
}

fn send_json(v: Value) -> Message {
    Message::Text(v.to_string().into())
}

fn error_payload(code: ErrorCode, message: &str) -> Value {
    json!([{ "message": message, "extensions": { "code": code.as_str() } }])
}

impl Conn {
    /// Whether the socket's session is still valid. Takes `&mut self` so the
    /// future stays `Send` without requiring the operation streams to be `Sync`.
    async fn session_still_valid(&mut self) -> bool {
        let Some((token, _)) = &self.auth else {
            return false;
        };
        let (app, token) = (self.state.app.clone(), token.clone());
        match app.accounts().authenticate(&token).await {
            Ok(_) => true,
            Err(app::Error::Unauthenticated(_)) => false,
            // A backend hiccup is not a reason to drop the person's socket.
            Err(e) => {
                tracing::warn!(error = %e, "could not re-check a socket's session");
                true
            }
        }
    }

    fn count_message(&mut self) -> Option<Close> {
        if self.window_start.elapsed() >= self.limits.rate_window {
            self.window_start = Instant::now();
            self.window_count = 0;
        }
        self.window_count += 1;
        (self.window_count > self.limits.max_messages)
            .then(|| Close(close::POLICY, "Too many messages".into()))
    }

    /// Handles one client message; `Err` closes the socket.
    async fn handle(&mut self, socket: &mut WebSocket, text: &str) -> Result<(), Option<Close>> {
        let Ok(Value::Object(mut msg)) = serde_json::from_str::<Value>(text) else {
            return Err(invalid("not a JSON object"));
        };
        let Some(Value::String(kind)) = msg.remove("type") else {
            return Err(invalid("missing 'type'"));
        };
        match kind.as_str() {
            "connection_init" => self.on_init(socket, msg).await,
            "ping" => {
                let mut pong = json!({ "type": "pong" });
                if let Some(p) = msg.remove("payload").filter(Value::is_object) {
                    pong["payload"] = p;
                }
                send(socket, send_json(pong), self.limits.idle_timeout)
                    .await
                    .map_err(|_| None)?;
                Ok(())
            }
            "pong" => Ok(()),
            "subscribe" => self.on_subscribe(socket, msg).await,
            "complete" => self.on_complete(msg),
            other => Err(invalid(&format!(
                "unknown type '{}'",
                other.chars().take(32).collect::<String>()
            ))),
        }
    }

    /// `connection_init`: signs the socket in with its session token, once.
    async fn on_init(
        &mut self,
        socket: &mut WebSocket,
        mut msg: Map<String, Value>,
    ) -> Result<(), Option<Close>> {
        if self.init_seen {
            return Err(closing(
                close::TOO_MANY_INITS,
                "Too many initialisation requests",
            ));
        }
        self.init_seen = true;
        let payload = msg.remove("payload").unwrap_or(Value::Null);
        if !(payload.is_object() || payload.is_null()) {
            return Err(invalid("'payload' must be an object"));
        }
        let token = payload
            .get("token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                let auth = payload
                    .get("Authorization")
                    .or_else(|| payload.get("authorization"))?;
                let (scheme, t) = auth.as_str()?.split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then(|| t.trim().to_owned())
            });
        let Some(token) = token else {
            return Err(closing(
                close::FORBIDDEN,
                "Forbidden: sign in and send the session token",
            ));
        };
        match self.state.app.accounts().authenticate(&token).await {
            Ok(viewer) => {
                let Some(counted) = self
                    .state
                    .sockets_per_person
                    .admit(&viewer.user.id, self.limits.max_per_person)
                else {
                    return Err(closing(
                        close::POLICY,
                        format!(
                            "Too many sockets: at most {} per person",
                            self.limits.max_per_person
                        ),
                    ));
                };
                self._counted = Some(counted);
                self.auth = Some((token, viewer));
                let ack = send_json(json!({ "type": "connection_ack" }));
                send(socket, ack, self.limits.idle_timeout)
                    .await
                    .map_err(|_| None)?;
            }
            Err(app::Error::Unauthenticated(_)) => {
                return Err(closing(
                    close::FORBIDDEN,
                    "Forbidden: the session token is not valid",
                ));
            }
            Err(e) => {
                tracing::error!(error = %e, "authentication failed");
                return Err(closing(1011, "Internal error"));
            }
        }
        Ok(())
    }

    /// `subscribe`: starts an operation under the socket's limits.
    async fn on_subscribe(
        &mut self,
        socket: &mut WebSocket,
        mut msg: Map<String, Value>,
    ) -> Result<(), Option<Close>> {
        let Some((_, viewer)) = &self.auth else {
            return Err(closing(close::UNAUTHORIZED, "Unauthorized"));
        };
        let viewer = viewer.clone();
        let id = match msg.remove("id") {
            Some(Value::String(id)) if !id.is_empty() && id.len() <= 128 => id,
            _ => return Err(invalid("'id' must be a non-empty string")),
        };
        let Some(Value::Object(mut payload)) = msg.remove("payload") else {
            return Err(invalid("'payload' must be an object"));
        };
        let query = match payload.remove("query") {
            Some(Value::String(q)) => q,
            _ => return Err(invalid("'payload.query' must be a string")),
        };
        let operation_name = match payload.remove("operationName") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            _ => return Err(invalid("'payload.operationName' must be a string")),
        };
        let variables = match payload.remove("variables") {
            None | Some(Value::Null) => None,
            Some(v @ Value::Object(_)) => Some(v),
            _ => return Err(invalid("'payload.variables' must be an object")),
        };
        if self.ids.contains(&id) {
            return Err(closing(
                close::DUPLICATE_ID,
                format!("Subscriber for {id} already exists"),
            ));
        }
        let refuse = if self.ids.len() >= self.limits.max_subscriptions {
            Some(error_payload(
                ErrorCode::RateLimited,
                &format!(
                    "at most {} operations may run at once on one socket",
                    self.limits.max_subscriptions
                ),
            ))
        } else if query.len() > self.state.config.http.max_document_bytes {
            Some(error_payload(
                ErrorCode::PayloadTooLarge,
                "the GraphQL document is too large",
            ))
        } else {
            None
        };
        if let Some(payload) = refuse {
            let m = send_json(json!({ "type": "error", "id": id, "payload": payload }));
            return send(socket, m, self.limits.idle_timeout)
                .await
                .map_err(|_| None);
        }
        let mut meta = self.meta.clone();
        meta.request_id = Some(format!(
            "{}/{}",
            meta.request_id.as_deref().unwrap_or("ws"),
            id
        ));
        let req = schema::LiveRequest {
            query,
            operation_name,
            variables,
            viewer,
            meta,
        };
        let stream: OpStream = self
            .state
            .live
            .execute(req)
            .map(Some)
            .chain(futures::stream::once(async { None }))
            .boxed();
        self.ids.insert(id.clone());
        self.ops.insert(id, stream);
        self.state.metrics.subscriptions.inc();
        Ok(())
    }

    /// `complete`: the client stops an operation (unknown ids are ignored).
    fn on_complete(&mut self, mut msg: Map<String, Value>) -> Result<(), Option<Close>> {
        let Some(Value::String(id)) = msg.remove("id") else {
            return Err(invalid("'id' must be a string"));
        };
        if self.ids.remove(&id) {
            self.ops.remove(&id);
            self.state.metrics.subscriptions.dec();
        }
        Ok(())
    }

    /// Queues one result of an operation, or its completion; the caller flushes.
    async fn deliver(
        &mut self,
        socket: &mut WebSocket,
        id: String,
        item: Option<Output>,
    ) -> Result<(), Option<Close>> {
        let quoted = Value::String(id.clone()).to_string();
        let text = match item {
            None => {
                self.finish(&id);
                format!(r#"{{"type":"complete","id":{quoted}}}"#)
            }
            Some(Output::Shared(payload)) => {
                format!(r#"{{"type":"next","id":{quoted},"payload":{payload}}}"#)
            }
            Some(Output::Response(resp)) if is_request_error(&resp) => {
                // The protocol reports operations that never ran with a single
                // `error` message and no `complete`.
                self.finish(&id);
                let errors = serde_json::to_string(&resp.errors).unwrap_or_else(|_| {
                    error_payload(ErrorCode::Internal, schema::INTERNAL_MESSAGE).to_string()
                });
                format!(r#"{{"type":"error","id":{quoted},"payload":{errors}}}"#)
            }
            Some(Output::Response(resp)) => {
                // Serialized straight to text: no intermediate JSON tree.
                let payload = schema::live::payload(&resp);
                format!(r#"{{"type":"next","id":{quoted},"payload":{payload}}}"#)
            }
        };
        match tokio::time::timeout(
            self.limits.idle_timeout,
            socket.feed(Message::Text(text.into())),
        )
        .await
        {
            Ok(Ok(())) => Ok(()),
            _ => Err(None),
        }
    }

    fn finish(&mut self, id: &str) {
        if self.ids.remove(id) {
            self.ops.remove(id);
            self.state.metrics.subscriptions.dec();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn only_the_own_or_an_allowed_origin_may_open_a_socket() {
        let allowed = vec!["https://portal.example".to_owned()];
        assert!(origin_allowed(&headers(None, "127.0.0.1:8080"), &allowed));
        assert!(origin_allowed(
            &headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080"),
            &allowed
        ));
        assert!(origin_allowed(
            &headers(Some("https://portal.example"), "127.0.0.1:8080"),
            &allowed
        ));
        assert!(!origin_allowed(
            &headers(Some("https://evil.example"), "127.0.0.1:8080"),
            &allowed
        ));
    }
}
