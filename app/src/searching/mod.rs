//! The search use cases: `search` and `suggest`.
//!
//! Who may see what is applied twice. The engine only returns documents
//! whose audience shares a principal with the asker's (computed here from
//! who they are and where they belong), so results and facet counts never
//! hold anything else. Then every hit is loaded from the database and its
//! audience computed again from the row as it is now; a hit that fails is
//! dropped, so an index that lags behind a change can never show what the
//! change hid.

pub mod indexer;
pub mod port;

pub mod model;

use std::collections::{BTreeMap, BTreeSet};

use crate::accounts::model::Viewer;
use crate::accounts::policy;
use crate::kernel::audience::Principal;
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{ChannelId, CountryCode, SchoolId, SpaceId};
use crate::kernel::paging::{PageRequest, offset_after, offset_cursor};
use crate::materials::{LanguageTag, Licence, Material};
use crate::network::model::School;
use crate::searching::indexer::{
    material_audience, message_audience, school_audience, space_audience,
};
use crate::searching::model::{
    AGE_BANDS, DocKey, EngineHit, EngineResults, FacetCount, FacetFilters, FacetName, Highlight,
    SearchKind, SearchOrder, SearchRequest, licence_value, pillar_value,
};
use crate::spaces::model::{ChannelKind, Message, Pillar, Space};

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 300;
/// Results beyond this position are not paged to (ask a narrower question).
pub const MAX_SEARCH_DEPTH: usize = 1000;
/// Values per filter at most.
const MAX_FILTER_VALUES: usize = 30;
/// Suggestions at most.
pub const MAX_SUGGESTIONS: usize = 10;

/// What the asker narrows a search to; empty lists allow everything.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub kinds: Vec<SearchKind>,
    pub languages: Vec<String>,
    pub countries: Vec<String>,
    pub schools: Vec<SchoolId>,
    pub pillars: Vec<Pillar>,
    pub sdgs: Vec<i32>,
    pub subjects: Vec<String>,
    /// Materials meant for this age.
    pub age: Option<i32>,
    /// Materials in these age bands (facet values such as `11-14`).
    pub age_bands: Vec<String>,
    pub licences: Vec<Licence>,
}

impl SearchFilter {
    fn into_engine(self) -> Result<(FacetFilters, Option<u8>)> {
        let mut out: FacetFilters = Vec::new();
        let mut add = |name: FacetName, field: &'static str, values: Vec<String>| -> Result<()> {
            if values.len() > MAX_FILTER_VALUES {
                return Err(Error::invalid(
                    field,
                    format!("give at most {MAX_FILTER_VALUES} values"),
                ));
            }
            if !values.is_empty() {
                out.push((name, values));
            }
            Ok(())
        };
        add(
            FacetName::Kind,
            "kinds",
            self.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        )?;
        let mut languages = Vec::new();
        for l in &self.languages {
            languages.push(LanguageTag::parse(l)?.as_str().to_owned());
        }
        add(FacetName::Language, "languages", languages)?;
        let mut countries = Vec::new();
        for c in &self.countries {
            countries.push(
                CountryCode::parse(c)
                    .map_err(|_| {
                        Error::invalid("countries", format!("'{c}' is not a country code"))
                    })?
                    .as_str()
                    .to_owned(),
            );
        }
        add(FacetName::Country, "countries", countries)?;
        add(
            FacetName::School,
            "schoolIds",
            self.schools.iter().map(|s| s.as_str().to_owned()).collect(),
        )?;
        add(
            FacetName::Pillar,
            "pillars",
            self.pillars
                .iter()
                .map(|p| pillar_value(*p).to_owned())
                .collect(),
        )?;
        let mut sdgs = Vec::new();
        for g in &self.sdgs {
            if !(1..=17).contains(g) {
                return Err(Error::invalid(
                    "sdgs",
                    "the Sustainable Development Goals are numbered 1 to 17",
                ));
            }
            sdgs.push(g.to_string());
        }
        add(FacetName::Sdg, "sdgs", sdgs)?;
        add(
            FacetName::Subject,
            "subjects",
            self.subjects
                .iter()
                .map(|s| s.trim().to_lowercase())
                .collect(),
        )?;
        for b in &self.age_bands {
            if !AGE_BANDS.iter().any(|(_, _, name)| name == b) {
                return Err(Error::invalid(
                    "ageBands",
                    format!("'{b}' is not an age band (3-6, 7-10, 11-14, 15-18, 19+)"),
                ));
            }
        }
        add(FacetName::Age, "ageBands", self.age_bands.clone())?;
        add(
            FacetName::Licence,
            "licences",
            self.licences
                .iter()
                .map(|l| licence_value(*l).to_owned())
                .collect(),
        )?;
        let age = match self.age {
            None => None,
            Some(a) if (3..=99).contains(&a) => Some(a as u8),
            Some(_) => return Err(Error::invalid("age", "give an age from 3 to 99")),
        };
        Ok((out, age))
    }
}

/// School names by id for facet labels, with when each was read.
pub(crate) type SchoolLabels =
    std::collections::HashMap<String, (chrono::DateTime<chrono::Utc>, String)>;

/// One thing a search found, as the asker may see it now.
#[derive(Debug, Clone)]
pub enum Found {
    Material(Material),
    School(School),
    Space(Space),
    Message(Message),
}

#[derive(Debug, Clone)]
pub struct SearchHit {
    pub found: Found,
    pub score: f32,
    pub highlights: Vec<Highlight>,
}

/// A facet value with how many results have it, and a name for it where
/// the value is an id or a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    pub facet: FacetName,
    pub value: String,
    pub label: Option<String>,
    pub count: u64,
}

/// One page of search results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// Each hit with its cursor.
    pub hits: Vec<(String, SearchHit)>,
    pub total: u64,
    pub facets: Vec<FacetValue>,
    pub has_next: bool,
    /// No result has every word of the query; these have some of them.
    pub partial: bool,
}

fn check_query(text: &str) -> Result<&str> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::invalid(
            "query",
            format!("a search may be at most {MAX_QUERY_CHARS} characters long"),
        ));
    }
    if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(Error::invalid(
            "query",
            "the search holds control characters",
        ));
    }
    Ok(text)
}

/// What search keeps in memory.
/// Search's use cases: finding what the asker may see, and keeping the
/// index in step with the database, over the searchable rows, the search
/// engine, search's state and the handles of the domains whose rows it finds.
#[derive(Clone, Copy)]
pub struct Searching<'a> {
    pub(crate) store: &'a dyn port::SearchSource,
    pub(crate) search: &'a dyn port::SearchIndex,
    pub(crate) state: &'a State,
    pub(crate) clock: &'a dyn crate::kernel::clock::Clock,
    pub(crate) outbox: &'a crate::kernel::outbox::Doorbell,
    pub(crate) accounts: crate::accounts::Accounts<'a>,
    pub(crate) network: crate::network::Network<'a>,
    pub(crate) spaces: crate::spaces::Spaces<'a>,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) indexer: indexer::IndexerState,
    /// School names for search facets, as last read.
    // A std mutex: look-ups and inserts only, never held across an await.
    pub(crate) school_labels: std::sync::Mutex<SchoolLabels>,
}

impl Searching<'_> {
    /// The principal tokens of an asker (see [`Principal`]); `None` for an
    /// administrator, who may find everything.
    pub(crate) async fn search_audience(
        &self,
        viewer: Option<&Viewer>,
    ) -> Result<Option<BTreeSet<String>>> {
        let Some(v) = viewer else {
            return Ok(Some([Principal::Public.token()].into()));
        };
        if policy::is_admin(viewer) {
            return Ok(None);
        }
        let u = &v.user;
        let mut p: Vec<Principal> = vec![
            Principal::Public,
            Principal::Network,
            Principal::User(u.id.clone()),
        ];
        if let Some(s) = &u.school {
            p.push(Principal::School(s.clone()));
            if policy::teaches_at(viewer, s) {
                p.push(Principal::SchoolStaff(s.clone()));
            }
        }
        let (roles, observed) = tokio::join!(self.spaces.store.space_roles(&u.id), async {
            match (u.role.is_national_coordinator(), &u.country) {
                (true, Some(c)) => self.store.spaces_of_country(c).await,
                _ => Ok(vec![]),
            }
        });
        let (roles, observed) = (roles?, observed?);
        if u.role.is_national_coordinator()
            && let Some(c) = &u.country
        {
            p.push(Principal::Coordinator(c.clone()));
        }
        for s in observed {
            p.push(Principal::Space(s.clone()));
            p.push(Principal::SpaceStaff(s));
        }
        // Editors of a space's library: its leads and teachers, while it is open.
        let moderated: Vec<SpaceId> = roles
            .iter()
            .filter(|(_, r)| r.moderates())
            .map(|(s, _)| s.clone())
            .collect();
        let open: BTreeSet<SpaceId> = if moderated.is_empty() {
            BTreeSet::new()
        } else {
            self.spaces
                .store
                .spaces_by_ids(&moderated)
                .await?
                .into_iter()
                .filter(|s| !s.archived)
                .map(|s| s.id)
                .collect()
        };
        for (s, role) in roles {
            if role.is_staff() {
                p.push(Principal::SpaceStaff(s.clone()));
            }
            if role.moderates() && open.contains(&s) {
                p.push(Principal::SpaceEditor(s.clone()));
            }
            p.push(Principal::Space(s));
        }
        Ok(Some(p.iter().map(Principal::token).collect()))
    }

    /// Loads what the engine found, as it is now, keeping only what the
    /// asker's principals still reach; in the engine's order, each with its
    /// place in the engine's answer.
    async fn load_hits(
        &self,
        audience: Option<&BTreeSet<String>>,
        hits: Vec<EngineHit>,
    ) -> Result<Vec<(usize, SearchHit)>> {
        let reaches = |list: Vec<Principal>| {
            audience.is_none_or(|a| list.iter().any(|p| a.contains(&p.token())))
        };
        let (mut materials, mut schools, mut spaces, mut messages) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for h in &hits {
            match &h.key {
                DocKey::Material(id) => materials.push(id.clone()),
                DocKey::School(id) => schools.push(id.clone()),
                DocKey::Space(id) => spaces.push(id.clone()),
                DocKey::Message(id) => messages.push(id.clone()),
            }
        }
        let repo = self.store;
        let (m, s, sp, msg) = tokio::join!(
            async {
                if materials.is_empty() {
                    Ok(vec![])
                } else {
                    repo.materials_by_ids(&materials).await
                }
            },
            async {
                if schools.is_empty() {
                    Ok(vec![])
                } else {
                    self.network.store.schools_by_ids(&schools).await
                }
            },
            async {
                if spaces.is_empty() {
                    Ok(vec![])
                } else {
                    self.spaces.store.spaces_by_ids(&spaces).await
                }
            },
            async {
                if messages.is_empty() {
                    Ok(vec![])
                } else {
                    repo.messages_by_ids(&messages).await
                }
            },
        );
        let mut found: BTreeMap<DocKey, Found> = BTreeMap::new();
        for m in m? {
            if reaches(material_audience(&m)) {
                found.insert(DocKey::Material(m.id.clone()), Found::Material(m));
            }
        }
        for s in s? {
            if reaches(school_audience(&s)) {
                found.insert(DocKey::School(s.id.clone()), Found::School(s));
            }
        }
        for s in sp? {
            if reaches(space_audience(&s)) {
                found.insert(DocKey::Space(s.id.clone()), Found::Space(s));
            }
        }
        let msg = msg?;
        if !msg.is_empty() {
            let channel_ids: Vec<ChannelId> = msg
                .iter()
                .map(|m| m.channel.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let channels: BTreeMap<ChannelId, ChannelKind> = repo
                .channels_by_ids(&channel_ids)
                .await?
                .into_iter()
                .map(|c| (c.id, c.kind))
                .collect();
            for m in msg {
                let Some(kind) = channels.get(&m.channel) else {
                    continue;
                };
                if message_audience(&m, *kind).is_some_and(&reaches) {
                    found.insert(DocKey::Message(m.id.clone()), Found::Message(m));
                }
            }
        }
        Ok(hits
            .into_iter()
            .enumerate()
            .filter_map(|(i, h)| {
                found.remove(&h.key).map(|f| {
                    (
                        i,
                        SearchHit {
                            found: f,
                            score: h.score,
                            highlights: h.highlights,
                        },
                    )
                })
            })
            .collect())
    }

    /// Names for country and school facet values. School names are kept
    /// for [`crate::network::schools::COUNTS_FRESH_FOR`]: every search shows them.
    async fn label_facets(&self, facets: Vec<FacetCount>) -> Result<Vec<FacetValue>> {
        let now = self.clock.now();
        let fresh = |at: &chrono::DateTime<chrono::Utc>| {
            now - *at < crate::network::schools::COUNTS_FRESH_FOR
        };
        let mut schools: BTreeMap<String, String> = BTreeMap::new();
        let mut missing: Vec<SchoolId> = Vec::new();
        {
            let kept = self.school_labels();
            for f in facets.iter().filter(|f| f.facet == FacetName::School) {
                match kept.get(&f.value) {
                    Some((at, name)) if fresh(at) => {
                        schools.insert(f.value.clone(), name.clone());
                    }
                    _ => missing.push(SchoolId::from_trusted(f.value.clone())),
                }
            }
        }
        if !missing.is_empty() {
            let loaded = self.network.store.schools_by_ids(&missing).await?;
            let mut kept = self.school_labels();
            if kept.len() > 20_000 {
                kept.clear();
            }
            for s in loaded {
                let name = s.facts.name.get(None).to_owned();
                kept.insert(s.id.as_str().to_owned(), (now, name.clone()));
                schools.insert(s.id.as_str().to_owned(), name);
            }
        }
        let mut out = Vec::with_capacity(facets.len());
        for f in facets {
            let label = match f.facet {
                FacetName::School => schools.get(&f.value).cloned(),
                FacetName::Country => match CountryCode::parse(&f.value) {
                    Ok(c) => self.network.known_country(&c).await.ok().map(|c| c.name),
                    Err(_) => None,
                },
                _ => None,
            };
            out.push(FacetValue {
                facet: f.facet,
                value: f.value,
                label,
                count: f.count,
            });
        }
        Ok(out)
    }

    /// Searches materials, good practices, schools, spaces and messages for
    /// what the viewer may see. An empty query lists everything the filter
    /// allows, newest first. Pages go at most [`MAX_SEARCH_DEPTH`] results deep.
    #[tracing::instrument(skip_all)]
    pub async fn search(
        &self,
        viewer: Option<&Viewer>,
        query: &str,
        filter: SearchFilter,
        order: SearchOrder,
        page: &PageRequest,
    ) -> Result<SearchPage> {
        let text = check_query(query)?;
        let offset = offset_after(page.after.as_deref())?;
        if offset + page.limit > MAX_SEARCH_DEPTH {
            return Err(Error::invalid(
                "after",
                format!("results go {MAX_SEARCH_DEPTH} deep; narrow the search instead"),
            ));
        }
        let (filters, age) = filter.into_engine()?;
        let audience = self.search_audience(viewer).await?;
        // Without words nothing is more relevant than anything else: newest first.
        let order = if text.trim().is_empty() {
            SearchOrder::Newest
        } else {
            order
        };
        let request = SearchRequest {
            text: text.to_owned(),
            audience: audience.as_ref().map(|a| a.iter().cloned().collect()),
            filters,
            age,
            order,
            offset,
            limit: page.limit,
            facets: true,
            prefix: true,
        };
        let res = self.search_engine_results(&request).await?;
        let has_next =
            (offset + page.limit) < res.total as usize && offset + page.limit < MAX_SEARCH_DEPTH;
        let hits = self.load_hits(audience.as_ref(), res.hits).await?;
        let facets = self.label_facets(res.facets).await?;
        Ok(SearchPage {
            // A cursor is the hit's position in the engine's whole answer.
            hits: hits
                .into_iter()
                .map(|(i, h)| (offset_cursor(offset + i), h))
                .collect(),
            total: res.total,
            facets,
            has_next,
            partial: res.partial,
        })
    }

    /// The best few matches for what is being typed (the last word counts
    /// as a prefix), for search as you type.
    pub async fn suggest(
        &self,
        viewer: Option<&Viewer>,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        let text = check_query(prefix)?;
        if !(1..=MAX_SUGGESTIONS).contains(&limit) {
            return Err(Error::invalid(
                "first",
                format!("ask for 1 to {MAX_SUGGESTIONS} suggestions"),
            ));
        }
        if text.trim().is_empty() {
            return Ok(vec![]);
        }
        let audience = self.search_audience(viewer).await?;
        let request = SearchRequest {
            text: text.to_owned(),
            audience: audience.as_ref().map(|a| a.iter().cloned().collect()),
            limit,
            prefix: true,
            ..SearchRequest::default()
        };
        let res = self.search_engine_results(&request).await?;
        Ok(self
            .load_hits(audience.as_ref(), res.hits)
            .await?
            .into_iter()
            .map(|(_, h)| h)
            .collect())
    }

    fn school_labels(&self) -> std::sync::MutexGuard<'_, SchoolLabels> {
        self.state
            .school_labels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    async fn search_engine_results(&self, request: &SearchRequest) -> Result<EngineResults> {
        self.search.search(request).await
    }
}
