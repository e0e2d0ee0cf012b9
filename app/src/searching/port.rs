//! What search needs: the searchable rows and the outbox of changes from
//! the database, and a search engine.

use crate::kernel::error::Result;
use crate::kernel::id::{ChannelId, CountryCode, MaterialId, MessageId, SpaceId};
use crate::materials::Material;

use crate::searching::model::{DocKey, EngineResults, SearchDocument, SearchRequest};
use crate::spaces::model::{Channel, Message};
use async_trait::async_trait;

/// One change the search index must follow (see [`SearchSource`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The entry's own id, to delete it once handled.
    pub id: String,
    /// What changed, as [`DocKey::as_string`].
    pub key: String,
}

/// The tables whose rows become search documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchTable {
    Material,
    School,
    Space,
    Message,
}

impl SearchTable {
    pub const ALL: [SearchTable; 4] = [
        SearchTable::Material,
        SearchTable::School,
        SearchTable::Space,
        SearchTable::Message,
    ];
}

#[async_trait]
pub trait SearchSource: Send + Sync + 'static {
    /// The oldest outbox entries (after the entry `after`, if given), at most `limit`.
    async fn search_outbox(&self, after: Option<&str>, limit: usize) -> Result<Vec<OutboxEntry>>;
    /// Deletes handled entries (missing ones are no error).
    async fn delete_search_outbox(&self, ids: &[String]) -> Result<()>;
    /// How many entries wait.
    async fn search_outbox_len(&self) -> Result<u64>;
    /// The ids of a searchable table after `after`, in id order, for a rebuild.
    async fn searchable_ids(
        &self,
        table: SearchTable,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>>;
    /// How many rows the searchable tables hold together.
    async fn searchable_count(&self) -> Result<u64>;

    /// The ones of these that exist, in one round trip each.
    async fn materials_by_ids(&self, ids: &[MaterialId]) -> Result<Vec<Material>>;
    async fn messages_by_ids(&self, ids: &[MessageId]) -> Result<Vec<Message>>;
    async fn channels_by_ids(&self, ids: &[ChannelId]) -> Result<Vec<Channel>>;
    /// The text of the newest version of each file of these materials, at
    /// most `max_chars` characters per file.
    async fn material_file_texts(
        &self,
        ids: &[MaterialId],
        max_chars: usize,
    ) -> Result<Vec<(MaterialId, String)>>;
    /// Every space with a member school in `country`.
    async fn spaces_of_country(&self, country: &CountryCode) -> Result<Vec<SpaceId>>;
}

/// A search engine holding [`SearchDocument`]s. Its contents are derived
/// data: the indexer rebuilds them from the database, and the domain
/// re-checks every hit it loads.
#[async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    async fn ping(&self) -> Result<()>;
    /// Adds or replaces `upserts` and removes the documents of `removals`;
    /// when this returns, the changes are durable and searchable.
    async fn apply(&self, upserts: Vec<SearchDocument>, removals: Vec<DocKey>) -> Result<()>;
    async fn search(&self, request: &SearchRequest) -> Result<EngineResults>;
    /// Removes every document and marks the index incomplete, before a rebuild.
    async fn clear(&self) -> Result<()>;
    /// Adds documents during a rebuild (after [`SearchIndex::clear`]); they
    /// may stay unsearchable, and not durable, until
    /// [`SearchIndex::mark_complete`].
    async fn stage(&self, documents: Vec<SearchDocument>) -> Result<()>;
    /// Whether the index was completely built (and not cleared since). A new
    /// or half-built index is not.
    async fn is_complete(&self) -> Result<bool>;
    /// Makes everything staged durable and searchable, and marks the
    /// rebuild finished.
    async fn mark_complete(&self) -> Result<()>;
    /// How many documents it holds.
    async fn document_count(&self) -> Result<u64>;
}
