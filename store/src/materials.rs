//! Learning materials in SurrealDB: materials, library folders, file
//! versions and uploads in progress. See `migrations/0005_materials.surql`.
//!
//! Quota checks happen inside the transaction that adds the bytes, so two
//! uploads racing for the last free gigabyte cannot both get it.

use app::materials::model::{FileVersion, Upload, UploadPart};
use app::ports::MaterialStore;
use app::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use crate::database::{Database, internal};
use crate::query::{DocRow, all_errors, exec, json, page_of, parse};
use app::{DraftScope, Folder, Library, Material, MaterialScope, MaterialSort};
use app::{FolderId, MaterialId, Page, PageRequest, UploadId, VersionId};

fn size(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

const QUOTA_MARK: &str = "lff_quota_exceeded";

/// Maps a failed transaction: the quota marker is `QuotaExceeded`.
fn outcome(res: &mut surrealdb::IndexedResults) -> Result<()> {
    match all_errors(res) {
        None => Ok(()),
        Some(e) if e.contains(QUOTA_MARK) => Err(Error::QuotaExceeded),
        Some(e) if e.contains("lff_uploads_open") => Err(Error::Conflict(
            "your open uploads reserve as much as one person may; finish or cancel one first"
                .into(),
        )),
        Some(e) => Err(Error::internal(e)),
    }
}

#[derive(SurrealValue)]
struct MaterialContent {
    doc: String,
    library: String,
    folder: String,
    school: String,
    status: String,
    visibility: String,
    created_by: String,
    title_key: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A material row with its id, for INSERT.
#[derive(SurrealValue)]
struct MaterialInsert {
    id: surrealdb::types::RecordId,
    doc: String,
    library: String,
    folder: String,
    school: String,
    status: String,
    visibility: String,
    created_by: String,
    title_key: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(SurrealValue)]
struct FolderContent {
    doc: String,
    library: String,
    parent: String,
    name_key: String,
}

#[derive(SurrealValue)]
struct VersionContent {
    doc: String,
    material: String,
    file: String,
    number: i64,
    school: String,
    size: i64,
    sha256: String,
    text: Option<String>,
}

#[derive(SurrealValue)]
struct VersionRow {
    doc: String,
    number: i64,
}

impl VersionRow {
    fn into_version(self) -> Result<FileVersion> {
        let mut v: FileVersion = parse("file version", &self.doc)?;
        v.number = u32::try_from(self.number).map_err(Error::internal)?;
        Ok(v)
    }
}

#[derive(SurrealValue)]
struct UploadContent {
    doc: String,
    school: String,
    created_by: String,
    size: i64,
    received: i64,
    parts: Vec<String>,
    updated_at: DateTime<Utc>,
}

#[derive(SurrealValue)]
struct UploadRow {
    doc: String,
    parts: Vec<String>,
    updated_at: DateTime<Utc>,
}

impl UploadRow {
    fn into_upload(self) -> Result<Upload> {
        let mut u: Upload = parse("upload", &self.doc)?;
        u.parts = self
            .parts
            .iter()
            .map(|p| parse("upload part", p))
            .collect::<Result<_>>()?;
        u.updated_at = self.updated_at;
        Ok(u)
    }
}

fn folder_key(f: Option<&FolderId>) -> String {
    f.map(|f| f.as_str().to_owned()).unwrap_or_default()
}

/// The sort value of a material for a listing, as text that compares the
/// right way inside its kind, followed by its id.
fn sort_key(m: &Material, sort: MaterialSort) -> String {
    let value = match sort {
        MaterialSort::Updated => m
            .updated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        MaterialSort::Newest => m
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        MaterialSort::Title => m.details.title.to_lowercase(),
    };
    format!("{value}|{}", m.id)
}

fn material_row(m: &Material) -> Result<MaterialContent> {
    Ok(MaterialContent {
        doc: json(m)?,
        library: m.library().key(),
        folder: folder_key(m.folder.as_ref()),
        school: m.school.as_str().to_owned(),
        status: m.status.as_str().to_owned(),
        visibility: m.visibility.as_str().to_owned(),
        created_by: m.created_by.as_str().to_owned(),
        title_key: m.details.title.to_lowercase(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

impl Database {
    async fn material_docs(
        &self,
        sql: &str,
        binds: Vec<(&'static str, serde_json::Value)>,
    ) -> Result<Vec<Material>> {
        let mut q = self.db.query(sql);
        for (k, v) in binds {
            q = q.bind((k, v));
        }
        let rows: Vec<DocRow> = q.await.map_err(internal)?.take(0).map_err(internal)?;
        rows.iter().map(|r| parse("material", &r.doc)).collect()
    }
}

#[async_trait]
impl MaterialStore for Database {
    async fn material(&self, id: &MaterialId) -> Result<Option<Material>> {
        let row: Option<DocRow> = self
            .db
            .query("SELECT doc FROM ONLY type::record('material', $id)")
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(|r| parse("material", &r.doc)).transpose()
    }

    async fn save_material(&self, m: &Material, before: Option<&Material>) -> Result<()> {
        let row = material_row(m)?;
        let Some(before) = before else {
            return exec(
                self.db
                    .query("CREATE type::record('material', $id) CONTENT $row RETURN NONE")
                    .bind(("id", m.id.as_str().to_owned()))
                    .bind(("row", row)),
            )
            .await;
        };
        let mut res = self
            .db
            .query(
                "BEGIN; \
                 LET $now = (SELECT VALUE updated_at FROM ONLY type::record('material', $id)); \
                 IF $now != $prev { THROW 'lff_material_changed' }; \
                 UPDATE type::record('material', $id) CONTENT $row RETURN NONE; \
                 COMMIT;",
            )
            .bind(("id", m.id.as_str().to_owned()))
            .bind(("prev", before.updated_at))
            .bind(("row", row))
            .await
            .map_err(internal)?;
        match all_errors(&mut res) {
            None => Ok(()),
            Some(e) if e.contains("lff_material_changed") => Err(Error::Conflict(
                "the material was changed or deleted meanwhile; reload it and try again".into(),
            )),
            Some(e) => Err(Error::internal(e)),
        }
    }

    async fn import_materials(&self, list: &[Material]) -> Result<u64> {
        if list.is_empty() {
            return Ok(0);
        }
        let rows = list
            .iter()
            .map(|m| {
                let r = material_row(m)?;
                Ok(MaterialInsert {
                    id: surrealdb::types::RecordId::new("material", m.id.as_str().to_owned()),
                    doc: r.doc,
                    library: r.library,
                    folder: r.folder,
                    school: r.school,
                    status: r.status,
                    visibility: r.visibility,
                    created_by: r.created_by,
                    title_key: r.title_key,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // IGNORE skips rows whose id exists; what is added is returned.
        let added: Vec<String> = self
            .db
            .query("INSERT IGNORE INTO material $rows RETURN VALUE record::id(id)")
            .bind(("rows", rows))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(added.len() as u64)
    }

    async fn delete_material(&self, id: &MaterialId) -> Result<()> {
        exec(
            self.db
                .query(
                    "BEGIN; \
                     DELETE file_version WHERE material = $id; \
                     DELETE type::record('material', $id); \
                     COMMIT;",
                )
                .bind(("id", id.as_str().to_owned())),
        )
        .await
    }

    async fn materials(&self, scope: &MaterialScope, page: &PageRequest) -> Result<Page<Material>> {
        let (field, order) = match scope.sort {
            MaterialSort::Updated => ("updated_at", "DESC"),
            MaterialSort::Newest => ("created_at", "DESC"),
            MaterialSort::Title => ("title_key", "ASC"),
        };
        let mut binds: Vec<(&'static str, serde_json::Value)> = vec![
            ("lib", scope.library.key().into()),
            ("folder", folder_key(scope.folder.as_ref()).into()),
            (
                "vis",
                scope
                    .visibilities
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .into(),
            ),
            ("all_drafts", matches!(scope.drafts, DraftScope::All).into()),
            (
                "me",
                match &scope.drafts {
                    DraftScope::Own(u) => u.as_str().into(),
                    _ => "".into(),
                },
            ),
            ("n", page.look_ahead().into()),
        ];
        let mut after = String::new();
        if let Some(cursor) = &page.after {
            let (value, key) = cursor
                .rsplit_once('|')
                .ok_or_else(|| Error::invalid("after", "not a cursor of this list"))?;
            let cmp = if order == "DESC" { "<" } else { ">" };
            // Times are compared as datetimes; the title as text.
            let value_expr = if field == "title_key" {
                "$v"
            } else {
                "<datetime>$v"
            };
            if field != "title_key" && DateTime::parse_from_rfc3339(value).is_err() {
                return Err(Error::invalid("after", "not a cursor of this list"));
            }
            after = format!(
                " AND ({field} {cmp} {value_expr} OR ({field} = {value_expr} AND record::id(id) {cmp} $k))"
            );
            binds.push(("v", value.into()));
            binds.push(("k", key.into()));
        }
        let sql = format!(
            "SELECT doc, {field}, record::id(id) AS key FROM material \
             WHERE folder = $folder AND library = $lib \
             AND ((status = 'published' AND visibility IN $vis) \
                  OR (status = 'draft' AND ($all_drafts OR created_by = $me))){after} \
             ORDER BY {field} {order}, key {order} LIMIT $n"
        );
        let rows = self.material_docs(&sql, binds).await?;
        let rows = rows
            .into_iter()
            .map(|m| (sort_key(&m, scope.sort), m))
            .collect();
        Ok(page_of(rows, page.limit))
    }

    async fn folder_has_materials(&self, id: &FolderId) -> Result<bool> {
        let found: Vec<String> = self
            .db
            .query("SELECT VALUE record::id(id) FROM material WHERE folder = $f LIMIT 1")
            .bind(("f", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(!found.is_empty())
    }

    async fn folder(&self, id: &FolderId) -> Result<Option<Folder>> {
        let row: Option<DocRow> = self
            .db
            .query("SELECT doc FROM ONLY type::record('folder', $id)")
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(|r| parse("folder", &r.doc)).transpose()
    }

    async fn folders(&self, library: &Library, parent: Option<&FolderId>) -> Result<Vec<Folder>> {
        let rows: Vec<DocRow> = self
            .db
            .query(
                "SELECT doc, name_key FROM folder WHERE library = $lib AND parent = $parent \
                 ORDER BY name_key",
            )
            .bind(("lib", library.key()))
            .bind(("parent", folder_key(parent)))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.iter().map(|r| parse("folder", &r.doc)).collect()
    }

    async fn save_folders(&self, folders: &[Folder]) -> Result<()> {
        let mut sql = String::from("BEGIN; ");
        for i in 0..folders.len() {
            sql.push_str(&format!(
                "UPSERT type::record('folder', $id{i}) CONTENT $row{i} RETURN NONE; "
            ));
        }
        sql.push_str("COMMIT;");
        let mut q = self.db.query(sql);
        for (i, f) in folders.iter().enumerate() {
            q = q.bind((format!("id{i}"), f.id.as_str().to_owned())).bind((
                format!("row{i}"),
                FolderContent {
                    doc: json(f)?,
                    library: f.library.key(),
                    parent: folder_key(f.parent.as_ref()),
                    name_key: f.name.as_str().to_lowercase(),
                },
            ));
        }
        exec(q).await
    }

    async fn delete_folder(&self, id: &FolderId) -> Result<()> {
        exec(
            self.db
                .query("DELETE type::record('folder', $id)")
                .bind(("id", id.as_str().to_owned())),
        )
        .await
    }

    async fn versions(&self, material: &MaterialId) -> Result<Vec<FileVersion>> {
        let rows: Vec<VersionRow> = self
            .db
            .query("SELECT doc, number FROM file_version WHERE material = $m ORDER BY number")
            .bind(("m", material.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter().map(VersionRow::into_version).collect()
    }

    async fn version(&self, id: &VersionId) -> Result<Option<FileVersion>> {
        let row: Option<VersionRow> = self
            .db
            .query("SELECT doc, number FROM ONLY type::record('file_version', $id)")
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(VersionRow::into_version).transpose()
    }

    async fn add_version(
        &self,
        version: &mut FileVersion,
        text: Option<&str>,
        upload: Option<&UploadId>,
        quota: u64,
    ) -> Result<()> {
        // Numbers are 1, 2, 3… per file; the unique index catches a race,
        // which is retried with the next number.
        for _ in 0..5 {
            let existing: Option<i64> = self
                .db
                .query("RETURN array::len((SELECT VALUE number FROM file_version WHERE file = $f))")
                .bind(("f", version.file.as_str().to_owned()))
                .await
                .map_err(internal)?
                .take(0)
                .map_err(internal)?;
            version.number = u32::try_from(existing.unwrap_or(0) + 1).map_err(Error::internal)?;
            let row = VersionContent {
                doc: json(version)?,
                material: version.material.as_str().to_owned(),
                file: version.file.as_str().to_owned(),
                number: i64::from(version.number),
                school: version.school.as_str().to_owned(),
                size: size(version.size),
                sha256: version.sha256.clone(),
                text: text.map(str::to_owned),
            };
            let sql = if upload.is_some() {
                "BEGIN; \
                 LET $gone = (DELETE type::record('upload', $upload) RETURN BEFORE); \
                 IF array::len($gone) = 0 { THROW 'lff_upload_gone' }; \
                 CREATE type::record('file_version', $id) CONTENT $row RETURN NONE; \
                 COMMIT;"
            } else {
                "BEGIN; \
                 LET $used = math::sum((SELECT VALUE size FROM file_version WHERE school = $school)) \
                    + math::sum((SELECT VALUE size FROM upload WHERE school = $school)); \
                 IF $used + $size > $quota { THROW 'lff_quota_exceeded' }; \
                 CREATE type::record('file_version', $id) CONTENT $row RETURN NONE; \
                 COMMIT;"
            };
            let mut res = self
                .db
                .query(sql)
                .bind((
                    "upload",
                    upload.map(|u| u.as_str().to_owned()).unwrap_or_default(),
                ))
                .bind(("school", version.school.as_str().to_owned()))
                .bind(("size", size(version.size)))
                .bind(("quota", size(quota)))
                .bind(("id", version.id.as_str().to_owned()))
                .bind(("row", row))
                .await
                .map_err(internal)?;
            match all_errors(&mut res) {
                None => return Ok(()),
                Some(e) if e.contains(QUOTA_MARK) => return Err(Error::QuotaExceeded),
                Some(e) if e.contains("lff_upload_gone") => {
                    return Err(Error::Conflict(
                        "the upload was finished or cancelled meanwhile".into(),
                    ));
                }
                Some(e) if e.contains("file_version_number") => continue,
                Some(e) => return Err(Error::internal(e)),
            }
        }
        Err(Error::Conflict(
            "too many versions of this file are being added at once; try again".into(),
        ))
    }

    async fn version_text(&self, id: &VersionId, max_chars: usize) -> Result<Option<String>> {
        // Cut in the database: the whole text may be a million characters.
        let text: Option<Option<String>> = self
            .db
            .query(
                "SELECT VALUE (IF text = NONE THEN NONE ELSE string::slice(text, 0, $n) END) \
                 FROM ONLY type::record('file_version', $id)",
            )
            .bind(("id", id.as_str().to_owned()))
            .bind(("n", max_chars as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(text.flatten())
    }

    async fn blob_in_use(&self, sha256: &str) -> Result<bool> {
        let found: Vec<String> = self
            .db
            .query("SELECT VALUE record::id(id) FROM file_version WHERE sha256 = $s LIMIT 1")
            .bind(("s", sha256.to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(!found.is_empty())
    }

    async fn create_upload(&self, upload: &Upload, quota: u64, personal: u64) -> Result<()> {
        let row = UploadContent {
            doc: json(upload)?,
            school: upload.school.as_str().to_owned(),
            created_by: upload.created_by.as_str().to_owned(),
            size: size(upload.size),
            received: 0,
            parts: Vec::new(),
            updated_at: upload.updated_at,
        };
        let mut res = self
            .db
            .query(
                "BEGIN; \
                 LET $used = math::sum((SELECT VALUE size FROM file_version WHERE school = $school)) \
                    + math::sum((SELECT VALUE size FROM upload WHERE school = $school)); \
                 IF $used + $size > $quota { THROW 'lff_quota_exceeded' }; \
                 LET $mine = math::sum((SELECT VALUE size FROM upload WHERE created_by = $by)); \
                 IF $mine + $size > $personal { THROW 'lff_uploads_open' }; \
                 CREATE type::record('upload', $id) CONTENT $row RETURN NONE; \
                 COMMIT;",
            )
            .bind(("school", upload.school.as_str().to_owned()))
            .bind(("by", upload.created_by.as_str().to_owned()))
            .bind(("size", size(upload.size)))
            .bind(("quota", size(quota)))
            .bind(("personal", size(personal)))
            .bind(("id", upload.id.as_str().to_owned()))
            .bind(("row", row))
            .await
            .map_err(internal)?;
        outcome(&mut res)
    }

    async fn upload(&self, id: &UploadId) -> Result<Option<Upload>> {
        let row: Option<UploadRow> = self
            .db
            .query("SELECT doc, parts, updated_at FROM ONLY type::record('upload', $id)")
            .bind(("id", id.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        row.map(UploadRow::into_upload).transpose()
    }

    async fn add_upload_part(
        &self,
        id: &UploadId,
        part: &UploadPart,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let changed: Vec<String> = self
            .db
            .query(
                "UPDATE type::record('upload', $id) \
                 SET parts += $part, received += $len, updated_at = $at \
                 WHERE received = $offset RETURN VALUE record::id(id)",
            )
            .bind(("id", id.as_str().to_owned()))
            .bind(("part", json(part)?))
            .bind(("len", size(part.len)))
            .bind(("offset", size(part.offset)))
            .bind(("at", at))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        if changed.is_empty() {
            return Err(Error::Conflict(
                "the upload moved on meanwhile (or is gone); ask where it stands and resume from there"
                    .into(),
            ));
        }
        Ok(())
    }

    async fn delete_upload(&self, id: &UploadId) -> Result<()> {
        exec(
            self.db
                .query("DELETE type::record('upload', $id)")
                .bind(("id", id.as_str().to_owned())),
        )
        .await
    }

    async fn stale_uploads(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<Upload>> {
        let rows: Vec<UploadRow> = self
            .db
            .query("SELECT doc, parts, updated_at FROM upload WHERE updated_at < $before LIMIT $n")
            .bind(("before", before))
            .bind(("n", i64::from(limit)))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        rows.into_iter().map(UploadRow::into_upload).collect()
    }
}
