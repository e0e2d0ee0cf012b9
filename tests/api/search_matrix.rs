//! The authorization matrix's operations on search. Each row makes one
//! thing in the place of the relation, with a word nobody else uses, has it
//! indexed, and asks whether the actor's search finds it: a material of the
//! relation's school (published for the school's people, published for
//! everyone, or a draft), a twinning space of that school, and a message
//! its student posted there. What search may find must be exactly what the
//! rows of `material`, `space` and `message` say may be read.

use serde_json::json;

use crate::authorization::Outcome;
use crate::harness::*;

pub const ROWS: &[&str] = &[
    "search",
    "search:public",
    "search:draft",
    "search:space",
    "search:message",
    "suggest",
];

fn slug(rel: Relation) -> &'static str {
    match rel {
        Relation::OwnSchool => "a1",
        Relation::SameCountry => "a2",
        Relation::OtherCountry => "b1",
    }
}

/// A word of its own for each thing, found by nothing else.
fn word(net: &Net) -> String {
    format!("qz{}matrix", net.next())
}

async fn material(
    net: &Net,
    rel: Relation,
    title: &str,
    visibility: app::Visibility,
    publish: bool,
) -> String {
    let app = &net.s.app;
    let meta = app::RequestMeta::default();
    let teacher = net.viewer_of(&format!("teacher.{}", slug(rel))).await;
    let (school, _) = net.place(rel);
    let details = app::MaterialForm {
        title: title.into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let library = app::Library::School(app::SchoolId::parse(&school).unwrap());
    let m = app
        .materials()
        .create_material(&teacher, &library, None, details, visibility, &meta)
        .await
        .unwrap();
    if publish {
        app.materials()
            .set_material_status(&teacher, &m.id, app::MaterialStatus::Published, &meta)
            .await
            .unwrap();
    }
    m.id.to_string()
}

async fn finds(net: &Net, actor: Actor, field: &str, query: &str, id: &str) -> Outcome {
    net.s.app.searching().index_pending().await.unwrap();
    let (q, path): (&str, &[&str]) = if field == "suggest" {
        (
            "query($q: String!) { suggest(prefix: $q, first: 10) { result { ... on Material { id } } } }",
            &["suggest"],
        )
    } else {
        (
            "query($q: String!) { search(query: $q, first: 20) { totalCount edges { node { result { \
             ... on Material { id } ... on Space { id } ... on Message { id } } } } } }",
            &["search", "edges"],
        )
    };
    let r = net.gql(actor, q, json!({ "q": query })).await;
    assert!(r.body["errors"].is_null(), "{field}: {}", r.body);
    let mut list = &r.body["data"];
    for p in path {
        list = &list[*p];
    }
    let hit = list.as_array().unwrap().iter().any(|h| {
        let result = if field == "suggest" {
            &h["result"]
        } else {
            &h["node"]["result"]
        };
        result["id"] == id
    });
    if hit {
        Outcome::Allowed
    } else {
        Outcome::Denied("absent".into())
    }
}

pub async fn run(net: &Net, field: &str, actor: Actor, rel: Relation) -> Outcome {
    let w = word(net);
    let title = format!("Matrix {w}");
    let id = match field {
        "search" | "suggest" => material(net, rel, &title, app::Visibility::Space, true).await,
        "search:public" => material(net, rel, &title, app::Visibility::Public, true).await,
        "search:draft" => material(net, rel, &title, app::Visibility::Network, false).await,
        "search:space" => {
            let teacher = net.viewer_of(&format!("teacher.{}", slug(rel))).await;
            let details =
                app::SpaceDetails::parse(&title, "", "Water", vec![], &["en".into()], None, None)
                    .unwrap();
            net.s
                .app
                .spaces()
                .create_space(&teacher, details, &app::RequestMeta::default())
                .await
                .unwrap()
                .id
                .to_string()
        }
        "search:message" => {
            let f = crate::space_matrix::fixture(net, rel).await;
            let student = net.viewer_of(&format!("student.{}", slug(rel))).await;
            let channel = app::ChannelId::parse(&f.general).unwrap();
            net.s
                .app
                .spaces()
                .post_message(&student, &channel, &format!("About {w}"), None)
                .await
                .unwrap()
                .id
                .to_string()
        }
        other => panic!("no search row {other}"),
    };
    // The word alone, as typed so far for suggestions; quoted for search,
    // so that no other row's word is found by a typo's margin.
    let query = if field == "suggest" {
        w.clone()
    } else {
        format!("\"{w}\"")
    };
    finds(net, actor, field, &query, &id).await
}
