//! The authorization matrix's operations on events. Unless a row says
//! otherwise, the things acted on are fresh for each cell: two events the
//! mentor organizes for the relation's school alone — one live, with a
//! question by the school's student and an open poll, and one planned, for
//! which the school's teacher registered.

use serde_json::{Value, json};

use crate::authorization::{Outcome, found, judge};
use crate::events::{LIVE, session_input};
use crate::harness::*;

/// Rows whose operations live here.
pub const ROWS: &[&str] = &[
    "events",
    "events:public",
    "event:public",
    "createEvent:public",
    "myEvents",
    "event",
    "event.attendance",
    "calendarFeed",
    "createEvent",
    "updateEvent",
    "cancelEvent",
    "registerForEvent",
    "cancelRegistration",
    "startLive",
    "endLive",
    "postLiveMessage",
    "askQuestion",
    "upvoteQuestion",
    "markQuestion",
    "hideLiveMessage",
    "openPoll",
    "votePoll",
    "closePoll",
    "raiseHand",
    "recordEventOutcome",
    "createCalendarFeed",
    "revokeCalendarFeed",
    "eventLive",
];

struct Fixture {
    live: String,
    planned: String,
    question: String,
    chat: String,
    poll: String,
    teacher: String,
    input: Value,
}

/// Whether `id` is in the list `root` (`events`, `myEvents`) as `actor`
/// reads it: every page, since the mentor hosts every fixture of the matrix.
async fn paged(net: &Net, actor: Actor, root: &str, id: &str) -> Outcome {
    let q = format!(
        "query($a: String) {{ {root}(first: 100, after: $a) {{ edges {{ node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let mut after = Value::Null;
    loop {
        let r = net.gql(actor, &q, json!({ "a": after })).await;
        if r.code().is_some() {
            return judge(&r, &[root]);
        }
        let list = &r.body["data"][root];
        if found(list, id) == Outcome::Allowed || list["pageInfo"]["hasNextPage"] != true {
            return found(list, id);
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
}

fn slug(rel: Relation) -> &'static str {
    match rel {
        Relation::OwnSchool => "a1",
        Relation::SameCountry => "a2",
        Relation::OtherCountry => "b1",
    }
}

fn input_for(net: &Net, school: &str) -> Value {
    let mut input = session_input(net, net.s.app.now() + chrono::Duration::hours(1), None);
    input["audience"] = json!({ "kind": "SCHOOLS", "schools": [school] });
    input
}

async fn fixture(net: &Net, rel: Relation) -> Fixture {
    let app = &net.s.app;
    let (school, _) = net.place(rel);
    let mentor = net.viewer_of("mentor.one").await;
    let teacher = net.viewer_of(&format!("teacher.{}", slug(rel))).await;
    let student = net.viewer_of(&format!("student.{}", slug(rel))).await;
    let input = input_for(net, &school);
    let details = || details_for(net, &school);
    let meta = app::RequestMeta::default();
    let live = app
        .events()
        .create_event(&mentor, details(), &meta)
        .await
        .unwrap();
    app.events().start_live(&mentor, &live.id).await.unwrap();
    let q = app
        .events()
        .ask_question(&student, &live.id, "Why?")
        .await
        .unwrap();
    let chat = app
        .events()
        .post_live_message(&student, &live.id, "Hello, everyone")
        .await
        .unwrap();
    let chat = match chat.kind {
        app::LiveKind::Chat { id, .. } => id.to_string(),
        other => panic!("a chat message, not {other:?}"),
    };
    let poll = app
        .events()
        .open_poll(
            &mentor,
            &live.id,
            "Which?",
            &["x".into(), "y".into()],
            false,
        )
        .await
        .unwrap();
    let planned = app
        .events()
        .create_event(&mentor, details(), &meta)
        .await
        .unwrap();
    app.events()
        .register_for_event(&teacher, &planned.id, true, &[])
        .await
        .unwrap();
    Fixture {
        live: live.id.to_string(),
        planned: planned.id.to_string(),
        question: q.id.to_string(),
        chat,
        poll: poll.id.to_string(),
        teacher: teacher.user.id.to_string(),
        input,
    }
}

/// The same event as [`input_for`] describes, for setting fixtures up directly.
fn details_for(net: &Net, school: &str) -> app::EventDetails {
    let start = net.s.app.now() + chrono::Duration::hours(1);
    app::EventDetails::parse(app::EventForm {
        kind: app::EventKind::MentoringSession,
        title: "Matrix session".into(),
        description: None,
        agenda: vec![],
        starts_at: start,
        ends_at: start + chrono::Duration::hours(1),
        time_zone: "Asia/Baku".into(),
        place: None,
        join_url: Some("https://meet.example/matrix".into()),
        mentors: vec![],
        audience: app::EventAudience::Schools(vec![app::SchoolId::parse(school).unwrap()]),
        capacity: None,
    })
    .unwrap()
}

async fn mutate(net: &Net, actor: Actor, field: &str, q: &str, vars: Value) -> Outcome {
    let r = net.gql(actor, q, vars).await;
    judge(&r, &[field])
}

pub async fn run(net: &Net, field: &str, actor: Actor, rel: Relation) -> Outcome {
    match field {
        "calendarFeed" => {
            // Allowed: a signed-in person gets an answer (null without a feed).
            let r = net
                .gql(actor, "{ calendarFeed { createdAt } }", json!({}))
                .await;
            return match r.code() {
                Some(_) => judge(&r, &["calendarFeed"]),
                None => Outcome::Allowed,
            };
        }
        "createCalendarFeed" => {
            return mutate(
                net,
                actor,
                field,
                "mutation { createCalendarFeed { path } }",
                json!({}),
            )
            .await;
        }
        "revokeCalendarFeed" => {
            return mutate(
                net,
                actor,
                field,
                "mutation { revokeCalendarFeed }",
                json!({}),
            )
            .await;
        }
        "createEvent:public" => {
            let (school, _) = net.place(rel);
            let mut i = input_for(net, &school);
            i["audience"] = json!({ "kind": "PUBLIC" });
            let q = "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }";
            return mutate(net, actor, "createEvent", q, json!({ "i": i })).await;
        }
        "events:public" | "event:public" => {
            // A public event the mentor plans: anyone, visitors too, sees it.
            let (school, _) = net.place(rel);
            let mut details = details_for(net, &school);
            details.audience = app::EventAudience::Public;
            let mentor = net.viewer_of("mentor.one").await;
            let e = net
                .s
                .app
                .events()
                .create_event(&mentor, details, &app::RequestMeta::default())
                .await
                .unwrap();
            let id = e.id.to_string();
            if field == "event:public" {
                let r = net
                    .gql(
                        actor,
                        "query($id: ID!) { event(id: $id) { id title canManage joinUrl } }",
                        json!({ "id": id }),
                    )
                    .await;
                return judge(&r, &["event"]);
            }
            return paged(net, actor, "events", &id).await;
        }
        "createEvent" => {
            let (school, _) = net.place(rel);
            let q = "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }";
            return mutate(
                net,
                actor,
                field,
                q,
                json!({ "i": input_for(net, &school) }),
            )
            .await;
        }
        _ => {}
    }
    let f = fixture(net, rel).await;
    let live = json!({ "e": f.live });
    match field {
        "events" => {
            let r = net
                .gql(
                    actor,
                    "{ events(first: 100) { edges { node { id } } } }",
                    json!({}),
                )
                .await;
            if r.code().is_some() {
                return judge(&r, &["events"]);
            }
            found(&r.body["data"]["events"], &f.live)
        }
        "myEvents" => paged(net, actor, "myEvents", &f.planned).await,
        "event" => {
            let r = net
                .gql(
                    actor,
                    "query($id: ID!) { event(id: $id) { id } }",
                    json!({ "id": f.live }),
                )
                .await;
            judge(&r, &["event"])
        }
        "event.attendance" => {
            let r = net
                .gql(
                    actor,
                    "query($id: ID!) { event(id: $id) { attendance { schools { participantCount } } } }",
                    json!({ "id": f.live }),
                )
                .await;
            judge(&r, &["event", "attendance"])
        }
        "updateEvent" => {
            let q = "mutation($id: ID!, $i: CreateEventInput!) { updateEvent(id: $id, input: $i) { id } }";
            mutate(
                net,
                actor,
                field,
                q,
                json!({ "id": f.planned, "i": f.input }),
            )
            .await
        }
        "cancelEvent" => {
            let q = "mutation($id: ID!) { cancelEvent(id: $id, reason: \"Ill\") { id } }";
            mutate(net, actor, field, q, json!({ "id": f.planned })).await
        }
        "registerForEvent" => {
            let q = "mutation($e: ID!) { registerForEvent(eventId: $e) { status } }";
            mutate(net, actor, field, q, json!({ "e": f.planned })).await
        }
        "cancelRegistration" => {
            let q = "mutation($e: ID!, $p: ID) { cancelRegistration(eventId: $e, person: $p) { status } }";
            mutate(
                net,
                actor,
                field,
                q,
                json!({ "e": f.planned, "p": f.teacher }),
            )
            .await
        }
        "startLive" => {
            let q = "mutation($e: ID!) { startLive(eventId: $e) { id } }";
            mutate(net, actor, field, q, json!({ "e": f.planned })).await
        }
        "endLive" => {
            let q = "mutation($e: ID!) { endLive(eventId: $e) { id } }";
            mutate(net, actor, field, q, live).await
        }
        "postLiveMessage" => {
            let q =
                "mutation($e: ID!) { postLiveMessage(eventId: $e, body: \"Hello\") { cursor } }";
            mutate(net, actor, field, q, live).await
        }
        "askQuestion" => {
            let q = "mutation($e: ID!) { askQuestion(eventId: $e, body: \"How?\") { id } }";
            mutate(net, actor, field, q, live).await
        }
        "upvoteQuestion" => {
            let q = "mutation($e: ID!, $q: ID!) { upvoteQuestion(eventId: $e, questionId: $q) { votes } }";
            mutate(
                net,
                actor,
                field,
                q,
                json!({ "e": f.live, "q": f.question }),
            )
            .await
        }
        "markQuestion" => {
            let q = "mutation($e: ID!, $q: ID!) { markQuestion(eventId: $e, questionId: $q, pinned: true) { id } }";
            mutate(
                net,
                actor,
                field,
                q,
                json!({ "e": f.live, "q": f.question }),
            )
            .await
        }
        "hideLiveMessage" => {
            let q = "mutation($e: ID!, $m: ID!) { hideLiveMessage(eventId: $e, messageId: $m) }";
            mutate(net, actor, field, q, json!({ "e": f.live, "m": f.chat })).await
        }
        "openPoll" => {
            let q = "mutation($e: ID!) { openPoll(eventId: $e, question: \"Q?\", options: [\"a\", \"b\"]) { id } }";
            mutate(net, actor, field, q, live).await
        }
        "votePoll" => {
            let q = "mutation($e: ID!, $p: ID!) { votePoll(eventId: $e, pollId: $p, choices: [0]) { voters } }";
            mutate(net, actor, field, q, json!({ "e": f.live, "p": f.poll })).await
        }
        "closePoll" => {
            let q = "mutation($e: ID!, $p: ID!) { closePoll(eventId: $e, pollId: $p) { id } }";
            mutate(net, actor, field, q, json!({ "e": f.live, "p": f.poll })).await
        }
        "raiseHand" => {
            let q = "mutation($e: ID!) { raiseHand(eventId: $e) }";
            mutate(net, actor, field, q, live).await
        }
        "recordEventOutcome" => {
            let q = "mutation($e: ID!) { recordEventOutcome(eventId: $e, minutes: \"We met.\") { id } }";
            mutate(net, actor, field, q, live).await
        }
        "eventLive" => subscribe(net, actor, &f.live).await,
        other => panic!("no operation for matrix row {other}"),
    }
}

/// Allowed when replaying the room's log from the start yields an entry.
async fn subscribe(net: &Net, actor: Actor, event: &str) -> Outcome {
    crate::space_matrix::subscription(net, actor, LIVE, json!({ "e": event, "a": "0" })).await
}
