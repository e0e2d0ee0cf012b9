//! Uploaded files: the small upload path of visit cards (photos and
//! presentations), downloads with the same visibility as the card that shows
//! them, and collection of uploads that were never attached.
//!
//! The content type is detected from the bytes; what the client claims is
//! only checked against it. Bytes go to object storage first and the record
//! second, so no partial upload is ever visible. Larger, resumable uploads
//! arrive with the material repositories.

use sha2::{Digest, Sha256};

use super::Network;
use crate::accounts::model::{RequestMeta, Viewer};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::FileId;
use crate::kernel::media::strip_metadata;
use crate::kernel::text::FileName;
use crate::network::model::{School, StoredFile};
use crate::network::policy;

/// Uploads larger than this are refused while they stream in.
pub const MAX_CARD_FILE_BYTES: u64 = 25 * 1024 * 1024;

/// Unattached uploads older than this are collected.
pub const ORPHAN_AFTER: chrono::Duration = chrono::Duration::hours(24);

const IMAGES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];
const PRESENTATIONS: [&str; 3] = [
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.presentation",
];

pub(crate) fn is_presentation(content_type: &str) -> bool {
    PRESENTATIONS.contains(&content_type)
}

/// The type of the bytes, if it is one we accept.
fn detect(bytes: &[u8]) -> Option<&'static str> {
    let kind = infer::get(bytes)?;
    let mime = kind.mime_type();
    IMAGES
        .iter()
        .chain(PRESENTATIONS.iter())
        .find(|m| **m == mime)
        .copied()
}

impl Network<'_> {
    /// Stores an upload for a visit card. `declared` is the client's
    /// Content-Type; when given, it must agree with the bytes.
    #[tracing::instrument(skip_all, fields(size = bytes.len()))]
    pub async fn upload_file(
        &self,
        viewer: &Viewer,
        name: &str,
        declared: Option<&str>,
        bytes: Vec<u8>,
        meta: &RequestMeta,
    ) -> Result<StoredFile> {
        if !policy::uploads(Some(viewer)) {
            return Err(self
                .accounts
                .deny(viewer, "upload_file", "", None, meta)
                .await);
        }
        let name = FileName::parse(name)?;
        if bytes.is_empty() {
            return Err(Error::invalid("file", "the file is empty"));
        }
        if bytes.len() as u64 > MAX_CARD_FILE_BYTES {
            return Err(Error::PayloadTooLarge);
        }
        let Some(content_type) = detect(&bytes) else {
            return Err(Error::invalid(
                "file",
                "upload a JPEG, PNG, WebP or GIF image, or a PDF, .pptx or .odp presentation",
            ));
        };
        if let Some(d) = declared {
            let d = d
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let generic = d.is_empty() || d == "application/octet-stream";
            if !generic && d != content_type {
                return Err(Error::invalid(
                    "contentType",
                    format!("the file is {content_type}, not {d}"),
                ));
            }
        }
        // Photos of children must not carry where and when they were taken.
        let bytes = strip_metadata(content_type, bytes)?;
        let file = StoredFile {
            id: FileId::generate(),
            name,
            content_type: content_type.to_owned(),
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
            uploaded_by: viewer.user.id.clone(),
            school: viewer.user.school.clone(),
            attached_to: None,
            created_at: self.clock.now(),
        };
        let key = StoredFile::key(&file.id);
        self.objects.put(&key, bytes).await?;
        if let Err(e) = self.store.create_file(&file).await {
            // The record failed: take the blob back so nothing is left behind.
            let _ = self.objects.delete(&key).await;
            return Err(e);
        }
        Ok(file)
    }

    /// The bytes of a file whose record [`App::file_record`] gave the asker,
    /// as a stream: they are never held whole, since these files are public
    /// and anyone may ask for them many times at once.
    pub async fn file_bytes(&self, file: &StoredFile) -> Result<crate::kernel::blobs::ByteStream> {
        self.objects
            .read(&StoredFile::key(&file.id), None)
            .await?
            .ok_or_else(|| Error::internal(format!("file {} has no blob", file.id)))
    }

    /// The record of a file the asker may see: its uploader, and whoever may
    /// see the visit card that shows it. `NotFound` otherwise.
    pub async fn file_record(&self, viewer: Option<&Viewer>, id: &FileId) -> Result<StoredFile> {
        let file = self.store.file(id).await?.ok_or(Error::NotFound)?;
        let own = viewer.is_some_and(|v| v.user.id == file.uploaded_by);
        let shown = match &file.attached_to {
            Some(school) => self.school(viewer, school).await.is_ok(),
            None => false,
        };
        if own || shown || policy::is_admin(viewer) {
            Ok(file)
        } else {
            Err(Error::NotFound)
        }
    }

    /// The photos and presentation of a visit card the viewer can see, in
    /// one round trip (seeing the school is seeing its card's files).
    pub async fn card_files(
        &self,
        viewer: Option<&Viewer>,
        school: &School,
    ) -> Result<Vec<StoredFile>> {
        if !policy::sees_school(viewer, school) {
            return Err(Error::NotFound);
        }
        let mut ids: Vec<FileId> = school.card.photos.iter().map(|p| p.file.clone()).collect();
        ids.extend(school.card.presentation.iter().cloned());
        self.store.files(&ids).await
    }

    /// Deletes uploads that were never attached to anything within
    /// [`ORPHAN_AFTER`]; returns how many. The server runs this periodically.
    pub async fn collect_orphan_files(&self) -> Result<usize> {
        let before = self.clock.now() - ORPHAN_AFTER;
        let mut collected = 0;
        loop {
            let batch = self.store.unattached_files(before, 100).await?;
            if batch.is_empty() {
                return Ok(collected);
            }
            for id in batch {
                // Blob first: a record without a blob is found again next time.
                self.objects.delete(&StoredFile::key(&id)).await?;
                self.store.delete_file(&id).await?;
                collected += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_lose_their_exif_and_keep_their_pixels() {
        // A minimal JPEG: SOI, an APP1 EXIF segment with a GPS-like payload, a COM, SOS, EOI.
        let mut jpeg = vec![0xFF, 0xD8];
        let exif = b"Exif\0\0GPS 40.1792N 44.4991E";
        jpeg.extend([0xFF, 0xE1, 0, (exif.len() + 2) as u8]);
        jpeg.extend(exif);
        jpeg.extend([0xFF, 0xFE, 0, 7, b'h', b'e', b'l', b'l', b'o']);
        // A frame of one 1×1 component, its scan, and what a phone appends.
        jpeg.extend([0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        jpeg.extend([
            0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0x11, 0x22, 0xFF, 0xD9,
        ]);
        jpeg.extend(b"MotionPhoto_Data GPS 40.1792N");
        assert_eq!(detect(&jpeg), Some("image/jpeg"));
        let clean = strip_metadata("image/jpeg", jpeg.clone()).unwrap();
        let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(find(&jpeg, b"GPS") && !find(&clean, b"GPS"), "{clean:?}");
        assert!(!find(&clean, b"hello"));
        assert!(
            clean.ends_with(&[
                0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0x11, 0x22, 0xFF, 0xD9
            ]),
            "the image data stays: {clean:x?}"
        );
        assert_eq!(detect(&clean), Some("image/jpeg"));
        let pdf = b"%PDF-1.4\n".to_vec();
        assert_eq!(strip_metadata("application/pdf", pdf.clone()).unwrap(), pdf);
    }

    #[test]
    fn types_come_from_the_bytes() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(detect(png), Some("image/png"));
        assert_eq!(detect(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(detect(b"<html><script>"), None);
        assert_eq!(detect(b"MZ\x90\0"), None);
    }
}
