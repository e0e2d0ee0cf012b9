//! GraphQL types of search: the filter, the results with their hits (a
//! union of the things found), highlights and facets. The domain decides
//! what the asker may find; these types only wrap its answer.

use async_graphql::connection::PageInfo;
use async_graphql::{Enum, ID, InputObject, SimpleObject, Union};

use crate::materials::types::{Licence, Material, mirror};
use crate::network::types::School;
use crate::spaces::types::{Message, Pillar, Space};

/// What a result is. Materials count by their kind.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    LessonPlan,
    Presentation,
    Worksheet,
    Video,
    ProjectReport,
    GoodPractice,
    /// A material of kind OTHER.
    OtherMaterial,
    School,
    Space,
    Message,
}

mirror!(
    SearchKind,
    app::SearchKind,
    [
        LessonPlan,
        Presentation,
        Worksheet,
        Video,
        ProjectReport,
        GoodPractice,
        OtherMaterial,
        School,
        Space,
        Message
    ]
);

/// The facets results are counted by.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SearchFacet {
    /// Values are `SearchKind` names.
    Kind,
    /// BCP 47 language tags.
    Language,
    /// ISO 3166-1 alpha-2 country codes (labelled with the country's name).
    Country,
    /// School ids (labelled with the school's name).
    School,
    /// `Pillar` names.
    Pillar,
    /// Sustainable Development Goals, 1–17.
    Sdg,
    /// Subjects, lower-cased.
    Subject,
    /// Age bands: 3-6, 7-10, 11-14, 15-18, 19+.
    Age,
    /// `Licence` names.
    Licence,
}

mirror!(
    SearchFacet,
    app::FacetName,
    [
        Kind, Language, Country, School, Pillar, Sdg, Subject, Age, Licence
    ]
);

/// How results are ordered.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchSort {
    /// Best matches first.
    #[default]
    Relevance,
    /// Newest first (materials by when they were published).
    Newest,
}

mirror!(SearchSort, app::SearchOrder, [Relevance, Newest]);

/// What to narrow a search to. Within a list any value will do; the lists
/// combine: `{ kinds: [GOOD_PRACTICE], languages: ["ru", "uk"] }` finds good
/// practices in Russian or Ukrainian.
#[derive(InputObject, Default)]
pub struct SearchFilter {
    #[graphql(default)]
    pub kinds: Vec<SearchKind>,
    /// BCP 47 tags: `ru`, `uz-Latn`.
    #[graphql(default)]
    pub languages: Vec<String>,
    /// ISO 3166-1 alpha-2 codes.
    #[graphql(default)]
    pub countries: Vec<String>,
    #[graphql(default)]
    pub school_ids: Vec<ID>,
    #[graphql(default)]
    pub pillars: Vec<Pillar>,
    /// Sustainable Development Goals, 1–17.
    #[graphql(default)]
    pub sdgs: Vec<i32>,
    #[graphql(default)]
    pub subjects: Vec<String>,
    /// Materials meant for a learner of this age (3–99).
    pub age: Option<i32>,
    /// Materials in these age bands (the values of the AGE facet).
    #[graphql(default)]
    pub age_bands: Vec<String>,
    #[graphql(default)]
    pub licences: Vec<Licence>,
}

impl SearchFilter {
    pub(crate) fn into_app(self) -> app::SearchFilter {
        app::SearchFilter {
            kinds: self.kinds.into_iter().map(Into::into).collect(),
            languages: self.languages,
            countries: self.countries,
            // An id that is not one of ours names no school: it matches nothing.
            schools: self
                .school_ids
                .iter()
                .map(|id| app::SchoolId::from_trusted(id.to_string()))
                .collect(),
            pillars: self.pillars.into_iter().map(Into::into).collect(),
            sdgs: self.sdgs,
            subjects: self.subjects,
            age: self.age,
            age_bands: self.age_bands,
            licences: self.licences.into_iter().map(Into::into).collect(),
        }
    }
}

/// Something a search found.
#[derive(Union)]
pub enum SearchResult {
    Material(Material),
    School(School),
    Space(Space),
    Message(Message),
}

/// Which text of a result a highlight shows.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum HighlightField {
    /// The title (a school's or space's name).
    Title,
    /// A passage of the rest: summary, body, sections, file text, message.
    Text,
}

mirror!(HighlightField, app::HighlightField, [Title, Text]);

/// Part of a result's text with the words that matched in `<mark>`.
#[derive(SimpleObject)]
pub struct Highlight {
    pub field: HighlightField,
    /// HTML-escaped text in which `<mark>` and `</mark>` are the only tags.
    pub html: String,
}

/// One result with how well it matched.
#[derive(SimpleObject)]
pub struct SearchHit {
    /// Higher is better; comparable within one search only (0 when sorted by date).
    pub score: f64,
    pub highlights: Vec<Highlight>,
    pub result: SearchResult,
}

impl From<app::SearchHit> for SearchHit {
    fn from(h: app::SearchHit) -> Self {
        SearchHit {
            score: f64::from(h.score),
            highlights: h
                .highlights
                .into_iter()
                .map(|x| Highlight {
                    field: x.field.into(),
                    html: x.html,
                })
                .collect(),
            result: match h.found {
                app::Found::Material(m) => SearchResult::Material(Material(m)),
                app::Found::School(s) => SearchResult::School(School(s)),
                app::Found::Space(s) => SearchResult::Space(Space(s)),
                app::Found::Message(m) => SearchResult::Message(Message(m)),
            },
        }
    }
}

#[derive(SimpleObject)]
pub struct SearchHitEdge {
    pub cursor: String,
    pub node: SearchHit,
}

/// A facet value with how many results have it.
#[derive(SimpleObject)]
pub struct FacetValue {
    pub value: String,
    /// A name to show for ids and codes (schools, countries).
    pub label: Option<String>,
    pub count: u64,
}

/// The counts of one facet over all results (not just this page).
#[derive(SimpleObject)]
pub struct Facet {
    pub name: SearchFacet,
    /// Most frequent first.
    pub values: Vec<FacetValue>,
}

/// Search results: a page of hits, the total and the facet counts. Every
/// count covers only what you may see.
#[derive(SimpleObject)]
pub struct SearchResults {
    /// How many results there are in all.
    pub total_count: u64,
    /// True when nothing has every word of the query and these results
    /// have some of them.
    pub partial_match: bool,
    pub edges: Vec<SearchHitEdge>,
    pub page_info: PageInfo,
    pub facets: Vec<Facet>,
}

impl SearchResults {
    pub(crate) fn new(page: app::SearchPage, has_previous: bool) -> Self {
        let mut facets: Vec<Facet> = Vec::new();
        for v in page.facets {
            let name: SearchFacet = v.facet.into();
            let value = FacetValue {
                value: v.value,
                label: v.label,
                count: v.count,
            };
            match facets.iter_mut().find(|f| f.name == name) {
                Some(f) => f.values.push(value),
                None => facets.push(Facet {
                    name,
                    values: vec![value],
                }),
            }
        }
        let page_info = PageInfo {
            has_previous_page: has_previous,
            has_next_page: page.has_next,
            start_cursor: page.hits.first().map(|(c, _)| c.clone()),
            end_cursor: page.hits.last().map(|(c, _)| c.clone()),
        };
        SearchResults {
            total_count: page.total,
            partial_match: page.partial,
            edges: page
                .hits
                .into_iter()
                .map(|(cursor, h)| SearchHitEdge {
                    cursor,
                    node: h.into(),
                })
                .collect(),
            page_info,
            facets,
        }
    }
}
