//! The embedded on-disk defaults: data survives a restart, and a second
//! server on the same data refuses to start.

use std::path::Path;

use server::{Application, Config};

use crate::harness::*;

pub fn on_disk(dir: &Path) -> Config {
    let mut c = test_config();
    // Embedded on disk whatever test_config() chose; one fixed namespace so
    // that a restart finds the same data.
    c.database.url = format!("surrealkv://{}", dir.join("db").display());
    c.database.namespace = "lff".into();
    c.database.user = None;
    c.database.password = None;
    c.objects.url = format!("file://{}", dir.join("objects").display());
    c.search = search::SearchOptions::Directory(dir.join("search"));
    c
}

#[tokio::test]
async fn the_administrator_sessions_and_download_links_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = spawn_config(on_disk(dir.path())).await;
    let token = first.admin_token().await;
    // A signed link's key lives in the database: another process on the
    // same data (here, the next one) honours the links of the first.
    let up = first
        .upload(
            Some(&token),
            "dot.png",
            None,
            crate::authorization::tiny_png(),
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.body);
    let r = first
        .http
        .post(first.url(&format!("{}/link", up.body["url"].as_str().unwrap())))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let link: serde_json::Value = r.json().await.unwrap();
    let link = link["url"].as_str().unwrap().to_owned();
    first.shut_down().await;
    drop(first);
    assert!(
        Application::wait_closed(&on_disk(dir.path())).await,
        "the database closes"
    );

    let second = spawn_config(on_disk(dir.path())).await;
    assert_eq!(
        second.me(&token).await.status,
        200,
        "the session is still valid"
    );
    let (status, _, bytes) = second.download(None, &link).await;
    assert_eq!((status, bytes), (200, crate::authorization::tiny_png()));
    second.clock.advance(chrono::Duration::hours(13));
    assert_eq!(
        second.me(&token).await.status,
        401,
        "and its idle limit still applies"
    );
    second.token("admin", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn a_second_server_on_the_same_data_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Application::build(on_disk(dir.path())).await.unwrap();
    let err = Application::build(on_disk(dir.path()))
        .await
        .err()
        .expect("the second start fails")
        .to_string();
    assert!(err.contains("in use by another lff process"), "{err}");
}

#[tokio::test]
async fn a_generated_admin_password_is_shown_once_and_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = on_disk(dir.path());
    config.admin_password = None;
    let mut app = Application::build(config.clone()).await.unwrap();
    let creds = app
        .take_generated_admin()
        .expect("generated on first start");
    assert!(app.take_generated_admin().is_none());
    assert_eq!(creds.login, "admin");
    assert_eq!(creds.password.len(), 20);
    drop(app);
    assert!(Application::wait_closed(&config).await);
    let mut again = Application::build(config.clone()).await.unwrap();
    assert!(
        again.take_generated_admin().is_none(),
        "not generated twice"
    );
    drop(again);
    assert!(Application::wait_closed(&config).await);
    let s = spawn_config(config).await;
    s.token("admin", &creds.password).await;
}

/// The `ws://` database mode against a real SurrealDB server. No server
/// ships as a package CI can install, so this runs when `LFF_TEST_SURREAL_WS`
/// names one (with `LFF_TEST_SURREAL_USER` and `LFF_TEST_SURREAL_PASSWORD`,
/// default root/root). With it set, every other test in this binary runs
/// against that server too.
#[tokio::test]
async fn a_surrealdb_server_backs_the_platform_when_one_is_named() {
    let Ok(url) = std::env::var("LFF_TEST_SURREAL_WS") else {
        eprintln!("surrealdb server mode: not run; set LFF_TEST_SURREAL_WS=ws://HOST:PORT");
        return;
    };
    let mut c = test_config();
    c.database.url = url;
    c.database.user =
        Some(std::env::var("LFF_TEST_SURREAL_USER").unwrap_or_else(|_| "root".into()));
    c.database.password =
        Some(std::env::var("LFF_TEST_SURREAL_PASSWORD").unwrap_or_else(|_| "root".into()));
    c.database.namespace = format!(
        "lff_test_{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let s = spawn_config(c.clone()).await;
    let token = s.admin_token().await;
    assert_eq!(s.me(&token).await.body["data"]["me"]["username"], "admin");
    s.gql(Some(&token), "mutation { logout }", serde_json::json!({}))
        .await;
    assert_eq!(s.me(&token).await.status, 401);
    drop(s);
    // Migrations are idempotent against the same server and namespace.
    let again = spawn_config(c).await;
    again.token("admin", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn database_credentials_are_ignored_by_the_embedded_engine() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = on_disk(dir.path());
    config.database.user = Some("root".into());
    config.database.password = Some("secret".into());
    let s = spawn_config(config).await;
    s.token("admin", ADMIN_PASSWORD).await;
}
