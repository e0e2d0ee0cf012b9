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

const LOGIN: &str = "mutation($l: String!, $p: String!, $d: String) { login(login: $l, password: $p, device: $d) { token device } }";

/// Signs in as if from `ip` (the test server trusts 127.0.0.1 as a proxy),
/// with a device token if given.
async fn login_from(
    s: &TestServer,
    ip: &str,
    login: &str,
    password: &str,
    device: Option<&str>,
) -> Reply {
    let r = s
        .http
        .post(s.url("/graphql"))
        .header("content-type", "application/json")
        .header("x-forwarded-for", ip)
        .json(&json!({ "query": LOGIN, "variables": { "l": login, "p": password, "d": device } }))
        .send()
        .await
        .unwrap();
    reply(r).await
}

#[tokio::test]
async fn failed_sign_ins_slow_down_where_they_come_from_and_never_lock_out_the_owners_devices() {
    let s = spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let id = s
        .seed("teacher.anna", app::Role::Teacher, "teacher-password-1")
        .await;
    // Anna signs in at school once: her browser keeps the device token.
    let first = login_from(&s, "10.1.0.1", "teacher.anna", "teacher-password-1", None).await;
    let device = first.body["data"]["login"]["device"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(device.starts_with("lffdev_"), "{}", first.body);

    // Someone on another network guesses: five free failures, then waits.
    for _ in 0..5 {
        let r = login_from(&s, "10.9.9.9", "teacher.anna", "wrong password", None).await;
        assert_eq!(r.code(), Some("UNAUTHENTICATED"), "{}", r.body);
    }
    let r = login_from(&s, "10.9.9.9", "teacher.anna", "teacher-password-1", None).await;
    assert_eq!(r.code(), Some("RATE_LIMITED"), "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["retryAfterSeconds"], 1);
    // Anna, on her own device, is not slowed down at all; nor is her school's network.
    let r = login_from(
        &s,
        "10.9.9.9",
        "teacher.anna",
        "teacher-password-1",
        Some(&device),
    )
    .await;
    assert!(r.code().is_none(), "{}", r.body);
    assert_eq!(r.body["data"]["login"]["device"], device.as_str());
    let r = login_from(&s, "10.1.0.1", "teacher.anna", "teacher-password-1", None).await;
    assert!(r.code().is_none(), "{}", r.body);
    // A token for someone else's device counts as none.
    let r = login_from(
        &s,
        "10.9.9.9",
        "teacher.anna",
        "teacher-password-1",
        Some("lffdev_made-up"),
    )
    .await;
    assert_eq!(r.code(), Some("RATE_LIMITED"), "{}", r.body);
    s.clock.advance(chrono::Duration::seconds(1));
    let r = login_from(&s, "10.9.9.9", "teacher.anna", "teacher-password-1", None).await;
    assert!(r.code().is_none(), "after the delay: {}", r.body);

    // Fifty failures from fifty networks: devices Anna never used must
    // pause, and she is told; her own device still signs in.
    for i in 0..50 {
        let r = login_from(
            &s,
            &format!("10.2.0.{i}"),
            "teacher.anna",
            "wrong password",
            None,
        )
        .await;
        assert_eq!(r.code(), Some("UNAUTHENTICATED"), "{}", r.body);
    }
    let r = login_from(&s, "10.3.0.1", "teacher.anna", "teacher-password-1", None).await;
    assert_eq!(r.code(), Some("RATE_LIMITED"), "{}", r.body);
    let r = login_from(
        &s,
        "10.3.0.1",
        "teacher.anna",
        "teacher-password-1",
        Some(&device),
    )
    .await;
    assert!(r.code().is_none(), "{}", r.body);
    let token = r.body["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let n = s
        .gql(
            Some(&token),
            "{ myNotifications { edges { node { kind } } } }",
            json!({}),
        )
        .await;
    let kinds: Vec<_> = n.body["data"]["myNotifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains(&"SIGN_INS_FAILED".to_owned()), "{kinds:?}");
    // Her success forgot the count: other devices may try again at once.
    let r = login_from(&s, "10.3.0.2", "teacher.anna", "teacher-password-1", None).await;
    assert!(r.code().is_none(), "{}", r.body);

    // Nothing locks for good: after any number of failures, a wait is enough.
    for i in 0..60 {
        let _ = login_from(
            &s,
            &format!("10.4.0.{i}"),
            "teacher.anna",
            "wrong password",
            None,
        )
        .await;
        s.clock.advance(chrono::Duration::minutes(16));
    }
    s.clock.advance(chrono::Duration::minutes(16));
    let r = login_from(&s, "10.5.0.1", "teacher.anna", "teacher-password-1", None).await;
    assert!(r.code().is_none(), "{}", r.body);

    let admin = s.admin_token().await;
    let trail = s
        .gql(
            Some(&admin),
            "{ auditTrail { nodes { action target } } }",
            json!({}),
        )
        .await;
    assert!(
        trail.body["data"]["auditTrail"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "pause_sign_ins" && e["target"] == id.as_str()),
        "{}",
        trail.body
    );
}

/// The review's attack: fifty parallel wrong passwords used to pass the
/// check together and lock the platform's only administrator for good.
#[tokio::test]
async fn sixty_parallel_wrong_passwords_cannot_lock_out_the_administrator() {
    let s = spawn().await;
    let attempts =
        futures::future::join_all((0..60).map(|_| s.login("admin", "a wrong guess"))).await;
    let wrong = attempts
        .iter()
        .filter(|r| r.code() == Some("UNAUTHENTICATED"))
        .count();
    let limited = attempts
        .iter()
        .filter(|r| r.code() == Some("RATE_LIMITED"))
        .count();
    assert_eq!(wrong + limited, 60);
    assert!(
        wrong <= 5,
        "{wrong} passwords were checked; only five are free"
    );
    // The right password waits for the delay, then works.
    let r = s.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(r.code(), Some("RATE_LIMITED"), "{}", r.body);
    let wait = r.body["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap();
    assert!(wait <= 2, "{wait}");
    s.clock.advance(chrono::Duration::seconds(wait as i64));
    s.token("admin", ADMIN_PASSWORD).await;
}

/// A flood of sign-ins from many networks cannot queue password checks
/// without end: past the queue's length the server says it is busy at once,
/// and signs people in again as soon as the flood has passed.
#[tokio::test]
async fn a_flood_of_sign_ins_is_refused_at_once_instead_of_queued() {
    let s = spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let flood = futures::future::join_all((0..160).map(|i| {
        let s = &s;
        async move {
            let ip = format!("10.7.{}.{}", i / 200, i % 200);
            login_from(s, &ip, &format!("nobody.{i}"), "a wrong guess", None).await
        }
    }))
    .await;
    let busy = flood
        .iter()
        .filter(|r| {
            r.code() == Some("RATE_LIMITED")
                && r.body["errors"][0]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("busy"))
        })
        .count();
    let checked = flood
        .iter()
        .filter(|r| r.code() == Some("UNAUTHENTICATED"))
        .count();
    assert_eq!(busy + checked, 160);
    assert!(busy > 0, "all 160 were queued");
    s.token("admin", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn the_operator_recovers_an_administrator_without_the_api() {
    let s = spawn().await;
    let admin = s.admin_token().await;
    let recovered = s
        .app
        .accounts()
        .operator_reset_password("ADMIN")
        .await
        .unwrap();
    assert_eq!(recovered.login, "admin");
    assert_eq!(recovered.password.chars().count(), 20);
    // The old password and every session are gone; the new one works.
    assert_eq!(s.me(&admin).await.status, 401);
    assert_eq!(
        s.login("admin", ADMIN_PASSWORD).await.code(),
        Some("UNAUTHENTICATED")
    );
    let token = s.token("admin", &recovered.password).await;
    let trail = s
        .gql(
            Some(&token),
            "{ auditTrail { nodes { action } } }",
            json!({}),
        )
        .await;
    assert!(
        trail.body.to_string().contains("operator_reset_password"),
        "{}",
        trail.body
    );
    assert!(matches!(
        s.app.accounts().operator_reset_password("nobody").await,
        Err(app::Error::NotFound)
    ));
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
        .accounts()
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
        .accounts()
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
