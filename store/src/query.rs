//! The leaf every store file uses: running statements, reading the errors
//! of a multi-statement response, pages of rows, and JSON documents in rows.

use app::{Error, Page, Result, encode_cursor, split_look_ahead};
use surrealdb::types::SurrealValue;

use crate::database::{Database, internal};
use surrealdb::types::RecordId;

/// Runs a statement whose only result that matters is success.
pub(crate) async fn exec(
    query: surrealdb::method::Query<'_, surrealdb::engine::any::Any>,
) -> Result<()> {
    query.await.and_then(|r| r.check()).map_err(internal)?;
    Ok(())
}

/// Every error of a multi-statement response, in one string: when a
/// transaction fails, its cause may sit in any slot.
pub(crate) fn all_errors(res: &mut surrealdb::IndexedResults) -> Option<String> {
    let errors = res.take_errors();
    if errors.is_empty() {
        return None;
    }
    let mut v: Vec<_> = errors.into_iter().collect();
    v.sort_by_key(|(i, _)| *i);
    Some(
        v.into_iter()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
            .join(" | "),
    )
}

/// The outcome of a transaction that THROWs `marker` when the row it
/// changes is no longer as the caller saw it: that is a `Conflict`.
pub(crate) fn guarded(
    res: &mut surrealdb::IndexedResults,
    marker: &str,
    conflict: &str,
) -> Result<()> {
    match all_errors(res) {
        None => Ok(()),
        Some(e) if e.contains(marker) => Err(Error::Conflict(conflict.into())),
        Some(e) => Err(Error::internal(e)),
    }
}

/// A page of rows read with [`app::PageRequest::look_ahead`], each with its sort key.
pub(crate) fn page_of<T>(rows: Vec<(String, T)>, limit: usize) -> Page<T> {
    let (rows, has_next) = split_look_ahead(rows, limit);
    Page {
        items: rows
            .into_iter()
            .map(|(k, t)| (encode_cursor(&k), t))
            .collect(),
        has_next,
    }
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(Error::internal)
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::internal(format!("stored {what} unreadable: {e}")))
}

#[derive(SurrealValue)]
pub(crate) struct DocRow {
    pub(crate) doc: String,
}

impl Database {
    /// The rows of these ids that exist, in one statement.
    pub(crate) async fn rows_by_ids<R: SurrealValue>(
        &self,
        fields: &str,
        table: &str,
        ids: &[impl std::fmt::Display],
    ) -> Result<Vec<R>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        self.db
            .query(format!("SELECT {fields} FROM $ids"))
            .bind(("ids", records(table, ids.iter().map(ToString::to_string))))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)
    }
}

/// Record ids of a table.
pub(crate) fn records(table: &str, ids: impl IntoIterator<Item = String>) -> Vec<RecordId> {
    ids.into_iter().map(|id| RecordId::new(table, id)).collect()
}
