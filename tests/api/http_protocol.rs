//! The GraphQL-over-HTTP rules: methods, media types, status codes, batching,
//! size limits, and that refused requests change nothing.

use serde_json::json;

use crate::harness::*;

async fn post_raw(
    s: &TestServer,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let mut req = s.http.post(s.url("/graphql")).body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    reply(req.send().await.unwrap()).await
}

#[tokio::test]
async fn a_query_over_get_works_and_a_mutation_over_get_is_405_with_allow_post() {
    let s = spawn().await;
    let r = reply(
        s.http
            .get(s.url("/graphql?query=%7B%20me%20%7B%20id%20%7D%20%7D"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({ "data": { "me": null } }));

    let login = format!(
        "/graphql?query={}",
        url_encode(&format!(
            "mutation {{ login(login: \"admin\", password: \"{ADMIN_PASSWORD}\") {{ token }} }}"
        ))
    );
    let r = reply(s.http.get(s.url(&login)).send().await.unwrap()).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.headers["allow"], "POST");
    // Nothing was written: the refused sign-in did not count as one.
    let admin = s.admin_token().await;
    let trail = s
        .gql(
            Some(&admin),
            "{ auditTrail { nodes { action } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        trail.body["data"]["auditTrail"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn a_mutation_selected_by_operation_name_over_get_is_405() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let doc = url_encode("query Q { me { id } } mutation M { logout }");
    let r = s
        .http
        .get(s.url(&format!("/graphql?query={doc}&operationName=M")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(s.me(&token).await.status, 200, "the session must survive");
}

#[tokio::test]
async fn other_methods_are_405() {
    let s = spawn().await;
    for m in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let r = s
            .http
            .request(m.clone(), s.url("/graphql"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{m}");
        let allow = r.headers()["allow"].to_str().unwrap().to_owned();
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    }
}

#[tokio::test]
async fn text_plain_form_and_missing_content_types_are_415_and_change_nothing() {
    let s = spawn().await;
    let token = s.admin_token().await;
    let body = r#"{"query":"mutation { logout }"}"#;
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
        Some("application/json; charset=utf-16"),
    ] {
        let mut req = s
            .http
            .post(s.url("/graphql"))
            .bearer_auth(&token)
            .body(body);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let r = reply(req.send().await.unwrap()).await;
        assert_eq!(r.status, 415, "{ct:?}");
        assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    }
    // Multipart is the file upload format: only with a bearer token (which no
    // cross-site form can send), and only in the GraphQL multipart format.
    let multipart = "multipart/form-data; boundary=x";
    let r = reply(
        s.http
            .post(s.url("/graphql"))
            .header("content-type", multipart)
            .body(body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.code()), (415, Some("BAD_USER_INPUT")));
    let r = reply(
        s.http
            .post(s.url("/graphql"))
            .bearer_auth(&token)
            .header("content-type", multipart)
            .body(body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.code()), (400, Some("BAD_USER_INPUT")));
    assert_eq!(
        s.me(&token).await.status,
        200,
        "no request above may have logged out"
    );
}

#[tokio::test]
async fn responses_use_the_graphql_media_type_when_asked_and_json_otherwise() {
    let s = spawn().await;
    let q = r#"{"query":"{ me { id } }"}"#;
    let r = post_raw(
        &s,
        Some("application/json"),
        Some("application/graphql-response+json"),
        q,
    )
    .await;
    assert_eq!(
        r.headers["content-type"],
        "application/graphql-response+json; charset=utf-8"
    );
    let r = post_raw(&s, Some("application/json"), Some("application/json"), q).await;
    assert_eq!(r.headers["content-type"], "application/json; charset=utf-8");
    // reqwest sends `Accept: */*` when told nothing; a missing Accept is a unit test.
    let r = post_raw(&s, Some("application/json"), None, q).await;
    assert_eq!(r.headers["content-type"], "application/json; charset=utf-8");
    let r = post_raw(&s, Some("application/json"), Some("text/html"), q).await;
    assert_eq!(r.status, 406);
}

#[tokio::test]
async fn invalid_documents_are_400_with_graphql_response_json_and_200_with_json() {
    let s = spawn().await;
    for (doc, what) in [
        (r#"{"query":"{ me { "}"#, "syntax"),
        (r#"{"query":"{ nothing }"}"#, "validation"),
    ] {
        let r = post_raw(
            &s,
            Some("application/json"),
            Some("application/graphql-response+json"),
            doc,
        )
        .await;
        assert_eq!(r.status, 400, "{what}");
        assert!(
            r.body.get("data").is_none(),
            "{what}: a request error has no data entry"
        );
        assert_eq!(r.code(), Some("BAD_USER_INPUT"));
        let r = post_raw(&s, Some("application/json"), Some("application/json"), doc).await;
        assert_eq!(r.status, 200, "{what}");
        assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    }
}

#[tokio::test]
async fn malformed_json_and_wrong_parameter_types_are_400() {
    let s = spawn().await;
    for body in [
        r#"{"query":"#,
        r#"{"query": 42}"#,
        r#"{"query":"{me{id}}","variables":[1]}"#,
        "\"just a string\"",
        r#"{"variables":{}}"#,
    ] {
        let r = post_raw(
            &s,
            Some("application/json"),
            Some("application/graphql-response+json"),
            body,
        )
        .await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{body}");
    }
}

#[tokio::test]
async fn batches_are_refused() {
    let s = spawn().await;
    let batch: Vec<_> = (0..100)
        .map(|_| json!({ "query": "{ me { id } }" }))
        .collect();
    let r = post_raw(
        &s,
        Some("application/json"),
        None,
        serde_json::to_vec(&batch).unwrap(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("batched")
    );
}

#[tokio::test]
async fn bodies_over_one_mebibyte_and_documents_over_16_kibibytes_are_413() {
    let s = spawn().await;
    let huge = format!(
        r#"{{"query":"{{ me {{ id }} }}","variables":{{"x":"{}"}}}}"#,
        "a".repeat(1024 * 1024)
    );
    let r = post_raw(&s, Some("application/json"), None, huge).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.code(), Some("PAYLOAD_TOO_LARGE"));

    let doc = format!("{{ me {{ id }} }} #{}", "x".repeat(16 * 1024));
    let r = post_raw(
        &s,
        Some("application/json"),
        None,
        json!({ "query": doc }).to_string(),
    )
    .await;
    assert_eq!(r.status, 413);
    assert_eq!(r.code(), Some("PAYLOAD_TOO_LARGE"));
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_safety_headers() {
    let s = spawn().await;
    let r = s.gql(None, "{ me { id } }", json!({})).await;
    let id = r.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["cache-control"], "no-store");
}
