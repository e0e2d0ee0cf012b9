//! The connection conformance test: every list of the API, found in the
//! committed schema (any field whose type has `edges` and `pageInfo`), is
//! paged through with one item a page and with the largest page, over more
//! items than two largest pages hold. Each item must come exactly once,
//! `hasNextPage`, `hasPreviousPage`, `startCursor` and `endCursor` must tell
//! the truth on every page, and a bad cursor or page size must be a clear
//! `BAD_USER_INPUT`. A list the schema gains without a fixture here fails
//! the test by name.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::harness::*;
use crate::spaces::Twin;

/// The largest page any list gives.
const MAX: usize = app::MAX_PAGE;
/// How many items each list gets: more than two largest pages, and not a
/// multiple of any page size walked.
const ITEMS: usize = 2 * MAX + 3;

/// One argument of a list field, as the schema declares it.
#[derive(Debug, Clone)]
struct Arg {
    name: String,
    /// The named type, without list or non-null wrappers.
    ty: String,
    required_with_default: bool,
}

/// A list field of the schema: `Type.field` with its arguments.
#[derive(Debug, Clone)]
struct ListField {
    args: Vec<Arg>,
}

/// Every list field of the schema, by `Type.field`, and the values of each
/// enum type.
fn lists_of(sdl: &str) -> (BTreeMap<String, ListField>, BTreeMap<String, Vec<String>>) {
    let doc = async_graphql::parser::parse_schema(sdl).expect("the committed schema parses");
    let mut objects: BTreeMap<String, Vec<(String, String, Vec<Arg>)>> = BTreeMap::new();
    let mut enums = BTreeMap::new();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let name = t.node.name.node.to_string();
        match &t.node.kind {
            TypeKind::Object(o) => {
                let fields = o
                    .fields
                    .iter()
                    .map(|f| {
                        let args = f
                            .node
                            .arguments
                            .iter()
                            .map(|a| Arg {
                                name: a.node.name.node.to_string(),
                                ty: named(&a.node.ty.node.base),
                                required_with_default: !a.node.ty.node.nullable
                                    && a.node.default_value.is_some(),
                            })
                            .collect();
                        (
                            f.node.name.node.to_string(),
                            named(&f.node.ty.node.base),
                            args,
                        )
                    })
                    .collect();
                objects.insert(name, fields);
            }
            TypeKind::Enum(e) => {
                enums.insert(
                    name,
                    e.values
                        .iter()
                        .map(|v| v.node.value.node.to_string())
                        .collect(),
                );
            }
            _ => {}
        }
    }
    let is_list = |ty: &str| {
        objects.get(ty).is_some_and(|fields| {
            fields.iter().any(|(n, _, _)| n == "edges")
                && fields.iter().any(|(n, _, _)| n == "pageInfo")
        })
    };
    let mut lists = BTreeMap::new();
    for (owner, fields) in &objects {
        for (field, ty, args) in fields {
            if is_list(ty) {
                lists.insert(format!("{owner}.{field}"), ListField { args: args.clone() });
            }
        }
    }
    (lists, enums)
}

fn named(t: &BaseType) -> String {
    match t {
        BaseType::Named(n) => n.to_string(),
        BaseType::List(inner) => named(&inner.base),
    }
}

/// How to reach one list and what it must hold.
struct Fixture {
    /// `Type.field`, as [`lists_of`] names it.
    at: &'static str,
    token: String,
    /// Declarations of the query's own variables, e.g. `, $id: ID!`.
    decl: &'static str,
    /// The selection from the root down to the list, with `ARGS` where the
    /// list's paging arguments go and `CONN` where its selection goes.
    body: &'static str,
    vars: Value,
    /// The path of response keys from `data` to the connection.
    path: &'static [&'static str],
    /// The selection of each node; the node as answered is its identity.
    node: &'static str,
    /// Nodes the list must hold (each as its JSON text).
    seeded: BTreeSet<String>,
}

fn ids(list: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    list.into_iter()
        .map(|id| json!({ "id": id }).to_string())
        .collect()
}

/// The request of one page, with `extra` arguments (the variant walked).
fn page_query(f: &Fixture, direction: &str, extra: &str) -> String {
    let args = format!("first: $n, {direction}: $c{extra}");
    let conn = format!(
        "edges {{ cursor node {{ {} }} }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}",
        f.node
    );
    let body = f.body.replace("ARGS", &args).replace("CONN", &conn);
    format!("query($n: Int, $c: String{}) {{ {body} }}", f.decl)
}

fn at_path<'a>(data: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(data, |v, k| match v {
        Value::Array(a) => &a[0][k],
        _ => &v[k],
    })
}

/// Pages through a list `n` items at a time and returns what it held, in
/// order, checking every page on the way.
async fn walk(s: &TestServer, f: &Fixture, direction: &str, extra: &str, n: usize) -> Vec<String> {
    let query = page_query(f, direction, extra);
    let mut seen = Vec::new();
    let mut distinct = BTreeSet::new();
    let mut cursor = Value::Null;
    let mut vars = f.vars.clone();
    for page in 0.. {
        assert!(
            page <= 2 * ITEMS + 2,
            "{}{extra}: first {n} never ends",
            f.at
        );
        vars["n"] = json!(n);
        vars["c"] = cursor.clone();
        let r = s.gql(Some(&f.token), &query, vars.clone()).await;
        assert!(
            r.code().is_none() && r.body.get("errors").is_none(),
            "{}{extra}, first {n}, page {page}: {}",
            f.at,
            r.body
        );
        let conn = at_path(&r.body["data"], f.path);
        let edges = conn["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no connection at {:?}: {}", f.at, f.path, r.body));
        let info = &conn["pageInfo"];
        for e in edges {
            let key = e["node"].to_string();
            assert!(
                distinct.insert(key.clone()),
                "{}{extra}, first {n}: {key} came twice",
                f.at
            );
            seen.push(key);
        }
        if let (Some(first), Some(last)) = (edges.first(), edges.last()) {
            assert_eq!(
                info["startCursor"], first["cursor"],
                "{}{extra}: startCursor",
                f.at
            );
            assert_eq!(
                info["endCursor"], last["cursor"],
                "{}{extra}: endCursor",
                f.at
            );
        }
        if direction == "after" {
            assert_eq!(
                info["hasPreviousPage"],
                json!(!cursor.is_null()),
                "{}{extra}, first {n}, page {page}: hasPreviousPage",
                f.at
            );
        }
        assert!(edges.len() <= n, "{}: a page is longer than asked", f.at);
        if info["hasNextPage"] != true {
            break;
        }
        assert_eq!(
            edges.len(),
            n,
            "{}{extra}, first {n}, page {page}: a page before the last is full",
            f.at
        );
        cursor = info["endCursor"].clone();
    }
    seen
}

/// The error code a list answers with for these paging values.
async fn code_for(s: &TestServer, f: &Fixture, direction: &str, n: Value, c: Value) -> String {
    let mut vars = f.vars.clone();
    vars["n"] = n;
    vars["c"] = c;
    let r = s
        .gql(Some(&f.token), &page_query(f, direction, ""), vars)
        .await;
    r.code().unwrap_or("none").to_owned()
}

/// The variants of a list worth walking apart: each value of an ordering
/// or flag argument that has a default.
fn variants(field: &ListField, enums: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut out = vec![String::new()];
    for a in field.args.iter().filter(|a| a.required_with_default) {
        let values: Vec<String> = match a.ty.as_str() {
            "Boolean" => vec!["true".into(), "false".into()],
            t => enums.get(t).cloned().unwrap_or_default(),
        };
        out = out
            .iter()
            .flat_map(|o| values.iter().map(move |v| format!("{o}, {}: {v}", a.name)))
            .collect();
    }
    out
}

async fn check(
    s: &TestServer,
    f: &Fixture,
    field: &ListField,
    enums: &BTreeMap<String, Vec<String>>,
) {
    let has = |name: &str| field.args.iter().any(|a| a.name == name);
    assert!(has("first"), "{} takes no `first`", f.at);
    let direction = match (has("after"), has("before")) {
        (true, false) => "after",
        (false, true) => "before",
        other => panic!("{}: after/before {other:?}", f.at),
    };
    // One item a page through the whole list once; the other orderings
    // and flags in pages of a few, which cross as many page boundaries.
    for (i, extra) in variants(field, enums).into_iter().enumerate() {
        let small = if i == 0 { 1 } else { 7 };
        let one = walk(s, f, direction, &extra, small).await;
        let most = walk(s, f, direction, &extra, MAX).await;
        if one != most {
            let at = one.iter().zip(&most).take_while(|(a, b)| a == b).count();
            panic!(
                "{}{extra}: pages of {small} held {} items and pages of {MAX} held {}; they part at item {at}",
                f.at,
                one.len(),
                most.len()
            );
        }
        assert!(
            one.len() > 2 * MAX,
            "{}{extra}: only {} items to page through",
            f.at,
            one.len()
        );
        let held: BTreeSet<&String> = one.iter().collect();
        let missing: Vec<&String> = f.seeded.iter().filter(|k| !held.contains(k)).collect();
        assert!(missing.is_empty(), "{}{extra}: missing {missing:?}", f.at);
    }
    for n in [json!(0), json!(-1), json!(MAX + 1)] {
        assert_eq!(
            code_for(s, f, direction, n.clone(), Value::Null).await,
            "BAD_USER_INPUT",
            "{}: first {n}",
            f.at
        );
    }
    for c in ["%%%", "not a cursor!"] {
        assert_eq!(
            code_for(s, f, direction, json!(1), json!(c)).await,
            "BAD_USER_INPUT",
            "{}: {direction} {c:?}",
            f.at
        );
    }
}

fn event_form(now: chrono::DateTime<chrono::Utc>, i: usize) -> app::EventForm {
    let start = now + chrono::Duration::hours(2 + i as i64);
    app::EventForm {
        kind: app::EventKind::Webinar,
        title: format!("Webinar {i}"),
        description: None,
        agenda: vec![],
        starts_at: start,
        ends_at: start + chrono::Duration::hours(1),
        time_zone: "Asia/Yerevan".into(),
        place: None,
        join_url: Some("https://meet.example/webinar".into()),
        mentors: vec![],
        audience: app::EventAudience::Network,
        capacity: None,
    }
}

/// Sets up more than two largest pages of everything the API lists.
async fn fixtures(t: &Twin) -> Vec<Fixture> {
    let net = &t.net;
    let app = &net.s.app;
    let meta = app::RequestMeta::default();
    let admin_token = net.token(Actor::Admin).unwrap().to_owned();
    let admin = net.admin_viewer().await;
    let teacher = net.viewer_of("teacher.a1").await;
    let coord = net.viewer_of("coord.a1").await;
    let a1 = app::SchoolId::parse(&net.a1).unwrap();
    let channel = app::ChannelId::parse(&t.general).unwrap();
    let space = app::SpaceId::parse(&t.space).unwrap();
    let mut out = Vec::new();

    // A channel's threads, each mentioning a teacher of the other school,
    // and the answers to one of them.
    let mut threads = Vec::new();
    for i in 0..ITEMS {
        let m = app
            .spaces()
            .post_message(&teacher, &channel, &format!("@teacher.b1 thread {i}"), None)
            .await
            .unwrap();
        threads.push(m.id.to_string());
    }
    let parent = app::MessageId::parse(&threads[0]).unwrap();
    let mut answers = Vec::new();
    for i in 0..ITEMS {
        let m = app
            .spaces()
            .post_message(&teacher, &channel, &format!("answer {i}"), Some(&parent))
            .await
            .unwrap();
        answers.push(m.id.to_string());
    }
    out.push(Fixture {
        at: "Channel.messages",
        token: t.teacher_a1.clone(),
        decl: ", $channel: ID!",
        body: "channel(id: $channel) { messages(ARGS) { CONN } }",
        vars: json!({ "channel": t.general }),
        path: &["channel", "messages"],
        node: "id",
        seeded: ids(threads.clone()),
    });
    out.push(Fixture {
        at: "Message.replies",
        token: t.teacher_a1.clone(),
        decl: ", $message: ID!",
        body: "message(id: $message) { replies(ARGS) { CONN } }",
        vars: json!({ "message": parent.to_string() }),
        path: &["message", "replies"],
        node: "id",
        seeded: ids(answers),
    });
    out.push(Fixture {
        at: "Query.myNotifications",
        token: t.teacher_b1.clone(),
        decl: "",
        body: "myNotifications(ARGS) { CONN }",
        vars: json!({}),
        path: &["myNotifications"],
        node: "id",
        seeded: BTreeSet::new(),
    });

    // Pupils of one school, all in the twinning space.
    let mut pupils = Vec::new();
    for i in 0..ITEMS {
        pupils.push(
            net.person(
                &format!("pupil.{i}"),
                app::Role::Student,
                Some(&net.a1),
                Some("AM"),
            )
            .await,
        );
    }
    let pupil_ids: Vec<app::UserId> = pupils
        .iter()
        .map(|p| app::UserId::parse(p).unwrap())
        .collect();
    for chunk in pupil_ids.chunks(MAX) {
        app.spaces()
            .add_space_students(&teacher, &space, chunk, &meta)
            .await
            .unwrap();
    }
    out.push(Fixture {
        at: "School.people",
        token: net.token(Actor::SchoolCoordinator).unwrap().to_owned(),
        decl: ", $school: ID!",
        body: "school(id: $school) { people(ARGS) { CONN } }",
        vars: json!({ "school": net.a1 }),
        path: &["school", "people"],
        node: "id",
        seeded: ids(pupils.clone()),
    });
    // The teacher reports each thread (any member may): the queue.
    for m in &threads {
        let m = app::MessageId::parse(m).unwrap();
        app.spaces()
            .report_message(&teacher, &m, "Unkind")
            .await
            .unwrap();
    }
    let mut reports = Vec::new();
    let mut page = app::PageRequest::parse(Some(MAX as i32), None).unwrap();
    loop {
        let got = app
            .spaces()
            .space_reports(&teacher, &space, None, &page)
            .await
            .unwrap();
        reports.extend(got.items.iter().map(|(_, r)| r.id.to_string()));
        if !got.has_next {
            break;
        }
        page = app::PageRequest::parse(Some(MAX as i32), got.items.last().map(|(c, _)| c.as_str()))
            .unwrap();
    }
    assert_eq!(reports.len(), ITEMS);
    out.push(Fixture {
        at: "Space.reports",
        token: t.teacher_a1.clone(),
        decl: ", $space: ID!",
        body: "space(id: $space) { reports(ARGS) { CONN } }",
        vars: json!({ "space": t.space }),
        path: &["space", "reports"],
        node: "id",
        seeded: ids(reports),
    });
    out.push(Fixture {
        at: "Space.members",
        token: t.teacher_a1.clone(),
        decl: ", $space: ID!",
        body: "space(id: $space) { members(ARGS) { CONN } }",
        vars: json!({ "space": t.space }),
        path: &["space", "members"],
        node: "id",
        seeded: ids(pupils),
    });

    // Spaces one teacher belongs to.
    let mut spaces = vec![t.space.clone()];
    for i in 0..ITEMS {
        let d = app::SpaceDetails::parse(
            &format!("Space {i}"),
            "",
            "Water",
            vec![],
            &["en".into()],
            None,
            None,
        )
        .unwrap();
        spaces.push(
            app.spaces()
                .create_space(&teacher, d, &meta)
                .await
                .unwrap()
                .id
                .to_string(),
        );
    }
    out.push(Fixture {
        at: "Query.mySpaces",
        token: t.teacher_a1.clone(),
        decl: "",
        body: "mySpaces(ARGS) { CONN }",
        vars: json!({}),
        path: &["mySpaces"],
        node: "id",
        seeded: ids(spaces),
    });

    // Mentors of the network.
    let mut mentors = Vec::new();
    for i in 0..ITEMS {
        mentors.push(
            net.person(&format!("chair.{i}"), app::Role::Mentor, None, None)
                .await,
        );
    }
    out.push(Fixture {
        at: "Query.mentors",
        token: admin_token.clone(),
        decl: "",
        body: "mentors(ARGS) { CONN }",
        vars: json!({}),
        path: &["mentors"],
        node: "id",
        seeded: ids(mentors),
    });

    // The audit trail: the teacher hides each thread (each hiding is
    // audited); the administrator reads that kind of act.
    for m in &threads {
        let m = app::MessageId::parse(m).unwrap();
        app.spaces()
            .hide_message(&teacher, &m, Some("Checking"), &meta)
            .await
            .unwrap();
    }
    out.push(Fixture {
        at: "Query.auditTrail",
        token: admin_token.clone(),
        decl: "",
        body: "auditTrail(ARGS, action: \"hide_message\") { CONN }",
        vars: json!({}),
        path: &["auditTrail"],
        node: "target",
        seeded: threads
            .iter()
            .map(|t| json!({ "target": t }).to_string())
            .collect(),
    });

    // Invitations one coordinator sent.
    let mut invitations = Vec::new();
    for i in 0..ITEMS {
        let form = app::InvitationForm {
            role: app::Role::Teacher,
            email: format!("invited.{i}@school.example"),
            display_name: format!("Invited {i}"),
            school: Some(net.a1.clone()),
            country: None,
            mentor: None,
        };
        let issued = app
            .people()
            .invite_person(&coord, &form, &meta)
            .await
            .unwrap();
        invitations.push(issued.invitation.id.to_string());
    }
    out.push(Fixture {
        at: "Query.myInvitations",
        token: net.token(Actor::SchoolCoordinator).unwrap().to_owned(),
        decl: "",
        body: "myInvitations(ARGS) { CONN }",
        vars: json!({}),
        path: &["myInvitations"],
        node: "id",
        seeded: ids(invitations),
    });

    // Events of the network, each with the teacher registered.
    let mut events = Vec::new();
    let now = app.now();
    for i in 0..ITEMS {
        let details = app::EventDetails::parse(event_form(now, i)).unwrap();
        let e = app
            .events()
            .create_event(&admin, details, &meta)
            .await
            .unwrap();
        app.events()
            .register_for_event(&teacher, &e.id, true, &[])
            .await
            .unwrap();
        events.push(e.id.to_string());
    }
    out.push(Fixture {
        at: "Query.events",
        token: t.teacher_a1.clone(),
        decl: "",
        body: "events(ARGS) { CONN }",
        vars: json!({}),
        path: &["events"],
        node: "id",
        seeded: ids(events.clone()),
    });
    out.push(Fixture {
        at: "Query.myEvents",
        token: t.teacher_a1.clone(),
        decl: "",
        body: "myEvents(ARGS) { CONN }",
        vars: json!({}),
        path: &["myEvents"],
        node: "id",
        seeded: ids(events),
    });

    // Schools of one country.
    let mut schools = Vec::new();
    for i in 0..ITEMS {
        let form = school_form(&format!("Lithuanian school {i}"), "LT");
        schools.push(
            app.network()
                .seed_school(&form, app::SchoolStatus::Approved, i % 2 == 0)
                .await
                .unwrap()
                .id
                .to_string(),
        );
    }
    out.push(Fixture {
        at: "Country.schools",
        token: admin_token.clone(),
        decl: "",
        body: "country(code: \"LT\") { schools(ARGS) { CONN } }",
        vars: json!({}),
        path: &["country", "schools"],
        node: "id",
        seeded: ids(schools.clone()),
    });
    out.push(Fixture {
        at: "Query.schools",
        token: admin_token.clone(),
        decl: "",
        body: "schools(country: \"LT\", ARGS) { CONN }",
        vars: json!({}),
        path: &["schools"],
        node: "id",
        seeded: ids(schools),
    });

    // Materials of a school's library, in one folder, published to the
    // network so that search finds them; one of them with many files, one
    // file with many versions.
    let library = app::Library::School(a1.clone());
    let folder = app
        .materials()
        .create_folder(
            &teacher,
            &library,
            None,
            app::FolderName::parse("Rivers").unwrap(),
            &meta,
        )
        .await
        .unwrap();
    let mut materials = Vec::new();
    for i in 0..ITEMS {
        let details = app::MaterialForm {
            title: format!("Quokka lesson {i:03}"),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let m = app
            .materials()
            .create_material(
                &teacher,
                &library,
                Some(&folder.id),
                details,
                app::Visibility::Network,
                &meta,
            )
            .await
            .unwrap();
        app.materials()
            .set_material_status(&teacher, &m.id, app::MaterialStatus::Published, &meta)
            .await
            .unwrap();
        materials.push(m.id.to_string());
    }
    let material = app::MaterialId::parse(&materials[0]).unwrap();
    let mut files = Vec::new();
    for i in 0..ITEMS {
        let v = app
            .materials()
            .upload_small_file(
                &teacher,
                &material,
                None,
                &format!("sheet-{i}.txt"),
                None,
                format!("sheet {i}").into(),
            )
            .await
            .unwrap();
        files.push(v.file.to_string());
    }
    let file = app::MaterialFileId::parse(&files[0]).unwrap();
    let mut versions = Vec::new();
    for i in 0..ITEMS {
        let v = app
            .materials()
            .upload_small_file(
                &teacher,
                &material,
                Some(&file),
                "sheet-0.txt",
                None,
                format!("sheet 0, draft {i}").into(),
            )
            .await
            .unwrap();
        versions.push(v.id.to_string());
    }
    app.searching().index_pending().await.unwrap();
    out.push(Fixture {
        at: "Library.materials",
        token: t.teacher_a1.clone(),
        decl: ", $school: ID!, $folder: ID",
        body: "library(schoolId: $school) { materials(folderId: $folder, ARGS) { CONN } }",
        vars: json!({ "school": net.a1, "folder": folder.id.to_string() }),
        path: &["library", "materials"],
        node: "id",
        seeded: ids(materials.clone()),
    });
    out.push(Fixture {
        at: "Folder.materials",
        token: t.teacher_a1.clone(),
        decl: ", $school: ID!, $folder: ID!",
        body: "library(schoolId: $school) { folder(id: $folder) { materials(ARGS) { CONN } } }",
        vars: json!({ "school": net.a1, "folder": folder.id.to_string() }),
        path: &["library", "folder", "materials"],
        node: "id",
        seeded: ids(materials.clone()),
    });
    out.push(Fixture {
        at: "Material.files",
        token: t.teacher_a1.clone(),
        decl: ", $material: ID!",
        body: "material(id: $material) { files(ARGS) { CONN } }",
        vars: json!({ "material": material.to_string() }),
        path: &["material", "files"],
        node: "id",
        seeded: ids(files),
    });
    out.push(Fixture {
        at: "MaterialFile.versions",
        token: t.teacher_a1.clone(),
        decl: ", $material: ID!",
        body: "material(id: $material) { files(first: 1) { edges { node { versions(ARGS) { CONN } } } } }",
        vars: json!({ "material": material.to_string() }),
        path: &["material", "files", "edges", "node", "versions"],
        node: "id",
        seeded: ids(versions),
    });
    out.push(Fixture {
        at: "Query.search",
        token: t.teacher_a1.clone(),
        decl: "",
        body: "search(query: \"quokka\", ARGS) { CONN }",
        vars: json!({}),
        path: &["search"],
        node: "result { ... on Material { id } }",
        seeded: materials
            .into_iter()
            .map(|id| json!({ "result": { "id": id } }).to_string())
            .collect(),
    });
    out
}

#[tokio::test]
async fn every_list_of_the_api_pages_truthfully_at_every_page_size() {
    let sdl =
        std::fs::read_to_string(crate::tidy::root().join("schema").join("schema.graphql")).unwrap();
    let (lists, enums) = lists_of(&sdl);
    assert!(lists.len() >= 17, "the schema's lists: {:?}", lists.keys());
    let t = Twin::new().await;
    let fixtures = fixtures(&t).await;
    let covered: BTreeSet<&str> = fixtures.iter().map(|f| f.at).collect();
    let uncovered: Vec<&String> = lists
        .keys()
        .filter(|k| !covered.contains(k.as_str()))
        .collect();
    assert!(
        uncovered.is_empty(),
        "lists of the schema without a fixture in this test: {uncovered:?}"
    );
    let s = &t.net.s;
    futures::stream::iter(&fixtures)
        .for_each_concurrent(4, |f| {
            let field = lists
                .get(f.at)
                .unwrap_or_else(|| panic!("{} is not a list of the schema", f.at));
            check(s, f, field, &enums)
        })
        .await;
}
