//! The moderation queue: members report messages, the space's teachers
//! hide or dismiss them, and whoever reported is told.

use serde_json::{Value, json};

use crate::harness::*;

/// A space of school A1's teacher with A1's student in it: (space, general channel).
async fn space_with_student(net: &Net) -> (String, String) {
    let r = net
        .gql(
            Actor::Teacher,
            "mutation { createSpace(input: { title: \"Rivers\", topic: \"Water\", languages: [\"en\"] }) { id channels { id name } } }",
            json!({}),
        )
        .await;
    let d = data(&r)["createSpace"].clone();
    let space = d["id"].as_str().unwrap().to_owned();
    let general = d["channels"][0]["id"].as_str().unwrap().to_owned();
    let r = net
        .gql(
            Actor::Teacher,
            "mutation($s: ID!, $u: [ID!]!) { addSpaceStudents(spaceId: $s, studentIds: $u) { id } }",
            json!({ "s": space, "u": [net.id_of("student.a1")] }),
        )
        .await;
    data(&r);
    (space, general)
}

async fn post(net: &Net, actor: Actor, channel: &str, body: &str) -> String {
    let r = net
        .gql(
            actor,
            "mutation($c: ID!, $b: String!) { postMessage(channelId: $c, body: $b) { id } }",
            json!({ "c": channel, "b": body }),
        )
        .await;
    data(&r)["postMessage"]["id"].as_str().unwrap().to_owned()
}

const QUEUE: &str = "query($s: ID!, $st: ReportStatus = OPEN) { space(id: $s) { canModerate openReportCount \
    reports(status: $st, first: 10) { nodes { id reason status note reportedAt handledAt \
    reportedBy { displayName } handledBy { displayName } message { id body } } } } }";

fn nodes(r: &Reply) -> Vec<Value> {
    data(r)["space"]["reports"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_reported_message_is_hidden_or_dismissed_from_the_queue_and_the_reporter_is_told() {
    let net = Net::new().await;
    let (space, general) = space_with_student(&net).await;
    let rude = post(&net, Actor::Teacher, &general, "An unkind remark").await;
    let fine = post(&net, Actor::Teacher, &general, "A fair remark").await;
    let report = |m: String, reason: &'static str| {
        let net = &net;
        async move {
            let r = net
                .gql(
                    Actor::Student,
                    "mutation($m: ID!, $r: String!) { reportMessage(id: $m, reason: $r) }",
                    json!({ "m": m, "r": reason }),
                )
                .await;
            assert_eq!(data(&r)["reportMessage"], true);
        }
    };
    report(rude.clone(), "It hurts my friend").await;
    report(fine.clone(), "I do not like it").await;

    // The student who reported does not see the queue.
    let r = net
        .gql(
            Actor::Student,
            "query($s: ID!) { space(id: $s) { canModerate } }",
            json!({ "s": space }),
        )
        .await;
    assert_eq!(data(&r)["space"]["canModerate"], false);
    let r = net.gql(Actor::Student, QUEUE, json!({ "s": space })).await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);
    // The teacher does: oldest first, with the message, who and why.
    let r = net.gql(Actor::Teacher, QUEUE, json!({ "s": space })).await;
    assert_eq!(data(&r)["space"]["canModerate"], true);
    assert_eq!(data(&r)["space"]["openReportCount"], 2);
    let queue = nodes(&r);
    assert_eq!(queue.len(), 2);
    assert_eq!(queue[0]["reason"], "It hurts my friend");
    assert_eq!(queue[0]["status"], "OPEN");
    assert_eq!(queue[0]["message"]["body"], "An unkind remark");
    assert!(
        queue[0]["reportedBy"]["displayName"].is_string(),
        "{}",
        queue[0]
    );
    assert!(queue[0]["handledBy"].is_null());
    let (first, second) = (
        queue[0]["id"].as_str().unwrap().to_owned(),
        queue[1]["id"].as_str().unwrap().to_owned(),
    );

    // Bad input loses nothing: a note too long, then the real decision.
    let resolve = "mutation($r: ID!, $d: ReportDecision!, $n: String) { resolveMessageReport(id: $r, decision: $d, note: $n) { id status note handledBy { displayName } } }";
    let r = net
        .gql(
            Actor::Teacher,
            resolve,
            json!({ "r": first, "d": "HIDE_MESSAGE", "n": "x".repeat(501) }),
        )
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{}", r.body);
    let r = net
        .gql(
            Actor::Teacher,
            resolve,
            json!({ "r": first, "d": "HIDE_MESSAGE", "n": "Thank you for telling us." }),
        )
        .await;
    let done = &data(&r)["resolveMessageReport"];
    assert_eq!(done["status"], "MESSAGE_HIDDEN");
    assert_eq!(done["note"], "Thank you for telling us.");
    // The message is hidden from students now.
    let r = net
        .gql(
            Actor::Student,
            "query($m: ID!) { message(id: $m) { body hidden } }",
            json!({ "m": rude }),
        )
        .await;
    assert_eq!(data(&r)["message"]["body"], "", "{}", r.body);
    // Deciding twice is a conflict, not a second notice.
    let r = net
        .gql(
            Actor::Teacher,
            resolve,
            json!({ "r": first, "d": "DISMISS" }),
        )
        .await;
    assert_eq!(r.code(), Some("CONFLICT"), "{}", r.body);
    let r = net
        .gql(
            Actor::Teacher,
            resolve,
            json!({ "r": second, "d": "DISMISS", "n": "  " }),
        )
        .await;
    assert_eq!(data(&r)["resolveMessageReport"]["status"], "DISMISSED");
    assert!(
        data(&r)["resolveMessageReport"]["note"].is_null(),
        "a blank note is no note"
    );

    // The queue is empty; every report stays listed with what was decided.
    let r = net.gql(Actor::Teacher, QUEUE, json!({ "s": space })).await;
    assert_eq!(data(&r)["space"]["openReportCount"], 0);
    assert!(nodes(&r).is_empty());
    let r = net
        .gql(Actor::Teacher, QUEUE, json!({ "s": space, "st": null }))
        .await;
    let all: Vec<_> = nodes(&r)
        .iter()
        .map(|n| n["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all, ["MESSAGE_HIDDEN", "DISMISSED"]);
    let r = net
        .gql(
            Actor::Teacher,
            QUEUE,
            json!({ "s": space, "st": "DISMISSED" }),
        )
        .await;
    assert_eq!(nodes(&r).len(), 1);

    // The student is told each outcome, with the teacher's note.
    let r = net
        .gql(
            Actor::Student,
            "{ myNotifications(first: 10) { nodes { kind about excerpt spaceId } } }",
            json!({}),
        )
        .await;
    let told: Vec<Value> = data(&r)["myNotifications"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let upheld = told
        .iter()
        .find(|n| n["kind"] == "REPORT_UPHELD")
        .expect("told it was hidden");
    assert_eq!(upheld["about"], rude.as_str());
    assert_eq!(upheld["excerpt"], "Thank you for telling us.");
    assert_eq!(upheld["spaceId"], space.as_str());
    assert!(
        told.iter().any(|n| n["kind"] == "REPORT_DISMISSED"),
        "{told:?}"
    );
    // The teacher was told of the reports in the first place.
    let r = net
        .gql(
            Actor::Teacher,
            "{ myNotifications(first: 10) { nodes { kind } } }",
            json!({}),
        )
        .await;
    let kinds: Vec<_> = data(&r)["myNotifications"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "MESSAGE_REPORTED")
        .collect();
    assert_eq!(kinds.len(), 2);
}

#[tokio::test]
async fn one_decision_closes_every_report_of_a_message() {
    let net = Net::new().await;
    let (space, general) = space_with_student(&net).await;
    let m = post(&net, Actor::Student, &general, "Something odd").await;
    for actor in [Actor::Student, Actor::Teacher] {
        let r = net
            .gql(
                actor,
                "mutation($m: ID!) { reportMessage(id: $m, reason: \"Odd\") }",
                json!({ "m": m }),
            )
            .await;
        data(&r);
    }
    let r = net.gql(Actor::Teacher, QUEUE, json!({ "s": space })).await;
    let queue = nodes(&r);
    assert_eq!(queue.len(), 2);
    let r = net
        .gql(
            Actor::Teacher,
            "mutation($r: ID!) { resolveMessageReport(id: $r, decision: DISMISS) { status } }",
            json!({ "r": queue[1]["id"] }),
        )
        .await;
    assert_eq!(data(&r)["resolveMessageReport"]["status"], "DISMISSED");
    let r = net.gql(Actor::Teacher, QUEUE, json!({ "s": space })).await;
    assert!(nodes(&r).is_empty(), "{}", r.body);
    let r = net
        .gql(Actor::Teacher, QUEUE, json!({ "s": space, "st": null }))
        .await;
    assert!(nodes(&r).iter().all(|n| n["status"] == "DISMISSED"));
    // Another school's teacher cannot decide on it, and learns nothing.
    let other = net.s.token("teacher.b1", NET_PASSWORD).await;
    let r = net
        .s
        .gql(
            Some(&other),
            "mutation($r: ID!) { resolveMessageReport(id: $r, decision: HIDE_MESSAGE) { id } }",
            json!({ "r": queue[0]["id"] }),
        )
        .await;
    assert_eq!(r.code(), Some("NOT_FOUND"), "{}", r.body);
    let r = net
        .gql(
            Actor::Teacher,
            "mutation { resolveMessageReport(id: \"nothing\", decision: DISMISS) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(r.code(), Some("NOT_FOUND"));
}
