//! One conformance suite for both search engines: the embedded one always,
//! and Meilisearch when `LFF_TEST_MEILI_URL` names a server (with
//! `LFF_TEST_MEILI_KEY` if it needs a key) — no Meilisearch server can be
//! installed from the registries this project builds from, so CI runs the
//! embedded engine. Every engine must find the same things for the same
//! documents and asker, and count facets the same way.

use app::ports::SearchIndex;
use app::searching::model::*;
use chrono::{Duration, TimeZone, Utc};
use search::{EmbeddedIndex, MeiliIndex, MeiliOptions, SearchOptions};

fn key(n: u32) -> DocKey {
    DocKey::Material(app::MaterialId::from_trusted(format!("{n:032x}")))
}

struct Doc<'a> {
    n: u32,
    title: &'a str,
    body: &'a str,
    lang: &'a str,
    audience: &'a [&'a str],
    kind: SearchKind,
    ages: Option<(u8, u8)>,
}

fn doc(d: Doc<'_>) -> SearchDocument {
    SearchDocument {
        key: key(d.n),
        kind: d.kind,
        audience: d.audience.iter().map(|s| s.to_string()).collect(),
        languages: vec![d.lang.to_string()],
        title: d.title.into(),
        body: vec![d.body.into()],
        facets: vec![
            (FacetName::Language, d.lang.to_string()),
            (
                FacetName::Country,
                if d.n.is_multiple_of(2) { "RU" } else { "KZ" }.into(),
            ),
        ],
        ages: d.ages,
        time: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(d.n as i64),
    }
}

fn corpus() -> Vec<SearchDocument> {
    use SearchKind::*;
    let public: &[&str] = &["public"];
    vec![
        doc(Doc {
            n: 1,
            title: "Экологические проекты в школе",
            body: "Ученики сажают деревья и измеряют чистоту воздуха.",
            lang: "ru",
            audience: public,
            kind: GoodPractice,
            ages: Some((11, 14)),
        }),
        doc(Doc {
            n: 2,
            title: "Climate change lesson",
            body: "Students study greenhouse gases & <script>alert(1)</script> safely.",
            lang: "en",
            audience: public,
            kind: LessonPlan,
            ages: Some((15, 18)),
        }),
        doc(Doc {
            n: 3,
            title: "Мектеп бағының жобасы",
            body: "Оқушылар ағаш отырғызады.",
            lang: "kk",
            audience: public,
            kind: ProjectReport,
            ages: None,
        }),
        doc(Doc {
            n: 4,
            title: "Тайный план учителей",
            body: "Экологический проект только для пространства А.",
            lang: "ru",
            audience: &["space:a"],
            kind: GoodPractice,
            ages: Some((11, 14)),
        }),
        doc(Doc {
            n: 5,
            title: "Zöld iskola",
            body: "\"green school\" phrase test with green things in a school",
            lang: "en",
            audience: public,
            kind: Worksheet,
            ages: Some((7, 10)),
        }),
    ]
}

fn asker(tokens: &[&str]) -> Option<Vec<String>> {
    Some(tokens.iter().map(|s| s.to_string()).collect())
}

fn req(text: &str, audience: Option<Vec<String>>) -> SearchRequest {
    SearchRequest {
        text: text.into(),
        audience,
        limit: 10,
        facets: true,
        prefix: true,
        ..SearchRequest::default()
    }
}

async fn keys(engine: &dyn SearchIndex, r: SearchRequest) -> Vec<DocKey> {
    engine
        .search(&r)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.key)
        .collect()
}

fn count(res: &EngineResults, facet: FacetName, value: &str) -> u64 {
    res.facets
        .iter()
        .find(|f| f.facet == facet && f.value == value)
        .map_or(0, |f| f.count)
}

async fn suite(engine: &dyn SearchIndex) {
    assert!(
        !engine.is_complete().await.unwrap(),
        "a new index is incomplete"
    );
    engine.apply(corpus(), vec![]).await.unwrap();
    assert_eq!(engine.document_count().await.unwrap(), 5);
    let anyone = || asker(&["public"]);

    // Inflected forms, typos, prefixes, the other script, phrases.
    assert_eq!(
        keys(engine, req("экологический проект ", anyone())).await,
        vec![key(1)]
    );
    assert_eq!(
        keys(engine, req("экалогические ", anyone())).await,
        vec![key(1)]
    );
    assert_eq!(keys(engine, req("climat", anyone())).await, vec![key(2)]);
    assert_eq!(
        keys(engine, req("students studying ", anyone())).await,
        vec![key(2)]
    );
    assert_eq!(keys(engine, req("mektep ", anyone())).await, vec![key(3)]);
    assert_eq!(
        keys(engine, req("\"green school\"", anyone())).await,
        vec![key(5)]
    );

    // The audience is applied in the engine, to hits and to facet counts.
    let outsider = engine
        .search(&req("экологический", anyone()))
        .await
        .unwrap();
    assert_eq!(outsider.total, 1);
    assert_eq!(count(&outsider, FacetName::Kind, "GOOD_PRACTICE"), 1);
    let member = engine
        .search(&req("экологический", asker(&["public", "space:a"])))
        .await
        .unwrap();
    assert_eq!(member.total, 2);
    assert_eq!(count(&member, FacetName::Kind, "GOOD_PRACTICE"), 2);
    let everyone = engine.search(&req("экологический", None)).await.unwrap();
    assert_eq!(everyone.total, 2);

    // Facets count what the results hold; filters narrow both.
    let all = engine.search(&req("", anyone())).await.unwrap();
    assert_eq!(all.total, 4);
    let by_lang: u64 = all
        .facets
        .iter()
        .filter(|f| f.facet == FacetName::Language)
        .map(|f| f.count)
        .sum();
    assert_eq!(by_lang, 4);
    assert_eq!(count(&all, FacetName::Language, "en"), 2);
    let mut english = req("", anyone());
    english.filters = vec![(FacetName::Language, vec!["en".into()])];
    let english = engine.search(&english).await.unwrap();
    assert_eq!(english.total, 2);
    assert_eq!(count(&english, FacetName::Country, "RU"), 1);
    assert_eq!(count(&english, FacetName::Country, "KZ"), 1);
    let mut aged = req("", anyone());
    aged.age = Some(12);
    assert_eq!(keys(engine, aged).await, vec![key(1)]);

    // Newest first, pages.
    let mut newest = req("", anyone());
    newest.order = SearchOrder::Newest;
    assert_eq!(
        keys(engine, newest.clone()).await,
        vec![key(5), key(3), key(2), key(1)]
    );
    newest.offset = 1;
    newest.limit = 2;
    let page = engine.search(&newest).await.unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(
        page.hits.into_iter().map(|h| h.key).collect::<Vec<_>>(),
        vec![key(3), key(2)]
    );

    // Highlights are escaped HTML with only <mark>.
    let hit = &engine
        .search(&req("greenhouse", anyone()))
        .await
        .unwrap()
        .hits[0];
    let text = hit
        .highlights
        .iter()
        .find(|h| h.field == HighlightField::Text)
        .expect("a text highlight");
    assert!(
        text.html.contains("<mark>greenhouse</mark>"),
        "{}",
        text.html
    );
    assert!(text.html.contains("&lt;script&gt;"), "{}", text.html);
    assert!(!text.html.contains("<script>"), "{}", text.html);

    // Replacing and removing.
    let mut changed = corpus().remove(0);
    changed.title = "Зелёный сад".into();
    changed.body = vec![];
    engine.apply(vec![changed], vec![key(2)]).await.unwrap();
    assert!(
        keys(engine, req("экологический ", anyone()))
            .await
            .is_empty()
    );
    assert_eq!(keys(engine, req("зеленый ", anyone())).await, vec![key(1)]);
    assert!(keys(engine, req("climate", anyone())).await.is_empty());
    assert_eq!(engine.document_count().await.unwrap(), 4);

    // Clearing and completing.
    engine.mark_complete().await.unwrap();
    assert!(engine.is_complete().await.unwrap());
    engine.clear().await.unwrap();
    assert!(!engine.is_complete().await.unwrap());
    assert_eq!(engine.document_count().await.unwrap(), 0);

    // A rebuild stages documents; completing makes them all searchable.
    let all = corpus();
    let (first, rest) = all.split_at(2);
    engine.stage(first.to_vec()).await.unwrap();
    engine.stage(rest.to_vec()).await.unwrap();
    engine.mark_complete().await.unwrap();
    assert!(engine.is_complete().await.unwrap());
    assert_eq!(engine.document_count().await.unwrap(), 5);
    assert_eq!(keys(engine, req("mektep ", anyone())).await, vec![key(3)]);
    // And ordinary changes go on after it.
    engine.apply(vec![], vec![key(3)]).await.unwrap();
    assert!(keys(engine, req("mektep ", anyone())).await.is_empty());
}

#[tokio::test]
async fn the_embedded_engine_passes_the_suite() {
    suite(&EmbeddedIndex::open(&SearchOptions::Memory).unwrap()).await;
}

#[tokio::test]
async fn meilisearch_passes_the_suite_when_a_server_is_named() {
    let Ok(url) = std::env::var("LFF_TEST_MEILI_URL") else {
        return;
    };
    let options = MeiliOptions {
        url,
        key: std::env::var("LFF_TEST_MEILI_KEY").ok(),
        index: format!(
            "lff_test_{}",
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ),
    };
    suite(&MeiliIndex::open(&options).await.unwrap()).await;
}

#[tokio::test]
async fn an_embedded_index_on_disk_keeps_its_documents_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let options = SearchOptions::Directory(dir.path().join("idx"));
    {
        let e = EmbeddedIndex::open(&options).unwrap();
        e.apply(corpus(), vec![]).await.unwrap();
        e.mark_complete().await.unwrap();
    }
    let e = EmbeddedIndex::open(&options).unwrap();
    assert!(e.is_complete().await.unwrap());
    assert_eq!(e.document_count().await.unwrap(), 5);
    e.clear().await.unwrap();
    drop(e);
    let e = EmbeddedIndex::open(&options).unwrap();
    assert!(
        !e.is_complete().await.unwrap(),
        "a cleared index stays incomplete"
    );
}
