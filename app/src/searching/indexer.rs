//! Keeping the search index in step with the database.
//!
//! Every write that changes something searchable leaves an outbox entry in
//! the same transaction (see [`crate::searching::port::SearchSource`]). The
//! indexer reads entries in batches, re-reads the things they name *as they
//! are now*, hands the engine their documents (or their removal), and
//! deletes the entries only after the engine has committed. So a crash at
//! any point loses nothing, and since a document is always built from the
//! current rows, nothing stale survives the entry that follows a change.
//!
//! A rebuild (`lff reindex`, or a new or half-built index at start-up)
//! clears the index, walks every searchable table, and marks the index
//! complete at the end; it holds the indexer's lock throughout, so entries
//! written meanwhile wait and are applied after it.
//!
//! This module also decides each document's audience (who may find it);
//! the asker's side is in [`crate::searching`]. Both follow the rules of
//! `materials`, `policy` and `space_members`, and the black-box tests hold
//! the two to agree.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::Searching;
use crate::accounts::model::User;
use crate::kernel::audience::{Principal, tokens};
use crate::kernel::error::Result;
use crate::kernel::id::{ChannelId, MaterialId, MessageId, SchoolId, SpaceId, UserId};
use crate::kernel::text::LocalizedText;
use crate::materials::{Library, Material, MaterialStatus, Visibility};
use crate::network::model::{School, SchoolStatus};
use crate::searching::model::{
    DocKey, FacetName, SearchDocument, SearchKind, age_bands, licence_value, pillar_value,
};
use crate::searching::port::SearchTable;
use crate::spaces::model::{ChannelKind, Message, Space};

/// Outbox entries handled per engine commit.
const BATCH: usize = 500;
/// Rows read per round trip in a rebuild.
const REBUILD_BATCH: usize = 2000;
/// Text of one file that is indexed at most.
const FILE_TEXT_CHARS: usize = 200_000;
/// How often the indexer looks for work nobody told it about (another
/// process's writes, entries left by a crash).
const POLL: Duration = Duration::from_millis(500);

#[derive(Default)]
pub(crate) struct IndexerState {
    /// One drain or rebuild at a time.
    lock: tokio::sync::Mutex<()>,
}

/// Who may find a material: see `App::material_rights`.
pub fn material_audience(m: &Material) -> Vec<Principal> {
    let creator = Principal::User(m.created_by.clone());
    match (m.status, m.visibility, m.library()) {
        (MaterialStatus::Draft, _, Library::School(s)) => vec![creator, Principal::SchoolStaff(s)],
        (MaterialStatus::Draft, _, Library::Space(s)) => vec![creator, Principal::SpaceEditor(s)],
        (MaterialStatus::Published, Visibility::Public, _) => vec![Principal::Public],
        (MaterialStatus::Published, Visibility::Network, _) => vec![Principal::Network],
        (MaterialStatus::Published, Visibility::Space, Library::School(s)) => {
            vec![creator, Principal::School(s)]
        }
        (MaterialStatus::Published, Visibility::Space, Library::Space(s)) => {
            vec![creator, Principal::Space(s)]
        }
    }
}

/// Who may find a school: see `policy::sees_school`.
pub fn school_audience(s: &School) -> Vec<Principal> {
    if s.status == SchoolStatus::Approved {
        let mut v = vec![Principal::Network];
        if s.card.public {
            v.push(Principal::Public);
        }
        v
    } else {
        vec![
            Principal::School(s.id.clone()),
            Principal::Coordinator(s.facts.country.clone()),
        ]
    }
}

/// Who may find a space: its members and observers, and the staff of its
/// schools (who see its description and may join): see `App::space_access`.
pub fn space_audience(s: &Space) -> Vec<Principal> {
    let mut v = vec![Principal::Space(s.id.clone())];
    v.extend(s.schools.iter().cloned().map(Principal::SchoolStaff));
    v
}

/// Who may find a message: the readers of its channel. Hidden and deleted
/// messages are found by nobody.
pub fn message_audience(m: &Message, channel: ChannelKind) -> Option<Vec<Principal>> {
    if m.deleted || m.hidden.is_some() {
        return None;
    }
    Some(vec![if channel == ChannelKind::Bulletin {
        Principal::SpaceStaff(m.space.clone())
    } else {
        Principal::Space(m.space.clone())
    }])
}

fn push_text(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s.to_owned());
    }
}

fn material_document(m: &Material, school: Option<&School>, files: &[&String]) -> SearchDocument {
    let d = &m.details;
    let mut body = Vec::new();
    push_text(&mut body, &d.summary);
    push_text(
        &mut body,
        &crate::materials::previews::markdown_text(&d.body),
    );
    if let Some(p) = &d.practice {
        for s in [
            &p.context,
            &p.what_was_done,
            &p.results,
            &p.evidence,
            &p.lessons_learned,
        ] {
            push_text(&mut body, s);
        }
    }
    push_text(&mut body, &d.subjects.join(", "));
    push_text(&mut body, &d.authors.join(", "));
    for t in files {
        push_text(&mut body, t);
    }
    let mut facets = Vec::new();
    for l in &d.languages {
        facets.push((FacetName::Language, l.as_str().to_owned()));
    }
    if let Some(s) = school {
        facets.push((FacetName::Country, s.facts.country.as_str().to_owned()));
    }
    facets.push((FacetName::School, m.school.as_str().to_owned()));
    for p in &d.pillars {
        facets.push((FacetName::Pillar, pillar_value(*p).to_owned()));
    }
    for g in &d.sdgs {
        facets.push((FacetName::Sdg, g.to_string()));
    }
    for s in &d.subjects {
        facets.push((FacetName::Subject, s.to_lowercase()));
    }
    let ages = match (d.age_min, d.age_max) {
        (None, None) => None,
        (lo, hi) => Some((lo.unwrap_or(3), hi.unwrap_or(99))),
    };
    if let Some((lo, hi)) = ages {
        for b in age_bands(lo, hi) {
            facets.push((FacetName::Age, b.to_owned()));
        }
    }
    facets.push((FacetName::Licence, licence_value(d.licence).to_owned()));
    SearchDocument {
        key: DocKey::Material(m.id.clone()),
        kind: SearchKind::of_material(d.kind),
        audience: tokens(material_audience(m)),
        languages: d.languages.iter().map(|l| l.as_str().to_owned()).collect(),
        title: d.title.clone(),
        body,
        facets,
        ages,
        time: m.published_at.unwrap_or(m.created_at),
    }
}

fn localized_texts(t: &LocalizedText, out: &mut Vec<String>) {
    for (_, s) in t.iter() {
        push_text(out, s);
    }
}

fn school_document(s: &School) -> SearchDocument {
    let name = s.facts.name.get(None).to_owned();
    let mut body = Vec::new();
    for (_, other) in s.facts.name.iter() {
        if other != name {
            push_text(&mut body, other);
        }
    }
    push_text(&mut body, &s.facts.city);
    if let Some(m) = &s.card.motto {
        localized_texts(m, &mut body);
    }
    if let Some(d) = &s.card.description {
        localized_texts(d, &mut body);
    }
    let mut facets = vec![
        (FacetName::Country, s.facts.country.as_str().to_owned()),
        (FacetName::School, s.id.as_str().to_owned()),
    ];
    for l in &s.facts.languages {
        facets.push((FacetName::Language, l.as_str().to_owned()));
    }
    SearchDocument {
        key: DocKey::School(s.id.clone()),
        kind: SearchKind::School,
        audience: tokens(school_audience(s)),
        languages: s
            .facts
            .languages
            .iter()
            .map(|l| l.as_str().to_owned())
            .collect(),
        title: name,
        body,
        facets,
        ages: None,
        time: s.created_at,
    }
}

fn space_document(s: &Space, schools: &BTreeMap<SchoolId, School>) -> SearchDocument {
    let mut body = Vec::new();
    push_text(&mut body, &s.details.topic);
    push_text(&mut body, &s.details.description);
    let mut facets = Vec::new();
    let mut countries = BTreeSet::new();
    for id in &s.schools {
        facets.push((FacetName::School, id.as_str().to_owned()));
        if let Some(school) = schools.get(id) {
            countries.insert(school.facts.country.as_str().to_owned());
        }
    }
    facets.extend(countries.into_iter().map(|c| (FacetName::Country, c)));
    for p in &s.details.pillars {
        facets.push((FacetName::Pillar, pillar_value(*p).to_owned()));
    }
    for l in &s.details.languages {
        facets.push((FacetName::Language, l.as_str().to_owned()));
    }
    SearchDocument {
        key: DocKey::Space(s.id.clone()),
        kind: SearchKind::Space,
        audience: tokens(space_audience(s)),
        languages: s
            .details
            .languages
            .iter()
            .map(|l| l.as_str().to_owned())
            .collect(),
        title: s.details.title.clone(),
        body,
        facets,
        ages: None,
        time: s.created_at,
    }
}

fn message_document(
    m: &Message,
    audience: Vec<Principal>,
    space: Option<&Space>,
    author: Option<&User>,
) -> SearchDocument {
    let mut facets = Vec::new();
    if let Some(a) = author {
        if let Some(s) = &a.school {
            facets.push((FacetName::School, s.as_str().to_owned()));
        }
        if let Some(c) = &a.country {
            facets.push((FacetName::Country, c.as_str().to_owned()));
        }
    }
    SearchDocument {
        key: DocKey::Message(m.id.clone()),
        kind: SearchKind::Message,
        audience: tokens(audience),
        languages: space
            .map(|s| {
                s.details
                    .languages
                    .iter()
                    .map(|l| l.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        title: String::new(),
        body: vec![crate::materials::previews::markdown_text(&m.body.markdown)],
        facets,
        ages: None,
        time: m.created_at,
    }
}

/// Where a rebuild's walk over the searchable tables stands.
#[derive(Default)]
struct Walk {
    table: usize,
    after: Option<String>,
}

impl Walk {
    /// The documents of the next rows, and how many rows that was; `None`
    /// past the last table.
    async fn next(&mut self, app: &Searching<'_>) -> Result<Option<(Vec<SearchDocument>, usize)>> {
        while let Some(&table) = SearchTable::ALL.get(self.table) {
            let ids = app
                .store
                .searchable_ids(table, self.after.as_deref(), REBUILD_BATCH)
                .await?;
            let Some(last) = ids.last().cloned() else {
                self.table += 1;
                self.after = None;
                continue;
            };
            self.after = Some(last);
            let keys: Vec<DocKey> = ids
                .into_iter()
                .map(|id| match table {
                    SearchTable::Material => DocKey::Material(MaterialId::from_trusted(id)),
                    SearchTable::School => DocKey::School(SchoolId::from_trusted(id)),
                    SearchTable::Space => DocKey::Space(SpaceId::from_trusted(id)),
                    SearchTable::Message => DocKey::Message(MessageId::from_trusted(id)),
                })
                .collect();
            let (docs, _) = app.documents(&keys).await?;
            return Ok(Some((docs, keys.len())));
        }
        Ok(None)
    }
}

fn by_id<K: Ord, T>(list: Vec<T>, key: impl Fn(&T) -> K) -> BTreeMap<K, T> {
    list.into_iter().map(|t| (key(&t), t)).collect()
}

impl Searching<'_> {
    fn search_engine(&self) -> &dyn crate::searching::port::SearchIndex {
        self.search
    }

    /// The documents of these things as they are now, and the keys of those
    /// that are gone or are found by nobody.
    pub(crate) async fn documents(
        &self,
        keys: &[DocKey],
    ) -> Result<(Vec<SearchDocument>, Vec<DocKey>)> {
        let (mut materials, mut schools, mut spaces, mut messages) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for k in keys {
            match k {
                DocKey::Material(id) => materials.push(id.clone()),
                DocKey::School(id) => schools.push(id.clone()),
                DocKey::Space(id) => spaces.push(id.clone()),
                DocKey::Message(id) => messages.push(id.clone()),
            }
        }
        let repo = self.store;
        let found_materials = if materials.is_empty() {
            vec![]
        } else {
            repo.materials_by_ids(&materials).await?
        };
        let texts = if materials.is_empty() {
            vec![]
        } else {
            repo.material_file_texts(&materials, FILE_TEXT_CHARS)
                .await?
        };
        let found_messages = if messages.is_empty() {
            vec![]
        } else {
            repo.messages_by_ids(&messages).await?
        };
        let channel_ids: BTreeSet<ChannelId> =
            found_messages.iter().map(|m| m.channel.clone()).collect();
        let author_ids: BTreeSet<UserId> =
            found_messages.iter().map(|m| m.author.clone()).collect();
        let mut space_ids: BTreeSet<SpaceId> = spaces.iter().cloned().collect();
        space_ids.extend(found_messages.iter().map(|m| m.space.clone()));
        let channels = if channel_ids.is_empty() {
            BTreeMap::new()
        } else {
            let ids: Vec<_> = channel_ids.into_iter().collect();
            by_id(repo.channels_by_ids(&ids).await?, |c| c.id.clone())
        };
        let authors = if author_ids.is_empty() {
            BTreeMap::new()
        } else {
            let ids: Vec<_> = author_ids.into_iter().collect();
            by_id(self.accounts.store.users_by_ids(&ids).await?, |u| {
                u.id.clone()
            })
        };
        let found_spaces = if space_ids.is_empty() {
            BTreeMap::new()
        } else {
            let ids: Vec<_> = space_ids.into_iter().collect();
            by_id(self.spaces.store.spaces_by_ids(&ids).await?, |s| {
                s.id.clone()
            })
        };
        let mut school_ids: BTreeSet<SchoolId> = schools.iter().cloned().collect();
        school_ids.extend(found_materials.iter().map(|m| m.school.clone()));
        for s in &spaces {
            if let Some(space) = found_spaces.get(s) {
                school_ids.extend(space.schools.iter().cloned());
            }
        }
        let found_schools = if school_ids.is_empty() {
            BTreeMap::new()
        } else {
            let ids: Vec<_> = school_ids.into_iter().collect();
            by_id(self.network.store.schools_by_ids(&ids).await?, |s| {
                s.id.clone()
            })
        };

        let mut docs = Vec::with_capacity(keys.len());
        let mut built: BTreeSet<DocKey> = BTreeSet::new();
        for m in &found_materials {
            let files: Vec<&String> = texts
                .iter()
                .filter(|(id, _)| *id == m.id)
                .map(|(_, t)| t)
                .collect();
            docs.push(material_document(m, found_schools.get(&m.school), &files));
        }
        for id in &schools {
            if let Some(s) = found_schools.get(id) {
                docs.push(school_document(s));
            }
        }
        for id in &spaces {
            if let Some(s) = found_spaces.get(id) {
                docs.push(space_document(s, &found_schools));
            }
        }
        for m in &found_messages {
            let Some(channel) = channels.get(&m.channel) else {
                continue;
            };
            if let Some(audience) = message_audience(m, channel.kind) {
                docs.push(message_document(
                    m,
                    audience,
                    found_spaces.get(&m.space),
                    authors.get(&m.author),
                ));
            }
        }
        built.extend(docs.iter().map(|d| d.key.clone()));
        let gone = keys
            .iter()
            .filter(|k| !built.contains(*k))
            .cloned()
            .collect();
        Ok((docs, gone))
    }

    /// After a batch failed to build: each key alone, so that one row that
    /// cannot be read (and is left out of the index, with a warning) does
    /// not hold up every change behind it. A database that does not answer
    /// at all fails again here, and the batch is retried later.
    async fn documents_one_by_one(
        &self,
        keys: &[DocKey],
        first: crate::Error,
    ) -> Result<(Vec<SearchDocument>, Vec<DocKey>)> {
        tracing::warn!(error = %first, "building a batch of search documents failed; trying each alone");
        let (mut docs, mut gone) = (Vec::new(), Vec::new());
        let mut failed = 0;
        for k in keys {
            match self.documents(std::slice::from_ref(k)).await {
                Ok((d, g)) => {
                    docs.extend(d);
                    gone.extend(g);
                }
                Err(e) => {
                    failed += 1;
                    tracing::warn!(key = %k.as_string(), error = %e, "left out of the search index");
                    gone.push(k.clone());
                }
            }
        }
        if failed == keys.len() {
            return Err(first);
        }
        Ok((docs, gone))
    }

    /// Applies every waiting outbox entry to the index, batch by batch, and
    /// returns how many there were. When it returns, everything committed
    /// before the call is searchable.
    pub async fn index_pending(&self) -> Result<usize> {
        let _one_at_a_time = self.state.indexer.lock.lock().await;
        let mut done = 0;
        loop {
            let entries = self.store.search_outbox(None, BATCH).await?;
            if entries.is_empty() {
                return Ok(done);
            }
            let mut keys: Vec<DocKey> = entries
                .iter()
                .filter_map(|e| DocKey::parse(&e.key))
                .collect();
            keys.sort();
            keys.dedup();
            let (docs, gone) = match self.documents(&keys).await {
                Ok(d) => d,
                Err(e) => self.documents_one_by_one(&keys, e).await?,
            };
            self.search_engine().apply(docs, gone).await?;
            let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
            self.store.delete_search_outbox(&ids).await?;
            done += entries.len();
        }
    }

    /// Rebuilds the index from the database: clears it, indexes every
    /// searchable row, marks it complete, then applies what changed
    /// meanwhile. `progress(done, total)` is called after each batch.
    /// Returns how many documents the index holds.
    pub async fn rebuild_search_index(
        &self,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<u64> {
        {
            let _one_at_a_time = self.state.indexer.lock.lock().await;
            // The entries waiting now name changes the walk below will see;
            // those written from here on wait for the drain after it.
            let mut seen: Vec<String> = Vec::new();
            loop {
                let page = self
                    .store
                    .search_outbox(seen.last().map(String::as_str), 5000)
                    .await?;
                if page.is_empty() {
                    break;
                }
                seen.extend(page.into_iter().map(|e| e.id));
            }
            let engine = self.search_engine();
            engine.clear().await?;
            let total = self.store.searchable_count().await?;
            let mut done = 0u64;
            progress(done, total);
            // Reading the next batch overlaps with analysing and indexing
            // this one (the engine works on the blocking pool).
            let mut walk = Walk::default();
            let mut batch = walk.next(self).await?;
            while let Some((docs, n)) = batch {
                let (staged, next) = tokio::join!(engine.stage(docs), walk.next(self));
                staged?;
                done += n as u64;
                progress(done.min(total), total.max(done));
                batch = next?;
            }
            engine.mark_complete().await?;
            for chunk in seen.chunks(1000) {
                self.store.delete_search_outbox(chunk).await?;
            }
        }
        self.index_pending().await?;
        self.search_engine().document_count().await
    }

    /// Rebuilds the index if it is new or was left half-built; true if it did.
    pub async fn ensure_search_index(&self) -> Result<bool> {
        if self.search_engine().is_complete().await? {
            return Ok(false);
        }
        tracing::info!("the search index is new or incomplete: rebuilding it from the database");
        let n = self.rebuild_search_index(&|_, _| {}).await?;
        tracing::info!(documents = n, "search index rebuilt");
        Ok(true)
    }

    /// Runs the indexer until `shutdown` completes: first makes sure the
    /// index is complete, then applies outbox entries whenever woken, and
    /// at least every half second.
    pub async fn run_indexer(&self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        tokio::select! {
            r = self.ensure_search_index() => if let Err(e) = r {
                tracing::warn!(error = %e, "rebuilding the search index failed; it will be retried at the next start");
            },
            () = &mut shutdown => return,
        }
        loop {
            tokio::select! {
                () = self.outbox.rung() => {}
                () = tokio::time::sleep(POLL) => {}
                () = &mut shutdown => return,
            }
            if let Err(e) = self.index_pending().await {
                tracing::warn!(error = %e, "indexing search changes failed; retrying");
                tokio::select! {
                    () = tokio::time::sleep(POLL * 4) => {}
                    () = &mut shutdown => return,
                }
            }
        }
    }
}
