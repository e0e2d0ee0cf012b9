//! The object-storage port: blobs are written once under a key, read as a
//! stream of bytes, and listed for cleaning. `store` implements it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::kernel::error::Result;

/// A stream of bytes read from object storage.
pub type ByteStream = futures::stream::BoxStream<'static, Result<bytes::Bytes>>;

/// What object storage knows of a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    pub key: String,
    pub size: u64,
    pub modified: DateTime<Utc>,
}

#[async_trait]
pub trait ObjectStorage: Send + Sync + 'static {
    async fn ping(&self) -> Result<()>;
    /// Stores a blob durably; it is visible only once complete.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()>;
    /// `None` when there is no such blob.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// Deleting a missing blob is not an error.
    async fn delete(&self, key: &str) -> Result<()>;
    /// `None` when there is no such blob.
    async fn head(&self, key: &str) -> Result<Option<BlobInfo>>;
    /// Streams a blob, or the bytes `range` of it; `None` when there is no
    /// such blob.
    async fn read(
        &self,
        key: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> Result<Option<ByteStream>>;
    /// Starts writing a blob piece by piece, with bounded memory; nothing is
    /// visible under `key` until [`BlobWriter::finish`].
    async fn writer(&self, key: &str) -> Result<Box<dyn BlobWriter>>;
    /// Every blob whose key starts with `prefix/`.
    async fn list(&self, prefix: &str) -> Result<Vec<BlobInfo>>;
    /// Moves a blob to another key (replacing what is there), without the
    /// bytes passing through this process where the backend allows.
    async fn rename(&self, from: &str, to: &str) -> Result<()>;
}

/// A blob being written; see [`ObjectStorage::writer`].
#[async_trait]
pub trait BlobWriter: Send {
    /// Waits while earlier pieces are still being sent, so that memory stays bounded.
    async fn write(&mut self, bytes: bytes::Bytes) -> Result<()>;
    /// Completes the blob: from now on it is visible, whole.
    async fn finish(self: Box<Self>) -> Result<()>;
    /// Gives up: nothing becomes visible.
    async fn abort(self: Box<Self>) -> Result<()>;
}
