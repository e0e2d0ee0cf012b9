//! The stored shape of materials' files: versions, resumable uploads and
//! their parts, and the keys their bytes live under.

use crate::kernel::id::{MaterialFileId, MaterialId, SchoolId, UploadId, UserId, VersionId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::FileName;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One version of a material's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileVersion {
    pub id: VersionId,
    pub material: MaterialId,
    /// The file this is a version of.
    pub file: MaterialFileId,
    /// 1 for the first upload of the file.
    pub number: u32,
    pub name: FileName,
    pub size: u64,
    /// Lower-case hex; names the blob.
    pub sha256: String,
    /// Sniffed from the bytes.
    pub content_type: String,
    /// The school whose quota the version counts against.
    pub school: SchoolId,
    pub uploaded_by: UserId,
    pub uploaded_at: DateTime<Utc>,
    /// Whether a thumbnail was made (images).
    #[serde(default)]
    pub thumbnail: bool,
    /// Whether plain text was extracted (documents).
    #[serde(default)]
    pub has_text: bool,
}

/// The key of the blob with this content.
pub fn blob_key(sha256: &str) -> String {
    format!("blobs/{}/{sha256}", &sha256[..2])
}

/// The key of the thumbnail of this content.
pub fn thumbnail_key(sha256: &str) -> String {
    format!("thumbs/{}/{sha256}.jpg", &sha256[..2])
}

/// A material's file: its versions, oldest first (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialFile {
    pub id: MaterialFileId,
    pub versions: Vec<FileVersion>,
}

impl MaterialFile {
    /// Its versions a page at a time, newest first.
    pub fn version_page(&self, page: &PageRequest) -> Page<FileVersion> {
        let keyed = self
            .versions
            .iter()
            .map(|v| (format!("{:010}", u32::MAX - v.number), v.clone()))
            .collect();
        Page::of_sorted(keyed, page)
    }

    /// When its first version came.
    pub(crate) fn first_uploaded_at(&self) -> Option<DateTime<Utc>> {
        self.versions.first().map(|v| v.uploaded_at)
    }

    pub fn current(&self) -> &FileVersion {
        self.versions
            .last()
            .expect("a file has at least one version")
    }
}

/// A piece of an upload that has been stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadPart {
    pub offset: u64,
    pub len: u64,
    /// The staging blob holding the piece.
    pub key: String,
}

/// A resumable upload in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub id: UploadId,
    pub material: MaterialId,
    /// The file it makes a version of.
    pub file: MaterialFileId,
    pub name: FileName,
    /// Declared by the client; checked at the end.
    pub size: u64,
    pub sha256: String,
    pub declared_type: Option<String>,
    pub school: SchoolId,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    /// When the last piece arrived (or the upload began).
    pub updated_at: DateTime<Utc>,
    pub parts: Vec<UploadPart>,
}

impl Upload {
    /// How many bytes have arrived and are stored.
    pub fn received(&self) -> u64 {
        self.parts.iter().map(|p| p.len).sum()
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.updated_at + UPLOAD_EXPIRES_AFTER
    }
}

/// The largest file sent in one GraphQL request.
pub const MAX_SMALL_UPLOAD: u64 = 25 * 1024 * 1024;
/// Pieces of an upload are stored in staging blobs of at most this size.
pub const PART_BYTES: usize = 8 * 1024 * 1024;
/// An upload nobody has sent to for this long is discarded.
pub const UPLOAD_EXPIRES_AFTER: chrono::Duration = chrono::Duration::hours(24);
/// Blobs and staging pieces nothing refers to are kept this long before
/// collection, so that an upload being finished is never collected under it.
pub const ORPHAN_GRACE: chrono::Duration = chrono::Duration::hours(1);
