//! Persistence: the only crate that knows SurrealDB and object_store.
//!
//! [`Database`] implements [`app::ports::Repository`] over SurrealDB (embedded
//! SurrealKV, in-memory, or a server over WebSocket); [`Objects`] implements
//! [`app::kernel::blobs::ObjectStorage`] over object_store. Record structs stay in this
//! crate; callers only see the domain's types. This crate reads no
//! environment: the server hands it plain option structs.

mod accounts;
mod database;
mod events;
mod materials;
mod migrations;
mod network;
mod notifications;
mod objects;
mod people;
mod query;
mod searching;
mod space_records;
mod spaces;

use app::Result;
use app::ports::Repository;
use async_trait::async_trait;

pub use database::{Database, DatabaseOptions};
pub use objects::{Objects, ObjectsOptions, S3Credentials};

/// The database is every domain's port at once: each domain's `impl` is in
/// the file of the same name.
#[async_trait]
impl Repository for Database {
    async fn ping(&self) -> Result<()> {
        query::exec(self.db.query("RETURN 1")).await
    }
}

/// Why a backend could not be opened. Shown to the operator at start-up, so
/// the messages name the setting and what it accepts.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{setting}: {reason}")]
    Setting {
        setting: &'static str,
        reason: String,
    },
    #[error("could not open {what}: {source}")]
    Backend {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("database migration {version} ({name}) failed: {reason}")]
    Migration {
        version: u32,
        name: &'static str,
        reason: String,
    },
}
