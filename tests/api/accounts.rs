//! Signing in and out, sessions and their expiry, throttling, passwords,
//! deactivation.

use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn the_first_administrator_signs_in_by_username_or_email_and_sees_themself() {
    let s = spawn_with(|c| c.admin_email = Some("Admin@Network.example".into())).await;
    let r = s.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["login"]["user"]["role"], "PLATFORM_ADMIN");
    let token = r.body["data"]["login"]["token"].as_str().unwrap();
    assert!(token.starts_with("lff_") && token.len() == 47, "{token}");

    let by_email = s.token("admin@network.example", ADMIN_PASSWORD).await;
    let me = s
        .gql(Some(&by_email), "{ me { username email role } }", json!({}))
        .await;
    assert_eq!(
        me.body["data"]["me"],
        json!({ "username": "admin", "email": "admin@network.example", "role": "PLATFORM_ADMIN" })
    );
}

#[tokio::test]
async fn me_is_null_for_anonymous_callers() {
    let s = spawn().await;
    let r = s.gql(None, "{ me { id } }", json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({ "data": { "me": null } }));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_login_read_the_same() {
    let s = spawn().await;
    let wrong = s.login("admin", "not the password").await;
    let unknown = s.login("nobody", "not the password").await;
    assert_eq!(wrong.code(), Some("UNAUTHENTICATED"));
    assert_eq!(unknown.code(), Some("UNAUTHENTICATED"));
    assert_eq!(
        wrong.body["errors"][0]["message"],
        unknown.body["errors"][0]["message"]
    );
}

#[tokio::test]
async fn failed_sign_ins_slow_down_then_lock_the_account_until_an_admin_resets_it() {
    let s = spawn().await;
    let id = s
        .seed("teacher.anna", app::Role::Teacher, "teacher-password-1")
        .await;
    for _ in 0..5 {
        assert_eq!(
            s.login("teacher.anna", "wrong password").await.code(),
            Some("UNAUTHENTICATED")
        );
    }
    // Now even the right password must wait.
    let r = s.login("teacher.anna", "teacher-password-1").await;
    assert_eq!(r.code(), Some("RATE_LIMITED"), "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["retryAfterSeconds"], 1);
    s.clock.advance(chrono::Duration::seconds(1));
    s.token("teacher.anna", "teacher-password-1").await;

    // 50 failures lock the account for good.
    for _ in 0..50 {
        let r = s.login("teacher.anna", "wrong password").await;
        assert!(matches!(r.code(), Some("UNAUTHENTICATED" | "RATE_LIMITED")));
        s.clock.advance(chrono::Duration::minutes(16));
    }
    s.clock.advance(chrono::Duration::days(3));
    let r = s.login("teacher.anna", "teacher-password-1").await;
    assert_eq!(r.code(), Some("RATE_LIMITED"));
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("locked")
    );

    let admin = s.admin_token().await;
    let reset = s
        .gql(
            Some(&admin),
            "mutation($id: ID!) { resetPassword(userId: $id) { login password } }",
            json!({ "id": id }),
        )
        .await;
    let new_password = reset.body["data"]["resetPassword"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(reset.body["data"]["resetPassword"]["login"], "teacher.anna");
    s.token("teacher.anna", &new_password).await;
    let trail = s
        .gql(Some(&admin), "{ auditTrail { action target } }", json!({}))
        .await;
    let actions: Vec<_> = trail.body["data"]["auditTrail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        actions.contains(&"lock_account".to_owned())
            && actions.contains(&"reset_password".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn one_address_gets_a_limited_number_of_sign_in_attempts_per_minute() {
    let s = spawn_with(|c| c.accounts.login_attempts_per_ip_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(s.login("nobody", "x").await.code(), Some("UNAUTHENTICATED"));
    }
    assert_eq!(
        s.login("admin", ADMIN_PASSWORD).await.code(),
        Some("RATE_LIMITED")
    );
    s.clock.advance(chrono::Duration::seconds(61));
    s.token("admin", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn a_session_ends_after_twelve_idle_hours_but_use_keeps_it_alive() {
    let s = spawn().await;
    let token = s.admin_token().await;
    for _ in 0..3 {
        s.clock.advance(chrono::Duration::hours(11));
        assert_eq!(s.me(&token).await.status, 200);
    }
    s.clock.advance(chrono::Duration::hours(12));
    let r = s.me(&token).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.code(), Some("UNAUTHENTICATED"));
    assert!(
        r.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
}

#[tokio::test]
async fn a_session_ends_thirty_days_after_sign_in_however_much_it_is_used() {
    let s = spawn().await;
    let token = s.admin_token().await;
    // Used every 11 hours: 65 uses (715 h) are within 30 days, the 66th (726 h) is not.
    for i in 1..=65 {
        s.clock.advance(chrono::Duration::hours(11));
        assert_eq!(s.me(&token).await.status, 200, "use {i}");
    }
    s.clock.advance(chrono::Duration::hours(11));
    assert_eq!(s.me(&token).await.status, 401);
}

#[tokio::test]
async fn logout_ends_only_that_session() {
    let s = spawn().await;
    let a = s.admin_token().await;
    let b = s.admin_token().await;
    let r = s.gql(Some(&a), "mutation { logout }", json!({})).await;
    assert_eq!(r.body["data"]["logout"], true);
    assert_eq!(s.me(&a).await.status, 401);
    assert_eq!(s.me(&b).await.status, 200);
}

#[tokio::test]
async fn a_malformed_or_unknown_token_is_refused_with_401() {
    let s = spawn().await;
    let r = s.me("lff_not-a-real-token").await;
    assert_eq!(r.status, 401);
    let raw = s
        .http
        .post(s.url("/graphql"))
        .header("content-type", "application/json")
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .body(r#"{"query":"{ me { id } }"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 401);
}

#[tokio::test]
async fn changing_the_password_ends_every_session_and_returns_a_new_one() {
    let s = spawn().await;
    s.seed("teacher.ivan", app::Role::Teacher, "first-password-1")
        .await;
    let other_device = s.token("teacher.ivan", "first-password-1").await;
    let this_device = s.token("teacher.ivan", "first-password-1").await;
    let q = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }";

    let short = s
        .gql(
            Some(&this_device),
            q,
            json!({ "c": "first-password-1", "n": "short" }),
        )
        .await;
    assert_eq!(short.code(), Some("BAD_USER_INPUT"));
    assert_eq!(short.body["errors"][0]["extensions"]["field"], "password");
    let wrong = s
        .gql(
            Some(&this_device),
            q,
            json!({ "c": "not-it-at-all", "n": "second-password-2" }),
        )
        .await;
    assert_eq!(wrong.code(), Some("BAD_USER_INPUT"));

    let ok = s
        .gql(
            Some(&this_device),
            q,
            json!({ "c": "first-password-1", "n": "second-password-2" }),
        )
        .await;
    let fresh = ok.body["data"]["changePassword"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(s.me(&other_device).await.status, 401);
    assert_eq!(s.me(&this_device).await.status, 401);
    assert_eq!(s.me(&fresh).await.status, 200);
    assert_eq!(
        s.login("teacher.ivan", "first-password-1").await.code(),
        Some("UNAUTHENTICATED")
    );
    s.token("teacher.ivan", "second-password-2").await;
}

#[tokio::test]
async fn only_a_platform_admin_deactivates_and_the_deactivated_cannot_sign_in() {
    let s = spawn().await;
    let id = s
        .seed(
            "coord.lv",
            app::Role::NationalCoordinator,
            "coordinator-pass",
        )
        .await;
    let teacher = s
        .seed("teacher.lv", app::Role::Teacher, "teacher-password")
        .await;
    let coord_token = s.token("coord.lv", "coordinator-pass").await;
    let teacher_token = s.token("teacher.lv", "teacher-password").await;
    let q = "mutation($id: ID!) { deactivateUser(id: $id) { id active } }";

    let r = s.gql(Some(&teacher_token), q, json!({ "id": id })).await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    let anon = s.gql(None, q, json!({ "id": id })).await;
    assert_eq!(anon.code(), Some("UNAUTHENTICATED"));

    let admin = s.admin_token().await;
    let r = s.gql(Some(&admin), q, json!({ "id": id })).await;
    assert_eq!(
        r.body["data"]["deactivateUser"]["active"], false,
        "{}",
        r.body
    );
    assert_eq!(s.me(&coord_token).await.status, 401);
    assert_eq!(
        s.login("coord.lv", "coordinator-pass").await.code(),
        Some("UNAUTHENTICATED")
    );

    let r = s
        .gql(
            Some(&admin),
            "mutation($id: ID!) { reactivateUser(id: $id) { active } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.body["data"]["reactivateUser"]["active"], true);
    s.token("coord.lv", "coordinator-pass").await;
    assert_eq!(s.me(&teacher_token).await.status, 200, "{teacher}");
}

#[tokio::test]
async fn others_emails_are_hidden_and_other_people_read_as_not_found() {
    let s = spawn().await;
    let a = s
        .seed("teacher.one", app::Role::Teacher, "teacher-password")
        .await;
    let b = s
        .seed("teacher.two", app::Role::Teacher, "teacher-password")
        .await;
    let pupil = s.seed("pupil.x", app::Role::Student, "pupil-pw").await;
    let t = s.token("teacher.one", "teacher-password").await;
    let q = "query($id: ID!) { user(id: $id) { username email } }";
    let own = s.gql(Some(&t), q, json!({ "id": a })).await;
    assert_eq!(
        own.body["data"]["user"]["email"],
        "teacher.one@school.example"
    );
    // Teachers of the network see each other, but not each other's e-mail.
    let colleague = s.gql(Some(&t), q, json!({ "id": b })).await;
    assert_eq!(
        colleague.body["data"]["user"],
        json!({ "username": "teacher.two", "email": null })
    );
    // A student who is not theirs is not found.
    let other = s.gql(Some(&t), q, json!({ "id": pupil })).await;
    assert_eq!(other.code(), Some("NOT_FOUND"));
    let bogus = s
        .gql(Some(&t), q, json!({ "id": "user:x'; DELETE user; --" }))
        .await;
    assert_eq!(bogus.code(), Some("NOT_FOUND"));
    assert_eq!(
        bogus.body["errors"][0]["message"],
        other.body["errors"][0]["message"]
    );
}

#[tokio::test]
async fn students_have_no_email_and_several_can_exist() {
    let s = spawn().await;
    s.seed("pupil.one", app::Role::Student, "pupil1").await;
    s.seed("pupil.two", app::Role::Student, "pupil2").await;
    let t = s.token("pupil.two", "pupil2").await;
    let me = s
        .gql(Some(&t), "{ me { username role email } }", json!({}))
        .await;
    assert_eq!(
        me.body["data"]["me"],
        json!({ "username": "pupil.two", "role": "STUDENT", "email": null })
    );
    s.token("pupil.one", "pupil1").await;
}

#[tokio::test]
async fn a_taken_username_or_email_is_a_conflict() {
    let s = spawn().await;
    s.seed("teacher.uz", app::Role::Teacher, "teacher-password")
        .await;
    let again = s
        .app
        .seed_user(
            app::Username::parse("teacher.uz").unwrap(),
            None,
            app::DisplayName::parse("Another").unwrap(),
            app::Role::Teacher,
            &app::NewPassword::parse("teacher-password", app::Role::Teacher).unwrap(),
        )
        .await;
    assert!(matches!(again, Err(app::Error::Conflict(_))), "{again:?}");
    let same_email = s
        .app
        .seed_user(
            app::Username::parse("teacher.uz2").unwrap(),
            Some(app::Email::parse("TEACHER.UZ@school.example").unwrap()),
            app::DisplayName::parse("Another").unwrap(),
            app::Role::Teacher,
            &app::NewPassword::parse("teacher-password", app::Role::Teacher).unwrap(),
        )
        .await;
    assert!(
        matches!(same_email, Err(app::Error::Conflict(_))),
        "{same_email:?}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let s = spawn_with(|c| {
        c.accounts.login_attempts_per_ip_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let attempt = |client: &'static str| {
        let s = &s;
        async move {
            let r = s
                .http
                .post(s.url("/graphql"))
                .header("content-type", "application/json")
                .header("x-forwarded-for", format!("203.0.113.99, {client}"))
                .body(r#"{"query":"mutation { login(login: \"nobody\", password: \"x\") { token } }"}"#)
                .send()
                .await
                .unwrap();
            reply(r).await.code().unwrap().to_owned()
        }
    };
    assert_eq!(attempt("198.51.100.1").await, "UNAUTHENTICATED");
    assert_eq!(attempt("198.51.100.1").await, "UNAUTHENTICATED");
    assert_eq!(attempt("198.51.100.1").await, "RATE_LIMITED");
    // Another school behind the same proxy is not affected; the spoofable
    // first entry (203.0.113.99) is not what counts.
    assert_eq!(attempt("198.51.100.2").await, "UNAUTHENTICATED");
}

#[tokio::test]
async fn forwarded_for_headers_from_untrusted_peers_are_ignored() {
    let s = spawn_with(|c| c.accounts.login_attempts_per_ip_per_minute = 2).await;
    for (i, client) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
        .into_iter()
        .enumerate()
    {
        let r = s
            .http
            .post(s.url("/graphql"))
            .header("content-type", "application/json")
            .header("x-forwarded-for", client)
            .body(r#"{"query":"mutation { login(login: \"nobody\", password: \"x\") { token } }"}"#)
            .send()
            .await
            .unwrap();
        let expected = if i < 2 {
            "UNAUTHENTICATED"
        } else {
            "RATE_LIMITED"
        };
        assert_eq!(reply(r).await.code(), Some(expected), "{client}");
    }
}
