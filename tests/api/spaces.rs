//! Twinning spaces end to end: two schools of different countries in one
//! space, talking live over real WebSockets; resuming without loss; slow
//! subscribers; who receives what; moderation, threads, reactions, unread
//! counts and notifications.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};

use crate::harness::*;

/// What every test here selects of a space event.
const EVENTS: &str = "subscription($s: ID!, $a: String) { spaceEvents(spaceId: $s, after: $a) { \
    __typename cursor at \
    ... on MessagePosted { message { id body html hidden deleted replyTo channelId author { id displayName role } } } \
    ... on MessageEdited { message { id body } } \
    ... on MessageHidden { message { id body html hidden hiddenReason } } \
    ... on MessageDeleted { message { id body deleted } } \
    ... on ReactionChanged { messageId emoji added userId } \
    ... on MemberJoined { member { id role displayName } } \
    ... on MemberLeft { member { id } removedBy } \
    ... on ChannelCreated { channel { id name kind } } \
    ... on PresenceChanged { userId displayName online } \
    ... on Typing { channelId userId displayName } } }";

/// A space opened by teacher.a1 (Armenia) with school B1 (Kazakhstan):
/// both schools' teachers and students are members.
pub struct Twin {
    pub net: Net,
    pub space: String,
    pub general: String,
    pub bulletin: String,
    pub teacher_a1: String,
    pub teacher_b1: String,
    pub coord_b1: String,
    pub student_a1: String,
    pub student_b1: String,
}

pub async fn ok(r: Reply) -> Value {
    assert!(r.code().is_none(), "unexpected error: {}", r.body);
    r.body["data"].clone()
}

impl Twin {
    pub async fn new() -> Twin {
        Self::on(Net::new().await).await
    }

    pub async fn on(net: Net) -> Twin {
        let t = |login: &'static str, pw: &'static str| {
            let s = &net.s;
            async move { s.token(login, pw).await }
        };
        let teacher_a1 = t("teacher.a1", NET_PASSWORD).await;
        let teacher_b1 = t("teacher.b1", NET_PASSWORD).await;
        let coord_b1 = t("coord.b1", NET_PASSWORD).await;
        let student_a1 = t("student.a1", NET_STUDENT_PASSWORD).await;
        let student_b1 = t("student.b1", NET_STUDENT_PASSWORD).await;
        let d = ok(net
            .s
            .gql(
                Some(&teacher_a1),
                "mutation { createSpace(input: { title: \"Rivers of our countries\", topic: \"Water\", \
                 description: \"We measure **river** water together.\", pillars: [LEARNING_TO_KNOW, LEARNING_TO_LIVE_TOGETHER], \
                 languages: [\"ru\", \"en\"] }) { id channels { id name kind } } }",
                json!({}),
            )
            .await)
        .await;
        let space = d["createSpace"]["id"].as_str().unwrap().to_owned();
        let channel = |kind: &str| {
            d["createSpace"]["channels"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["kind"] == kind)
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let (general, bulletin) = (channel("GENERAL"), channel("BULLETIN"));
        let inv = ok(net
            .s
            .gql(
                Some(&teacher_a1),
                "mutation($s: ID!, $b: ID!) { inviteSchoolToSpace(spaceId: $s, schoolId: $b) { id status } }",
                json!({ "s": space, "b": net.b1 }),
            )
            .await)
        .await;
        let inv = inv["inviteSchoolToSpace"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(net
            .s
            .gql(
                Some(&coord_b1),
                "mutation($i: ID!) { acceptSpaceInvitation(id: $i) { status } }",
                json!({ "i": inv }),
            )
            .await)
        .await;
        ok(net
            .s
            .gql(
                Some(&teacher_b1),
                "mutation($s: ID!) { joinSpace(spaceId: $s) { role } }",
                json!({ "s": space }),
            )
            .await)
        .await;
        for (token, student) in [(&teacher_a1, "student.a1"), (&teacher_b1, "student.b1")] {
            ok(net
                .s
                .gql(
                    Some(token),
                    "mutation($s: ID!, $u: [ID!]!) { addSpaceStudents(spaceId: $s, studentIds: $u) { id } }",
                    json!({ "s": space, "u": [net.id_of(student)] }),
                )
                .await)
            .await;
        }
        Twin {
            net,
            space,
            general,
            bulletin,
            teacher_a1,
            teacher_b1,
            coord_b1,
            student_a1,
            student_b1,
        }
    }

    /// `Space.cursor` as `token` reads it: where a subscription resumes.
    pub async fn cursor(&self, token: &str) -> String {
        let d = ok(self
            .gql(
                token,
                "query($s: ID!) { space(id: $s) { cursor } }",
                json!({ "s": self.space }),
            )
            .await)
        .await;
        d["space"]["cursor"].as_str().unwrap().to_owned()
    }

    pub async fn gql(&self, token: &str, q: &str, vars: Value) -> Reply {
        self.net.s.gql(Some(token), q, vars).await
    }

    pub async fn post(&self, token: &str, channel: &str, body: &str) -> Value {
        let d = ok(self
            .gql(
                token,
                "mutation($c: ID!, $b: String!) { postMessage(channelId: $c, body: $b) { id cursor body html } }",
                json!({ "c": channel, "b": body }),
            )
            .await)
        .await;
        d["postMessage"].clone()
    }

    /// A socket of `token` subscribed to the space's events after `after`
    /// or, by default, after the space's current position — so that nothing
    /// posted once this returns can be missed, however late the server
    /// registers the subscription.
    pub async fn subscribe(&self, token: &str, after: Option<&str>) -> Ws {
        let after = match after {
            Some(a) => a.to_owned(),
            None => self.cursor(&self.teacher_a1).await,
        };
        let mut ws = self.net.s.ws_ready(token).await;
        send(
            &mut ws,
            json!({ "type": "subscribe", "id": "s", "payload": { "query": EVENTS, "variables": { "s": self.space, "a": after } } }),
        )
        .await;
        ws
    }
}

/// The next space event; panics on an error, a completion or a timeout.
pub async fn next_event(ws: &mut Ws) -> Value {
    match next_item(ws).await {
        Ok(e) => e,
        Err(v) => panic!("expected an event, got {v}"),
    }
}

/// The next space event, or the protocol message that is not one.
pub async fn next_item(ws: &mut Ws) -> Result<Value, Value> {
    let v = next_json(ws).await;
    if v["type"] == "next" && v["payload"]["errors"].is_null() {
        Ok(v["payload"]["data"]["spaceEvents"].clone())
    } else {
        Err(v)
    }
}

/// The next event of `kind`, skipping others (presence, typing, …).
pub async fn next_of(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let e = next_event(ws).await;
        if e["__typename"] == kind {
            return e;
        }
    }
}

/// The error code of a protocol message carrying errors.
fn code_in(v: &Value) -> Option<&str> {
    let errors = if v["type"] == "error" {
        &v["payload"]
    } else {
        &v["payload"]["errors"]
    };
    errors[0]["extensions"]["code"].as_str()
}

#[tokio::test]
async fn two_schools_in_different_countries_see_each_others_messages_typing_and_presence_live() {
    let t = Twin::new().await;
    let mut armenia = t.subscribe(&t.teacher_a1, None).await;
    // Presence: the Armenian teacher sees themself come online first.
    let me = next_of(&mut armenia, "PresenceChanged").await;
    assert_eq!(me["userId"], t.net.id_of("teacher.a1"));
    let mut kazakhstan = t.subscribe(&t.student_b1, None).await;
    let seen = next_of(&mut armenia, "PresenceChanged").await;
    assert_eq!(seen["userId"], t.net.id_of("student.b1"));
    assert_eq!(seen["online"], true);
    let online = ok(t
        .gql(
            &t.teacher_a1,
            "query($s: ID!) { space(id: $s) { online { userId } } }",
            json!({ "s": t.space }),
        )
        .await)
    .await;
    assert_eq!(
        online["space"]["online"].as_array().unwrap().len(),
        2,
        "{online}"
    );

    let posted = t
        .post(&t.teacher_a1, &t.general, "Привет из **Еревана**!")
        .await;
    let got = next_of(&mut kazakhstan, "MessagePosted").await;
    assert_eq!(got["message"]["id"], posted["id"]);
    assert_eq!(got["cursor"], posted["cursor"]);
    assert_eq!(got["message"]["body"], "Привет из **Еревана**!");
    assert_eq!(
        got["message"]["html"],
        "<p>Привет из <strong>Еревана</strong>!</p>\n"
    );
    assert_eq!(got["message"]["author"]["role"], "LEAD");

    ok(t.gql(
        &t.student_b1,
        "mutation($c: ID!) { reportTyping(channelId: $c) }",
        json!({ "c": t.general }),
    )
    .await)
    .await;
    let typing = next_of(&mut armenia, "Typing").await;
    assert_eq!(typing["userId"], t.net.id_of("student.b1"));
    assert_eq!(typing["channelId"], t.general.as_str());

    let answer = ok(t
        .gql(
            &t.student_b1,
            "mutation($c: ID!, $r: ID!) { postMessage(channelId: $c, body: \"Сәлем! Hello from Almaty\", replyTo: $r) { id replyTo } }",
            json!({ "c": t.general, "r": posted["id"] }),
        )
        .await)
    .await;
    let got = next_of(&mut armenia, "MessagePosted").await;
    assert_eq!(got["message"]["id"], answer["postMessage"]["id"]);
    assert_eq!(got["message"]["replyTo"], posted["id"]);

    // Going away is seen too, once the grace for reconnecting is over.
    drop(kazakhstan);
    let left = std::time::Instant::now();
    let gone = loop {
        let m = tokio::time::timeout(app::spaces::hub::PRESENCE_GRACE * 3, armenia.next())
            .await
            .expect("the offline change in time");
        let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) = m else {
            continue;
        };
        let v: Value = serde_json::from_str(text.as_str()).unwrap();
        let e = &v["payload"]["data"]["spaceEvents"];
        if e["__typename"] == "PresenceChanged" {
            break e.clone();
        }
    };
    assert_eq!(
        (gone["userId"].clone(), gone["online"].clone()),
        (json!(t.net.id_of("student.b1")), json!(false))
    );
    assert!(left.elapsed() >= app::spaces::hub::PRESENCE_GRACE);
}

/// A small deterministic generator, so a failing run can be repeated.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test]
async fn a_subscriber_dropping_at_random_resumes_with_every_message_once_and_in_order() {
    let t = Twin::new().await;
    const N: usize = 1000;
    let start = t.cursor(&t.student_a1).await;
    let poster = {
        let (s, token, channel) = (
            t.net.s.http.clone(),
            t.teacher_b1.clone(),
            t.general.clone(),
        );
        let url = t.net.s.url("/graphql");
        tokio::spawn(async move {
            for i in 0..N {
                let r = s
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({ "query": "mutation($c: ID!, $b: String!) { postMessage(channelId: $c, body: $b) { id } }", "variables": { "c": channel, "b": format!("m{i}") } }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        })
    };
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let mut got: Vec<String> = Vec::new();
    let mut cursor = start;
    let mut reconnects = 0;
    while got.len() < N {
        let mut ws = t.subscribe(&t.student_a1, Some(&cursor)).await;
        reconnects += 1;
        let take = 1 + dice.roll(150);
        for _ in 0..take {
            let e = match next_item(&mut ws).await {
                Ok(e) => e,
                Err(v) => panic!("after {} messages: {v}", got.len()),
            };
            if let Some(c) = e["cursor"].as_str() {
                cursor = c.to_owned();
            }
            if e["__typename"] == "MessagePosted" {
                got.push(e["message"]["body"].as_str().unwrap().to_owned());
                if got.len() == N {
                    break;
                }
            }
        }
        // Drop without a goodbye, as a lost connection does.
        drop(ws);
    }
    poster.await.unwrap();
    let expected: Vec<String> = (0..N).map(|i| format!("m{i}")).collect();
    assert_eq!(got, expected, "every message once, in order");
    assert!(
        reconnects > 5,
        "the test should have reconnected often, did {reconnects}"
    );
}

pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap()
}

/// Posts `n` messages of `body` through the domain from 8 tasks while
/// `reader` keeps up; returns when the reader has seen them all. (10,000
/// GraphQL round trips would measure the test client, not the server.)
async fn flood(t: &Twin, reader: &mut Ws, n: usize, body: &str) {
    let viewer = t
        .net
        .s
        .app
        .accounts()
        .authenticate(&t.teacher_a1)
        .await
        .unwrap();
    let channel = app::ChannelId::parse(&t.general).unwrap();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (app, viewer, channel) = (t.net.s.app.clone(), viewer.clone(), channel.clone());
        let body = format!("{w} {body}");
        let count = n / 8 + usize::from(w < n % 8);
        tasks.push(tokio::spawn(async move {
            for _ in 0..count {
                app.spaces()
                    .post_message(&viewer, &channel, &body, None)
                    .await
                    .unwrap();
            }
        }));
    }
    let mut seen = 0;
    while seen < n {
        if next_event(reader).await["__typename"] == "MessagePosted" {
            seen += 1;
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
}

const PROBE: &str = "LFF_TEST_STALLED_PROBE";
const STALLED: usize = 20;

/// Runs in a process of its own (the test re-runs itself), so that the
/// process's memory is this scenario's alone: 10,000 messages with nobody
/// stalled, then 10,000 more with 20 subscribers that stopped reading. If
/// the server buffered for them, the second phase would cost 20 × 10,000
/// frames of about 5 KB (1 GB) more than the first.
#[tokio::test]
async fn subscribers_that_stop_reading_are_told_to_resync_and_cost_bounded_memory() {
    if std::env::var_os(PROBE).is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "spaces::subscribers_that_stop_reading_are_told_to_resync_and_cost_bounded_memory",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(PROBE, "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "the probe failed:\n{text}");
        let line = text
            .lines()
            .find_map(|l| l.split_once("PROBE ").map(|(_, r)| r))
            .unwrap_or_else(|| panic!("no result in:\n{text}"));
        let v: Vec<u64> = line
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let (calm_mib, stalled_mib, most_buffered) = (v[0], v[1], v[2]);
        eprintln!(
            "10,000 messages: process grew {calm_mib} MiB with nobody stalled, {stalled_mib} MiB with {STALLED} stalled subscribers; at most {most_buffered} events reached a stalled one before RESYNC_REQUIRED"
        );
        assert!(
            most_buffered < 5000,
            "{most_buffered} events were kept for a stalled subscriber"
        );
        assert!(
            stalled_mib < calm_mib + 5 * STALLED as u64,
            "10,000 messages cost {calm_mib} MiB with nobody stalled and {stalled_mib} MiB with {STALLED} stalled subscribers"
        );
        return;
    }
    // Posting 10,000 messages takes a while in a debug build; the stalled
    // sockets must not be closed as idle or stuck before they are found
    // lagging.
    // Twenty sockets of one student are more than one person may open.
    let t = Twin::on(
        Net::with(
            spawn_with(|c| {
                c.ws.idle_timeout = Duration::from_secs(900);
                c.http.write_timeout = Duration::from_secs(900);
                c.ws.max_per_person = 2 * STALLED;
            })
            .await,
        )
        .await,
    )
    .await;
    let mut reader = t.subscribe(&t.teacher_b1, None).await;
    let body = "x".repeat(2000);
    let before = rss_kib();
    flood(&t, &mut reader, 10_000, &body).await;
    let calm = rss_kib().saturating_sub(before) / 1024;

    let cursor = t.cursor(&t.student_a1).await;
    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        // A small receive buffer, so that the kernel does not absorb what
        // the server sends.
        let mut ws = t.net.s.ws_small_buffer(&t.student_a1).await;
        send(&mut ws, json!({ "type": "subscribe", "id": "s", "payload": { "query": EVENTS, "variables": { "s": t.space, "a": cursor } } })).await;
        stalled.push(ws);
    }
    let before = rss_kib();
    flood(&t, &mut reader, 10_000, &body).await;
    let with_stalled = rss_kib().saturating_sub(before) / 1024;
    // Once they read again, each gets what was buffered, then RESYNC_REQUIRED.
    let mut most = 0;
    for ws in &mut stalled {
        let mut buffered = 0;
        let code = loop {
            match next_item(ws).await {
                Ok(_) => buffered += 1,
                Err(v) => break code_in(&v).map(str::to_owned),
            }
        };
        assert_eq!(code.as_deref(), Some("RESYNC_REQUIRED"));
        most = most.max(buffered);
    }
    println!("PROBE {calm} {with_stalled} {most}");
}

#[tokio::test]
async fn outsiders_removed_members_and_signed_out_people_receive_nothing_more() {
    let t = Twin::new().await;
    // A student of a school that is not in the space.
    let outsider = t.net.s.token("student.a2", NET_STUDENT_PASSWORD).await;
    let mut ws = t.subscribe(&outsider, None).await;
    let v = next_json(&mut ws).await;
    assert_eq!(code_in(&v), Some("NOT_FOUND"), "{v}");
    let r = t
        .gql(
            &outsider,
            "query($s: ID!) { space(id: $s) { id } }",
            json!({ "s": t.space }),
        )
        .await;
    assert_eq!(r.body["data"]["space"], Value::Null);

    // A removed member's stream ends with their removal.
    let mut removed = t.subscribe(&t.student_b1, None).await;
    next_of(&mut removed, "PresenceChanged").await;
    ok(t.gql(
        &t.teacher_b1,
        "mutation($s: ID!, $u: ID!) { removeSpaceMember(spaceId: $s, userId: $u) { id } }",
        json!({ "s": t.space, "u": t.net.id_of("student.b1") }),
    )
    .await)
    .await;
    let left = next_of(&mut removed, "MemberLeft").await;
    assert_eq!(left["member"]["id"], t.net.id_of("student.b1"));
    let done = next_json(&mut removed).await;
    assert_eq!(done["type"], "complete", "{done}");
    t.post(&t.teacher_a1, &t.general, "after the removal").await;
    let again = t.subscribe(&t.student_b1, None).await;
    let mut again = again;
    assert_eq!(code_in(&next_json(&mut again).await), Some("NOT_FOUND"));

    // A signed-out person's socket closes.
    let mut signed_in = t.subscribe(&t.student_a1, None).await;
    next_of(&mut signed_in, "PresenceChanged").await;
    ok(t.gql(&t.student_a1, "mutation { logout }", json!({})).await).await;
    let (code, _) = close_within(&mut signed_in, Duration::from_secs(5)).await;
    assert_eq!(code, 4403);
}

#[tokio::test]
async fn hidden_messages_never_reach_students_live_in_replays_or_in_pages() {
    let t = Twin::new().await;
    let mut student = t.subscribe(&t.student_a1, None).await;
    let mut teacher = t.subscribe(&t.teacher_b1, None).await;
    let start = t.cursor(&t.student_a1).await;
    let m = t.post(&t.student_b1, &t.general, "something unkind").await;
    next_of(&mut student, "MessagePosted").await;
    let hidden = ok(t
        .gql(
            &t.teacher_b1,
            "mutation($m: ID!) { hideMessage(id: $m, reason: \"Unkind words\") { hidden hiddenReason body } }",
            json!({ "m": m["id"] }),
        )
        .await)
    .await;
    assert_eq!(hidden["hideMessage"]["hiddenReason"], "Unkind words");
    let seen = next_of(&mut student, "MessageHidden").await;
    assert_eq!(seen["message"]["hidden"], true);
    assert_eq!(seen["message"]["body"], "");
    assert_eq!(seen["message"]["html"], "");
    assert_eq!(seen["message"]["hiddenReason"], Value::Null);
    let staff = next_of(&mut teacher, "MessageHidden").await;
    assert_eq!(staff["message"]["body"], "something unkind");
    assert_eq!(staff["message"]["hiddenReason"], "Unkind words");

    // A student replaying from before the message gets it without content.
    let mut replay = t.subscribe(&t.student_a1, Some(&start)).await;
    let posted = next_of(&mut replay, "MessagePosted").await;
    assert_eq!(posted["message"]["id"], m["id"]);
    assert_eq!(posted["message"]["body"], "");
    assert_eq!(posted["message"]["hidden"], true);
    // And pages show it the same way.
    let page = ok(t
        .gql(
            &t.student_a1,
            "query($s: ID!) { space(id: $s) { channels { kind messages(first: 10) { edges { node { id body hidden } } } } } }",
            json!({ "s": t.space }),
        )
        .await)
    .await;
    let general = page["space"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "GENERAL")
        .unwrap();
    let node = &general["messages"]["edges"][0]["node"];
    assert_eq!(
        (node["body"].clone(), node["hidden"].clone()),
        (json!(""), json!(true))
    );
    let r = t
        .gql(
            &t.student_a1,
            "query($m: ID!) { message(id: $m) { body edits { body } } }",
            json!({ "m": m["id"] }),
        )
        .await;
    assert_eq!(ok(r).await["message"]["body"], "");
    // Moderation is audited.
    let admin = t.net.s.admin_token().await;
    let trail = t
        .net
        .s
        .gql(
            Some(&admin),
            "{ auditTrail(first: 20) { nodes { action target } } }",
            json!({}),
        )
        .await;
    assert!(
        trail.body["data"]["auditTrail"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "hide_message" && e["target"] == m["id"])
    );
}

#[tokio::test]
async fn students_read_neither_the_teachers_bulletin_nor_start_channels() {
    let t = Twin::new().await;
    let mut student = t.subscribe(&t.student_a1, None).await;
    next_of(&mut student, "PresenceChanged").await;
    t.post(
        &t.teacher_a1,
        &t.bulletin,
        "Staff only: the plan for Friday",
    )
    .await;
    let r = t
        .gql(
            &t.student_a1,
            "mutation($c: ID!) { postMessage(channelId: $c, body: \"hi\") { id } }",
            json!({ "c": t.bulletin }),
        )
        .await;
    assert_eq!(r.code(), Some("NOT_FOUND"));
    let channels = ok(t
        .gql(
            &t.student_a1,
            "query($s: ID!) { space(id: $s) { myRole channels { kind } } }",
            json!({ "s": t.space }),
        )
        .await)
    .await;
    assert_eq!(channels["space"]["myRole"], "STUDENT");
    assert_eq!(
        channels["space"]["channels"],
        json!([{ "kind": "GENERAL" }])
    );
    let r = t
        .gql(
            &t.student_a1,
            "mutation($s: ID!) { createChannel(spaceId: $s, name: \"secret\") { id } }",
            json!({ "s": t.space }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    // The bulletin post never reached the student; the next thing they get
    // is the message in general.
    t.post(&t.teacher_a1, &t.general, "Hello class").await;
    let e = next_of(&mut student, "MessagePosted").await;
    assert_eq!(e["message"]["body"], "Hello class");
    // A channel a teacher adds is for everyone.
    let c = ok(t
        .gql(&t.teacher_b1, "mutation($s: ID!) { createChannel(spaceId: $s, name: \"Экология\", topic: \"Our rivers\") { id name kind } }", json!({ "s": t.space }))
        .await)
    .await;
    assert_eq!(c["createChannel"]["name"], "экология");
    let e = next_of(&mut student, "ChannelCreated").await;
    assert_eq!(e["channel"]["id"], c["createChannel"]["id"]);
}

#[tokio::test]
async fn edits_keep_history_deletions_leave_tombstones_and_reactions_count() {
    let t = Twin::new().await;
    let m = t
        .post(
            &t.student_a1,
            &t.general,
            "Our river is <script>alert(1)</script> [clean](javascript:alert(1))",
        )
        .await;
    assert!(!m["html"].as_str().unwrap().contains("<script"), "{m}");
    assert!(!m["html"].as_str().unwrap().contains("javascript:"), "{m}");
    let mut teacher = t.subscribe(&t.teacher_a1, None).await;
    ok(t.gql(
        &t.student_a1,
        "mutation($m: ID!) { editMessage(id: $m, body: \"Our river is clean\") { body editedAt } }",
        json!({ "m": m["id"] }),
    )
    .await)
    .await;
    let e = next_of(&mut teacher, "MessageEdited").await;
    assert_eq!(e["message"]["body"], "Our river is clean");
    let r = t
        .gql(
            &t.student_b1,
            "mutation($m: ID!) { editMessage(id: $m, body: \"mine now\") { body } }",
            json!({ "m": m["id"] }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "only the author edits");
    let history = ok(t
        .gql(
            &t.teacher_a1,
            "query($m: ID!) { message(id: $m) { edits { body } } }",
            json!({ "m": m["id"] }),
        )
        .await)
    .await;
    assert_eq!(history["message"]["edits"][0]["body"], m["body"]);

    for (token, emoji) in [
        (&t.student_b1, "👍"),
        (&t.teacher_b1, "👍"),
        (&t.teacher_a1, "🌊"),
    ] {
        ok(t.gql(
            token,
            "mutation($m: ID!, $e: String!) { setReaction(messageId: $m, emoji: $e) { id } }",
            json!({ "m": m["id"], "e": emoji }),
        )
        .await)
        .await;
    }
    let e = next_of(&mut teacher, "ReactionChanged").await;
    assert_eq!(
        (e["emoji"].clone(), e["added"].clone()),
        (json!("👍"), json!(true))
    );
    let counts = ok(t
        .gql(
            &t.student_b1,
            "query($m: ID!) { message(id: $m) { reactions { emoji count mine } } }",
            json!({ "m": m["id"] }),
        )
        .await)
    .await;
    assert_eq!(
        counts["message"]["reactions"],
        json!([{ "emoji": "👍", "count": 2, "mine": true }, { "emoji": "🌊", "count": 1, "mine": false }])
    );
    let r = t
        .gql(
            &t.student_b1,
            "mutation($m: ID!) { setReaction(messageId: $m, emoji: \"like\") { id } }",
            json!({ "m": m["id"] }),
        )
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));

    let d = ok(t
        .gql(
            &t.student_a1,
            "mutation($m: ID!) { deleteMessage(id: $m) { deleted body } }",
            json!({ "m": m["id"] }),
        )
        .await)
    .await;
    assert_eq!(d["deleteMessage"], json!({ "deleted": true, "body": "" }));
    let e = next_of(&mut teacher, "MessageDeleted").await;
    assert_eq!(e["message"]["body"], "");
    let gone = ok(t.gql(&t.teacher_a1, "query($m: ID!) { message(id: $m) { deleted body edits { body } reactions { emoji } } }", json!({ "m": m["id"] })).await).await;
    assert_eq!(
        gone["message"],
        json!({ "deleted": true, "body": "", "edits": [], "reactions": [] })
    );
}

#[tokio::test]
async fn unread_counts_follow_posts_and_mark_read() {
    let t = Twin::new().await;
    let unread = |token: String| {
        let t = &t;
        async move {
            let d = ok(t
                .gql(
                    &token,
                    "query($s: ID!) { space(id: $s) { channels { kind unreadCount } } }",
                    json!({ "s": t.space }),
                )
                .await)
            .await;
            d["space"]["channels"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["kind"] == "GENERAL")
                .unwrap()["unreadCount"]
                .as_u64()
                .unwrap()
        }
    };
    for i in 0..3 {
        t.post(&t.teacher_a1, &t.general, &format!("news {i}"))
            .await;
    }
    assert_eq!(unread(t.student_b1.clone()).await, 3);
    assert_eq!(
        unread(t.teacher_a1.clone()).await,
        0,
        "one's own messages are never unread"
    );
    let second = ok(t
        .gql(&t.student_b1, "query($s: ID!) { space(id: $s) { channels { kind messages(first: 3) { edges { cursor } } } } }", json!({ "s": t.space }))
        .await)
    .await;
    let general = second["space"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "GENERAL")
        .unwrap()
        .clone();
    // Newest first: the second edge is the second newest.
    let cursor = general["messages"]["edges"][1]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(t.gql(
        &t.student_b1,
        "mutation($c: ID!, $u: String) { markChannelRead(channelId: $c, upTo: $u) }",
        json!({ "c": t.general, "u": cursor }),
    )
    .await)
    .await;
    assert_eq!(unread(t.student_b1.clone()).await, 1);
    ok(t.gql(
        &t.student_b1,
        "mutation($c: ID!) { markChannelRead(channelId: $c) }",
        json!({ "c": t.general }),
    )
    .await)
    .await;
    assert_eq!(unread(t.student_b1.clone()).await, 0);
}

/// The next notification that is not a sign-in notice.
async fn next_notice(ws: &mut Ws) -> Value {
    loop {
        let v = next_json(ws).await;
        if v["payload"]["data"]["notifications"]["kind"] != "SIGNED_IN" {
            return v;
        }
    }
}

#[tokio::test]
async fn mentions_invitations_and_answers_reach_the_notification_list_and_arrive_live() {
    let net = Net::new().await;
    let coord_b1 = net.s.token("coord.b1", NET_PASSWORD).await;
    let mut live = net.s.ws_ready(&coord_b1).await;
    send(&mut live, json!({ "type": "subscribe", "id": "n", "payload": { "query": "subscription { notifications { kind spaceId about actorName excerpt } }" } })).await;
    // The subscription is live once a sign-in notice arrives on it; sign in
    // until one does.
    loop {
        net.s.token("coord.b1", NET_PASSWORD).await;
        if let Ok(v) = tokio::time::timeout(Duration::from_millis(500), next_json(&mut live)).await
        {
            assert_eq!(
                v["payload"]["data"]["notifications"]["kind"], "SIGNED_IN",
                "{v}"
            );
            break;
        }
    }
    let t = Twin::on(net).await;
    let invitation = next_notice(&mut live).await;
    assert_eq!(
        invitation["payload"]["data"]["notifications"]["kind"], "SPACE_INVITATION",
        "{invitation}"
    );
    assert_eq!(
        invitation["payload"]["data"]["notifications"]["excerpt"],
        "Rivers of our countries"
    );

    let answered = ok(t
        .gql(
            &t.teacher_a1,
            "{ myNotifications { unreadCount edges { node { kind excerpt read } } } }",
            json!({}),
        )
        .await)
    .await;
    assert_eq!(answered["myNotifications"]["unreadCount"], 1);
    assert_eq!(
        answered["myNotifications"]["edges"][0]["node"]["kind"],
        "SPACE_INVITATION_ANSWERED"
    );
    assert_eq!(
        answered["myNotifications"]["edges"][0]["node"]["excerpt"],
        "accepted"
    );

    let m = t
        .post(
            &t.student_a1,
            &t.general,
            "Thank you @coord.b1 and @nobody.here!",
        )
        .await;
    let mention = next_notice(&mut live).await;
    let n = &mention["payload"]["data"]["notifications"];
    assert_eq!(n["kind"], "MENTIONED");
    assert_eq!(n["about"], m["id"]);
    assert_eq!(n["actorName"], "Person student.a1");
    let list = ok(t
        .gql(
            &t.coord_b1,
            "{ myNotifications { unreadCount edges { node { id kind } } } }",
            json!({}),
        )
        .await)
    .await;
    assert_eq!(list["myNotifications"]["unreadCount"], 2);
    let left = ok(t
        .gql(&t.coord_b1, "mutation { markNotificationsRead }", json!({}))
        .await)
    .await;
    assert_eq!(left["markNotificationsRead"], 0);

    // A report goes to the space's teachers, not to students.
    ok(t.gql(
        &t.student_b1,
        "mutation($m: ID!) { reportMessage(id: $m, reason: \"Not nice\") }",
        json!({ "m": m["id"] }),
    )
    .await)
    .await;
    let teacher = ok(t
        .gql(
            &t.teacher_a1,
            "{ myNotifications { edges { node { kind about } } } }",
            json!({}),
        )
        .await)
    .await;
    assert_eq!(
        teacher["myNotifications"]["edges"][0]["node"],
        json!({ "kind": "MESSAGE_REPORTED", "about": m["id"] })
    );
    let student = ok(t
        .gql(
            &t.student_a1,
            "{ myNotifications { edges { node { kind } } } }",
            json!({}),
        )
        .await)
    .await;
    assert_eq!(student["myNotifications"]["edges"], json!([]));
}

#[tokio::test]
async fn a_cursor_older_than_the_kept_events_requires_a_resync_and_a_future_one_is_refused() {
    let t = Twin::new().await;
    t.post(&t.teacher_a1, &t.general, "old news").await;
    t.net.s.clock.advance(chrono::Duration::days(31));
    let pruned = t
        .net
        .s
        .app
        .spaces()
        .prune_space_logs(chrono::Duration::days(30))
        .await
        .unwrap();
    assert!(pruned >= 6, "pruned {pruned}");
    // A month later everyone signs in again.
    let t = Twin {
        student_a1: t.net.s.token("student.a1", NET_STUDENT_PASSWORD).await,
        teacher_a1: t.net.s.token("teacher.a1", NET_PASSWORD).await,
        ..t
    };
    let mut ws = t.subscribe(&t.student_a1, Some("1")).await;
    assert_eq!(code_in(&next_json(&mut ws).await), Some("RESYNC_REQUIRED"));
    let mut ws = t.subscribe(&t.student_a1, Some("999999")).await;
    assert_eq!(code_in(&next_json(&mut ws).await), Some("BAD_USER_INPUT"));
    // From the current cursor all is well, and new messages flow.
    let cursor = t.cursor(&t.student_a1).await;
    let mut ws = t.subscribe(&t.student_a1, Some(&cursor)).await;
    t.post(&t.teacher_a1, &t.general, "new news").await;
    assert_eq!(
        next_of(&mut ws, "MessagePosted").await["message"]["body"],
        "new news"
    );
    // The messages themselves stay.
    let page = ok(t.gql(&t.student_a1, "query($s: ID!) { space(id: $s) { channels { messages { edges { node { body } } } } } }", json!({ "s": t.space })).await).await;
    assert_eq!(
        page["space"]["channels"][0]["messages"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn observers_read_archived_spaces_are_read_only_and_my_spaces_lists_memberships() {
    let t = Twin::new().await;
    t.post(&t.student_b1, &t.general, "Hello from Kazakhstan")
        .await;
    // The national coordinator of a member school's country observes.
    let nc = t.net.s.token("nc.kz", NET_PASSWORD).await;
    let seen = ok(t.gql(&nc, "query($s: ID!) { space(id: $s) { myRole channels { kind messages { edges { node { body } } } } } }", json!({ "s": t.space })).await).await;
    assert_eq!(seen["space"]["myRole"], "OBSERVER");
    assert_eq!(
        seen["space"]["channels"].as_array().unwrap().len(),
        2,
        "observers read the bulletin too"
    );
    let r = t
        .gql(
            &nc,
            "mutation($c: ID!) { postMessage(channelId: $c, body: \"hi\") { id } }",
            json!({ "c": t.general }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    // The coordinator of a country with no member school does not even see it.
    t.net
        .person("nc.ua", app::Role::NationalCoordinator, None, Some("UA"))
        .await;
    let other = t.net.s.token("nc.ua", NET_PASSWORD).await;
    let r = t
        .gql(
            &other,
            "query($s: ID!) { space(id: $s) { id } }",
            json!({ "s": t.space }),
        )
        .await;
    assert_eq!(r.body["data"]["space"], Value::Null, "{}", r.body);

    let mine = ok(t
        .gql(
            &t.student_b1,
            "{ mySpaces { edges { node { id title myRole } } } }",
            json!({}),
        )
        .await)
    .await;
    assert_eq!(mine["mySpaces"]["edges"][0]["node"]["id"], t.space.as_str());
    assert_eq!(mine["mySpaces"]["edges"][0]["node"]["myRole"], "STUDENT");

    let r = t
        .gql(
            &t.teacher_b1,
            "mutation($s: ID!) { archiveSpace(id: $s) { archived } }",
            json!({ "s": t.space }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "only leads archive");
    ok(t.gql(
        &t.teacher_a1,
        "mutation($s: ID!) { archiveSpace(id: $s) { archived } }",
        json!({ "s": t.space }),
    )
    .await)
    .await;
    let r = t
        .gql(
            &t.student_b1,
            "mutation($c: ID!) { postMessage(channelId: $c, body: \"late\") { id } }",
            json!({ "c": t.general }),
        )
        .await;
    assert_eq!(r.code(), Some("CONFLICT"));
    let still = ok(t.gql(&t.student_b1, "query($s: ID!) { space(id: $s) { archived channels { messages { edges { node { body } } } } } }", json!({ "s": t.space })).await).await;
    assert_eq!(still["space"]["archived"], true);
    assert_eq!(
        still["space"]["channels"][0]["messages"]["edges"][0]["node"]["body"],
        "Hello from Kazakhstan"
    );
}

#[tokio::test]
async fn teachers_add_only_their_own_students_and_mentors_join_when_invited() {
    let t = Twin::new().await;
    let r = t
        .gql(&t.teacher_b1, "mutation($s: ID!, $u: [ID!]!) { addSpaceStudents(spaceId: $s, studentIds: $u) { id } }", json!({ "s": t.space, "u": [t.net.id_of("student.a2")] }))
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    let r = t
        .gql(&t.student_b1, "mutation($s: ID!, $u: [ID!]!) { addSpaceStudents(spaceId: $s, studentIds: $u) { id } }", json!({ "s": t.space, "u": [t.net.id_of("student.b1")] }))
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    let mentor = t.net.s.token("mentor.one", NET_PASSWORD).await;
    let r = t
        .gql(
            &mentor,
            "query($s: ID!) { space(id: $s) { id } }",
            json!({ "s": t.space }),
        )
        .await;
    assert_eq!(r.body["data"]["space"], Value::Null);
    let inv = ok(t
        .gql(
            &t.teacher_a1,
            "mutation($s: ID!, $m: ID!) { inviteMentorToSpace(spaceId: $s, mentorId: $m) { id } }",
            json!({ "s": t.space, "m": t.net.id_of("mentor.one") }),
        )
        .await)
    .await;
    let pending = ok(t
        .gql(
            &mentor,
            "{ mySpaceInvitations { id spaceTitle status } }",
            json!({}),
        )
        .await)
    .await;
    assert_eq!(
        pending["mySpaceInvitations"][0]["spaceTitle"],
        "Rivers of our countries"
    );
    ok(t.gql(
        &mentor,
        "mutation($i: ID!) { acceptSpaceInvitation(id: $i) { status } }",
        json!({ "i": inv["inviteMentorToSpace"]["id"] }),
    )
    .await)
    .await;
    let role = ok(t
        .gql(
            &mentor,
            "query($s: ID!) { space(id: $s) { myRole members { edges { node { role } } } } }",
            json!({ "s": t.space }),
        )
        .await)
    .await;
    assert_eq!(role["space"]["myRole"], "MENTOR");
    let roles: Vec<&str> = role["space"]["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        vec!["LEAD", "TEACHER", "TEACHER", "STUDENT", "STUDENT", "MENTOR"]
    );
    let r = t
        .gql(
            &mentor,
            "mutation($i: ID!) { acceptSpaceInvitation(id: $i) { status } }",
            json!({ "i": inv["inviteMentorToSpace"]["id"] }),
        )
        .await;
    assert_eq!(r.code(), Some("CONFLICT"));
}

/// The raw `next` payloads of a socket until one carries `message.id == id`.
async fn payload_with(ws: &mut Ws, id: &Value) -> Value {
    loop {
        let v = next_json(ws).await;
        assert_eq!(v["type"], "next", "{v}");
        let e = &v["payload"]["data"]["spaceEvents"];
        if e["message"]["id"] == *id {
            return v["payload"].clone();
        }
    }
}

#[tokio::test]
async fn a_live_event_is_rendered_once_per_audience_and_personal_fields_stay_personal() {
    let t = Twin::new().await;
    const DOC: &str = "subscription($s: ID!, $a: String) { spaceEvents(spaceId: $s, after: $a) { \
        __typename cursor \
        ... on MessagePosted { message { id body author { displayName } } } \
        ... on MessageEdited { message { id body reactions { emoji count mine } } } } }";
    // Three staff subscriptions (one person on two sockets) and a student,
    // each resuming from a different cursor: that does not change what
    // the events look like, so renderings are still shared.
    let start = t.cursor(&t.teacher_a1).await;
    let warm = t.post(&t.teacher_a1, &t.general, "warm-up").await;
    let mut socks = Vec::new();
    for (token, after) in [
        (&t.teacher_a1, &start),
        (&t.teacher_b1, &warm["cursor"].as_str().unwrap().to_owned()),
        (&t.teacher_a1, &start),
        (&t.student_b1, &start),
    ] {
        let mut ws = t.net.s.ws_ready(token).await;
        send(
            &mut ws,
            json!({ "type": "subscribe", "id": "e", "payload": { "query": DOC, "variables": { "s": t.space, "a": after } } }),
        )
        .await;
        socks.push(ws);
    }
    // Once everyone has this message, everything before it was delivered.
    let fence = t.post(&t.teacher_b1, &t.general, "fence").await;
    for ws in &mut socks {
        payload_with(ws, &fence["id"]).await;
    }
    let rendered = t.net.s.counter("lff_live_event_renderings_total").await;
    let reused = t
        .net
        .s
        .counter("lff_live_event_reused_renderings_total")
        .await;

    let m = t.post(&t.teacher_a1, &t.general, "Один раз").await;
    let mut got = Vec::new();
    for ws in &mut socks {
        got.push(payload_with(ws, &m["id"]).await);
    }
    assert_eq!(got[0]["data"]["spaceEvents"]["message"]["body"], "Один раз");
    assert!(got.iter().all(|p| *p == got[0]), "{got:?}");
    // Rendered once for the staff and once for the students; the other two
    // staff subscriptions reused the staff's rendering.
    assert_eq!(
        t.net.s.counter("lff_live_event_renderings_total").await - rendered,
        2
    );
    assert_eq!(
        t.net
            .s
            .counter("lff_live_event_reused_renderings_total")
            .await
            - reused,
        2
    );

    // `mine` depends on who looks: a reacted message is rendered for each.
    ok(t.gql(
        &t.teacher_a1,
        "mutation($m: ID!) { setReaction(messageId: $m, emoji: \"👍\", on: true) { id } }",
        json!({ "m": m["id"] }),
    )
    .await)
    .await;
    ok(t.gql(
        &t.teacher_a1,
        "mutation($m: ID!) { editMessage(id: $m, body: \"Один раз!\") { id } }",
        json!({ "m": m["id"] }),
    )
    .await)
    .await;
    let mut mine = Vec::new();
    for ws in &mut socks {
        let e = loop {
            let p = payload_with(ws, &m["id"]).await;
            if p["data"]["spaceEvents"]["__typename"] == "MessageEdited" {
                break p["data"]["spaceEvents"]["message"].clone();
            }
        };
        assert_eq!(e["body"], "Один раз!");
        assert_eq!(e["reactions"][0]["count"], 1, "{e}");
        mine.push(e["reactions"][0]["mine"].as_bool().unwrap());
    }
    assert_eq!(mine, [true, false, true, false]);
}

/// The largest page tells the truth: 250 messages asked for 100 at a time
/// (and 1 and 7 at a time) come back exactly once each, newest first, and
/// `hasNextPage` is true until the last page. The look-ahead row used to
/// be clamped away at 100, so the largest page claimed there was nothing
/// older. Replies page the same way.
#[tokio::test]
async fn every_page_size_of_messages_and_replies_pages_through_them_all() {
    let t = Twin::new().await;
    let app = &t.net.s.app;
    let teacher = app.accounts().authenticate(&t.teacher_a1).await.unwrap();
    let channel = app::ChannelId::parse(&t.general).unwrap();
    for i in 0..250 {
        app.spaces()
            .post_message(&teacher, &channel, &format!("m{i}"), None)
            .await
            .unwrap();
    }
    // The newest thread has 120 answers.
    let parent = app
        .spaces()
        .post_message(&teacher, &channel, "m250", None)
        .await
        .unwrap()
        .id;
    for i in 0..120 {
        app.spaces()
            .post_message(&teacher, &channel, &format!("r{i}"), Some(&parent))
            .await
            .unwrap();
    }
    let messages = "query($c: ID!, $n: Int, $b: String) { channel(id: $c) { messages(first: $n, before: $b) { edges { node { body } } pageInfo { hasNextPage endCursor } } } }";
    for n in [100, 7, 1] {
        let mut seen = Vec::new();
        let mut before = Value::Null;
        loop {
            let d = ok(t
                .gql(
                    &t.teacher_a1,
                    messages,
                    json!({ "c": t.general, "n": n, "b": before }),
                )
                .await)
            .await;
            let page = &d["channel"]["messages"];
            let edges = page["edges"].as_array().unwrap();
            seen.extend(
                edges
                    .iter()
                    .map(|e| e["node"]["body"].as_str().unwrap().to_owned()),
            );
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            assert_eq!(edges.len(), n, "a page before the last is full");
            before = page["pageInfo"]["endCursor"].clone();
        }
        let expected: Vec<String> = (0..=250).rev().map(|i| format!("m{i}")).collect();
        assert_eq!(seen, expected, "pages of {n}");
    }
    let replies = "query($c: ID!, $n: Int, $a: String) { channel(id: $c) { messages(first: 1) { edges { node { body replies(first: $n, after: $a) { edges { node { body } } pageInfo { hasNextPage endCursor } } } } } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = ok(t
            .gql(
                &t.teacher_a1,
                replies,
                json!({ "c": t.general, "n": 100, "a": after }),
            )
            .await)
        .await;
        let thread = &d["channel"]["messages"]["edges"][0]["node"];
        assert_eq!(thread["body"], "m250");
        let page = &thread["replies"];
        seen.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["body"].as_str().unwrap().to_owned()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let expected: Vec<String> = (0..120).map(|i| format!("r{i}")).collect();
    assert_eq!(seen, expected);
}
