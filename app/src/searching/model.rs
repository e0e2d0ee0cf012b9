//! What the domain and the search engines say to each other: the documents
//! an index keeps, the requests it answers and its answers.
//!
//! A document carries its *audience*: the principals (see
//! [`Principal`]) of whoever may find it. The domain computes a
//! document's audience from the thing itself and an asker's principals from
//! who they are; an engine only intersects the two, so it never decides
//! who may see what. The engines themselves live in the `search` crate.

use chrono::{DateTime, Utc};

use crate::kernel::id::{MaterialId, MessageId, SchoolId, SpaceId};
use crate::materials::{Licence, MaterialKind};
use crate::spaces::model::Pillar;

/// What a search result is. Materials count by their kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SearchKind {
    LessonPlan,
    Presentation,
    Worksheet,
    Video,
    ProjectReport,
    GoodPractice,
    OtherMaterial,
    School,
    Space,
    Message,
}

impl SearchKind {
    pub const ALL: [SearchKind; 10] = [
        SearchKind::LessonPlan,
        SearchKind::Presentation,
        SearchKind::Worksheet,
        SearchKind::Video,
        SearchKind::ProjectReport,
        SearchKind::GoodPractice,
        SearchKind::OtherMaterial,
        SearchKind::School,
        SearchKind::Space,
        SearchKind::Message,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::LessonPlan => "LESSON_PLAN",
            SearchKind::Presentation => "PRESENTATION",
            SearchKind::Worksheet => "WORKSHEET",
            SearchKind::Video => "VIDEO",
            SearchKind::ProjectReport => "PROJECT_REPORT",
            SearchKind::GoodPractice => "GOOD_PRACTICE",
            SearchKind::OtherMaterial => "OTHER_MATERIAL",
            SearchKind::School => "SCHOOL",
            SearchKind::Space => "SPACE",
            SearchKind::Message => "MESSAGE",
        }
    }

    pub fn parse(s: &str) -> Option<SearchKind> {
        SearchKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn of_material(kind: MaterialKind) -> SearchKind {
        match kind {
            MaterialKind::LessonPlan => SearchKind::LessonPlan,
            MaterialKind::Presentation => SearchKind::Presentation,
            MaterialKind::Worksheet => SearchKind::Worksheet,
            MaterialKind::Video => SearchKind::Video,
            MaterialKind::ProjectReport => SearchKind::ProjectReport,
            MaterialKind::GoodPractice => SearchKind::GoodPractice,
            MaterialKind::Other => SearchKind::OtherMaterial,
        }
    }
}

/// The thing a document stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKey {
    Material(MaterialId),
    School(SchoolId),
    Space(SpaceId),
    Message(MessageId),
}

impl DocKey {
    /// The stable text form, e.g. `material:0190…`; the outbox and the
    /// engines use it.
    pub fn as_string(&self) -> String {
        match self {
            DocKey::Material(id) => format!("material:{id}"),
            DocKey::School(id) => format!("school:{id}"),
            DocKey::Space(id) => format!("space:{id}"),
            DocKey::Message(id) => format!("message:{id}"),
        }
    }

    pub fn parse(s: &str) -> Option<DocKey> {
        let (kind, id) = s.split_once(':')?;
        let id = id.to_owned();
        Some(match kind {
            "material" => DocKey::Material(MaterialId::from_trusted(id)),
            "school" => DocKey::School(SchoolId::from_trusted(id)),
            "space" => DocKey::Space(SpaceId::from_trusted(id)),
            "message" => DocKey::Message(MessageId::from_trusted(id)),
            _ => return None,
        })
    }
}

/// The facets results are counted by and filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacetName {
    Kind,
    Language,
    Country,
    School,
    Pillar,
    Sdg,
    Subject,
    Age,
    Licence,
}

impl FacetName {
    pub const ALL: [FacetName; 9] = [
        FacetName::Kind,
        FacetName::Language,
        FacetName::Country,
        FacetName::School,
        FacetName::Pillar,
        FacetName::Sdg,
        FacetName::Subject,
        FacetName::Age,
        FacetName::Licence,
    ];

    /// The stable name engines store the facet under.
    pub fn as_str(self) -> &'static str {
        match self {
            FacetName::Kind => "kind",
            FacetName::Language => "language",
            FacetName::Country => "country",
            FacetName::School => "school",
            FacetName::Pillar => "pillar",
            FacetName::Sdg => "sdg",
            FacetName::Subject => "subject",
            FacetName::Age => "age",
            FacetName::Licence => "licence",
        }
    }

    pub fn parse(s: &str) -> Option<FacetName> {
        FacetName::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// The age bands materials are counted in; a material spanning several
/// bands counts in each.
pub const AGE_BANDS: [(u8, u8, &str); 5] = [
    (3, 6, "3-6"),
    (7, 10, "7-10"),
    (11, 14, "11-14"),
    (15, 18, "15-18"),
    (19, 99, "19+"),
];

/// The age bands a range of ages touches.
pub fn age_bands(min: u8, max: u8) -> Vec<&'static str> {
    AGE_BANDS
        .iter()
        .filter(|(a, b, _)| *a <= max && min <= *b)
        .map(|(_, _, name)| *name)
        .collect()
}

/// A pillar as a facet value (its GraphQL name).
pub fn pillar_value(p: Pillar) -> &'static str {
    match p {
        Pillar::LearningToKnow => "LEARNING_TO_KNOW",
        Pillar::LearningToDo => "LEARNING_TO_DO",
        Pillar::LearningToBe => "LEARNING_TO_BE",
        Pillar::LearningToLiveTogether => "LEARNING_TO_LIVE_TOGETHER",
    }
}

/// A licence as a facet value (its GraphQL name).
pub fn licence_value(l: Licence) -> &'static str {
    match l {
        Licence::CcBy => "CC_BY",
        Licence::CcBySa => "CC_BY_SA",
        Licence::CcByNc => "CC_BY_NC",
        Licence::Cc0 => "CC_0",
        Licence::AllRightsReserved => "ALL_RIGHTS_RESERVED",
    }
}

/// What an index keeps of one searchable thing.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    pub key: DocKey,
    pub kind: SearchKind,
    /// Principal tokens of who may find it; never empty.
    pub audience: Vec<String>,
    /// BCP 47 tags of the languages it is written in; they choose stemmers.
    pub languages: Vec<String>,
    pub title: String,
    /// The rest of its text, most telling first.
    pub body: Vec<String>,
    /// Facet values, each facet possibly several times.
    pub facets: Vec<(FacetName, String)>,
    /// The ages it is meant for.
    pub ages: Option<(u8, u8)>,
    /// When it appeared, for "newest first".
    pub time: DateTime<Utc>,
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchOrder {
    #[default]
    Relevance,
    Newest,
}

/// Each facet's allowed values (any of them); facets combine with AND.
pub type FacetFilters = Vec<(FacetName, Vec<String>)>;

/// A search as an engine receives it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchRequest {
    /// What was typed; empty lists everything the filters allow.
    pub text: String,
    /// The asker's principal tokens; `None` for someone who sees everything.
    pub audience: Option<Vec<String>>,
    pub filters: FacetFilters,
    /// Only things meant for this age.
    pub age: Option<u8>,
    pub order: SearchOrder,
    pub offset: usize,
    pub limit: usize,
    /// Whether to count results per facet value.
    pub facets: bool,
    /// Whether the last word is a prefix still being typed.
    pub prefix: bool,
}

/// Which text of a hit a highlight shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HighlightField {
    Title,
    Text,
}

/// Part of a hit's text with the matched words marked: HTML-escaped text
/// where only `<mark>` and `</mark>` are tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub field: HighlightField,
    pub html: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EngineHit {
    pub key: DocKey,
    pub score: f32,
    pub highlights: Vec<Highlight>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub facet: FacetName,
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EngineResults {
    pub hits: Vec<EngineHit>,
    /// How many documents matched (the asker may see all of them).
    pub total: u64,
    /// Per facet, its values by count, most first.
    pub facets: Vec<FacetCount>,
    /// No document has every word of the query: these have some of them.
    pub partial: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_kinds_round_trip() {
        let k = DocKey::Message(MessageId::generate());
        assert_eq!(DocKey::parse(&k.as_string()), Some(k));
        assert_eq!(DocKey::parse("nothing:1"), None);
        for kind in SearchKind::ALL {
            assert_eq!(SearchKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(age_bands(10, 12), vec!["7-10", "11-14"]);
        assert_eq!(age_bands(19, 99), vec!["19+"]);
    }
}
