//! Learning materials and good practices, and the libraries that hold them:
//! every school and every space has a library of nested folders (at most
//! [`MAX_FOLDER_DEPTH`] deep) with materials in them.
//!
//! Who sees a material follows from its status and visibility: a draft only
//! its editors; a published material with visibility `space` the members of
//! its space (for a school's own library: the people of the school),
//! `network` everyone signed in, `public` anyone. Editors are its creator,
//! the staff of its school, the leads and teachers of its space and
//! administrators. Files and their versions are in [`crate::uploads`].

pub(crate) mod policy;
pub mod port;
pub mod previews;

pub mod folders;
pub mod model;
pub mod uploads;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::accounts::model::{RequestMeta, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{FolderId, MaterialId, SchoolId, SpaceId, UserId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::clean_text;
use crate::network::model::SchoolStatus;
use crate::spaces::model::Pillar;

/// Folders nest at most this deep (a top-level folder has depth 1).
pub const MAX_FOLDER_DEPTH: u32 = 5;

/// Whose library: a school's or a space's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Library {
    School(SchoolId),
    Space(SpaceId),
}

impl Library {
    /// The stable storage key, e.g. `school:…` or `space:…`.
    pub fn key(&self) -> String {
        match self {
            Library::School(s) => format!("school:{s}"),
            Library::Space(s) => format!("space:{s}"),
        }
    }
}

/// What kind of material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MaterialKind {
    LessonPlan,
    Presentation,
    Worksheet,
    Video,
    ProjectReport,
    GoodPractice,
    Other,
}

/// The licences a material can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Licence {
    CcBy,
    CcBySa,
    CcByNc,
    Cc0,
    AllRightsReserved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MaterialStatus {
    Draft,
    Published,
}

impl MaterialStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialStatus::Draft => "draft",
            MaterialStatus::Published => "published",
        }
    }
}

/// Who may read a published material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Visibility {
    /// Members of its space (or, in a school's library, the school's people).
    Space,
    /// Everyone signed in.
    Network,
    /// Anyone, signed in or not.
    Public,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Space => "space",
            Visibility::Network => "network",
            Visibility::Public => "public",
        }
    }
}

/// A BCP 47 language tag of the simple kind materials need: a language
/// (`ru`), optionally a script (`uz-Latn`) and a region (`pt-BR`), in their
/// canonical cases.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "languages",
                format!("'{s}' is not a language tag such as ru, en, uz-Latn or kk-Cyrl"),
            )
        };
        let mut parts = s.trim().split(['-', '_']);
        let lang = parts.next().unwrap_or("");
        if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(bad());
        }
        let mut out = lang.to_ascii_lowercase();
        let mut seen_script = false;
        let mut seen_region = false;
        for p in parts {
            if p.len() == 4
                && !seen_script
                && !seen_region
                && p.bytes().all(|b| b.is_ascii_alphabetic())
            {
                seen_script = true;
                out.push('-');
                out.push_str(&p[..1].to_ascii_uppercase());
                out.push_str(&p[1..].to_ascii_lowercase());
            } else if !seen_region
                && ((p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
                    || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit())))
            {
                seen_region = true;
                out.push('-');
                out.push_str(&p.to_ascii_uppercase());
            } else {
                return Err(bad());
            }
        }
        Ok(LanguageTag(out))
    }

    pub fn from_trusted(s: String) -> Self {
        LanguageTag(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The structured sections of a good practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PracticeSections {
    pub context: String,
    pub what_was_done: String,
    pub results: String,
    pub evidence: String,
    pub lessons_learned: String,
}

/// What a material says about itself, as its authors describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialDetails {
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// `body` as safe HTML, rendered once when the body is written (it may
    /// be 100,000 characters: rendering on every read would let a cheap
    /// query cost a lot). Empty in materials stored before it was kept.
    #[serde(default)]
    pub body_html: String,
    pub kind: MaterialKind,
    pub languages: Vec<LanguageTag>,
    pub subjects: Vec<String>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub pillars: Vec<Pillar>,
    /// UN Sustainable Development Goals, 1–17, sorted.
    pub sdgs: Vec<u8>,
    pub licence: Licence,
    /// The authors' names as they want to be credited.
    pub authors: Vec<String>,
    /// Good practices only (and required for them).
    pub practice: Option<PracticeSections>,
}

/// The raw fields of [`MaterialDetails`], as a client sends them.
#[derive(Debug, Clone, Default)]
pub struct MaterialForm {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub kind: Option<MaterialKind>,
    pub languages: Vec<String>,
    pub subjects: Vec<String>,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub pillars: Vec<Pillar>,
    pub sdgs: Vec<i32>,
    pub licence: Option<Licence>,
    pub authors: Vec<String>,
    pub practice: Option<PracticeSections>,
}

fn optional_text(field: &'static str, s: &str, max: usize) -> Result<String> {
    if s.trim().is_empty() {
        Ok(String::new())
    } else {
        clean_text(field, s, max, true)
    }
}

fn short_list(field: &'static str, list: &[String], max_items: usize) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in list {
        let s = clean_text(field, s, 100, false)?;
        if !out.iter().any(|o| o.to_lowercase() == s.to_lowercase()) {
            out.push(s);
        }
    }
    if out.len() > max_items {
        return Err(Error::invalid(
            field,
            format!("give at most {max_items} entries"),
        ));
    }
    Ok(out)
}

impl MaterialForm {
    /// Checks everything: a title (≤ 200 characters), a summary (≤ 1,000), a
    /// body (≤ 100,000), languages as BCP 47 tags, ages 3–99 in order, SDGs
    /// 1–17, and for good practices their sections (each ≤ 20,000, "what was
    /// done" required).
    pub fn parse(self) -> Result<MaterialDetails> {
        let title = clean_text("title", &self.title, 200, false)?;
        let summary = optional_text("summary", &self.summary, 1000)?;
        let body = optional_text("body", &self.body, 100_000)?;
        let kind = self.kind.unwrap_or(MaterialKind::Other);
        let mut languages: Vec<LanguageTag> = Vec::new();
        for l in &self.languages {
            let l = LanguageTag::parse(l)?;
            if !languages.contains(&l) {
                languages.push(l);
            }
        }
        if languages.len() > 20 {
            return Err(Error::invalid("languages", "give at most 20 languages"));
        }
        let subjects = short_list("subjects", &self.subjects, 20)?;
        let authors = short_list("authors", &self.authors, 50)?;
        let age = |field: &'static str, a: Option<i32>| -> Result<Option<u8>> {
            match a {
                None => Ok(None),
                Some(a) if (3..=99).contains(&a) => Ok(Some(a as u8)),
                Some(_) => Err(Error::invalid(field, "give an age from 3 to 99")),
            }
        };
        let age_min = age("ageMin", self.age_min)?;
        let age_max = age("ageMax", self.age_max)?;
        if let (Some(a), Some(b)) = (age_min, age_max)
            && b < a
        {
            return Err(Error::invalid(
                "ageMax",
                "the oldest age is below the youngest",
            ));
        }
        let mut sdgs = Vec::new();
        for g in self.sdgs {
            if !(1..=17).contains(&g) {
                return Err(Error::invalid(
                    "sdgs",
                    "the Sustainable Development Goals are numbered 1 to 17",
                ));
            }
            sdgs.push(g as u8);
        }
        sdgs.sort_unstable();
        sdgs.dedup();
        let mut pillars = self.pillars;
        pillars.sort();
        pillars.dedup();
        let practice = match (kind, self.practice) {
            (MaterialKind::GoodPractice, Some(p)) => Some(PracticeSections {
                context: optional_text("context", &p.context, 20_000)?,
                what_was_done: clean_text("whatWasDone", &p.what_was_done, 20_000, true)?,
                results: optional_text("results", &p.results, 20_000)?,
                evidence: optional_text("evidence", &p.evidence, 20_000)?,
                lessons_learned: optional_text("lessonsLearned", &p.lessons_learned, 20_000)?,
            }),
            (MaterialKind::GoodPractice, None) => {
                return Err(Error::invalid(
                    "goodPractice",
                    "a good practice needs its sections (at least what was done)",
                ));
            }
            (_, Some(_)) => {
                return Err(Error::invalid(
                    "goodPractice",
                    "only materials of kind GOOD_PRACTICE have good-practice sections",
                ));
            }
            (_, None) => None,
        };
        Ok(MaterialDetails {
            title,
            summary,
            body_html: crate::spaces::model::render_markdown(&body),
            body,
            kind,
            languages,
            subjects,
            age_min,
            age_max,
            pillars,
            sdgs,
            licence: self.licence.unwrap_or(Licence::CcBy),
            authors,
            practice,
        })
    }
}

impl MaterialDetails {
    /// The body as safe HTML.
    pub fn body_html(&self) -> std::borrow::Cow<'_, str> {
        if self.body_html.is_empty() && !self.body.is_empty() {
            crate::spaces::model::render_markdown(&self.body).into()
        } else {
            self.body_html.as_str().into()
        }
    }
}

/// A learning material or good practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub id: MaterialId,
    pub details: MaterialDetails,
    /// The school that owns it (its quota pays for its files).
    pub school: SchoolId,
    /// The space whose library holds it, if any.
    pub space: Option<SpaceId>,
    /// Its folder in the library; `None` at the top.
    pub folder: Option<FolderId>,
    pub status: MaterialStatus,
    pub visibility: Visibility,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl Material {
    pub fn library(&self) -> Library {
        match &self.space {
            Some(s) => Library::Space(s.clone()),
            None => Library::School(self.school.clone()),
        }
    }
}

/// A folder's name: 1–100 characters, no control characters, no `/` or
/// `\`, not `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderName(String);

impl FolderName {
    pub fn parse(s: &str) -> Result<Self> {
        let s = clean_text("name", s, 100, false)?;
        if s.contains(['/', '\\']) || s == "." || s == ".." {
            return Err(Error::invalid(
                "name",
                "a folder name must not contain '/' or '\\' or be '.' or '..'",
            ));
        }
        Ok(FolderName(s))
    }

    pub fn from_trusted(s: String) -> Self {
        FolderName(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    pub id: FolderId,
    pub library: Library,
    pub parent: Option<FolderId>,
    pub name: FolderName,
    /// 1 for a top-level folder.
    pub depth: u32,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// How a library's materials are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaterialSort {
    /// Most recently changed first.
    #[default]
    Updated,
    /// Newest first.
    Newest,
    /// By title, A to Z (case-insensitive).
    Title,
}

/// What of a library a listing may return, decided by the domain for the
/// viewer and enforced by the store's query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialScope {
    pub library: Library,
    /// `None`: the top of the library.
    pub folder: Option<FolderId>,
    /// Published materials of these visibilities.
    pub visibilities: Vec<Visibility>,
    pub drafts: DraftScope,
    pub sort: MaterialSort,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftScope {
    None,
    /// Drafts created by this person.
    Own(UserId),
    All,
}

/// What a viewer may do with a library.
struct LibraryRights {
    /// Reads `space`-visible materials.
    member: bool,
    /// Edits every material and folder, reads every draft.
    edits: bool,
    /// Adds materials (drafts, if not an editor).
    contributes: bool,
}

/// Only those who edit a library (its staff) choose who beyond its members
/// reads a material: a student's work reaches the network or the public
/// only by a teacher's choice.
fn check_visibility(rights: &LibraryRights, visibility: Visibility) -> Result<()> {
    if rights.edits || visibility == Visibility::Space {
        Ok(())
    } else {
        Err(Error::invalid(
            "visibility",
            "a teacher chooses who beyond the space may read it; keep it SPACE",
        ))
    }
}

/// What the materials keep in memory: limits, and the turns of uploads,
/// metadata cleaning and previews.
/// The materials' use cases: libraries, folders, materials, their files and
/// versions, uploads and previews, over the materials' port and state, the
/// object storage and the handles of the domains below.
#[derive(Clone, Copy)]
pub struct Materials<'a> {
    pub(crate) store: &'a dyn port::MaterialStore,
    pub(crate) state: &'a State,
    pub(crate) objects: &'a dyn crate::kernel::blobs::ObjectStorage,
    pub(crate) previews: &'a dyn port::Previewer,
    pub(crate) clock: &'a dyn crate::kernel::clock::Clock,
    pub(crate) outbox: &'a crate::kernel::outbox::Doorbell,
    pub(crate) accounts: crate::accounts::Accounts<'a>,
    pub(crate) network: crate::network::Network<'a>,
    pub(crate) spaces: crate::spaces::Spaces<'a>,
}

pub(crate) struct State {
    pub(crate) limits: uploads::FileLimits,
    /// Turns for cleaning metadata out of stored photos and videos: two at
    /// a time, since each may hold a copy of a large photo in memory.
    pub(crate) cleaning: tokio::sync::Semaphore,
    /// Uploads a request of this process is writing to.
    // A std mutex: inserts and removals only, never held across an await.
    pub(crate) uploads_busy:
        std::sync::Mutex<std::collections::HashSet<crate::kernel::id::UploadId>>,
    /// A turn per person whose files are being previewed: one file at a
    /// time each, so that one person's files cannot take every worker.
    // A std mutex: look-ups, inserts and removals only, never held across an await.
    pub(crate) previewing: std::sync::Mutex<
        std::collections::HashMap<
            crate::kernel::id::UserId,
            std::sync::Arc<tokio::sync::Mutex<()>>,
        >,
    >,
}

impl State {
    pub(crate) fn new(limits: uploads::FileLimits) -> State {
        State {
            limits,
            cleaning: tokio::sync::Semaphore::new(2),
            uploads_busy: Default::default(),
            previewing: Default::default(),
        }
    }
}

impl Materials<'_> {
    async fn library_rights(
        &self,
        viewer: Option<&Viewer>,
        library: &Library,
    ) -> Result<LibraryRights> {
        match library {
            Library::School(id) => {
                let school = self
                    .network
                    .store
                    .school(id)
                    .await?
                    .ok_or(Error::NotFound)?;
                if !policy::sees_school(viewer, &school) {
                    return Err(Error::NotFound);
                }
                let staff = policy::teaches_at(viewer, id) || policy::is_admin(viewer);
                Ok(LibraryRights {
                    member: policy::belongs_to(viewer, id) || policy::is_admin(viewer),
                    edits: staff,
                    contributes: staff && school.status == SchoolStatus::Approved,
                })
            }
            Library::Space(id) => {
                let Some(v) = viewer else {
                    // Anonymous visitors see a space's public materials only
                    // through the materials themselves, never its library.
                    return Err(Error::NotFound);
                };
                let access = self.spaces.space_access(v, id).await?;
                let Some(role) = access.role else {
                    return Err(Error::NotFound);
                };
                let writes = access.writer_role().is_ok();
                Ok(LibraryRights {
                    member: true,
                    edits: writes && role.moderates() || policy::is_admin(viewer),
                    contributes: writes,
                })
            }
        }
    }

    /// Whether `viewer` may read this material; the second value says
    /// whether they may also edit it.
    pub(crate) async fn material_rights(
        &self,
        viewer: Option<&Viewer>,
        m: &Material,
    ) -> Result<(bool, bool)> {
        if policy::is_admin(viewer) {
            return Ok((true, true));
        }
        let rights = match self.library_rights(viewer, &m.library()).await {
            Ok(r) => Some(r),
            Err(Error::NotFound) => None,
            Err(e) => return Err(e),
        };
        let own = viewer.is_some_and(|v| v.user.id == m.created_by);
        // A contributor edits their own material only while it is a draft:
        // once staff have published it, what the public sees was reviewed,
        // and only staff change it (a change of theirs is reviewed by them).
        let edits = rights.as_ref().is_some_and(|r| r.edits)
            || own
                && m.status == MaterialStatus::Draft
                && rights.as_ref().is_some_and(|r| r.contributes);
        let reads = edits
            || own
            || match m.status {
                MaterialStatus::Draft => false,
                MaterialStatus::Published => match m.visibility {
                    Visibility::Public => true,
                    Visibility::Network => viewer.is_some(),
                    Visibility::Space => rights.as_ref().is_some_and(|r| r.member),
                },
            };
        Ok((reads, edits))
    }

    /// A material the viewer may read; `NotFound` otherwise.
    pub async fn material(&self, viewer: Option<&Viewer>, id: &MaterialId) -> Result<Material> {
        let m = self.store.material(id).await?.ok_or(Error::NotFound)?;
        match self.material_rights(viewer, &m).await? {
            (true, _) => Ok(m),
            _ => Err(Error::NotFound),
        }
    }

    /// Whether the viewer may change this material (for `canEdit`).
    pub async fn may_edit_material(&self, viewer: Option<&Viewer>, m: &Material) -> Result<bool> {
        Ok(self.material_rights(viewer, m).await?.1)
    }

    /// A material the viewer may edit: `NotFound` if they cannot see it,
    /// `Forbidden` if they can only read it.
    pub(crate) async fn editable_material(
        &self,
        viewer: &Viewer,
        id: &MaterialId,
    ) -> Result<Material> {
        let m = self.store.material(id).await?.ok_or(Error::NotFound)?;
        match self.material_rights(Some(viewer), &m).await? {
            (_, true) => Ok(m),
            (true, false) => Err(Error::Forbidden),
            _ => Err(Error::NotFound),
        }
    }

    async fn check_folder(
        &self,
        library: &Library,
        folder: Option<&FolderId>,
    ) -> Result<Option<Folder>> {
        let Some(id) = folder else { return Ok(None) };
        match self.store.folder(id).await? {
            Some(f) if &f.library == library => Ok(Some(f)),
            _ => Err(Error::invalid("folderId", "no such folder in this library")),
        }
    }

    /// Adds a material to a school's or a space's library, as a draft.
    /// School staff add to their school's library; members who write in a
    /// space (students too) add to the space's. The owning school is the
    /// creator's (for mentors and administrators: the space's lead school).
    #[tracing::instrument(skip_all)]
    pub async fn create_material(
        &self,
        viewer: &Viewer,
        library: &Library,
        folder: Option<&FolderId>,
        details: MaterialDetails,
        visibility: Visibility,
        meta: &RequestMeta,
    ) -> Result<Material> {
        let rights = self.library_rights(Some(viewer), library).await?;
        if !rights.contributes {
            return Err(self
                .accounts
                .deny(viewer, "create_material", &library.key(), None, meta)
                .await);
        }
        check_visibility(&rights, visibility)?;
        self.check_folder(library, folder).await?;
        let (school, space) = match library {
            Library::School(s) => (s.clone(), None),
            Library::Space(id) => {
                let space = self.spaces.store.space(id).await?.ok_or(Error::NotFound)?;
                let school = viewer
                    .user
                    .school
                    .clone()
                    .filter(|s| space.has_school(s))
                    .unwrap_or(space.lead_school.clone());
                (school, Some(id.clone()))
            }
        };
        let now = self.clock.now();
        let m = Material {
            id: MaterialId::generate(),
            details,
            school,
            space,
            folder: folder.cloned(),
            status: MaterialStatus::Draft,
            visibility,
            created_by: viewer.user.id.clone(),
            created_at: now,
            updated_at: now,
            published_at: None,
        };
        self.store.save_material(&m, None).await?;
        self.outbox.ring();
        Ok(m)
    }

    /// Changes what a material says, and who may read it once published.
    #[tracing::instrument(skip_all, fields(material = %id))]
    pub async fn update_material(
        &self,
        viewer: &Viewer,
        id: &MaterialId,
        details: MaterialDetails,
        visibility: Visibility,
    ) -> Result<Material> {
        let before = self.editable_material(viewer, id).await?;
        if visibility != before.visibility && !policy::is_admin(Some(viewer)) {
            let rights = self.library_rights(Some(viewer), &before.library()).await?;
            check_visibility(&rights, visibility)?;
        }
        let mut m = before.clone();
        m.details = details;
        m.visibility = visibility;
        m.updated_at = self.clock.now();
        self.store.save_material(&m, Some(&before)).await?;
        self.outbox.ring();
        Ok(m)
    }

    /// Publishes a draft or takes a material back to draft. Only staff
    /// publish: a student's draft waits for a teacher of the space.
    #[tracing::instrument(skip_all, fields(material = %id))]
    pub async fn set_material_status(
        &self,
        viewer: &Viewer,
        id: &MaterialId,
        status: MaterialStatus,
        meta: &RequestMeta,
    ) -> Result<Material> {
        let before = self.editable_material(viewer, id).await?;
        if !policy::publishes(Some(viewer)) {
            return Err(self
                .accounts
                .deny(viewer, "publish_material", id.as_str(), None, meta)
                .await);
        }
        if before.status == status {
            return Ok(before);
        }
        let mut m = before.clone();
        m.status = status;
        m.updated_at = self.clock.now();
        if status == MaterialStatus::Published {
            m.published_at = Some(m.updated_at);
        }
        self.store.save_material(&m, Some(&before)).await?;
        self.outbox.ring();
        let action = match status {
            MaterialStatus::Published => "publish_material",
            MaterialStatus::Draft => "unpublish_material",
        };
        self.accounts
            .audit_in(Some(&viewer.user.id), action, id.as_str(), None, meta, "ok")
            .await?;
        Ok(m)
    }

    /// Moves a material to another folder of its library (`None`: the top).
    pub async fn move_material(
        &self,
        viewer: &Viewer,
        id: &MaterialId,
        folder: Option<&FolderId>,
    ) -> Result<Material> {
        let before = self.editable_material(viewer, id).await?;
        self.check_folder(&before.library(), folder).await?;
        let mut m = before.clone();
        m.folder = folder.cloned();
        m.updated_at = self.clock.now();
        self.store.save_material(&m, Some(&before)).await?;
        self.outbox.ring();
        Ok(m)
    }

    /// Deletes a material with its files' records; the blobs nobody else
    /// uses are collected later.
    #[tracing::instrument(skip_all, fields(material = %id))]
    pub async fn delete_material(
        &self,
        viewer: &Viewer,
        id: &MaterialId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let m = self.editable_material(viewer, id).await?;
        self.store.delete_material(&m.id).await?;
        self.outbox.ring();
        self.accounts
            .audit_in(
                Some(&viewer.user.id),
                "delete_material",
                id.as_str(),
                None,
                meta,
                "ok",
            )
            .await?;
        Ok(())
    }

    /// The materials of one folder of a library that the viewer may read.
    pub async fn library_materials(
        &self,
        viewer: Option<&Viewer>,
        library: &Library,
        folder: Option<&FolderId>,
        sort: MaterialSort,
        page: &PageRequest,
    ) -> Result<Page<Material>> {
        let rights = self.library_rights(viewer, library).await?;
        self.check_folder(library, folder).await?;
        let mut visibilities = vec![Visibility::Public];
        if viewer.is_some() {
            visibilities.push(Visibility::Network);
        }
        if rights.member {
            visibilities.push(Visibility::Space);
        }
        let drafts = if rights.edits {
            DraftScope::All
        } else if let Some(v) = viewer.filter(|_| rights.contributes) {
            DraftScope::Own(v.user.id.clone())
        } else {
            DraftScope::None
        };
        let scope = MaterialScope {
            library: library.clone(),
            folder: folder.cloned(),
            visibilities,
            drafts,
            sort,
        };
        self.store.materials(&scope, page).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_take_script_and_region_in_canonical_case() {
        assert_eq!(LanguageTag::parse("uz-latn").unwrap().as_str(), "uz-Latn");
        assert_eq!(
            LanguageTag::parse("KK_cyrl_kz").unwrap().as_str(),
            "kk-Cyrl-KZ"
        );
        assert_eq!(LanguageTag::parse("ru").unwrap().as_str(), "ru");
        assert_eq!(LanguageTag::parse("es-419").unwrap().as_str(), "es-419");
        for bad in ["", "r", "russian", "ru-", "ru-Latn-Cyrl", "ru-RU-RU", "ру"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn good_practices_need_their_sections_and_others_may_not_have_them() {
        let form = |kind, practice| MaterialForm {
            title: "Eco".into(),
            kind: Some(kind),
            practice,
            sdgs: vec![13, 4, 13],
            ..MaterialForm::default()
        };
        assert!(form(MaterialKind::GoodPractice, None).parse().is_err());
        let sections = PracticeSections {
            what_was_done: "Planted trees".into(),
            ..PracticeSections::default()
        };
        let d = form(MaterialKind::GoodPractice, Some(sections.clone()))
            .parse()
            .unwrap();
        assert_eq!(d.sdgs, vec![4, 13]);
        assert!(
            form(MaterialKind::Worksheet, Some(sections))
                .parse()
                .is_err()
        );
        let mut bad = form(MaterialKind::Worksheet, None);
        bad.sdgs = vec![18];
        assert!(bad.parse().is_err());
        let mut ages = form(MaterialKind::Worksheet, None);
        ages.age_min = Some(14);
        ages.age_max = Some(12);
        assert!(ages.parse().is_err());
    }

    #[test]
    fn folder_names_are_single_path_segments() {
        assert!(FolderName::parse("..").is_err());
        assert!(FolderName::parse("a/b").is_err());
        assert!(FolderName::parse("a\u{7}").is_err());
        assert!(FolderName::parse(&"п".repeat(101)).is_err());
        assert_eq!(FolderName::parse(" Уроки ").unwrap().as_str(), "Уроки");
    }
}
