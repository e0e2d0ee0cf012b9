//! Search: the only crate that knows the search engines.
//!
//! For now it opens the embedded tantivy index (on disk under the data
//! directory, or in memory) so that the server can prove it is reachable; the
//! document schema, language analysis, indexing and queries arrive with the
//! search capability. The index is derived data: it can always be rebuilt from
//! the database, and it is never used to decide who may see what.

mod tantivy_engine;

use std::path::PathBuf;

pub use tantivy_engine::EmbeddedIndex;

/// Where the search index lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchOptions {
    Memory,
    Directory(PathBuf),
}

impl SearchOptions {
    /// Parses the `search` setting: `memory://` or a directory path.
    pub fn parse(value: &str) -> Result<SearchOptions, OpenError> {
        let v = value.trim();
        if v == "memory://" {
            return Ok(SearchOptions::Memory);
        }
        if v.is_empty() || (v.contains("://") && !v.starts_with("file://")) {
            return Err(OpenError::Setting(format!(
                "'{v}' is not supported; use a directory path or memory://"
            )));
        }
        Ok(SearchOptions::Directory(PathBuf::from(
            v.trim_start_matches("file://"),
        )))
    }

    pub fn local_path(&self) -> Option<&PathBuf> {
        match self {
            SearchOptions::Memory => None,
            SearchOptions::Directory(p) => Some(p),
        }
    }
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
    fn the_setting_is_a_directory_or_memory() {
        assert_eq!(
            SearchOptions::parse("memory://").unwrap(),
            SearchOptions::Memory
        );
        assert_eq!(
            SearchOptions::parse("data/search").unwrap(),
            SearchOptions::Directory("data/search".into())
        );
        let err = SearchOptions::parse("http://x").unwrap_err().to_string();
        assert!(
            err.starts_with("search: 'http://x' is not supported"),
            "{err}"
        );
    }
}
