//! Search end to end, through GraphQL: a multilingual test set (a material
//! in each language of the network, found by a wrong ending, a typo, a
//! prefix and — for Kazakh, Uzbek and Azerbaijani — the other alphabet),
//! facet counts that match the results, what students and outsiders must
//! never find, the index following every change, suggestions, bad input,
//! and a server killed during a bulk import.

use std::collections::BTreeSet;
use std::io::BufRead;
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::*;
use crate::materials::CREATE;

const SEARCH: &str = "query($q: String!, $f: SearchFilter, $first: Int, $after: String, $sort: SearchSort) { \
    search(query: $q, filter: $f, first: $first, after: $after, sort: $sort) { totalCount partialMatch \
    pageInfo { hasNextPage endCursor } facets { name values { value label count } } \
    edges { cursor node { score highlights { field html } result { __typename \
    ... on Material { id title } ... on School { id } ... on Space { id title } ... on Message { id body } } } } } }";

async fn search(s: &TestServer, token: Option<&str>, q: &str, filter: Value) -> Value {
    let r = s
        .gql(token, SEARCH, json!({ "q": q, "f": filter, "first": 20 }))
        .await;
    data(&r)["search"].clone()
}

fn ids(results: &Value) -> Vec<String> {
    results["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["result"]["id"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn facet(results: &Value, name: &str) -> Vec<(String, u64)> {
    results["facets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["name"] == name)
        .flat_map(|f| f["values"].as_array().unwrap().clone())
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_owned(),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A published material in school A1's library, made by its teacher.
async fn published(net: &Net, material: Value) -> String {
    let mut input = json!({ "schoolId": net.a1, "material": material });
    if input["material"]["visibility"].is_null() {
        input["material"]["visibility"] = json!("NETWORK");
    }
    let teacher = net.token(Actor::Teacher);
    let r = net.s.gql(teacher, CREATE, json!({ "i": input })).await;
    let id = data(&r)["createMaterial"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = net
        .s
        .gql(
            teacher,
            "mutation($id: ID!) { publishMaterial(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    data(&r);
    id
}

/// One language of the network: a material in it, and queries that must
/// find it — (what the query tests, the query). A query ending in a space
/// is a finished word; one without is still being typed (a prefix).
struct Case {
    lang: &'static str,
    title: &'static str,
    summary: &'static str,
    queries: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        lang: "ru",
        title: "Экологический проект школьников",
        summary: "Ученики изучают чистоту воды в реке.",
        queries: &[
            ("ending", "экологические проекты "),
            ("typo", "экалогический "),
            ("prefix", "экологи"),
        ],
    },
    Case {
        lang: "en",
        title: "Renewable energy experiments in classrooms",
        summary: "Pupils build small wind turbines.",
        queries: &[
            ("ending", "renewables experiment "),
            ("typo", "experimnets "),
            ("prefix", "classro"),
        ],
    },
    Case {
        lang: "uk",
        title: "Екологічне виховання школярів",
        summary: "Учні доглядають за шкільним садом.",
        queries: &[
            ("ending", "екологічного виховання школярам "),
            ("typo", "виховвання "),
            ("prefix", "школя"),
        ],
    },
    Case {
        lang: "be",
        title: "Экалагічная адукацыя ў школе",
        summary: "Вучні даследуюць рэчку.",
        queries: &[
            ("ending", "экалагічнай адукацыі "),
            ("typo", "адукацыа "),
            ("prefix", "экалаг"),
        ],
    },
    Case {
        lang: "bg",
        title: "Екологично образование в училище",
        summary: "Учениците садят дървета.",
        queries: &[
            ("ending", "екологичното образованието "),
            ("typo", "образувание "),
            ("prefix", "училищ"),
        ],
    },
    Case {
        lang: "hy",
        title: "Շրջակա միջավայրի պահպանություն դպրոցում",
        summary: "Աշակերտները ծառեր են տնկում։",
        queries: &[
            ("ending", "միջավայր պահպանության "),
            ("typo", "դպորցում "),
            ("prefix", "պահպան"),
        ],
    },
    Case {
        lang: "az",
        title: "Məktəbdə ekoloji təhsil layihəsi",
        summary: "Şagirdlər ağac əkirlər.",
        queries: &[
            ("ending", "məktəbin layihəsini "),
            ("typo", "ekolji "),
            ("prefix", "təhsi"),
            ("other script", "мәктәбдә "),
        ],
    },
    Case {
        lang: "et",
        title: "Keskkonnaharidus koolis",
        summary: "Õpilased istutavad puid.",
        queries: &[
            ("ending", "keskkonnahariduse kooli "),
            ("typo", "keskonnaharidus "),
            ("prefix", "keskkonna"),
        ],
    },
    Case {
        lang: "kk",
        title: "Мектептегі экологиялық білім",
        summary: "Оқушылар ағаш отырғызады.",
        queries: &[
            ("ending", "мектептің экологиялық білімі "),
            ("typo", "экологиалық "),
            ("prefix", "экологиял"),
            ("other script", "ekologiialyq bilim "),
        ],
    },
    Case {
        lang: "ky",
        title: "Мектепте экологиялык билим берүү",
        summary: "Окуучулар дарак отургузушат.",
        queries: &[
            ("ending", "мектептин экологиялык "),
            ("typo", "эколгиялык "),
            ("prefix", "берү"),
        ],
    },
    Case {
        lang: "lv",
        title: "Vides izglītība skolā",
        summary: "Skolēni stāda kokus.",
        queries: &[
            ("ending", "vides izglītības skolās "),
            ("typo", "izglītbia "),
            ("prefix", "izglī"),
        ],
    },
    Case {
        lang: "lt",
        title: "Aplinkosauginis švietimas mokykloje",
        summary: "Mokiniai sodina medžius.",
        queries: &[
            ("ending", "aplinkosauginio švietimo mokyklos "),
            ("typo", "aplinkosaguinis "),
            ("prefix", "švieti"),
        ],
    },
    Case {
        lang: "ro",
        title: "Educație ecologică în școală",
        summary: "Elevii plantează copaci.",
        queries: &[
            ("ending", "educația ecologice "),
            ("typo", "ecologcă "),
            ("prefix", "educa"),
        ],
    },
    Case {
        lang: "tg",
        title: "Таълими экологӣ дар мактаб",
        summary: "Хонандагон дарахт мешинонанд.",
        queries: &[
            ("ending", "мактабҳо таълим "),
            ("typo", "мактб "),
            ("prefix", "эколог"),
        ],
    },
    Case {
        lang: "uz-Latn",
        title: "Maktabda ekologik taʼlim loyihasi",
        summary: "O‘quvchilar daraxt ekishadi.",
        queries: &[
            ("ending", "maktabga loyihalar "),
            ("typo", "ekologk "),
            ("prefix", "loyih"),
            ("other script", "мактабда экологик таълим "),
        ],
    },
    Case {
        lang: "uz-Cyrl",
        title: "Ўқитувчилар учун қўлланма",
        summary: "Дарс режалари тўплами.",
        queries: &[
            ("ending", "ўқитувчига "),
            ("prefix", "қўлла"),
            ("other script", "o‘qituvchilar uchun "),
        ],
    },
];

/// The issue's own test: queries with a wrong ending, a typo, a prefix or
/// the other alphabet find the material in each language of the network,
/// among the first five results.
#[tokio::test]
async fn queries_find_materials_in_every_language_of_the_network() {
    let net = Net::new().await;
    let mut made = Vec::new();
    for c in CASES {
        let id = published(
            &net,
            json!({ "title": c.title, "summary": c.summary, "languages": [c.lang], "kind": "LESSON_PLAN" }),
        )
        .await;
        made.push(id);
    }
    net.s.app.searching().index_pending().await.unwrap();
    let student = net.token(Actor::Student);
    let mut missed = Vec::new();
    let mut asked = 0;
    for (c, id) in CASES.iter().zip(&made) {
        for (what, q) in c.queries {
            asked += 1;
            let res = search(&net.s, student, q, Value::Null).await;
            let found = ids(&res);
            if !found.iter().take(5).any(|f| f == id) {
                missed.push(format!("{} {what}: {q:?} found {:?}", c.lang, found.len()));
            }
        }
    }
    assert!(
        missed.is_empty(),
        "{} of {asked} queries missed their material:\n{}",
        missed.len(),
        missed.join("\n")
    );
    // Words of none of them find none of them.
    let res = search(&net.s, student, "фотосинтезирующий квазар ", Value::Null).await;
    assert!(ids(&res).iter().all(|f| !made.contains(f)), "{res}");
    // Highlights mark what was found, escaped.
    let res = search(&net.s, student, "экологические ", Value::Null).await;
    let hit = res["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["result"]["id"] == made[0])
        .unwrap();
    let title = hit["node"]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "TITLE")
        .unwrap();
    assert_eq!(
        title["html"],
        "<mark>Экологический</mark> проект школьников"
    );
}

/// Facet counts match the results: each value's count is exactly the total
/// a search filtered by that value returns; pages walk every result once.
#[tokio::test]
async fn facet_counts_match_the_results_and_filters_narrow_them() {
    let net = Net::new().await;
    let specs = [
        ("ru", "LESSON_PLAN", 11, 14, vec![4, 13], "CC_BY"),
        ("ru", "WORKSHEET", 7, 10, vec![13], "CC_BY_SA"),
        ("en", "LESSON_PLAN", 15, 18, vec![6], "CC_BY"),
        ("kk", "PROJECT_REPORT", 11, 18, vec![4, 6, 13], "CC_0"),
        ("en", "VIDEO", 12, 16, vec![7], "CC_BY_NC"),
    ];
    let mut made = Vec::new();
    for (i, (lang, kind, lo, hi, sdgs, licence)) in specs.iter().enumerate() {
        net.s.clock.advance(chrono::Duration::minutes(1));
        made.push(
            published(
                &net,
                json!({
                    "title": format!("Вода и климат урок {i}"),
                    "summary": "Water and climate",
                    "languages": [lang], "kind": kind, "ageMin": lo, "ageMax": hi,
                    "sdgs": sdgs, "licence": licence, "subjects": ["Ecology"],
                    "pillars": ["LEARNING_TO_DO"],
                }),
            )
            .await,
        );
    }
    net.s.app.searching().index_pending().await.unwrap();
    let t = net.token(Actor::Teacher);
    let all = search(
        &net.s,
        t,
        "климат",
        json!({ "kinds": ["LESSON_PLAN", "WORKSHEET", "PROJECT_REPORT", "VIDEO"] }),
    )
    .await;
    assert_eq!(all["totalCount"], 5, "{all}");
    let mut checked = 0;
    for (name, field) in [
        ("KIND", "kinds"),
        ("LANGUAGE", "languages"),
        ("COUNTRY", "countries"),
        ("SCHOOL", "schoolIds"),
        ("SDG", "sdgs"),
        ("SUBJECT", "subjects"),
        ("AGE", "ageBands"),
        ("LICENCE", "licences"),
        ("PILLAR", "pillars"),
    ] {
        let values = facet(&all, name);
        assert!(!values.is_empty(), "no {name} facet in {all}");
        for (value, count) in values {
            let v: Value = if field == "sdgs" {
                json!([value.parse::<i32>().unwrap()])
            } else {
                json!([value])
            };
            let mut filter =
                json!({ "kinds": ["LESSON_PLAN", "WORKSHEET", "PROJECT_REPORT", "VIDEO"] });
            if field == "kinds" {
                filter = json!({});
            }
            filter[field] = v;
            let narrowed = search(&net.s, t, "климат", filter).await;
            assert_eq!(
                narrowed["totalCount"].as_u64().unwrap(),
                count,
                "{name} {value}: the facet says {count}, the filtered search {}",
                narrowed["totalCount"]
            );
            assert_eq!(ids(&narrowed).len() as u64, count);
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} facet values checked");
    let labels = all["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "COUNTRY")
        .unwrap()["values"][0]["label"]
        .clone();
    assert_eq!(labels, "Armenia");

    // An age is a range test; combined filters narrow further.
    let twelve = search(
        &net.s,
        t,
        "",
        json!({ "age": 12, "languages": ["ru", "kk"] }),
    )
    .await;
    let mut got = ids(&twelve);
    got.sort();
    let mut want = vec![made[0].clone(), made[3].clone()];
    want.sort();
    assert_eq!(got, want);

    // Newest first; pages of two walk everything once.
    let r = net
        .s
        .gql(t, SEARCH, json!({ "q": "климат", "f": { "subjects": ["ecology"] }, "first": 2, "sort": "NEWEST" }))
        .await;
    let first = data(&r)["search"].clone();
    assert_eq!(ids(&first), vec![made[4].clone(), made[3].clone()]);
    let mut seen: Vec<String> = ids(&first);
    let mut page = first;
    while page["pageInfo"]["hasNextPage"] == true {
        let r = net
            .s
            .gql(
                t,
                SEARCH,
                json!({ "q": "климат", "f": { "subjects": ["ecology"] }, "first": 2, "sort": "NEWEST", "after": page["pageInfo"]["endCursor"] }),
            )
            .await;
        page = data(&r)["search"].clone();
        seen.extend(ids(&page));
    }
    let mut expected = made.clone();
    expected.reverse();
    assert_eq!(seen, expected, "newest first, each once");
}

/// A student finds nothing of a space they are not in — not its messages,
/// not its space-only materials, not even as a facet count — nor the
/// teachers' bulletin of their own space, nor hidden messages; and a
/// member removed from a space stops finding it at once.
#[tokio::test]
async fn students_never_find_what_is_outside_their_spaces_not_even_as_a_count() {
    let net = Net::new().await;
    let app = &net.s.app;
    let meta = app::RequestMeta::default();
    let teacher_a1 = net.viewer_of("teacher.a1").await;
    let teacher_b1 = net.viewer_of("teacher.b1").await;
    let student_a1 = net.viewer_of("student.a1").await;
    let student_b1 = net.viewer_of("student.b1").await;
    let details = |t: &str| {
        app::SpaceDetails::parse(t, "", "Water", vec![], &["ru".into()], None, None).unwrap()
    };
    // Space A: teacher and student of A1. Space B: teacher and student of B1.
    let a = app
        .spaces()
        .create_space(&teacher_a1, details("Река A"), &meta)
        .await
        .unwrap();
    app.spaces()
        .add_space_students(
            &teacher_a1,
            &a.id,
            std::slice::from_ref(&student_a1.user.id),
            &meta,
        )
        .await
        .unwrap();
    let b = app
        .spaces()
        .create_space(&teacher_b1, details("Река B"), &meta)
        .await
        .unwrap();
    app.spaces()
        .add_space_students(
            &teacher_b1,
            &b.id,
            std::slice::from_ref(&student_b1.user.id),
            &meta,
        )
        .await
        .unwrap();
    let channels = |v: &app::Viewer, s: &app::SpaceId| {
        let (app, v, s) = (app.clone(), v.clone(), s.clone());
        async move { app.spaces().channels(&v, &s).await.unwrap() }
    };
    let a_channels = channels(&teacher_a1, &a.id).await;
    let a_general = a_channels.iter().find(|c| c.name == "general").unwrap();
    let a_bulletin = a_channels.iter().find(|c| c.name == "teachers").unwrap();
    let b_general = channels(&teacher_b1, &b.id)
        .await
        .into_iter()
        .find(|c| c.name == "general")
        .unwrap();

    let post = |v: &app::Viewer, c: &app::ChannelId, body: &str| {
        let (app, v, c, body) = (app.clone(), v.clone(), c.clone(), body.to_owned());
        async move {
            app.spaces()
                .post_message(&v, &c, &body, None)
                .await
                .unwrap()
        }
    };
    let mine = post(&student_a1, &a_general.id, "Измеряем зорбласт в реке").await;
    let bulletin = post(&teacher_a1, &a_bulletin.id, "Учителям: зорбласт-план").await;
    let hidden = post(&student_a1, &a_general.id, "Грубость про зорбласт").await;
    app.spaces()
        .hide_message(&teacher_a1, &hidden.id, Some("грубо"), &meta)
        .await
        .unwrap();
    let theirs = post(&student_b1, &b_general.id, "Наш зорбласт секретный").await;
    // A material of space B's library, for its members only.
    let library = app::Library::Space(b.id.clone());
    let details_m = app::MaterialForm {
        title: "Зорбласт для пространства B".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let material = app
        .materials()
        .create_material(
            &teacher_b1,
            &library,
            None,
            details_m,
            app::Visibility::Space,
            &meta,
        )
        .await
        .unwrap();
    app.materials()
        .set_material_status(
            &teacher_b1,
            &material.id,
            app::MaterialStatus::Published,
            &meta,
        )
        .await
        .unwrap();
    app.searching().index_pending().await.unwrap();

    let token = |u: &str| {
        let s = &net.s;
        let u = u.to_owned();
        async move {
            let pw = if u.starts_with("student") {
                NET_STUDENT_PASSWORD
            } else {
                NET_PASSWORD
            };
            s.token(&u, pw).await
        }
    };
    let sa1 = net.token(Actor::Student).unwrap().to_owned();
    let res = search(&net.s, Some(&sa1), "зорбласт", Value::Null).await;
    assert_eq!(ids(&res), vec![mine.id.to_string()], "{res}");
    assert_eq!(res["totalCount"], 1);
    assert_eq!(facet(&res, "KIND"), vec![("MESSAGE".to_string(), 1)]);
    for name in ["COUNTRY", "SCHOOL", "KIND"] {
        let total: u64 = facet(&res, name).iter().map(|(_, n)| n).sum();
        assert!(total <= 1, "{name}: {res}");
    }
    // Nothing of space B even when asked for everything.
    let everything = search(
        &net.s,
        Some(&sa1),
        "",
        json!({ "kinds": ["MESSAGE", "OTHER_MATERIAL", "SPACE"] }),
    )
    .await;
    let seen = ids(&everything);
    for id in [
        theirs.id.to_string(),
        material.id.to_string(),
        b.id.to_string(),
        bulletin.id.to_string(),
        hidden.id.to_string(),
    ] {
        assert!(!seen.contains(&id), "the student found {id}: {everything}");
    }
    assert_eq!(
        everything["totalCount"].as_u64().unwrap(),
        seen.len() as u64
    );

    // Space B's own people find its message and material; A1's teacher finds
    // the bulletin but nothing of B; anonymous visitors find nothing.
    let tb1 = token("teacher.b1").await;
    let res = search(&net.s, Some(&tb1), "зорбласт", Value::Null).await;
    let mut got = ids(&res);
    got.sort();
    let mut want = vec![theirs.id.to_string(), material.id.to_string()];
    want.sort();
    assert_eq!(got, want, "{res}");
    let ta1 = net.token(Actor::Teacher).unwrap().to_owned();
    let mut got = ids(&search(&net.s, Some(&ta1), "зорбласт", Value::Null).await);
    got.sort();
    let mut want = vec![mine.id.to_string(), bulletin.id.to_string()];
    want.sort();
    assert_eq!(got, want);
    let res = search(&net.s, None, "зорбласт", Value::Null).await;
    assert_eq!(res["totalCount"], 0, "{res}");
    // Kazakhstan's national coordinator observes space B.
    let nc = token("nc.kz").await;
    let got = ids(&search(&net.s, Some(&nc), "зорбласт", Value::Null).await);
    assert!(got.contains(&theirs.id.to_string()), "{got:?}");

    // Student B1 leaves space B: from then on, nothing of it.
    let sb1 = token("student.b1").await;
    assert_eq!(
        ids(&search(&net.s, Some(&sb1), "зорбласт", Value::Null).await).len(),
        2
    );
    app.spaces()
        .remove_space_member(&teacher_b1, &b.id, &student_b1.user.id, &meta)
        .await
        .unwrap();
    let res = search(&net.s, Some(&sb1), "зорбласт", Value::Null).await;
    assert_eq!(res["totalCount"], 0, "{res}");
}

/// Every change reaches the index: a new title, a file's text, taking a
/// material back to draft, deleting it; a school's card and status.
#[tokio::test]
async fn the_index_follows_edits_files_drafts_deletions_and_school_changes() {
    let net = Net::new().await;
    let t = net.token(Actor::Teacher);
    let student = net.token(Actor::Student);
    let id = published(
        &net,
        json!({ "title": "Пчёлы и цветы", "languages": ["ru"] }),
    )
    .await;
    net.s.app.searching().index_pending().await.unwrap();
    assert_eq!(
        ids(&search(&net.s, student, "пчелы ", Value::Null).await),
        vec![id.clone()]
    );

    let r = net
        .s
        .gql(
            t,
            "mutation($id: ID!, $m: MaterialInput!) { updateMaterial(id: $id, input: $m) { id } }",
            json!({ "id": id, "m": { "title": "Бабочки и луга", "languages": ["ru"], "visibility": "NETWORK" } }),
        )
        .await;
    data(&r);
    let r = crate::materials::send_small(
        &net.s,
        t,
        &id,
        None,
        "notes.txt",
        "text/plain",
        "Наблюдения за стрекозами у пруда.".as_bytes().to_vec(),
    )
    .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    net.s.app.searching().index_pending().await.unwrap();
    assert!(
        ids(&search(&net.s, student, "пчелы ", Value::Null).await).is_empty(),
        "nothing stale"
    );
    assert_eq!(
        ids(&search(&net.s, student, "бабочки ", Value::Null).await),
        vec![id.clone()]
    );
    let res = search(&net.s, student, "стрекоза ", Value::Null).await;
    assert_eq!(ids(&res), vec![id.clone()], "found by its file's text");
    let text = &res["edges"][0]["node"]["highlights"];
    assert!(
        text.to_string().contains("<mark>стрекозами</mark>"),
        "{text}"
    );

    let r = net
        .s
        .gql(
            t,
            "mutation($id: ID!) { publishMaterial(id: $id, published: false) { status } }",
            json!({ "id": id }),
        )
        .await;
    data(&r);
    net.s.app.searching().index_pending().await.unwrap();
    assert!(
        ids(&search(&net.s, student, "бабочки ", Value::Null).await).is_empty(),
        "drafts hide"
    );
    assert_eq!(
        ids(&search(&net.s, t, "бабочки ", Value::Null).await),
        vec![id.clone()],
        "but not from their author"
    );

    let r = net
        .s
        .gql(
            t,
            "mutation($id: ID!) { deleteMaterial(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    data(&r);
    net.s.app.searching().index_pending().await.unwrap();
    assert!(
        ids(&search(&net.s, t, "бабочки ", Value::Null).await).is_empty(),
        "deleted"
    );

    // A school is found by its name; suspended, only by its own people.
    let school = |q: &str, token| {
        let s = &net.s;
        let q = q.to_owned();
        async move {
            let r = search(s, token, &q, json!({ "kinds": ["SCHOOL"] })).await;
            ids(&r)
        }
    };
    assert_eq!(school("School B1", student).await, vec![net.b1.clone()]);
    let r = net
        .gql(
            Actor::Admin,
            "mutation($id: ID!) { suspendSchool(id: $id, reason: \"audit\") { status } }",
            json!({ "id": net.b1 }),
        )
        .await;
    data(&r);
    net.s.app.searching().index_pending().await.unwrap();
    assert!(!school("School B1", student).await.contains(&net.b1));
    let r = search(&net.s, student, "School B1", json!({ "kinds": ["SCHOOL"] })).await;
    assert_eq!(
        r["partialMatch"], true,
        "other schools have some of the words: {r}"
    );
    assert_eq!(
        school("School B1", net.token(Actor::Admin)).await,
        vec![net.b1.clone()]
    );
}

/// Suggestions complete the word being typed, among what the asker may see.
#[tokio::test]
async fn suggestions_complete_what_is_being_typed() {
    let net = Net::new().await;
    let id = published(
        &net,
        json!({ "title": "Фотосинтез в школьной теплице", "languages": ["ru"] }),
    )
    .await;
    let draft = {
        let input = json!({ "schoolId": net.a1, "material": { "title": "Фотография природы", "languages": ["ru"], "visibility": "NETWORK" } });
        let r = net.gql(Actor::Teacher, CREATE, json!({ "i": input })).await;
        data(&r)["createMaterial"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    net.s.app.searching().index_pending().await.unwrap();
    let suggest = |actor, prefix: &str| {
        let net = &net;
        let prefix = prefix.to_owned();
        async move {
            let r = net
                .gql(
                    actor,
                    "query($p: String!) { suggest(prefix: $p) { highlights { field html } result { ... on Material { id } } } }",
                    json!({ "p": prefix }),
                )
                .await;
            data(&r)["suggest"].as_array().unwrap().clone()
        }
    };
    let got = suggest(Actor::Student, "фото").await;
    let found: Vec<&str> = got
        .iter()
        .map(|h| h["result"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        found,
        vec![id.as_str()],
        "the student does not see the draft"
    );
    assert_eq!(
        got[0]["highlights"][0]["html"],
        "<mark>Фотосинтез</mark> в школьной теплице"
    );
    let mine = suggest(Actor::Teacher, "фото").await;
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().any(|h| h["result"]["id"] == draft));
    assert!(suggest(Actor::Student, "  ").await.is_empty());
}

/// Bad input gets BAD_USER_INPUT naming what is wrong, and nothing breaks.
#[tokio::test]
async fn bad_searches_get_clear_errors() {
    let net = Net::new().await;
    let t = net.token(Actor::Teacher);
    let long = "слово ".repeat(60);
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "q": long }), "query"),
        (json!({ "q": "a\u{0007}b" }), "query"),
        (json!({ "q": "x", "f": { "sdgs": [18] } }), "sdgs"),
        (
            json!({ "q": "x", "f": { "languages": ["not a language"] } }),
            "languages",
        ),
        (
            json!({ "q": "x", "f": { "countries": ["ZZZ"] } }),
            "countries",
        ),
        (json!({ "q": "x", "f": { "age": 2 } }), "age"),
        (
            json!({ "q": "x", "f": { "ageBands": ["1-2"] } }),
            "ageBands",
        ),
        (json!({ "q": "x", "after": "garbage!" }), "after"),
        (json!({ "q": "x", "after": "bzk5OQ", "first": 20 }), "after"),
    ];
    for (vars, field) in cases {
        let r = net.s.gql(t, SEARCH, vars.clone()).await;
        assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{vars}: {}", r.body);
        let text = r.body["errors"][0].to_string();
        assert!(text.contains(field), "{vars}: {text}");
    }
    for q in [
        "{ suggest(prefix: \"a\", first: 0) { score } }",
        "{ search(query: \"x\", first: 101) { totalCount } }",
    ] {
        let r = net.s.gql(t, q, json!({})).await;
        assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{}", r.body);
        assert!(
            r.body["errors"][0]["extensions"]["field"] == "first",
            "{}",
            r.body
        );
    }
    // Query syntax is never an error.
    for q in ["\"", "\"\"", "((( AND OR", "*", "-", "你好", "🙂🙂"] {
        let r = net.s.gql(t, SEARCH, json!({ "q": q })).await;
        assert!(r.body["errors"].is_null(), "{q}: {}", r.body);
    }
}

/// Without anyone asking, a new material is searchable moments after it
/// was committed (the indexer is woken by the write, and looks on its own
/// at least twice a second).
#[tokio::test]
async fn a_new_material_becomes_searchable_without_being_asked_for() {
    let net = Net::new().await;
    let id = published(
        &net,
        json!({ "title": "Метеостанция на крыше школы", "languages": ["ru"] }),
    )
    .await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let r = search(
            &net.s,
            net.token(Actor::Student),
            "метеостанция ",
            Value::Null,
        )
        .await;
        if ids(&r) == vec![id.clone()] {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not searchable within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const CRASH_PROBE: &str = "LFF_TEST_SEARCH_CRASH_DIR";

/// The issue's own test: a server importing materials over GraphQL (and
/// indexing them as it goes) is killed with SIGKILL; after a restart on the
/// same data the index matches the database — every material is found by
/// its current title and none by a title it had before. The import runs in
/// a child process (this test, re-run), so that it can be killed for real.
#[tokio::test]
async fn killing_the_server_during_a_bulk_import_leaves_an_index_that_matches_the_database() {
    if let Ok(dir) = std::env::var(CRASH_PROBE) {
        return import_until_killed(std::path::Path::new(&dir)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "search::killing_the_server_during_a_bulk_import_leaves_an_index_that_matches_the_database",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_PROBE, dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it has imported a good part, mid-stream.
    let stdout = child.stdout.take().unwrap();
    let mut school = String::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        // The test runner may print its own words before ours on a line.
        if let Some((_, s)) = line.split_once("SCHOOL ") {
            school = s.trim().to_owned();
        }
        if let Some((_, n)) = line.split_once("IMPORTED ")
            && n.trim().parse::<u32>().is_ok_and(|n| n >= 120)
        {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!school.is_empty(), "the import never started");

    let s = spawn_config(crate::persistence::on_disk(dir.path())).await;
    s.app.searching().index_pending().await.unwrap();
    let admin = s.admin_token().await;
    // What the database holds: every material of the school, drafts too.
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = s
            .gql(
                Some(&admin),
                "query($s: ID, $a: String) { library(schoolId: $s) { materials(first: 100, after: $a) { pageInfo { hasNextPage endCursor } edges { node { id title } } } } }",
                json!({ "s": school, "a": after }),
            )
            .await;
        let page = data(&r)["library"]["materials"].clone();
        for e in page["edges"].as_array().unwrap() {
            rows.push((
                e["node"]["id"].as_str().unwrap().to_owned(),
                e["node"]["title"].as_str().unwrap().to_owned(),
            ));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert!(rows.len() >= 120, "{} materials survived", rows.len());
    let all = search(&s, Some(&admin), "", json!({ "kinds": ["LESSON_PLAN"] })).await;
    assert_eq!(
        all["totalCount"].as_u64().unwrap(),
        rows.len() as u64,
        "the index holds as many materials as the database"
    );
    let mut stale = Vec::new();
    for (id, title) in &rows {
        // Titles are "Импорт N sealNa" or, after an edit, "… sealNb".
        let word = title.rsplit(' ').next().unwrap();
        let found = ids(&search(&s, Some(&admin), &format!("\"{word}\""), Value::Null).await);
        if found != vec![id.clone()] {
            stale.push(format!("{title}: {found:?}"));
        }
        if let Some(old) = word.strip_suffix('b') {
            let found = search(&s, Some(&admin), &format!("\"{old}a\""), Value::Null).await;
            if found["totalCount"] != 0 {
                stale.push(format!("{title}: still found by its old title"));
            }
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
    let distinct: BTreeSet<&String> = rows.iter().map(|(id, _)| id).collect();
    assert_eq!(distinct.len(), rows.len());
}

/// The child: a server on disk importing materials as fast as it can, every
/// third one edited and every other one published, until it is killed.
async fn import_until_killed(dir: &std::path::Path) {
    let s = spawn_config(crate::persistence::on_disk(dir)).await;
    let app = s.app.clone();
    let school = app
        .network()
        .seed_school(
            &school_form("Import School", "AM"),
            app::SchoolStatus::Approved,
            false,
        )
        .await
        .unwrap();
    let hash = app
        .accounts()
        .hash_password(&app::NewPassword::parse(NET_PASSWORD, app::Role::Teacher).unwrap())
        .await
        .unwrap();
    let mut d = app::PersonDraft::new(
        app::Username::parse("teacher.import").unwrap(),
        app::DisplayName::parse("Importer").unwrap(),
        app::Role::Teacher,
    );
    d.email = Some(app::Email::parse("importer@net.example").unwrap());
    d.school = Some(school.id.clone());
    d.country = Some(app::CountryCode::parse("AM").unwrap());
    app.accounts().seed_person(&d, &hash).await.unwrap();
    let token = s.token("teacher.import", NET_PASSWORD).await;
    println!("SCHOOL {}", school.id);
    for i in 0..100_000u32 {
        let input = json!({ "schoolId": school.id.to_string(), "material": {
            "title": format!("Импорт {i} seal{i}a"), "languages": ["ru"], "kind": "LESSON_PLAN", "visibility": "NETWORK" } });
        let r = s.gql(Some(&token), CREATE, json!({ "i": input })).await;
        let id = data(&r)["createMaterial"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        if i.is_multiple_of(3) {
            let r = s
                .gql(
                    Some(&token),
                    "mutation($id: ID!, $m: MaterialInput!) { updateMaterial(id: $id, input: $m) { id } }",
                    json!({ "id": id, "m": { "title": format!("Импорт {i} seal{i}b"), "languages": ["ru"], "kind": "LESSON_PLAN", "visibility": "NETWORK" } }),
                )
                .await;
            data(&r);
        }
        if i.is_multiple_of(2) {
            let r = s
                .gql(
                    Some(&token),
                    "mutation($id: ID!) { publishMaterial(id: $id) { status } }",
                    json!({ "id": id }),
                )
                .await;
            data(&r);
        }
        println!("IMPORTED {}", i + 1);
    }
}

/// The index is derived data: delete its directory, start again, and it is
/// rebuilt from the database; a material written while the server was down
/// to the outbox only (its index not yet told) is found too.
#[tokio::test]
async fn deleting_the_index_and_restarting_rebuilds_it_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::with(spawn_config(crate::persistence::on_disk(dir.path())).await).await;
    let id = published(
        &net,
        json!({ "title": "Гербарий восьмого класса", "languages": ["ru"] }),
    )
    .await;
    net.s.app.searching().index_pending().await.unwrap();
    let admin = net.token(Actor::Admin).unwrap().to_owned();
    assert_eq!(
        ids(&search(&net.s, Some(&admin), "гербарий ", Value::Null).await),
        vec![id.clone()]
    );
    let mut net = net;
    net.s.shut_down().await;
    drop(net);
    let config = crate::persistence::on_disk(dir.path());
    assert!(server::Application::wait_closed(&config).await);
    let index_dir = dir.path().join("search");
    assert!(index_dir.join("meta.json").exists());
    std::fs::remove_dir_all(&index_dir).unwrap();

    let s = spawn_config(config).await;
    // The server rebuilds a new index by itself; this waits for it (or does it).
    s.app.searching().ensure_search_index().await.unwrap();
    s.app.searching().index_pending().await.unwrap();
    assert!(index_dir.join("meta.json").exists());
    let res = search(&s, Some(&admin), "гербарий ", Value::Null).await;
    assert_eq!(ids(&res), vec![id], "{res}");
    // Schools were rebuilt too.
    let res = search(
        &s,
        Some(&admin),
        "School A2",
        json!({ "kinds": ["SCHOOL"] }),
    )
    .await;
    assert_eq!(res["partialMatch"], false);
    assert_eq!(res["totalCount"], 1, "{res}");
}

/// `lff demo`'s generated materials: in the schools' languages (Kazakh and
/// Uzbek in both alphabets), by their teachers, loaded once, searchable.
#[tokio::test]
async fn the_demo_materials_load_once_and_are_found_in_their_languages() {
    let s = spawn().await;
    s.app.demo().load_demo().await.unwrap();
    let added = s
        .app
        .demo()
        .load_demo_materials(400, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(added, 400);
    let again = s
        .app
        .demo()
        .load_demo_materials(450, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(again, 50, "only what is missing is added");
    s.app.searching().index_pending().await.unwrap();
    let admin = s.admin_token().await;
    let kinds = json!({ "kinds": ["LESSON_PLAN", "PRESENTATION", "WORKSHEET", "VIDEO", "PROJECT_REPORT", "GOOD_PRACTICE", "OTHER_MATERIAL"] });
    let all = search(&s, Some(&admin), "", kinds.clone()).await;
    assert_eq!(all["totalCount"], 450);
    let languages: Vec<String> = facet(&all, "LANGUAGE")
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    for l in [
        "ru", "hy", "kk", "kk-Latn", "uz-Latn", "uz-Cyrl", "lv", "lt", "et", "ro", "uk",
    ] {
        assert!(
            languages.contains(&l.to_string()),
            "{l} missing from {languages:?}"
        );
    }
    // A teacher sees published ones of the network and their own school's.
    let teacher = s
        .token("teacher.almaty38", app::demo::DEMO_ADULT_PASSWORD)
        .await;
    let mine = search(&s, Some(&teacher), "", kinds).await;
    let seen = mine["totalCount"].as_u64().unwrap();
    assert!(seen > 200 && seen < 450, "{seen}");
    // Kazakh in either alphabet.
    let cyrillic = search(
        &s,
        Some(&admin),
        "мектептегі ",
        json!({ "languages": ["kk", "kk-Latn"] }),
    )
    .await;
    let latin = search(
        &s,
        Some(&admin),
        "mekteptegi ",
        json!({ "languages": ["kk", "kk-Latn"] }),
    )
    .await;
    assert!(cyrillic["totalCount"].as_u64().unwrap() > 0);
    assert_eq!(
        cyrillic["totalCount"], latin["totalCount"],
        "{cyrillic} {latin}"
    );
}
