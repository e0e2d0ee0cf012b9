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

#[tokio::test]
async fn a_calendar_application_reads_the_feed_with_local_times_in_baku_and_riga() {
    if !enabled("ical.js calendar") {
        return;
    }
    let s = spawn().await;
    let admin = s.admin_token().await;
    // Winter (Riga on UTC+2) and summer (UTC+3); Baku keeps UTC+4.
    let now = s.app.now();
    let winter = next_date_at_8(now, 1, 20);
    let summer = next_date_at_8(now, 7, 1);
    let mut list = [("Winter workshop", winter), ("Summer conference", summer)];
    list.sort_by_key(|(_, at)| *at);
    for (title, at) in list {
        let (start, end) = (
            at.to_rfc3339(),
            (at + chrono::Duration::hours(1)).to_rfc3339(),
        );
        let r = s
            .gql(
                Some(&admin),
                "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
                serde_json::json!({ "i": {
                    "kind": "WORKSHOP", "title": title, "startsAt": start,
                    "endsAt": end, "timeZone": "Asia/Baku",
                    "place": "Baku, School 7", "audience": { "kind": "NETWORK" },
                } }),
            )
            .await;
        let id = r.body["data"]["createEvent"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = s
            .gql(
                Some(&admin),
                "mutation($e: ID!) { registerForEvent(eventId: $e) { status } }",
                serde_json::json!({ "e": id }),
            )
            .await;
        assert!(r.code().is_none(), "{}", r.body);
    }
    let r = s
        .gql(
            Some(&admin),
            "mutation { createCalendarFeed { path } }",
            serde_json::json!({}),
        )
        .await;
    let path = r.body["data"]["createCalendarFeed"]["path"]
        .as_str()
        .unwrap();
    let (ok, out) = node("calendar.mjs", vec![s.url(path)]).await;
    assert!(ok, "{out}");
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 2, "{out}");
    let of = |title: &str| events.iter().find(|e| e["summary"] == title).unwrap();
    let day = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d").to_string();
    let (w, su) = (of("Winter workshop"), of("Summer conference"));
    assert_eq!(w["baku"], format!("{} 12:00", day(winter)));
    assert_eq!(w["riga"], format!("{} 10:00", day(winter)));
    assert_eq!(su["baku"], format!("{} 12:00", day(summer)));
    assert_eq!(su["riga"], format!("{} 11:00", day(summer)));
    assert_eq!(su["minutes"], 60);
    assert_eq!(su["status"], "CONFIRMED");
}
