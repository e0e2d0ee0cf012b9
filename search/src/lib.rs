//! Search: the only crate that knows the search engines.
//!
//! Two engines implement [`app::ports::SearchIndex`]: the embedded one on
//! tantivy ([`EmbeddedIndex`], on disk under the data directory or in
//! memory) and Meilisearch ([`MeiliIndex`], for large deployments). Both
//! analyse text the same way ([`analysis`]): folding, stems where a stemmer
//! exists, Cyrillic–Latin skeletons, typo tolerance, prefixes and phrases.
//! The index is derived data: it can always be rebuilt from the database,
//! and it never decides who may see what — it only matches a document's
//! audience against the asker's, both computed by the domain.

pub mod analysis;
mod meili_engine;
mod tantivy_engine;

use std::path::PathBuf;
use std::sync::Arc;

pub use meili_engine::MeiliIndex;
pub use tantivy_engine::EmbeddedIndex;

/// Where a Meilisearch server is and how to use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeiliOptions {
    /// `http://host:7700` or `https://…`.
    pub url: String,
    /// An API key allowed to manage documents, settings and indexes.
    pub key: Option<String>,
    /// Prefix of the index names (`<prefix>_docs`, `<prefix>_state`).
    pub index: String,
}

/// Where the search index lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchOptions {
    Memory,
    Directory(PathBuf),
    Meilisearch(MeiliOptions),
}

impl SearchOptions {
    /// Parses the `search` setting: `memory://`, a directory path, or the
    /// URL of a Meilisearch server (`http://` or `https://`) used with `key`
    /// and index names starting with `index`.
    pub fn parse(value: &str, key: Option<&str>, index: &str) -> Result<SearchOptions, OpenError> {
        let v = value.trim();
        if v == "memory://" {
            return Ok(SearchOptions::Memory);
        }
        if v.starts_with("http://") || v.starts_with("https://") {
            if url::Url::parse(v).is_err() {
                return Err(OpenError::Setting(format!("'{v}' is not a valid URL")));
            }
            if index.is_empty()
                || !index
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(OpenError::Setting(format!(
                    "the index name '{index}' may only hold letters, digits, '-' and '_'"
                )));
            }
            return Ok(SearchOptions::Meilisearch(MeiliOptions {
                url: v.trim_end_matches('/').to_owned(),
                key: key.map(str::to_owned).filter(|k| !k.is_empty()),
                index: index.to_owned(),
            }));
        }
        if v.is_empty() || (v.contains("://") && !v.starts_with("file://")) {
            return Err(OpenError::Setting(format!(
                "'{v}' is not supported; use a directory path, memory:// or a Meilisearch URL (http://HOST:7700)"
            )));
        }
        Ok(SearchOptions::Directory(PathBuf::from(
            v.trim_start_matches("file://"),
        )))
    }

    pub fn local_path(&self) -> Option<&PathBuf> {
        match self {
            SearchOptions::Directory(p) => Some(p),
            _ => None,
        }
    }
}

/// Opens the engine the options name.
pub async fn open(options: &SearchOptions) -> Result<Arc<dyn app::ports::SearchIndex>, OpenError> {
    Ok(match options {
        SearchOptions::Meilisearch(m) => Arc::new(MeiliIndex::open(m).await?),
        other => Arc::new(EmbeddedIndex::open(other)?),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("search: {0}")]
    Setting(String),
    #[error("could not open the search index: {0}")]
    Engine(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_is_a_directory_memory_or_a_meilisearch_url() {
        assert_eq!(
            SearchOptions::parse("memory://", None, "lff").unwrap(),
            SearchOptions::Memory
        );
        assert_eq!(
            SearchOptions::parse("data/search", None, "lff").unwrap(),
            SearchOptions::Directory("data/search".into())
        );
        assert_eq!(
            SearchOptions::parse("http://127.0.0.1:7700/", Some("k"), "lff").unwrap(),
            SearchOptions::Meilisearch(MeiliOptions {
                url: "http://127.0.0.1:7700".into(),
                key: Some("k".into()),
                index: "lff".into(),
            })
        );
        let err = SearchOptions::parse("ftp://x", None, "lff")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("search: 'ftp://x' is not supported"),
            "{err}"
        );
        assert!(SearchOptions::parse("http://x:7700", None, "a b").is_err());
    }
}
