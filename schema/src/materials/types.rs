//! GraphQL types of learning materials: materials and good practices,
//! libraries and folders, files, versions and uploads. Who may see what is
//! decided by the domain; these types only wrap its answers.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::context::{UseCases, or_none, viewer_opt};
use crate::errors::GqlResult;
use crate::network::types::School;

use crate::accounts::types::{User, visible_user};
use crate::relay::{self, connection, parse_id, parse_id_of};
use crate::spaces::types::{Pillar, Space};

/// What kind of material.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MaterialKind {
    LessonPlan,
    Presentation,
    Worksheet,
    Video,
    ProjectReport,
    /// A good practice, with its structured sections.
    GoodPractice,
    Other,
}

macro_rules! mirror {
    ($ours:ident, $theirs:path, [$($v:ident),*]) => {
        impl From<$ours> for $theirs {
            fn from(k: $ours) -> Self {
                match k { $($ours::$v => <$theirs>::$v),* }
            }
        }
        impl From<$theirs> for $ours {
            fn from(k: $theirs) -> Self {
                match k { $(<$theirs>::$v => $ours::$v),* }
            }
        }
    };
}
pub(crate) use mirror;

mirror!(
    MaterialKind,
    app::MaterialKind,
    [
        LessonPlan,
        Presentation,
        Worksheet,
        Video,
        ProjectReport,
        GoodPractice,
        Other
    ]
);

/// The licence a material is shared under.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum Licence {
    /// Creative Commons Attribution.
    CcBy,
    /// Creative Commons Attribution-ShareAlike.
    CcBySa,
    /// Creative Commons Attribution-NonCommercial.
    CcByNc,
    /// Public domain dedication.
    Cc0,
    AllRightsReserved,
}

mirror!(
    Licence,
    app::Licence,
    [CcBy, CcBySa, CcByNc, Cc0, AllRightsReserved]
);

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MaterialStatus {
    /// Seen by its editors only.
    Draft,
    /// Seen by whoever its visibility allows.
    Published,
}

mirror!(MaterialStatus, app::MaterialStatus, [Draft, Published]);

/// Who may read a published material.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The members of its space; in a school's library, the school's people.
    Space,
    /// Everyone signed in.
    Network,
    /// Anyone, also without signing in.
    Public,
}

mirror!(Visibility, app::Visibility, [Space, Network, Public]);

/// How a library's materials are listed.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaterialSort {
    /// Most recently changed first.
    #[default]
    Updated,
    /// Newest first.
    Newest,
    /// By title, A to Z.
    Title,
}

mirror!(MaterialSort, app::MaterialSort, [Updated, Newest, Title]);

/// The sections of a good practice.
#[derive(SimpleObject, InputObject, Clone, Default)]
#[graphql(input_name = "GoodPracticeInput")]
pub struct GoodPractice {
    /// Where and why it happened.
    #[graphql(default)]
    pub context: String,
    /// What was done (required).
    pub what_was_done: String,
    #[graphql(default)]
    pub results: String,
    /// What shows the results: links, files, figures.
    #[graphql(default)]
    pub evidence: String,
    #[graphql(default)]
    pub lessons_learned: String,
}

impl From<GoodPractice> for app::PracticeSections {
    fn from(g: GoodPractice) -> Self {
        app::PracticeSections {
            context: g.context,
            what_was_done: g.what_was_done,
            results: g.results,
            evidence: g.evidence,
            lessons_learned: g.lessons_learned,
        }
    }
}

/// What a material says about itself.
#[derive(InputObject)]
pub struct MaterialInput {
    pub title: String,
    #[graphql(default)]
    pub summary: String,
    /// Markdown.
    #[graphql(default)]
    pub body: String,
    #[graphql(default_with = "MaterialKind::Other")]
    pub kind: MaterialKind,
    /// BCP 47 tags: `ru`, `en`, `uz-Latn`, `kk-Cyrl`.
    #[graphql(default)]
    pub languages: Vec<String>,
    #[graphql(default)]
    pub subjects: Vec<String>,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    #[graphql(default)]
    pub pillars: Vec<Pillar>,
    /// UN Sustainable Development Goals, 1–17.
    #[graphql(default)]
    pub sdgs: Vec<i32>,
    #[graphql(default_with = "Licence::CcBy")]
    pub licence: Licence,
    /// Names to credit.
    #[graphql(default)]
    pub authors: Vec<String>,
    /// Required for kind GOOD_PRACTICE, refused for the others.
    pub good_practice: Option<GoodPractice>,
    #[graphql(default_with = "Visibility::Space")]
    pub visibility: Visibility,
}

impl MaterialInput {
    pub(crate) fn parse(self) -> app::Result<(app::MaterialDetails, app::Visibility)> {
        let visibility = self.visibility.into();
        let details = app::MaterialForm {
            title: self.title,
            summary: self.summary,
            body: self.body,
            kind: Some(self.kind.into()),
            languages: self.languages,
            subjects: self.subjects,
            age_min: self.age_min,
            age_max: self.age_max,
            pillars: self.pillars.into_iter().map(Into::into).collect(),
            sdgs: self.sdgs,
            licence: Some(self.licence.into()),
            authors: self.authors,
            practice: self.good_practice.map(Into::into),
        }
        .parse()?;
        Ok((details, visibility))
    }
}

/// A new material: where it goes and what it says. Give `schoolId` or
/// `spaceId` (not both) for the library; `folderId` for a folder in it.
#[derive(InputObject)]
pub struct CreateMaterialInput {
    pub school_id: Option<ID>,
    pub space_id: Option<ID>,
    pub folder_id: Option<ID>,
    pub material: MaterialInput,
}

/// Which library: a school's or a space's (exactly one).
pub(crate) fn library_of(school_id: Option<&ID>, space_id: Option<&ID>) -> Result<app::Library> {
    match (school_id, space_id) {
        (Some(s), None) => Ok(app::Library::School(parse_id::<app::SchoolId>(s)?)),
        (None, Some(s)) => Ok(app::Library::Space(parse_id::<app::SpaceId>(s)?)),
        _ => Err(app::Error::invalid(
            "schoolId",
            "give either schoolId or spaceId",
        ))
        .gql(),
    }
}

pub(crate) fn folder_id(id: &ID) -> Result<app::FolderId> {
    parse_id_of(id, "folderId", "no such folder in this library")
}

/// A learning material or good practice.
pub struct Material(pub app::Material);

#[Object]
impl Material {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn title(&self) -> &str {
        &self.0.details.title
    }

    async fn summary(&self) -> &str {
        &self.0.details.summary
    }

    /// The body as written (Markdown).
    async fn body(&self) -> &str {
        &self.0.details.body
    }

    /// The body as safe HTML.
    async fn body_html(&self) -> String {
        self.0.details.body_html().into_owned()
    }

    async fn kind(&self) -> MaterialKind {
        self.0.details.kind.into()
    }

    /// BCP 47 tags.
    async fn languages(&self) -> Vec<&str> {
        self.0
            .details
            .languages
            .iter()
            .map(|l| l.as_str())
            .collect()
    }

    async fn subjects(&self) -> &[String] {
        &self.0.details.subjects
    }

    async fn age_min(&self) -> Option<i32> {
        self.0.details.age_min.map(i32::from)
    }

    async fn age_max(&self) -> Option<i32> {
        self.0.details.age_max.map(i32::from)
    }

    async fn pillars(&self) -> Vec<Pillar> {
        self.0.details.pillars.iter().map(|p| (*p).into()).collect()
    }

    /// UN Sustainable Development Goals, 1–17.
    async fn sdgs(&self) -> Vec<i32> {
        self.0.details.sdgs.iter().map(|g| i32::from(*g)).collect()
    }

    async fn licence(&self) -> Licence {
        self.0.details.licence.into()
    }

    async fn authors(&self) -> &[String] {
        &self.0.details.authors
    }

    /// The sections of a good practice; null for other kinds.
    async fn good_practice(&self) -> Option<GoodPractice> {
        self.0.details.practice.as_ref().map(|p| GoodPractice {
            context: p.context.clone(),
            what_was_done: p.what_was_done.clone(),
            results: p.results.clone(),
            evidence: p.evidence.clone(),
            lessons_learned: p.lessons_learned.clone(),
        })
    }

    async fn status(&self) -> MaterialStatus {
        self.0.status.into()
    }

    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }

    /// The school that owns it; null if you cannot see that school.
    async fn school(&self, ctx: &Context<'_>) -> Result<Option<School>> {
        Ok(or_none(ctx.network().school(viewer_opt(ctx), &self.0.school).await)?.map(School))
    }

    /// The space whose library holds it; null for a school's library or
    /// if you are not in the space.
    async fn space(&self, ctx: &Context<'_>) -> Result<Option<Space>> {
        let (Some(id), Some(v)) = (&self.0.space, viewer_opt(ctx)) else {
            return Ok(None);
        };
        Ok(or_none(ctx.spaces().space(v, id).await)?.map(Space))
    }

    /// Its folder; null at the top of the library or if you cannot see the library.
    async fn folder(&self, ctx: &Context<'_>) -> Result<Option<Folder>> {
        let Some(id) = &self.0.folder else {
            return Ok(None);
        };
        Ok(or_none(ctx.materials().folder(viewer_opt(ctx), id).await)?.map(Folder))
    }

    /// Who added it; null if you may not see them.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        visible_user(ctx, &self.0.created_by).await
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    /// Whether you may change it, publish it and upload its files.
    async fn can_edit(&self, ctx: &Context<'_>) -> Result<bool> {
        ctx.materials()
            .may_edit_material(viewer_opt(ctx), &self.0)
            .await
            .gql()
    }

    /// Its files, in the order they were first uploaded (10 a page unless
    /// `first` says otherwise), each with every version kept.
    #[graphql(complexity = "crate::relay::cost(first, 10, child_complexity)")]
    async fn files(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, MaterialFile>> {
        let (page, has_previous) = relay::page_or(first, 10, after.as_deref())?;
        let (p, _) = ctx
            .materials()
            .material_file_page(&self.0, &page)
            .await
            .gql()?;
        Ok(connection(p, has_previous, MaterialFile))
    }

    /// How many files it has.
    async fn file_count(&self, ctx: &Context<'_>) -> Result<usize> {
        let (page, _) = relay::page(Some(1), None)?;
        Ok(ctx
            .materials()
            .material_file_page(&self.0, &page)
            .await
            .gql()?
            .1)
    }
}

/// A file of a material, with all its versions.
pub struct MaterialFile(pub app::MaterialFile);

#[Object]
impl MaterialFile {
    /// Give this to `startUpload` or `uploadMaterialFile` to add a version.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The name of the current version.
    async fn name(&self) -> &str {
        self.0.current().name.as_str()
    }

    /// The newest version.
    async fn current(&self) -> FileVersion {
        FileVersion(self.0.current().clone())
    }

    /// Its versions, newest first (10 a page unless `first` says
    /// otherwise); every one is kept.
    #[graphql(complexity = "crate::relay::cost(first, 10, child_complexity)")]
    async fn versions(
        &self,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, FileVersion>> {
        let (page, has_previous) = relay::page_or(first, 10, after.as_deref())?;
        Ok(connection(
            self.0.version_page(&page),
            has_previous,
            FileVersion,
        ))
    }

    /// How many versions it has.
    async fn version_count(&self) -> usize {
        self.0.versions.len()
    }
}

/// One version of a file.
pub struct FileVersion(pub app::FileVersion);

#[Object]
impl FileVersion {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// 1 for the first upload of the file.
    async fn number(&self) -> i32 {
        i32::try_from(self.0.number).unwrap_or(i32::MAX)
    }

    /// The name it was uploaded with.
    async fn name(&self) -> &str {
        self.0.name.as_str()
    }

    /// Size in bytes.
    async fn size(&self) -> f64 {
        self.0.size as f64
    }

    /// Hex SHA-256 of the bytes.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// Detected from the bytes.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }

    async fn uploaded_at(&self) -> DateTime<Utc> {
        self.0.uploaded_at
    }

    /// Who uploaded it; null if you may not see them.
    async fn uploaded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        visible_user(ctx, &self.0.uploaded_by).await
    }

    /// Where to download it, relative to the server (send your token as for
    /// GraphQL). Supports `Range` and `If-None-Match`. `POST {url}/link`
    /// answers `{ "url", "expiresAt" }`: an address that works without the
    /// token for a minute or two, for a browser's own download (`<a href>`),
    /// `<img>` or `<video>`.
    async fn url(&self) -> String {
        format!("/downloads/{}", self.0.id)
    }

    /// A JPEG of at most 320×320 pixels, for images; null for other files.
    /// Signed addresses come from `POST {thumbnailUrl}/link` as for `url`.
    async fn thumbnail_url(&self) -> Option<String> {
        self.0
            .thumbnail
            .then(|| format!("/downloads/{}/thumbnail", self.0.id))
    }

    /// The plain text of a document (PDF, DOCX, PPTX, ODT, ODP, text,
    /// Markdown), its first `first` characters (at most 20000); null when
    /// none was found. Costs one unit of complexity per 1000 characters.
    #[graphql(complexity = "1 + first.clamp(0, 20_000) as usize / 1000")]
    async fn text(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 500)] first: i32,
    ) -> Result<Option<String>> {
        let first = usize::try_from(first)
            .map_err(|_| app::Error::invalid("first", "ask for 0 or more characters"))
            .gql()?;
        ctx.materials().version_text(&self.0, first).await.gql()
    }
}

/// A school's or a space's library of folders and materials.
pub struct Library(pub app::Library);

#[Object]
impl Library {
    /// The folders under `parentId`, or at the top, by name.
    async fn folders(&self, ctx: &Context<'_>, parent_id: Option<ID>) -> Result<Vec<Folder>> {
        let parent = parent_id.as_ref().map(folder_id).transpose()?;
        Ok(ctx
            .materials()
            .folders(viewer_opt(ctx), &self.0, parent.as_ref())
            .await
            .gql()?
            .into_iter()
            .map(Folder)
            .collect())
    }

    /// One folder of this library, with its `path`; null when there is none.
    async fn folder(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Folder>> {
        let Ok(id) = folder_id(&id) else {
            return Ok(None);
        };
        match ctx.materials().folder(viewer_opt(ctx), &id).await {
            Ok(f) if f.library == self.0 => Ok(Some(Folder(f))),
            Ok(_) | Err(app::Error::NotFound) => Ok(None),
            Err(e) => Err(e).gql(),
        }
    }

    /// The materials you may read in the folder `folderId`, or at the top.
    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn materials(
        &self,
        ctx: &Context<'_>,
        folder_id: Option<ID>,
        #[graphql(default)] sort: MaterialSort,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Material>> {
        let folder = folder_id.as_ref().map(self::folder_id).transpose()?;
        materials_page(ctx, &self.0, folder.as_ref(), sort, first, after).await
    }
}

async fn materials_page(
    ctx: &Context<'_>,
    library: &app::Library,
    folder: Option<&app::FolderId>,
    sort: MaterialSort,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, Material>> {
    let (page, has_previous) = relay::page(first, after.as_deref())?;
    let p = ctx
        .materials()
        .library_materials(viewer_opt(ctx), library, folder, sort.into(), &page)
        .await
        .gql()?;
    Ok(connection(p, has_previous, Material))
}

/// A folder of a library.
pub struct Folder(pub app::Folder);

#[Object]
impl Folder {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        self.0.name.as_str()
    }

    /// 1 for a folder at the top of the library; at most 5.
    async fn depth(&self) -> i32 {
        self.0.depth as i32
    }

    /// The folders from the top of the library down to this one.
    async fn path(&self, ctx: &Context<'_>) -> Result<Vec<Folder>> {
        Ok(ctx
            .materials()
            .folder_path(viewer_opt(ctx), &self.0)
            .await
            .gql()?
            .into_iter()
            .map(Folder)
            .collect())
    }

    async fn folders(&self, ctx: &Context<'_>) -> Result<Vec<Folder>> {
        Ok(ctx
            .materials()
            .folders(viewer_opt(ctx), &self.0.library, Some(&self.0.id))
            .await
            .gql()?
            .into_iter()
            .map(Folder)
            .collect())
    }

    #[graphql(complexity = "crate::relay::cost(first, 20, child_complexity)")]
    async fn materials(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] sort: MaterialSort,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Material>> {
        materials_page(ctx, &self.0.library, Some(&self.0.id), sort, first, after).await
    }
}

/// A resumable upload in progress. Send the bytes with
/// `PATCH /uploads/{id}` (header `Upload-Offset`: the bytes that have
/// arrived), ask where it stands with `HEAD /uploads/{id}`, then call
/// `finishUpload`.
pub struct ResumableUpload(pub app::Upload);

#[Object]
impl ResumableUpload {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        self.0.name.as_str()
    }

    /// The declared size in bytes.
    async fn size(&self) -> f64 {
        self.0.size as f64
    }

    /// Bytes that have arrived and are stored: send from here.
    async fn offset(&self) -> f64 {
        self.0.received() as f64
    }

    /// The file this upload adds a version to.
    async fn file_id(&self) -> ID {
        ID(self.0.file.to_string())
    }

    /// Without any bytes arriving until then, the upload is discarded.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at()
    }

    /// Where to send the bytes, relative to the server.
    async fn url(&self) -> String {
        format!("/uploads/{}", self.0.id)
    }

    /// Send at most this many bytes per request for the best resumption.
    async fn chunk_size(&self) -> f64 {
        app::materials::model::PART_BYTES as f64
    }
}

/// What a resumable upload will bring.
#[derive(InputObject)]
pub struct StartUploadInput {
    pub material_id: ID,
    /// A file of the material to add a version to; a new file when absent.
    pub file_id: Option<ID>,
    pub name: String,
    /// Size in bytes.
    pub size: f64,
    /// Hex SHA-256 of the whole file, checked when it is finished.
    pub sha256: String,
    /// What the file is, if known; checked against the bytes.
    pub content_type: Option<String>,
}
