//! Scheduled events over the wire: a mentoring session for three schools
//! from planning to the attendance report, with a live room followed by
//! two students' clients; seats and the waitlist; the iCalendar feed read
//! as a calendar application would; reminders.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::*;
use crate::spaces::ok;

pub const LIVE: &str = "subscription($e: ID!, $a: String) { eventLive(eventId: $e, after: $a) { cursor kind at participant { id name role schoolId } question { id body votes answered hidden author { name } } questionId votes poll { id question options counts open } pollId counts voters raised message { body } } }";

const EVENT_FIELDS: &str = "id title status registeredCount waitlistCount capacity joinUrl canManage sequence updatedAt myRegistration { status } live { head live questions { id votes } present { name } }";

pub fn session_input(net: &Net, start: DateTime<Utc>, capacity: Option<i32>) -> Value {
    json!({
        "kind": "MENTORING_SESSION",
        "title": "Digital citizenship, with a UNESCO Chair",
        "description": "We talk about **media literacy**.",
        "agenda": [{ "startsAt": start.to_rfc3339(), "title": "Welcome" }],
        "startsAt": start.to_rfc3339(),
        "endsAt": (start + chrono::Duration::hours(1)).to_rfc3339(),
        "timeZone": "Asia/Baku",
        "joinUrl": "https://meet.example/lff-session",
        "audience": { "kind": "SCHOOLS", "schools": [net.a1, net.a2, net.b1] },
        "capacity": capacity,
    })
}

pub async fn create(net: &Net, token: &str, input: Value) -> Value {
    let d = ok(net
        .s
        .gql(
            Some(token),
            &format!(
                "mutation($i: CreateEventInput!) {{ createEvent(input: $i) {{ {EVENT_FIELDS} }} }}"
            ),
            json!({ "i": input }),
        )
        .await)
    .await;
    d["createEvent"].clone()
}

async fn event(net: &Net, token: &str, id: &str) -> Value {
    let d = ok(net
        .s
        .gql(
            Some(token),
            &format!("query($id: ID!) {{ event(id: $id) {{ {EVENT_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await)
    .await;
    d["event"].clone()
}

async fn register(net: &Net, token: &str, id: &str, students: &[String]) -> Value {
    let d = ok(net
        .s
        .gql(
            Some(token),
            "mutation($e: ID!, $s: [ID!]!) { registerForEvent(eventId: $e, students: $s) { personId status } }",
            json!({ "e": id, "s": students }),
        )
        .await)
    .await;
    d["registerForEvent"].clone()
}

/// A socket following the event's room from its current head.
async fn follow(net: &Net, token: &str, id: &str) -> Ws {
    let head = event(net, token, id).await["live"]["head"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ws = net.s.ws_ready(token).await;
    send(
        &mut ws,
        json!({ "type": "subscribe", "id": "live", "payload": { "query": LIVE, "variables": { "e": id, "a": head } } }),
    )
    .await;
    ws
}

/// The next live entry of `kind`, skipping others; panics on an error or
/// if none comes within `wait`.
async fn next_kind(ws: &mut Ws, kind: &str, wait: Duration) -> Value {
    let until = tokio::time::Instant::now() + wait;
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        let v = match tokio::time::timeout(left, ws.next()).await {
            Err(_) => panic!("no {kind} in time"),
            Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<Value>(t.as_str()).unwrap(),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            Ok(other) => panic!("expected a message, got {other:?}"),
        };
        assert_eq!(v["type"], "next", "{v}");
        assert!(v["payload"]["errors"].is_null(), "{v}");
        let e = v["payload"]["data"]["eventLive"].clone();
        if e["kind"] == kind {
            return e;
        }
    }
}

fn code(r: &Reply) -> &str {
    r.code().unwrap_or("none")
}

async fn gql_ok(net: &Net, token: &str, q: &str, vars: Value) -> Value {
    ok(net.s.gql(Some(token), q, vars).await).await
}

/// A session for three schools, planned by `mentor` an hour ahead and
/// taken live at once: its id.
async fn live_session(net: &Net, mentor: &str) -> String {
    let e = create(
        net,
        mentor,
        session_input(net, net.s.app.now() + chrono::Duration::hours(1), None),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    gql_ok(
        net,
        mentor,
        "mutation($e: ID!) { startLive(eventId: $e) { status } }",
        json!({ "e": id }),
    )
    .await;
    id
}

#[tokio::test]
async fn a_mentor_runs_a_session_for_three_schools_from_registration_to_attendance() {
    let net = Net::new().await;
    let s = &net.s;
    let mentor = net.token(Actor::Mentor).unwrap().to_owned();
    let teacher_a1 = net.token(Actor::Teacher).unwrap().to_owned();
    let teacher_a2 = s.token("teacher.a2", NET_PASSWORD).await;
    let teacher_b1 = s.token("teacher.b1", NET_PASSWORD).await;
    let student_a1 = net.token(Actor::Student).unwrap().to_owned();
    let student_b1 = s.token("student.b1", NET_STUDENT_PASSWORD).await;
    let start = s.app.now() + chrono::Duration::hours(2);

    // The mentor schedules it; each school's teacher registers their class.
    let e = create(&net, &mentor, session_input(&net, start, Some(20))).await;
    let id = e["id"].as_str().unwrap().to_owned();
    assert_eq!(e["status"], "SCHEDULED");
    assert_eq!(e["canManage"], true);
    for (token, student) in [
        (&teacher_a1, "student.a1"),
        (&teacher_a2, "student.a2"),
        (&teacher_b1, "student.b1"),
    ] {
        let regs = register(&net, token, &id, &[net.id_of(student)]).await;
        assert_eq!(regs.as_array().unwrap().len(), 2, "{regs}");
        assert!(
            regs.as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"] == "REGISTERED")
        );
    }
    // A teacher cannot register another school's student.
    let r = s
        .gql(
            Some(&teacher_a1),
            "mutation($e: ID!, $s: [ID!]!) { registerForEvent(eventId: $e, students: $s) { status } }",
            json!({ "e": id, "s": [net.id_of("student.b1")] }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    let seen = event(&net, &student_a1, &id).await;
    assert_eq!(seen["registeredCount"], 6);
    assert_eq!(seen["myRegistration"]["status"], "REGISTERED");
    assert_eq!(seen["joinUrl"], "https://meet.example/lff-session");
    assert_eq!(seen["canManage"], false);
    let coordinator = s.token("nc.kz", NET_PASSWORD).await;
    let r = s
        .gql(
            Some(&coordinator),
            "query($id: ID!) { event(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(
        !r.body["data"]["event"].is_null(),
        "the national coordinator of B1's country sees it"
    );

    // Only hosts go live.
    let go = "mutation($e: ID!) { startLive(eventId: $e) { status liveStartedAt } }";
    let r = s.gql(Some(&teacher_a1), go, json!({ "e": id })).await;
    assert_eq!(code(&r), "FORBIDDEN");
    s.clock.advance(chrono::Duration::hours(2));
    let mut mentor_ws = follow(&net, &mentor, &id).await;
    let mut a1 = follow(&net, &student_a1, &id).await;
    let mut b1 = follow(&net, &student_b1, &id).await;
    let _staff_a2 = follow(&net, &teacher_a2, &id).await;
    for _ in 0..3 {
        next_kind(&mut mentor_ws, "JOINED", WAIT).await;
    }
    let d = gql_ok(&net, &mentor, go, json!({ "e": id })).await;
    assert_eq!(d["startLive"]["status"], "LIVE");
    let started = next_kind(&mut a1, "STARTED", WAIT).await;
    assert_eq!(started["participant"]["role"], "MENTOR");
    next_kind(&mut b1, "STARTED", WAIT).await;

    // A student asks; the other client sees it with the first name only.
    let q = gql_ok(
        &net,
        &student_a1,
        "mutation($e: ID!, $b: String!) { askQuestion(eventId: $e, body: $b) { id body votes author { name role } } }",
        json!({ "e": id, "b": "How do we check if a news story is true?" }),
    )
    .await["askQuestion"]
        .clone();
    let qid = q["id"].as_str().unwrap().to_owned();
    assert_eq!(
        q["author"]["name"], "Person",
        "students show by first name only"
    );
    let asked = next_kind(&mut b1, "QUESTION_ASKED", WAIT).await;
    assert_eq!(asked["question"]["id"], qid);
    assert_eq!(asked["question"]["author"]["name"], "Person");

    // Upvotes: one each; both clients see the count live.
    let up = "mutation($e: ID!, $q: ID!) { upvoteQuestion(eventId: $e, questionId: $q) { votes } }";
    let v = gql_ok(&net, &student_b1, up, json!({ "e": id, "q": qid })).await;
    assert_eq!(v["upvoteQuestion"]["votes"], 1);
    let r = s
        .gql(Some(&student_b1), up, json!({ "e": id, "q": qid }))
        .await;
    assert_eq!(code(&r), "CONFLICT", "a second upvote by the same person");
    gql_ok(&net, &student_a1, up, json!({ "e": id, "q": qid })).await;
    for ws in [&mut a1, &mut b1] {
        assert_eq!(next_kind(ws, "QUESTION_VOTED", WAIT).await["votes"], 1);
        assert_eq!(next_kind(ws, "QUESTION_VOTED", WAIT).await["votes"], 2);
    }

    // A poll: students answer from their two clients; results update live.
    let poll = gql_ok(
        &net,
        &mentor,
        "mutation($e: ID!) { openPoll(eventId: $e, question: \"Do you check sources?\", options: [\"Always\", \"Sometimes\", \"Never\"]) { id open counts } }",
        json!({ "e": id }),
    )
    .await["openPoll"]
        .clone();
    let pid = poll["id"].as_str().unwrap().to_owned();
    assert_eq!(poll["counts"], json!([0, 0, 0]));
    assert_eq!(
        next_kind(&mut a1, "POLL_OPENED", WAIT).await["poll"]["id"],
        pid
    );
    let vote = "mutation($e: ID!, $p: ID!, $c: [Int!]!) { votePoll(eventId: $e, pollId: $p, choices: $c) { counts voters } }";
    gql_ok(
        &net,
        &student_a1,
        vote,
        json!({ "e": id, "p": pid, "c": [0] }),
    )
    .await;
    let v = gql_ok(
        &net,
        &student_b1,
        vote,
        json!({ "e": id, "p": pid, "c": [1] }),
    )
    .await;
    assert_eq!(v["votePoll"]["counts"], json!([1, 1, 0]));
    let r = s
        .gql(
            Some(&student_b1),
            vote,
            json!({ "e": id, "p": pid, "c": [2] }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    for ws in [&mut a1, &mut b1] {
        next_kind(ws, "POLL_VOTED", WAIT).await;
        let last = next_kind(ws, "POLL_VOTED", WAIT).await;
        assert_eq!(
            (last["counts"].clone(), last["voters"].clone()),
            (json!([1, 1, 0]), json!(2))
        );
    }
    // A raised hand, and the mentor answers the question.
    gql_ok(
        &net,
        &student_b1,
        "mutation($e: ID!) { raiseHand(eventId: $e) }",
        json!({ "e": id }),
    )
    .await;
    let hand = next_kind(&mut mentor_ws, "HAND_CHANGED", WAIT).await;
    assert_eq!(
        (hand["raised"].clone(), hand["participant"]["name"].clone()),
        (json!(true), json!("Person"))
    );
    gql_ok(
        &net,
        &mentor,
        "mutation($e: ID!, $q: ID!) { markQuestion(eventId: $e, questionId: $q, answered: true) { answered } }",
        json!({ "e": id, "q": qid }),
    )
    .await;
    assert_eq!(
        next_kind(&mut a1, "QUESTION_UPDATED", WAIT).await["question"]["answered"],
        true
    );

    // Someone coming in now finds the room as it stands.
    let room = event(&net, &student_a1, &id).await["live"].clone();
    assert_eq!(room["questions"][0]["votes"], 2);
    assert_eq!(room["present"].as_array().unwrap().len(), 4);

    // Thirty minutes in, B1's student leaves; ten minutes later it ends.
    s.clock.advance(chrono::Duration::minutes(30));
    drop(b1);
    let left = next_kind(&mut mentor_ws, "LEFT", Duration::from_secs(15)).await;
    assert_eq!(left["participant"]["role"], "STUDENT");
    s.clock.advance(chrono::Duration::minutes(10));
    let d = gql_ok(
        &net,
        &mentor,
        "mutation($e: ID!) { endLive(eventId: $e) { status } }",
        json!({ "e": id }),
    )
    .await;
    assert_eq!(d["endLive"]["status"], "ENDED");
    next_kind(&mut a1, "ENDED", WAIT).await;
    let r = s
        .gql(
            Some(&student_a1),
            "mutation($e: ID!) { postLiveMessage(eventId: $e, body: \"hi\") { cursor } }",
            json!({ "e": id }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT", "the chat closes with the session");

    // The attendance report: each school's participants with their minutes.
    let report_q = "query($id: ID!) { event(id: $id) { attendance { schools { school { id } participants { name role minutesPresent } } csv } } }";
    let report =
        gql_ok(&net, &mentor, report_q, json!({ "id": id })).await["event"]["attendance"].clone();
    let minutes = |school: &str| -> Vec<(String, i64)> {
        report["schools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["school"]["id"] == school)
            .flat_map(|s| s["participants"].as_array().unwrap().clone())
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_owned(),
                    p["minutesPresent"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    // The mentor does not see students' full names (only their teachers do).
    assert_eq!(minutes(&net.a1), vec![("Person".to_owned(), 40)]);
    assert_eq!(minutes(&net.b1), vec![("Person".to_owned(), 30)]);
    assert_eq!(minutes(&net.a2), vec![("Person teacher.a2".to_owned(), 40)]);
    let csv = report["csv"].as_str().unwrap();
    assert!(
        csv.starts_with("school,country,participant,role,class,"),
        "{csv}"
    );
    assert!(csv.contains("School B1,KZ,Person,student,,"), "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("School A1,AM,Person,student") && l.ends_with(",40")),
        "{csv}"
    );
    // A teacher reads their own school's part only, with full names; students none.
    let part =
        gql_ok(&net, &teacher_a1, report_q, json!({ "id": id })).await["event"]["attendance"]
            .clone();
    assert_eq!(part["schools"].as_array().unwrap().len(), 1);
    assert_eq!(part["schools"][0]["school"]["id"], net.a1);
    assert_eq!(
        part["schools"][0]["participants"][0]["name"],
        "Person student.a1"
    );
    assert!(
        part["csv"]
            .as_str()
            .unwrap()
            .contains("School A1,AM,Person student.a1,student,7A,")
    );
    let r = s
        .gql(Some(&student_a1), report_q, json!({ "id": id }))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");

    // Registrants were told when it went live.
    let notes = gql_ok(
        &net,
        &teacher_b1,
        "{ myNotifications(first: 10) { edges { node { kind about } } } }",
        json!({}),
    )
    .await;
    let kinds: Vec<&Value> = notes["myNotifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["kind"])
        .collect();
    assert!(kinds.contains(&&json!("EVENT_LIVE")), "{notes}");
}

#[tokio::test]
async fn seats_fill_in_order_then_people_wait_and_a_cancellation_promotes_the_first_waiting() {
    let net = Net::new().await;
    let s = &net.s;
    let mentor = net.token(Actor::Mentor).unwrap().to_owned();
    let t1 = net.token(Actor::Teacher).unwrap().to_owned();
    let t2 = s.token("teacher.a2", NET_PASSWORD).await;
    let c1 = net.token(Actor::SchoolCoordinator).unwrap().to_owned();
    let e = create(
        &net,
        &mentor,
        session_input(&net, s.app.now() + chrono::Duration::days(3), Some(1)),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    assert_eq!(
        register(&net, &t1, &id, &[]).await[0]["status"],
        "REGISTERED"
    );
    assert_eq!(
        register(&net, &t2, &id, &[]).await[0]["status"],
        "WAITLISTED"
    );
    assert_eq!(
        register(&net, &c1, &id, &[]).await[0]["status"],
        "WAITLISTED"
    );
    assert_eq!(
        register(&net, &t2, &id, &[]).await[0]["status"],
        "WAITLISTED",
        "asking again changes nothing"
    );
    let seen = event(&net, &mentor, &id).await;
    assert_eq!(
        (
            seen["registeredCount"].clone(),
            seen["waitlistCount"].clone()
        ),
        (json!(1), json!(2))
    );
    // A waitlisted teacher only watches the room of a capacity-limited event.
    let r = s
        .gql(
            Some(&t2),
            "mutation($e: ID!) { askQuestion(eventId: $e, body: \"May I?\") { id } }",
            json!({ "e": id }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");

    let cancel = "mutation($e: ID!) { cancelRegistration(eventId: $e) { status } }";
    let d = gql_ok(&net, &t1, cancel, json!({ "e": id })).await;
    assert_eq!(d["cancelRegistration"]["status"], "CANCELLED");
    let seen = event(&net, &t2, &id).await;
    assert_eq!(
        seen["myRegistration"]["status"], "REGISTERED",
        "the first waiting got the seat"
    );
    assert_eq!(
        event(&net, &c1, &id).await["myRegistration"]["status"],
        "WAITLISTED"
    );
    let notes = gql_ok(
        &net,
        &t2,
        "{ myNotifications(first: 5) { edges { node { kind about } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        notes["myNotifications"]["edges"][0]["node"]["kind"],
        "EVENT_SEAT_GIVEN"
    );
    assert_eq!(
        notes["myNotifications"]["edges"][0]["node"]["about"],
        id.as_str()
    );

    // Edits notify registrants and raise the sequence; a stale edit conflicts.
    let mut input = session_input(&net, s.app.now() + chrono::Duration::days(4), Some(5));
    input["title"] = json!("Moved by a day");
    let upd = "mutation($id: ID!, $i: CreateEventInput!, $x: DateTime) { updateEvent(id: $id, input: $i, expectedUpdatedAt: $x) { sequence title } }";
    let d = gql_ok(
        &net,
        &mentor,
        upd,
        json!({ "id": id, "i": input, "x": seen["updatedAt"] }),
    )
    .await;
    assert_eq!(d["updateEvent"]["sequence"], 1);
    let r = s
        .gql(
            Some(&mentor),
            upd,
            json!({ "id": id, "i": input, "x": seen["updatedAt"] }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    let r = s.gql(Some(&t2), upd, json!({ "id": id, "i": input })).await;
    assert_eq!(code(&r), "FORBIDDEN", "registrants do not edit");
    let notes = gql_ok(
        &net,
        &c1,
        "{ myNotifications(first: 5) { edges { node { kind } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        notes["myNotifications"]["edges"][0]["node"]["kind"],
        "EVENT_CHANGED"
    );
    // Bad input names its field; nothing is saved.
    input["timeZone"] = json!("Mars/Olympus");
    let r = s
        .gql(Some(&mentor), upd, json!({ "id": id, "i": input }))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("timeZone"),
        "{}",
        r.body
    );
    assert_eq!(event(&net, &mentor, &id).await["title"], "Moved by a day");
}

/// The lines of an iCalendar text, checked against RFC 5545's rules on
/// content lines (CRLF, at most 75 octets, folding), then unfolded.
fn content_lines(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"), "lines end with CRLF");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "no bare line feeds"
    );
    let mut out: Vec<String> = Vec::new();
    for raw in text.trim_end_matches("\r\n").split("\r\n") {
        assert!(raw.len() <= 75, "a content line over 75 octets: {raw:?}");
        if let Some(cont) = raw.strip_prefix(' ') {
            out.last_mut()
                .expect("a folded line continues one")
                .push_str(cont);
        } else {
            assert!(raw.contains(':'), "a content line without a value: {raw:?}");
            out.push(raw.to_owned());
        }
    }
    out
}

/// The VEVENTs of a calendar, each as (name, value) pairs; checks the
/// structure and the properties every VEVENT of a feed must carry.
fn vevents(lines: &[String]) -> Vec<Vec<(String, String)>> {
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(lines.iter().any(|l| l == "VERSION:2.0"));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    let mut events = Vec::new();
    let mut current: Option<Vec<(String, String)>> = None;
    for l in lines {
        let (name, value) = l.split_once(':').unwrap();
        match (name, &mut current) {
            ("BEGIN", None) if value == "VEVENT" => current = Some(vec![]),
            ("END", Some(_)) if value == "VEVENT" => events.push(current.take().unwrap()),
            (_, Some(props)) => props.push((name.to_owned(), value.to_owned())),
            _ => {}
        }
    }
    for e in &events {
        for required in ["UID", "DTSTAMP", "DTSTART"] {
            assert_eq!(
                e.iter().filter(|(n, _)| n == required).count(),
                1,
                "{required} exactly once in {e:?}"
            );
        }
        let start = e.iter().find(|(n, _)| n == "DTSTART").unwrap();
        assert!(
            start.1.ends_with('Z'),
            "times in UTC need no VTIMEZONE: {start:?}"
        );
    }
    events
}

fn prop<'a>(e: &'a [(String, String)], name: &str) -> &'a str {
    e.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

#[tokio::test]
async fn a_calendar_feed_validates_shows_local_times_and_follows_changes_until_revoked() {
    let net = Net::new().await;
    let s = &net.s;
    let mentor = net.token(Actor::Mentor).unwrap().to_owned();
    let teacher = net.token(Actor::Teacher).unwrap().to_owned();
    // 08:00 UTC on a winter day: 12:00 in Baku (UTC+4), 10:00 in Riga (UTC+2).
    let start = next_date_at_8(s.app.now(), 1, 20);
    let day = start.format("%Y-%m-%d").to_string();
    let e = create(&net, &mentor, session_input(&net, start, None)).await;
    let id = e["id"].as_str().unwrap().to_owned();
    register(&net, &teacher, &id, &[]).await;
    let feed = gql_ok(
        &net,
        &teacher,
        "mutation { createCalendarFeed { path } }",
        json!({}),
    )
    .await;
    let path = feed["createCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(path.starts_with("/calendar/lffcal_") && path.ends_with(".ics"));

    let get = |path: String| async move { s.http.get(s.url(&path)).send().await.unwrap() };
    let r = get(path.clone()).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = r.text().await.unwrap();
    let events = vevents(&content_lines(&text));
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(prop(ev, "UID"), format!("{id}@lff"));
    assert_eq!(
        prop(ev, "SUMMARY"),
        "Digital citizenship\\, with a UNESCO Chair"
    );
    assert_eq!(prop(ev, "SEQUENCE"), "0");
    assert_eq!(prop(ev, "STATUS"), "CONFIRMED");
    let dtstart = chrono::NaiveDateTime::parse_from_str(prop(ev, "DTSTART"), "%Y%m%dT%H%M%SZ")
        .unwrap()
        .and_utc();
    let local = |zone: &str| {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        dtstart.with_timezone(&tz).format("%H:%M").to_string()
    };
    assert_eq!(local("Asia/Baku"), "12:00");
    assert_eq!(local("Europe/Riga"), "10:00");
    assert!(prop(ev, "DESCRIPTION").contains(&format!("{day} 12:00 (Asia/Baku)")));

    // An edit raises SEQUENCE; a cancellation stays, marked CANCELLED.
    let mut input = session_input(&net, start + chrono::Duration::hours(1), None);
    input["title"] = json!("Moved");
    gql_ok(
        &net,
        &mentor,
        "mutation($id: ID!, $i: CreateEventInput!) { updateEvent(id: $id, input: $i) { id } }",
        json!({ "id": id, "i": input }),
    )
    .await;
    let text = get(path.clone()).await.text().await.unwrap();
    let ev = &vevents(&content_lines(&text))[0];
    assert_eq!(
        (prop(ev, "SEQUENCE"), prop(ev, "DTSTART")),
        ("1", "20270120T090000Z")
    );
    gql_ok(
        &net,
        &mentor,
        "mutation($id: ID!) { cancelEvent(id: $id, reason: \"The mentor is ill\") { status } }",
        json!({ "id": id }),
    )
    .await;
    let text = get(path.clone()).await.text().await.unwrap();
    let ev = &vevents(&content_lines(&text))[0];
    assert_eq!(
        (prop(ev, "STATUS"), prop(ev, "SEQUENCE")),
        ("CANCELLED", "2")
    );

    // A new secret ends the old one; revoking ends the feed.
    let again = gql_ok(
        &net,
        &teacher,
        "mutation { createCalendarFeed { path } }",
        json!({}),
    )
    .await;
    let new_path = again["createCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(get(path).await.status(), 404);
    assert_eq!(get(new_path.clone()).await.status(), 200);
    gql_ok(&net, &teacher, "mutation { revokeCalendarFeed }", json!({})).await;
    assert_eq!(get(new_path).await.status(), 404);
    assert_eq!(
        get("/calendar/lffcal_nonsense.ics".into()).await.status(),
        404
    );
}

#[tokio::test]
async fn registrants_are_reminded_once_shortly_before_the_start() {
    let net = Net::new().await;
    let s = &net.s;
    let mentor = net.token(Actor::Mentor).unwrap().to_owned();
    let teacher = net.token(Actor::Teacher).unwrap().to_owned();
    let mut notices = s.ws_ready(&teacher).await;
    send(&mut notices, json!({ "type": "subscribe", "id": "n", "payload": { "query": "subscription { notifications { kind about } }" } })).await;
    // Wait until the socket listens: a sign-in elsewhere is announced on it.
    s.token("teacher.a1", NET_PASSWORD).await;
    assert_eq!(
        next_json(&mut notices).await["payload"]["data"]["notifications"]["kind"],
        "SIGNED_IN"
    );
    let e = create(
        &net,
        &mentor,
        session_input(&net, s.app.now() + chrono::Duration::hours(5), None),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    register(&net, &teacher, &id, &[]).await;
    assert_eq!(
        s.app
            .events()
            .send_due_reminders(app::DEFAULT_REMINDER)
            .await
            .unwrap(),
        0,
        "not yet"
    );
    s.clock
        .advance(chrono::Duration::hours(5) - chrono::Duration::minutes(20));
    // The server's reminder task looks every 30 s; ask now, as it would
    // (if the task was quicker, this finds nothing left to send).
    s.app
        .events()
        .send_due_reminders(app::DEFAULT_REMINDER)
        .await
        .unwrap();
    let n = next_json(&mut notices).await;
    assert_eq!(
        n["payload"]["data"]["notifications"]["kind"], "EVENT_REMINDER",
        "{n}"
    );
    assert_eq!(n["payload"]["data"]["notifications"]["about"], id.as_str());
    assert_eq!(
        s.app
            .events()
            .send_due_reminders(app::DEFAULT_REMINDER)
            .await
            .unwrap(),
        0,
        "once"
    );
    let notes = gql_ok(
        &net,
        &teacher,
        "{ myNotifications(first: 10) { edges { node { kind } } } }",
        json!({}),
    )
    .await;
    let reminders = notes["myNotifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["kind"] == "EVENT_REMINDER")
        .count();
    assert_eq!(reminders, 1);
}

#[tokio::test]
async fn only_planners_schedule_and_only_for_whom_they_may() {
    let net = Net::new().await;
    let s = &net.s;
    let start = s.app.now() + chrono::Duration::days(1);
    let q = "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }";
    // A student never schedules.
    let r = s
        .gql(
            net.token(Actor::Student),
            q,
            json!({ "i": session_input(&net, start, None) }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    // A teacher schedules for their own school only.
    let mut own = session_input(&net, start, None);
    own["audience"] = json!({ "kind": "SCHOOLS", "schools": [net.a1] });
    assert!(
        s.gql(net.token(Actor::Teacher), q, json!({ "i": own }))
            .await
            .code()
            .is_none()
    );
    let r = s
        .gql(
            net.token(Actor::Teacher),
            q,
            json!({ "i": session_input(&net, start, None) }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    // A national coordinator for their country.
    let mut country = session_input(&net, start, None);
    country["audience"] = json!({ "kind": "COUNTRIES", "countries": ["AM"] });
    assert!(
        s.gql(
            net.token(Actor::NationalCoordinator),
            q,
            json!({ "i": country })
        )
        .await
        .code()
        .is_none()
    );
    country["audience"] = json!({ "kind": "COUNTRIES", "countries": ["KZ"] });
    assert_eq!(
        code(
            &s.gql(
                net.token(Actor::NationalCoordinator),
                q,
                json!({ "i": country })
            )
            .await
        ),
        "FORBIDDEN"
    );
    // Named mentors must be mentors.
    let mut bad = session_input(&net, start, None);
    bad["mentors"] = json!([net.id_of("teacher.a2")]);
    assert_eq!(
        code(
            &s.gql(net.token(Actor::Mentor), q, json!({ "i": bad }))
                .await
        ),
        "BAD_USER_INPUT"
    );
    // The event lists: B1's student does not see an event for A1 only.
    let student_b1 = s.token("student.b1", NET_STUDENT_PASSWORD).await;
    let list = gql_ok(
        &net,
        &student_b1,
        "{ events(first: 10) { edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert!(
        list["events"]["edges"].as_array().unwrap().is_empty(),
        "{list}"
    );
    let list = gql_ok(
        &net,
        net.token(Actor::Student).unwrap(),
        "{ events(first: 10) { edges { node { id title } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        list["events"]["edges"].as_array().unwrap().len(),
        2,
        "A1's own and Armenia's"
    );
}

#[tokio::test]
async fn a_participant_who_reconnects_with_a_cursor_gets_what_they_missed_once_and_hidden_questions_stay_hidden()
 {
    let net = Net::new().await;
    let s = &net.s;
    let mentor = net.token(Actor::Mentor).unwrap().to_owned();
    let student = net.token(Actor::Student).unwrap().to_owned();
    let id = live_session(&net, &mentor).await;
    let ask = "mutation($e: ID!, $b: String!) { askQuestion(eventId: $e, body: $b) { id } }";
    let mut ws = follow(&net, &student, &id).await;
    let first = gql_ok(&net, &student, ask, json!({ "e": id, "b": "first" })).await;
    let seen = next_kind(&mut ws, "QUESTION_ASKED", WAIT).await;
    assert_eq!(seen["question"]["body"], "first");
    let cursor = seen["cursor"].as_str().unwrap().to_owned();
    drop(ws);
    // While the student is away: three questions, one of them hidden.
    let mut asked = Vec::new();
    for body in ["second", "rude words", "third"] {
        let d = gql_ok(&net, &mentor, ask, json!({ "e": id, "b": body })).await;
        asked.push(d["askQuestion"]["id"].as_str().unwrap().to_owned());
    }
    gql_ok(
        &net,
        &mentor,
        "mutation($e: ID!, $q: ID!) { markQuestion(eventId: $e, questionId: $q, hidden: true) { hidden } }",
        json!({ "e": id, "q": asked[1] }),
    )
    .await;
    let mut ws = s.ws_ready(&student).await;
    send(
        &mut ws,
        json!({ "type": "subscribe", "id": "live", "payload": { "query": LIVE, "variables": { "e": id, "a": cursor } } }),
    )
    .await;
    let mut bodies = Vec::new();
    let mut cursors = Vec::new();
    for _ in 0..3 {
        let q = next_kind(&mut ws, "QUESTION_ASKED", WAIT).await;
        bodies.push(q["question"]["body"].as_str().unwrap().to_owned());
        cursors.push(q["cursor"].as_str().unwrap().parse::<u64>().unwrap());
    }
    assert_eq!(
        bodies,
        vec!["second", "", "third"],
        "the hidden one comes without its text"
    );
    assert!(cursors.windows(2).all(|w| w[0] < w[1]));
    let marked = next_kind(&mut ws, "QUESTION_UPDATED", WAIT).await;
    assert_eq!(
        (
            marked["question"]["hidden"].clone(),
            marked["question"]["body"].clone()
        ),
        (json!(true), json!(""))
    );
    assert!(first["askQuestion"]["id"].is_string());
    // The room as it stands shows no hidden text either.
    let room = event(&net, &student, &id).await["live"].clone();
    assert_eq!(room["questions"].as_array().unwrap().len(), 4);
    // A cursor from the future is refused as bad input.
    let mut bad = s.ws_ready(&student).await;
    send(
        &mut bad,
        json!({ "type": "subscribe", "id": "x", "payload": { "query": LIVE, "variables": { "e": id, "a": "999999" } } }),
    )
    .await;
    let v = next_json(&mut bad).await;
    let code = v["payload"][0]["extensions"]["code"]
        .as_str()
        .or(v["payload"]["errors"][0]["extensions"]["code"].as_str());
    assert_eq!(code, Some("BAD_USER_INPUT"), "{v}");
}

/// The raw `next` payloads of a room's socket until one of `kind`.
async fn payload_of_kind(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let v = next_json(ws).await;
        assert_eq!(v["type"], "next", "{v}");
        if v["payload"]["data"]["eventLive"]["kind"] == kind {
            return v["payload"].clone();
        }
    }
}

#[tokio::test]
async fn a_live_room_entry_is_rendered_once_for_everyone_who_follows_the_room() {
    let net = Net::new().await;
    let s = &net.s;
    let mentor = net.token(Actor::Mentor).unwrap().to_owned();
    let student_a1 = net.token(Actor::Student).unwrap().to_owned();
    let student_b1 = s.token("student.b1", NET_STUDENT_PASSWORD).await;
    let teacher_a2 = s.token("teacher.a2", NET_PASSWORD).await;
    let id = live_session(&net, &mentor).await;
    // Four followers, staff and students, each from the head as it stood
    // when they came (so from different cursors); the mentor twice.
    let mut socks = Vec::new();
    for token in [&mentor, &student_a1, &student_b1, &teacher_a2, &mentor] {
        socks.push(follow(&net, token, &id).await);
    }
    // Once everyone has this question, everything before it was delivered.
    let ask = "mutation($e: ID!, $b: String!) { askQuestion(eventId: $e, body: $b) { id } }";
    gql_ok(&net, &student_a1, ask, json!({ "e": id, "b": "fence" })).await;
    for ws in &mut socks {
        payload_of_kind(ws, "QUESTION_ASKED").await;
    }
    let rendered = s.counter("lff_live_event_renderings_total").await;
    let reused = s.counter("lff_live_event_reused_renderings_total").await;

    gql_ok(&net, &student_b1, ask, json!({ "e": id, "b": "Бир жолу" })).await;
    let mut got = Vec::new();
    for ws in &mut socks {
        got.push(payload_of_kind(ws, "QUESTION_ASKED").await);
    }
    assert_eq!(got[0]["data"]["eventLive"]["question"]["body"], "Бир жолу");
    assert!(got.iter().all(|p| *p == got[0]), "{got:?}");
    // One rendering for the room; the four other deliveries reused it.
    assert_eq!(
        s.counter("lff_live_event_renderings_total").await - rendered,
        1
    );
    assert_eq!(
        s.counter("lff_live_event_reused_renderings_total").await - reused,
        4
    );
}

#[tokio::test]
async fn a_public_event_is_shown_to_visitors_who_must_sign_in_to_take_part() {
    let net = Net::new().await;
    let mentor = net.token(Actor::Mentor).unwrap().to_owned();
    let start = net.s.app.now() + chrono::Duration::days(2);
    let mut input = session_input(&net, start, Some(100));
    input["title"] = json!("Open day: learning for the future");
    input["audience"] = json!({ "kind": "PUBLIC" });
    let public = create(&net, &mentor, input).await;
    let public_id = public["id"].as_str().unwrap().to_owned();
    let network = create(&net, &mentor, session_input(&net, start, None)).await;

    // A visitor sees the public event only, without the call's link.
    let r = net
        .s
        .gql(None, "{ events(first: 20) { nodes { id title audience { kind } joinUrl canManage myRegistration { status } mentors { id } } } }", json!({}))
        .await;
    let list = ok(r).await["events"]["nodes"].as_array().unwrap().clone();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], public_id.as_str());
    assert_eq!(list[0]["audience"]["kind"], "PUBLIC");
    assert!(list[0]["joinUrl"].is_null());
    assert_eq!(list[0]["canManage"], false);
    let r = net
        .s
        .gql(
            None,
            "query($id: ID!) { event(id: $id) { id title } }",
            json!({ "id": network["id"] }),
        )
        .await;
    assert!(
        ok(r).await["event"].is_null(),
        "a network event stays hidden from visitors"
    );
    // Registering needs an account.
    let r = net
        .s
        .gql(
            None,
            "mutation($id: ID!) { registerForEvent(eventId: $id) { status } }",
            json!({ "id": public_id }),
        )
        .await;
    assert_eq!(r.code(), Some("UNAUTHENTICATED"));
    // Anyone signed in sees it among their events and registers.
    let student = net.token(Actor::Student).unwrap().to_owned();
    let r = net
        .s
        .gql(
            Some(&student),
            "{ events(first: 20) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert!(
        ok(r).await["events"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == public_id.as_str())
    );
    let reg = register(&net, &student, &public_id, &[]).await;
    assert!(reg.to_string().contains("REGISTERED"), "{reg}");
    // A teacher may not plan for everyone.
    let teacher = net.token(Actor::Teacher).unwrap().to_owned();
    let mut input = session_input(&net, start, None);
    input["audience"] = json!({ "kind": "PUBLIC" });
    let r = net
        .s
        .gql(
            Some(&teacher),
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);
}
