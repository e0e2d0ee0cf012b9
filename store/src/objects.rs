//! File blobs in object storage, chosen by URL: `file://DIR` (local disk,
//! fsynced) or `memory://`. S3 arrives with the material repositories.

use std::path::PathBuf;
use std::sync::Arc;

use app::ports::ObjectStorage;
use async_trait::async_trait;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

use crate::OpenError;

#[derive(Debug, Clone)]
pub struct ObjectsOptions {
    pub url: String,
}

const ACCEPTED: &str = "use file://DIR or memory://";

impl ObjectsOptions {
    /// The local directory used, if any, so the server can lock it.
    pub fn local_path(&self) -> Result<Option<PathBuf>, OpenError> {
        let url = self.url.trim();
        if url == "memory://" {
            return Ok(None);
        }
        match url.strip_prefix("file://") {
            Some(p) if !p.is_empty() => Ok(Some(PathBuf::from(p))),
            _ => Err(OpenError::Setting {
                setting: "objects",
                reason: format!("'{url}' is not supported; {ACCEPTED}"),
            }),
        }
    }
}

#[derive(Clone)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
}

impl Objects {
    pub fn open(options: &ObjectsOptions) -> Result<Objects, OpenError> {
        let store: Arc<dyn ObjectStore> = match options.local_path()? {
            None => Arc::new(InMemory::new()),
            Some(dir) => {
                std::fs::create_dir_all(&dir).map_err(|e| OpenError::Backend {
                    what: "the objects directory",
                    source: Box::new(e),
                })?;
                let fs = LocalFileSystem::new_with_prefix(&dir)
                    .map_err(|e| OpenError::Backend {
                        what: "the objects directory",
                        source: Box::new(e),
                    })?
                    // Durability: a blob is on disk before its upload is acknowledged.
                    .with_fsync(true)
                    .with_automatic_cleanup(true);
                Arc::new(fs)
            }
        };
        Ok(Objects { store })
    }
}

#[async_trait]
impl ObjectStorage for Objects {
    async fn ping(&self) -> app::Result<()> {
        // A HEAD of a name that never exists: NotFound proves the store answers.
        match self.store.head(&Path::from("readiness-probe")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(app::Error::internal(format!("objects: {e}"))),
        }
    }

    async fn put(&self, key: &str, bytes: Vec<u8>) -> app::Result<()> {
        let path = Path::parse(key).map_err(|e| app::Error::internal(format!("objects: {e}")))?;
        // Local files are written to a staging name and renamed when complete,
        // so a half-written blob is never visible.
        self.store
            .put(&path, bytes.into())
            .await
            .map(|_| ())
            .map_err(|e| app::Error::internal(format!("objects: {e}")))
    }

    async fn get(&self, key: &str) -> app::Result<Option<Vec<u8>>> {
        let path = Path::parse(key).map_err(|e| app::Error::internal(format!("objects: {e}")))?;
        match self.store.get(&path).await {
            Ok(r) => r
                .bytes()
                .await
                .map(|b| Some(b.to_vec()))
                .map_err(|e| app::Error::internal(format!("objects: {e}"))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(app::Error::internal(format!("objects: {e}"))),
        }
    }

    async fn delete(&self, key: &str) -> app::Result<()> {
        let path = Path::parse(key).map_err(|e| app::Error::internal(format!("objects: {e}")))?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(app::Error::internal(format!("objects: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_file_and_memory_urls_are_accepted() {
        let o = |u: &str| ObjectsOptions { url: u.into() };
        assert_eq!(o("memory://").local_path().unwrap(), None);
        assert_eq!(
            o("file://data/objects").local_path().unwrap(),
            Some(PathBuf::from("data/objects"))
        );
        let err = o("s4://bucket").local_path().unwrap_err().to_string();
        assert_eq!(
            err,
            "objects: 's4://bucket' is not supported; use file://DIR or memory://"
        );
    }

    #[tokio::test]
    async fn an_in_memory_store_is_ready() {
        let o = Objects::open(&ObjectsOptions {
            url: "memory://".into(),
        })
        .unwrap();
        o.ping().await.unwrap();
    }
}
