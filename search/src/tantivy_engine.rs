//! The embedded engine, on tantivy.

use app::ports::SearchIndex;
use async_trait::async_trait;
use tantivy::schema::{STORED, STRING, Schema, TEXT};
use tantivy::{Index, IndexReader};

use crate::{OpenError, SearchOptions};

/// An opened embedded index. Cheap to share behind an `Arc`.
pub struct EmbeddedIndex {
    reader: IndexReader,
    _index: Index,
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("kind", STRING | STORED);
    b.add_text_field("text", TEXT);
    b.build()
}

impl EmbeddedIndex {
    pub fn open(options: &SearchOptions) -> Result<EmbeddedIndex, OpenError> {
        let err = |e: &dyn std::fmt::Display| OpenError::Engine(e.to_string());
        let index = match options {
            SearchOptions::Memory => Index::create_in_ram(schema()),
            SearchOptions::Directory(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
                let d = tantivy::directory::MmapDirectory::open(dir).map_err(|e| err(&e))?;
                Index::open_or_create(d, schema()).map_err(|e| err(&e))?
            }
        };
        let reader = index.reader().map_err(|e| err(&e))?;
        Ok(EmbeddedIndex {
            reader,
            _index: index,
        })
    }
}

#[async_trait]
impl SearchIndex for EmbeddedIndex {
    async fn ping(&self) -> app::Result<()> {
        // Taking a searcher touches the current segments.
        let _ = self.reader.searcher().num_docs();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_index_opens_in_memory_and_on_disk_and_reopens() {
        EmbeddedIndex::open(&SearchOptions::Memory)
            .unwrap()
            .ping()
            .await
            .unwrap();
        let dir = std::env::temp_dir().join(format!("lff-search-test-{}", std::process::id()));
        let opts = SearchOptions::Directory(dir.clone());
        EmbeddedIndex::open(&opts).unwrap().ping().await.unwrap();
        EmbeddedIndex::open(&opts).unwrap().ping().await.unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }
}
