//! Stock third-party clients against the real server: graphql-http's audit
//! of the GraphQL-over-HTTP specification and the graphql-ws client.
//!
//! They need Node.js and `npm ci` in `tests/interop`, so they run when
//! `LFF_TEST_INTEROP` is set (CI sets it); otherwise they say so and pass.

use std::path::PathBuf;
use std::process::Command;

use crate::harness::*;

fn enabled(test: &str) -> bool {
    let on = std::env::var_os("LFF_TEST_INTEROP").is_some();
    if !on {
        eprintln!("{test}: not run; set LFF_TEST_INTEROP=1 after `npm ci` in tests/interop");
    }
    on
}

async fn node(script: &str, args: Vec<String>) -> (bool, String) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop");
    let script = script.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .args(args)
            .current_dir(dir)
            .output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn the_graphql_over_http_audit_finds_no_must_failures() {
    if !enabled("graphql-http audit") {
        return;
    }
    let s = spawn().await;
    let (ok, out) = node("audit.mjs", vec![s.url("/graphql")]).await;
    assert!(ok, "{out}");
    assert!(out.contains("MUST failures: 0"), "{out}");
}

#[tokio::test]
async fn a_stock_graphql_ws_client_subscribes_and_is_refused_with_a_bad_token() {
    if !enabled("graphql-ws client") {
        return;
    }
    let s = spawn().await;
    let (ok, out) = node(
        "ws-client.mjs",
        vec![s.url(""), "admin".into(), ADMIN_PASSWORD.into()],
    )
    .await;
    assert!(ok, "{out}");
    assert!(
        out.contains("SIGNED_IN") && out.contains("refused with 4403"),
        "{out}"
    );
}
