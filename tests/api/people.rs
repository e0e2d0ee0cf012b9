//! Invitations from the administrator down to teachers, students created by
//! their teacher, what students see, and the teacher's care of their class.

use serde_json::{Value, json};

use crate::harness::*;

const INVITE: &str = "mutation($i: InvitationInput!) { invitePerson(input: $i) { code invitation { id role open expiresAt } } }";
const ACCEPT: &str = "mutation($c: String!, $u: String!, $p: String!) { acceptInvitation(code: $c, username: $u, password: $p) { token user { role countryCode school { id } } } }";

async fn invite(s: &TestServer, token: &str, input: Value) -> String {
    let r = s.gql(Some(token), INVITE, json!({ "i": input })).await;
    r.body["data"]["invitePerson"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("invitation failed: {}", r.body))
        .to_owned()
}

async fn accept(s: &TestServer, code: &str, username: &str) -> (String, Value) {
    let r = s
        .gql(
            None,
            ACCEPT,
            json!({ "c": code, "u": username, "p": "a-good-password" }),
        )
        .await;
    let token = r.body["data"]["acceptInvitation"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("accepting failed: {}", r.body))
        .to_owned();
    (token, r.body["data"]["acceptInvitation"]["user"].clone())
}

const NAMES: [&str; 25] = [
    "Анна П.",
    "Արամ Գ.",
    "Mariam K.",
    "Олжас Б.",
    "Līga O.",
    "Tomas R.",
    "Дилноза А.",
    "Ion C.",
    "Катерина Ш.",
    "Aigerim S.",
    "Фаррух Н.",
    "Nigar M.",
    "Мария И.",
    "Kert T.",
    "Гор А.",
    "Elena R.",
    "Азамат Т.",
    "Ieva B.",
    "Богдан К.",
    "Madina Y.",
    "Анна П.",
    "Лейла Г.",
    "Andrei V.",
    "Юлия С.",
    "Sardor X.",
];

#[tokio::test]
async fn invitations_lead_from_the_administrator_to_a_teacher_who_creates_a_class() {
    let net = Net::new().await;
    let s = &net.s;
    let admin = net.token(Actor::Admin).unwrap().to_owned();

    // The administrator invites Moldova's national coordinator.
    let code = invite(
        s,
        &admin,
        json!({ "role": "NATIONAL_COORDINATOR", "email": "nc@md.example", "displayName": "Elena Rusu", "country": "md" }),
    )
    .await;
    assert!(code.starts_with("lffinv_"), "{code}");
    let preview = s
        .gql(
            None,
            "query($c: String!) { invitation(code: $c) { role displayName countryCode } }",
            json!({ "c": code }),
        )
        .await;
    assert_eq!(
        preview.body["data"]["invitation"],
        json!({ "role": "NATIONAL_COORDINATOR", "displayName": "Elena Rusu", "countryCode": "MD" })
    );
    let (nc, user) = accept(s, &code, "elena.rusu").await;
    assert_eq!(user["role"], "NATIONAL_COORDINATOR");
    assert_eq!(user["countryCode"], "MD");
    // A code works once.
    let again = s
        .gql(
            None,
            ACCEPT,
            json!({ "c": code, "u": "someone.else", "p": "a-good-password" }),
        )
        .await;
    assert_eq!(again.code(), Some("NOT_FOUND"));

    // She registers a school and invites its coordinator, who invites a teacher.
    let r = s
        .gql(
            Some(&nc),
            "mutation { registerSchool(input: { names: [{ language: \"ro\", text: \"Liceul Teoretic Mihai Eminescu\" }], country: \"MD\", city: \"Chișinău\", languages: [\"ro\", \"ru\"] }) { id } }",
            json!({}),
        )
        .await;
    let school = r.body["data"]["registerSchool"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = invite(
        s,
        &nc,
        json!({ "role": "SCHOOL_COORDINATOR", "email": "coord@liceu.example", "displayName": "Ion Ciobanu", "schoolId": school }),
    )
    .await;
    let (coord, user) = accept(s, &code, "ion.ciobanu").await;
    assert_eq!(user["school"]["id"], school);
    let code = invite(
        s,
        &coord,
        json!({ "role": "TEACHER", "email": "teacher@liceu.example", "displayName": "Ana Munteanu", "schoolId": school }),
    )
    .await;
    let (teacher, user) = accept(s, &code, "ana.munteanu").await;
    assert_eq!(user["role"], "TEACHER");
    // A teacher invites nobody.
    let r = s
        .gql(
            Some(&teacher),
            INVITE,
            json!({ "i": { "role": "TEACHER", "email": "x@liceu.example", "displayName": "X", "schoolId": school } }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));

    // The teacher pastes a list of 25 names and gets a printable class list.
    let r = s
        .gql(
            Some(&teacher),
            "mutation($n: [String!]!) { createStudents(input: { classLabel: \"7B\", displayNames: $n }) { login password user { id displayName role classLabel email } } }",
            json!({ "n": NAMES }),
        )
        .await;
    let list = r.body["data"]["createStudents"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.body))
        .clone();
    assert_eq!(list.len(), 25);
    let mut logins: Vec<&str> = list.iter().map(|c| c["login"].as_str().unwrap()).collect();
    assert!(logins[0].starts_with("annap"), "{logins:?}");
    assert!(logins[1].starts_with("aramg"), "{logins:?}");
    for c in &list {
        assert_eq!(c["user"]["role"], "STUDENT");
        assert_eq!(c["user"]["classLabel"], "7B");
        assert_eq!(c["user"]["email"], json!(null));
        assert_eq!(c["password"].as_str().unwrap().len(), 8);
    }
    logins.sort();
    logins.dedup();
    assert_eq!(
        logins.len(),
        25,
        "usernames are unique even for the same name"
    );

    // A student signs in and sees their school's staff, nobody else.
    let student = s
        .token(
            list[0]["login"].as_str().unwrap(),
            list[0]["password"].as_str().unwrap(),
        )
        .await;
    let r = s
        .gql(
            Some(&student),
            "{ me { role classLabel school { id name } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.body["data"]["me"]["role"], "STUDENT");
    assert_eq!(r.body["data"]["me"]["school"]["id"], school);
    let people = "query($id: ID!, $r: Role) { school(id: $id) { people(role: $r) { edges { node { displayName role } } } classes } }";
    let r = s.gql(Some(&student), people, json!({ "id": school })).await;
    let seen: Vec<_> = r.body["data"]["school"]["people"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["role"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        seen,
        ["TEACHER", "SCHOOL_COORDINATOR"],
        "by name: Ana, Ion; {}",
        r.body
    );
    assert_eq!(r.body["data"]["school"]["classes"], json!(null));
    let r = s
        .gql(
            Some(&student),
            people,
            json!({ "id": net.a1, "r": "TEACHER" }),
        )
        .await;
    assert_eq!(
        r.body["data"]["school"]["people"]["edges"],
        json!([]),
        "no people of other schools"
    );
    let classmate = list[1]["user"]["id"].clone();
    let r = s
        .gql(
            Some(&student),
            "query($id: ID!) { user(id: $id) { id } }",
            json!({ "id": classmate }),
        )
        .await;
    assert_eq!(r.code(), Some("NOT_FOUND"));
    let r = s
        .gql(Some(&student), "mutation { createStudents(input: { classLabel: \"7B\", displayNames: [\"X\"] }) { login } }", json!({}))
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));

    // The teacher sees the class, renames a student and moves them.
    let r = s
        .gql(
            Some(&teacher),
            people,
            json!({ "id": school, "r": "STUDENT" }),
        )
        .await;
    assert_eq!(
        r.body["data"]["school"]["people"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        20
    );
    assert_eq!(r.body["data"]["school"]["classes"], json!(["7B"]));
    let r = s
        .gql(
            Some(&teacher),
            "mutation($id: ID!) { updateStudent(id: $id, displayName: \"Anna Petrova\", classLabel: \"8A\") { displayName classLabel } }",
            json!({ "id": list[0]["user"]["id"] }),
        )
        .await;
    assert_eq!(
        r.body["data"]["updateStudent"],
        json!({ "displayName": "Anna Petrova", "classLabel": "8A" })
    );
    let r = s.gql(Some(&teacher), people, json!({ "id": school })).await;
    assert_eq!(r.body["data"]["school"]["classes"], json!(["7B", "8A"]));

    // A forgotten password: the teacher resets it; the old one stops working.
    let r = s
        .gql(
            Some(&teacher),
            "mutation($id: ID!) { resetPassword(userId: $id) { login password } }",
            json!({ "id": list[0]["user"]["id"] }),
        )
        .await;
    let new_password = r.body["data"]["resetPassword"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        s.me(&student).await.status,
        401,
        "the student's sessions ended"
    );
    let old = s
        .login(
            list[0]["login"].as_str().unwrap(),
            list[0]["password"].as_str().unwrap(),
        )
        .await;
    assert_eq!(old.code(), Some("UNAUTHENTICATED"));
    s.token(list[0]["login"].as_str().unwrap(), &new_password)
        .await;

    // Deactivated students cannot sign in.
    let r = s
        .gql(
            Some(&teacher),
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": list[2]["user"]["id"] }),
        )
        .await;
    assert_eq!(r.body["data"]["deactivateUser"]["active"], false);
    let r = s
        .login(
            list[2]["login"].as_str().unwrap(),
            list[2]["password"].as_str().unwrap(),
        )
        .await;
    assert_eq!(r.code(), Some("UNAUTHENTICATED"));

    // Another school's teacher cannot touch them, and cannot tell they exist.
    let r = net
        .gql(
            Actor::Teacher,
            "mutation($id: ID!) { resetPassword(userId: $id) { password } }",
            json!({ "id": list[3]["user"]["id"] }),
        )
        .await;
    assert_eq!(r.code(), Some("NOT_FOUND"));

    // Every step is in the audit trail.
    let r = s
        .gql(
            Some(&admin),
            "{ auditTrail(first: 100) { nodes { action } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = r.body["data"]["auditTrail"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "invite_person",
        "accept_invitation",
        "register_school",
        "create_student",
        "update_student",
        "reset_password",
        "deactivate_user",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert_eq!(
        actions.iter().filter(|a| **a == "create_student").count(),
        25
    );
}

#[tokio::test]
async fn invitation_codes_expire_and_can_be_withdrawn() {
    let net = Net::new().await;
    let s = &net.s;
    let coord = net.token(Actor::SchoolCoordinator).unwrap().to_owned();
    let teacher_input = |n: u32| json!({ "role": "TEACHER", "email": format!("t{n}@a1.example"), "displayName": "New Teacher", "schoolId": net.a1 });

    let code = invite(s, &coord, teacher_input(1)).await;
    s.clock.advance(chrono::Duration::days(15));
    let r = s
        .gql(
            None,
            ACCEPT,
            json!({ "c": code, "u": "late.teacher", "p": "a-good-password" }),
        )
        .await;
    assert_eq!(r.code(), Some("NOT_FOUND"), "expired");

    // The coordinator signs in again (the clock moved on) and withdraws one.
    let coord = s.token("coord.a1", NET_PASSWORD).await;
    let r = s
        .gql(Some(&coord), INVITE, json!({ "i": teacher_input(2) }))
        .await;
    let id = r.body["data"]["invitePerson"]["invitation"]["id"].clone();
    let code = r.body["data"]["invitePerson"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = s
        .gql(
            Some(&coord),
            "{ myInvitations { edges { node { id open } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine.body["data"]["myInvitations"]["edges"][0]["node"],
        json!({ "id": id, "open": true })
    );
    let r = s
        .gql(
            Some(&coord),
            "mutation($id: ID!) { revokeInvitation(id: $id) { open revokedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.body["data"]["revokeInvitation"]["open"], false);
    let r = s
        .gql(
            None,
            "query($c: String!) { invitation(code: $c) { role } }",
            json!({ "c": code }),
        )
        .await;
    assert_eq!(r.body["data"]["invitation"], json!(null));

    // An address that already has an account cannot be invited again.
    let r = s
        .gql(Some(&coord), INVITE, json!({ "i": { "role": "TEACHER", "email": "teacher.a1@net.example", "displayName": "Twin", "schoolId": net.a1 } }))
        .await;
    assert_eq!(r.code(), Some("CONFLICT"));
    // Students are not invited.
    let r = s
        .gql(Some(&coord), INVITE, json!({ "i": { "role": "STUDENT", "email": "kid@a1.example", "displayName": "Kid", "schoolId": net.a1 } }))
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_teacher_becomes_school_coordinator_and_their_sessions_end() {
    let net = Net::new().await;
    let s = &net.s;
    let teacher = s.token("teacher.a2", NET_PASSWORD).await;
    let r = net
        .gql(
            Actor::NationalCoordinator,
            "mutation($id: ID!) { changeRole(userId: $id, role: SCHOOL_COORDINATOR) { role } }",
            json!({ "id": net.id_of("teacher.a2") }),
        )
        .await;
    assert_eq!(r.body["data"]["changeRole"]["role"], "SCHOOL_COORDINATOR");
    assert_eq!(s.me(&teacher).await.status, 401);
    let t = s.token("teacher.a2", NET_PASSWORD).await;
    let r = s.gql(Some(&t), "{ me { role } }", json!({})).await;
    assert_eq!(r.body["data"]["me"]["role"], "SCHOOL_COORDINATOR");
    // Only between the two staff roles.
    let r = net
        .gql(
            Actor::Admin,
            "mutation($id: ID!) { changeRole(userId: $id, role: PLATFORM_ADMIN) { role } }",
            json!({ "id": net.id_of("teacher.b1") }),
        )
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn bulk_creation_refuses_bad_lists_and_creates_nothing() {
    let net = Net::new().await;
    let q = "mutation($n: [String!]!, $c: String!) { createStudents(input: { classLabel: $c, displayNames: $n }) { login } }";
    let r = net
        .gql(
            Actor::Teacher,
            q,
            json!({ "n": ["Ana", " ", "Bo"], "c": "6A" }),
        )
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("name 2"),
        "{}",
        r.body
    );
    let r = net
        .gql(Actor::Teacher, q, json!({ "n": [], "c": "6A" }))
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    let many: Vec<String> = (0..201).map(|i| format!("Pupil {i}")).collect();
    let r = net
        .gql(Actor::Teacher, q, json!({ "n": many, "c": "6A" }))
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    let r = net
        .gql(Actor::Teacher, q, json!({ "n": ["Ana"], "c": "" }))
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    let r = net
        .gql(
            Actor::Teacher,
            "query($id: ID!) { school(id: $id) { classes } }",
            json!({ "id": net.a1 }),
        )
        .await;
    assert_eq!(
        r.body["data"]["school"]["classes"],
        json!(["7A"]),
        "nothing was created"
    );
}

#[tokio::test]
async fn a_mentor_keeps_their_profile_up_to_date_and_the_network_sees_it() {
    let net = Net::new().await;
    let r = net
        .gql(
            Actor::Mentor,
            "mutation { updateMyProfile(displayName: \"Prof. Mari Tamm\", mentor: { university: \"Tallinn University\", chairTitle: \"UNESCO Chair in Digital Learning\", expertise: [\"ICT in education\", \"sustainability\"], languages: [\"et\", \"en\", \"ru\"] }) { displayName } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["data"]["updateMyProfile"]["displayName"], "Prof. Mari Tamm",
        "{}",
        r.body
    );
    let r = net
        .gql(Actor::Student, "{ mentors { edges { node { displayName mentorProfile { university expertise languages } } } } }", json!({}))
        .await;
    assert_eq!(
        r.body["data"]["mentors"]["edges"][0]["node"],
        json!({ "displayName": "Prof. Mari Tamm", "mentorProfile": { "university": "Tallinn University", "expertise": ["ICT in education", "sustainability"], "languages": ["et", "en", "ru"] } })
    );
    let r = net
        .gql(Actor::Teacher, "mutation { updateMyProfile(mentor: { university: \"U\", chairTitle: \"C\", expertise: [], languages: [] }) { id } }", json!({}))
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
    let r = net
        .gql(
            Actor::Student,
            "mutation { updateMyProfile(displayName: \"Boss\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
}
