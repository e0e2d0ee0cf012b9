//! Files of materials: versions, uploads small and large, downloads, and the
//! collection of what nothing refers to any more.
//!
//! Bytes are stored once per content, under their SHA-256
//! (`blobs/ab/abcd…`); a version is a record pointing at such a blob. A
//! large upload arrives in pieces over as many requests as the connection
//! needs: each piece is kept as a staging blob (`uploads/ID/…`) and counted
//! on the upload's record only once stored, so a broken connection loses at
//! most the piece in flight. Finishing streams the pieces through SHA-256
//! into the content blob: the checksum and size must match what the client
//! declared, or nothing becomes visible. Memory per request is bounded by
//! [`PART_BYTES`] plus object storage's write window.
//!
//! The content type is sniffed from the bytes; a declared type is only
//! checked against them. JPEG, PNG and WebP photos lose their metadata
//! (GPS position, camera, time) before a version records them, so their
//! version's SHA-256 is that of the bytes kept, not of the bytes sent. Thumbnails and text are derived when a version is
//! stored ([`crate::previews`]); the thumbnail is a blob beside the content
//! (`thumbs/ab/abcd….jpg`), the text is kept with the version's record.

use std::ops::Range;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use sha2::{Digest, Sha256};

use super::Materials;
use crate::accounts::model::Viewer;
use crate::kernel::blobs::{BlobWriter, ByteStream};
use crate::kernel::error::{Error, Result};
use crate::kernel::id::{MaterialFileId, MaterialId, UploadId, UserId, VersionId};
use crate::kernel::media::{carries_location, is_iso_media};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::FileName;
use crate::materials::Material;
use crate::materials::model::{
    FileVersion, MaterialFile, Upload, UploadPart, blob_key, thumbnail_key,
};
use crate::materials::model::{MAX_SMALL_UPLOAD, ORPHAN_GRACE, PART_BYTES, UPLOAD_EXPIRES_AFTER};

/// What a stored file yielded: whether a thumbnail was stored, and its text.
#[derive(Default)]
struct Derived {
    thumbnail: bool,
    text: Option<String>,
}

/// Limits of material files, set by the server's configuration.
#[derive(Debug, Clone, Copy)]
pub struct FileLimits {
    /// The largest file a resumable upload takes.
    pub max_upload: u64,
    /// What a school's files may add up to.
    pub school_quota: u64,
}

impl Default for FileLimits {
    fn default() -> Self {
        FileLimits {
            max_upload: 2 * 1024 * 1024 * 1024,
            school_quota: 10 * 1024 * 1024 * 1024,
        }
    }
}

/// The most characters of a document's text one request may read.
pub const MAX_TEXT_PAGE: usize = 20_000;

/// What a client declares when it begins an upload.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub material: MaterialId,
    /// A file of the material to add a version to; `None`: a new file.
    pub file: Option<MaterialFileId>,
    pub name: String,
    pub size: u64,
    pub sha256: String,
    pub content_type: Option<String>,
}

/// What came of sending a piece of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Bytes stored so far.
    pub received: u64,
    /// The request's body ended early (the connection broke); what arrived
    /// before is kept.
    pub interrupted: bool,
}

fn parse_sha256(s: &str) -> Result<String> {
    let s = s.trim().to_ascii_lowercase();
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s)
    } else {
        Err(Error::invalid(
            "sha256",
            "give the SHA-256 of the file as 64 hex digits",
        ))
    }
}

fn media_type(declared: &str) -> String {
    declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The type of a file from its first bytes (and, for plain text, its
/// name's extension). Never taken from the client.
pub fn sniff(head: &[u8], name: &str) -> String {
    if let Some(kind) = infer::get(head) {
        return kind.mime_type().to_owned();
    }
    if !head.is_empty() && !head.contains(&0) && looks_like_utf8(head) {
        let text = String::from_utf8_lossy(&head[..head.len().min(1024)]).to_ascii_lowercase();
        let start = text.trim_start_matches('\u{feff}').trim_start();
        if start.starts_with("<svg") || (start.starts_with("<?xml") && text.contains("<svg")) {
            return "image/svg+xml".into();
        }
        if start.starts_with("<?xml") {
            return "application/xml".into();
        }
        if start.starts_with("<!doctype html")
            || start.starts_with("<html")
            || text.contains("<script")
        {
            return "text/html".into();
        }
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        return match ext.as_str() {
            "md" | "markdown" => "text/markdown",
            "csv" => "text/csv",
            "htm" | "html" => "text/html",
            "svg" => "image/svg+xml",
            "xml" => "application/xml",
            _ => "text/plain",
        }
        .into();
    }
    "application/octet-stream".into()
}

/// Valid UTF-8, allowing a character cut at the end of the sample.
fn looks_like_utf8(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && b.len() - e.valid_up_to() < 4,
    }
}

/// Whether a client's declared type can describe bytes sniffed as `sniffed`.
fn declared_fits(declared: &str, sniffed: &str) -> bool {
    let d = media_type(declared);
    if d.is_empty() || d == "application/octet-stream" || d == "binary/octet-stream" || d == sniffed
    {
        return true;
    }
    let textual = |t: &str| {
        t.starts_with("text/")
            || matches!(t, "application/json" | "application/xml" | "image/svg+xml")
    };
    if textual(sniffed) {
        return textual(&d);
    }
    if sniffed == "application/zip" {
        return d.starts_with("application/vnd.")
            || d.ends_with("+zip")
            || d == "application/x-zip-compressed";
    }
    if sniffed == "application/octet-stream" {
        // Bytes of a kind we would have recognised cannot be called that.
        let recognisable = ["image/", "video/", "audio/", "font/"];
        return !recognisable.iter().any(|p| d.starts_with(p))
            && !matches!(d.as_str(), "application/pdf" | "application/zip")
            && !d.starts_with("application/vnd.openxmlformats")
            && !d.starts_with("application/vnd.oasis")
            && !textual(&d);
    }
    // Variants of the same family (e.g. audio/x-wav for audio/wav).
    d.split('/').next() == sniffed.split('/').next() && !sniffed.starts_with("application/")
}

/// Types a browser may show in the page instead of saving: passive media
/// and text. Everything else, above all HTML, SVG and XML, is an attachment.
pub fn shown_inline(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/jpeg" | "image/png" | "image/gif" | "image/webp" | "application/pdf" | "text/plain"
    ) || content_type.starts_with("video/")
        || content_type.starts_with("audio/")
}

fn lie(declared: &str, sniffed: &str) -> Error {
    Error::invalid(
        "contentType",
        format!("the file is {sniffed}, not {}", media_type(declared)),
    )
}

impl Materials<'_> {
    /// The files of a material the viewer may read, a page at a time, in
    /// the order they were first uploaded; and how many there are.
    pub async fn material_file_page(
        &self,
        material: &Material,
        page: &PageRequest,
    ) -> Result<(Page<MaterialFile>, usize)> {
        let files = self.material_files(material).await?;
        let count = files.len();
        let keyed = files
            .into_iter()
            .map(|f| {
                let at = f.first_uploaded_at().map_or(0, |t| t.timestamp_micros());
                (format!("{at:020}-{}", f.id), f)
            })
            .collect();
        Ok((Page::of_sorted(keyed, page), count))
    }

    /// The files of a material the viewer may read, with their versions.
    pub async fn material_files(&self, material: &Material) -> Result<Vec<MaterialFile>> {
        let versions = self.store.versions(&material.id).await?;
        let mut files: Vec<MaterialFile> = Vec::new();
        for v in versions {
            match files.iter_mut().find(|f| f.id == v.file) {
                Some(f) => f.versions.push(v),
                None => files.push(MaterialFile {
                    id: v.file.clone(),
                    versions: vec![v],
                }),
            }
        }
        for f in &mut files {
            f.versions.sort_by_key(|v| v.number);
        }
        Ok(files)
    }

    async fn file_target(
        &self,
        viewer: &Viewer,
        material: &MaterialId,
        file: Option<&MaterialFileId>,
    ) -> Result<(Material, MaterialFileId)> {
        let m = self.editable_material(viewer, material).await?;
        let file = match file {
            None => MaterialFileId::generate(),
            Some(f) => {
                if !self
                    .store
                    .versions(&m.id)
                    .await?
                    .iter()
                    .any(|v| &v.file == f)
                {
                    return Err(Error::invalid("fileId", "the material has no such file"));
                }
                f.clone()
            }
        };
        Ok((m, file))
    }

    /// Begins a resumable upload of a new file of a material, or of a new
    /// version of one of its files (its editors). The declared size counts
    /// against the school's quota until the upload finishes or expires.
    #[tracing::instrument(skip_all, fields(size = req.size))]
    pub async fn start_upload(&self, viewer: &Viewer, req: UploadRequest) -> Result<Upload> {
        let name = FileName::parse(&req.name)?;
        let sha256 = parse_sha256(&req.sha256)?;
        if req.size == 0 {
            return Err(Error::invalid("size", "the file is empty"));
        }
        if req.size > self.state.limits.max_upload {
            return Err(Error::PayloadTooLarge);
        }
        let (m, file) = self
            .file_target(viewer, &req.material, req.file.as_ref())
            .await?;
        let now = self.clock.now();
        let upload = Upload {
            id: UploadId::generate(),
            material: m.id,
            file,
            name,
            size: req.size,
            sha256,
            declared_type: req
                .content_type
                .map(|t| media_type(&t))
                .filter(|t| !t.is_empty()),
            school: m.school,
            created_by: viewer.user.id.clone(),
            created_at: now,
            updated_at: now,
            parts: Vec::new(),
        };
        // What one person's open uploads may reserve of the school's quota
        // for the day they stay open: one largest file for a student, a few
        // for an adult.
        let limits = &self.state.limits;
        let personal = if viewer.user.role.is_student() {
            limits.max_upload
        } else {
            limits.max_upload.saturating_mul(4)
        };
        self.store
            .create_upload(&upload, limits.school_quota, personal)
            .await?;
        Ok(upload)
    }

    /// An upload of the viewer's own; `NotFound` for anyone else's.
    pub async fn upload(&self, viewer: &Viewer, id: &UploadId) -> Result<Upload> {
        match self.store.upload(id).await? {
            Some(u) if u.created_by == viewer.user.id => Ok(u),
            _ => Err(Error::NotFound),
        }
    }

    /// Stores the bytes of `body` as the continuation of an upload from
    /// byte `offset`, which must be exactly what has arrived so far
    /// (`Conflict` otherwise: ask, then resume from there). If the body
    /// breaks off, what arrived before the break is kept.
    #[tracing::instrument(skip_all, fields(upload = %id, offset))]
    pub async fn append_upload(
        &self,
        viewer: &Viewer,
        id: &UploadId,
        offset: u64,
        mut body: ByteStream,
    ) -> Result<Appended> {
        let upload = self.upload(viewer, id).await?;
        let _busy = self.claim_upload(id)?;
        let mut received = upload.received();
        if offset != received {
            return Err(Error::Conflict(format!(
                "{received} bytes of this upload have arrived; send from there"
            )));
        }
        let mut buf = BytesMut::new();
        let mut interrupted = false;
        loop {
            let chunk = match body.next().await {
                None => break,
                Some(Ok(c)) => c,
                Some(Err(_)) => {
                    interrupted = true;
                    break;
                }
            };
            if received + (buf.len() + chunk.len()) as u64 > upload.size {
                // Keep what fits; the rest cannot be part of this file.
                self.store_part(&upload, &mut received, &mut buf).await?;
                return Err(Error::invalid(
                    "body",
                    format!(
                        "the upload is larger than the {} bytes declared",
                        upload.size
                    ),
                ));
            }
            buf.extend_from_slice(&chunk);
            while buf.len() >= PART_BYTES {
                let rest = buf.split_off(PART_BYTES);
                self.store_part(&upload, &mut received, &mut buf).await?;
                buf = rest;
            }
        }
        self.store_part(&upload, &mut received, &mut buf).await?;
        Ok(Appended {
            received,
            interrupted,
        })
    }

    /// Stores `buf` (if not empty) as the next piece of the upload.
    async fn store_part(
        &self,
        upload: &Upload,
        received: &mut u64,
        buf: &mut BytesMut,
    ) -> Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(buf).freeze();
        let part = UploadPart {
            offset: *received,
            len: bytes.len() as u64,
            // A fresh name per attempt: two racing requests never write the same blob.
            key: format!(
                "uploads/{}/{:016}-{}",
                upload.id,
                *received,
                uuid::Uuid::new_v4().simple()
            ),
        };
        self.objects.put(&part.key, bytes.into()).await?;
        if let Err(e) = self
            .store
            .add_upload_part(&upload.id, &part, self.clock.now())
            .await
        {
            let _ = self.objects.delete(&part.key).await;
            return Err(e);
        }
        *received += part.len;
        Ok(())
    }

    /// Marks an upload as being written to by this process; a second
    /// request for the same upload gets `Conflict` until the first ends.
    fn claim_upload(&self, id: &UploadId) -> Result<UploadClaim<'_>> {
        let mut busy = self
            .state
            .uploads_busy
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !busy.insert(id.clone()) {
            return Err(Error::Conflict(
                "another request is sending to this upload".into(),
            ));
        }
        Ok(UploadClaim {
            busy: &self.state.uploads_busy,
            id: id.clone(),
        })
    }

    /// Completes an upload: every declared byte must have arrived and their
    /// SHA-256 must be the declared one. The file's new version is visible
    /// from now on. A wrong checksum or a lying type discards the upload.
    ///
    /// The caller runs it in a task of its own ([`crate::App::finish_upload`]):
    /// if the request gives up waiting (a timeout, a closed connection), the
    /// upload still completes and its version appears among the material's files.
    pub(crate) async fn finish_upload_now(
        &self,
        viewer: &Viewer,
        id: &UploadId,
    ) -> Result<FileVersion> {
        let upload = self.upload(viewer, id).await?;
        let _busy = self.claim_upload(id)?;
        let received = upload.received();
        if received != upload.size {
            return Err(Error::Conflict(format!(
                "{received} of {} bytes have arrived; send the rest first",
                upload.size
            )));
        }
        // The material may have been deleted, or the uploader lost the right to edit it.
        let material = self.editable_material(viewer, &upload.material).await?;
        let key = blob_key(&upload.sha256);
        let exists = self.objects.head(&key).await?.is_some();
        let mut writer = if exists {
            None
        } else {
            Some(self.objects.writer(&key).await?)
        };
        let (sha, head, mut failure) = self.assemble(&upload, writer.as_mut()).await?;
        let content_type = sniff(&head, upload.name.as_str());
        if failure.is_none() && sha != upload.sha256 {
            failure = Some(Error::invalid(
                "sha256",
                "the bytes that arrived do not have the declared SHA-256; the upload was discarded, send the file again",
            ));
        }
        if failure.is_none()
            && let Some(d) = &upload.declared_type
            && !declared_fits(d, &content_type)
        {
            failure = Some(lie(d, &content_type));
        }
        if let Some(e) = failure {
            if let Some(w) = writer {
                let _ = w.abort().await;
            }
            if !matches!(e, Error::Internal(_)) {
                self.discard_upload(&upload).await?;
            }
            return Err(e);
        }
        if let Some(w) = writer {
            w.finish().await?;
        }
        // Photos and videos lose where and when they were taken; the checksum
        // proved the transfer, the version records the bytes kept. One or two
        // at a time: each may hold a copy of a 64 MiB photo in memory.
        let (sha256, size, kept) = if carries_location(&content_type) {
            let _turn = self
                .state
                .cleaning
                .acquire()
                .await
                .map_err(Error::internal)?;
            match self.clean_stored(&upload, &key, &content_type).await {
                Ok(kept) => kept,
                Err(e) => {
                    if !matches!(e, Error::Internal(_)) {
                        self.discard_upload(&upload).await?;
                    }
                    return Err(e);
                }
            }
        } else {
            (upload.sha256.clone(), upload.size, None)
        };
        let derived = self
            .derive_previews(&viewer.user.id, &sha256, &content_type, size, kept)
            .await;
        let mut version = FileVersion {
            id: VersionId::generate(),
            material: material.id,
            file: upload.file.clone(),
            number: 0,
            name: upload.name.clone(),
            size,
            sha256,
            content_type,
            school: upload.school.clone(),
            uploaded_by: viewer.user.id.clone(),
            uploaded_at: self.clock.now(),
            thumbnail: derived.thumbnail,
            has_text: derived.text.is_some(),
        };
        self.store
            .add_version(
                &mut version,
                derived.text.as_deref(),
                Some(&upload.id),
                self.state.limits.school_quota,
            )
            .await?;
        // The record is gone; the pieces are now garbage. Collection would find
        // them too, but there is no reason to wait.
        for part in &upload.parts {
            let _ = self.objects.delete(&part.key).await;
        }
        Ok(version)
    }

    /// Reads an upload's pieces in order, into `writer` when the content is
    /// not stored yet: their SHA-256, their first 8 KiB (to tell the type),
    /// and what went wrong reading or writing, if anything did.
    async fn assemble(
        &self,
        upload: &Upload,
        mut writer: Option<&mut Box<dyn BlobWriter>>,
    ) -> Result<(String, Vec<u8>, Option<Error>)> {
        let mut hasher = Sha256::new();
        let mut head: Vec<u8> = Vec::new();
        let mut failure = None;
        'parts: for part in &upload.parts {
            let Some(mut stream) = self.objects.read(&part.key, None).await? else {
                failure = Some(Error::internal(format!(
                    "upload piece {} is missing",
                    part.key
                )));
                break;
            };
            while let Some(chunk) = stream.next().await {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => {
                        failure = Some(e);
                        break 'parts;
                    }
                };
                hasher.update(&chunk);
                if head.len() < 8192 {
                    head.extend_from_slice(&chunk[..chunk.len().min(8192 - head.len())]);
                }
                if let Some(w) = writer.as_mut()
                    && let Err(e) = w.write(chunk).await
                {
                    failure = Some(e);
                    break 'parts;
                }
            }
        }
        Ok((hex::encode(hasher.finalize()), head, failure))
    }

    /// Cleans the metadata out of a stored upload (at `key`, its content
    /// blob): returns the SHA-256 and size of the bytes to keep, and those
    /// bytes when they were read whole. Images are cleaned in memory (at most
    /// [`crate::materials::previews::PREVIEW_MAX_BYTES`]); a video that large or larger
    /// is cleaned by patches, reading only its metadata boxes and then
    /// copying it once with them applied.
    async fn clean_stored(
        &self,
        upload: &Upload,
        key: &str,
        content_type: &str,
    ) -> Result<(String, u64, Option<Bytes>)> {
        if upload.size > crate::materials::previews::PREVIEW_MAX_BYTES {
            if !is_iso_media(content_type) {
                return Err(Error::invalid(
                    "size",
                    "photos larger than 64 MiB are not accepted; save a smaller copy",
                ));
            }
            return self.clean_large_video(upload, key, content_type).await;
        }
        let original = self.read_all(key).await?;
        let clean = Bytes::from(crate::kernel::media::strip_metadata(
            content_type,
            original.to_vec(),
        )?);
        let sha = hex::encode(Sha256::digest(&clean));
        if sha != upload.sha256 && self.objects.head(&blob_key(&sha)).await?.is_none() {
            self.objects.put(&blob_key(&sha), clean.to_vec()).await?;
        }
        Ok((sha, clean.len() as u64, Some(clean)))
    }

    /// [`App::clean_stored`] for a video too large to hold: its top-level
    /// boxes are walked by their headers, the few that carry metadata are
    /// read (each at most 64 MiB), and if anything is to go, the video is
    /// copied once with the patches applied, to a staging blob that then
    /// becomes the content blob of its new SHA-256.
    async fn clean_large_video(
        &self,
        upload: &Upload,
        key: &str,
        content_type: &str,
    ) -> Result<(String, u64, Option<Bytes>)> {
        use crate::kernel::media_metadata as mm;
        const MAX_BOX: u64 = 64 * 1024 * 1024;
        const MAX_BOXES: usize = 100_000;
        let size = upload.size;
        let mut patches = Vec::new();
        let mut at = 0u64;
        for n in 0.. {
            if at >= size {
                break;
            }
            if n >= MAX_BOXES {
                return Err(crate::kernel::media::unreadable(content_type));
            }
            let head = self.read_range(key, at..(at + 16).min(size)).await?;
            let header = mm::box_header(&head, at, size)
                .filter(|h| at > 0 || mm::starts_iso_file(h.kind))
                .ok_or_else(|| crate::kernel::media::unreadable(content_type))?;
            if mm::wants_box(header.kind) {
                if header.size > MAX_BOX {
                    // Free space this large holds no phone's metadata.
                    if !matches!(&header.kind, b"free" | b"skip") {
                        return Err(crate::kernel::media::unreadable(content_type));
                    }
                } else {
                    let body = self.read_range(key, at..at + header.size).await?;
                    patches.extend(mm::isobmff_patches_for_file(&header, &body, size));
                }
            }
            at += header.size;
        }
        if patches.is_empty() {
            return Ok((upload.sha256.clone(), size, None));
        }
        patches.sort_by_key(|p| p.offset);
        let staging = format!(
            "uploads/{}/clean-{}",
            upload.id,
            uuid::Uuid::new_v4().simple()
        );
        let mut writer = self.objects.writer(&staging).await?;
        let mut hasher = Sha256::new();
        let mut stream = self
            .objects
            .read(key, None)
            .await?
            .ok_or_else(|| Error::internal(format!("blob {key} is missing")))?;
        let mut offset = 0u64;
        let copied = async {
            while let Some(chunk) = stream.next().await {
                let mut chunk = chunk?.to_vec();
                let end = offset + chunk.len() as u64;
                for p in patches
                    .iter()
                    .filter(|p| p.offset < end && p.offset + p.bytes.len() as u64 > offset)
                {
                    // The part of the patch that falls in this chunk.
                    let from = p.offset.max(offset);
                    let to = (p.offset + p.bytes.len() as u64).min(end);
                    let src = &p.bytes[(from - p.offset) as usize..(to - p.offset) as usize];
                    chunk[(from - offset) as usize..(to - offset) as usize].copy_from_slice(src);
                }
                hasher.update(&chunk);
                writer.write(Bytes::from(chunk)).await?;
                offset = end;
            }
            Ok::<(), Error>(())
        }
        .await;
        if let Err(e) = copied {
            let _ = writer.abort().await;
            return Err(e);
        }
        writer.finish().await?;
        let sha = hex::encode(hasher.finalize());
        let clean = blob_key(&sha);
        if self.objects.head(&clean).await?.is_some() {
            self.objects.delete(&staging).await?;
        } else {
            self.objects.rename(&staging, &clean).await?;
        }
        Ok((sha, size, None))
    }

    /// The bytes `range` of a blob, read whole (for small ranges).
    async fn read_range(&self, key: &str, range: Range<u64>) -> Result<Bytes> {
        let mut stream = self
            .objects
            .read(key, Some(range))
            .await?
            .ok_or_else(|| Error::internal(format!("blob {key} is missing")))?;
        let mut out = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out.freeze())
    }

    /// Gives up an upload: its pieces and record go.
    pub async fn cancel_upload(&self, viewer: &Viewer, id: &UploadId) -> Result<()> {
        let upload = self.upload(viewer, id).await?;
        let _busy = self.claim_upload(id)?;
        self.discard_upload(&upload).await
    }

    async fn discard_upload(&self, upload: &Upload) -> Result<()> {
        // Record first: pieces without a record are collected; a record
        // without its pieces could never finish.
        self.store.delete_upload(&upload.id).await?;
        for part in &upload.parts {
            let _ = self.objects.delete(&part.key).await;
        }
        Ok(())
    }

    /// Adds a small file (at most [`MAX_SMALL_UPLOAD`]) sent whole, as a new
    /// file of a material or a new version of one of its files.
    #[tracing::instrument(skip_all, fields(size = bytes.len()))]
    pub async fn upload_small_file(
        &self,
        viewer: &Viewer,
        material: &MaterialId,
        file: Option<&MaterialFileId>,
        name: &str,
        declared: Option<&str>,
        bytes: Bytes,
    ) -> Result<FileVersion> {
        let name = FileName::parse(name)?;
        if bytes.is_empty() {
            return Err(Error::invalid("file", "the file is empty"));
        }
        if bytes.len() as u64 > MAX_SMALL_UPLOAD.min(self.state.limits.max_upload) {
            return Err(Error::PayloadTooLarge);
        }
        let (m, file) = self.file_target(viewer, material, file).await?;
        let content_type = sniff(&bytes[..bytes.len().min(8192)], name.as_str());
        if let Some(d) = declared
            && !declared_fits(d, &content_type)
        {
            return Err(lie(d, &content_type));
        }
        // Photos and videos lose where and when they were taken before they are stored.
        let bytes = if carries_location(&content_type) {
            Bytes::from(crate::kernel::media::strip_metadata(
                &content_type,
                bytes.to_vec(),
            )?)
        } else {
            bytes
        };
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let key = blob_key(&sha256);
        if self.objects.head(&key).await?.is_none() {
            self.objects.put(&key, bytes.to_vec()).await?;
        }
        let size = bytes.len() as u64;
        let derived = self
            .derive_previews(&viewer.user.id, &sha256, &content_type, size, Some(bytes))
            .await;
        let mut version = FileVersion {
            id: VersionId::generate(),
            material: m.id,
            file,
            number: 0,
            name,
            size,
            sha256,
            content_type,
            school: m.school,
            uploaded_by: viewer.user.id.clone(),
            uploaded_at: self.clock.now(),
            thumbnail: derived.thumbnail,
            has_text: derived.text.is_some(),
        };
        // A refused version leaves blobs nothing refers to; collection takes them.
        self.store
            .add_version(
                &mut version,
                derived.text.as_deref(),
                None,
                self.state.limits.school_quota,
            )
            .await?;
        Ok(version)
    }

    /// Makes the thumbnail (stored beside the content) and extracts the
    /// text of a stored file, in a worker process ([`crate::materials::port::Previewer`]);
    /// a file that cannot be read, or kills the worker, simply gets neither.
    /// One file at a time per uploader: the others of theirs wait their turn.
    async fn derive_previews(
        &self,
        by: &UserId,
        sha256: &str,
        content_type: &str,
        size: u64,
        bytes: Option<Bytes>,
    ) -> Derived {
        let wanted = content_type.starts_with("image/")
            || content_type.starts_with("text/")
            || content_type.starts_with("application/");
        if size > crate::materials::previews::PREVIEW_MAX_BYTES || !wanted {
            return Derived::default();
        }
        let stream: ByteStream = match bytes {
            Some(b) => futures::stream::once(async move { Ok(b) }).boxed(),
            None => match self.objects.read(&blob_key(sha256), None).await {
                Ok(Some(s)) => s,
                Ok(None) => {
                    tracing::warn!("a stored file is missing; it gets no preview");
                    return Derived::default();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not read a file back for its preview");
                    return Derived::default();
                }
            },
        };
        let turn = PreviewTurn::take(&self.state.previewing, by);
        let derived = {
            let _mine = turn.turn.lock().await;
            self.previews.derive(content_type, size, stream).await
        };
        drop(turn);
        let mut out = Derived {
            thumbnail: false,
            text: derived.text,
        };
        if let Some(jpeg) = derived.thumbnail {
            match self.objects.put(&thumbnail_key(sha256), jpeg).await {
                Ok(()) => out.thumbnail = true,
                Err(e) => tracing::warn!(error = %e, "could not store a thumbnail"),
            }
        }
        out
    }

    async fn read_all(&self, key: &str) -> Result<Bytes> {
        let mut stream = self
            .objects
            .read(key, None)
            .await?
            .ok_or_else(|| Error::internal(format!("blob {key} is missing")))?;
        let mut out = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out.freeze())
    }

    /// The first `max_chars` characters (at most [`MAX_TEXT_PAGE`]) of the
    /// plain text extracted from a version, if any.
    pub async fn version_text(
        &self,
        version: &FileVersion,
        max_chars: usize,
    ) -> Result<Option<String>> {
        if max_chars > MAX_TEXT_PAGE {
            return Err(Error::invalid(
                "first",
                format!("ask for at most {MAX_TEXT_PAGE} characters"),
            ));
        }
        if !version.has_text {
            return Ok(None);
        }
        let text = self.store.version_text(&version.id, max_chars).await?;
        Ok(text.map(|t| t.chars().take(max_chars).collect()))
    }

    /// The thumbnail of a version of an image.
    pub async fn read_thumbnail(&self, version: &FileVersion) -> Result<ByteStream> {
        if !version.thumbnail {
            return Err(Error::NotFound);
        }
        self.objects
            .read(&thumbnail_key(&version.sha256), None)
            .await?
            .ok_or(Error::NotFound)
    }

    /// A version of a file, for whoever may read its material.
    pub async fn file_version(
        &self,
        viewer: Option<&Viewer>,
        id: &VersionId,
    ) -> Result<FileVersion> {
        let v = self.store.version(id).await?.ok_or(Error::NotFound)?;
        self.material(viewer, &v.material).await?;
        Ok(v)
    }

    /// The bytes of a version (or the byte `range` of them), for whoever may
    /// read its material.
    pub async fn read_version(
        &self,
        version: &FileVersion,
        range: Option<Range<u64>>,
    ) -> Result<ByteStream> {
        self.objects
            .read(&blob_key(&version.sha256), range)
            .await?
            .ok_or_else(|| Error::internal(format!("version {} has no blob", version.id)))
    }

    /// Collects what nothing refers to: uploads nobody sent to for
    /// [`UPLOAD_EXPIRES_AFTER`], staging pieces without an upload, and
    /// content blobs no version uses (both after [`ORPHAN_GRACE`]). Returns
    /// how many blobs went. The server runs this periodically.
    pub async fn collect_material_files(&self) -> Result<usize> {
        let now = self.clock.now();
        let mut collected = 0;
        loop {
            let stale = self
                .store
                .stale_uploads(now - UPLOAD_EXPIRES_AFTER, 100)
                .await?;
            if stale.is_empty() {
                break;
            }
            for u in stale {
                collected += u.parts.len();
                self.discard_upload(&u).await?;
            }
        }
        let before = now - ORPHAN_GRACE;
        let mut uploads: std::collections::HashMap<String, Option<Upload>> = Default::default();
        for piece in self.objects.list("uploads").await? {
            if piece.modified > before {
                continue;
            }
            let Some(id) = piece
                .key
                .strip_prefix("uploads/")
                .and_then(|r| r.split('/').next())
            else {
                continue;
            };
            if !uploads.contains_key(id) {
                let u = match UploadId::parse(id) {
                    Ok(uid) => self.store.upload(&uid).await?,
                    Err(_) => None,
                };
                uploads.insert(id.to_owned(), u);
            }
            let live = uploads
                .get(id)
                .and_then(|u| u.as_ref())
                .is_some_and(|u| u.parts.iter().any(|p| p.key == piece.key));
            if !live {
                self.objects.delete(&piece.key).await?;
                collected += 1;
            }
        }
        for thumb in self.objects.list("thumbs").await? {
            if thumb.modified > before {
                continue;
            }
            let sha = thumb
                .key
                .rsplit('/')
                .next()
                .and_then(|n| n.strip_suffix(".jpg"));
            if let Some(sha) = sha
                && !self.store.blob_in_use(sha).await?
            {
                self.objects.delete(&thumb.key).await?;
                collected += 1;
            }
        }
        for blob in self.objects.list("blobs").await? {
            if blob.modified > before {
                continue;
            }
            let Some(sha) = blob.key.rsplit('/').next() else {
                continue;
            };
            if !self.store.blob_in_use(sha).await? {
                self.objects.delete(&blob.key).await?;
                collected += 1;
            }
        }
        Ok(collected)
    }
}

/// A person's place in the queue for previews ([`Materials::derive_previews`]);
/// the last one out removes the person's entry, however its future ends.
struct PreviewTurn<'a> {
    queue: &'a PreviewQueue,
    user: UserId,
    turn: Arc<tokio::sync::Mutex<()>>,
}

/// The preview turns by person.
type PreviewQueue =
    std::sync::Mutex<std::collections::HashMap<UserId, Arc<tokio::sync::Mutex<()>>>>;

impl PreviewTurn<'_> {
    fn take<'a>(queue: &'a PreviewQueue, user: &UserId) -> PreviewTurn<'a> {
        let mut map = queue.lock().unwrap_or_else(|p| p.into_inner());
        let turn = map.entry(user.clone()).or_default().clone();
        PreviewTurn {
            queue,
            user: user.clone(),
            turn,
        }
    }
}

impl Drop for PreviewTurn<'_> {
    fn drop(&mut self) {
        let mut map = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        // Ours and the map's: nobody else waits for this person's turn.
        if Arc::strong_count(&self.turn) == 2 {
            map.remove(&self.user);
        }
    }
}

/// Releases an upload claimed by [`Materials::claim_upload`] when dropped.
struct UploadClaim<'a> {
    busy: &'a std::sync::Mutex<std::collections::HashSet<UploadId>>,
    id: UploadId,
}

impl Drop for UploadClaim<'_> {
    fn drop(&mut self) {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        busy.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes_and_lies_are_caught() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "x.txt"),
            "image/png"
        );
        assert_eq!(sniff(b"%PDF-1.7\n", "a"), "application/pdf");
        assert_eq!(
            sniff("# Урок\nтекст".as_bytes(), "урок.md"),
            "text/markdown"
        );
        assert_eq!(sniff("Привет".as_bytes(), "a.txt"), "text/plain");
        assert_eq!(sniff(b"  <!DOCTYPE html><p>", "a.txt"), "text/html");
        assert_eq!(sniff(b"<svg xmlns=", "a.png"), "image/svg+xml");
        assert_eq!(sniff(b"\0\x01\x02\x03", "a"), "application/octet-stream");
        // A multi-byte letter cut by the sample's end is still text.
        let cut = &"ёё".as_bytes()[..3];
        assert_eq!(sniff(cut, "a"), "text/plain");

        assert!(declared_fits("image/png", "image/png"));
        assert!(declared_fits("application/octet-stream", "image/png"));
        assert!(declared_fits("text/plain; charset=utf-8", "text/markdown"));
        assert!(!declared_fits("image/png", "application/pdf"));
        assert!(!declared_fits("image/jpeg", "text/html"));
        assert!(!declared_fits("text/plain", "image/png"));
        assert!(!declared_fits(
            "application/pdf",
            "application/octet-stream"
        ));
        assert!(declared_fits(
            "application/x-lff-notes",
            "application/octet-stream"
        ));

        assert!(shown_inline("image/png") && shown_inline("video/mp4"));
        assert!(
            !shown_inline("text/html")
                && !shown_inline("image/svg+xml")
                && !shown_inline("application/xml")
        );
    }

    #[test]
    fn office_documents_are_told_apart_from_plain_zips() {
        use std::io::Write;
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, body) in [
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", "<Relationships/>"),
            // Office writes more parts; the detector looks at the third and fourth.
            ("word/_rels/document.xml.rels", "<Relationships/>"),
            ("word/document.xml", "<w:document/>"),
        ] {
            z.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
        let bytes = out.into_inner();
        assert_eq!(
            sniff(&bytes, "a.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert!(declared_fits("application/zip", "application/zip"));
    }

    #[test]
    fn checksums_are_64_hex_digits() {
        assert!(parse_sha256(&"A".repeat(64)).is_ok());
        assert!(parse_sha256(&"g".repeat(64)).is_err());
        assert!(parse_sha256("abc").is_err());
    }
}
