//! Countries, schools and their approval, the directory, national
//! coordinators' overview and audit trail, and the demo network.

use serde_json::{Value, json};

use crate::harness::*;

const APPLY: &str = "mutation($c: String!, $n: String!) { applySchool(input: { names: [{ language: \"hy\", text: $n }, { language: \"en\", text: \"Applicant School\" }], defaultLanguage: \"hy\", country: $c, city: \"Gyumri\", languages: [\"hy\", \"ru\"], website: \"https://applicant.example\", aspnetNumber: \"ASP-AM-099\", contactName: \"Director\", contactEmail: \"director@applicant.example\" }) { id status } }";

#[tokio::test]
async fn the_fourteen_countries_exist_from_the_first_start_with_school_counts() {
    let net = Net::new().await;
    let r = net
        .s
        .gql(
            None,
            "{ countries { code name nativeName schoolCount } }",
            json!({}),
        )
        .await;
    let list = r.body["data"]["countries"].as_array().unwrap().clone();
    let codes: Vec<&str> = list.iter().map(|c| c["code"].as_str().unwrap()).collect();
    for code in [
        "AM", "AZ", "BY", "BG", "EE", "KZ", "KG", "LV", "LT", "MD", "RU", "TJ", "UA", "UZ",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    assert_eq!(list.len(), 14);
    let am = list.iter().find(|c| c["code"] == "AM").unwrap();
    assert_eq!(am["nativeName"], "Հայաստան");
    assert_eq!(am["schoolCount"], 2);

    let admin = net.token(Actor::Admin);
    let added = net
        .s
        .gql(admin, "mutation { addCountry(code: \"ge\", name: \"Georgia\", nativeName: \"საქართველო\") { code schoolCount } }", json!({}))
        .await;
    assert_eq!(
        added.body["data"]["addCountry"],
        json!({ "code": "GE", "schoolCount": 0 })
    );
    let again = net
        .s
        .gql(
            admin,
            "mutation { addCountry(code: \"GE\", name: \"Georgia\", nativeName: \"x\") { code } }",
            json!({}),
        )
        .await;
    assert_eq!(again.code(), Some("CONFLICT"));
    let bad = net
        .s
        .gql(
            admin,
            "mutation { addCountry(code: \"G1\", name: \"Georgia\", nativeName: \"x\") { code } }",
            json!({}),
        )
        .await;
    assert_eq!(bad.code(), Some("BAD_USER_INPUT"));
    assert_eq!(bad.body["errors"][0]["extensions"]["field"], "country");
}

#[tokio::test]
async fn an_applied_school_is_approved_by_its_national_coordinator_and_keeps_its_history() {
    let net = Net::new().await;
    let applied = net
        .s
        .gql(None, APPLY, json!({ "c": "AM", "n": "Դիմորդ դպրոց" }))
        .await;
    assert_eq!(
        applied.body["data"]["applySchool"]["status"], "APPLIED",
        "{}",
        applied.body
    );
    let id = applied.body["data"]["applySchool"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let q =
        "query($id: ID!) { school(id: $id) { name status history { from to reason actorId } } }";
    // Invisible to the network until approved, and to other countries' coordinators.
    for actor in [Actor::Anonymous, Actor::Teacher, Actor::Mentor] {
        let r = net.gql(actor, q, json!({ "id": id })).await;
        assert_eq!(r.body["data"]["school"], json!(null), "{actor:?}");
    }
    let nc_kz = net.s.token("nc.kz", NET_PASSWORD).await;
    let r = net.s.gql(Some(&nc_kz), q, json!({ "id": id })).await;
    assert_eq!(r.body["data"]["school"], json!(null));

    // Forbidden and not found read the same to an outsider.
    let approve = "mutation($id: ID!) { approveSchool(id: $id) { status } }";
    let other = net.s.gql(Some(&nc_kz), approve, json!({ "id": id })).await;
    let unknown = net
        .s
        .gql(
            Some(&nc_kz),
            approve,
            json!({ "id": "0192f0c4a1b27c3e8a6b5d4c3b2a1f00" }),
        )
        .await;
    assert_eq!(other.code(), Some("NOT_FOUND"));
    assert_eq!(other.body["errors"], unknown.body["errors"]);

    // The national coordinator sees it waiting, and was told of it; the
    // other country's coordinator was not.
    let nc = net.token(Actor::NationalCoordinator);
    let notes = "{ myNotifications(first: 5) { nodes { kind about excerpt } } }";
    let r = net.s.gql(nc, notes, json!({})).await;
    let told: Vec<_> = r.body["data"]["myNotifications"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "SCHOOL_APPLIED")
        .cloned()
        .collect();
    assert_eq!(
        told,
        vec![json!({ "kind": "SCHOOL_APPLIED", "about": id, "excerpt": "Դիմորդ դպրոց" })],
        "{}",
        r.body
    );
    let r = net.s.gql(Some(&nc_kz), notes, json!({})).await;
    assert!(
        !r.body["data"]["myNotifications"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "SCHOOL_APPLIED"),
        "{}",
        r.body
    );
    let pending = net
        .s
        .gql(
            nc,
            "{ schools(status: APPLIED) { edges { node { id name(language: \"en\") } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        pending.body["data"]["schools"]["edges"],
        json!([{ "node": { "id": id, "name": "Applicant School" } }])
    );
    // A refusal needs a reason.
    let r = net
        .s
        .gql(
            nc,
            "mutation($id: ID!) { rejectSchool(id: $id, reason: \"  \") { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));

    let r = net.s.gql(nc, approve, json!({ "id": id })).await;
    assert_eq!(
        r.body["data"]["approveSchool"]["status"], "APPROVED",
        "{}",
        r.body
    );
    let again = net.s.gql(nc, approve, json!({ "id": id })).await;
    assert_eq!(again.code(), Some("CONFLICT"));

    let r = net.s.gql(nc, q, json!({ "id": id })).await;
    let school = &r.body["data"]["school"];
    assert_eq!(school["name"], "Դիմորդ դպրոց");
    assert_eq!(
        school["history"],
        json!([
            { "from": null, "to": "APPLIED", "reason": null, "actorId": null },
            { "from": "APPLIED", "to": "APPROVED", "reason": null, "actorId": net.id_of("nc.am") },
        ])
    );
    // Now the network sees it, and Armenia counts it.
    let r = net.gql(Actor::Teacher, q, json!({ "id": id })).await;
    assert_eq!(r.body["data"]["school"]["status"], "APPROVED");
    assert_eq!(
        r.body["data"]["school"]["history"],
        json!(null),
        "history is not the network's business"
    );
    let c = net
        .s
        .gql(None, "{ country(code: \"AM\") { schoolCount } }", json!({}))
        .await;
    assert_eq!(c.body["data"]["country"]["schoolCount"], 3);

    // Suspension needs a reason too; approving again lifts it.
    let r = net
        .s
        .gql(nc, "mutation($id: ID!) { suspendSchool(id: $id, reason: \"Paused by the ministry\") { status } }", json!({ "id": id }))
        .await;
    assert_eq!(r.body["data"]["suspendSchool"]["status"], "SUSPENDED");

    // The audit trail: Armenia's coordinator reads Armenia's part only.
    let audit = net
        .s
        .gql(
            nc,
            "{ auditTrail(first: 50) { nodes { action target outcome countryCode requestId actorUser { username } } } }",
            json!({}),
        )
        .await;
    let entries = audit.body["data"]["auditTrail"]["nodes"]
        .as_array()
        .unwrap();
    assert!(
        entries.iter().all(|e| e["countryCode"] == "AM"),
        "{entries:?}"
    );
    let approval = entries
        .iter()
        .find(|e| e["action"] == "approve_school")
        .unwrap();
    assert_eq!(approval["target"], id);
    assert_eq!(approval["outcome"], "ok");
    assert_eq!(
        approval["actorUser"]["username"], "nc.am",
        "who acted, for who may see them"
    );
    // One kind of act only.
    let only = net
        .s
        .gql(
            nc,
            "{ auditTrail(first: 50, action: \"approve_school\") { nodes { action } } }",
            json!({}),
        )
        .await;
    let only = only.body["data"]["auditTrail"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        !only.is_empty() && only.iter().all(|e| e["action"] == "approve_school"),
        "{only:?}"
    );
    assert!(
        approval["requestId"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    let kz = net
        .s
        .gql(
            Some(&nc_kz),
            "{ auditTrail(first: 50) { nodes { action target } } }",
            json!({}),
        )
        .await;
    assert!(
        !kz.body["data"]["auditTrail"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["target"] == id),
        "{}",
        kz.body
    );
    let peek = net
        .s
        .gql(
            Some(&nc_kz),
            "{ auditTrail(country: \"AM\") { nodes { action } } }",
            json!({}),
        )
        .await;
    assert_eq!(peek.code(), Some("FORBIDDEN"));

    // The overview counts by status and role.
    let o = net
        .s
        .gql(nc, "{ countryOverview(code: \"AM\") { schoolsByStatus { status count } peopleByRole { role count } } }", json!({}))
        .await;
    let o = &o.body["data"]["countryOverview"];
    let count = |list: &str, key: &str, v: &str| {
        o[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x[key] == v)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(count("schoolsByStatus", "status", "APPROVED"), 2);
    assert_eq!(count("schoolsByStatus", "status", "SUSPENDED"), 1);
    assert_eq!(count("peopleByRole", "role", "TEACHER"), 2);
    assert_eq!(count("peopleByRole", "role", "STUDENT"), 2);
    assert_eq!(count("peopleByRole", "role", "NATIONAL_COORDINATOR"), 1);
}

#[tokio::test]
async fn a_refused_attempt_is_audited_as_denied() {
    let net = Net::new().await;
    let r = net
        .gql(
            Actor::Teacher,
            "mutation($id: ID!) { approveSchool(id: $id) { status } }",
            json!({ "id": net.a1 }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    let audit = net
        .gql(
            Actor::Admin,
            "{ auditTrail(first: 5) { nodes { actor action target outcome } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        audit.body["data"]["auditTrail"]["nodes"][0],
        json!({ "actor": net.id_of("teacher.a1"), "action": "approve_school", "target": net.a1, "outcome": "denied" })
    );
}

#[tokio::test]
async fn the_directory_filters_and_pages_with_cursors_in_name_order() {
    let net = Net::new().await;
    for (name, lang) in [
        ("Kappa", "kk"),
        ("Alpha", "ru"),
        ("Delta", "kk"),
        ("Gamma", "ru"),
        ("Beta", "kk"),
    ] {
        let mut form = school_form(name, "KZ");
        form.languages = vec![lang.into()];
        net.s
            .app
            .network()
            .seed_school(&form, app::SchoolStatus::Approved, false)
            .await
            .unwrap();
    }
    let q = "query($after: String, $lang: String) { schools(country: \"KZ\", language: $lang, first: 2, after: $after) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }";
    let mut names = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let r = net.gql(Actor::Teacher, q, json!({ "after": after })).await;
        let page = &r.body["data"]["schools"];
        for e in page["edges"].as_array().unwrap() {
            names.push(e["node"]["name"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        names,
        ["Alpha", "Beta", "Delta", "Gamma", "Kappa", "School B1"]
    );

    let r = net.gql(Actor::Teacher, q, json!({ "lang": "kk" })).await;
    let kk: Vec<_> = r.body["data"]["schools"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].clone())
        .collect();
    assert_eq!(kk, [json!("Beta"), json!("Delta")]);

    let bad = net
        .gql(Actor::Teacher, q, json!({ "after": "not a cursor!" }))
        .await;
    assert_eq!(bad.code(), Some("BAD_USER_INPUT"));
    let too_many = net
        .gql(
            Actor::Teacher,
            "{ schools(first: 1000) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(too_many.code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_national_coordinator_registers_schools_of_their_own_country_only() {
    let net = Net::new().await;
    let q = "mutation($c: String!) { registerSchool(input: { names: [{ language: \"ru\", text: \"Лицей №1\" }], country: $c, city: \"Ванадзор\", languages: [\"ru\"] }) { status countryCode name } }";
    let r = net
        .gql(Actor::NationalCoordinator, q, json!({ "c": "AM" }))
        .await;
    assert_eq!(
        r.body["data"]["registerSchool"],
        json!({ "status": "APPROVED", "countryCode": "AM", "name": "Лицей №1" })
    );
    let r = net
        .gql(Actor::NationalCoordinator, q, json!({ "c": "KZ" }))
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    let r = net
        .gql(Actor::NationalCoordinator, q, json!({ "c": "ZZ" }))
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    let r = net.gql(Actor::Admin, q, json!({ "c": "ZZ" })).await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{}", r.body);
}

#[tokio::test]
async fn the_demo_network_loads_once_and_a_national_coordinator_can_approve_a_waiting_school() {
    let s = spawn().await;
    let first = s.app.demo().load_demo().await.unwrap();
    assert_eq!(first.schools_created, 42);
    // 14 national coordinators, 4 mentors, 38 approved schools × (2 staff + 5 students).
    assert_eq!(first.people_created, 14 + 4 + 38 * 7);
    let second = s.app.demo().load_demo().await.unwrap();
    assert_eq!((second.schools_created, second.people_created), (0, 0));

    let r = s
        .gql(None, "{ countries { code schoolCount } }", json!({}))
        .await;
    let total: i64 = r.body["data"]["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["schoolCount"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 38);
    // Visitors see only the schools with a public card: one per country.
    let r = s
        .gql(
            None,
            "{ schools(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["data"]["schools"]["edges"].as_array().unwrap().len(),
        14
    );

    let nc = s.token("nc.am", app::demo::DEMO_ADULT_PASSWORD).await;
    let r = s
        .gql(
            Some(&nc),
            "{ schools(status: APPLIED) { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    let waiting = r.body["data"]["schools"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(waiting.len(), 1, "{}", r.body);
    let r = s
        .gql(
            Some(&nc),
            "mutation($id: ID!) { approveSchool(id: $id) { status } }",
            json!({ "id": waiting[0]["node"]["id"] }),
        )
        .await;
    assert_eq!(r.body["data"]["approveSchool"]["status"], "APPROVED");

    for (login, password) in [
        (
            first.sample_logins[1].1.as_str(),
            app::demo::DEMO_ADULT_PASSWORD,
        ),
        (
            first.sample_logins[2].1.as_str(),
            app::demo::DEMO_ADULT_PASSWORD,
        ),
        (
            first.sample_logins[3].1.as_str(),
            app::demo::DEMO_STUDENT_PASSWORD,
        ),
        (
            first.sample_logins[4].1.as_str(),
            app::demo::DEMO_ADULT_PASSWORD,
        ),
    ] {
        let t = s.token(login, password).await;
        assert_eq!(s.me(&t).await.body["data"]["me"]["username"], login);
    }
}

#[tokio::test]
async fn two_schools_twin_when_the_partner_accepts_and_show_each_other_on_their_cards() {
    let net = Net::new().await;
    let s = &net.s;
    let coord_a1 = net.token(Actor::SchoolCoordinator).unwrap();
    let coord_b1 = s.token("coord.b1", NET_PASSWORD).await;
    let propose = "mutation($s: ID!, $p: ID!) { proposeTwinning(schoolId: $s, partnerId: $p, message: \"Let us build a climate module together\") { id status partner { id } } }";
    let r = s
        .gql(Some(coord_a1), propose, json!({ "s": net.a1, "p": net.b1 }))
        .await;
    assert_eq!(
        r.body["data"]["proposeTwinning"]["status"], "PROPOSED",
        "{}",
        r.body
    );
    let id = r.body["data"]["proposeTwinning"]["id"].clone();
    // Not twice, and not with itself.
    let again = s
        .gql(Some(coord_a1), propose, json!({ "s": net.a1, "p": net.b1 }))
        .await;
    assert_eq!(again.code(), Some("CONFLICT"));
    let reverse = s
        .gql(
            Some(&coord_b1),
            propose,
            json!({ "s": net.b1, "p": net.a1 }),
        )
        .await;
    assert_eq!(reverse.code(), Some("CONFLICT"));
    let itself = s
        .gql(Some(coord_a1), propose, json!({ "s": net.a1, "p": net.a1 }))
        .await;
    assert_eq!(itself.code(), Some("BAD_USER_INPUT"));

    // B1's coordinator is told; A1's is not told of their own proposal.
    let told = |kind: &'static str| {
        move |r: &Reply| -> Vec<Value> {
            r.body["data"]["myNotifications"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["kind"] == kind)
                .cloned()
                .collect()
        }
    };
    let notes = "{ myNotifications(first: 10) { nodes { kind about excerpt } } }";
    let r = s.gql(Some(&coord_b1), notes, json!({})).await;
    let proposed = told("TWINNING_PROPOSED")(&r);
    assert_eq!(proposed.len(), 1, "{}", r.body);
    assert_eq!(proposed[0]["about"], id);
    assert_eq!(proposed[0]["excerpt"], "School A1");
    let r = s.gql(Some(coord_a1), notes, json!({})).await;
    assert!(told("TWINNING_PROPOSED")(&r).is_empty(), "{}", r.body);

    // B1 sees the request; only B1's coordinator may accept it.
    let r = s
        .gql(
            Some(&coord_b1),
            "query($id: ID!) { school(id: $id) { twinnings { id status message school { id } } } }",
            json!({ "id": net.b1 }),
        )
        .await;
    assert_eq!(
        r.body["data"]["school"]["twinnings"][0]["school"]["id"],
        net.a1
    );
    let accept = "mutation($id: ID!) { acceptTwinning(id: $id) { status } }";
    let r = s.gql(Some(coord_a1), accept, json!({ "id": id })).await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
    let r = s.gql(Some(&coord_b1), accept, json!({ "id": id })).await;
    assert_eq!(r.body["data"]["acceptTwinning"]["status"], "ACCEPTED");
    let r = s.gql(Some(coord_a1), notes, json!({})).await;
    let accepted = told("TWINNING_ACCEPTED")(&r);
    assert_eq!(accepted.len(), 1, "{}", r.body);
    assert_eq!(accepted[0]["excerpt"], "School B1");

    let partners = "query($id: ID!) { school(id: $id) { visitCard { partners { id } } } }";
    let r = net
        .gql(Actor::Student, partners, json!({ "id": net.a1 }))
        .await;
    assert_eq!(
        r.body["data"]["school"]["visitCard"]["partners"],
        json!([{ "id": net.b1 }])
    );
    let r = s
        .gql(Some(&coord_b1), partners, json!({ "id": net.b1 }))
        .await;
    assert_eq!(
        r.body["data"]["school"]["visitCard"]["partners"],
        json!([{ "id": net.a1 }])
    );
    // A visitor sees A1's public card, but not the partner whose card is private.
    let r = s.gql(None, partners, json!({ "id": net.a1 })).await;
    assert_eq!(r.body["data"]["school"]["visitCard"]["partners"], json!([]));

    let r = s
        .gql(
            Some(&coord_b1),
            "mutation($id: ID!) { endTwinning(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.body["data"]["endTwinning"]["status"], "ENDED");
    // A1 learns that B1 ended it; B1, who ended it, is not told.
    let r = s.gql(Some(coord_a1), notes, json!({})).await;
    assert_eq!(told("TWINNING_ENDED")(&r).len(), 1, "{}", r.body);
    let r = s.gql(Some(&coord_b1), notes, json!({})).await;
    assert!(told("TWINNING_ENDED")(&r).is_empty(), "{}", r.body);
    let r = net
        .gql(Actor::Student, partners, json!({ "id": net.a1 }))
        .await;
    assert_eq!(r.body["data"]["school"]["visitCard"]["partners"], json!([]));
}

#[tokio::test]
async fn lists_merge_what_each_asker_may_see_in_one_name_order() {
    let net = Net::new().await;
    let s = &net.s;
    // Armenia: A1, A2 approved; a rejected and an applied school beside them.
    for (name, status) in [
        ("Aa rejected", app::SchoolStatus::Rejected),
        ("Ab applied", app::SchoolStatus::Applied),
        ("Zz applied", app::SchoolStatus::Applied),
    ] {
        s.app
            .network()
            .seed_school(&school_form(name, "AM"), status, false)
            .await
            .unwrap();
    }
    let r = net
        .gql(
            Actor::NationalCoordinator,
            "mutation($id: ID!) { suspendSchool(id: $id, reason: \"Inspection\") { status } }",
            json!({ "id": net.a2 }),
        )
        .await;
    assert_eq!(r.body["data"]["suspendSchool"]["status"], "SUSPENDED");

    let q = "query($after: String, $s: SchoolStatus) { schools(country: \"AM\", status: $s, first: 2, after: $after) { edges { node { name status } } pageInfo { hasNextPage endCursor } } }";
    let all = |actor: Actor, status: Option<&'static str>| {
        let net = &net;
        async move {
            let mut names = Vec::new();
            let mut after = serde_json::Value::Null;
            loop {
                let r = net
                    .gql(actor, q, json!({ "after": after, "s": status }))
                    .await;
                let page = &r.body["data"]["schools"];
                for e in page["edges"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{}", r.body))
                {
                    names.push(e["node"]["name"].as_str().unwrap().to_owned());
                }
                if page["pageInfo"]["hasNextPage"] != true {
                    return names;
                }
                after = page["pageInfo"]["endCursor"].clone();
            }
        }
    };
    assert_eq!(
        all(Actor::NationalCoordinator, None).await,
        [
            "Aa rejected",
            "Ab applied",
            "School A1",
            "School A2",
            "Zz applied"
        ]
    );
    assert_eq!(
        all(Actor::NationalCoordinator, Some("APPLIED")).await,
        ["Ab applied", "Zz applied"]
    );
    assert_eq!(all(Actor::Admin, Some("SUSPENDED")).await, ["School A2"]);
    // The network sees approved schools only; a suspended school's people
    // are signed out and cannot sign in while it stays suspended.
    assert_eq!(all(Actor::Teacher, None).await, ["School A1"]);
    let r = s.login("teacher.a2", NET_PASSWORD).await;
    assert_eq!(r.code(), Some("FORBIDDEN"), "{}", r.body);
    // Counts follow the change at once.
    let r = s
        .gql(None, "{ country(code: \"AM\") { schoolCount } }", json!({}))
        .await;
    assert_eq!(r.body["data"]["country"]["schoolCount"], 1);
    let r = s
        .gql(None, "{ countries { code schoolCount } }", json!({}))
        .await;
    let am = r.body["data"]["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "AM")
        .unwrap()
        .clone();
    assert_eq!(am["schoolCount"], 1);
}
