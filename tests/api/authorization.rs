//! The authorization matrix: every root Query, Mutation and Subscription
//! field, tried by every role (and anonymously) against things in the
//! actor's own school, another school of the same country and a school of
//! another country, with the expected allow or deny. A root field missing
//! from the matrix fails the test: every new field must be added here.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::harness::*;

/// Expected outcomes per actor (in [`Actor::ALL`] order), each three letters
/// for own school, same country, other country: `Y` allowed, `N` denied.
type Expect = [&'static str; 7];

#[rustfmt::skip]
//                                  admin   nc     coord  teacher student mentor anon
const ROWS: &[(&str, Expect)] = &[
    ("me", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    // A teacher of the school of the relation.
    ("user", ["YYY", "YYY", "YYY", "YYY", "YNN", "YYY", "NNN"]),
    // Another student of the school of the relation.
    ("user:student", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("auditTrail", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    ("countries", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    ("country", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    // The school of the relation in the directory; only A1 has a public card.
    ("schools", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YNN"]),
    // An applied school in the place of the relation.
    ("schools:applied", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    ("school", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YNN"]),
    ("school:applied", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    ("school.people:students", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("school.people:staff", ["YYY", "YYY", "YYY", "YYY", "YNN", "YYY", "NNN"]),
    ("school.history", ["YYY", "YYN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("school.contact", ["YYY", "YYY", "YYY", "YYY", "NNN", "YYY", "NNN"]),
    ("school.classes", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("countryOverview", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    ("invitation", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    ("myInvitations", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    ("mentors", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    ("login", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    ("logout", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    ("changePassword", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    // Targets: a new student of the school of the relation.
    ("resetPassword", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("deactivateUser", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("reactivateUser", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("updateStudent", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    // A new teacher of the school of the relation, made school coordinator.
    ("changeRole", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    // A teacher of the relation's school resets: coordinators manage teachers.
    ("resetPassword:teacher", ["YYY", "YYN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("addCountry", ["YYY", "NNN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    ("applySchool", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    ("registerSchool", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    // A new applied (approve, reject) or approved (suspend, withdraw) school.
    ("approveSchool", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    ("rejectSchool", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    ("suspendSchool", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    ("withdrawSchool", ["YYY", "YYN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    // The school of the relation itself.
    ("updateSchool", ["YYY", "YYN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("updateVisitCard", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("addSchoolPhoto", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("removeSchoolPhoto", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("updateSchoolPhoto", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("setSchoolPresentation", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    // A teacher invited to the school of the relation.
    ("invitePerson", ["YYY", "YYN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    // An invitation the administrator sent; only its sender may withdraw it.
    ("revokeInvitation", ["YYY", "NNN", "NNN", "NNN", "NNN", "NNN", "NNN"]),
    ("acceptInvitation", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    ("createStudents", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    // From the school of the relation to a new school elsewhere.
    ("proposeTwinning", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    // A proposal from a new school to the school of the relation.
    ("acceptTwinning", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("declineTwinning", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    // An accepted twinning of the school of the relation.
    ("endTwinning", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("school.twinnings", ["YYY", "YYN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    // One's own display name.
    ("updateMyProfile", ["YYY", "YYY", "YYY", "YYY", "NNN", "YYY", "NNN"]),
    ("notifications", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    // Twinning spaces (tests/api/space_matrix.rs): a space opened by the
    // teacher of the relation's school, with its student and their message.
    ("space", ["YYY", "YYN", "YNN", "YNN", "YNN", "NNN", "NNN"]),
    ("mySpaces", ["NNN", "NNN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    ("message", ["YYY", "YYN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    ("channel", ["YYY", "YYN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    // The space as one to join: only for staff of its school not yet in it.
    ("joinableSpaces", ["NNN", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("mySpaceInvitations", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    ("myNotifications", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    ("markNotificationsRead", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    ("createSpace", ["NNN", "NNN", "YYY", "YYY", "NNN", "NNN", "NNN"]),
    ("updateSpace", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("archiveSpace", ["YYY", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("inviteSchoolToSpace", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("inviteMentorToSpace", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    // An invitation of the relation's school into a space elsewhere.
    ("acceptSpaceInvitation", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    ("declineSpaceInvitation", ["YYY", "NNN", "YNN", "NNN", "NNN", "NNN", "NNN"]),
    // Members asking again just get their membership back.
    ("joinSpace", ["NNN", "NNN", "YNN", "YNN", "YNN", "NNN", "NNN"]),
    ("addSpaceStudents", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    // Removing the relation's student: leads, administrators, and the student leaving.
    ("removeSpaceMember", ["YYY", "NNN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    ("createChannel", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("postMessage", ["NNN", "NNN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    // The student's own message: only they edit it; teachers may delete it.
    ("editMessage", ["NNN", "NNN", "NNN", "NNN", "YNN", "NNN", "NNN"]),
    ("deleteMessage", ["NNN", "NNN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    ("hideMessage", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("unhideMessage", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("reportMessage", ["NNN", "NNN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    // The space's teachers and leads; observers (administrators, national
    // coordinators) do not see the children's reports.
    ("resolveMessageReport", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("setReaction", ["NNN", "NNN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    ("reportTyping", ["NNN", "NNN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    // Observers may call it; it changes nothing for them.
    ("markChannelRead", ["YYY", "YYN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    ("spaceEvents", ["YYY", "YYN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    // Search (tests/api/search_matrix.rs): finds exactly what may be read.
    // A material of the relation's school published for its people.
    ("search", ["YYY", "NNN", "YNN", "YNN", "YNN", "NNN", "NNN"]),
    ("suggest", ["YYY", "NNN", "YNN", "YNN", "YNN", "NNN", "NNN"]),
    ("search:public", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    // A draft: its author and their school's staff.
    ("search:draft", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    // A space of the relation's school: members, observers, the school's staff.
    ("search:space", ["YYY", "YYN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    // The student's message in that space: its members and observers.
    ("search:message", ["YYY", "YYN", "NNN", "YNN", "YNN", "NNN", "NNN"]),
    // Learning materials (tests/api/material_matrix.rs): in the library of the
    // relation's school, by its teacher; the material is published for the
    // school's people only.
    ("material", ["YYY", "NNN", "YNN", "YNN", "YNN", "NNN", "NNN"]),
    ("library", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YNN"]),
    // The teacher's own upload: nobody else's business.
    ("upload", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("createMaterial", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("updateMaterial", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("publishMaterial", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("moveMaterial", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("deleteMaterial", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("createFolder", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("renameFolder", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("moveFolder", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("deleteFolder", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("startUpload", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    ("finishUpload", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("cancelUpload", ["NNN", "NNN", "NNN", "YNN", "NNN", "NNN", "NNN"]),
    ("uploadMaterialFile", ["YYY", "NNN", "YNN", "YNN", "NNN", "NNN", "NNN"]),
    // Events (tests/api/event_matrix.rs): the mentor's events for the
    // relation's school alone, one live and one planned (its teacher registered).
    ("events", ["YYY", "YYN", "YNN", "YNN", "YNN", "YYY", "NNN"]),
    ("event", ["YYY", "YYN", "YNN", "YNN", "YNN", "YYY", "NNN"]),
    // A public event: everyone, visitors too (who see no join link).
    ("events:public", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    ("event:public", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "YYY"]),
    ("myEvents", ["NNN", "NNN", "NNN", "YNN", "NNN", "YYY", "NNN"]),
    // The whole report for the hosts; a school's or a country's part for its people.
    ("event.attendance", ["YYY", "YYN", "YNN", "YNN", "NNN", "YYY", "NNN"]),
    ("calendarFeed", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    ("createCalendarFeed", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    ("revokeCalendarFeed", ["YYY", "YYY", "YYY", "YYY", "YYY", "YYY", "NNN"]),
    // For the relation's school alone.
    ("createEvent", ["YYY", "YYN", "YNN", "YNN", "NNN", "YYY", "NNN"]),
    // For anyone: administrators, national coordinators and mentors only.
    ("createEvent:public", ["YYY", "YYY", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("updateEvent", ["YYY", "NNN", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("cancelEvent", ["YYY", "NNN", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("registerForEvent", ["YYY", "YYN", "YNN", "YNN", "YNN", "YYY", "NNN"]),
    // The registered teacher's seat: the hosts and the teacher themself.
    ("cancelRegistration", ["YYY", "NNN", "NNN", "YNN", "NNN", "YYY", "NNN"]),
    ("startLive", ["YYY", "NNN", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("endLive", ["YYY", "NNN", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("postLiveMessage", ["YYY", "YYN", "YNN", "YNN", "YNN", "YYY", "NNN"]),
    ("askQuestion", ["YYY", "YYN", "YNN", "YNN", "YNN", "YYY", "NNN"]),
    ("upvoteQuestion", ["YYY", "YYN", "YNN", "YNN", "YNN", "YYY", "NNN"]),
    ("markQuestion", ["YYY", "NNN", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("hideLiveMessage", ["YYY", "NNN", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("openPoll", ["YYY", "NNN", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("votePoll", ["YYY", "YYN", "YNN", "YNN", "YNN", "YYY", "NNN"]),
    ("closePoll", ["YYY", "NNN", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("raiseHand", ["YYY", "YYN", "YNN", "YNN", "YNN", "YYY", "NNN"]),
    ("recordEventOutcome", ["YYY", "NNN", "NNN", "NNN", "NNN", "YYY", "NNN"]),
    ("eventLive", ["YYY", "YYN", "YNN", "YNN", "YNN", "YYY", "NNN"]),
];

/// Rows whose operations live in `space_matrix`.
const SPACE_ROWS: &[&str] = &[
    "space",
    "mySpaces",
    "message",
    "channel",
    "joinableSpaces",
    "mySpaceInvitations",
    "myNotifications",
    "markNotificationsRead",
    "createSpace",
    "updateSpace",
    "archiveSpace",
    "inviteSchoolToSpace",
    "inviteMentorToSpace",
    "acceptSpaceInvitation",
    "declineSpaceInvitation",
    "joinSpace",
    "addSpaceStudents",
    "removeSpaceMember",
    "createChannel",
    "postMessage",
    "editMessage",
    "deleteMessage",
    "hideMessage",
    "unhideMessage",
    "reportMessage",
    "resolveMessageReport",
    "setReaction",
    "reportTyping",
    "markChannelRead",
    "spaceEvents",
];

#[derive(Debug, PartialEq)]
pub enum Outcome {
    Allowed,
    /// The error code, or "null"/"absent" when the answer was empty.
    Denied(String),
}

const DENIAL_CODES: [&str; 3] = ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"];

/// Allowed when `path` holds a non-null value; denied on an authorization
/// error or null. Any other error is a bug in the row or the server.
pub fn judge(r: &Reply, path: &[&str]) -> Outcome {
    if let Some(code) = r.code() {
        assert!(
            DENIAL_CODES.contains(&code),
            "unexpected error (status {}): {}",
            r.status,
            r.body
        );
        return Outcome::Denied(code.to_owned());
    }
    let mut v = &r.body["data"];
    for p in path {
        v = &v[*p];
    }
    if v.is_null() {
        Outcome::Denied("null".into())
    } else {
        Outcome::Allowed
    }
}

pub fn found(list: &Value, id: &str) -> Outcome {
    let hit = list["edges"]
        .as_array()
        .is_some_and(|e| e.iter().any(|e| e["node"]["id"] == id));
    if hit {
        Outcome::Allowed
    } else {
        Outcome::Denied("absent".into())
    }
}

/// An unattached upload of `actor`'s own — a visit card takes only its
/// school's or its uploader's uploads — or, for those who cannot upload,
/// the administrator's (they are refused before the file matters).
async fn fresh_upload(net: &Net, actor: Actor) -> String {
    let uploader = match actor {
        Actor::SchoolCoordinator => net.viewer_of("coord.a1").await,
        _ => net.admin_viewer().await,
    };
    let png = tiny_png();
    net.s
        .app
        .network()
        .upload_file(
            &uploader,
            "photo.png",
            Some("image/png"),
            png,
            &app::RequestMeta::default(),
        )
        .await
        .unwrap()
        .id
        .to_string()
}

/// The smallest valid PNG: 1×1 transparent.
pub fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

async fn admin_invitation(net: &Net, rel: Relation) -> (String, String) {
    let (school, _) = net.place(rel);
    let admin = net.admin_viewer().await;
    let n = net.next();
    let issued = net
        .s
        .app
        .people()
        .invite_person(
            &admin,
            &app::InvitationForm {
                role: app::Role::Teacher,
                email: format!("invitee{n}@net.example"),
                display_name: format!("Invitee {n}"),
                school: Some(school),
                country: None,
                mentor: None,
            },
            &app::RequestMeta::default(),
        )
        .await
        .unwrap();
    (issued.invitation.id.to_string(), issued.code)
}

const SCHOOL_INPUT: &str = "{ names: [{ language: \"en\", text: \"New School\" }], country: $c, city: \"City\", languages: [\"en\"], contactEmail: \"office@new.example\" }";

async fn run(net: &Net, field: &str, actor: Actor, rel: Relation) -> Outcome {
    if SPACE_ROWS.contains(&field) {
        return crate::space_matrix::run(net, field, actor, rel).await;
    }
    if crate::material_matrix::ROWS.contains(&field) {
        return crate::material_matrix::run(net, field, actor, rel).await;
    }
    if crate::event_matrix::ROWS.contains(&field) {
        return crate::event_matrix::run(net, field, actor, rel).await;
    }
    if crate::search_matrix::ROWS.contains(&field) {
        return crate::search_matrix::run(net, field, actor, rel).await;
    }
    let (school, country) = net.place(rel);
    let teacher_of = |rel: Relation| match rel {
        Relation::OwnSchool => "teacher.a1",
        Relation::SameCountry => "teacher.a2",
        Relation::OtherCountry => "teacher.b1",
    };
    match field {
        "me" => judge(&net.gql(actor, "{ me { id } }", json!({})).await, &["me"]),
        "user" | "user:student" => {
            let id = if field == "user" {
                net.id_of(teacher_of(rel))
            } else {
                net.fresh(app::Role::Student, rel).await
            };
            let r = net
                .gql(
                    actor,
                    "query($id: ID!) { user(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await;
            judge(&r, &["user"])
        }
        "auditTrail" => {
            let r = net
                .gql(
                    actor,
                    "query($c: String) { auditTrail(first: 5, country: $c) { nodes { action } } }",
                    json!({ "c": country }),
                )
                .await;
            judge(&r, &["auditTrail"])
        }
        "countries" => {
            let r = net
                .gql(actor, "{ countries { code schoolCount } }", json!({}))
                .await;
            let has = r.body["data"]["countries"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["code"] == country));
            if has {
                Outcome::Allowed
            } else {
                judge(&r, &["countries", "x"])
            }
        }
        "country" => {
            let r = net
                .gql(
                    actor,
                    "query($c: String!) { country(code: $c) { code } }",
                    json!({ "c": country }),
                )
                .await;
            judge(&r, &["country"])
        }
        "schools" | "schools:applied" => {
            let target = if field == "schools" {
                school.clone()
            } else {
                net.fresh_school(app::SchoolStatus::Applied, rel).await
            };
            let r = net
                .gql(
                    actor,
                    "query($c: String) { schools(country: $c, first: 100) { edges { node { id } } } }",
                    json!({ "c": country }),
                )
                .await;
            if r.code().is_some() {
                return judge(&r, &["schools"]);
            }
            found(&r.body["data"]["schools"], &target)
        }
        "school" | "school:applied" => {
            let target = if field == "school" {
                school.clone()
            } else {
                net.fresh_school(app::SchoolStatus::Applied, rel).await
            };
            let r = net
                .gql(
                    actor,
                    "query($id: ID!) { school(id: $id) { id } }",
                    json!({ "id": target }),
                )
                .await;
            judge(&r, &["school"])
        }
        "school.people:students" | "school.people:staff" => {
            let role = if field.ends_with("students") {
                "STUDENT"
            } else {
                "TEACHER"
            };
            let r = net
                .gql(
                    actor,
                    "query($id: ID!, $r: Role) { school(id: $id) { people(role: $r) { edges { node { id } } } } }",
                    json!({ "id": school, "r": role }),
                )
                .await;
            let edges = &r.body["data"]["school"]["people"]["edges"];
            if edges.as_array().is_some_and(|e| !e.is_empty()) {
                Outcome::Allowed
            } else {
                match judge(&r, &["school"]) {
                    Outcome::Allowed => Outcome::Denied("empty".into()),
                    d => d,
                }
            }
        }
        "school.history" | "school.contact" | "school.classes" => {
            let sub = field.trim_start_matches("school.");
            let selection = match sub {
                "history" => "history { to }",
                "contact" => "contact { email }",
                _ => "classes",
            };
            let r = net
                .gql(
                    actor,
                    &format!("query($id: ID!) {{ school(id: $id) {{ {selection} }} }}"),
                    json!({ "id": school }),
                )
                .await;
            match judge(&r, &["school"]) {
                Outcome::Allowed => judge(&r, &["school", sub]),
                d => d,
            }
        }
        "countryOverview" => {
            let r = net
                .gql(
                    actor,
                    "query($c: String!) { countryOverview(code: $c) { schoolsByStatus { status count } } }",
                    json!({ "c": country }),
                )
                .await;
            judge(&r, &["countryOverview"])
        }
        "invitation" => {
            let (_, code) = admin_invitation(net, rel).await;
            let r = net
                .gql(
                    actor,
                    "query($c: String!) { invitation(code: $c) { role } }",
                    json!({ "c": code }),
                )
                .await;
            judge(&r, &["invitation"])
        }
        "myInvitations" => {
            let r = net
                .gql(actor, "{ myInvitations { edges { cursor } } }", json!({}))
                .await;
            judge(&r, &["myInvitations"])
        }
        "mentors" => {
            let r = net
                .gql(actor, "{ mentors { edges { node { id } } } }", json!({}))
                .await;
            judge(&r, &["mentors"])
        }
        "login" => {
            let r = net.s.login(teacher_of(rel), NET_PASSWORD).await;
            judge(&r, &["login", "token"])
        }
        "logout" => {
            // A session of the actor's own, so the matrix keeps its tokens.
            let token = match actor {
                Actor::Anonymous => None,
                Actor::Admin => Some(net.s.token("admin", ADMIN_PASSWORD).await),
                Actor::Student => Some(net.s.token("student.a1", NET_STUDENT_PASSWORD).await),
                Actor::NationalCoordinator => Some(net.s.token("nc.am", NET_PASSWORD).await),
                Actor::SchoolCoordinator => Some(net.s.token("coord.a1", NET_PASSWORD).await),
                Actor::Teacher => Some(net.s.token("teacher.a1", NET_PASSWORD).await),
                Actor::Mentor => Some(net.s.token("mentor.one", NET_PASSWORD).await),
            };
            let r = net
                .s
                .gql(token.as_deref(), "mutation { logout }", json!({}))
                .await;
            judge(&r, &["logout"])
        }
        "changePassword" => {
            // A wrong current password: reaching that check is what is allowed.
            let r = net
                .gql(
                    actor,
                    "mutation { changePassword(currentPassword: \"wrong-wrong\", newPassword: \"new-password-123\") { token } }",
                    json!({}),
                )
                .await;
            match r.code() {
                Some("BAD_USER_INPUT") => Outcome::Allowed,
                _ => judge(&r, &["changePassword"]),
            }
        }
        "resetPassword" | "deactivateUser" | "reactivateUser" | "resetPassword:teacher" => {
            let role = if field.ends_with("teacher") {
                app::Role::Teacher
            } else {
                app::Role::Student
            };
            let target = net.fresh(role, rel).await;
            let (q, path) = match field {
                "deactivateUser" => (
                    "mutation($id: ID!) { deactivateUser(id: $id) { id } }",
                    "deactivateUser",
                ),
                "reactivateUser" => (
                    "mutation($id: ID!) { reactivateUser(id: $id) { id } }",
                    "reactivateUser",
                ),
                _ => (
                    "mutation($id: ID!) { resetPassword(userId: $id) { password } }",
                    "resetPassword",
                ),
            };
            judge(&net.gql(actor, q, json!({ "id": target })).await, &[path])
        }
        "updateStudent" => {
            let target = net.fresh(app::Role::Student, rel).await;
            let r = net
                .gql(
                    actor,
                    "mutation($id: ID!) { updateStudent(id: $id, classLabel: \"9C\") { classLabel } }",
                    json!({ "id": target }),
                )
                .await;
            judge(&r, &["updateStudent"])
        }
        "changeRole" => {
            let target = net.fresh(app::Role::Teacher, rel).await;
            let r = net
                .gql(
                    actor,
                    "mutation($id: ID!) { changeRole(userId: $id, role: SCHOOL_COORDINATOR) { role } }",
                    json!({ "id": target }),
                )
                .await;
            judge(&r, &["changeRole"])
        }
        "addCountry" => {
            // XA…ZZ: none of the network's countries starts with X, Y or Z.
            static NEXT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let code = format!("{}{}", (b'X' + n / 26) as char, (b'A' + n % 26) as char);
            let r = net
                .gql(
                    actor,
                    "mutation($c: String!) { addCountry(code: $c, name: \"Testland\", nativeName: \"Testland\") { code } }",
                    json!({ "c": code }),
                )
                .await;
            judge(&r, &["addCountry"])
        }
        "applySchool" => {
            // The per-address budget for applications is per minute.
            net.s.clock.advance(chrono::Duration::seconds(61));
            let r = net
                .gql(
                    actor,
                    &format!("mutation($c: String!) {{ applySchool(input: {SCHOOL_INPUT}) {{ id status }} }}"),
                    json!({ "c": country }),
                )
                .await;
            judge(&r, &["applySchool"])
        }
        "registerSchool" => {
            let r = net
                .gql(
                    actor,
                    &format!("mutation($c: String!) {{ registerSchool(input: {SCHOOL_INPUT}) {{ id status }} }}"),
                    json!({ "c": country }),
                )
                .await;
            judge(&r, &["registerSchool"])
        }
        "approveSchool" | "rejectSchool" | "suspendSchool" | "withdrawSchool" => {
            let status = if matches!(field, "approveSchool" | "rejectSchool") {
                app::SchoolStatus::Applied
            } else {
                app::SchoolStatus::Approved
            };
            let target = net.fresh_school(status, rel).await;
            let r = net
                .gql(
                    actor,
                    &format!("mutation($id: ID!) {{ {field}(id: $id, reason: \"Decided\") {{ status }} }}"),
                    json!({ "id": target }),
                )
                .await;
            judge(&r, &[field])
        }
        "updateSchool" => {
            let name = if rel == Relation::OwnSchool {
                "School A1"
            } else if rel == Relation::SameCountry {
                "School A2"
            } else {
                "School B1"
            };
            let r = net
                .gql(
                    actor,
                    "mutation($id: ID!, $c: String!, $n: String!) { updateSchool(id: $id, input: { names: [{ language: \"en\", text: $n }], country: $c, city: \"Yerevan\", languages: [\"hy\", \"en\"], contactEmail: \"office@school.example\" }) { id } }",
                    json!({ "id": school, "c": country, "n": name }),
                )
                .await;
            judge(&r, &["updateSchool"])
        }
        "updateVisitCard" => {
            let r = net
                .gql(
                    actor,
                    "mutation($id: ID!) { updateVisitCard(schoolId: $id, input: { mottos: [{ language: \"en\", text: \"Learning together\" }] }) { id } }",
                    json!({ "id": school }),
                )
                .await;
            judge(&r, &["updateVisitCard"])
        }
        "addSchoolPhoto" | "removeSchoolPhoto" | "updateSchoolPhoto" => {
            // A photo to change or remove is put on the card by the administrator.
            let uploader = if field == "addSchoolPhoto" {
                actor
            } else {
                Actor::Admin
            };
            let file = fresh_upload(net, uploader).await;
            if field != "addSchoolPhoto" {
                let admin = net.admin_viewer().await;
                net.s
                    .app
                    .network()
                    .add_school_photo(
                        &admin,
                        &app::SchoolId::parse(&school).unwrap(),
                        &app::FileId::parse(&file).unwrap(),
                        None,
                        None,
                        &app::RequestMeta::default(),
                    )
                    .await
                    .unwrap();
            }
            let r = net
                .gql(
                    actor,
                    &format!("mutation($s: ID!, $f: ID!) {{ {field}(schoolId: $s, fileId: $f) {{ id }} }}"),
                    json!({ "s": school, "f": file }),
                )
                .await;
            if field == "updateSchoolPhoto" {
                // The card holds at most 12 photos: take this one off again.
                let admin = net.admin_viewer().await;
                net.s
                    .app
                    .network()
                    .remove_school_photo(
                        &admin,
                        &app::SchoolId::parse(&school).unwrap(),
                        &app::FileId::parse(&file).unwrap(),
                        &app::RequestMeta::default(),
                    )
                    .await
                    .unwrap();
            }
            judge(&r, &[field])
        }
        "setSchoolPresentation" => {
            let r = net
                .gql(
                    actor,
                    "mutation($s: ID!) { setSchoolPresentation(schoolId: $s) { id } }",
                    json!({ "s": school }),
                )
                .await;
            judge(&r, &["setSchoolPresentation"])
        }
        "invitePerson" => {
            let n = net.next();
            let r = net
                .gql(
                    actor,
                    "mutation($s: ID!, $e: String!) { invitePerson(input: { role: TEACHER, email: $e, displayName: \"New Teacher\", schoolId: $s }) { code } }",
                    json!({ "s": school, "e": format!("new{n}@net.example") }),
                )
                .await;
            judge(&r, &["invitePerson"])
        }
        "revokeInvitation" => {
            let (id, _) = admin_invitation(net, rel).await;
            let r = net
                .gql(
                    actor,
                    "mutation($id: ID!) { revokeInvitation(id: $id) { revokedAt } }",
                    json!({ "id": id }),
                )
                .await;
            judge(&r, &["revokeInvitation"])
        }
        "acceptInvitation" => {
            let (_, code) = admin_invitation(net, rel).await;
            let n = net.next();
            let r = net
                .gql(
                    actor,
                    "mutation($c: String!, $u: String!) { acceptInvitation(code: $c, username: $u, password: \"accepted-password\") { token } }",
                    json!({ "c": code, "u": format!("accepted{n}") }),
                )
                .await;
            judge(&r, &["acceptInvitation"])
        }
        "createStudents" => {
            let r = net
                .gql(
                    actor,
                    "mutation($s: ID!) { createStudents(input: { schoolId: $s, classLabel: \"5B\", displayNames: [\"Ana M.\"] }) { login password } }",
                    json!({ "s": school }),
                )
                .await;
            judge(&r, &["createStudents"])
        }
        "proposeTwinning" => {
            let partner = net
                .fresh_school(app::SchoolStatus::Approved, Relation::OtherCountry)
                .await;
            let r = net
                .gql(
                    actor,
                    "mutation($s: ID!, $p: ID!) { proposeTwinning(schoolId: $s, partnerId: $p, message: \"Shall we?\") { status } }",
                    json!({ "s": school, "p": partner }),
                )
                .await;
            judge(&r, &["proposeTwinning"])
        }
        "acceptTwinning" | "declineTwinning" | "endTwinning" => {
            let admin = net.admin_viewer().await;
            let other = net
                .fresh_school(app::SchoolStatus::Approved, Relation::OtherCountry)
                .await;
            let meta = app::RequestMeta::default();
            let t = net
                .s
                .app
                .network()
                .propose_twinning(
                    &admin,
                    &app::SchoolId::parse(&other).unwrap(),
                    &app::SchoolId::parse(&school).unwrap(),
                    None,
                    &meta,
                )
                .await
                .unwrap();
            if field == "endTwinning" {
                net.s
                    .app
                    .network()
                    .decide_twinning(&admin, &t.id, app::TwinningStatus::Accepted, &meta)
                    .await
                    .unwrap();
            }
            let r = net
                .gql(
                    actor,
                    &format!("mutation($id: ID!) {{ {field}(id: $id) {{ status }} }}"),
                    json!({ "id": t.id.to_string() }),
                )
                .await;
            judge(&r, &[field])
        }
        "school.twinnings" => {
            let r = net
                .gql(
                    actor,
                    "query($id: ID!) { school(id: $id) { twinnings { id } } }",
                    json!({ "id": school }),
                )
                .await;
            match judge(&r, &["school"]) {
                Outcome::Allowed => judge(&r, &["school", "twinnings"]),
                d => d,
            }
        }
        "updateMyProfile" => {
            let r = net
                .gql(
                    actor,
                    "mutation { updateMyProfile(displayName: \"Renamed Person\") { displayName } }",
                    json!({}),
                )
                .await;
            judge(&r, &["updateMyProfile"])
        }
        "notifications" => subscribe_notifications(net, actor).await,
        other => panic!("no operation for matrix row {other}"),
    }
}

/// Subscribes over WebSocket; allowed when a sign-in of the actor arrives as
/// a notification.
async fn subscribe_notifications(net: &Net, actor: Actor) -> Outcome {
    let mut ws = net.s.ws().await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": net.token(actor).map(|t| json!({ "token": t })).unwrap_or(json!({})) }),
    )
    .await;
    match tokio::time::timeout(WAIT, futures::StreamExt::next(&mut ws)).await {
        Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))) => {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            assert_eq!(v["type"], "connection_ack", "{v}");
        }
        Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(f)))) => {
            let code = f.map(|f| u16::from(f.code)).unwrap_or(0);
            assert_eq!(
                code, 4403,
                "an anonymous socket is refused at connection_init"
            );
            return Outcome::Denied(code.to_string());
        }
        other => panic!("unexpected answer to connection_init: {other:?}"),
    }
    send(
        &mut ws,
        json!({ "type": "subscribe", "id": "n", "payload": { "query": "subscription { notifications { kind } }" } }),
    )
    .await;
    let login = match actor {
        Actor::Admin => ("admin", ADMIN_PASSWORD),
        Actor::NationalCoordinator => ("nc.am", NET_PASSWORD),
        Actor::SchoolCoordinator => ("coord.a1", NET_PASSWORD),
        Actor::Teacher => ("teacher.a1", NET_PASSWORD),
        Actor::Student => ("student.a1", NET_STUDENT_PASSWORD),
        Actor::Mentor => ("mentor.one", NET_PASSWORD),
        Actor::Anonymous => unreachable!(),
    };
    // The subscription is registered once the server has read the message;
    // keep signing in until the notice arrives (each sign-in sends one).
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        net.s.token(login.0, login.1).await;
        match tokio::time::timeout(std::time::Duration::from_millis(500), next_json(&mut ws)).await
        {
            Ok(v) if v["type"] == "next" => {
                assert_eq!(v["payload"]["data"]["notifications"]["kind"], "SIGNED_IN");
                return Outcome::Allowed;
            }
            Ok(v) => panic!("unexpected message {v}"),
            Err(_) if tokio::time::Instant::now() < deadline => continue,
            Err(_) => return Outcome::Denied("silent".into()),
        }
    }
}

async fn root_fields(s: &TestServer) -> BTreeSet<String> {
    let r = s
        .gql(
            None,
            "{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }",
            json!({}),
        )
        .await;
    let mut out = BTreeSet::new();
    for t in ["queryType", "mutationType", "subscriptionType"] {
        for f in r.body["data"]["__schema"][t]["fields"].as_array().unwrap() {
            out.insert(f["name"].as_str().unwrap().to_owned());
        }
    }
    out
}

#[tokio::test]
async fn every_root_field_is_in_the_authorization_matrix() {
    let s = spawn().await;
    let covered: BTreeSet<String> = ROWS
        .iter()
        .map(|(name, _)| name.split([':', '.']).next().unwrap().to_owned())
        .collect();
    let missing: Vec<_> = root_fields(&s)
        .await
        .into_iter()
        .filter(|f| !covered.contains(f))
        .collect();
    assert!(
        missing.is_empty(),
        "add these fields to the authorization matrix in tests/api/authorization.rs: {missing:?}"
    );
}

#[tokio::test]
async fn every_role_gets_exactly_what_the_matrix_says() {
    let net = Net::new().await;
    let mut wrong = Vec::new();
    for (field, expect) in ROWS {
        for (a, actor) in Actor::ALL.into_iter().enumerate() {
            for (r, rel) in Relation::ALL.into_iter().enumerate() {
                let want = expect[a].as_bytes()[r] == b'Y';
                let got = run(&net, field, actor, rel).await;
                if (got == Outcome::Allowed) != want {
                    wrong.push(format!(
                        "{field} by {actor:?} on {rel:?}: expected {}, got {got:?}",
                        if want { "allowed" } else { "denied" }
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
