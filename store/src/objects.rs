//! File blobs in object storage, chosen by URL: `file://DIR` (local disk,
//! fsynced), `memory://`, or `s3://BUCKET[/PREFIX]` through object_store's
//! S3 client — AWS or any S3-compatible server. S3 settings that are not
//! secret go in the URL's query (`endpoint`, `region`, `path_style`); the
//! credentials come separately (the server reads them from the usual
//! `AWS_*` variables), never in the URL, which is shown in logs and errors.

use std::path::PathBuf;
use std::sync::Arc;

use app::kernel::blobs::{BlobInfo, BlobWriter, ByteStream, ObjectStorage};
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, WriteMultipart};

use crate::OpenError;

#[derive(Debug, Clone, Default)]
pub struct ObjectsOptions {
    pub url: String,
    /// S3 credentials; without them the S3 client looks for the machine's
    /// own (instance metadata, web identity).
    pub s3_credentials: Option<S3Credentials>,
}

#[derive(Clone, Default)]
pub struct S3Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

const ACCEPTED: &str =
    "use file://DIR, memory:// or s3://BUCKET[/PREFIX][?endpoint=URL&region=NAME&path_style=true]";

/// Where blobs live, parsed from the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Backend {
    Memory,
    File(PathBuf),
    S3(S3Options),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct S3Options {
    bucket: String,
    prefix: Option<String>,
    endpoint: Option<String>,
    region: Option<String>,
    /// Bucket in the path (`http://host/bucket/key`), as most
    /// S3-compatible servers want, rather than in the host name.
    path_style: bool,
}

impl ObjectsOptions {
    fn backend(&self) -> Result<Backend, OpenError> {
        let url = self.url.trim();
        let bad = |why: String| OpenError::Setting {
            setting: "objects",
            reason: why,
        };
        if url == "memory://" {
            return Ok(Backend::Memory);
        }
        if let Some(p) = url.strip_prefix("file://") {
            if p.is_empty() {
                return Err(bad(format!("'{url}' names no directory; {ACCEPTED}")));
            }
            return Ok(Backend::File(PathBuf::from(p)));
        }
        let Some(rest) = url.strip_prefix("s3://") else {
            return Err(bad(format!("'{url}' is not supported; {ACCEPTED}")));
        };
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        if bucket.is_empty() {
            return Err(bad(format!("'{url}' names no bucket; {ACCEPTED}")));
        }
        let prefix = prefix.trim_matches('/');
        let mut o = S3Options {
            bucket: bucket.to_owned(),
            prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
            ..S3Options::default()
        };
        if let Some(p) = &o.prefix {
            Path::parse(p).map_err(|_| bad(format!("'{p}' is not a valid key prefix")))?;
        }
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "endpoint" if v.starts_with("http://") || v.starts_with("https://") => {
                    o.endpoint = Some(v.to_owned())
                }
                "endpoint" => {
                    return Err(bad(format!(
                        "endpoint '{v}' must be an http:// or https:// URL"
                    )));
                }
                "region" if !v.is_empty() => o.region = Some(v.to_owned()),
                "path_style" if v == "true" || v == "false" => o.path_style = v == "true",
                _ => {
                    return Err(bad(format!(
                        "unknown or invalid S3 setting '{k}' (known: endpoint, region, path_style=true|false)"
                    )));
                }
            }
        }
        Ok(Backend::S3(o))
    }

    /// The local directory used, if any, so the server can lock it.
    pub fn local_path(&self) -> Result<Option<PathBuf>, OpenError> {
        Ok(match self.backend()? {
            Backend::File(p) => Some(p),
            Backend::Memory | Backend::S3(_) => None,
        })
    }
}

#[derive(Clone)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
}

impl Objects {
    pub fn open(options: &ObjectsOptions) -> Result<Objects, OpenError> {
        let backend_err = |e: object_store::Error| OpenError::Backend {
            what: "the object storage",
            source: Box::new(e),
        };
        let store: Arc<dyn ObjectStore> = match options.backend()? {
            Backend::Memory => Arc::new(InMemory::new()),
            Backend::File(dir) => {
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
            Backend::S3(o) => {
                let mut b = AmazonS3Builder::new()
                    .with_bucket_name(&o.bucket)
                    .with_virtual_hosted_style_request(!o.path_style);
                if let Some(c) = &options.s3_credentials {
                    b = b
                        .with_access_key_id(&c.access_key_id)
                        .with_secret_access_key(&c.secret_access_key);
                    if let Some(t) = &c.session_token {
                        b = b.with_token(t);
                    }
                }
                if let Some(region) = &o.region {
                    b = b.with_region(region);
                }
                if let Some(endpoint) = &o.endpoint {
                    b = b
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                let s3 = b.build().map_err(backend_err)?;
                match &o.prefix {
                    Some(p) => Arc::new(PrefixStore::new(s3, Path::from(p.as_str()))),
                    None => Arc::new(s3),
                }
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

    async fn head(&self, key: &str) -> app::Result<Option<BlobInfo>> {
        let path = key_path(key)?;
        match self.store.head(&path).await {
            Ok(m) => Ok(Some(info(m))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    async fn read(
        &self,
        key: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> app::Result<Option<ByteStream>> {
        let path = key_path(key)?;
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        match self.store.get_opts(&path, options).await {
            Ok(r) => Ok(Some(r.into_stream().map_err(failed).boxed())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    async fn rename(&self, from: &str, to: &str) -> app::Result<()> {
        // A file rename on disk, a server-side copy and delete on S3.
        self.store
            .rename(&key_path(from)?, &key_path(to)?)
            .await
            .map_err(failed)
    }

    async fn writer(&self, key: &str) -> app::Result<Box<dyn BlobWriter>> {
        let path = key_path(key)?;
        let upload = self.store.put_multipart(&path).await.map_err(failed)?;
        Ok(Box::new(Writer(WriteMultipart::new_with_chunk_size(
            upload,
            WRITE_CHUNK,
        ))))
    }

    async fn list(&self, prefix: &str) -> app::Result<Vec<BlobInfo>> {
        let prefix = key_path(prefix)?;
        self.store
            .list(Some(&prefix))
            .map_ok(info)
            .map_err(failed)
            .try_collect()
            .await
    }
}

/// Pieces of a blob being written are sent in chunks of this size (S3's
/// smallest multipart part), at most [`WRITE_WINDOW`] at a time: a writer
/// holds about 15 MiB plus the piece being added.
const WRITE_CHUNK: usize = 5 * 1024 * 1024;
const WRITE_WINDOW: usize = 3;

struct Writer(WriteMultipart);

#[async_trait]
impl BlobWriter for Writer {
    async fn write(&mut self, bytes: bytes::Bytes) -> app::Result<()> {
        self.0
            .wait_for_capacity(WRITE_WINDOW)
            .await
            .map_err(failed)?;
        self.0.put(bytes);
        Ok(())
    }

    async fn finish(self: Box<Self>) -> app::Result<()> {
        self.0.finish().await.map(|_| ()).map_err(failed)
    }

    async fn abort(self: Box<Self>) -> app::Result<()> {
        self.0.abort().await.map_err(failed)
    }
}

fn key_path(key: &str) -> app::Result<Path> {
    Path::parse(key).map_err(|e| app::Error::internal(format!("objects: {e}")))
}

fn failed(e: object_store::Error) -> app::Error {
    app::Error::internal(format!("objects: {e}"))
}

fn info(m: object_store::ObjectMeta) -> BlobInfo {
    BlobInfo {
        key: m.location.to_string(),
        size: m.size,
        modified: m.last_modified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_file_and_memory_urls_are_accepted() {
        let o = |u: &str| ObjectsOptions {
            url: u.into(),
            ..Default::default()
        };
        assert_eq!(o("memory://").local_path().unwrap(), None);
        assert_eq!(
            o("file://data/objects").local_path().unwrap(),
            Some(PathBuf::from("data/objects"))
        );
        let err = o("s4://bucket").local_path().unwrap_err().to_string();
        assert_eq!(
            err,
            format!("objects: 's4://bucket' is not supported; {ACCEPTED}")
        );
        assert_eq!(o("s3://b/p").local_path().unwrap(), None);
    }

    #[test]
    fn s3_urls_carry_bucket_prefix_and_settings_but_no_secrets() {
        let b = |u: &str| {
            ObjectsOptions {
                url: u.into(),
                ..Default::default()
            }
            .backend()
        };
        assert_eq!(
            b("s3://lff-files").unwrap(),
            Backend::S3(S3Options {
                bucket: "lff-files".into(),
                ..S3Options::default()
            })
        );
        assert_eq!(
            b("s3://lff/school-files/?endpoint=http://127.0.0.1:9000&region=eu-central-1&path_style=true")
                .unwrap(),
            Backend::S3(S3Options {
                bucket: "lff".into(),
                prefix: Some("school-files".into()),
                endpoint: Some("http://127.0.0.1:9000".into()),
                region: Some("eu-central-1".into()),
                path_style: true,
            })
        );
        for bad in [
            "s3://",
            "s3:///x",
            "s3://b?secret_access_key=x",
            "s3://b?endpoint=ftp://x",
            "s3://b?path_style=yes",
            "s3://b/a/../c",
            "file://",
        ] {
            assert!(b(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn an_in_memory_store_is_ready() {
        let o = Objects::open(&ObjectsOptions {
            url: "memory://".into(),
            ..Default::default()
        })
        .unwrap();
        o.ping().await.unwrap();
    }
}
