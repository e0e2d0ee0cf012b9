//! GraphQL types of the network: countries, schools, visit cards, files,
//! invitations, students' credentials and list connections. Fields that
//! depend on who asks call the domain to decide; none decides itself.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::accounts::types::{Role, User};
use crate::context::{UseCases, viewer_opt};
use crate::errors::GqlResult;
use crate::relay;
use crate::relay::connection;

/// A page of the school directory, for `Query.schools` and `Country.schools`.
pub(crate) async fn school_page(
    ctx: &Context<'_>,
    country: Option<&str>,
    status: Option<SchoolStatus>,
    language: Option<String>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, School>> {
    let (page, has_previous) = relay::page(first, after.as_deref())?;
    let p = ctx
        .network()
        .schools(
            viewer_opt(ctx),
            country,
            status.map(Into::into),
            language.as_deref(),
            page,
        )
        .await
        .gql()?;
    Ok(connection(p, has_previous, School))
}

/// Where a school stands in its lifecycle.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SchoolStatus {
    /// Applied to join; waits for its national coordinator.
    Applied,
    /// Approved by its country: takes part in spaces.
    Approved,
    /// Refused, with a reason.
    Rejected,
    /// Temporarily out, with a reason.
    Suspended,
    /// Left the network for good.
    Withdrawn,
}

impl From<app::SchoolStatus> for SchoolStatus {
    fn from(s: app::SchoolStatus) -> Self {
        match s {
            app::SchoolStatus::Applied => SchoolStatus::Applied,
            app::SchoolStatus::Approved => SchoolStatus::Approved,
            app::SchoolStatus::Rejected => SchoolStatus::Rejected,
            app::SchoolStatus::Suspended => SchoolStatus::Suspended,
            app::SchoolStatus::Withdrawn => SchoolStatus::Withdrawn,
        }
    }
}

impl From<SchoolStatus> for app::SchoolStatus {
    fn from(s: SchoolStatus) -> Self {
        match s {
            SchoolStatus::Applied => app::SchoolStatus::Applied,
            SchoolStatus::Approved => app::SchoolStatus::Approved,
            SchoolStatus::Rejected => app::SchoolStatus::Rejected,
            SchoolStatus::Suspended => app::SchoolStatus::Suspended,
            SchoolStatus::Withdrawn => app::SchoolStatus::Withdrawn,
        }
    }
}

/// A country of the network.
pub struct Country {
    pub country: app::Country,
    pub school_count: Option<u64>,
}

#[Object]
impl Country {
    /// ISO 3166-1 alpha-2 code, e.g. `AM`.
    async fn code(&self) -> &str {
        self.country.code.as_str()
    }

    /// The English name.
    async fn name(&self) -> &str {
        &self.country.name
    }

    /// The name in the country's own language.
    async fn native_name(&self) -> &str {
        &self.country.native_name
    }

    /// The number of approved schools.
    async fn school_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let n = match self.school_count {
            Some(n) => n,
            None => ctx
                .network()
                .countries()
                .await
                .gql()?
                .into_iter()
                .find(|(c, _)| c.code == self.country.code)
                .map_or(0, |(_, n)| n),
        };
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// The country's schools as the caller may see them (as `Query.schools`).
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn schools(
        &self,
        ctx: &Context<'_>,
        status: Option<SchoolStatus>,
        language: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, School>> {
        school_page(
            ctx,
            Some(self.country.code.as_str()),
            status,
            language,
            first,
            after,
        )
        .await
    }
}

/// A text in one language.
#[derive(SimpleObject)]
pub struct LocalizedString {
    /// ISO 639 code, e.g. `ru`.
    pub language: String,
    pub text: String,
}

fn localized(t: &app::LocalizedText) -> Vec<LocalizedString> {
    t.iter()
        .map(|(l, s)| LocalizedString {
            language: l.as_str().to_owned(),
            text: s.to_owned(),
        })
        .collect()
}

/// A text in one language, as input.
#[derive(InputObject)]
pub struct LocalizedStringInput {
    /// ISO 639 code, e.g. `ru`.
    pub language: String,
    pub text: String,
}

fn pairs(list: &[LocalizedStringInput]) -> Vec<(String, String)> {
    list.iter()
        .map(|l| (l.language.clone(), l.text.clone()))
        .collect()
}

/// How to reach a school.
#[derive(SimpleObject)]
pub struct SchoolContact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// One step of a school's lifecycle.
#[derive(SimpleObject)]
pub struct SchoolStatusChange {
    /// Null for the first step (application or registration).
    pub from: Option<SchoolStatus>,
    pub to: SchoolStatus,
    /// Who decided; null for a public application.
    pub actor_id: Option<ID>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// A school of the network.
pub struct School(pub app::School);

#[Object]
impl School {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The name in `language`, or in the school's default language.
    async fn name(&self, language: Option<String>) -> &str {
        self.0.facts.name.get(language.as_deref())
    }

    /// The name in every language given.
    async fn names(&self) -> Vec<LocalizedString> {
        localized(&self.0.facts.name)
    }

    /// The language the school's texts fall back to.
    async fn default_language(&self) -> &str {
        self.0.facts.name.default_language().as_str()
    }

    /// ISO 3166-1 alpha-2 code of the school's country.
    async fn country_code(&self) -> &str {
        self.0.facts.country.as_str()
    }

    async fn country(&self, ctx: &Context<'_>) -> Result<Country> {
        let c = ctx
            .network()
            .country(self.0.facts.country.as_str())
            .await
            .gql()?;
        Ok(Country {
            country: c,
            school_count: None,
        })
    }

    async fn city(&self) -> &str {
        &self.0.facts.city
    }

    /// Languages of instruction (ISO 639 codes).
    async fn languages(&self) -> Vec<&str> {
        self.0.facts.languages.iter().map(|l| l.as_str()).collect()
    }

    async fn website(&self) -> Option<&str> {
        self.0.facts.website.as_deref()
    }

    /// The school's number in the UNESCO Associated Schools Network.
    async fn aspnet_number(&self) -> Option<&str> {
        self.0.facts.aspnet_number.as_deref()
    }

    async fn status(&self) -> SchoolStatus {
        self.0.status.into()
    }

    /// Contact details; only for signed-in adults of the network.
    async fn contact(&self, ctx: &Context<'_>) -> Option<SchoolContact> {
        if !ctx.network().sees_school_contact(viewer_opt(ctx)) {
            return None;
        }
        let c = &self.0.facts.contact;
        Some(SchoolContact {
            name: c.name.clone(),
            email: c.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: c.phone.clone(),
        })
    }

    /// The lifecycle so far, oldest first; for the school's adults, its
    /// national coordinator and administrators (null for others).
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<SchoolStatusChange>>> {
        let h = ctx
            .network()
            .school_history(viewer_opt(ctx), &self.0)
            .await
            .gql()?;
        Ok(h.map(|h| {
            h.into_iter()
                .map(|c| SchoolStatusChange {
                    from: c.from.map(Into::into),
                    to: c.to.into(),
                    actor_id: c.actor.map(|a| ID(a.to_string())),
                    reason: c.reason,
                    at: c.at,
                })
                .collect()
        }))
    }

    /// The school's public face inside the network.
    async fn visit_card(&self) -> VisitCard {
        VisitCard(self.0.clone())
    }

    /// Whether you may edit the visit card: its school coordinators and
    /// administrators.
    async fn can_edit_card(&self, ctx: &Context<'_>) -> bool {
        ctx.network().edits_card(viewer_opt(ctx), &self.0)
    }

    /// Whether you may correct the school's facts (`updateSchool`): its
    /// coordinators, its national coordinator and administrators.
    async fn can_edit(&self, ctx: &Context<'_>) -> bool {
        ctx.network().edits_school(viewer_opt(ctx), &self.0)
    }

    /// The school's people as the asker may see them: staff for the
    /// network's adults and the school's own students; students only for the
    /// school's teachers. Optionally of one role and one class.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn people(
        &self,
        ctx: &Context<'_>,
        role: Option<Role>,
        class_label: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, User>> {
        let (page, has_previous) = relay::page(first, after.as_deref())?;
        let roles = role.map(|r| vec![app::Role::from(r)]);
        let p = ctx
            .people()
            .people_of_school(
                viewer_opt(ctx),
                &self.0,
                roles.as_deref(),
                class_label.as_deref(),
                page,
            )
            .await
            .gql()?;
        Ok(connection(p, has_previous, User::from))
    }

    /// The class labels of the school's students; for its teachers (null for others).
    async fn classes(&self, ctx: &Context<'_>) -> Result<Option<Vec<String>>> {
        let c = ctx
            .people()
            .class_labels(viewer_opt(ctx), &self.0)
            .await
            .gql()?;
        Ok(c.map(|c| c.into_iter().map(|l| l.as_str().to_owned()).collect()))
    }

    /// Every twinning of the school, proposals included, newest first; for
    /// the school's adults, its national coordinator and administrators
    /// (null for others).
    async fn twinnings(&self, ctx: &Context<'_>) -> Result<Option<Vec<Twinning>>> {
        let list = ctx
            .network()
            .twinnings_of_school(viewer_opt(ctx), &self.0)
            .await
            .gql()?;
        Ok(list.map(|l| l.into_iter().map(Twinning).collect()))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A school's virtual visit card.
pub struct VisitCard(app::School);

#[Object]
impl VisitCard {
    /// The description in `language`, or in the default language.
    async fn description(&self, language: Option<String>) -> Option<&str> {
        self.0
            .card
            .description
            .as_ref()
            .map(|d| d.get(language.as_deref()))
    }

    async fn descriptions(&self) -> Vec<LocalizedString> {
        self.0
            .card
            .description
            .as_ref()
            .map(localized)
            .unwrap_or_default()
    }

    /// The motto in `language`, or in the default language.
    async fn motto(&self, language: Option<String>) -> Option<&str> {
        self.0
            .card
            .motto
            .as_ref()
            .map(|d| d.get(language.as_deref()))
    }

    async fn mottos(&self) -> Vec<LocalizedString> {
        self.0
            .card
            .motto
            .as_ref()
            .map(localized)
            .unwrap_or_default()
    }

    async fn photos(&self, ctx: &Context<'_>) -> Result<Vec<CardPhoto>> {
        let files = ctx
            .network()
            .card_files(viewer_opt(ctx), &self.0)
            .await
            .gql()?;
        Ok(self
            .0
            .card
            .photos
            .iter()
            .filter_map(|p| {
                let file = files.iter().find(|f| f.id == p.file)?;
                Some(CardPhoto {
                    file: SchoolFile(file.clone()),
                    caption: p.caption.clone(),
                    alt: p.alt.clone(),
                })
            })
            .collect())
    }

    /// The school's presentation (PDF, .pptx or .odp).
    async fn presentation(&self, ctx: &Context<'_>) -> Result<Option<SchoolFile>> {
        let Some(id) = &self.0.card.presentation else {
            return Ok(None);
        };
        let files = ctx
            .network()
            .card_files(viewer_opt(ctx), &self.0)
            .await
            .gql()?;
        Ok(files.into_iter().find(|f| f.id == *id).map(SchoolFile))
    }

    /// The languages the school teaches in.
    async fn languages(&self) -> Vec<&str> {
        self.0.facts.languages.iter().map(|l| l.as_str()).collect()
    }

    /// Whether anonymous visitors may see the card.
    async fn public(&self) -> bool {
        self.0.card.public
    }

    /// The schools twinned with this one (as far as you may see them).
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<School>> {
        let list = ctx
            .network()
            .twinning_partners(viewer_opt(ctx), &self.0)
            .await
            .gql()?;
        Ok(list.into_iter().map(School).collect())
    }
}

/// A photo on a visit card.
#[derive(SimpleObject)]
pub struct CardPhoto {
    pub file: SchoolFile,
    /// Shown under the photo.
    pub caption: Option<String>,
    /// What the photo shows, for those who cannot see it (the image's `alt`).
    pub alt: Option<String>,
}

/// An uploaded file. Download it from `url` (send your token as for
/// GraphQL), or ask `POST {url}/link` for an address that works without
/// the token for a minute or two (for `<img>` and `<a href>`).
pub struct SchoolFile(pub app::StoredFile);

#[Object]
impl SchoolFile {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        self.0.name.as_str()
    }

    /// Detected from the file's bytes.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }

    /// Size in bytes.
    async fn size(&self) -> f64 {
        self.0.size as f64
    }

    /// Hex SHA-256 of the bytes.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// Where to download it, relative to the server.
    async fn url(&self) -> String {
        format!("/files/{}", self.0.id)
    }
}

/// A school's facts, as an application or an edit gives them.
#[derive(InputObject)]
pub struct SchoolInput {
    /// The name in one or more languages.
    pub names: Vec<LocalizedStringInput>,
    /// One of the names' languages; the first when not given.
    pub default_language: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    pub city: String,
    /// Languages of instruction (ISO 639 codes).
    pub languages: Vec<String>,
    pub website: Option<String>,
    pub aspnet_number: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

impl SchoolInput {
    pub(crate) fn form(&self) -> app::SchoolForm {
        app::SchoolForm {
            names: pairs(&self.names),
            default_language: self.default_language.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            languages: self.languages.clone(),
            website: self.website.clone(),
            aspnet_number: self.aspnet_number.clone(),
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
        }
    }
}

/// Changes to a visit card; parts left out stay as they are, an empty list
/// removes a text.
#[derive(InputObject)]
pub struct VisitCardInput {
    pub descriptions: Option<Vec<LocalizedStringInput>>,
    pub mottos: Option<Vec<LocalizedStringInput>>,
    /// The language the texts fall back to; the first given when not set.
    pub default_language: Option<String>,
    /// Show the card (and the school) to anonymous visitors.
    pub public: Option<bool>,
}

impl VisitCardInput {
    pub(crate) fn edit(&self) -> app::CardEdit {
        app::CardEdit {
            description: self.descriptions.as_deref().map(pairs),
            motto: self.mottos.as_deref().map(pairs),
            default_language: self.default_language.clone(),
            public: self.public,
        }
    }
}

/// A received school application.
#[derive(SimpleObject)]
pub struct SchoolApplication {
    pub id: ID,
    pub status: SchoolStatus,
    pub submitted_at: DateTime<Utc>,
}

/// Schools of one status.
#[derive(SimpleObject)]
pub struct SchoolStatusCount {
    pub status: SchoolStatus,
    pub count: i32,
}

/// Active people of one role.
#[derive(SimpleObject)]
pub struct RoleCount {
    pub role: Role,
    pub count: i32,
}

/// A national coordinator's view of their country.
#[derive(SimpleObject)]
pub struct CountryOverview {
    pub country: Country,
    pub schools_by_status: Vec<SchoolStatusCount>,
    pub people_by_role: Vec<RoleCount>,
}

impl From<app::CountryOverview> for CountryOverview {
    fn from(o: app::CountryOverview) -> Self {
        let n = |x: u64| i32::try_from(x).unwrap_or(i32::MAX);
        CountryOverview {
            country: Country {
                country: o.country,
                school_count: None,
            },
            schools_by_status: o
                .schools_by_status
                .into_iter()
                .map(|(s, c)| SchoolStatusCount {
                    status: s.into(),
                    count: n(c),
                })
                .collect(),
            people_by_role: o
                .people_by_role
                .into_iter()
                .map(|(r, c)| RoleCount {
                    role: r.into(),
                    count: n(c),
                })
                .collect(),
        }
    }
}

/// A mentor's university and UNESCO Chair.
#[derive(SimpleObject)]
pub struct MentorProfile {
    pub university: String,
    pub chair_title: String,
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
}

impl From<&app::MentorProfile> for MentorProfile {
    fn from(m: &app::MentorProfile) -> Self {
        MentorProfile {
            university: m.university.clone(),
            chair_title: m.chair_title.clone(),
            expertise: m.expertise.clone(),
            languages: m.languages.iter().map(|l| l.as_str().to_owned()).collect(),
        }
    }
}

#[derive(InputObject)]
pub struct MentorProfileInput {
    pub university: String,
    pub chair_title: String,
    pub expertise: Vec<String>,
    /// ISO 639 codes.
    pub languages: Vec<String>,
}

/// Where a twinning stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum TwinningStatus {
    /// Waiting for the partner school's answer.
    Proposed,
    Accepted,
    Declined,
    /// Ended by either school.
    Ended,
}

impl From<app::TwinningStatus> for TwinningStatus {
    fn from(s: app::TwinningStatus) -> Self {
        match s {
            app::TwinningStatus::Proposed => TwinningStatus::Proposed,
            app::TwinningStatus::Accepted => TwinningStatus::Accepted,
            app::TwinningStatus::Declined => TwinningStatus::Declined,
            app::TwinningStatus::Ended => TwinningStatus::Ended,
        }
    }
}

/// A twinning between two schools.
pub struct Twinning(pub app::Twinning);

async fn visible_school(ctx: &Context<'_>, id: &app::SchoolId) -> Result<Option<School>> {
    match ctx.network().school(viewer_opt(ctx), id).await {
        Ok(s) => Ok(Some(School(s))),
        Err(app::Error::NotFound) => Ok(None),
        Err(e) => Err(e).gql(),
    }
}

#[Object]
impl Twinning {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The school that proposed it (null if you may no longer see it).
    async fn school(&self, ctx: &Context<'_>) -> Result<Option<School>> {
        visible_school(ctx, &self.0.school).await
    }

    /// The school that was asked.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<School>> {
        visible_school(ctx, &self.0.partner).await
    }

    async fn status(&self) -> TwinningStatus {
        self.0.status.into()
    }

    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
}
