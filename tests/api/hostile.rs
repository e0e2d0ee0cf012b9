//! Hostile documents are refused early, with a code and no 5xx, and the
//! server keeps serving. The time bound is a guard against super-linear
//! blow-ups, far above the real cost; speed itself is a benchmark's job.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::*;

const GUARD: Duration = Duration::from_secs(2);

async fn refused(s: &TestServer, what: &str, body: Vec<u8>) {
    let start = Instant::now();
    let r = s
        .http
        .post(s.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(body)
        .send()
        .await
        .unwrap();
    let elapsed = start.elapsed();
    let r = reply(r).await;
    assert!(
        (400..500).contains(&r.status),
        "{what}: status {} {}",
        r.status,
        r.body
    );
    assert!(r.code().is_some(), "{what}: no code in {}", r.body);
    assert!(elapsed < GUARD, "{what}: took {elapsed:?}");
    assert_eq!(
        s.gql(None, "{ me { id } }", json!({})).await.status,
        200,
        "{what}: server still serves"
    );
}

fn doc(q: &str) -> Vec<u8> {
    json!({ "query": q }).to_string().into_bytes()
}

#[tokio::test]
async fn too_deep_too_complex_and_alias_heavy_documents_are_refused() {
    let s = spawn().await;
    let mut deep = String::from("{ __schema { types { ");
    for _ in 0..6 {
        deep.push_str("fields { type { ");
    }
    deep.push_str("name");
    deep.push_str(&" } ".repeat(14));
    refused(&s, "depth 15", doc(&deep)).await;

    refused(
        &s,
        "complexity 1200",
        doc(&format!("{{ {} }}", "me { id username } ".repeat(400))),
    )
    .await;

    let aliases: String = (0..101).map(|i| format!("a{i}: me {{ id }} ")).collect();
    refused(&s, "101 aliases", doc(&format!("{{ {aliases} }}"))).await;

    refused(
        &s,
        "50 directives",
        doc(&format!(
            "{{ me {} {{ id }} }}",
            "@include(if: true) ".repeat(50)
        )),
    )
    .await;

    let nested = format!("{}{}", "{ me ".repeat(1000), "}".repeat(1000));
    refused(&s, "1000 nested selections", doc(&nested)).await;
}

#[tokio::test]
async fn circular_and_very_deep_fragments_are_refused() {
    let s = spawn().await;
    refused(
        &s,
        "cycle",
        doc("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
    )
    .await;
    let mut chain = String::from("{ ...F0 }");
    for i in 0..200 {
        chain.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
    }
    chain.push_str(" fragment F200 on Query { me { id } }");
    refused(&s, "200-deep fragments", doc(&chain)).await;
}

#[tokio::test]
async fn oversized_malformed_and_deeply_nested_requests_are_refused() {
    let s = spawn().await;
    refused(
        &s,
        "1 MiB document",
        doc(&format!("{{ me {{ id }} }} #{}", "x".repeat(1024 * 1024))),
    )
    .await;
    let batch: Vec<_> = (0..100)
        .map(|_| json!({ "query": "{ me { id } }" }))
        .collect();
    refused(
        &s,
        "100-operation batch",
        serde_json::to_vec(&batch).unwrap(),
    )
    .await;
    let vars = format!(
        r#"{{"query":"query($v: String) {{ me {{ id }} }}","variables":{{"v":{}1{}}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    refused(&s, "deeply nested variables", vars.into_bytes()).await;
    let mut bad_utf8 = br#"{"query":"{ me { id } }", "x": ""#.to_vec();
    bad_utf8.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    bad_utf8.extend_from_slice(br#""}"#);
    refused(&s, "invalid UTF-8", bad_utf8).await;
}
