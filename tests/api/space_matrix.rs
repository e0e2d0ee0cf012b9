//! The authorization matrix's operations on twinning spaces. The thing
//! acted on is, unless a row says otherwise, a fresh space opened by the
//! teacher of the relation's school, with that school's student as a member
//! and one message of theirs in `general`.

use serde_json::{Value, json};

use crate::authorization::{Outcome, found, judge};
use crate::harness::*;

/// A fresh space of the relation's school.
pub struct Fixture {
    pub space: String,
    pub general: String,
    pub message: String,
}

fn slug(rel: Relation) -> &'static str {
    match rel {
        Relation::OwnSchool => "a1",
        Relation::SameCountry => "a2",
        Relation::OtherCountry => "b1",
    }
}

async fn viewer(net: &Net, username: &str) -> app::Viewer {
    net.viewer_of(username).await
}

fn details(title: &str) -> app::SpaceDetails {
    app::SpaceDetails::parse(title, "", "Water", vec![], &["en".into()], None, None).unwrap()
}

pub async fn fixture(net: &Net, rel: Relation) -> Fixture {
    let app = &net.s.app;
    let meta = app::RequestMeta::default();
    let teacher = viewer(net, &format!("teacher.{}", slug(rel))).await;
    let student_name = format!("student.{}", slug(rel));
    let student = viewer(net, &student_name).await;
    let space = app
        .spaces()
        .create_space(&teacher, details("Matrix space"), &meta)
        .await
        .unwrap();
    app.spaces()
        .add_space_students(
            &teacher,
            &space.id,
            std::slice::from_ref(&student.user.id),
            &meta,
        )
        .await
        .unwrap();
    let general = app
        .spaces()
        .channels(&teacher, &space.id)
        .await
        .unwrap()
        .remove(0);
    let m = app
        .spaces()
        .post_message(&student, &general.id, "Hello", None)
        .await
        .unwrap();
    Fixture {
        space: space.id.to_string(),
        general: general.id.to_string(),
        message: m.id.to_string(),
    }
}

/// An invitation of the relation's school into a space of a school elsewhere.
async fn invitation_to(net: &Net, rel: Relation) -> String {
    let app = &net.s.app;
    let meta = app::RequestMeta::default();
    let school = net
        .fresh_school(app::SchoolStatus::Approved, Relation::OtherCountry)
        .await;
    let n = net.next();
    let username = format!("host.teacher{n}");
    net.person(&username, app::Role::Teacher, Some(&school), Some("KZ"))
        .await;
    let host = viewer(net, &username).await;
    let space = app
        .spaces()
        .create_space(&host, details("Host space"), &meta)
        .await
        .unwrap();
    let (target, _) = net.place(rel);
    app.spaces()
        .invite_to_space(
            &host,
            &space.id,
            app::Invitee::School(app::SchoolId::parse(&target).unwrap()),
            &meta,
        )
        .await
        .unwrap()
        .id
        .to_string()
}

async fn mutate(net: &Net, actor: Actor, field: &str, q: &str, vars: Value) -> Outcome {
    judge(&net.gql(actor, q, vars).await, &[field])
}

pub async fn run(net: &Net, field: &str, actor: Actor, rel: Relation) -> Outcome {
    match field {
        "mySpaceInvitations" => {
            let r = net
                .gql(actor, "{ mySpaceInvitations { id } }", json!({}))
                .await;
            return judge(&r, &["mySpaceInvitations"]);
        }
        "myNotifications" => {
            let r = net
                .gql(actor, "{ myNotifications { unreadCount } }", json!({}))
                .await;
            return judge(&r, &["myNotifications"]);
        }
        "markNotificationsRead" => {
            return mutate(
                net,
                actor,
                field,
                "mutation { markNotificationsRead }",
                json!({}),
            )
            .await;
        }
        "createSpace" => {
            return mutate(
                net,
                actor,
                field,
                "mutation { createSpace(input: { title: \"New space\", topic: \"Air\", languages: [\"en\"] }) { id } }",
                json!({}),
            )
            .await;
        }
        "acceptSpaceInvitation" | "declineSpaceInvitation" => {
            let id = invitation_to(net, rel).await;
            return mutate(
                net,
                actor,
                field,
                &format!("mutation($i: ID!) {{ {field}(id: $i) {{ status }} }}"),
                json!({ "i": id }),
            )
            .await;
        }
        _ => {}
    }
    let f = fixture(net, rel).await;
    let s = json!({ "s": f.space });
    match field {
        "space" => {
            let r = net
                .gql(actor, "query($s: ID!) { space(id: $s) { id } }", s)
                .await;
            judge(&r, &["space"])
        }
        "mySpaces" => {
            let r = net
                .gql(actor, "{ mySpaces(first: 100) { edges { node { id } } } }", json!({}))
                .await;
            if r.code().is_some() {
                return judge(&r, &["mySpaces"]);
            }
            found(&r.body["data"]["mySpaces"], &f.space)
        }
        "message" => {
            let r = net
                .gql(actor, "query($m: ID!) { message(id: $m) { id } }", json!({ "m": f.message }))
                .await;
            judge(&r, &["message"])
        }
        "joinableSpaces" => {
            let r = net
                .gql(actor, "{ joinableSpaces { id } }", json!({}))
                .await;
            if r.code().is_some() {
                return judge(&r, &["joinableSpaces"]);
            }
            let hit = r.body["data"]["joinableSpaces"]
                .as_array()
                .is_some_and(|l| l.iter().any(|s| s["id"] == f.space.as_str()));
            if hit {
                Outcome::Allowed
            } else {
                Outcome::Denied("absent".into())
            }
        }
        "channel" => {
            let r = net
                .gql(actor, "query($c: ID!) { channel(id: $c) { id messages(first: 5) { nodes { id } } } }", json!({ "c": f.general }))
                .await;
            judge(&r, &["channel"])
        }
        "updateSpace" => {
            mutate(net, actor, field, "mutation($s: ID!) { updateSpace(id: $s, input: { title: \"Renamed\", topic: \"Air\", languages: [\"en\"] }) { id } }", s).await
        }
        "archiveSpace" => {
            mutate(net, actor, field, "mutation($s: ID!) { archiveSpace(id: $s) { id } }", s).await
        }
        "inviteSchoolToSpace" => {
            let school = net
                .fresh_school(app::SchoolStatus::Approved, Relation::OtherCountry)
                .await;
            mutate(
                net,
                actor,
                field,
                "mutation($s: ID!, $b: ID!) { inviteSchoolToSpace(spaceId: $s, schoolId: $b) { id } }",
                json!({ "s": f.space, "b": school }),
            )
            .await
        }
        "inviteMentorToSpace" => {
            mutate(
                net,
                actor,
                field,
                "mutation($s: ID!, $m: ID!) { inviteMentorToSpace(spaceId: $s, mentorId: $m) { id } }",
                json!({ "s": f.space, "m": net.id_of("mentor.one") }),
            )
            .await
        }
        "joinSpace" => {
            mutate(net, actor, field, "mutation($s: ID!) { joinSpace(spaceId: $s) { id } }", s).await
        }
        "addSpaceStudents" => {
            let student = net.fresh(app::Role::Student, rel).await;
            mutate(
                net,
                actor,
                field,
                "mutation($s: ID!, $u: [ID!]!) { addSpaceStudents(spaceId: $s, studentIds: $u) { id } }",
                json!({ "s": f.space, "u": [student] }),
            )
            .await
        }
        "removeSpaceMember" => {
            mutate(
                net,
                actor,
                field,
                "mutation($s: ID!, $u: ID!) { removeSpaceMember(spaceId: $s, userId: $u) { id } }",
                json!({ "s": f.space, "u": net.id_of(&format!("student.{}", slug(rel))) }),
            )
            .await
        }
        "createChannel" => {
            mutate(net, actor, field, "mutation($s: ID!) { createChannel(spaceId: $s, name: \"projects\") { id } }", s).await
        }
        "postMessage" => {
            mutate(
                net,
                actor,
                field,
                "mutation($c: ID!) { postMessage(channelId: $c, body: \"Hi\") { id } }",
                json!({ "c": f.general }),
            )
            .await
        }
        "editMessage" => {
            mutate(net, actor, field, "mutation($m: ID!) { editMessage(id: $m, body: \"Edited\") { id } }", json!({ "m": f.message })).await
        }
        "deleteMessage" => {
            mutate(net, actor, field, "mutation($m: ID!) { deleteMessage(id: $m) { id } }", json!({ "m": f.message })).await
        }
        "hideMessage" => {
            mutate(net, actor, field, "mutation($m: ID!) { hideMessage(id: $m, reason: \"Off topic\") { id } }", json!({ "m": f.message })).await
        }
        "unhideMessage" => {
            let teacher = viewer(net, &format!("teacher.{}", slug(rel))).await;
            net.s
                .app
                .spaces().hide_message(
                    &teacher,
                    &app::MessageId::parse(&f.message).unwrap(),
                    Some("Off topic"),
                    &app::RequestMeta::default(),
                )
                .await
                .unwrap();
            mutate(net, actor, field, "mutation($m: ID!) { unhideMessage(id: $m) { id } }", json!({ "m": f.message })).await
        }
        "reportMessage" => {
            mutate(net, actor, field, "mutation($m: ID!) { reportMessage(id: $m, reason: \"Rude\") }", json!({ "m": f.message })).await
        }
        "resolveMessageReport" => {
            // The student reports their own message (any member may); the
            // actor decides on it.
            let student = viewer(net, &format!("student.{}", slug(rel))).await;
            let teacher = viewer(net, &format!("teacher.{}", slug(rel))).await;
            let spaces = net.s.app.spaces();
            let message = app::MessageId::parse(&f.message).unwrap();
            spaces.report_message(&student, &message, "Rude").await.unwrap();
            let page = app::PageRequest::parse(Some(1), None).unwrap();
            let space = app::SpaceId::parse(&f.space).unwrap();
            let open = spaces
                .space_reports(&teacher, &space, Some(app::ReportStatus::Open), &page)
                .await
                .unwrap();
            let report = open.items[0].1.id.to_string();
            mutate(net, actor, field, "mutation($r: ID!) { resolveMessageReport(id: $r, decision: DISMISS) { id status } }", json!({ "r": report })).await
        }
        "setReaction" => {
            mutate(net, actor, field, "mutation($m: ID!) { setReaction(messageId: $m, emoji: \"👍\") { id } }", json!({ "m": f.message })).await
        }
        "reportTyping" => {
            mutate(net, actor, field, "mutation($c: ID!) { reportTyping(channelId: $c) }", json!({ "c": f.general })).await
        }
        "markChannelRead" => {
            mutate(net, actor, field, "mutation($c: ID!) { markChannelRead(channelId: $c) }", json!({ "c": f.general })).await
        }
        "spaceEvents" => subscribe(net, actor, &f.space).await,
        other => panic!("no operation for matrix row {other}"),
    }
}

/// Allowed when replaying the space's log from the start yields an event.
async fn subscribe(net: &Net, actor: Actor, space: &str) -> Outcome {
    subscription(
        net,
        actor,
        "subscription($s: ID!) { spaceEvents(spaceId: $s, after: \"0\") { cursor } }",
        json!({ "s": space }),
    )
    .await
}

/// Allowed when the subscription's first answer is an item; denied with
/// the close code (anonymous) or the error code of its refusal.
pub async fn subscription(net: &Net, actor: Actor, query: &str, variables: Value) -> Outcome {
    let Some(token) = net.token(actor) else {
        let mut ws = net.s.ws().await;
        send(&mut ws, json!({ "type": "connection_init", "payload": {} })).await;
        let (code, _) = close_of(&mut ws).await;
        return Outcome::Denied(code.to_string());
    };
    let mut ws = net.s.ws_ready(token).await;
    send(
        &mut ws,
        json!({ "type": "subscribe", "id": "e", "payload": { "query": query, "variables": variables } }),
    )
    .await;
    let v = next_json(&mut ws).await;
    if v["type"] == "next" && v["payload"]["errors"].is_null() {
        return Outcome::Allowed;
    }
    let errors = if v["type"] == "error" {
        &v["payload"]
    } else {
        &v["payload"]["errors"]
    };
    let code = errors[0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none")
        .to_owned();
    assert!(
        ["NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"].contains(&code.as_str()),
        "unexpected answer {v}"
    );
    Outcome::Denied(code)
}
