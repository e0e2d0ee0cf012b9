//! Health, readiness and metrics.

use crate::harness::*;

#[tokio::test]
async fn health_and_readiness_answer() {
    let s = spawn().await;
    let h = s.http.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(h.status(), 200);
    let r = reply(s.http.get(s.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "ready");
    for backend in ["database", "objects", "search"] {
        assert_eq!(r.body["checks"][backend], "ok", "{backend}");
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_open_sockets() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let _ws = s.ws_ready(&token).await;
    let text = s.metrics().await;
    assert!(
        text.lines()
            .any(|l| l.starts_with("lff_http_requests_total{")
                && l.contains("route=\"/graphql\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(
        text.contains("lff_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l == "lff_websocket_connections 1"),
        "{text}"
    );
    assert!(!text.contains(&token), "metrics must not carry secrets");
}

#[tokio::test]
async fn the_web_page_is_served_at_the_root() {
    let s = spawn().await;
    let r = s.http.get(s.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    let body = r.text().await.unwrap();
    assert!(body.contains("<form id=\"signin-form\">"));
    let js = s.http.get(s.url("/app.js")).send().await.unwrap();
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        s.http
            .get(s.url("/nothing-here"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
