//! The embedded engine, on tantivy: an index on disk (or in memory) in this
//! process.
//!
//! Words arrive analysed by [`crate::analysis`] (as pre-tokenized text), so
//! the index needs no tokenizers of its own. One writer, behind a mutex,
//! commits each batch of changes; every commit carries the index's state
//! (complete or being built) as its payload, so a crash during a rebuild
//! leaves an index that says it is incomplete. Queries run on the blocking
//! pool.

use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex};

use app::{Error, Result};
use async_trait::async_trait;
use tantivy::collector::{Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::merge_policy::{LogMergePolicy, NoMergePolicy};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query as TantivyQuery,
    RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{PreTokenizedString, Token as TantivyToken};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

use crate::analysis::{self, Profile, Query, QueryWord, Token};
use crate::{OpenError, SearchOptions};
use app::searching::model::{
    DocKey, EngineHit, EngineResults, FacetCount, FacetName, Highlight, HighlightField,
    SearchDocument, SearchOrder, SearchRequest,
};

/// The state a commit records. A new index has no payload: incomplete. The
/// number is the documents' format: an index of another number reads as
/// incomplete and is rebuilt (2: national coordinators' token is `coord:`).
const COMPLETE: &str = "lff-search/2 complete";
const BUILDING: &str = "lff-search/2 building";

/// Stored text kept per document for snippets.
const STORED_TEXT_CHARS: usize = 20_000;
/// Facet values returned per facet.
const FACET_VALUES: usize = 50;
/// The writer's memory budget, split over its threads.
const WRITER_HEAP: usize = 64_000_000;

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    title: Field,
    text: Field,
    stem: Field,
    skel: Field,
    audience: Field,
    facets: Field,
    time: Field,
    age_min: Field,
    age_max: Field,
    title_stored: Field,
    text_stored: Field,
    langs: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let positions = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let freqs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        title: b.add_text_field("title", positions.clone()),
        text: b.add_text_field("text", positions),
        stem: b.add_text_field("stem", freqs.clone()),
        skel: b.add_text_field("skel", freqs),
        audience: b.add_text_field("audience", STRING),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        time: b.add_i64_field("time", FAST),
        age_min: b.add_u64_field("age_min", INDEXED | FAST),
        age_max: b.add_u64_field("age_max", INDEXED | FAST),
        title_stored: b.add_text_field("title_stored", STORED),
        text_stored: b.add_text_field("text_stored", STORED),
        langs: b.add_text_field("langs", STORED),
    };
    (b.build(), fields)
}

struct Inner {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    /// The payload every commit carries.
    state: Mutex<&'static str>,
    f: Fields,
    index: Index,
}

/// An opened embedded index. Cheap to share behind an `Arc`.
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("search index: {e}"))
}

fn open_dir(dir: &Path, schema: Schema) -> std::result::Result<Index, OpenError> {
    let err = |e: &dyn std::fmt::Display| OpenError::Engine(e.to_string());
    std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
    let open = || -> tantivy::Result<Index> {
        let d = tantivy::directory::MmapDirectory::open(dir)?;
        Index::open_or_create(d, schema.clone())
    };
    match open() {
        Ok(i) => Ok(i),
        // An index of an earlier layout: it is derived data, so start anew
        // (the indexer rebuilds it). Only a directory holding a tantivy
        // index is emptied.
        Err(tantivy::TantivyError::SchemaError(_)) if dir.join("meta.json").exists() => {
            tracing::warn!("the search index has an older layout; it will be rebuilt");
            for entry in std::fs::read_dir(dir).map_err(|e| err(&e))? {
                let p = entry.map_err(|e| err(&e))?.path();
                if p.is_file() && p.file_name().is_some_and(|n| n != ".tantivy-writer.lock") {
                    std::fs::remove_file(&p).map_err(|e| err(&e))?;
                }
            }
            open().map_err(|e| err(&e))
        }
        Err(e) => Err(err(&e)),
    }
}

impl EmbeddedIndex {
    pub fn open(options: &SearchOptions) -> std::result::Result<EmbeddedIndex, OpenError> {
        let err = |e: &dyn std::fmt::Display| OpenError::Engine(e.to_string());
        let (schema, f) = schema();
        let index = match options {
            SearchOptions::Memory => Index::create_in_ram(schema),
            SearchOptions::Directory(dir) => open_dir(dir, schema)?,
            SearchOptions::Meilisearch(_) => {
                return Err(OpenError::Setting(
                    "the embedded engine needs a directory or memory://".into(),
                ));
            }
        };
        let threads = std::thread::available_parallelism()
            .map(|n| n.get().clamp(1, 2))
            .unwrap_or(1);
        let writer = index
            .writer_with_num_threads(threads, WRITER_HEAP)
            .map_err(|e| err(&e))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| err(&e))?;
        let payload = index.load_metas().map_err(|e| err(&e))?.payload;
        let state = if payload.as_deref() == Some(COMPLETE) {
            COMPLETE
        } else {
            BUILDING
        };
        Ok(EmbeddedIndex {
            inner: Arc::new(Inner {
                reader,
                writer: Mutex::new(writer),
                state: Mutex::new(state),
                f,
                index,
            }),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(internal)?
    }
}

fn tokens(list: Vec<Token>) -> PreTokenizedString {
    PreTokenizedString {
        text: String::new(),
        tokens: list
            .into_iter()
            .map(|t| TantivyToken {
                offset_from: t.start,
                offset_to: t.end,
                position: t.position,
                text: t.text,
                position_length: 1,
            })
            .collect(),
    }
}

fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl Inner {
    fn key_term(&self, key: &DocKey) -> Term {
        Term::from_field_text(self.f.key, &key.as_string())
    }

    fn document(&self, d: &SearchDocument) -> TantivyDocument {
        let f = self.f;
        let profile = Profile::for_languages(&d.languages);
        let title = analysis::analyse(&d.title, &profile, 0);
        let mut all = analysis::Analysed {
            plain: title.plain.clone(),
            stems: title.stems,
            skeletons: title.skeletons,
        };
        // A gap between parts keeps phrases from spanning two of them.
        let mut next = title.plain.len() + 16;
        for part in &d.body {
            let a = analysis::analyse(part, &profile, next);
            next += a.plain.len() + 16;
            all.plain.extend(a.plain);
            all.stems.extend(a.stems);
            all.skeletons.extend(a.skeletons);
        }
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, d.key.as_string());
        doc.add_pre_tokenized_text(f.title, tokens(title.plain));
        doc.add_pre_tokenized_text(f.text, tokens(all.plain));
        doc.add_pre_tokenized_text(f.stem, tokens(all.stems));
        if !all.skeletons.is_empty() {
            doc.add_pre_tokenized_text(f.skel, tokens(all.skeletons));
        }
        for a in &d.audience {
            doc.add_text(f.audience, a);
        }
        doc.add_facet(
            f.facets,
            tantivy::schema::Facet::from_path([FacetName::Kind.as_str(), d.kind.as_str()]),
        );
        for (name, value) in &d.facets {
            if *name != FacetName::Kind {
                doc.add_facet(
                    f.facets,
                    tantivy::schema::Facet::from_path([name.as_str(), value.as_str()]),
                );
            }
        }
        doc.add_i64(f.time, d.time.timestamp_millis());
        if let Some((lo, hi)) = d.ages {
            doc.add_u64(f.age_min, u64::from(lo));
            doc.add_u64(f.age_max, u64::from(hi));
        }
        doc.add_text(f.title_stored, &d.title);
        let text = d.body.join("\n");
        doc.add_text(f.text_stored, truncate_chars(&text, STORED_TEXT_CHARS));
        doc.add_text(f.langs, d.languages.join(","));
        doc
    }

    fn commit(&self, writer: &mut IndexWriter) -> Result<()> {
        let state = *self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut prepared = writer.prepare_commit().map_err(internal)?;
        prepared.set_payload(state);
        prepared.commit().map_err(internal)?;
        self.reader.reload().map_err(internal)
    }

    fn set_state(&self, state: &'static str) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }
}

fn boxed(q: impl TantivyQuery + 'static, boost: f32) -> (Occur, Box<dyn TantivyQuery>) {
    (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
}

/// Everything that finds one query word, in the order of how good a match it is.
fn word_query(f: &Fields, w: &QueryWord) -> BooleanQuery {
    let t = |field: Field, s: &str| Term::from_field_text(field, s);
    let freqs = IndexRecordOption::WithFreqs;
    let mut should = vec![
        boxed(TermQuery::new(t(f.title, &w.plain), freqs), 3.0),
        boxed(TermQuery::new(t(f.text, &w.plain), freqs), 1.0),
    ];
    for s in &w.stems {
        should.push(boxed(TermQuery::new(t(f.stem, s), freqs), 0.9));
    }
    if w.typos > 0 {
        should.push(boxed(
            FuzzyTermQuery::new(t(f.text, &w.plain), w.typos, true),
            0.5,
        ));
    }
    if let Some(p) = &w.ending_prefix {
        should.push(boxed(
            FuzzyTermQuery::new_prefix(t(f.text, p), 0, true),
            0.4,
        ));
    }
    let long_enough = w.plain.chars().count() >= 2;
    if w.prefix && long_enough {
        should.push(boxed(
            FuzzyTermQuery::new_prefix(t(f.title, &w.plain), 0, true),
            1.0,
        ));
        should.push(boxed(
            FuzzyTermQuery::new_prefix(t(f.text, &w.plain), 0, true),
            0.6,
        ));
    }
    if !w.skeleton.is_empty() {
        should.push(boxed(TermQuery::new(t(f.skel, &w.skeleton), freqs), 0.8));
        if w.typos > 0 {
            should.push(boxed(
                FuzzyTermQuery::new(t(f.skel, &w.skeleton), w.typos, true),
                0.4,
            ));
        }
        if w.prefix && w.skeleton.len() >= 2 {
            should.push(boxed(
                FuzzyTermQuery::new_prefix(t(f.skel, &w.skeleton), 0, true),
                0.4,
            ));
        }
    }
    BooleanQuery::new(should)
}

/// The text part of a search: every required word (AND), optional ones and
/// phrases; with `relaxed`, any word will do (OR).
fn text_query(f: &Fields, q: &Query, relaxed: bool) -> Option<Box<dyn TantivyQuery>> {
    if q.is_empty() {
        return None;
    }
    let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
    let required = q.words.iter().any(|w| !w.optional) || !q.phrases.is_empty();
    for w in &q.words {
        let occur = if relaxed || w.optional && required {
            Occur::Should
        } else {
            Occur::Must
        };
        clauses.push((occur, Box::new(word_query(f, w))));
    }
    for p in &q.phrases {
        let terms: Vec<Term> = p.iter().map(|w| Term::from_field_text(f.text, w)).collect();
        let phrase: Box<dyn TantivyQuery> = if terms.len() == 1 {
            Box::new(TermQuery::new(
                terms[0].clone(),
                IndexRecordOption::WithFreqs,
            ))
        } else {
            Box::new(PhraseQuery::new(terms))
        };
        let occur = if relaxed { Occur::Should } else { Occur::Must };
        clauses.push((occur, Box::new(BoostQuery::new(phrase, 2.0))));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// The filters: audience, facets and age, none of which scores.
fn filter_clauses(f: &Fields, r: &SearchRequest) -> Vec<(Occur, Box<dyn TantivyQuery>)> {
    let mut out: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
    let unscored = |q: Box<dyn TantivyQuery>| -> (Occur, Box<dyn TantivyQuery>) {
        (Occur::Must, Box::new(BoostQuery::new(q, 0.0)))
    };
    if let Some(audience) = &r.audience {
        let terms: Vec<Term> = audience
            .iter()
            .map(|a| Term::from_field_text(f.audience, a))
            .collect();
        out.push(unscored(Box::new(TermSetQuery::new(terms))));
    }
    for (name, values) in &r.filters {
        let terms: Vec<Term> = values
            .iter()
            .map(|v| {
                Term::from_facet(
                    f.facets,
                    &tantivy::schema::Facet::from_path([name.as_str(), v.as_str()]),
                )
            })
            .collect();
        out.push(unscored(Box::new(TermSetQuery::new(terms))));
    }
    if let Some(age) = r.age {
        let age = u64::from(age);
        out.push(unscored(Box::new(RangeQuery::new(
            Bound::Unbounded,
            Bound::Included(Term::from_field_u64(f.age_min, age)),
        ))));
        out.push(unscored(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_u64(f.age_max, age)),
            Bound::Unbounded,
        ))));
    }
    out
}

fn full_query(f: &Fields, r: &SearchRequest, q: &Query, relaxed: bool) -> Box<dyn TantivyQuery> {
    let mut clauses = filter_clauses(f, r);
    match text_query(f, q, relaxed) {
        Some(t) => clauses.push((Occur::Must, t)),
        None => clauses.push((Occur::Must, Box::new(AllQuery))),
    }
    Box::new(BooleanQuery::new(clauses))
}

fn facet_collector() -> FacetCollector {
    let mut fc = FacetCollector::for_field("facets");
    for name in FacetName::ALL {
        fc.add_facet(tantivy::schema::Facet::from_path([name.as_str()]));
    }
    fc
}

fn facet_counts(counts: &FacetCounts) -> Vec<FacetCount> {
    let mut out = Vec::new();
    for name in FacetName::ALL {
        let root = tantivy::schema::Facet::from_path([name.as_str()]);
        let mut values: Vec<(String, u64)> = counts
            .get(root)
            .filter_map(|(facet, n)| {
                let path = facet.to_path();
                path.get(1).map(|v| (v.to_string(), n))
            })
            .collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        values.truncate(FACET_VALUES);
        out.extend(values.into_iter().map(|(value, count)| FacetCount {
            facet: name,
            value,
            count,
        }));
    }
    out
}

type Ranked = Vec<(f32, DocAddress)>;

fn run(
    searcher: &Searcher,
    query: &dyn TantivyQuery,
    r: &SearchRequest,
) -> tantivy::Result<(Ranked, usize, Option<FacetCounts>)> {
    let top = TopDocs::with_limit(r.limit.max(1)).and_offset(r.offset);
    let (ranked, total, facets) = match (r.order, r.facets) {
        (SearchOrder::Relevance, true) => {
            let (a, b, c) =
                searcher.search(query, &(top.order_by_score(), Count, facet_collector()))?;
            (a, b, Some(c))
        }
        (SearchOrder::Relevance, false) => {
            let (a, b) = searcher.search(query, &(top.order_by_score(), Count))?;
            (a, b, None)
        }
        (SearchOrder::Newest, with_facets) => {
            let by_time = top.order_by_fast_field::<i64>("time", Order::Desc);
            let (a, b, c) = if with_facets {
                let (a, b, c) = searcher.search(query, &(by_time, Count, facet_collector()))?;
                (a, b, Some(c))
            } else {
                let (a, b) = searcher.search(query, &(by_time, Count))?;
                (a, b, None)
            };
            (a.into_iter().map(|(_, d)| (0.0, d)).collect(), b, c)
        }
    };
    let ranked = if r.limit == 0 { vec![] } else { ranked };
    Ok((ranked, total, facets))
}

fn stored(doc: &TantivyDocument, field: Field) -> &str {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("")
}

impl Inner {
    fn search(&self, r: &SearchRequest) -> Result<EngineResults> {
        let q = analysis::parse_query_with_prefix(&r.text, r.prefix);
        let searcher = self.reader.searcher();
        let query = full_query(&self.f, r, &q, false);
        let (mut ranked, mut total, mut facets) = run(&searcher, &*query, r).map_err(internal)?;
        let required = q.words.iter().filter(|w| !w.optional).count() + q.phrases.len();
        let partial = total == 0 && required > 1;
        if partial {
            // Nothing has every word: show what has some of them.
            let query = full_query(&self.f, r, &q, true);
            (ranked, total, facets) = run(&searcher, &*query, r).map_err(internal)?;
        }
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, address) in ranked {
            let doc: TantivyDocument = searcher.doc(address).map_err(internal)?;
            let Some(key) = DocKey::parse(stored(&doc, self.f.key)) else {
                continue;
            };
            let langs: Vec<&str> = stored(&doc, self.f.langs)
                .split(',')
                .filter(|s| !s.is_empty())
                .collect();
            let profile = Profile::for_languages(&langs);
            let mut highlights = Vec::new();
            if let Some(html) =
                analysis::highlight::whole(stored(&doc, self.f.title_stored), &profile, &q)
            {
                highlights.push(Highlight {
                    field: HighlightField::Title,
                    html,
                });
            }
            if let Some(html) =
                analysis::highlight::snippet(stored(&doc, self.f.text_stored), &profile, &q)
            {
                highlights.push(Highlight {
                    field: HighlightField::Text,
                    html,
                });
            }
            hits.push(EngineHit {
                key,
                score,
                highlights,
            });
        }
        Ok(EngineResults {
            hits,
            total: total as u64,
            facets: facets.as_ref().map(facet_counts).unwrap_or_default(),
            partial: partial && total > 0,
        })
    }
}

#[async_trait]
impl app::ports::SearchIndex for EmbeddedIndex {
    async fn ping(&self) -> Result<()> {
        // Taking a searcher touches the current segments.
        let _ = self.inner.reader.searcher().num_docs();
        Ok(())
    }

    async fn apply(&self, upserts: Vec<SearchDocument>, removals: Vec<DocKey>) -> Result<()> {
        self.blocking(move |inner| {
            // Analysis happens before the writer is taken: it is most of the work.
            let docs: Vec<(Term, TantivyDocument)> = upserts
                .iter()
                .map(|d| (inner.key_term(&d.key), inner.document(d)))
                .collect();
            let mut w = inner.writer.lock().unwrap_or_else(|e| e.into_inner());
            for k in &removals {
                w.delete_term(inner.key_term(k));
            }
            for (term, doc) in docs {
                w.delete_term(term);
                w.add_document(doc).map_err(internal)?;
            }
            inner.commit(&mut w)
        })
        .await
    }

    async fn search(&self, request: &SearchRequest) -> Result<EngineResults> {
        let request = request.clone();
        self.blocking(move |inner| inner.search(&request)).await
    }

    async fn clear(&self) -> Result<()> {
        self.blocking(|inner| {
            let mut w = inner.writer.lock().unwrap_or_else(|e| e.into_inner());
            inner.set_state(BUILDING);
            // Segments written during the rebuild are merged once, at its end.
            w.set_merge_policy(Box::new(NoMergePolicy));
            w.delete_all_documents().map_err(internal)?;
            inner.commit(&mut w)
        })
        .await
    }

    async fn stage(&self, documents: Vec<SearchDocument>) -> Result<()> {
        self.blocking(move |inner| {
            let docs: Vec<TantivyDocument> = documents.iter().map(|d| inner.document(d)).collect();
            let w = inner.writer.lock().unwrap_or_else(|e| e.into_inner());
            for doc in docs {
                w.add_document(doc).map_err(internal)?;
            }
            Ok(())
        })
        .await
    }

    async fn is_complete(&self) -> Result<bool> {
        Ok(*self.inner.state.lock().unwrap_or_else(|e| e.into_inner()) == COMPLETE)
    }

    async fn mark_complete(&self) -> Result<()> {
        self.blocking(|inner| {
            let mut w = inner.writer.lock().unwrap_or_else(|e| e.into_inner());
            // What was staged becomes searchable, then one segment: a
            // rebuilt index is searched fastest so.
            inner.commit(&mut w)?;
            let segments = inner.index.searchable_segment_ids().map_err(internal)?;
            if segments.len() > 1 {
                w.merge(&segments).wait().map_err(internal)?;
            }
            w.set_merge_policy(Box::new(LogMergePolicy::default()));
            inner.set_state(COMPLETE);
            inner.commit(&mut w)
        })
        .await
    }

    async fn document_count(&self) -> Result<u64> {
        Ok(self.inner.reader.searcher().num_docs())
    }
}
