//! graphql-transport-ws: the handshake, every close code, per-socket
//! limits, pings, live notifications and revocation of open sockets.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::Message;

use crate::harness::*;

const NOTIFICATIONS: &str = "subscription { notifications { id kind createdAt } }";

fn subscribe(id: &str, query: &str) -> serde_json::Value {
    json!({ "type": "subscribe", "id": id, "payload": { "query": query } })
}

#[tokio::test]
async fn a_signed_in_socket_receives_its_notifications_live() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    send(&mut ws, subscribe("n", NOTIFICATIONS)).await;
    // The subscription is registered before the sign-in below: the server
    // handles messages of one socket in order, and a query sent after the
    // subscribe is answered only once the subscribe was processed.
    send(&mut ws, subscribe("q", "{ me { username } }")).await;
    let me = next_json(&mut ws).await;
    assert_eq!(me["payload"]["data"]["me"]["username"], "admin", "{me}");
    assert_eq!(
        next_json(&mut ws).await,
        json!({ "type": "complete", "id": "q" })
    );

    s.token("admin", ADMIN_PASSWORD).await;
    let n = next_json(&mut ws).await;
    assert_eq!(n["type"], "next");
    assert_eq!(n["id"], "n");
    assert_eq!(n["payload"]["data"]["notifications"]["kind"], "SIGNED_IN");

    send(&mut ws, json!({ "type": "complete", "id": "n" })).await;
    send(&mut ws, json!({ "type": "ping" })).await;
    assert_eq!(next_json(&mut ws).await, json!({ "type": "pong" }));
}

#[tokio::test]
async fn the_same_path_as_http_also_upgrades() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let mut ws = s
        .ws_connect_with("/graphql", Some("graphql-transport-ws"), None)
        .await
        .unwrap();
    send(&mut ws, json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })).await;
    assert_eq!(next_json(&mut ws).await["type"], "connection_ack");
}

#[tokio::test]
async fn the_legacy_protocol_and_a_missing_protocol_are_refused_at_the_handshake() {
    let s = spawn().await;
    for p in [Some("graphql-ws"), None] {
        let err = s.ws_connect_with("/graphql/ws", p, None).await.unwrap_err();
        match err {
            tokio_tungstenite::tungstenite::Error::Http(resp) => {
                assert_eq!(resp.status(), 400, "{p:?}")
            }
            other => panic!("{p:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_foreign_origin_is_refused_and_an_allowed_one_accepted() {
    let s = spawn_with(|c| c.allowed_origins = vec!["https://portal.example".into()]).await;
    match s
        .ws_connect_with(
            "/graphql/ws",
            Some("graphql-transport-ws"),
            Some("https://evil.example"),
        )
        .await
    {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("{:?}", other.map(|_| ())),
    }
    s.ws_connect_with(
        "/graphql/ws",
        Some("graphql-transport-ws"),
        Some("https://portal.example"),
    )
    .await
    .unwrap();
    let own = format!("http://{}", s.addr);
    s.ws_connect_with("/graphql/ws", Some("graphql-transport-ws"), Some(&own))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_bad_or_missing_token_closes_with_4403() {
    let s = spawn().await;
    for payload in [
        json!({ "token": "lff_wrong" }),
        json!({}),
        serde_json::Value::Null,
    ] {
        let mut ws = s.ws().await;
        send(
            &mut ws,
            json!({ "type": "connection_init", "payload": payload }),
        )
        .await;
        assert_eq!(close_of(&mut ws).await.0, 4403, "{payload}");
    }
}

#[tokio::test]
async fn subscribing_before_the_ack_closes_with_4401() {
    let s = spawn().await;
    let mut ws = s.ws().await;
    send(&mut ws, subscribe("1", NOTIFICATIONS)).await;
    assert_eq!(close_of(&mut ws).await, (4401, "Unauthorized".into()));
}

#[tokio::test]
async fn no_connection_init_in_time_closes_with_4408() {
    let s = spawn_with(|c| c.ws.init_timeout = Duration::from_millis(200)).await;
    let mut ws = s.ws().await;
    assert_eq!(close_of(&mut ws).await.0, 4408);
}

#[tokio::test]
async fn a_duplicate_subscription_id_closes_with_4409() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    send(&mut ws, subscribe("same", NOTIFICATIONS)).await;
    send(&mut ws, subscribe("same", NOTIFICATIONS)).await;
    assert_eq!(
        close_of(&mut ws).await,
        (4409, "Subscriber for same already exists".into())
    );
}

#[tokio::test]
async fn a_second_connection_init_closes_with_4429() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    assert_eq!(close_of(&mut ws).await.0, 4429);
}

#[tokio::test]
async fn invalid_messages_close_with_4400() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let cases: Vec<Message> = vec![
        Message::text("not json"),
        Message::text(r#"{"no":"type"}"#),
        Message::text(r#"{"type":"start","id":"1","payload":{}}"#),
        Message::binary(vec![1u8, 2, 3]),
        Message::text(r#"{"type":"subscribe","id":"","payload":{"query":"{ me { id } }"}}"#),
        Message::text(r#"{"type":"subscribe","id":"1","payload":{"query":7}}"#),
    ];
    for m in cases {
        let mut ws = s.ws_ready(&token).await;
        let shown = format!("{m:?}");
        ws.send(m).await.unwrap();
        assert_eq!(close_of(&mut ws).await.0, 4400, "{shown}");
    }
}

#[tokio::test]
async fn a_message_over_64_kibibytes_closes_with_1009() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    let big = json!({ "type": "ping", "payload": { "x": "y".repeat(70 * 1024) } });
    send(&mut ws, big).await;
    assert_eq!(close_of(&mut ws).await.0, 1009);
}

#[tokio::test]
async fn too_many_messages_in_a_window_close_the_socket() {
    let s = spawn_with(|c| {
        c.ws.max_messages = 5;
        c.ws.rate_window = Duration::from_secs(60);
    })
    .await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    for _ in 0..5 {
        send(&mut ws, json!({ "type": "ping" })).await;
    }
    assert_eq!(close_of(&mut ws).await.0, 1008);
}

#[tokio::test]
async fn operations_past_the_per_socket_limit_get_an_error_and_the_socket_stays() {
    let s = spawn_with(|c| c.ws.max_subscriptions = 2).await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    send(&mut ws, subscribe("1", NOTIFICATIONS)).await;
    send(&mut ws, subscribe("2", NOTIFICATIONS)).await;
    send(&mut ws, subscribe("3", NOTIFICATIONS)).await;
    let e = next_json(&mut ws).await;
    assert_eq!(e["type"], "error");
    assert_eq!(e["id"], "3");
    assert_eq!(e["payload"][0]["extensions"]["code"], "RATE_LIMITED");
    send(&mut ws, json!({ "type": "complete", "id": "1" })).await;
    send(&mut ws, subscribe("3", "{ me { username } }")).await;
    assert_eq!(
        next_json(&mut ws).await["payload"]["data"]["me"]["username"],
        "admin"
    );
}

#[tokio::test]
async fn an_invalid_operation_gets_one_error_message_without_complete() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    send(&mut ws, subscribe("bad", "subscription { nothing }")).await;
    let e = next_json(&mut ws).await;
    assert_eq!(e["type"], "error");
    assert_eq!(e["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // The id is free again and the socket still works.
    send(&mut ws, subscribe("bad", "{ me { username } }")).await;
    assert_eq!(next_json(&mut ws).await["type"], "next");
}

#[tokio::test]
async fn the_server_pings() {
    let s = spawn_with(|c| c.ws.ping_interval = Duration::from_millis(100)).await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a ping in time")
        {
            Some(Ok(Message::Ping(_))) => break,
            Some(Ok(_)) => continue,
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn logout_closes_that_sessions_sockets_within_five_seconds() {
    let s = spawn().await;
    let a = s.admin_token().await;
    let b = s.admin_token().await;
    let mut ws_a = s.ws_ready(&a).await;
    let mut ws_b = s.ws_ready(&b).await;
    s.gql(Some(&a), "mutation { logout }", json!({})).await;
    assert_eq!(close_within(&mut ws_a, WAIT).await.0, 4403);
    // The other session's socket stays open and answers.
    send(&mut ws_b, subscribe("q", "{ me { username } }")).await;
    assert_eq!(next_json(&mut ws_b).await["type"], "next");
}

#[tokio::test]
async fn a_password_change_or_deactivation_closes_every_socket_of_the_person() {
    let s = spawn().await;
    let id = s
        .seed("teacher.ee", app::Role::Teacher, "teacher-password")
        .await;
    let t1 = s.token("teacher.ee", "teacher-password").await;
    let t2 = s.token("teacher.ee", "teacher-password").await;
    let mut ws1 = s.ws_ready(&t1).await;
    let mut ws2 = s.ws_ready(&t2).await;
    let q = "mutation { changePassword(currentPassword: \"teacher-password\", newPassword: \"teacher-password-2\") { token } }";
    let r = s.gql(Some(&t1), q, json!({})).await;
    let fresh = r.body["data"]["changePassword"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(close_of(&mut ws1).await.0, 4403);
    assert_eq!(close_of(&mut ws2).await.0, 4403);

    let mut ws3 = s.ws_ready(&fresh).await;
    let admin = s.admin_token().await;
    s.gql(
        Some(&admin),
        "mutation($id: ID!) { deactivateUser(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(close_of(&mut ws3).await.0, 4403);
}

#[tokio::test]
async fn a_socket_closes_when_its_session_expires() {
    let s = spawn_with(|c| c.ws.ping_interval = Duration::from_millis(100)).await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    s.clock.advance(chrono::Duration::days(31));
    assert_eq!(close_of(&mut ws).await.0, 4403);
}

#[tokio::test]
async fn shutting_down_closes_sockets_with_1001() {
    let mut s = spawn().await;
    let token = s.admin_token().await;
    let mut ws = s.ws_ready(&token).await;
    send(&mut ws, subscribe("n", NOTIFICATIONS)).await;
    let (closed, ()) = tokio::join!(close_of(&mut ws), s.shut_down());
    assert_eq!(closed.0, 1001);
    assert!(
        s.http.get(s.url("/healthz")).send().await.is_err(),
        "no new connections after shutdown"
    );
}

#[tokio::test]
async fn a_socket_that_answers_nothing_is_closed_as_idle() {
    let s = spawn_with(|c| {
        c.ws.ping_interval = Duration::from_millis(100);
        c.ws.idle_timeout = Duration::from_millis(400);
    })
    .await;
    let token = s.admin_token().await;
    // Not reading the socket means not answering the server's pings.
    let mut ws = s.ws_ready(&token).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let metrics = s.metrics().await;
        if metrics.lines().any(|l| l == "lff_websocket_connections 0") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle socket was not closed"
        );
        tokio::task::yield_now().await;
    }
    // The server has closed it. Our first read now tries to send the pongs it
    // owes and may find the connection already gone; if the close frame is
    // read first, it must say why.
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("the socket ends")
        {
            Some(Ok(Message::Close(Some(f)))) => {
                assert_eq!(
                    (u16::from(f.code), f.reason.as_str()),
                    (1000, "Idle timeout")
                );
                break;
            }
            Some(Ok(Message::Ping(_))) => continue,
            Some(Err(_)) | None => break,
            Some(Ok(other)) => panic!("unexpected {other:?}"),
        }
    }
}
