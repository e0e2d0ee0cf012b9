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
async fn the_web_front_end_is_served_compressed_with_etags_and_a_strict_policy() {
    let s = spawn().await;
    let r = s.http.get(s.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("object-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<script type=\"module\" src=\"/js/main.js\">"),
        "{body}"
    );

    let js = s.http.get(s.url("/js/main.js")).send().await.unwrap();
    assert_eq!(js.status(), 200);
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(js.headers()["cache-control"], "no-cache");
    let etag = js.headers()["etag"].to_str().unwrap().to_owned();
    let plain = js.bytes().await.unwrap();
    assert!(std::str::from_utf8(&plain).unwrap().contains("import"));

    // Compressed for browsers that take gzip, under its own tag.
    let gz = s
        .http
        .get(s.url("/js/main.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz_etag = gz.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(gz_etag, etag);
    let packed = gz.bytes().await.unwrap();
    assert!(
        packed.len() * 2 < plain.len(),
        "{} vs {}",
        packed.len(),
        plain.len()
    );

    // A second visit costs no body.
    let again = s
        .http
        .get(s.url("/js/main.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let changed = s
        .http
        .get(s.url("/js/main.js"))
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);

    for (path, kind) in [
        ("/app.css", "text/css; charset=utf-8"),
        ("/i18n/ru.json", "application/json"),
        ("/js/views/space.js", "text/javascript; charset=utf-8"),
        ("/icon.svg", "image/svg+xml"),
    ] {
        let r = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], kind, "{path}");
    }
    for path in [
        "/nothing-here",
        "/js/nothing.js",
        "/i18n/xx.json",
        "/js/../Cargo.toml",
    ] {
        let r = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}
