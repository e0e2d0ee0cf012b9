//! Countries and schools: applications, registration, the approval
//! lifecycle with its history, school facts, visit cards, the directory and
//! a national coordinator's country overview.
//!
//! Every decision is checked by `policy` and written to the audit trail.
//! Files on visit cards are uploaded through `files`; this module only
//! attaches and detaches them.

use super::Network;
use crate::accounts::model::{RequestMeta, Role, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{CountryCode, FileId, SchoolId, UserId};
use crate::kernel::paging::{MAX_PAGE, Page, PageRequest};
use crate::kernel::text::{LanguageCode, LocalizedText};
use crate::live::hub::NotificationKind;
use crate::network::model::{
    CardPhoto, Country, CountryOverview, PeopleQuery, PhotoChange, School, SchoolFacts, SchoolForm,
    SchoolQuery, SchoolStatus, SchoolStatusChange, StoredFile, VisitCard, parse_reason,
};
use crate::network::policy;

/// How long the country list with its school counts is kept before it is
/// read again (changes made by this process show at once).
pub const COUNTS_FRESH_FOR: chrono::Duration = chrono::Duration::seconds(30);

/// The country list with school counts, and when it was read.
pub(crate) type KeptCountries = (chrono::DateTime<chrono::Utc>, Vec<(Country, u64)>);

/// At most this many photos on one visit card.
pub const MAX_CARD_PHOTOS: usize = 12;

/// A visit card edit; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct CardEdit {
    pub description: Option<Vec<(String, String)>>,
    pub motto: Option<Vec<(String, String)>>,
    pub default_language: Option<String>,
    pub public: Option<bool>,
}

impl Network<'_> {
    /// Every country with its number of approved schools. Public, and asked
    /// for on every visit, so it is kept for [`COUNTS_FRESH_FOR`].
    pub async fn countries(&self) -> Result<Vec<(Country, u64)>> {
        let now = self.clock.now();
        if let Some((at, list)) = &*self.country_list()
            && now - *at < COUNTS_FRESH_FOR
        {
            return Ok(list.clone());
        }
        let list = self.store.countries().await?;
        *self.country_list() = Some((now, list.clone()));
        Ok(list)
    }

    fn country_list(&self) -> std::sync::MutexGuard<'_, Option<KeptCountries>> {
        self.state
            .country_list
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets the kept country list after a change to countries or schools.
    fn countries_changed(&self) {
        *self.country_list() = None;
    }

    /// One country, or `NotFound`. Public.
    pub async fn country(&self, code: &str) -> Result<Country> {
        let code = CountryCode::parse(code).map_err(|_| Error::NotFound)?;
        let cached = self
            .state
            .countries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&code)
            .cloned();
        if let Some(c) = cached {
            return Ok(c);
        }
        let c = self.store.country(&code).await?.ok_or(Error::NotFound)?;
        self.state
            .countries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(code, c.clone());
        Ok(c)
    }

    /// A platform administrator adds a country to the network.
    #[tracing::instrument(skip_all)]
    pub async fn add_country(
        &self,
        viewer: &Viewer,
        code: &str,
        name: &str,
        native_name: &str,
        meta: &RequestMeta,
    ) -> Result<Country> {
        let country = Country::parse(code, name, native_name)?;
        if !policy::is_admin(Some(viewer)) {
            return Err(self
                .accounts
                .deny(viewer, "add_country", country.code.as_str(), None, meta)
                .await);
        }
        self.store.create_country(&country).await?;
        self.countries_changed();
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "add_country",
                country.code.as_str(),
                Some(&country.code),
                meta,
                "ok",
            )
            .await?;
        Ok(country)
    }

    /// A country of the network (from the cache `country` keeps), or
    /// `BAD_USER_INPUT` for a code the network does not have.
    pub(crate) async fn known_country(&self, code: &CountryCode) -> Result<Country> {
        self.country(code.as_str()).await.map_err(|e| match e {
            Error::NotFound => Error::invalid("country", "this country is not part of the network"),
            other => other,
        })
    }

    /// Anyone may apply for a school to join: it lands as `applied` and waits
    /// for its national coordinator. Limited per client address.
    #[tracing::instrument(skip_all)]
    pub async fn apply_school(&self, form: &SchoolForm, meta: &RequestMeta) -> Result<School> {
        if let Some(ip) = meta.client_ip {
            self.state.applications
                .take(ip, self.clock.now())
                .map_err(|retry| Error::RateLimited {
                    message: "too many school applications from this network; try again in a minute",
                    retry_after: Some(retry),
                })?;
        }
        let facts = SchoolFacts::parse(form)?;
        if facts.contact.email.is_none() {
            return Err(Error::invalid(
                "contactEmail",
                "give an e-mail address so that the national coordinator can answer",
            ));
        }
        self.known_country(&facts.country).await?;
        let school = self
            .store_new_school(facts, SchoolStatus::Applied, None)
            .await?;
        self.accounts
            .audit_in(
                None,
                "apply_school",
                school.id.as_str(),
                Some(&school.facts.country),
                meta,
                "ok",
            )
            .await?;
        // The country's national coordinators decide; they learn of it at once.
        let deciders = self
            .accounts
            .store
            .active_with_role_in(Role::NationalCoordinator, &school.facts.country)
            .await?;
        let notifications = &self.accounts.notifications;
        let note = notifications.notice(
            NotificationKind::SchoolApplied,
            None,
            Some(school.id.as_str()),
            None,
            Some(school.facts.name.get(None)),
        );
        notifications.notify(&deciders, note).await?;
        Ok(school)
    }

    /// A national coordinator (or an administrator) registers a school of
    /// their country directly: it is approved at once.
    #[tracing::instrument(skip_all)]
    pub async fn register_school(
        &self,
        viewer: &Viewer,
        form: &SchoolForm,
        meta: &RequestMeta,
    ) -> Result<School> {
        let facts = SchoolFacts::parse(form)?;
        let v = Some(viewer);
        if !(policy::is_admin(v) || policy::coordinates_country(v, &facts.country)) {
            return Err(self
                .accounts
                .deny(
                    viewer,
                    "register_school",
                    facts.country.as_str(),
                    Some(&facts.country),
                    meta,
                )
                .await);
        }
        self.known_country(&facts.country).await?;
        let school = self
            .store_new_school(facts, SchoolStatus::Approved, Some(&viewer.user.id))
            .await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "register_school",
                school.id.as_str(),
                Some(&school.facts.country),
                meta,
                "ok",
            )
            .await?;
        Ok(school)
    }

    /// Stores a school without any permission check. For demo data and
    /// tests only: no API path leads here.
    pub async fn seed_school(
        &self,
        form: &SchoolForm,
        status: SchoolStatus,
        public_card: bool,
    ) -> Result<School> {
        let mut school = self
            .store_new_school(SchoolFacts::parse(form)?, status, None)
            .await?;
        if public_card {
            school.card.public = true;
            self.store.update_school(&school).await?;
        }
        Ok(school)
    }

    pub(crate) async fn store_new_school(
        &self,
        facts: SchoolFacts,
        status: SchoolStatus,
        actor: Option<&UserId>,
    ) -> Result<School> {
        let now = self.clock.now();
        let school = School {
            id: SchoolId::generate(),
            facts,
            status,
            card: VisitCard::default(),
            created_at: now,
            updated_at: now,
        };
        let first = SchoolStatusChange {
            school: school.id.clone(),
            from: None,
            to: status,
            actor: actor.cloned(),
            reason: None,
            at: now,
        };
        self.store.create_school(&school, &first).await?;
        self.countries_changed();
        Ok(school)
    }

    /// A school as the asker may see it; `NotFound` otherwise.
    pub async fn school(&self, viewer: Option<&Viewer>, id: &SchoolId) -> Result<School> {
        let s = self.store.school(id).await?.ok_or(Error::NotFound)?;
        if policy::sees_school(viewer, &s) {
            Ok(s)
        } else {
            Err(Error::NotFound)
        }
    }

    /// The school directory: what the asker may see, filtered, by name.
    pub async fn schools(
        &self,
        viewer: Option<&Viewer>,
        country: Option<&str>,
        status: Option<SchoolStatus>,
        language: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<School>> {
        let q = SchoolQuery {
            scope: policy::school_scope(viewer),
            country: country.map(CountryCode::parse).transpose()?,
            status,
            language: language.map(LanguageCode::parse).transpose()?,
            page,
        };
        self.store.schools(&q).await
    }

    /// Moves a school along its lifecycle (see [`SchoolStatus::may_become`]).
    /// Refusals (rejecting, suspending) need a reason.
    #[tracing::instrument(skip_all, fields(to = to.as_str()))]
    pub async fn change_school_status(
        &self,
        viewer: &Viewer,
        id: &SchoolId,
        to: SchoolStatus,
        reason: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<School> {
        let action = match to {
            SchoolStatus::Approved => "approve_school",
            SchoolStatus::Rejected => "reject_school",
            SchoolStatus::Suspended => "suspend_school",
            SchoolStatus::Withdrawn => "withdraw_school",
            SchoolStatus::Applied => {
                return Err(Error::invalid("status", "a school cannot apply again"));
            }
        };
        let mut school = self.school(Some(viewer), id).await?;
        if !policy::governs_school(Some(viewer), &school) {
            return Err(self
                .accounts
                .deny(
                    viewer,
                    action,
                    id.as_str(),
                    Some(&school.facts.country),
                    meta,
                )
                .await);
        }
        let reason = match reason.filter(|r| !r.trim().is_empty()) {
            Some(r) => Some(parse_reason(r)?),
            None if matches!(to, SchoolStatus::Rejected | SchoolStatus::Suspended) => {
                return Err(Error::invalid(
                    "reason",
                    "say why, for the school's records",
                ));
            }
            None => None,
        };
        if !school.status.may_become(to) {
            return Err(Error::Conflict(format!(
                "the school is {} and cannot become {}",
                school.status.as_str(),
                to.as_str()
            )));
        }
        let change = SchoolStatusChange {
            school: id.clone(),
            from: Some(school.status),
            to,
            actor: Some(viewer.user.id.clone()),
            reason,
            at: self.clock.now(),
        };
        self.store.change_school_status(&change).await?;
        self.countries_changed();
        if matches!(to, SchoolStatus::Suspended | SchoolStatus::Withdrawn) {
            // A safeguarding tool must act now: the school's people are signed
            // out everywhere (their sockets and live streams close) and cannot
            // sign in again until the school is approved again.
            self.sign_out_school(id).await?;
        }
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                action,
                id.as_str(),
                Some(&school.facts.country),
                meta,
                "ok",
            )
            .await?;
        school.status = to;
        school.updated_at = change.at;
        Ok(school)
    }

    /// Ends every session of every person of a school.
    async fn sign_out_school(&self, school: &SchoolId) -> Result<()> {
        let mut page = PageRequest {
            after: None,
            limit: MAX_PAGE,
        };
        loop {
            let people = self
                .store
                .people_of_school(&PeopleQuery {
                    school: school.clone(),
                    roles: Role::ALL.to_vec(),
                    class_label: None,
                    page: page.clone(),
                })
                .await?;
            for (_, person) in &people.items {
                self.accounts.end_all_sessions(&person.id).await?;
            }
            match people.items.last() {
                Some((cursor, _)) if people.has_next => {
                    page = PageRequest::parse(Some(MAX_PAGE as i32), Some(cursor))?;
                }
                _ => return Ok(()),
            }
        }
    }

    /// The lifecycle history of a school, oldest first; for whoever governs
    /// it and its own adults. `None` for anyone else who can see the school.
    pub async fn school_history(
        &self,
        viewer: Option<&Viewer>,
        school: &School,
    ) -> Result<Option<Vec<SchoolStatusChange>>> {
        if !policy::sees_school_internals(viewer, school) {
            return Ok(None);
        }
        self.store.school_history(&school.id).await.map(Some)
    }

    /// Whether the asker may see the school's contact details: signed-in adults.
    pub fn sees_school_contact(&self, viewer: Option<&Viewer>) -> bool {
        policy::is_adult(viewer)
    }

    /// Edits a school's facts: its coordinator, national coordinator or an
    /// administrator. The country cannot change.
    #[tracing::instrument(skip_all)]
    pub async fn update_school(
        &self,
        viewer: &Viewer,
        id: &SchoolId,
        form: &SchoolForm,
        meta: &RequestMeta,
    ) -> Result<School> {
        let mut school = self.school(Some(viewer), id).await?;
        if !policy::edits_school(Some(viewer), &school) {
            return Err(self
                .accounts
                .deny(
                    viewer,
                    "update_school",
                    id.as_str(),
                    Some(&school.facts.country),
                    meta,
                )
                .await);
        }
        let facts = SchoolFacts::parse(form)?;
        if facts.country != school.facts.country {
            return Err(Error::invalid(
                "country",
                "a school cannot move to another country; apply anew",
            ));
        }
        school.facts = facts;
        school.updated_at = self.clock.now();
        self.store.update_school(&school).await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "update_school",
                id.as_str(),
                Some(&school.facts.country),
                meta,
                "ok",
            )
            .await?;
        Ok(school)
    }

    async fn editable_card(
        &self,
        viewer: &Viewer,
        id: &SchoolId,
        action: &str,
        meta: &RequestMeta,
    ) -> Result<School> {
        let school = self.school(Some(viewer), id).await?;
        if !policy::edits_card(Some(viewer), &school) {
            return Err(self
                .accounts
                .deny(
                    viewer,
                    action,
                    id.as_str(),
                    Some(&school.facts.country),
                    meta,
                )
                .await);
        }
        Ok(school)
    }

    async fn save_card(
        &self,
        viewer: &Viewer,
        mut school: School,
        action: &str,
        meta: &RequestMeta,
    ) -> Result<School> {
        school.updated_at = self.clock.now();
        self.store.update_school(&school).await?;
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                action,
                school.id.as_str(),
                Some(&school.facts.country),
                meta,
                "ok",
            )
            .await?;
        Ok(school)
    }

    /// Edits the texts of a visit card and whether anonymous visitors see it.
    #[tracing::instrument(skip_all)]
    pub async fn update_visit_card(
        &self,
        viewer: &Viewer,
        id: &SchoolId,
        edit: &CardEdit,
        meta: &RequestMeta,
    ) -> Result<School> {
        let mut school = self
            .editable_card(viewer, id, "update_visit_card", meta)
            .await?;
        let default = edit.default_language.as_deref();
        if let Some(pairs) = &edit.description {
            school.card.description = if pairs.is_empty() {
                None
            } else {
                Some(LocalizedText::parse(
                    "description",
                    pairs,
                    default,
                    5000,
                    true,
                )?)
            };
        }
        if let Some(pairs) = &edit.motto {
            school.card.motto = if pairs.is_empty() {
                None
            } else {
                Some(LocalizedText::parse("motto", pairs, default, 200, false)?)
            };
        }
        if let Some(public) = edit.public {
            school.card.public = public;
        }
        self.save_card(viewer, school, "update_visit_card", meta)
            .await
    }

    /// A file of the school's own uploads (or, for someone of no school —
    /// an administrator — of their own), not yet on another card.
    async fn card_file(
        &self,
        viewer: &Viewer,
        school: &School,
        file: &FileId,
    ) -> Result<StoredFile> {
        let f = self
            .store
            .file(file)
            .await?
            .ok_or_else(|| Error::invalid("fileId", "no such upload"))?;
        let own = f.school.as_ref() == Some(&school.id)
            || f.school.is_none() && f.uploaded_by == viewer.user.id;
        if !own || f.attached_to.as_ref().is_some_and(|a| *a != school.id) {
            return Err(Error::invalid("fileId", "no such upload"));
        }
        Ok(f)
    }

    /// Adds an uploaded image to a visit card.
    #[tracing::instrument(skip_all)]
    pub async fn add_school_photo(
        &self,
        viewer: &Viewer,
        id: &SchoolId,
        file: &FileId,
        caption: Option<&str>,
        alt: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<School> {
        let mut school = self
            .editable_card(viewer, id, "add_school_photo", meta)
            .await?;
        let f = self.card_file(viewer, &school, file).await?;
        if !f.is_image() {
            return Err(Error::invalid(
                "fileId",
                "a photo must be a JPEG, PNG, WebP or GIF image",
            ));
        }
        if school.card.photos.iter().any(|p| p.file == *file) {
            return Ok(school);
        }
        if school.card.photos.len() >= MAX_CARD_PHOTOS {
            return Err(Error::invalid(
                "fileId",
                format!("a visit card holds at most {MAX_CARD_PHOTOS} photos"),
            ));
        }
        let caption = photo_text("caption", caption)?.flatten();
        let alt = photo_text("alt", alt)?.flatten();
        self.store.set_file_attachment(file, Some(id)).await?;
        school.card.photos.push(CardPhoto {
            file: file.clone(),
            caption,
            alt,
        });
        self.save_card(viewer, school, "add_school_photo", meta)
            .await
    }

    /// Changes a photo of a visit card: its caption and its text for those
    /// who cannot see it (given and empty: removed; not given: kept), and
    /// its place among the photos (0 is first; past the end is last).
    #[tracing::instrument(skip_all)]
    pub async fn update_school_photo(
        &self,
        viewer: &Viewer,
        id: &SchoolId,
        file: &FileId,
        change: PhotoChange<'_>,
        meta: &RequestMeta,
    ) -> Result<School> {
        let PhotoChange {
            caption,
            alt,
            position,
        } = change;
        let mut school = self
            .editable_card(viewer, id, "update_school_photo", meta)
            .await?;
        let photos = &mut school.card.photos;
        let Some(at) = photos.iter().position(|p| p.file == *file) else {
            return Err(Error::invalid("fileId", "this photo is not on the card"));
        };
        let mut photo = photos.remove(at);
        if let Some(c) = photo_text("caption", caption)? {
            photo.caption = c;
        }
        if let Some(a) = photo_text("alt", alt)? {
            photo.alt = a;
        }
        let to = match position {
            None => at,
            Some(p) if p < 0 => {
                return Err(Error::invalid("position", "give 0 or more"));
            }
            Some(p) => (p as usize).min(photos.len()),
        };
        photos.insert(to, photo);
        self.save_card(viewer, school, "update_school_photo", meta)
            .await
    }

    /// Takes a photo off a visit card; the file is collected later.
    #[tracing::instrument(skip_all)]
    pub async fn remove_school_photo(
        &self,
        viewer: &Viewer,
        id: &SchoolId,
        file: &FileId,
        meta: &RequestMeta,
    ) -> Result<School> {
        let mut school = self
            .editable_card(viewer, id, "remove_school_photo", meta)
            .await?;
        let before = school.card.photos.len();
        school.card.photos.retain(|p| p.file != *file);
        if school.card.photos.len() == before {
            return Err(Error::invalid("fileId", "this photo is not on the card"));
        }
        self.store.set_file_attachment(file, None).await?;
        self.save_card(viewer, school, "remove_school_photo", meta)
            .await
    }

    /// Sets (or with `None` removes) the presentation of a visit card: a PDF,
    /// PowerPoint or OpenDocument presentation.
    #[tracing::instrument(skip_all)]
    pub async fn set_school_presentation(
        &self,
        viewer: &Viewer,
        id: &SchoolId,
        file: Option<&FileId>,
        meta: &RequestMeta,
    ) -> Result<School> {
        let mut school = self
            .editable_card(viewer, id, "set_school_presentation", meta)
            .await?;
        if let Some(file) = file {
            let f = self.card_file(viewer, &school, file).await?;
            if !crate::network::cards::is_presentation(&f.content_type) {
                return Err(Error::invalid(
                    "fileId",
                    "a presentation must be a PDF, PowerPoint (.pptx) or OpenDocument (.odp) file",
                ));
            }
            self.store.set_file_attachment(file, Some(id)).await?;
        }
        if let Some(old) = &school.card.presentation
            && Some(old) != file
        {
            self.store.set_file_attachment(old, None).await?;
        }
        school.card.presentation = file.cloned();
        self.save_card(viewer, school, "set_school_presentation", meta)
            .await
    }

    /// Whether the asker may see a school's visit card: whoever sees the school.
    pub fn sees_card(&self, viewer: Option<&Viewer>, school: &School) -> bool {
        policy::sees_school(viewer, school)
    }

    /// Whether the asker may edit a school's visit card: its school
    /// coordinators and administrators.
    pub fn edits_card(&self, viewer: Option<&Viewer>, school: &School) -> bool {
        policy::edits_card(viewer, school)
    }

    /// Whether the asker may correct a school's facts: its coordinators,
    /// its national coordinator and administrators.
    pub fn edits_school(&self, viewer: Option<&Viewer>, school: &School) -> bool {
        policy::edits_school(viewer, school)
    }

    /// A national coordinator's view of their country (administrators: any).
    pub async fn country_overview(&self, viewer: &Viewer, code: &str) -> Result<CountryOverview> {
        let country = self.country(code).await?;
        if !policy::governs_country(Some(viewer), &country.code) {
            return Err(Error::Forbidden);
        }
        let (schools, people) = tokio::join!(
            self.store.schools_by_status(&country.code),
            self.store.people_by_role(&country.code)
        );
        Ok(CountryOverview {
            country,
            schools_by_status: schools?,
            people_by_role: people?,
        })
    }
}

/// A photo's caption or text alternative as given: `None` when not given,
/// `Some(None)` when given empty (to remove it), `Some(Some(text))`.
fn photo_text(field: &'static str, text: Option<&str>) -> Result<Option<Option<String>>> {
    let Some(t) = text else {
        return Ok(None);
    };
    let t = t.trim();
    if t.is_empty() {
        return Ok(Some(None));
    }
    if t.chars().count() > 300 || t.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "use at most 300 characters without control characters",
        ));
    }
    Ok(Some(Some(t.to_owned())))
}
