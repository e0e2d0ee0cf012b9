//! What search reads from SurrealDB: the outbox that table events fill
//! (`migrations/0006_search.surql`), the searchable tables walked in id
//! order for a rebuild, and rows loaded many at a time by id.

use app::ports::{OutboxEntry, SearchSource, SearchTable};
use app::{Error, Result};
use async_trait::async_trait;
use surrealdb::types::SurrealValue;

use crate::database::{Database, internal};
use crate::query::{DocRow, exec, parse, records};
use crate::spaces::{MESSAGE_FIELDS, MessageRow};
use app::Material;
use app::{Channel, Message};
use app::{ChannelId, CountryCode, MaterialId, MessageId, SpaceId};

fn table_name(t: SearchTable) -> &'static str {
    match t {
        SearchTable::Material => "material",
        SearchTable::School => "school",
        SearchTable::Space => "space",
        SearchTable::Message => "message",
    }
}

/// Ids we generated are 32 lower-case hex digits; a rebuild's position is one.
fn checked_id(s: &str) -> Result<&str> {
    if s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        Ok(s)
    } else {
        Err(Error::internal("a searchable row with an unexpected id"))
    }
}

/// Outbox ids are ULIDs: 26 characters of Crockford's base 32.
fn checked_ulid(s: &str) -> Result<&str> {
    if s.len() == 26
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        Ok(s)
    } else {
        Err(Error::internal("an outbox entry with an unexpected id"))
    }
}

#[derive(SurrealValue)]
struct OutboxRow {
    id: String,
    key: String,
}

#[derive(SurrealValue)]
struct TextRow {
    material: String,
    file: String,
    number: i64,
    text: Option<String>,
}

#[async_trait]
impl SearchSource for Database {
    async fn search_outbox(&self, after: Option<&str>, limit: usize) -> Result<Vec<OutboxEntry>> {
        // Keys are ULIDs, and a table is read in key order: oldest first.
        let source = match after {
            Some(a) => format!("search_outbox:⟨{}⟩>..", checked_ulid(a)?),
            None => "search_outbox".to_owned(),
        };
        let rows: Vec<OutboxRow> = self
            .db
            .query(format!(
                "SELECT record::id(id) AS id, key FROM {source} LIMIT $n"
            ))
            .bind(("n", limit as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxEntry {
                id: r.id,
                key: r.key,
            })
            .collect())
    }

    async fn delete_search_outbox(&self, ids: &[String]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        exec(
            self.db
                .query("DELETE $ids")
                .bind(("ids", records("search_outbox", ids.iter().cloned()))),
        )
        .await
    }

    async fn search_outbox_len(&self) -> Result<u64> {
        let n: Option<i64> = self
            .db
            .query("RETURN (SELECT count() FROM search_outbox GROUP ALL)[0].count ?? 0")
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    async fn searchable_ids(
        &self,
        table: SearchTable,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>> {
        let t = table_name(table);
        // A record range reads from the position on, without scanning what
        // lies before it; the position is one of our ids, checked.
        let source = match after {
            Some(a) => format!("{t}:⟨{}⟩>..", checked_id(a)?),
            None => t.to_owned(),
        };
        self.db
            .query(format!(
                "SELECT VALUE record::id(id) FROM {source} LIMIT $n"
            ))
            .bind(("n", limit as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)
    }

    async fn searchable_count(&self) -> Result<u64> {
        let n: Option<i64> = self
            .db
            .query(
                "RETURN (SELECT count() FROM material GROUP ALL)[0].count ?? 0 \
                 + (SELECT count() FROM school GROUP ALL)[0].count ?? 0 \
                 + (SELECT count() FROM space GROUP ALL)[0].count ?? 0 \
                 + (SELECT count() FROM message GROUP ALL)[0].count ?? 0",
            )
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    async fn materials_by_ids(&self, ids: &[MaterialId]) -> Result<Vec<Material>> {
        let rows: Vec<DocRow> = self.rows_by_ids("doc", "material", ids).await?;
        rows.iter().map(|r| parse("material", &r.doc)).collect()
    }

    async fn messages_by_ids(&self, ids: &[MessageId]) -> Result<Vec<Message>> {
        let rows: Vec<MessageRow> = self.rows_by_ids(MESSAGE_FIELDS, "message", ids).await?;
        rows.into_iter().map(MessageRow::into_message).collect()
    }

    async fn channels_by_ids(&self, ids: &[ChannelId]) -> Result<Vec<Channel>> {
        let rows: Vec<DocRow> = self.rows_by_ids("doc", "channel", ids).await?;
        rows.iter().map(|r| parse("channel", &r.doc)).collect()
    }

    async fn material_file_texts(
        &self,
        ids: &[MaterialId],
        max_chars: usize,
    ) -> Result<Vec<(MaterialId, String)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let rows: Vec<TextRow> = self
            .db
            .query(
                "SELECT material, file, number, string::slice(text ?? '', 0, $max) AS text \
                 FROM file_version WHERE material IN $ids",
            )
            .bind((
                "ids",
                ids.iter()
                    .map(|i| i.as_str().to_owned())
                    .collect::<Vec<_>>(),
            ))
            .bind(("max", max_chars as i64))
            .await
            .map_err(internal)?
            .take(0)
            .map_err(internal)?;
        // The newest version of each file.
        let mut newest: std::collections::BTreeMap<(String, String), (i64, Option<String>)> =
            std::collections::BTreeMap::new();
        for r in rows {
            let e = newest
                .entry((r.material, r.file))
                .or_insert((i64::MIN, None));
            if r.number > e.0 {
                *e = (r.number, r.text);
            }
        }
        Ok(newest
            .into_iter()
            .filter_map(|((m, _), (_, text))| {
                text.filter(|t| !t.is_empty())
                    .map(|t| (MaterialId::from_trusted(m), t))
            })
            .collect())
    }

    async fn spaces_of_country(&self, country: &CountryCode) -> Result<Vec<SpaceId>> {
        let ids: Vec<String> = self
            .db
            .query(
                "LET $schools = (SELECT VALUE record::id(id) FROM school WHERE country = $c); \
                 SELECT VALUE record::id(id) FROM space WHERE schools CONTAINSANY $schools",
            )
            .bind(("c", country.as_str().to_owned()))
            .await
            .map_err(internal)?
            .take(1)
            .map_err(internal)?;
        Ok(ids.into_iter().map(SpaceId::from_trusted).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::MaterialForm;
    use app::MaterialStatus;
    use app::Visibility;
    use app::ports::{LogEntry, MaterialStore, SpaceStore};
    use app::{
        ChannelKind, MessageBody, SchoolId, Space, SpaceDetails, SpaceEvent, SpaceEventKind,
        SpaceRole, UserId,
    };
    use chrono::Utc;

    fn material(school: &SchoolId) -> Material {
        let now = Utc::now();
        Material {
            id: MaterialId::generate(),
            details: MaterialForm {
                title: "Вода".into(),
                ..MaterialForm::default()
            }
            .parse()
            .unwrap(),
            school: school.clone(),
            space: None,
            folder: None,
            status: MaterialStatus::Draft,
            visibility: Visibility::Network,
            created_by: UserId::generate(),
            created_at: now,
            updated_at: now,
            published_at: None,
        }
    }

    async fn drain(db: &Database) -> Vec<String> {
        let entries = db.search_outbox(None, 1000).await.unwrap();
        let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
        db.delete_search_outbox(&ids).await.unwrap();
        assert_eq!(db.search_outbox_len().await.unwrap(), 0);
        entries.into_iter().map(|e| e.key).collect()
    }

    #[tokio::test]
    async fn every_searchable_change_leaves_an_outbox_entry_in_its_transaction() {
        let db = crate::database::test_database().await;
        drain(&db).await;
        let school = SchoolId::generate();
        let m = material(&school);
        let key = format!("material:{}", m.id);
        db.save_material(&m, None).await.unwrap();
        let mut changed = m.clone();
        changed.updated_at = Utc::now() + chrono::Duration::seconds(1);
        db.save_material(&changed, Some(&m)).await.unwrap();
        // A refused edit (stale) changes nothing and leaves nothing.
        assert!(db.save_material(&changed, Some(&m)).await.is_err());
        assert_eq!(drain(&db).await, vec![key.clone(), key.clone()]);

        let space = Space {
            id: SpaceId::generate(),
            details: SpaceDetails::parse("Вода", "", "Реки", vec![], &["ru".into()], None, None)
                .unwrap(),
            lead_school: school.clone(),
            schools: vec![school.clone()],
            created_by: UserId::generate(),
            created_at: Utc::now(),
            archived: false,
        };
        db.create_space(&space).await.unwrap();
        assert_eq!(drain(&db).await, vec![format!("space:{}", space.id)]);
        let channel = Channel {
            id: ChannelId::generate(),
            space: space.id.clone(),
            name: "general".into(),
            topic: None,
            kind: ChannelKind::General,
            created_by: None,
            created_at: Utc::now(),
        };
        let msg = Message {
            id: MessageId::generate(),
            space: space.id.clone(),
            channel: channel.id.clone(),
            seq: 0,
            author: UserId::generate(),
            author_name: "Ann".into(),
            author_role: SpaceRole::Student,
            body: MessageBody::parse("Привет").unwrap(),
            reply_to: None,
            reply_count: 0,
            mentions: vec![],
            reactions: vec![],
            created_at: Utc::now(),
            edited_at: None,
            deleted: false,
            hidden: None,
        };
        let event = |kind| LogEntry {
            event: SpaceEvent {
                space: space.id.clone(),
                seq: None,
                at: Utc::now(),
                kind,
                staff_only: false,
            },
            replaced: None,
        };
        db.log_space_events(&mut [
            event(SpaceEventKind::ChannelCreated(channel.clone())),
            event(SpaceEventKind::MessagePosted(msg.clone())),
        ])
        .await
        .unwrap();
        // The space's log position moved, which search does not follow.
        assert_eq!(drain(&db).await, vec![format!("message:{}", msg.id)]);
        db.log_space_events(&mut [event(SpaceEventKind::ReactionChanged {
            message: msg.id.clone(),
            emoji: "👍".into(),
            user: UserId::generate(),
            added: true,
            channel: channel.id.clone(),
        })])
        .await
        .unwrap();
        assert!(drain(&db).await.is_empty(), "reactions are not searched");

        db.delete_material(&m.id).await.unwrap();
        assert_eq!(drain(&db).await, vec![key]);
    }

    #[tokio::test]
    async fn rows_load_many_at_once_and_tables_walk_in_id_order() {
        let db = crate::database::test_database().await;
        let school = SchoolId::generate();
        let mut ids = Vec::new();
        for _ in 0..5 {
            let m = material(&school);
            db.save_material(&m, None).await.unwrap();
            ids.push(m.id);
        }
        let mut wanted = vec![ids[3].clone(), ids[1].clone(), MaterialId::generate()];
        let mut got: Vec<MaterialId> = db
            .materials_by_ids(&wanted)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        got.sort();
        wanted.truncate(2);
        wanted.sort();
        assert_eq!(got, wanted);

        let mut walked = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = db
                .searchable_ids(SearchTable::Material, after.as_deref(), 2)
                .await
                .unwrap();
            let Some(last) = page.last().cloned() else {
                break;
            };
            walked.extend(page);
            after = Some(last);
        }
        let mut all: Vec<String> = ids.iter().map(|i| i.as_str().to_owned()).collect();
        all.sort();
        assert_eq!(walked, all);
        assert_eq!(db.searchable_count().await.unwrap(), 5);
    }
}
