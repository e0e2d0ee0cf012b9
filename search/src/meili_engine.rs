//! The Meilisearch engine, through meilisearch-sdk, for deployments that
//! outgrow one machine.
//!
//! Meilisearch has no stemming and treats Cyrillic and Latin spellings as
//! different words, so documents also carry the stems and skeletons that
//! [`crate::analysis`] computes (`stems`, `skel`), and a query is a
//! federated multi-search: the words as typed over the title and text
//! (Meilisearch's own typo tolerance — 1 typo from 5 letters, 2 from 9 — and
//! prefix on the last word apply), the query's stems over `stems` for each
//! stemmer that changes them, and its skeletons over `skel`. Audience and
//! facet filters go into every part, so no part can return what the asker
//! may not see, nor count it. Documents live in `<prefix>_docs`; whether
//! the index is completely built is one document in `<prefix>_state`.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use app::{Error, Result};
use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::search::{
    FederationOptions, MatchingStrategies, MergeFacets, SearchQuery, Selectors,
};
use meilisearch_sdk::settings::{
    FacetingSettings, PaginationSetting, Settings, TypoToleranceSettings,
};
use serde::{Deserialize, Serialize};

use crate::analysis::{self, Profile};
use crate::{MeiliOptions, OpenError};
use app::searching::model::{
    DocKey, EngineHit, EngineResults, FacetCount, FacetName, Highlight, HighlightField,
    SearchDocument, SearchOrder, SearchRequest,
};

/// How long a write may take to be processed before it counts as failed.
const TASK_TIMEOUT: Duration = Duration::from_secs(120);
const TASK_POLL: Duration = Duration::from_millis(20);
/// Text kept for display and snippets; the rest is searchable only.
const SHOWN_TEXT_CHARS: usize = 20_000;
/// Text indexed per document at most.
const INDEXED_TEXT_CHARS: usize = 400_000;
/// Facet values returned per facet.
const FACET_VALUES: usize = 50;
/// Results one search may page through.
const MAX_TOTAL_HITS: usize = 10_000;

/// A document as Meilisearch keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct MeiliDoc {
    /// The key with `:` as `-` (Meilisearch ids allow letters, digits, `-`, `_`).
    id: String,
    key: String,
    audience: Vec<String>,
    languages: Vec<String>,
    title: String,
    text: String,
    more: String,
    stems: String,
    skel: String,
    time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    age_min: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age_max: Option<u8>,
    /// `f_<facet>`: the facet's values.
    #[serde(flatten)]
    facets: BTreeMap<String, Vec<String>>,
}

/// The id of the state document. It names the documents' format: a state
/// of another format is not found, so the index reads as incomplete and is
/// rebuilt (2: national coordinators' token is `coord:`).
const STATE_ID: &str = "state-2";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StateDoc {
    id: String,
    complete: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct HitDoc {
    key: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    languages: Vec<String>,
}

fn facet_field(f: FacetName) -> String {
    format!("f_{}", f.as_str())
}

fn doc_id(key: &DocKey) -> String {
    key.as_string().replace(':', "-")
}

fn split_at_chars(s: &str, n: usize) -> (&str, &str) {
    match s.char_indices().nth(n) {
        Some((i, _)) => s.split_at(i),
        None => (s, ""),
    }
}

fn to_meili(d: &SearchDocument) -> MeiliDoc {
    let profile = Profile::for_languages(&d.languages);
    let body = d.body.join("\n");
    let (body, _) = split_at_chars(&body, INDEXED_TEXT_CHARS);
    let (text, more) = split_at_chars(body, SHOWN_TEXT_CHARS);
    let mut stems = Vec::new();
    let mut skel = Vec::new();
    for part in std::iter::once(d.title.as_str()).chain(std::iter::once(body)) {
        let a = analysis::analyse(part, &profile, 0);
        stems.extend(a.stems.into_iter().map(|t| t.text));
        skel.extend(a.skeletons.into_iter().map(|t| t.text));
    }
    let mut facets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    facets.insert(
        facet_field(FacetName::Kind),
        vec![d.kind.as_str().to_owned()],
    );
    for (name, value) in &d.facets {
        if *name != FacetName::Kind {
            facets
                .entry(facet_field(*name))
                .or_default()
                .push(value.clone());
        }
    }
    MeiliDoc {
        id: doc_id(&d.key),
        key: d.key.as_string(),
        audience: d.audience.clone(),
        languages: d.languages.clone(),
        title: d.title.clone(),
        text: text.to_owned(),
        more: more.to_owned(),
        stems: stems.join(" "),
        skel: skel.join(" "),
        time: d.time.timestamp_millis(),
        age_min: d.ages.map(|a| a.0),
        age_max: d.ages.map(|a| a.1),
        facets,
    }
}

/// A value in a Meilisearch filter, quoted and escaped.
fn quoted(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The filter every part of a search carries: audience, facets, age.
fn filter(r: &SearchRequest) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(a) = &r.audience {
        let list: Vec<String> = a.iter().map(|t| quoted(t)).collect();
        parts.push(format!("audience IN [{}]", list.join(", ")));
    }
    for (name, values) in &r.filters {
        let list: Vec<String> = values.iter().map(|t| quoted(t)).collect();
        parts.push(format!("{} IN [{}]", facet_field(*name), list.join(", ")));
    }
    if let Some(age) = r.age {
        parts.push(format!("age_min <= {age} AND age_max >= {age}"));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// The query strings of the stem parts: the query's words, each replaced by
/// its stem of one stemmer, for every stemmer that changes something.
fn stem_queries(q: &analysis::Query) -> Vec<String> {
    let width = q.words.iter().map(|w| w.stems.len()).max().unwrap_or(0);
    let mut out: Vec<String> = Vec::new();
    for i in 0..width.min(4) {
        let s: Vec<&str> = q
            .words
            .iter()
            .map(|w| {
                w.stems
                    .get(i)
                    .or(w.stems.first())
                    .unwrap_or(&w.plain)
                    .as_str()
            })
            .collect();
        let s = s.join(" ");
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn skeleton_query(q: &analysis::Query) -> String {
    q.words
        .iter()
        .map(|w| w.skeleton.as_str())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn engine(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("meilisearch: {e}"))
}

/// An index on a Meilisearch server.
pub struct MeiliIndex {
    client: Client,
    docs: String,
    state: String,
    /// 0 unknown, 1 incomplete, 2 complete: read once, then kept.
    complete: AtomicU8,
}

impl MeiliIndex {
    pub async fn open(o: &MeiliOptions) -> std::result::Result<MeiliIndex, OpenError> {
        let err =
            |e: &dyn std::fmt::Display| OpenError::Engine(format!("Meilisearch at {}: {e}", o.url));
        let client = Client::new(o.url.clone(), o.key.clone()).map_err(|e| err(&e))?;
        client.health().await.map_err(|e| err(&e))?;
        let m = MeiliIndex {
            client,
            docs: format!("{}_docs", o.index),
            state: format!("{}_state", o.index),
            complete: AtomicU8::new(0),
        };
        m.prepare().await.map_err(|e| err(&e))?;
        Ok(m)
    }

    async fn wait(&self, task: meilisearch_sdk::task_info::TaskInfo) -> Result<()> {
        let task = task
            .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await
            .map_err(engine)?;
        if task.is_failure() {
            return Err(engine(task.unwrap_failure()));
        }
        Ok(())
    }

    /// Creates the indexes if they are missing and sets what is searchable,
    /// filterable and sortable.
    async fn prepare(&self) -> Result<()> {
        for uid in [&self.docs, &self.state] {
            let task = self
                .client
                .create_index(uid, Some("id"))
                .await
                .map_err(engine)?;
            let done = task
                .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT))
                .await
                .map_err(engine)?;
            if done.is_failure() {
                let e = done.unwrap_failure();
                if e.error_code != meilisearch_sdk::errors::ErrorCode::IndexAlreadyExists {
                    return Err(engine(e));
                }
            }
        }
        let mut filterable: Vec<String> =
            vec!["audience".into(), "age_min".into(), "age_max".into()];
        filterable.extend(FacetName::ALL.into_iter().map(facet_field));
        let settings = Settings::new()
            .with_searchable_attributes(["title", "text", "more", "stems", "skel"])
            .with_displayed_attributes(["id", "key", "title", "text", "languages"])
            .with_filterable_attributes(filterable)
            .with_sortable_attributes(["time"])
            .with_pagination(PaginationSetting {
                max_total_hits: MAX_TOTAL_HITS,
            })
            .with_faceting(FacetingSettings {
                max_values_per_facet: FACET_VALUES,
                sort_facet_values_by: None,
            })
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                ..TypoToleranceSettings::default()
            });
        let task = self
            .client
            .index(&self.docs)
            .set_settings(&settings)
            .await
            .map_err(engine)?;
        self.wait(task).await
    }

    async fn set_complete(&self, complete: bool) -> Result<()> {
        let task = self
            .client
            .index(&self.state)
            .add_or_replace(
                &[StateDoc {
                    id: STATE_ID.into(),
                    complete,
                }],
                Some("id"),
            )
            .await
            .map_err(engine)?;
        self.wait(task).await?;
        self.complete
            .store(if complete { 2 } else { 1 }, Ordering::SeqCst);
        Ok(())
    }
}

impl MeiliIndex {
    /// One federated search: the words as typed, their stems, their
    /// skeletons, all under the request's filter.
    async fn federated(
        &self,
        r: &SearchRequest,
        q: &analysis::Query,
        strategy: MatchingStrategies,
    ) -> Result<EngineResults> {
        let index = self.client.index(&self.docs);
        let filter = filter(r);
        let facet_fields: Vec<String> = FacetName::ALL.into_iter().map(facet_field).collect();
        let sort = ["time:desc"];
        let retrieve = ["key", "title", "languages"];
        let crop = [("text", Some(40usize))];
        let stems = stem_queries(q);
        let skel = skeleton_query(q);
        let text_fields = ["title", "text", "more"];
        let stem_fields = ["stems"];
        let skel_fields = ["skel"];
        // The parts: (query text, attributes searched, weight).
        let mut parts: Vec<(String, &[&str], f32)> = vec![(r.text.clone(), &text_fields, 1.0)];
        if !q.is_empty() {
            for s in &stems {
                parts.push((s.clone(), &stem_fields, 0.9));
            }
            if !skel.is_empty() {
                parts.push((skel.clone(), &skel_fields, 0.7));
            }
        }
        let mut multi = self.client.multi_search();
        for (text, on, weight) in &parts {
            let mut sq = SearchQuery::new(&index);
            sq.with_query(text)
                .with_attributes_to_search_on(on)
                .with_attributes_to_retrieve(Selectors::Some(&retrieve))
                .with_attributes_to_crop(Selectors::Some(&crop))
                .with_crop_marker("…")
                .with_matching_strategy(strategy.clone())
                .with_show_ranking_score(true);
            if let Some(f) = &filter {
                sq.with_filter(f);
            }
            if r.order == SearchOrder::Newest {
                sq.with_sort(&sort);
            }
            multi.with_search_query_and_weight(sq, *weight);
        }
        let mut facets_by_index = HashMap::new();
        if r.facets {
            facets_by_index.insert(self.docs.clone(), facet_fields.clone());
        }
        let federated = multi.with_federation(FederationOptions {
            offset: Some(r.offset),
            limit: Some(r.limit),
            facets_by_index: r.facets.then_some(facets_by_index),
            merge_facets: r.facets.then_some(MergeFacets {
                max_values_per_facet: Some(FACET_VALUES),
            }),
            show_performance_details: None,
        });
        let res = federated.execute::<HitDoc>().await.map_err(engine)?;
        let mut hits = Vec::with_capacity(res.hits.len());
        for h in res.hits {
            let Some(key) = DocKey::parse(&h.result.key) else {
                continue;
            };
            let profile = Profile::for_languages(&h.result.languages);
            let mut highlights = Vec::new();
            if let Some(html) = analysis::highlight::whole(&h.result.title, &profile, q) {
                highlights.push(Highlight {
                    field: HighlightField::Title,
                    html,
                });
            }
            let cropped = h
                .formatted_result
                .as_ref()
                .and_then(|f| f.get("text"))
                .and_then(|v| v.as_str())
                .unwrap_or("");
            if let Some(html) = analysis::highlight::snippet(cropped, &profile, q) {
                highlights.push(Highlight {
                    field: HighlightField::Text,
                    html,
                });
            }
            let score = h
                .federation
                .as_ref()
                .map(|f| f.weighted_ranking_score)
                .or(h.ranking_score.map(|s| s as f32))
                .unwrap_or(0.0);
            let score = if r.order == SearchOrder::Newest {
                0.0
            } else {
                score
            };
            hits.push(EngineHit {
                key,
                score,
                highlights,
            });
        }
        Ok(EngineResults {
            hits,
            total: res.estimated_total_hits as u64,
            facets: facet_counts(res.facet_distribution.as_ref()),
            partial: false,
        })
    }
}

/// The facets' values of a merged distribution, the most frequent first.
fn facet_counts(distribution: Option<&HashMap<String, HashMap<String, usize>>>) -> Vec<FacetCount> {
    let mut facets = Vec::new();
    for name in FacetName::ALL {
        if let Some(values) = distribution.and_then(|d| d.get(&facet_field(name))) {
            let mut v: Vec<(&String, &usize)> = values.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            facets.extend(v.into_iter().map(|(value, count)| FacetCount {
                facet: name,
                value: value.clone(),
                count: *count as u64,
            }));
        }
    }
    facets
}

#[async_trait]
impl app::ports::SearchIndex for MeiliIndex {
    async fn ping(&self) -> Result<()> {
        self.client.health().await.map_err(engine)?;
        Ok(())
    }

    async fn apply(&self, upserts: Vec<SearchDocument>, removals: Vec<DocKey>) -> Result<()> {
        let index = self.client.index(&self.docs);
        if !removals.is_empty() {
            let ids: Vec<String> = removals.iter().map(doc_id).collect();
            let task = index.delete_documents(&ids).await.map_err(engine)?;
            self.wait(task).await?;
        }
        if !upserts.is_empty() {
            let docs: Vec<MeiliDoc> = upserts.iter().map(to_meili).collect();
            let task = index
                .add_or_replace(&docs, Some("id"))
                .await
                .map_err(engine)?;
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn search(&self, r: &SearchRequest) -> Result<EngineResults> {
        let q = analysis::parse_query_with_prefix(&r.text, r.prefix);
        let mut res = self.federated(r, &q, MatchingStrategies::ALL).await?;
        let required = q.words.iter().filter(|w| !w.optional).count() + q.phrases.len();
        if res.total == 0 && required > 1 {
            // Nothing has every word: show what has some of them.
            res = self.federated(r, &q, MatchingStrategies::LAST).await?;
            res.partial = res.total > 0;
        }
        Ok(res)
    }

    async fn clear(&self) -> Result<()> {
        self.set_complete(false).await?;
        let task = self
            .client
            .index(&self.docs)
            .delete_all_documents()
            .await
            .map_err(engine)?;
        self.wait(task).await
    }

    async fn stage(&self, documents: Vec<SearchDocument>) -> Result<()> {
        self.apply(documents, vec![]).await
    }

    async fn is_complete(&self) -> Result<bool> {
        match self.complete.load(Ordering::SeqCst) {
            1 => return Ok(false),
            2 => return Ok(true),
            _ => {}
        }
        let state = self
            .client
            .index(&self.state)
            .get_document::<StateDoc>(STATE_ID)
            .await;
        let complete = match state {
            Ok(s) => s.complete,
            Err(meilisearch_sdk::errors::Error::Meilisearch(e))
                if e.error_code == meilisearch_sdk::errors::ErrorCode::DocumentNotFound =>
            {
                false
            }
            Err(e) => return Err(engine(e)),
        };
        self.complete
            .store(if complete { 2 } else { 1 }, Ordering::SeqCst);
        Ok(complete)
    }

    async fn mark_complete(&self) -> Result<()> {
        self.set_complete(true).await
    }

    async fn document_count(&self) -> Result<u64> {
        let stats = self
            .client
            .index(&self.docs)
            .get_stats()
            .await
            .map_err(engine)?;
        Ok(stats.number_of_documents as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::searching::model::SearchKind;

    #[test]
    fn filters_quote_every_value() {
        let r = SearchRequest {
            audience: Some(vec!["public".into(), "space:a\"b".into()]),
            filters: vec![(FacetName::Language, vec!["ru".into(), "uz-Latn".into()])],
            age: Some(12),
            ..SearchRequest::default()
        };
        assert_eq!(
            filter(&r).unwrap(),
            "audience IN [\"public\", \"space:a\\\"b\"] AND f_language IN [\"ru\", \"uz-Latn\"] \
             AND age_min <= 12 AND age_max >= 12"
        );
        assert_eq!(filter(&SearchRequest::default()), None);
    }

    #[test]
    fn documents_carry_stems_and_skeletons_for_meilisearch() {
        let d = SearchDocument {
            key: DocKey::Material(app::MaterialId::generate()),
            kind: SearchKind::LessonPlan,
            audience: vec!["public".into()],
            languages: vec!["kk".into(), "ru".into()],
            title: "Экологические проекты".into(),
            body: vec!["Мектеп".into()],
            facets: vec![(FacetName::Country, "KZ".into())],
            ages: Some((11, 14)),
            time: chrono::Utc::now(),
        };
        let m = to_meili(&d);
        assert!(!m.id.contains(':'));
        assert!(m.stems.contains("экологическ"), "{}", m.stems);
        assert!(m.skel.contains("mektep"), "{}", m.skel);
        assert_eq!(m.facets["f_kind"], vec!["LESSON_PLAN".to_string()]);
        assert_eq!(m.facets["f_country"], vec!["KZ".to_string()]);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["f_country"][0], "KZ");
    }

    #[test]
    fn stem_parts_replace_words_by_their_stems() {
        let q = analysis::parse_query("экологические проекты ");
        let s = stem_queries(&q);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0], "экологическ проект");
        assert_eq!(skeleton_query(&analysis::parse_query("мектеп")), "mektep");
    }
}
