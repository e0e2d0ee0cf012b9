//! What the materials domain needs of the database, and of whoever makes
//! previews of files.

use crate::kernel::blobs::ByteStream;
use crate::kernel::error::Result;
use crate::kernel::id::{FolderId, MaterialId, UploadId, VersionId};
use crate::kernel::paging::{Page, PageRequest};
use crate::materials::model::{FileVersion, Upload, UploadPart};
use crate::materials::{Folder, Library, Material, MaterialScope};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Learning materials, libraries, file versions and resumable uploads.
#[async_trait]
pub trait MaterialStore: Send + Sync + 'static {
    async fn material(&self, id: &MaterialId) -> Result<Option<Material>>;
    /// Stores a new material (`before` is `None`) or replaces one;
    /// `Conflict` if it changed since `before` was read.
    async fn save_material(&self, m: &Material, before: Option<&Material>) -> Result<()>;
    /// Adds materials whose ids are not taken yet, in one transaction, and
    /// returns how many it added (for loading generated materials).
    async fn import_materials(&self, list: &[Material]) -> Result<u64>;
    /// Deletes a material and the records of its files' versions.
    async fn delete_material(&self, id: &MaterialId) -> Result<()>;
    /// One page of a folder's materials within `scope`.
    async fn materials(&self, scope: &MaterialScope, page: &PageRequest) -> Result<Page<Material>>;
    async fn folder_has_materials(&self, id: &FolderId) -> Result<bool>;

    async fn folder(&self, id: &FolderId) -> Result<Option<Folder>>;
    /// The folders of a library directly under `parent`, by name.
    async fn folders(&self, library: &Library, parent: Option<&FolderId>) -> Result<Vec<Folder>>;
    /// Creates or replaces folders, all in one transaction.
    async fn save_folders(&self, folders: &[Folder]) -> Result<()>;
    async fn delete_folder(&self, id: &FolderId) -> Result<()>;

    /// Every version of every file of a material, oldest first.
    async fn versions(&self, material: &MaterialId) -> Result<Vec<FileVersion>>;
    async fn version(&self, id: &VersionId) -> Result<Option<FileVersion>>;
    /// Records a new version; its `number` is the next of its file, filled
    /// in here, and `text` is what was extracted from it. With `upload`, the upload's record goes in the same
    /// transaction (its bytes were already counted against the quota);
    /// without, `QuotaExceeded` if the school's files would pass `quota`.
    async fn add_version(
        &self,
        version: &mut FileVersion,
        text: Option<&str>,
        upload: Option<&UploadId>,
        quota: u64,
    ) -> Result<()>;
    /// The text extracted from a version, if any was.
    /// The first `max_chars` characters of a version's extracted text.
    async fn version_text(&self, id: &VersionId, max_chars: usize) -> Result<Option<String>>;
    /// Whether any version's bytes are this blob.
    async fn blob_in_use(&self, sha256: &str) -> Result<bool>;

    /// Stores a new upload; `QuotaExceeded` if its declared size would take
    /// the school's usage past `quota`, `Conflict` if it would take what the
    /// uploader's open uploads reserve past `personal`.
    async fn create_upload(&self, upload: &Upload, quota: u64, personal: u64) -> Result<()>;
    async fn upload(&self, id: &UploadId) -> Result<Option<Upload>>;
    /// Appends a received part; `Conflict` unless the upload still has
    /// exactly `part.offset` bytes (another request got there first).
    async fn add_upload_part(
        &self,
        id: &UploadId,
        part: &UploadPart,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn delete_upload(&self, id: &UploadId) -> Result<()>;
    /// Uploads with no activity since `before`.
    async fn stale_uploads(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<Upload>>;
}

/// Derives a thumbnail and text from a stored file, somewhere a crafted
/// file cannot hurt the server (the server runs [`crate::materials::previews::derive`]
/// in a worker process with limits on its memory and time). Whatever goes
/// wrong — a parser that aborts, runs out of memory or of time — the answer
/// is "nothing derived": a file is never refused for its preview.
#[async_trait]
pub trait Previewer: Send + Sync + 'static {
    /// `bytes` streams the file's `size` bytes; stopping to read it early is
    /// allowed.
    async fn derive(
        &self,
        content_type: &str,
        size: u64,
        bytes: ByteStream,
    ) -> crate::materials::previews::Derived;
}
